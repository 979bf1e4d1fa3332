import Foundation
import Logging
import NIOCore

/// An OpenADR 2.0b VEN (simple HTTP, pull): it registers with its VTN, offers the site's
/// telemetry, polls at the rate the VTN asks, answers events through its delegate and sends the
/// reports the VTN requests. `run()` does all of it until its task is cancelled; it keeps going
/// through unreachable VTNs and refused messages, which it records in `status` and never lets
/// change its events.
public actor OpenADRVEN {
    public nonisolated let configuration: OpenADRVENConfiguration
    private let transport: any OpenADRTransport
    let delegate: any OpenADRVENDelegate
    let logger: Logger
    private let shutdownTransport: (@Sendable () async throws -> Void)?

    private var vtnID: String?
    var venID: String?
    private var registrationID: String?
    var isRegistered = false
    private var needsReportRegistration = false
    private var needsEventRequest = false
    private var pollInterval: TimeInterval
    private var nextPoll = Date.distantPast
    private var lastPoll: Date?
    private var lastError: OpenADRVENStatus.Failure?
    private var book = EventBook()
    var schedule: ReportSchedule
    var reportsSent = 0
    private var messagesRefused = 0

    /// A VEN over any transport (tests use an in-memory one).
    public init(configuration: OpenADRVENConfiguration, delegate: any OpenADRVENDelegate, transport: any OpenADRTransport, logger: Logger = Logger(label: "gridshell.openadr")) {
        self.init(configuration: configuration, delegate: delegate, transport: transport, logger: logger, shutdown: nil)
    }

    /// A VEN over HTTP (with TLS when the configuration has it); `run()` shuts its client down.
    public init(configuration: OpenADRVENConfiguration, delegate: any OpenADRVENDelegate, logger: Logger = Logger(label: "gridshell.openadr")) throws {
        let http = try OpenADRHTTPTransport(
            vtnURL: configuration.vtnURL, tls: configuration.tls, connectTimeout: .milliseconds(Int64(configuration.connectTimeout * 1000)),
            timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)), maxResponseBytes: configuration.limits.maxBytes)
        self.init(configuration: configuration, delegate: delegate, transport: http, logger: logger, shutdown: { try await http.shutdown() })
    }

    private init(
        configuration: OpenADRVENConfiguration, delegate: any OpenADRVENDelegate, transport: any OpenADRTransport, logger: Logger,
        shutdown: (@Sendable () async throws -> Void)?
    ) {
        self.configuration = configuration
        self.delegate = delegate
        self.transport = transport
        self.logger = logger
        self.shutdownTransport = shutdown
        self.venID = configuration.venID
        self.registrationID = configuration.registrationID
        self.pollInterval = max(configuration.defaultPollInterval, configuration.minimumPollInterval)
        self.schedule = ReportSchedule(minimumPeriod: configuration.minimumReportPeriod)
    }

    /// What the VEN knows now.
    public var status: OpenADRVENStatus {
        OpenADRVENStatus(
            isRegistered: isRegistered, vtnID: vtnID, venID: venID, registrationID: registrationID, pollInterval: pollInterval, lastPoll: lastPoll,
            lastError: lastError, events: book.events, reportRequestIDs: schedule.requestIDs, reportsSent: reportsSent, messagesRefused: messagesRefused)
    }

    // MARK: Running

    /// Registers, then polls and reports until the task is cancelled; returns then. Failures are
    /// recorded in `status.lastError` and retried, never thrown.
    public func run() async {
        logger.info("OpenADR VEN starting", metadata: ["gridshell.openadr.vtn": "\(configuration.vtnURL)"])
        while !Task.isCancelled {
            if !isRegistered {
                do {
                    try await registerParty()
                } catch {
                    record(error, during: "registration")
                    guard await sleep(seconds: configuration.retryInterval) else { break }
                    continue
                }
            }
            // Retried at the poll rate until they succeed.
            do {
                try await registerReports()
                try await requestEvents()
            } catch {
                record(error, during: "registration")
            }
            if isRegistered && Date() >= nextPoll {
                do {
                    try await poll()
                } catch {
                    record(error, during: "oadrPoll")
                }
                nextPoll = Date().addingTimeInterval(pollInterval)
            }
            await report(at: Date())
            guard isRegistered else { continue }
            let wake = min(nextPoll, schedule.nextDue ?? nextPoll)
            guard await sleep(seconds: wake.timeIntervalSinceNow) else { break }
        }
        if let shutdownTransport {
            do { try await shutdownTransport() } catch { logger.debug("OpenADR transport shutdown failed", metadata: ["gridshell.error": "\(error)"]) }
        }
        logger.info("OpenADR VEN stopped")
    }

    /// Sleeps; false when the task was cancelled.
    private func sleep(seconds: TimeInterval) async -> Bool {
        guard seconds > 0 else { return !Task.isCancelled }
        do {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return true
        } catch {
            return false
        }
    }

    // MARK: Registration

    /// oadrQueryRegistration → oadrCreatePartyRegistration → oadrRegisterReport (and the
    /// oadrCreatedReport for what the VTN requests) → oadrRequestEvent.
    func register() async throws {
        try await registerParty()
        try await registerReports()
        try await requestEvents()
    }

    /// oadrQueryRegistration, then oadrCreatePartyRegistration (with the venID and
    /// registrationID when re-registering): keeps the VTN's ids and poll rate.
    private func registerParty() async throws {
        let query = OpenADRMessage.queryRegistration(requestID: Self.newID())
        let offer = try expect(await exchange(.registerParty, query), answering: query, "oadrCreatedPartyRegistration") {
            if case .createdPartyRegistration(let r) = $0 { r } else { nil }
        }
        guard offer.response.isSuccess else { throw refused(query, offer.response) }
        vtnID = offer.vtnID
        if let frequency = offer.pollFrequency { pollInterval = max(frequency, configuration.minimumPollInterval) }

        let create = OpenADRMessage.createPartyRegistration(
            .init(requestID: Self.newID(), registrationID: registrationID, venID: venID, venName: configuration.venName))
        let created = try expect(await exchange(.registerParty, create), answering: create, "oadrCreatedPartyRegistration") {
            if case .createdPartyRegistration(let r) = $0 { r } else { nil }
        }
        guard created.response.isSuccess else { throw refused(create, created.response) }
        guard let newVenID = created.venID else { throw OpenADRProtocolError(request: create.name, reason: .incompleteRegistration("venID")) }
        guard let newRegistrationID = created.registrationID else { throw OpenADRProtocolError(request: create.name, reason: .incompleteRegistration("registrationID")) }
        vtnID = created.vtnID
        venID = newVenID
        registrationID = newRegistrationID
        if let frequency = created.pollFrequency { pollInterval = max(frequency, configuration.minimumPollInterval) }
        isRegistered = true
        needsReportRegistration = !configuration.reportPoints.isEmpty
        needsEventRequest = true
        nextPoll = Date()
        logger.info(
            "OpenADR VEN registered",
            metadata: ["gridshell.openadr.ven_id": "\(newVenID)", "gridshell.openadr.registration_id": "\(newRegistrationID)", "gridshell.openadr.poll_s": "\(pollInterval)"])
    }

    /// oadrRegisterReport with the site's METADATA report; schedules what the VTN requests in
    /// its answer and confirms them with oadrCreatedReport.
    private func registerReports() async throws {
        guard isRegistered, needsReportRegistration, let venID else { return }
        let register = OpenADRMessage.registerReport(requestID: Self.newID(), reports: [configuration.metadataReport(createdAt: Date())], venID: venID)
        let (response, requests) = try expect(await exchange(.report, register), answering: register, "oadrRegisteredReport") {
            if case .registeredReport(let response, let requests, _) = $0 { (response, requests) } else { nil }
        }
        guard response.isSuccess else { throw refused(register, response) }
        needsReportRegistration = false
        try await accept(requests, answeringRequestID: response.requestID)
    }

    /// oadrRequestEvent: the VTN's current events, whatever happened while unregistered.
    private func requestEvents() async throws {
        guard isRegistered, needsEventRequest, let venID else { return }
        let request = OpenADRMessage.requestEvent(requestID: Self.newID(), venID: venID, replyLimit: nil)
        let reply = try await exchange(.event, request)
        needsEventRequest = false
        if let reply { try await handle(reply) }
    }

    /// Asks the VTN to cancel this VEN's registration (oadrCancelPartyRegistration) and forgets
    /// it. A running VEN registers again on its next turn: cancel `run()` first to leave the VTN.
    public func cancelRegistration() async throws {
        guard let registrationID else { return }
        let cancel = OpenADRMessage.cancelPartyRegistration(requestID: Self.newID(), registrationID: registrationID, venID: venID)
        let reply = try await exchange(.registerParty, cancel)
        switch reply {
        case .canceledPartyRegistration(let response, _, _), .response(let response, _):
            guard response.isSuccess else { throw refused(cancel, response) }
        case nil: break
        case .some(let other): throw OpenADRProtocolError(request: cancel.name, reason: .unexpectedReply(expected: "oadrCanceledPartyRegistration", received: other.name))
        }
        forgetRegistration(keepIDs: false)
    }

    private func forgetRegistration(keepIDs: Bool) {
        isRegistered = false
        schedule.removeAll()
        if !keepIDs {
            registrationID = nil
            venID = configuration.venID
        }
    }

    // MARK: Polling

    /// oadrPoll until the VTN has nothing more (an oadrResponse), at most ten messages a round.
    func poll() async throws {
        guard let venID else { return }
        for _ in 0..<10 {
            guard isRegistered else { return }
            let reply = try await exchange(.poll, .poll(venID: venID))
            lastPoll = Date()
            guard let reply, try await handle(reply) else { return }
        }
    }

    /// Acts on one message from the VTN; true when there may be more to fetch.
    @discardableResult
    func handle(_ message: OpenADRMessage) async throws -> Bool {
        switch message {
        case .response(let response, _):
            if !response.isSuccess { throw refused(.poll(venID: venID ?? ""), response) }
            return false

        case .distributeEvent(let distribution):
            try await apply(distribution)
            return true

        case .createReport(let requestID, let requests, _):
            try await accept(requests, answeringRequestID: requestID)
            return true

        case .registerReport(let requestID, _, _):
            // The VTN's own reports: acknowledged, none requested.
            _ = try await exchange(.report, .registeredReport(response: .ok(requestID: requestID), requests: [], venID: venID))
            return true

        case .cancelReport(let cancel):
            try await cancelReports(cancel)
            return true

        case .requestReregistration:
            logger.info("OpenADR VTN requested re-registration")
            _ = try await exchange(.registerParty, .response(.ok(requestID: nil), venID: venID))
            forgetRegistration(keepIDs: true)
            return false

        case .cancelPartyRegistration(let requestID, let cancelledID, _):
            let matches = cancelledID == registrationID
            let answer = OpenADRMessage.canceledPartyRegistration(
                response: matches ? .ok(requestID: requestID) : OpenADRResponse(code: 452, description: "registrationID does not match", requestID: requestID),
                registrationID: registrationID, venID: venID)
            _ = try await exchange(.registerParty, answer)
            if matches {
                logger.info("OpenADR VTN cancelled the registration; registering again")
                forgetRegistration(keepIDs: false)
            }
            return false

        default:
            throw OpenADRProtocolError(request: "oadrPoll", reason: .unexpectedReply(expected: "a VTN message", received: message.name))
        }
    }

    // MARK: Events

    private func apply(_ distribution: OpenADRMessage.DistributeEvent) async throws {
        if let vtnID, distribution.vtnID != vtnID {
            messagesRefused += 1
            throw OpenADRProtocolError(request: "oadrDistributeEvent", reason: .wrongVTN(expected: vtnID, received: distribution.vtnID))
        }
        // An error answer carries no events; it must not read as "all events are gone".
        if let response = distribution.response, !response.isSuccess {
            throw OpenADRProtocolError(request: "oadrDistributeEvent", reason: .refused(code: response.code, description: response.description))
        }
        let update = book.apply(distribution.events, at: Date())
        for event in update.toDecide {
            let opt = await delegate.opt(for: event)
            book.record(opt, for: event.id, modificationNumber: event.modificationNumber)
            logger.info(
                "OpenADR event answered",
                metadata: [
                    "gridshell.openadr.event": "\(event.id)", "gridshell.openadr.modification": "\(event.modificationNumber)", "gridshell.openadr.opt": "\(opt.rawValue)",
                ])
        }
        for event in update.cancelled {
            logger.info("OpenADR event cancelled", metadata: ["gridshell.openadr.event": "\(event.id)"])
        }
        if update.changed { await delegate.eventsChanged(book.events) }
        let responses = book.responses(for: update, requestID: distribution.requestID)
        guard !responses.isEmpty, let venID else { return }
        let created = OpenADRMessage.createdEvent(response: .ok(requestID: distribution.requestID), eventResponses: responses, venID: venID)
        let reply = try await exchange(.event, created)
        if case .response(let response, _) = reply, !response.isSuccess { throw refused(created, response) }
    }

    // MARK: Exchange

    /// Sends one message and reads the answer (nil for an empty body). A VTN that asks for
    /// re-registration in place of an answer is obeyed here, whatever the request was.
    func exchange(_ service: OpenADRService, _ message: OpenADRMessage) async throws -> OpenADRMessage? {
        let body: [UInt8]
        do {
            body = try await transport.post(service, body: message.encodedBytes)
        } catch let error as OpenADRMessageError {
            messagesRefused += 1
            throw error
        }
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let reply: OpenADRMessage
        do {
            reply = try OpenADRMessage.decode(body, limits: configuration.limits)
        } catch {
            messagesRefused += 1
            throw error
        }
        if case .requestReregistration = reply, message.name != "oadrPoll" {
            forgetRegistration(keepIDs: true)
            throw OpenADRProtocolError(request: message.name, reason: .unexpectedReply(expected: "an answer", received: reply.name))
        }
        return reply
    }

    /// The part of `reply` that answers `message`, or the error that says what came instead.
    private func expect<T>(_ reply: OpenADRMessage?, answering message: OpenADRMessage, _ expected: String, _ extract: (OpenADRMessage) -> T?) throws -> T {
        if let reply, let value = extract(reply) { return value }
        if case .response(let response, _)? = reply, !response.isSuccess { throw refused(message, response) }
        throw OpenADRProtocolError(request: message.name, reason: .unexpectedReply(expected: expected, received: reply?.name ?? "an empty body"))
    }

    func refused(_ message: OpenADRMessage, _ response: OpenADRResponse) -> OpenADRProtocolError {
        OpenADRProtocolError(request: message.name, reason: .refused(code: response.code, description: response.description))
    }

    func record(_ error: any Error, during step: String) {
        let message = String(describing: error)
        lastError = OpenADRVENStatus.Failure(at: Date(), message: message)
        logger.warning("OpenADR exchange failed", metadata: ["gridshell.openadr.step": "\(step)", "gridshell.error": "\(message)"])
    }

    static func newID() -> String { UUID().uuidString.lowercased() }
}

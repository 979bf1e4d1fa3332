import Foundation
import GridshellTestSupport
import ServiceLifecycle
import GridshellCore
import GridshellGrid
import Hummingbird
import Logging
import NIOCore
import Testing

/// Fixtures, peers and fakes for the OpenADR tests (kept in one namespace so other test files of
/// this target can use the same short names for their own helpers).
enum OpenADRTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/OpenADR")

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name + ".xml")))
    }

    static let fixtureNames = [
        "oadrCreatePartyRegistration", "oadrCreatedEvent", "oadrCreatedPartyRegistration", "oadrCreatedReport", "oadrDistributeEvent", "oadrPoll",
        "oadrQueryRegistration", "oadrRegisterReport", "oadrRegisteredReport", "oadrRequestEvent", "oadrResponse", "oadrUpdateReport", "oadrUpdatedReport",
    ]

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    // MARK: Sample values

    static let start = date("2026-07-14T20:00:00Z")

    static func simpleEvent(id: String = "evt-1", modification: Int = 0, level: Double = 2, status: OpenADREvent.Status = .far, responseRequired: OpenADREvent.ResponseRequired = .always) -> OpenADREvent {
        OpenADREvent(
            id: id, modificationNumber: modification, priority: 1, marketContext: "oadr://ercot/ers", createdDateTime: start.addingTimeInterval(-3_600), status: status,
            testEvent: "false", activePeriod: .init(start: start, duration: 7_200, rampUp: 600, recovery: 900),
            signals: [.init(id: "sig-1", name: .simple, kind: .level, intervals: [.init(uid: "0", duration: 7_200, value: level)], currentValue: 0)],
            targets: .init(venIDs: ["ven-1"]), responseRequired: responseRequired)
    }

    static func dispatchEvent(id: String = "evt-2", setpoints: [Double] = [12.5, 10], kind: OpenADREvent.Signal.Kind = .setpoint, scale: String = "M") -> OpenADREvent {
        OpenADREvent(
            id: id, marketContext: "oadr://ercot/dispatch", createdDateTime: start, status: .near,
            activePeriod: .init(start: start, duration: Double(setpoints.count) * 900),
            signals: [
                .init(
                    id: "sig-2", name: .loadDispatch, kind: kind, unit: .realPower(scale: scale),
                    intervals: setpoints.enumerated().map { .init(uid: String($0), duration: 900, value: $1) })
            ],
            targets: .init(venIDs: ["ven-1"], resourceIDs: ["site-1"]))
    }

    static func priceEvent(id: String = "evt-3") -> OpenADREvent {
        OpenADREvent(
            id: id, marketContext: "oadr://ercot/price", createdDateTime: start, status: .active,
            activePeriod: .init(start: start, duration: 3_600, startAfter: 120, notification: 86_400),
            signals: [
                .init(
                    id: "sig-3", name: .electricityPrice, kind: .price,
                    unit: OpenADRItemUnit(element: "currencyPerKWh", namespace: OpenADRNamespace.oadr, itemDescription: "currencyPerKWh", itemUnits: "USD", scaleCode: "none"),
                    intervals: [.init(start: start, duration: 1_800, value: 0.25), .init(start: start.addingTimeInterval(1_800), duration: 1_800, value: 1.5)])
            ],
            targets: .init(groupIDs: ["west"], partyIDs: ["party-9"]))
    }

    static let reportRequest = OpenADRReportRequest(
        reportRequestID: "rr-1", reportSpecifierID: "gridshell-telemetry", granularity: 60, reportBackDuration: 300,
        intervalStart: start, intervalDuration: 3_600,
        points: [.init(rID: "site_power", readingType: "Direct Read", unit: .realPower(scale: "M")), .init(rID: "curtailable_power", readingType: "Estimated")])

    /// One message of every kind, with every optional part filled somewhere.
    static var everyMessage: [OpenADRMessage] {
        let ok = OpenADRResponse.ok(requestID: "req-1")
        let metadata = OpenADRVENConfiguration(vtnURL: "http://vtn", venName: "site").metadataReport(createdAt: start)
        let data = OpenADRReport(
            reportSpecifierID: "gridshell-telemetry", reportRequestID: "rr-1", reportName: "TELEMETRY_USAGE", eiReportID: "rep-7", createdDateTime: start,
            start: start, duration: 120,
            intervals: [
                .init(start: start, rID: "site_power", value: 42.5), .init(start: start, duration: 60, rID: "curtailable_power", value: 17.25),
                .init(start: start.addingTimeInterval(60), rID: "site_power", value: 1e-5),
            ])
        let cancel = OpenADRMessage.CancelReport(requestID: "req-9", reportRequestIDs: ["rr-1", "rr-2"], reportToFollow: true, venID: "ven-1")
        return [
            .queryRegistration(requestID: "req-1"),
            .createPartyRegistration(.init(requestID: "req-2", venName: "site")),
            .createPartyRegistration(
                .init(requestID: "req-2", registrationID: "reg-1", venID: "ven-1", transportAddress: "https://site", reportOnly: true, xmlSignature: false, venName: "site", httpPullModel: nil)),
            .createdPartyRegistration(.init(response: ok, vtnID: "vtn-1", profiles: [.init(name: "2.0b", transports: ["simpleHttp"])], pollFrequency: 10)),
            .createdPartyRegistration(
                .init(
                    response: ok, registrationID: "reg-1", venID: "ven-1", vtnID: "vtn-1",
                    profiles: [.init(name: "2.0a", transports: ["simpleHttp"]), .init(name: "2.0b", transports: ["simpleHttp", "xmpp"])], pollFrequency: 3_600)),
            .cancelPartyRegistration(requestID: "req-3", registrationID: "reg-1", venID: "ven-1"),
            .canceledPartyRegistration(response: ok, registrationID: "reg-1", venID: "ven-1"),
            .canceledPartyRegistration(response: OpenADRResponse(code: 452, description: "ERROR", requestID: nil), registrationID: nil, venID: nil),
            .requestReregistration(venID: "ven-1"),
            .registerReport(requestID: "req-4", reports: [metadata], venID: "ven-1"),
            .registerReport(requestID: "req-4", reports: [], venID: nil),
            .registeredReport(response: ok, requests: [reportRequest], venID: "ven-1"),
            .registeredReport(response: ok, requests: [], venID: "ven-1"),
            .createReport(requestID: "req-5", requests: [reportRequest], venID: "ven-1"),
            .createdReport(response: ok, pendingReportRequestIDs: ["rr-1", "rr-2"], venID: "ven-1"),
            .createdReport(response: ok, pendingReportRequestIDs: [], venID: nil),
            .updateReport(requestID: "req-6", reports: [data], venID: "ven-1"),
            .updatedReport(response: ok, cancelReport: nil, venID: "ven-1"),
            .updatedReport(response: ok, cancelReport: cancel, venID: "ven-1"),
            .cancelReport(cancel),
            .canceledReport(response: ok, pendingReportRequestIDs: ["rr-2"], venID: "ven-1"),
            .requestEvent(requestID: "req-7", venID: "ven-1", replyLimit: 5),
            .distributeEvent(.init(response: ok, requestID: "req-8", vtnID: "vtn-1", events: [simpleEvent(), dispatchEvent(), priceEvent()])),
            .distributeEvent(.init(requestID: "req-8", vtnID: "vtn-1", events: [])),
            .createdEvent(
                response: ok,
                eventResponses: [
                    .init(requestID: "req-8", eventID: "evt-1", modificationNumber: 3, opt: .optIn),
                    .init(code: 200, description: nil, requestID: "req-8", eventID: "evt-2", modificationNumber: 0, opt: .optOut),
                ], venID: "ven-1"),
            .createdEvent(response: OpenADRResponse(code: 200, requestID: nil), eventResponses: [], venID: "ven-1"),
            .poll(venID: "ven-1"),
            .response(ok, venID: "ven-1"),
            .response(OpenADRResponse(code: 200, requestID: nil), venID: nil),
        ]
    }

    /// A logger for VENs and servers whose warnings a test provokes on purpose.
    static var quietLogger: Logger {
        var logger = Logger(label: "gridshell.test")
        logger.logLevel = .critical
        return logger
    }

    // MARK: Python peers

    /// Fails the test, with the way out, when openleadr is not importable.
    static func requireOpenleadr() async throws {
        let result = try await runPython(["-c", "import openleadr, lxml"])
        guard result.status == 0 else {
            Issue.record("openleadr is not installed for python3 (\(result.output.suffix(200))); run scripts/install-deps.sh")
            throw CancellationError()
        }
    }

    /// Runs python3 in the package root, off the cooperative pool; standard error follows
    /// standard output in `output`.
    static func runPython(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let run = try await runToEnd(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments, in: packageRoot)
        return (run.status, run.stdoutText + run.stderrText)
    }

    /// Waits for `condition` with a deadline; records an issue naming `what` and throws on timeout.
    static func wait(_ seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out after \(seconds) s waiting for \(what)")
        throw CancellationError()
    }
}

/// The site side of the VEN in tests: opts in to everything but prices, reports fixed numbers,
/// and keeps every call.
actor RecordingVENDelegate: OpenADRVENDelegate {
    private(set) var optRequests: [(id: String, modification: Int)] = []
    private(set) var snapshots: [[OpenADRTrackedEvent]] = []
    private(set) var readings = 0
    var reading: OpenADRSiteReading? = OpenADRSiteReading(sitePowerMW: 42.5, curtailableMW: 17.25)

    func opt(for event: OpenADREvent) async -> OpenADROpt {
        optRequests.append((event.id, event.modificationNumber))
        return event.signal(named: .electricityPrice) == nil ? .optIn : .optOut
    }

    func eventsChanged(_ events: [OpenADRTrackedEvent]) async {
        snapshots.append(events)
    }

    func reading(at date: Date) async -> OpenADRSiteReading? {
        readings += 1
        return reading
    }
}

/// A VTN in the test process, on Hummingbird, that answers each service with what `answer`
/// returns for the decoded request (or raw bytes); counts what it received.
final class FakeVTN: Sendable {
    typealias Answer = @Sendable (OpenADRService, OpenADRMessage) -> [UInt8]

    let received = Received()

    actor Received {
        private(set) var messages: [OpenADRMessage] = []
        func append(_ m: OpenADRMessage) { messages.append(m) }
        func count(_ name: String) -> Int { messages.filter { $0.name == name }.count }
    }

    /// Runs `body` with the base URL of a fake VTN; stops the server after.
    static func with<T: Sendable>(_ answer: @escaping Answer, _ body: @Sendable (String, FakeVTN) async throws -> T) async throws -> T {
        let vtn = FakeVTN()
        let router = Router()
        router.post("OpenADR2/Simple/2.0b/:service") { request, context -> Response in
            guard let name = context.parameters.get("service"), let service = OpenADRService(rawValue: name) else { return Response(status: .notFound) }
            let body = try await request.body.collect(upTo: 1 << 20)
            let message = try OpenADRMessage.decode(Array(body.readableBytesView))
            await vtn.received.append(message)
            let bytes = answer(service, message)
            return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: OpenADRTestSupport.quietLogger)
        // Stopped gracefully, not cancelled: a VEN still polling while a cancelled server winds
        // down can trip NIO's writer checks.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: OpenADRTestSupport.quietLogger))
        let task = Task { try await group.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            let result = try await body("http://127.0.0.1:\(port)/OpenADR2/Simple/2.0b", vtn)
            await group.triggerGracefulShutdown()
            _ = await task.result
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = await task.result
            throw error
        }
    }
}

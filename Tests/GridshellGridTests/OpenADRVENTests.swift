import Foundation
import Synchronization
import Testing

@testable import GridshellGrid

/// The VEN over real HTTP against a VTN written in the test (Hummingbird): a hostile VTN, and the
/// registration corner cases openleadr's VTN does not produce on its own.
@Suite("OpenADR VEN against a scripted VTN")
struct OpenADRVENTests {
    typealias S = OpenADRTestSupport

    /// What the scripted VTN answers; the test moves it on.
    final class Script: Sendable {
        struct State {
            var pollAnswers: [[UInt8]] = []
            var refuseRegistration = false
            var refuseReports = 0
            var events: [OpenADREvent] = [OpenADRTestSupport.simpleEvent()]
            var vtnID = "vtn-1"
        }

        let state = Mutex(State())

        func answer(_ service: OpenADRService, _ message: OpenADRMessage) -> [UInt8] {
            state.withLock { s in
                let ok = OpenADRResponse.ok(requestID: "r")
                switch message {
                case .queryRegistration:
                    return OpenADRMessage.createdPartyRegistration(.init(response: ok, vtnID: "vtn-1", profiles: [.init(name: "2.0b", transports: ["simpleHttp"])])).encodedBytes
                case .createPartyRegistration:
                    let response = s.refuseRegistration ? OpenADRResponse(code: 452, description: "not on the list", requestID: "r") : ok
                    return OpenADRMessage.createdPartyRegistration(
                        .init(
                            response: response, registrationID: s.refuseRegistration ? nil : "reg-1", venID: s.refuseRegistration ? nil : "ven-1", vtnID: "vtn-1",
                            profiles: [.init(name: "2.0b", transports: ["simpleHttp"])])
                    ).encodedBytes
                case .registerReport:
                    if s.refuseReports > 0 {
                        s.refuseReports -= 1
                        return OpenADRMessage.registeredReport(response: OpenADRResponse(code: 463, description: "busy", requestID: "r"), requests: [], venID: "ven-1").encodedBytes
                    }
                    let request = OpenADRReportRequest(
                        reportRequestID: "rr-1", reportSpecifierID: "gridshell-telemetry", granularity: 0, reportBackDuration: 0,
                        points: [.init(rID: "site_power", readingType: "Direct Read"), .init(rID: "curtailable_power", readingType: "Estimated")])
                    return OpenADRMessage.registeredReport(response: ok, requests: [request], venID: "ven-1").encodedBytes
                case .requestEvent:
                    return OpenADRMessage.distributeEvent(.init(requestID: "dist-0", vtnID: s.vtnID, events: s.events)).encodedBytes
                case .updateReport:
                    return OpenADRMessage.updatedReport(response: ok, cancelReport: nil, venID: "ven-1").encodedBytes
                case .poll:
                    if !s.pollAnswers.isEmpty { return s.pollAnswers.removeFirst() }
                    return OpenADRMessage.response(ok, venID: "ven-1").encodedBytes
                case .canceledPartyRegistration, .createdEvent, .createdReport, .response, .cancelPartyRegistration:
                    return OpenADRMessage.response(ok, venID: "ven-1").encodedBytes
                default:
                    return Array("unexpected".utf8)
                }
            }
        }

        func push(_ body: [UInt8]) { state.withLock { $0.pollAnswers.append(body) } }
        var pending: Int { state.withLock { $0.pollAnswers.count } }
    }

    static func configuration(_ url: String) -> OpenADRVENConfiguration {
        OpenADRVENConfiguration(
            vtnURL: url, venName: "gridshell-site", requestTimeout: 5, defaultPollInterval: 0.05, minimumPollInterval: 0.05, retryInterval: 0.1,
            reportPoints: OpenADRReportPoint.standard(resourceID: "site-1", minPeriod: 1, maxPeriod: 60), minimumReportPeriod: 0.2)
    }

    static func distribute(_ body: String) -> [UInt8] {
        let event = OpenADRMessage.distributeEvent(.init(requestID: "dist-x", vtnID: "vtn-1", events: [OpenADRTestSupport.simpleEvent(modification: 1, level: 3)]))
        return Array(body.isEmpty ? event.encodedBytes : Array(event.encoded().replacingOccurrences(of: "@@", with: body).utf8))
    }

    /// Each hostile answer to a poll is refused with a message that names it; the events stay
    /// as they were, the VEN stays registered and still takes the next good message.
    @Test func aHostileVTNChangesNoEventAndEachAttackIsNamed() async throws {
        let script = Script()
        let good = OpenADRMessage.distributeEvent(.init(requestID: "dist-1", vtnID: "vtn-1", events: [S.simpleEvent(modification: 1, level: 3)])).encoded()
        let deep = "<oadr:oadrPayload xmlns:oadr=\"\(OpenADRNamespace.oadr)\"><oadr:oadrSignedObject>" + String(repeating: "<x>", count: 200)
            + String(repeating: "</x>", count: 200) + "</oadr:oadrSignedObject></oadr:oadrPayload>"
        let attacks: [(String, [UInt8], String)] = [
            (
                "billion laughs",
                Array("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><l>&b;</l>".utf8),
                "document type declaration (DTD) is present"
            ),
            ("external entity", Array("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>".utf8), "DTDs and entity declarations are refused"),
            ("undeclared entity", Array(good.replacingOccurrences(of: "oadr://ercot/ers", with: "&xxe;").utf8), "'&xxe;' is not one of the five predefined"),
            ("garbage", [0xFF, 0x00, 0x13, 0x37, 0xC3, 0x28], "not UTF-8"),
            ("HTML", Array("<html><body>502 Bad Gateway</body></html>".utf8), "document element is html"),
            ("deep", Array(deep.utf8), "nested deeper than 48 levels"),
            ("oversize", Array(good.utf8) + [UInt8](repeating: 0x20, count: 5 << 20), "larger than the limit of 4194304 bytes"),
            ("non-numeric", Array(good.replacingOccurrences(of: "<ei:value>3.0</ei:value>", with: "<ei:value>abc</ei:value>").utf8), "signalPayload/payloadFloat/value: the value 'abc' is not a finite number"),
            ("bad duration", Array(good.replacingOccurrences(of: "<xcal:duration>PT2H</xcal:duration>", with: "<xcal:duration>PT2X</xcal:duration>").utf8), "'PT2X' is not an RFC 5545 duration"),
            ("missing eventID", Array(good.replacingOccurrences(of: "<ei:eventID>evt-1</ei:eventID>", with: "").utf8), "eventDescriptor/eventID: a required element is missing"),
            ("other VTN", Array(good.replacingOccurrences(of: "<ei:vtnID>vtn-1</ei:vtnID>", with: "<ei:vtnID>evil</ei:vtnID>").utf8), "from VTN 'evil', registered with 'vtn-1'"),
        ]
        try await FakeVTN.with(script.answer) { url, vtn in
            let delegate = RecordingVENDelegate()
            let ven = try OpenADRVEN(configuration: Self.configuration(url), delegate: delegate, logger: S.quietLogger)
            let task = Task { await ven.run() }
            defer { task.cancel() }
            try await S.wait(10, "registration and the first event") {
                let status = await ven.status
                return status.isRegistered && status.events.first?.opt == .optIn
            }
            let before = await ven.status.events
            #expect(before.map(\.event.modificationNumber) == [0])

            for (k, (name, body, expected)) in attacks.enumerated() {
                script.push(body)
                try await S.wait(10, "the VEN to refuse the \(name) answer") { await ven.status.messagesRefused == k + 1 }
                let status = await ven.status
                let message = status.lastError?.message ?? ""
                #expect(message.contains(expected), "\(name): \(message)")
                #expect(status.events == before, "\(name) changed the events")
                #expect(status.isRegistered, "\(name) unregistered the VEN")
            }

            // An error answer in place of the event list is not an empty list.
            let failure = OpenADRMessage.distributeEvent(.init(response: OpenADRResponse(code: 463, description: "VTN busy", requestID: "r"), requestID: "dist-e", vtnID: "vtn-1", events: []))
            script.push(failure.encodedBytes)
            try await S.wait(10, "the error answer to be recorded") { await ven.status.lastError?.message.contains("code 463 (VTN busy)") == true }
            #expect(await ven.status.events == before)

            // Still alive: the next good message is taken and answered.
            script.push(Array(good.utf8))
            try await S.wait(10, "the modified event") { await ven.status.events.first?.optModificationNumber == 1 }
            try await S.wait(10, "the VTN to receive the answer") {
                await vtn.received.messages.contains {
                    if case .createdEvent(_, let answers, _) = $0 { answers.contains { $0.modificationNumber == 1 && $0.opt == .optIn } } else { false }
                }
            }
            #expect(await ven.status.events.first?.event.signals.first?.intervals.first?.value == 3)
            // And reports kept flowing all along, with the delegate's numbers.
            let reports = await vtn.received.messages.compactMap { m -> OpenADRReport? in
                if case .updateReport(_, let reports, _) = m { reports.first } else { nil }
            }
            #expect(!reports.isEmpty)
            #expect(reports.first?.intervals.first { $0.rID == "site_power" }?.value == 42.5)
            #expect(reports.first?.intervals.first { $0.rID == "curtailable_power" }?.value == 17.25)
            #expect(await ven.status.reportsSent >= reports.count - 1)
        }
    }

    @Test func aRefusedRegistrationIsRecordedAndRetried() async throws {
        let script = Script()
        script.state.withLock { $0.refuseRegistration = true }
        try await FakeVTN.with(script.answer) { url, vtn in
            let ven = try OpenADRVEN(configuration: Self.configuration(url), delegate: RecordingVENDelegate(), logger: S.quietLogger)
            let task = Task { await ven.run() }
            defer { task.cancel() }
            try await S.wait(10, "two registration attempts") { await vtn.received.count("oadrCreatePartyRegistration") >= 2 }
            let status = await ven.status
            #expect(!status.isRegistered && status.venID == nil)
            #expect(status.lastError?.message == "oadrCreatePartyRegistration: the VTN refused it with code 452 (not on the list)")
            // Let it in: the VEN registers on its next attempt.
            script.state.withLock { $0.refuseRegistration = false }
            try await S.wait(10, "registration") { await ven.status.isRegistered }
            #expect(await ven.status.registrationID == "reg-1")
        }
    }

    @Test func aRefusedReportRegistrationIsRetriedWhilePolling() async throws {
        let script = Script()
        script.state.withLock { $0.refuseReports = 2 }
        try await FakeVTN.with(script.answer) { url, vtn in
            let ven = try OpenADRVEN(configuration: Self.configuration(url), delegate: RecordingVENDelegate(), logger: S.quietLogger)
            let task = Task { await ven.run() }
            defer { task.cancel() }
            try await S.wait(10, "the third report registration, confirmed") {
                let scheduled = await ven.status.reportRequestIDs == ["rr-1"]
                let confirmed = await vtn.received.count("oadrCreatedReport") == 1
                return scheduled && confirmed
            }
            #expect(await vtn.received.count("oadrRegisterReport") == 3)
            #expect(await vtn.received.count("oadrCreatePartyRegistration") == 1)
            #expect(await vtn.received.count("oadrPoll") >= 2)
            #expect(await ven.status.lastError?.message == "oadrRegisterReport: the VTN refused it with code 463 (busy)")
        }
    }

    @Test func theVTNsOwnReportsAreAcknowledgedAndACancelledReportEndsWithALastOne() async throws {
        let script = Script()
        try await FakeVTN.with(script.answer) { url, vtn in
            // Reports no faster than every 30 s: any report in this test is the last one.
            var configuration = Self.configuration(url)
            configuration.minimumReportPeriod = 30
            let ven = try OpenADRVEN(configuration: configuration, delegate: RecordingVENDelegate(), logger: S.quietLogger)
            let task = Task { await ven.run() }
            defer { task.cancel() }
            try await S.wait(10, "the report request") { await ven.status.reportRequestIDs == ["rr-1"] }
            let vtnReport = OpenADRReport(reportSpecifierID: "vtn-spec", reportRequestID: "0", reportName: "METADATA_TELEMETRY_STATUS", createdDateTime: S.start)
            script.push(OpenADRMessage.registerReport(requestID: "vtn-reg", reports: [vtnReport], venID: "ven-1").encodedBytes)
            try await S.wait(10, "the VTN's report registration to be acknowledged") {
                await vtn.received.messages.contains { if case .registeredReport(let r, let requests, _) = $0 { r.requestID == "vtn-reg" && requests.isEmpty } else { false } }
            }
            #expect(await vtn.received.count("oadrUpdateReport") == 0)
            script.push(OpenADRMessage.cancelReport(.init(requestID: "cancel-1", reportRequestIDs: ["rr-1"], reportToFollow: true, venID: "ven-1")).encodedBytes)
            try await S.wait(10, "the cancellation to be confirmed") { await vtn.received.count("oadrCanceledReport") == 1 }
            let messages = await vtn.received.messages
            let canceled = messages.firstIndex { $0.name == "oadrCanceledReport" }!
            // The last report went out before the confirmation, which lists nothing pending.
            #expect(messages[..<canceled].filter { $0.name == "oadrUpdateReport" }.count == 1)
            if case .canceledReport(let response, let pending, _) = messages[canceled] {
                #expect(response.requestID == "cancel-1" && pending.isEmpty)
            }
            #expect(await ven.status.reportRequestIDs.isEmpty)
        }
    }

    @Test func aCancellationForAnotherRegistrationIsRefusedAndOursIsObeyed() async throws {
        let script = Script()
        try await FakeVTN.with(script.answer) { url, vtn in
            let ven = try OpenADRVEN(configuration: Self.configuration(url), delegate: RecordingVENDelegate(), logger: S.quietLogger)
            let task = Task { await ven.run() }
            defer { task.cancel() }
            try await S.wait(10, "registration") { await ven.status.isRegistered }
            script.push(OpenADRMessage.cancelPartyRegistration(requestID: "c-1", registrationID: "someone-else", venID: "ven-1").encodedBytes)
            try await S.wait(10, "the answer to the wrong cancellation") { await vtn.received.count("oadrCanceledPartyRegistration") == 1 }
            #expect(await ven.status.isRegistered)
            script.push(OpenADRMessage.cancelPartyRegistration(requestID: "c-2", registrationID: "reg-1", venID: "ven-1").encodedBytes)
            try await S.wait(10, "the answer to our cancellation, then a fresh registration") {
                let answered = await vtn.received.count("oadrCanceledPartyRegistration") == 2
                let queried = await vtn.received.count("oadrQueryRegistration") == 2
                let registered = await ven.status.isRegistered
                return answered && queried && registered
            }
            let answers = await vtn.received.messages.compactMap { m -> Int? in
                if case .canceledPartyRegistration(let response, let registrationID, _) = m, registrationID == "reg-1" { response.code } else { nil }
            }
            #expect(answers == [452, 200])
            // Registered afresh: the second oadrCreatePartyRegistration carries no registrationID.
            let creates = await vtn.received.messages.compactMap { m -> String?? in
                if case .createPartyRegistration(let c) = m { .some(c.registrationID) } else { nil }
            }
            #expect(creates == [nil, nil])
        }
    }

    @Test func theVENCanCancelItsOwnRegistration() async throws {
        let script = Script()
        try await FakeVTN.with(script.answer) { url, vtn in
            let transport = try OpenADRHTTPTransport(vtnURL: url)
            let ven = OpenADRVEN(configuration: Self.configuration(url), delegate: RecordingVENDelegate(), transport: transport, logger: S.quietLogger)
            do {
                try await ven.register()
                #expect(await ven.status.isRegistered)
                try await ven.cancelRegistration()
            } catch {
                try await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
            let status = await ven.status
            #expect(!status.isRegistered && status.registrationID == nil)
            let cancels = await vtn.received.messages.compactMap { m -> String? in
                if case .cancelPartyRegistration(_, let registrationID, let venID) = m, venID == "ven-1" { registrationID } else { nil }
            }
            #expect(cancels == ["reg-1"])
        }
    }
}

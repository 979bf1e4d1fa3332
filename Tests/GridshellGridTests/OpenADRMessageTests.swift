import Foundation
import Testing

@testable import GridshellGrid

/// The 2.0b messages: captured ones decode, ours round-trip and pass openleadr's schema check,
/// and bad ones are refused with the element and value named.
@Suite("OpenADR messages")
struct OpenADRMessageTests {
    typealias S = OpenADRTestSupport

    @Test(arguments: OpenADRTestSupport.fixtureNames)
    func everyCapturedMessageDecodesAndSurvivesOurEncoder(name: String) throws {
        let message = try OpenADRMessage.decode(try S.fixture(name))
        #expect(message.name == name)
        let again = try OpenADRMessage.decode(message.encoded())
        #expect(again == message)
    }

    @Test func capturedDistributeEvent() throws {
        guard case .distributeEvent(let d) = try OpenADRMessage.decode(try S.fixture("oadrDistributeEvent")) else {
            Issue.record("not an oadrDistributeEvent")
            return
        }
        #expect(d.vtnID == "test_vtn")
        #expect(d.requestID == "85990d91-458b-4e75-8e85-780df6f3ce95")
        #expect(d.response == OpenADRResponse(code: 200, description: "OK", requestID: "a48e5fb4-5a14-4a0c-8ddc-29c0f51283c5"))
        let event = try #require(d.events.first)
        #expect(d.events.count == 1)
        #expect(event.id == "635f7bea-ba3a-4724-86a9-0d9ac3decae6")
        #expect(event.modificationNumber == 0)
        #expect(event.status == .far)
        #expect(event.priority == 0)
        #expect(event.marketContext == "oadr://ercot-test")
        #expect(event.isTest == false)
        #expect(event.responseRequired == .always)
        #expect(event.activePeriod.start == OpenADRTime.parseDateTime("2026-11-21T22:50:05.258610Z"))
        #expect(event.activePeriod.duration == 600)
        #expect(event.targets == OpenADRTarget(venIDs: ["ven_id_123"]))
        let signal = try #require(event.signals.first)
        #expect(signal.name == .simple && signal.kind == .level)
        #expect(signal.id == "7ad54d9a-a942-49f5-83f2-e7f0c1987223")
        #expect(signal.currentValue == 0)
        #expect(signal.intervals == [.init(uid: "0", start: event.activePeriod.start, duration: 600, value: 2)])
    }

    @Test func capturedRegistrationAndReports() throws {
        guard case .createdPartyRegistration(let r) = try OpenADRMessage.decode(try S.fixture("oadrCreatedPartyRegistration")) else {
            Issue.record("not an oadrCreatedPartyRegistration")
            return
        }
        #expect(r.vtnID == "test_vtn" && r.venID == nil && r.registrationID == nil)
        #expect(r.pollFrequency == 2)
        #expect(r.profiles == [.init(name: "2.0b", transports: ["simpleHttp"])])

        guard case .registeredReport(let response, let requests, let venID) = try OpenADRMessage.decode(try S.fixture("oadrRegisteredReport")) else {
            Issue.record("not an oadrRegisteredReport")
            return
        }
        #expect(response.isSuccess && venID == "ven_id_123")
        #expect(
            requests == [
                OpenADRReportRequest(
                    reportRequestID: "715cf149-de46-43aa-b6c5-4172024e7557", reportSpecifierID: "b520acea-9886-4072-a84d-38d3e327e7da", granularity: 2,
                    reportBackDuration: 2, points: [.init(rID: "6c2cc33c-6f31-4a89-815c-1ac98d4f8cac", readingType: "Direct Read")])
            ])

        guard case .registerReport(_, let reports, _) = try OpenADRMessage.decode(try S.fixture("oadrRegisterReport")) else {
            Issue.record("not an oadrRegisterReport")
            return
        }
        let description = try #require(reports.first?.descriptions.first)
        #expect(reports.first?.reportName == "METADATA_TELEMETRY_USAGE")
        #expect(description.resourceID == "site_meter" && description.reportType == "reading")
        #expect(description.unit?.element == "customUnit" && description.unit?.itemUnits == "W" && description.unit?.scaleCode == "M")
        #expect(description.samplingRate == .init(minPeriod: 2, maxPeriod: 2, onChange: false))

        guard case .updateReport(_, let data, _) = try OpenADRMessage.decode(try S.fixture("oadrUpdateReport")) else {
            Issue.record("not an oadrUpdateReport")
            return
        }
        #expect(data.first?.intervals.map(\.value) == [42.0])
        #expect(data.first?.intervals.first?.rID == "6c2cc33c-6f31-4a89-815c-1ac98d4f8cac")

        guard case .createdEvent(_, let answers, _) = try OpenADRMessage.decode(try S.fixture("oadrCreatedEvent")) else {
            Issue.record("not an oadrCreatedEvent")
            return
        }
        #expect(answers.map(\.opt) == [.optIn])
    }

    @Test func everyMessageRoundTrips() throws {
        for message in S.everyMessage {
            let decoded = try OpenADRMessage.decode(message.encoded())
            #expect(decoded == message, "\(message.name) changed on the way through XML")
        }
    }

    /// openleadr's validator is the 2.0b XML schema with lxml: what it accepts, a VTN accepts.
    @Test func everyMessageIsValidAgainstThe20bSchema() async throws {
        try await S.requireOpenleadr()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-oadr-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (k, message) in S.everyMessage.enumerated() {
            let url = dir.appendingPathComponent("\(k)-\(message.name).xml")
            try message.encoded().write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        let result = try await S.runPython(["scripts/openadr_schema_check.py"] + paths)
        let invalid = result.output.split(separator: "\n").filter { $0.contains("\"valid\": false") }
        #expect(result.status == 0, "schema errors:\n\(invalid.joined(separator: "\n"))\n\(result.output.suffix(500))")
        #expect(result.output.split(separator: "\n").filter { $0.contains("\"valid\": true") }.count == paths.count)
    }

    // MARK: Refusals

    private func refusal(_ edit: (String) -> String) throws -> OpenADRMessageError? {
        let text = edit(String(decoding: try S.fixture("oadrDistributeEvent"), as: UTF8.self))
        do {
            _ = try OpenADRMessage.decode(text)
            return nil
        } catch {
            return error
        }
    }

    private static let eventPath = "oadrDistributeEvent/oadrEvent[1]/eiEvent"

    @Test func missingEventIDIsNamed() throws {
        let error = try #require(try refusal { $0.replacingOccurrences(of: "<ei:eventID>635f7bea-ba3a-4724-86a9-0d9ac3decae6</ei:eventID>", with: "") })
        #expect(error.reason == .missingElement)
        #expect(error.location == Self.eventPath + "/eventDescriptor/eventID")
        #expect(error.description.contains("eventDescriptor/eventID"))
    }

    @Test func nonNumericPayloadIsNamedWithItsValue() throws {
        let error = try #require(try refusal { $0.replacingOccurrences(of: "<ei:value>2.0</ei:value>", with: "<ei:value>two</ei:value>") })
        #expect(error.reason == .invalidValue("two", expected: "a finite number"))
        #expect(error.location == Self.eventPath + "/eiEventSignals/eiEventSignal[1]/intervals/interval[1]/signalPayload/payloadFloat/value")
        let infinite = try #require(try refusal { $0.replacingOccurrences(of: "<ei:value>2.0</ei:value>", with: "<ei:value>INF</ei:value>") })
        #expect(infinite.reason == .invalidValue("INF", expected: "a finite number"))
    }

    @Test func badDurationIsNamed() throws {
        let error = try #require(try refusal { $0.replacingOccurrences(of: "<duration><duration>PT10M</duration></duration>", with: "<duration><duration>ten minutes</duration></duration>") })
        #expect(error.reason == .invalidValue("ten minutes", expected: "an RFC 5545 duration such as PT15M"))
        #expect(error.location == Self.eventPath + "/eiActivePeriod/properties/duration/duration")
        let interval = try #require(try refusal { $0.replacingOccurrences(of: "<xcal:duration>PT10M</xcal:duration>", with: "<xcal:duration>P1Y</xcal:duration>") })
        #expect(interval.location == Self.eventPath + "/eiEventSignals/eiEventSignal[1]/intervals/interval[1]/duration/duration")
    }

    @Test func badDateStatusAndNumbersAreNamed() throws {
        let date = try #require(try refusal { $0.replacingOccurrences(of: "<date-time>2026-11-21T22:50:05.258610Z</date-time>", with: "<date-time>soon</date-time>") })
        #expect(date.location == Self.eventPath + "/eiActivePeriod/properties/dtstart/date-time")
        let status = try #require(try refusal { $0.replacingOccurrences(of: "<ei:eventStatus>far</ei:eventStatus>", with: "<ei:eventStatus>imminent</ei:eventStatus>") })
        #expect(status.reason == .invalidValue("imminent", expected: "an event status (none, far, near, active, completed, cancelled)"))
        let modification = try #require(try refusal { $0.replacingOccurrences(of: "<ei:modificationNumber>0</ei:modificationNumber>", with: "<ei:modificationNumber>-1</ei:modificationNumber>") })
        #expect(modification.reason == .invalidValue("-1", expected: "a non-negative integer"))
        #expect(modification.location == Self.eventPath + "/eventDescriptor/modificationNumber")
        let level = try #require(try refusal { $0.replacingOccurrences(of: "<ei:value>2.0</ei:value>", with: "<ei:value>7</ei:value>") })
        #expect(level.reason == .invalidValue("7.0", expected: "a SIMPLE level (0, 1, 2 or 3)"))
        let required = try #require(try refusal { $0.replacingOccurrences(of: "<oadr:oadrResponseRequired>always</oadr:oadrResponseRequired>", with: "") })
        #expect(required.location == "oadrDistributeEvent/oadrEvent[1]/oadrResponseRequired")
        let signals = try #require(try refusal { $0.replacingOccurrences(of: #"<ei:signalName>SIMPLE</ei:signalName>"#, with: "") })
        #expect(signals.location == Self.eventPath + "/eiEventSignals/eiEventSignal[1]/signalName")
    }

    @Test func wrongRootAndUnknownMessagesAreRefused() throws {
        #expect(throws: OpenADRMessageError(.wrongRoot(found: "html in no namespace"))) { try OpenADRMessage.decode("<html><body>502 Bad Gateway</body></html>") }
        #expect(throws: OpenADRMessageError(.wrongRoot(found: "oadrPayload in namespace http://openadr.org/oadr-2.0a/2012/07"))) {
            try OpenADRMessage.decode(#"<oadrPayload xmlns="http://openadr.org/oadr-2.0a/2012/07"/>"#)
        }
        let opt = #"<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07"><oadr:oadrSignedObject><oadr:oadrCreateOpt/></oadr:oadrSignedObject></oadr:oadrPayload>"#
        #expect(throws: OpenADRMessageError(.unsupportedMessage("oadrCreateOpt"), at: "oadrPayload/oadrSignedObject")) { try OpenADRMessage.decode(opt) }
        let empty = #"<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07"><oadr:oadrSignedObject/></oadr:oadrPayload>"#
        #expect(throws: OpenADRMessageError(.missingElement, at: "oadrPayload/oadrSignedObject/(message)")) { try OpenADRMessage.decode(empty) }
        let poll = #"<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07"><oadr:oadrSignedObject><oadr:oadrPoll/></oadr:oadrSignedObject></oadr:oadrPayload>"#
        #expect(throws: OpenADRMessageError(.missingElement, at: "oadrPoll/venID")) { try OpenADRMessage.decode(poll) }
    }

    @Test func writesTheNamespacesOfThe20bExamples() {
        let xml = OpenADRMessage.poll(venID: "ven <1> & co").encoded()
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?>"#))
        #expect(xml.contains(#"<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07">"#))
        #expect(xml.contains(#"xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110""#))
        #expect(xml.contains(#"xmlns:pyld="http://docs.oasis-open.org/ns/energyinterop/201110/payloads""#))
        #expect(xml.contains(#"oadr:Id="oadrSignedObject""#))
        #expect(xml.contains(#"<oadr:oadrPoll ei:schemaVersion="2.0b"><ei:venID>ven &lt;1&gt; &amp; co</ei:venID></oadr:oadrPoll>"#))
    }
}

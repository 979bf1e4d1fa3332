import Foundation

extension OpenADRMessage {
    /// Reads an OpenADR 2.0b document. Refuses, with an error that names the element and the
    /// value, anything that is not well-formed, carries a DTD, breaks the limits, has another
    /// root, a message this implementation does not read, a missing required element, or a
    /// value of the wrong kind.
    public static func decode(_ bytes: [UInt8], limits: XMLLimits = .default) throws(OpenADRMessageError) -> OpenADRMessage {
        let root = try XMLTreeParser.parse(bytes, limits: limits)
        guard root.namespace == OpenADRNamespace.oadr, root.name == "oadrPayload" else {
            throw OpenADRMessageError(.wrongRoot(found: describe(root)))
        }
        let payload = XMLNode(root, path: "oadrPayload")
        let signed = try payload.child(OpenADRNamespace.oadr, "oadrSignedObject")
        let elements = signed.tree.children
        guard elements.count == 1, let element = elements.first else {
            if elements.isEmpty { throw OpenADRMessageError(.missingElement, at: signed.path + "/(message)") }
            throw OpenADRMessageError(.malformed("oadrSignedObject holds \(elements.count) elements, expected one message"), at: signed.path)
        }
        guard element.namespace == OpenADRNamespace.oadr else { throw OpenADRMessageError(.unsupportedMessage(describe(element)), at: signed.path) }
        return try message(XMLNode(element, path: element.name))
    }

    /// Reads a document from its text.
    public static func decode(_ text: String, limits: XMLLimits = .default) throws(OpenADRMessageError) -> OpenADRMessage {
        try decode(Array(text.utf8), limits: limits)
    }

    private static func describe(_ tree: XMLTree) -> String {
        tree.namespace.map { "\(tree.name) in namespace \($0)" } ?? "\(tree.name) in no namespace"
    }

    private typealias NS = OpenADRNamespace

    private static func message(_ m: XMLNode) throws(OpenADRMessageError) -> OpenADRMessage {
        switch m.name {
        case "oadrQueryRegistration":
            return .queryRegistration(requestID: try m.possiblyEmptyString(NS.pyld, "requestID"))

        case "oadrCreatePartyRegistration":
            return .createPartyRegistration(
                CreatePartyRegistration(
                    requestID: try m.possiblyEmptyString(NS.pyld, "requestID"),
                    registrationID: m.optionalString(NS.ei, "registrationID"),
                    venID: m.optionalString(NS.ei, "venID"),
                    profileName: try m.string(NS.oadr, "oadrProfileName"),
                    transportName: try m.string(NS.oadr, "oadrTransportName"),
                    transportAddress: m.optionalString(NS.oadr, "oadrTransportAddress"),
                    reportOnly: try m.bool(NS.oadr, "oadrReportOnly"),
                    xmlSignature: try m.bool(NS.oadr, "oadrXmlSignature"),
                    venName: m.optionalString(NS.oadr, "oadrVenName"),
                    httpPullModel: try m.optionalBool(NS.oadr, "oadrHttpPullModel")))

        case "oadrCreatedPartyRegistration":
            var profiles: [CreatedPartyRegistration.Profile] = []
            for p in try m.child(NS.oadr, "oadrProfiles").children(NS.oadr, "oadrProfile") {
                let transports = try p.child(NS.oadr, "oadrTransports").children(NS.oadr, "oadrTransport")
                var names: [String] = []
                for t in transports { names.append(try t.string(NS.oadr, "oadrTransportName")) }
                profiles.append(.init(name: try p.string(NS.oadr, "oadrProfileName"), transports: names))
            }
            return .createdPartyRegistration(
                CreatedPartyRegistration(
                    response: try response(m),
                    registrationID: m.optionalString(NS.ei, "registrationID"),
                    venID: m.optionalString(NS.ei, "venID"),
                    vtnID: try m.string(NS.ei, "vtnID"),
                    profiles: profiles,
                    pollFrequency: try m.optionalDurationProperty(NS.oadr, "oadrRequestedOadrPollFreq")))

        case "oadrCancelPartyRegistration":
            return .cancelPartyRegistration(
                requestID: try m.possiblyEmptyString(NS.pyld, "requestID"), registrationID: try m.string(NS.ei, "registrationID"),
                venID: m.optionalString(NS.ei, "venID"))

        case "oadrCanceledPartyRegistration":
            return .canceledPartyRegistration(
                response: try response(m), registrationID: m.optionalString(NS.ei, "registrationID"), venID: m.optionalString(NS.ei, "venID"))

        case "oadrRequestReregistration":
            return .requestReregistration(venID: try m.string(NS.ei, "venID"))

        case "oadrRegisterReport":
            var reports: [OpenADRReport] = []
            for r in m.children(NS.oadr, "oadrReport") { reports.append(try report(r)) }
            return .registerReport(requestID: try m.possiblyEmptyString(NS.pyld, "requestID"), reports: reports, venID: m.optionalString(NS.ei, "venID"))

        case "oadrUpdateReport":
            var reports: [OpenADRReport] = []
            for r in m.children(NS.oadr, "oadrReport") { reports.append(try report(r)) }
            return .updateReport(requestID: try m.possiblyEmptyString(NS.pyld, "requestID"), reports: reports, venID: m.optionalString(NS.ei, "venID"))

        case "oadrRegisteredReport":
            var requests: [OpenADRReportRequest] = []
            for r in m.children(NS.oadr, "oadrReportRequest") { requests.append(try reportRequest(r)) }
            return .registeredReport(response: try response(m), requests: requests, venID: m.optionalString(NS.ei, "venID"))

        case "oadrCreateReport":
            let nodes = m.children(NS.oadr, "oadrReportRequest")
            guard !nodes.isEmpty else { throw m.missing("oadrReportRequest") }
            var requests: [OpenADRReportRequest] = []
            for r in nodes { requests.append(try reportRequest(r)) }
            return .createReport(requestID: try m.possiblyEmptyString(NS.pyld, "requestID"), requests: requests, venID: m.optionalString(NS.ei, "venID"))

        case "oadrCreatedReport":
            return .createdReport(response: try response(m), pendingReportRequestIDs: try pending(m), venID: m.optionalString(NS.ei, "venID"))

        case "oadrCanceledReport":
            return .canceledReport(response: try response(m), pendingReportRequestIDs: try pending(m), venID: m.optionalString(NS.ei, "venID"))

        case "oadrUpdatedReport":
            let cancel = try m.optionalChild(NS.oadr, "oadrCancelReport").map { (n: XMLNode) throws(OpenADRMessageError) in try cancelReport(n) }
            return .updatedReport(response: try response(m), cancelReport: cancel, venID: m.optionalString(NS.ei, "venID"))

        case "oadrCancelReport":
            return .cancelReport(try cancelReport(m))

        case "oadrRequestEvent":
            let r = try m.child(NS.pyld, "eiRequestEvent")
            return .requestEvent(
                requestID: try r.possiblyEmptyString(NS.pyld, "requestID"), venID: try r.string(NS.ei, "venID"),
                replyLimit: try r.optionalInt(NS.pyld, "replyLimit"))

        case "oadrDistributeEvent":
            var events: [OpenADREvent] = []
            for e in m.children(NS.oadr, "oadrEvent") { events.append(try event(e)) }
            return .distributeEvent(
                DistributeEvent(
                    response: try m.optionalChild(NS.ei, "eiResponse").map { (_: XMLNode) throws(OpenADRMessageError) in try response(m) },
                    requestID: try m.possiblyEmptyString(NS.pyld, "requestID"),
                    vtnID: try m.string(NS.ei, "vtnID"),
                    events: events))

        case "oadrCreatedEvent":
            let c = try m.child(NS.pyld, "eiCreatedEvent")
            var responses: [EventResponse] = []
            for r in c.optionalChild(NS.ei, "eventResponses")?.children(NS.ei, "eventResponse") ?? [] {
                let q = try r.child(NS.ei, "qualifiedEventID")
                let optNode = try r.child(NS.ei, "optType")
                guard let opt = OpenADROpt(rawValue: optNode.text) else { throw optNode.invalid(optNode.text, "optIn or optOut") }
                responses.append(
                    EventResponse(
                        code: try r.int(NS.ei, "responseCode"), description: r.optionalString(NS.ei, "responseDescription"),
                        requestID: try r.possiblyEmptyString(NS.pyld, "requestID"), eventID: try q.string(NS.ei, "eventID"),
                        modificationNumber: try q.int(NS.ei, "modificationNumber"), opt: opt))
            }
            return .createdEvent(response: try response(c), eventResponses: responses, venID: try c.string(NS.ei, "venID"))

        case "oadrPoll":
            return .poll(venID: try m.string(NS.ei, "venID"))

        case "oadrResponse":
            return .response(try response(m), venID: m.optionalString(NS.ei, "venID"))

        default:
            throw OpenADRMessageError(.unsupportedMessage(m.name), at: "oadrPayload/oadrSignedObject")
        }
    }

    // MARK: Parts

    private static func response(_ parent: XMLNode) throws(OpenADRMessageError) -> OpenADRResponse {
        let r = try parent.child(NS.ei, "eiResponse")
        let requestID = try r.possiblyEmptyString(NS.pyld, "requestID")
        return OpenADRResponse(
            code: try r.int(NS.ei, "responseCode"), description: r.optionalString(NS.ei, "responseDescription"),
            requestID: requestID.isEmpty ? nil : requestID)
    }

    private static func pending(_ m: XMLNode) throws(OpenADRMessageError) -> [String] {
        try m.child(NS.oadr, "oadrPendingReports").children(NS.ei, "reportRequestID").map(\.text).filter { !$0.isEmpty }
    }

    private static func cancelReport(_ n: XMLNode) throws(OpenADRMessageError) -> CancelReport {
        let ids = n.children(NS.ei, "reportRequestID").map(\.text)
        guard !ids.isEmpty else { throw n.missing("reportRequestID") }
        return CancelReport(
            requestID: try n.possiblyEmptyString(NS.pyld, "requestID"), reportRequestIDs: ids,
            reportToFollow: try n.bool(NS.pyld, "reportToFollow"), venID: n.optionalString(NS.ei, "venID"))
    }

    private static func report(_ r: XMLNode) throws(OpenADRMessageError) -> OpenADRReport {
        var values: [OpenADRReportValue] = []
        for interval in r.optionalChild(NS.strm, "intervals")?.children(NS.ei, "interval") ?? [] {
            guard let start = try interval.optionalDtstart() else { throw interval.missing("dtstart") }
            let duration = try interval.optionalDurationProperty(NS.xcal, "duration")
            let payloads = interval.children(NS.oadr, "oadrReportPayload")
            guard !payloads.isEmpty else { throw interval.missing("oadrReportPayload") }
            for p in payloads {
                values.append(OpenADRReportValue(start: start, duration: duration, rID: try p.string(NS.ei, "rID"), value: try payloadFloat(p)))
            }
        }
        var descriptions: [OpenADRReportDescription] = []
        for d in r.children(NS.oadr, "oadrReportDescription") {
            var rate: OpenADRReportDescription.SamplingRate?
            if let s = d.optionalChild(NS.oadr, "oadrSamplingRate") {
                rate = .init(
                    minPeriod: try s.child(NS.oadr, "oadrMinPeriod").durationValue(), maxPeriod: try s.child(NS.oadr, "oadrMaxPeriod").durationValue(),
                    onChange: try s.bool(NS.oadr, "oadrOnChange"))
            }
            descriptions.append(
                OpenADRReportDescription(
                    rID: try d.string(NS.ei, "rID"),
                    resourceID: d.optionalChild(NS.ei, "reportDataSource")?.optionalString(NS.ei, "resourceID"),
                    reportType: try d.string(NS.ei, "reportType"),
                    readingType: try d.string(NS.ei, "readingType"),
                    unit: try itemBase(in: d, skipping: ["rID", "reportSubject", "reportDataSource", "reportType", "readingType", "marketContext", "oadrSamplingRate"]),
                    marketContext: d.optionalString(NS.emix, "marketContext"),
                    samplingRate: rate))
        }
        return OpenADRReport(
            reportSpecifierID: try r.string(NS.ei, "reportSpecifierID"),
            reportRequestID: try r.string(NS.ei, "reportRequestID"),
            reportName: r.optionalString(NS.ei, "reportName"),
            eiReportID: r.optionalString(NS.ei, "eiReportID"),
            createdDateTime: try r.child(NS.ei, "createdDateTime").dateValue(),
            start: try r.optionalDtstart(),
            duration: try r.optionalDurationProperty(NS.xcal, "duration"),
            descriptions: descriptions,
            intervals: values)
    }

    private static func reportRequest(_ r: XMLNode) throws(OpenADRMessageError) -> OpenADRReportRequest {
        let s = try r.child(NS.ei, "reportSpecifier")
        var intervalStart: Date?
        var intervalDuration: TimeInterval?
        if let interval = s.optionalChild(NS.ei, "reportInterval") {
            let properties = try interval.child(NS.xcal, "properties")
            intervalStart = try properties.dtstart()
            intervalDuration = try properties.optionalDurationProperty(NS.xcal, "duration")
        }
        let payloads = s.children(NS.ei, "specifierPayload")
        guard !payloads.isEmpty else { throw s.missing("specifierPayload") }
        var points: [OpenADRReportRequest.Point] = []
        for p in payloads {
            points.append(
                .init(rID: try p.string(NS.ei, "rID"), readingType: try p.string(NS.ei, "readingType"), unit: try itemBase(in: p, skipping: ["rID", "readingType"])))
        }
        let granularity = try s.durationProperty(NS.xcal, "granularity")
        let back = try s.durationProperty(NS.ei, "reportBackDuration")
        guard granularity >= 0 else { throw s.invalid(OpenADRTime.formatDuration(granularity), "a granularity of zero or more") }
        guard back >= 0 else { throw s.invalid(OpenADRTime.formatDuration(back), "a report-back duration of zero or more") }
        return OpenADRReportRequest(
            reportRequestID: try r.string(NS.ei, "reportRequestID"), reportSpecifierID: try s.string(NS.ei, "reportSpecifierID"),
            granularity: granularity, reportBackDuration: back, intervalStart: intervalStart, intervalDuration: intervalDuration, points: points)
    }

    private static func event(_ o: XMLNode) throws(OpenADRMessageError) -> OpenADREvent {
        let e = try o.child(NS.ei, "eiEvent")
        let d = try e.child(NS.ei, "eventDescriptor")
        let statusNode = try d.child(NS.ei, "eventStatus")
        guard let status = OpenADREvent.Status(rawValue: statusNode.text) else {
            throw statusNode.invalid(statusNode.text, "an event status (none, far, near, active, completed, cancelled)")
        }
        let requiredNode = try o.child(NS.oadr, "oadrResponseRequired")
        guard let responseRequired = OpenADREvent.ResponseRequired(rawValue: requiredNode.text) else {
            throw requiredNode.invalid(requiredNode.text, "always or never")
        }
        let modificationDate = try d.optionalChild(NS.ei, "modificationDateTime").map { (n: XMLNode) throws(OpenADRMessageError) in try n.dateValue() }

        let properties = try e.child(NS.ei, "eiActivePeriod").child(NS.xcal, "properties")
        let startAfter = try properties.optionalChild(NS.xcal, "tolerance")?.child(NS.xcal, "tolerate").optionalChild(NS.xcal, "startafter")
            .map { (n: XMLNode) throws(OpenADRMessageError) in try n.durationValue() }
        let duration = try properties.durationProperty(NS.xcal, "duration")
        guard duration >= 0 else { throw properties.invalid(OpenADRTime.formatDuration(duration), "an event duration of zero or more") }
        let period = OpenADREvent.ActivePeriod(
            start: try properties.dtstart(),
            duration: duration,
            startAfter: startAfter,
            notification: try properties.optionalDurationProperty(NS.ei, "x-eiNotification"),
            rampUp: try properties.optionalDurationProperty(NS.ei, "x-eiRampUp"),
            recovery: try properties.optionalDurationProperty(NS.ei, "x-eiRecovery"))

        let signalNodes = try e.child(NS.ei, "eiEventSignals").children(NS.ei, "eiEventSignal")
        guard !signalNodes.isEmpty else { throw e.missing("eiEventSignals/eiEventSignal") }
        var signals: [OpenADREvent.Signal] = []
        for s in signalNodes { signals.append(try signal(s)) }

        return OpenADREvent(
            id: try d.string(NS.ei, "eventID"),
            modificationNumber: try d.int(NS.ei, "modificationNumber"),
            modificationDateTime: modificationDate,
            modificationReason: d.optionalString(NS.ei, "modificationReason"),
            priority: try d.optionalInt(NS.ei, "priority"),
            marketContext: try d.child(NS.ei, "eiMarketContext").string(NS.emix, "marketContext"),
            createdDateTime: try d.child(NS.ei, "createdDateTime").dateValue(),
            status: status,
            testEvent: d.optionalString(NS.ei, "testEvent"),
            vtnComment: d.optionalString(NS.ei, "vtnComment"),
            activePeriod: period,
            signals: signals,
            targets: target(try e.child(NS.ei, "eiTarget")),
            responseRequired: responseRequired)
    }

    private static func signal(_ s: XMLNode) throws(OpenADRMessageError) -> OpenADREvent.Signal {
        let intervalNodes = try s.child(NS.strm, "intervals").children(NS.ei, "interval")
        guard !intervalNodes.isEmpty else { throw s.missing("intervals/interval") }
        var intervals: [OpenADREvent.Interval] = []
        for i in intervalNodes {
            guard let durationNode = i.optionalChild(NS.xcal, "duration") else { throw i.missing("duration") }
            let duration = try durationNode.child(NS.xcal, "duration").durationValue()
            guard duration >= 0 else { throw durationNode.invalid(OpenADRTime.formatDuration(duration), "an interval duration of zero or more") }
            let payload = try i.child(NS.ei, "signalPayload")
            intervals.append(
                OpenADREvent.Interval(
                    uid: i.optionalChild(NS.xcal, "uid")?.optionalString(NS.xcal, "text"),
                    start: try i.optionalDtstart(),
                    duration: duration,
                    value: try payloadFloat(payload)))
        }
        let name = OpenADREvent.Signal.Name(rawValue: try s.string(NS.ei, "signalName"))
        if name == .simple {
            // SIMPLE carries a level: 0 normal, 1 moderate, 2 high, 3 special.
            for (k, interval) in intervals.enumerated() where ![0, 1, 2, 3].contains(interval.value) {
                throw OpenADRMessageError(
                    .invalidValue(OpenADRMessage.number(interval.value), expected: "a SIMPLE level (0, 1, 2 or 3)"),
                    at: intervalNodes[k].path + "/signalPayload/payloadFloat/value")
            }
        }
        return OpenADREvent.Signal(
            id: try s.string(NS.ei, "signalID"),
            name: name,
            kind: .init(rawValue: try s.string(NS.ei, "signalType")),
            unit: try itemBase(in: s, skipping: ["intervals", "eiTarget", "signalName", "signalType", "signalID", "currentValue"]),
            intervals: intervals,
            currentValue: try s.optionalChild(NS.ei, "currentValue").map { (n: XMLNode) throws(OpenADRMessageError) in try payloadFloat(n) },
            targets: s.optionalChild(NS.ei, "eiTarget").map(target))
    }

    private static func target(_ t: XMLNode) -> OpenADRTarget {
        OpenADRTarget(
            venIDs: t.children(NS.ei, "venID").map(\.text), resourceIDs: t.children(NS.ei, "resourceID").map(\.text),
            groupIDs: t.children(NS.ei, "groupID").map(\.text), partyIDs: t.children(NS.ei, "partyID").map(\.text))
    }

    /// `ei:payloadFloat/ei:value` inside `n`.
    private static func payloadFloat(_ n: XMLNode) throws(OpenADRMessageError) -> Double {
        guard let float = n.optionalChild(NS.ei, "payloadFloat") else {
            if let other = n.tree.children.first(where: { $0.name != "rID" && $0.name != "confidence" && $0.name != "accuracy" }) {
                throw OpenADRMessageError(.invalidValue(other.name, expected: "a payloadFloat (the only payload read)"), at: n.path + "/" + other.name)
            }
            throw n.missing("payloadFloat")
        }
        return try float.child(NS.ei, "value").doubleValue()
    }

    /// The `emix:itemBase` member (any element not in `known`), if present.
    private static func itemBase(in parent: XMLNode, skipping known: Set<String>) throws(OpenADRMessageError) -> OpenADRItemUnit? {
        guard let tree = parent.tree.children.first(where: { !known.contains($0.name) }) else { return nil }
        let n = XMLNode(tree, path: parent.path + "/" + tree.name)
        let namespace = tree.namespace ?? ""
        var attributes: OpenADRItemUnit.PowerAttributes?
        if let a = n.optionalChild(NS.power, "powerAttributes") {
            attributes = .init(
                hertz: try a.child(NS.power, "hertz").doubleValue(), voltage: try a.child(NS.power, "voltage").doubleValue(),
                ac: try a.bool(NS.power, "ac"))
        }
        return OpenADRItemUnit(
            element: tree.name, namespace: namespace,
            itemDescription: try n.string(namespace, "itemDescription"),
            itemUnits: try n.string(namespace, "itemUnits"),
            scaleCode: n.optionalString(NS.scale, "siScaleCode") ?? "none",
            powerAttributes: attributes)
    }
}

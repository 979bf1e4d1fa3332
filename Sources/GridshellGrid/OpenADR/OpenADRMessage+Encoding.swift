import Foundation

extension OpenADRMessage {
    /// The message as an OpenADR 2.0b document (`oadr:oadrPayload/oadr:oadrSignedObject/…`),
    /// with elements in the order the 2.0b schema requires.
    public func encoded() -> String {
        var w = XMLWriter()
        w.start("oadr:oadrPayload", [("xmlns:oadr", OpenADRNamespace.oadr)])
        w.start("oadr:oadrSignedObject", OpenADRNamespace.declarations + [("oadr:Id", "oadrSignedObject")])
        w.start("oadr:" + name, [("ei:schemaVersion", "2.0b")])
        body(&w)
        w.close()
        w.close()
        w.close()
        assert(w.isBalanced)
        return w.output
    }

    /// `encoded()` as UTF-8 bytes, ready for an HTTP body.
    public var encodedBytes: [UInt8] { Array(encoded().utf8) }

    private func body(_ w: inout XMLWriter) {
        switch self {
        case .queryRegistration(let requestID):
            w.leaf("pyld:requestID", requestID)

        case .createPartyRegistration(let r):
            w.leaf("pyld:requestID", r.requestID)
            w.leaf("ei:registrationID", ifPresent: r.registrationID)
            w.leaf("ei:venID", ifPresent: r.venID)
            w.leaf("oadr:oadrProfileName", r.profileName)
            w.leaf("oadr:oadrTransportName", r.transportName)
            w.leaf("oadr:oadrTransportAddress", ifPresent: r.transportAddress)
            w.leaf("oadr:oadrReportOnly", Self.boolean(r.reportOnly))
            w.leaf("oadr:oadrXmlSignature", Self.boolean(r.xmlSignature))
            w.leaf("oadr:oadrVenName", ifPresent: r.venName)
            w.leaf("oadr:oadrHttpPullModel", ifPresent: r.httpPullModel.map(Self.boolean))

        case .createdPartyRegistration(let r):
            Self.response(r.response, &w)
            w.leaf("ei:registrationID", ifPresent: r.registrationID)
            w.leaf("ei:venID", ifPresent: r.venID)
            w.leaf("ei:vtnID", r.vtnID)
            w.element("oadr:oadrProfiles") { w in
                for profile in r.profiles {
                    w.element("oadr:oadrProfile") { w in
                        w.leaf("oadr:oadrProfileName", profile.name)
                        w.element("oadr:oadrTransports") { w in
                            for transport in profile.transports {
                                w.element("oadr:oadrTransport") { $0.leaf("oadr:oadrTransportName", transport) }
                            }
                        }
                    }
                }
            }
            if let frequency = r.pollFrequency {
                w.element("oadr:oadrRequestedOadrPollFreq") { $0.leaf("xcal:duration", OpenADRTime.formatDuration(frequency)) }
            }

        case .cancelPartyRegistration(let requestID, let registrationID, let venID):
            w.leaf("pyld:requestID", requestID)
            w.leaf("ei:registrationID", registrationID)
            w.leaf("ei:venID", ifPresent: venID)

        case .canceledPartyRegistration(let response, let registrationID, let venID):
            Self.response(response, &w)
            w.leaf("ei:registrationID", ifPresent: registrationID)
            w.leaf("ei:venID", ifPresent: venID)

        case .requestReregistration(let venID):
            w.leaf("ei:venID", venID)

        case .registerReport(let requestID, let reports, let venID), .updateReport(let requestID, let reports, let venID):
            w.leaf("pyld:requestID", requestID)
            for report in reports { Self.report(report, &w) }
            w.leaf("ei:venID", ifPresent: venID)

        case .registeredReport(let response, let requests, let venID):
            Self.response(response, &w)
            for request in requests { Self.reportRequest(request, &w) }
            w.leaf("ei:venID", ifPresent: venID)

        case .createReport(let requestID, let requests, let venID):
            w.leaf("pyld:requestID", requestID)
            for request in requests { Self.reportRequest(request, &w) }
            w.leaf("ei:venID", ifPresent: venID)

        case .createdReport(let response, let pending, let venID), .canceledReport(let response, let pending, let venID):
            Self.response(response, &w)
            w.element("oadr:oadrPendingReports") { w in
                for id in pending { w.leaf("ei:reportRequestID", id) }
            }
            w.leaf("ei:venID", ifPresent: venID)

        case .updatedReport(let response, let cancel, let venID):
            Self.response(response, &w)
            if let cancel {
                w.element("oadr:oadrCancelReport") { Self.cancelReportBody(cancel, &$0) }
            }
            w.leaf("ei:venID", ifPresent: venID)

        case .cancelReport(let cancel):
            Self.cancelReportBody(cancel, &w)

        case .requestEvent(let requestID, let venID, let replyLimit):
            w.element("pyld:eiRequestEvent") { w in
                w.leaf("pyld:requestID", requestID)
                w.leaf("ei:venID", venID)
                w.leaf("pyld:replyLimit", ifPresent: replyLimit.map(String.init))
            }

        case .distributeEvent(let d):
            if let response = d.response { Self.response(response, &w) }
            w.leaf("pyld:requestID", d.requestID)
            w.leaf("ei:vtnID", d.vtnID)
            for event in d.events {
                w.element("oadr:oadrEvent") { w in
                    Self.event(event, &w)
                    w.leaf("oadr:oadrResponseRequired", event.responseRequired.rawValue)
                }
            }

        case .createdEvent(let response, let eventResponses, let venID):
            w.element("pyld:eiCreatedEvent") { w in
                Self.response(response, &w)
                if !eventResponses.isEmpty {
                    w.element("ei:eventResponses") { w in
                        for r in eventResponses {
                            w.element("ei:eventResponse") { w in
                                w.leaf("ei:responseCode", String(r.code))
                                w.leaf("ei:responseDescription", ifPresent: r.description)
                                w.leaf("pyld:requestID", r.requestID)
                                w.element("ei:qualifiedEventID") { w in
                                    w.leaf("ei:eventID", r.eventID)
                                    w.leaf("ei:modificationNumber", String(r.modificationNumber))
                                }
                                w.leaf("ei:optType", r.opt.rawValue)
                            }
                        }
                    }
                }
                w.leaf("ei:venID", venID)
            }

        case .poll(let venID):
            w.leaf("ei:venID", venID)

        case .response(let response, let venID):
            Self.response(response, &w)
            w.leaf("ei:venID", ifPresent: venID)
        }
    }

    // MARK: Parts

    private static func response(_ r: OpenADRResponse, _ w: inout XMLWriter) {
        w.element("ei:eiResponse") { w in
            w.leaf("ei:responseCode", String(r.code))
            w.leaf("ei:responseDescription", ifPresent: r.description)
            w.leaf("pyld:requestID", r.requestID ?? "")
        }
    }

    private static func cancelReportBody(_ c: CancelReport, _ w: inout XMLWriter) {
        w.leaf("pyld:requestID", c.requestID)
        for id in c.reportRequestIDs { w.leaf("ei:reportRequestID", id) }
        w.leaf("pyld:reportToFollow", boolean(c.reportToFollow))
        w.leaf("ei:venID", ifPresent: c.venID)
    }

    private static func report(_ r: OpenADRReport, _ w: inout XMLWriter) {
        w.element("oadr:oadrReport") { w in
            if let start = r.start { dtstart(start, &w) }
            if let duration = r.duration { durationProperty("xcal:duration", duration, &w) }
            if !r.intervals.isEmpty {
                w.element("strm:intervals") { w in
                    for value in r.intervals {
                        w.element("ei:interval") { w in
                            dtstart(value.start, &w)
                            if let duration = value.duration { durationProperty("xcal:duration", duration, &w) }
                            w.element("oadr:oadrReportPayload") { w in
                                w.leaf("ei:rID", value.rID)
                                payloadFloat(value.value, &w)
                            }
                        }
                    }
                }
            }
            w.leaf("ei:eiReportID", ifPresent: r.eiReportID)
            for d in r.descriptions {
                w.element("oadr:oadrReportDescription") { w in
                    w.leaf("ei:rID", d.rID)
                    if let resource = d.resourceID {
                        w.element("ei:reportDataSource") { $0.leaf("ei:resourceID", resource) }
                    }
                    w.leaf("ei:reportType", d.reportType)
                    if let unit = d.unit { itemBase(unit, &w) }
                    w.leaf("ei:readingType", d.readingType)
                    w.leaf("emix:marketContext", ifPresent: d.marketContext)
                    if let rate = d.samplingRate {
                        w.element("oadr:oadrSamplingRate") { w in
                            w.leaf("oadr:oadrMinPeriod", OpenADRTime.formatDuration(rate.minPeriod))
                            w.leaf("oadr:oadrMaxPeriod", OpenADRTime.formatDuration(rate.maxPeriod))
                            w.leaf("oadr:oadrOnChange", boolean(rate.onChange))
                        }
                    }
                }
            }
            w.leaf("ei:reportRequestID", r.reportRequestID)
            w.leaf("ei:reportSpecifierID", r.reportSpecifierID)
            w.leaf("ei:reportName", ifPresent: r.reportName)
            w.leaf("ei:createdDateTime", OpenADRTime.formatDateTime(r.createdDateTime))
        }
    }

    private static func reportRequest(_ r: OpenADRReportRequest, _ w: inout XMLWriter) {
        w.element("oadr:oadrReportRequest") { w in
            w.leaf("ei:reportRequestID", r.reportRequestID)
            w.element("ei:reportSpecifier") { w in
                w.leaf("ei:reportSpecifierID", r.reportSpecifierID)
                durationProperty("xcal:granularity", r.granularity, &w)
                durationProperty("ei:reportBackDuration", r.reportBackDuration, &w)
                if let start = r.intervalStart {
                    w.element("ei:reportInterval") { w in
                        w.element("xcal:properties") { w in
                            dtstart(start, &w)
                            durationProperty("xcal:duration", r.intervalDuration ?? 0, &w)
                        }
                    }
                }
                for point in r.points {
                    w.element("ei:specifierPayload") { w in
                        w.leaf("ei:rID", point.rID)
                        if let unit = point.unit { itemBase(unit, &w) }
                        w.leaf("ei:readingType", point.readingType)
                    }
                }
            }
        }
    }

    private static func event(_ e: OpenADREvent, _ w: inout XMLWriter) {
        w.element("ei:eiEvent") { w in
            w.element("ei:eventDescriptor") { w in
                w.leaf("ei:eventID", e.id)
                w.leaf("ei:modificationNumber", String(e.modificationNumber))
                w.leaf("ei:modificationDateTime", ifPresent: e.modificationDateTime.map(OpenADRTime.formatDateTime))
                w.leaf("ei:modificationReason", ifPresent: e.modificationReason)
                w.leaf("ei:priority", ifPresent: e.priority.map(String.init))
                w.element("ei:eiMarketContext") { $0.leaf("emix:marketContext", e.marketContext) }
                w.leaf("ei:createdDateTime", OpenADRTime.formatDateTime(e.createdDateTime))
                w.leaf("ei:eventStatus", e.status.rawValue)
                w.leaf("ei:testEvent", ifPresent: e.testEvent)
                w.leaf("ei:vtnComment", ifPresent: e.vtnComment)
            }
            w.element("ei:eiActivePeriod") { w in
                let p = e.activePeriod
                w.element("xcal:properties") { w in
                    dtstart(p.start, &w)
                    durationProperty("xcal:duration", p.duration, &w)
                    if let startAfter = p.startAfter {
                        w.element("xcal:tolerance") { w in
                            w.element("xcal:tolerate") { $0.leaf("xcal:startafter", OpenADRTime.formatDuration(startAfter)) }
                        }
                    }
                    if let n = p.notification { durationProperty("ei:x-eiNotification", n, &w) }
                    if let r = p.rampUp { durationProperty("ei:x-eiRampUp", r, &w) }
                    if let r = p.recovery { durationProperty("ei:x-eiRecovery", r, &w) }
                }
                w.empty("xcal:components")
            }
            w.element("ei:eiEventSignals") { w in
                for signal in e.signals {
                    w.element("ei:eiEventSignal") { w in
                        w.element("strm:intervals") { w in
                            for interval in signal.intervals {
                                w.element("ei:interval") { w in
                                    if let start = interval.start { dtstart(start, &w) }
                                    durationProperty("xcal:duration", interval.duration, &w)
                                    if let uid = interval.uid { w.element("xcal:uid") { $0.leaf("xcal:text", uid) } }
                                    w.element("ei:signalPayload") { payloadFloat(interval.value, &$0) }
                                }
                            }
                        }
                        if let targets = signal.targets { target(targets, &w) }
                        w.leaf("ei:signalName", signal.name.rawValue)
                        w.leaf("ei:signalType", signal.kind.rawValue)
                        w.leaf("ei:signalID", signal.id)
                        if let unit = signal.unit { itemBase(unit, &w) }
                        if let current = signal.currentValue {
                            w.element("ei:currentValue") { payloadFloat(current, &$0) }
                        }
                    }
                }
            }
            target(e.targets, &w)
        }
    }

    private static func target(_ t: OpenADRTarget, _ w: inout XMLWriter) {
        w.element("ei:eiTarget") { w in
            for id in t.groupIDs { w.leaf("ei:groupID", id) }
            for id in t.resourceIDs { w.leaf("ei:resourceID", id) }
            for id in t.venIDs { w.leaf("ei:venID", id) }
            for id in t.partyIDs { w.leaf("ei:partyID", id) }
        }
    }

    private static func itemBase(_ unit: OpenADRItemUnit, _ w: inout XMLWriter) {
        let prefix = prefix(for: unit.namespace)
        w.element("\(prefix):\(unit.element)") { w in
            w.leaf("\(prefix):itemDescription", unit.itemDescription)
            w.leaf("\(prefix):itemUnits", unit.itemUnits)
            w.leaf("scale:siScaleCode", unit.scaleCode)
            if let a = unit.powerAttributes {
                w.element("power:powerAttributes") { w in
                    w.leaf("power:hertz", number(a.hertz))
                    w.leaf("power:voltage", number(a.voltage))
                    w.leaf("power:ac", boolean(a.ac))
                }
            }
        }
    }

    private static func prefix(for namespace: String) -> String {
        switch namespace {
        case OpenADRNamespace.power: "power"
        case OpenADRNamespace.emix: "emix"
        default: "oadr"
        }
    }

    private static func dtstart(_ date: Date, _ w: inout XMLWriter) {
        w.element("xcal:dtstart") { $0.leaf("xcal:date-time", OpenADRTime.formatDateTime(date)) }
    }

    private static func durationProperty(_ name: String, _ seconds: TimeInterval, _ w: inout XMLWriter) {
        w.element(name) { $0.leaf("xcal:duration", OpenADRTime.formatDuration(seconds)) }
    }

    private static func payloadFloat(_ value: Double, _ w: inout XMLWriter) {
        w.element("ei:payloadFloat") { $0.leaf("ei:value", number(value)) }
    }

    static func boolean(_ value: Bool) -> String { value ? "true" : "false" }

    /// An xs:float/xs:decimal text: finite values as Swift prints them ("2.0", "1e-05").
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "INF" : "-INF" }
        return String(value)
    }
}

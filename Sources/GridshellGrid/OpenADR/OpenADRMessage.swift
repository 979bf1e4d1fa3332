import Foundation

/// A VEN's answer to an event: take part or not (`ei:optType`).
public enum OpenADROpt: String, Sendable, Equatable, Codable, CaseIterable {
    case optIn, optOut
}

/// `ei:eiResponse`: a result code (200 OK; 4xx OpenADR errors) for a request.
public struct OpenADRResponse: Sendable, Equatable {
    public var code: Int
    public var description: String?
    /// The request this answers; empty or nil where the sender left it blank.
    public var requestID: String?

    public init(code: Int, description: String? = nil, requestID: String? = nil) {
        self.code = code
        self.description = description
        self.requestID = requestID
    }

    public static func ok(requestID: String?) -> OpenADRResponse {
        OpenADRResponse(code: 200, description: "OK", requestID: requestID)
    }

    public var isSuccess: Bool { (200..<300).contains(code) }
}

/// Every OpenADR 2.0b message of the simple-HTTP registration, report, event and poll services,
/// in both directions, as values: `encoded()` writes the 2.0b XML, `decode(_:)` reads it.
public enum OpenADRMessage: Sendable, Equatable {
    case queryRegistration(requestID: String)
    case createPartyRegistration(CreatePartyRegistration)
    case createdPartyRegistration(CreatedPartyRegistration)
    case cancelPartyRegistration(requestID: String, registrationID: String, venID: String?)
    case canceledPartyRegistration(response: OpenADRResponse, registrationID: String?, venID: String?)
    case requestReregistration(venID: String)
    case registerReport(requestID: String, reports: [OpenADRReport], venID: String?)
    case registeredReport(response: OpenADRResponse, requests: [OpenADRReportRequest], venID: String?)
    case createReport(requestID: String, requests: [OpenADRReportRequest], venID: String?)
    case createdReport(response: OpenADRResponse, pendingReportRequestIDs: [String], venID: String?)
    case updateReport(requestID: String, reports: [OpenADRReport], venID: String?)
    case updatedReport(response: OpenADRResponse, cancelReport: CancelReport?, venID: String?)
    case cancelReport(CancelReport)
    case canceledReport(response: OpenADRResponse, pendingReportRequestIDs: [String], venID: String?)
    case requestEvent(requestID: String, venID: String, replyLimit: Int?)
    case distributeEvent(DistributeEvent)
    case createdEvent(response: OpenADRResponse, eventResponses: [EventResponse], venID: String)
    case poll(venID: String)
    case response(OpenADRResponse, venID: String?)

    /// The element name inside `oadrSignedObject`: `oadrPoll`, `oadrDistributeEvent`, …
    public var name: String {
        switch self {
        case .queryRegistration: "oadrQueryRegistration"
        case .createPartyRegistration: "oadrCreatePartyRegistration"
        case .createdPartyRegistration: "oadrCreatedPartyRegistration"
        case .cancelPartyRegistration: "oadrCancelPartyRegistration"
        case .canceledPartyRegistration: "oadrCanceledPartyRegistration"
        case .requestReregistration: "oadrRequestReregistration"
        case .registerReport: "oadrRegisterReport"
        case .registeredReport: "oadrRegisteredReport"
        case .createReport: "oadrCreateReport"
        case .createdReport: "oadrCreatedReport"
        case .updateReport: "oadrUpdateReport"
        case .updatedReport: "oadrUpdatedReport"
        case .cancelReport: "oadrCancelReport"
        case .canceledReport: "oadrCanceledReport"
        case .requestEvent: "oadrRequestEvent"
        case .distributeEvent: "oadrDistributeEvent"
        case .createdEvent: "oadrCreatedEvent"
        case .poll: "oadrPoll"
        case .response: "oadrResponse"
        }
    }

    /// `oadrCreatePartyRegistration`: the VEN asks to be registered (again, when it sends its
    /// registrationID).
    public struct CreatePartyRegistration: Sendable, Equatable {
        public var requestID: String
        public var registrationID: String?
        public var venID: String?
        public var profileName: String
        public var transportName: String
        public var transportAddress: String?
        public var reportOnly: Bool
        public var xmlSignature: Bool
        public var venName: String?
        public var httpPullModel: Bool?

        public init(
            requestID: String, registrationID: String? = nil, venID: String? = nil, profileName: String = "2.0b", transportName: String = "simpleHttp",
            transportAddress: String? = nil, reportOnly: Bool = false, xmlSignature: Bool = false, venName: String?, httpPullModel: Bool? = true
        ) {
            self.requestID = requestID
            self.registrationID = registrationID
            self.venID = venID
            self.profileName = profileName
            self.transportName = transportName
            self.transportAddress = transportAddress
            self.reportOnly = reportOnly
            self.xmlSignature = xmlSignature
            self.venName = venName
            self.httpPullModel = httpPullModel
        }
    }

    /// `oadrCreatedPartyRegistration`: the VTN's answer to a query or a registration.
    public struct CreatedPartyRegistration: Sendable, Equatable {
        public struct Profile: Sendable, Equatable {
            public var name: String
            public var transports: [String]

            public init(name: String, transports: [String]) {
                self.name = name
                self.transports = transports
            }
        }

        public var response: OpenADRResponse
        /// Present once registered; absent in the answer to a query.
        public var registrationID: String?
        public var venID: String?
        public var vtnID: String
        public var profiles: [Profile]
        /// `oadrRequestedOadrPollFreq`, in seconds.
        public var pollFrequency: TimeInterval?

        public init(response: OpenADRResponse, registrationID: String? = nil, venID: String? = nil, vtnID: String, profiles: [Profile], pollFrequency: TimeInterval? = nil) {
            self.response = response
            self.registrationID = registrationID
            self.venID = venID
            self.vtnID = vtnID
            self.profiles = profiles
            self.pollFrequency = pollFrequency
        }
    }

    /// `oadrCancelReport`: stop the named reports (after one last report if `reportToFollow`).
    public struct CancelReport: Sendable, Equatable {
        public var requestID: String
        public var reportRequestIDs: [String]
        public var reportToFollow: Bool
        public var venID: String?

        public init(requestID: String, reportRequestIDs: [String], reportToFollow: Bool, venID: String? = nil) {
            self.requestID = requestID
            self.reportRequestIDs = reportRequestIDs
            self.reportToFollow = reportToFollow
            self.venID = venID
        }
    }

    /// `oadrDistributeEvent`: the VTN's complete list of events for this VEN.
    public struct DistributeEvent: Sendable, Equatable {
        public var response: OpenADRResponse?
        public var requestID: String
        public var vtnID: String
        public var events: [OpenADREvent]

        public init(response: OpenADRResponse? = nil, requestID: String, vtnID: String, events: [OpenADREvent]) {
            self.response = response
            self.requestID = requestID
            self.vtnID = vtnID
            self.events = events
        }
    }

    /// One event's answer in `oadrCreatedEvent` (`ei:eventResponse`).
    public struct EventResponse: Sendable, Equatable {
        public var code: Int
        public var description: String?
        /// The `requestID` of the oadrDistributeEvent that carried the event.
        public var requestID: String
        public var eventID: String
        public var modificationNumber: Int
        public var opt: OpenADROpt

        public init(code: Int = 200, description: String? = "OK", requestID: String, eventID: String, modificationNumber: Int, opt: OpenADROpt) {
            self.code = code
            self.description = description
            self.requestID = requestID
            self.eventID = eventID
            self.modificationNumber = modificationNumber
            self.opt = opt
        }
    }
}

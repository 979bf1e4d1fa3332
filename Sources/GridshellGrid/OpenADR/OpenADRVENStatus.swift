import Foundation

/// What the VEN can tell the operator: whether it is registered and with which ids, when it last
/// heard the VTN, the last thing that went wrong, and its events with the site's answers.
public struct OpenADRVENStatus: Sendable, Equatable, Codable {
    /// One failure: when, and what (a transport error, a refused message, a VTN error code).
    public struct Failure: Sendable, Equatable, Codable {
        public var at: Date
        public var message: String

        public init(at: Date, message: String) {
            self.at = at
            self.message = message
        }
    }

    public var isRegistered: Bool
    public var vtnID: String?
    public var venID: String?
    public var registrationID: String?
    /// Seconds between polls, as the VTN requested (after the floor).
    public var pollInterval: TimeInterval
    /// When a poll last got an answer.
    public var lastPoll: Date?
    public var lastError: Failure?
    public var events: [OpenADRTrackedEvent]
    /// The reportRequestIDs the VEN is reporting on.
    public var reportRequestIDs: [String]
    /// oadrUpdateReport messages the VTN accepted.
    public var reportsSent: Int
    /// Messages from the VTN refused as malformed, hostile or inconsistent.
    public var messagesRefused: Int

    public init(
        isRegistered: Bool, vtnID: String?, venID: String?, registrationID: String?, pollInterval: TimeInterval, lastPoll: Date?, lastError: Failure?,
        events: [OpenADRTrackedEvent], reportRequestIDs: [String], reportsSent: Int, messagesRefused: Int
    ) {
        self.isRegistered = isRegistered
        self.vtnID = vtnID
        self.venID = venID
        self.registrationID = registrationID
        self.pollInterval = pollInterval
        self.lastPoll = lastPoll
        self.lastError = lastError
        self.events = events
        self.reportRequestIDs = reportRequestIDs
        self.reportsSent = reportsSent
        self.messagesRefused = messagesRefused
    }
}

/// The VTN did not do what the protocol says it should.
public struct OpenADRProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The VTN answered a request with a message that does not answer it.
        case unexpectedReply(expected: String, received: String)
        /// The VTN answered with an error code in `eiResponse`.
        case refused(code: Int, description: String?)
        /// The registration answer lacks the venID or registrationID.
        case incompleteRegistration(String)
        /// The message names a different VTN than the one the VEN registered with.
        case wrongVTN(expected: String, received: String)
    }

    /// The request the problem is about (`oadrCreatePartyRegistration`, `oadrPoll`, …).
    public var request: String
    public var reason: Reason

    public init(request: String, reason: Reason) {
        self.request = request
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unexpectedReply(let expected, let received): "\(request): the VTN answered \(received), expected \(expected)"
        case .refused(let code, let text): "\(request): the VTN refused it with code \(code)" + (text.map { " (\($0))" } ?? "")
        case .incompleteRegistration(let what): "\(request): the VTN's registration answer has no \(what)"
        case .wrongVTN(let expected, let received): "\(request): the message is from VTN '\(received)', registered with '\(expected)'"
        }
    }
}

/// The `STATUS` entry that starts every cgminer-family reply:
/// `{"STATUS":"S","When":1621205582,"Code":22,"Msg":"CGMiner versions","Description":"cgminer 1.0.0"}`.
public struct CGMinerStatus: Sendable, Equatable {
    /// The `STATUS` letter: success, info, warning, error, fatal.
    public enum Severity: String, Sendable, Equatable {
        case success = "S"
        case info = "I"
        case warning = "W"
        case error = "E"
        case fatal = "F"
    }

    /// nil when the firmware sent a letter cgminer does not define (kept in `rawSeverity`).
    public var severity: Severity?
    /// The letter as sent.
    public var rawSeverity: String
    /// Unix time of the reply.
    public var when: Int?
    /// The message code (see `Code`).
    public var code: Int?
    /// `Msg`: what happened ("Summary", "Access denied to 'summary' command").
    public var message: String?
    /// `Description`: the software that answered ("cgminer 4.9.0", "LUXminer 2024.2.19...").
    public var software: String?

    public init(
        severity: Severity?, rawSeverity: String? = nil, when: Int? = nil, code: Int? = nil,
        message: String? = nil, software: String? = nil
    ) {
        self.severity = severity
        self.rawSeverity = rawSeverity ?? severity?.rawValue ?? ""
        self.when = when
        self.code = code
        self.message = message
        self.software = software
    }

    /// Reads one STATUS object; web pages write `when` in lower case, which is accepted too.
    public init(_ object: JSONObject) {
        let letter = object.string("STATUS")?.trimmingSpaces ?? ""
        self.init(
            severity: Severity(rawValue: letter.uppercased()), rawSeverity: letter,
            when: object.int("When"), code: object.int("Code"),
            message: object.string("Msg"), software: object.string("Description"))
    }

    /// E or F: the command did not do what was asked.
    public var isFailure: Bool { severity == .error || severity == .fatal }

    /// Codes from the cgminer API-README and LuxOS documentation (FACTS.md §3).
    public enum Code {
        public static let pools = 7
        public static let devs = 9
        public static let summary = 11
        public static let invalidCommand = 14
        public static let version = 22
        public static let invalidJSON = 23
        public static let missingCommand = 24
        public static let config = 33
        public static let accessDenied = 45
        public static let devdetails = 69
        public static let stats = 70
        /// LuxOS `logon`: a session was created.
        public static let luxSessionCreated = 316
        /// LuxOS `session`: the active session id.
        public static let luxSessionInfo = 319
        /// LuxOS `profileset`: profile set.
        public static let luxProfileSet = 321
        /// LuxOS `curtail`: curtailment command sent.
        public static let luxCurtail = 335
        /// LuxOS `atm`: ATM configuration values.
        public static let luxATM = 339
        /// LuxOS `atmset`: ATM configuration updated.
        public static let luxATMSet = 340
    }
}

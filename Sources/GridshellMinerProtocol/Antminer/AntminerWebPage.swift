/// The stock Antminer web API: CGI pages behind HTTP Digest authentication
/// (realm `antMiner Configuration`, factory login root/root).
public enum AntminerWebPage: String, Sendable, CaseIterable {
    case systemInfo = "/cgi-bin/get_system_info.cgi"
    case minerConfig = "/cgi-bin/get_miner_conf.cgi"
    case setMinerConfig = "/cgi-bin/set_miner_conf.cgi"
    case summary = "/cgi-bin/summary.cgi"
    case stats = "/cgi-bin/stats.cgi"
    case pools = "/cgi-bin/pools.cgi"
    case reboot = "/cgi-bin/reboot.cgi"
    case blink = "/cgi-bin/blink.cgi"

    /// The Digest realm stock firmware uses.
    public static let realm = "antMiner Configuration"
    /// Factory credentials.
    public static let defaultUser = "root"
    public static let defaultPassword = "root"

    /// The request target.
    public var path: String { rawValue }

    /// The HTTP method the page expects.
    public var method: String {
        switch self {
        case .setMinerConfig, .blink: return "POST"
        default: return "GET"
        }
    }

    /// The RPC command whose reply the page mirrors, for pages `TelemetryReader` reads.
    public var mirroredCommand: String? {
        switch self {
        case .summary: return "summary"
        case .stats: return "stats"
        case .pools: return "pools"
        default: return nil
        }
    }

    /// Reads `summary.cgi`, `stats.cgi` or `pools.cgi` as a reply to the matching RPC command
    /// (the web form has `STATUS` as an object and lower-case keys such as `rate_5s`, `chain[]`,
    /// `fan[]`; the telemetry reader understands both forms).
    public func reply<Bytes: Collection>(_ bytes: Bytes) throws(AntminerWebError) -> CGMinerReply where Bytes.Element == UInt8 {
        let object = try AntminerWebError.readObject(bytes, page: self)
        return CGMinerReply(command: mirroredCommand ?? String(path.split(separator: "/").last ?? ""), body: object)
    }
}

/// A stock web page that could not be read or refused a change.
public struct AntminerWebError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong with the page.
    public enum Reason: Sendable, Equatable {
        case notJSON(LenientJSONError)
        case notAnObject(found: String)
        case missingField(String)
        /// `set_miner_conf.cgi` answered something other than success.
        case rejected(code: String, message: String)
    }

    public var page: AntminerWebPage
    public var reason: Reason

    public init(page: AntminerWebPage, reason: Reason) {
        self.page = page
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .notJSON(let e): what = "the page is not JSON: \(e)"
        case .notAnObject(let found): what = "the page is a JSON \(found), expected an object"
        case .missingField(let field): what = "the page has no '\(field)'"
        case .rejected(let code, let message): what = "the miner refused the change (\(code)\(message.isEmpty ? "" : ": \(message)"))"
        }
        return "\(page.path): \(what)"
    }

    static func readObject<Bytes: Collection>(_ bytes: Bytes, page: AntminerWebPage) throws(AntminerWebError) -> JSONObject
    where Bytes.Element == UInt8 {
        let value: JSONValue
        do {
            value = try LenientJSON.parse(bytes)
        } catch {
            throw AntminerWebError(page: page, reason: .notJSON(error))
        }
        guard let object = value.object else { throw AntminerWebError(page: page, reason: .notAnObject(found: value.kindName)) }
        return object
    }
}

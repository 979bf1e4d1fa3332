/// LuxOS (Luxor's firmware) commands on the cgminer port. Commands that change the miner take
/// a session id first: `logon` returns it (one session at a time, dropped after a minute idle),
/// `logoff` ends it.
public enum LuxOSCommand {
    public enum CurtailAction: String, Sendable {
        case sleep
        case wakeup
    }

    public static let logon = CGMinerRequest("logon")
    /// The active session id, or "" when there is none.
    public static let session = CGMinerRequest("session")
    public static let power = CGMinerRequest("power")
    public static let profiles = CGMinerRequest("profiles")
    public static let config = CGMinerRequest("config")
    public static let atm = CGMinerRequest("atm")
    public static let version = CGMinerRequest("version")

    public static func logoff(session: String) -> CGMinerRequest {
        CGMinerRequest("logoff", parameter: session)
    }

    /// `curtail` `<sid>,sleep` or `<sid>,wakeup`.
    public static func curtail(session: String, _ action: CurtailAction) -> CGMinerRequest {
        CGMinerRequest("curtail", parameter: "\(session),\(action.rawValue)")
    }

    /// `profileset` `<sid>,<name>`; the name may also be a selector (`3250W`, `95.5THs`, `+1`).
    public static func profileSet(session: String, profile: String) -> CGMinerRequest {
        CGMinerRequest("profileset", parameter: "\(session),\(profile)")
    }

    /// `profileset` by power: the profile closest to `watts` (`<sid>,3250W`).
    public static func profileSet(session: String, watts: Double) -> CGMinerRequest {
        let w = watts.isFinite ? min(max(watts, 0), 1e9) : 0
        return profileSet(session: session, profile: "\(Int(w.rounded()))W")
    }

    /// `atmset` `<sid>,enabled=false`: ATM must be off for a profile to be set by hand.
    public static func atmSet(session: String, enabled: Bool) -> CGMinerRequest {
        CGMinerRequest("atmset", parameter: "\(session),enabled=\(enabled)")
    }
}

/// A LuxOS command that did not do what was asked.
public struct LuxOSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The session id is unknown or expired: log on again.
        case sessionExpired(message: String)
        /// Another client holds the one session.
        case sessionInUse(message: String)
        /// A profile cannot be set while ATM manages profiles.
        case atmEnabled(message: String)
        /// Any other refusal.
        case rejected(CGMinerStatus)
        /// The reply lacks the field that carries the answer.
        case missingField(String)
        /// The reply could not be read at all.
        case unreadable(CGMinerError)
    }

    public var command: String
    public var reason: Reason

    public init(command: String, reason: Reason) {
        self.command = command
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .sessionExpired(let m): return "\(command): the LuxOS session expired or is unknown (\(m))"
        case .sessionInUse(let m): return "\(command): another client holds the LuxOS session (\(m))"
        case .atmEnabled(let m): return "\(command): ATM is enabled, turn it off before setting a profile (\(m))"
        case .rejected(let s): return "\(command): LuxOS refused (code \(s.code.map(String.init) ?? "?"): \(s.message ?? ""))"
        case .missingField(let f): return "\(command): the reply has no '\(f)'"
        case .unreadable(let e): return e.description
        }
    }

    /// Names a failing LuxOS STATUS by its message: LuxOS gives these cases no codes of their own.
    static func classify(_ status: CGMinerStatus, command: String) -> LuxOSError {
        let m = status.message ?? ""
        let lower = m.lowercased()
        if lower.contains("session") {
            if ["already", "in use", "another", "active session", "busy"].contains(where: { lower.contains($0) }) {
                return LuxOSError(command: command, reason: .sessionInUse(message: m))
            }
            if ["expired", "invalid", "not valid", "unknown", "no session", "not found", "required"].contains(where: { lower.contains($0) }) {
                return LuxOSError(command: command, reason: .sessionExpired(message: m))
            }
        }
        if lower.contains("atm") { return LuxOSError(command: command, reason: .atmEnabled(message: m)) }
        return LuxOSError(command: command, reason: .rejected(status))
    }
}

/// A cgminer-family command that failed, naming the command and why.
public struct CGMinerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the command failed.
    public enum Reason: Sendable, Equatable {
        /// Nothing came back (the connection closed before a byte, or only a NUL).
        case emptyReply
        /// The bytes are not JSON even to the lenient reader (the error has the offset).
        case notJSON(LenientJSONError)
        /// JSON, but not an object.
        case notAnObject(found: String)
        /// Code 45: the API is configured to refuse this command to this address.
        case accessDenied(message: String)
        /// Code 14: the firmware does not know the command.
        case invalidCommand(message: String)
        /// Codes 23 and 24: the firmware could not read the request.
        case badRequest(code: Int, message: String)
        /// Any other STATUS of E or F.
        case failed(CGMinerStatus)
        /// A multi-command reply without a key for this command.
        case missingFromReply
        /// The reply grew beyond the size limit before it ended.
        case tooLarge(limit: Int)
    }

    /// The command that failed (`summary`, or `summary+stats` for a whole joined request).
    public var command: String
    public var reason: Reason

    public init(command: String, reason: Reason) {
        self.command = command
        self.reason = reason
    }

    /// The error a failing STATUS stands for, or nil when the status is not a failure.
    public static func from(status: CGMinerStatus, command: String) -> CGMinerError? {
        guard status.isFailure else { return nil }
        let message = status.message ?? ""
        switch status.code {
        case CGMinerStatus.Code.accessDenied: return .init(command: command, reason: .accessDenied(message: message))
        case CGMinerStatus.Code.invalidCommand: return .init(command: command, reason: .invalidCommand(message: message))
        case CGMinerStatus.Code.invalidJSON, CGMinerStatus.Code.missingCommand:
            return .init(command: command, reason: .badRequest(code: status.code!, message: message))
        default: return .init(command: command, reason: .failed(status))
        }
    }

    public var description: String {
        let what: String
        switch reason {
        case .emptyReply: what = "the miner sent an empty reply"
        case .notJSON(let e): what = "the reply is not JSON: \(e)"
        case .notAnObject(let found): what = "the reply is a JSON \(found), expected an object"
        case .accessDenied(let m): what = "access denied (code 45\(m.isEmpty ? "" : ": \(m)"))"
        case .invalidCommand(let m): what = "the miner does not know this command (code 14\(m.isEmpty ? "" : ": \(m)"))"
        case .badRequest(let code, let m): what = "the miner could not read the request (code \(code)\(m.isEmpty ? "" : ": \(m)"))"
        case .failed(let s):
            let code = s.code.map { "code \($0)" } ?? "no code"
            what = "the miner answered \(s.rawSeverity) (\(code)\(s.message.map { ": \($0)" } ?? ""))"
        case .missingFromReply: what = "the reply has no section for this command"
        case .tooLarge(let limit): what = "the reply is larger than \(limit) bytes"
        }
        return "\(command): \(what)"
    }
}

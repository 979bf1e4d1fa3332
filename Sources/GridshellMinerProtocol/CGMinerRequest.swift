import Foundation

/// A request to a cgminer-compatible API (cgminer, bmminer, LuxOS, BOSminer) on TCP 4028:
/// one JSON object per connection; several report commands may be joined by `+`.
public struct CGMinerRequest: Sendable, Equatable {
    /// The commands, in order; more than one only for report commands joined by `+`.
    public var commands: [String]
    /// The parameter text; LuxOS puts the session id first (`"<sid>,sleep"`).
    public var parameter: String?
    /// `"new_api":true`: modern bmminer answers `stats` with `chain[]` objects instead of flat keys.
    public var newAPI: Bool

    public init(_ commands: [String], parameter: String? = nil, newAPI: Bool = false) {
        self.commands = commands
        self.parameter = parameter
        self.newAPI = newAPI
    }

    public init(_ command: String, parameter: String? = nil, newAPI: Bool = false) {
        self.init(command.split(separator: "+").map(String.init), parameter: parameter, newAPI: newAPI)
    }

    /// The command text as sent (`summary+stats+pools`).
    public var command: String { commands.joined(separator: "+") }

    /// The bytes on the wire: `{"command":"...","parameter":"..."}`.
    public var encoded: [UInt8] {
        var text = "{\"command\":\"" + Self.escaped(command) + "\""
        if let parameter { text += ",\"parameter\":\"" + Self.escaped(parameter) + "\"" }
        if newAPI { text += ",\"new_api\":true" }
        text += "}"
        return Array(text.utf8)
    }

    static func escaped(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}

extension CGMinerRequest {
    /// Reads a request as a server receives it: JSON (`{"command":"summary+pools","parameter":"0"}`,
    /// a parameter given as a number too) or cgminer's text form `summary|0`.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws(CGMinerError) -> CGMinerRequest
    where Bytes.Element == UInt8 {
        let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard text.hasPrefix("{") else {
            guard !text.isEmpty else {
                throw CGMinerError(command: "", reason: .badRequest(code: CGMinerStatus.Code.missingCommand, message: "empty request"))
            }
            let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            return CGMinerRequest(String(parts[0]), parameter: parts.count > 1 ? String(parts[1]) : nil)
        }
        let value: JSONValue
        do {
            value = try LenientJSON.parse(bytes)
        } catch {
            throw CGMinerError(command: "", reason: .badRequest(code: CGMinerStatus.Code.invalidJSON, message: error.description))
        }
        guard let command = value["command"]?.string?.trimmingSpaces, !command.isEmpty else {
            throw CGMinerError(command: "", reason: .badRequest(code: CGMinerStatus.Code.missingCommand, message: "Missing JSON 'command'"))
        }
        return CGMinerRequest(command, parameter: value["parameter"]?.string, newAPI: value["new_api"]?.bool ?? false)
    }
}

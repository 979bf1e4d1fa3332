import Foundation

/// A request to a cgminer-compatible API (cgminer, bmminer, LuxOS, BOSminer) on TCP 4028:
/// one JSON object per connection; several report commands may be joined by `+`.
public struct CGMinerRequest: Sendable, Equatable {
    public var commands: [String]
    public var parameter: String?

    public init(_ commands: [String], parameter: String? = nil) {
        self.commands = commands
        self.parameter = parameter
    }

    public init(_ command: String, parameter: String? = nil) {
        self.init(command.split(separator: "+").map(String.init), parameter: parameter)
    }

    /// The command text as sent (`summary+stats+pools`).
    public var command: String { commands.joined(separator: "+") }

    /// The bytes on the wire: `{"command":"...","parameter":"..."}`.
    public var encoded: [UInt8] {
        var text = "{\"command\":\"" + Self.escaped(command) + "\""
        if let parameter { text += ",\"parameter\":\"" + Self.escaped(parameter) + "\"" }
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

/// Writes XML text element by element, escaping what needs escaping. Prefixes are written as
/// given: the OpenADR encoder declares them once on `oadrSignedObject`.
struct XMLWriter {
    private(set) var output: String = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n"
    private var open: [String] = []

    /// Opens `<name attributes…>`; `close()` ends the innermost open element.
    mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        output += "<" + name
        for (key, value) in attributes { output += " \(key)=\"\(Self.escape(value, quotes: true))\"" }
        output += ">"
        open.append(name)
    }

    mutating func close() {
        let name = open.removeLast()
        output += "</" + name + ">"
    }

    /// `<name>text</name>`.
    mutating func leaf(_ name: String, _ text: String) {
        output += "<\(name)>\(Self.escape(text, quotes: false))</\(name)>"
    }

    /// `<name>text</name>`, or nothing when `text` is nil.
    mutating func leaf(_ name: String, ifPresent text: String?) {
        if let text { leaf(name, text) }
    }

    /// `<name/>`.
    mutating func empty(_ name: String) {
        output += "<\(name)/>"
    }

    /// Writes `name` around whatever `body` writes.
    mutating func element(_ name: String, _ attributes: [(String, String)] = [], _ body: (inout XMLWriter) -> Void) {
        start(name, attributes)
        body(&self)
        close()
    }

    var isBalanced: Bool { open.isEmpty }

    static func escape(_ text: String, quotes: Bool) -> String {
        guard text.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'" }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"" where quotes: escaped += "&quot;"
            case "'" where quotes: escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

import Foundation

/// An element being read by the OpenADR decoder, with the path that led to it, so every error
/// names the element it is about (`oadrDistributeEvent/oadrEvent[2]/eiEvent/…`).
struct XMLNode {
    let tree: XMLTree
    let path: String

    init(_ tree: XMLTree, path: String) {
        self.tree = tree
        self.path = path
    }

    var name: String { tree.name }

    /// The text content, without surrounding whitespace.
    var text: String { tree.text.trimmingCharacters(in: .whitespacesAndNewlines) }

    // MARK: Children

    func child(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> XMLNode {
        guard let node = optionalChild(namespace, name) else { throw missing(name) }
        return node
    }

    func optionalChild(_ namespace: String, _ name: String) -> XMLNode? {
        tree.children.first { $0.name == name && $0.namespace == namespace }.map { XMLNode($0, path: path + "/" + name) }
    }

    /// Every child with this name, each with its 1-based index in its path.
    func children(_ namespace: String, _ name: String) -> [XMLNode] {
        tree.children.filter { $0.name == name && $0.namespace == namespace }.enumerated().map { XMLNode($1, path: "\(path)/\(name)[\($0 + 1)]") }
    }

    // MARK: Values

    /// The text of a required child; empty text counts as missing.
    func string(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> String {
        let node = try child(namespace, name)
        guard !node.text.isEmpty else { throw OpenADRMessageError(.missingElement, at: node.path + " (empty)") }
        return node.text
    }

    /// The text of an optional child; nil when it is absent or empty.
    func optionalString(_ namespace: String, _ name: String) -> String? {
        guard let text = optionalChild(namespace, name)?.text, !text.isEmpty else { return nil }
        return text
    }

    /// The text of a child that must be present but may be empty (`<requestID/>`).
    func possiblyEmptyString(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> String {
        try child(namespace, name).text
    }

    func int(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> Int {
        try child(namespace, name).intValue()
    }

    func optionalInt(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> Int? {
        guard let node = optionalChild(namespace, name), !node.text.isEmpty else { return nil }
        return try node.intValue()
    }

    func bool(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> Bool {
        try child(namespace, name).boolValue()
    }

    func optionalBool(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> Bool? {
        guard let node = optionalChild(namespace, name), !node.text.isEmpty else { return nil }
        return try node.boolValue()
    }

    func intValue() throws(OpenADRMessageError) -> Int {
        guard let value = Int(text), value >= 0 else { throw invalid(text, "a non-negative integer") }
        return value
    }

    func doubleValue() throws(OpenADRMessageError) -> Double {
        // xs:float spells infinity INF; a demand-response payload is never infinite or NaN.
        guard let value = Double(text), value.isFinite, !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else {
            throw invalid(text, "a finite number")
        }
        return value
    }

    func boolValue() throws(OpenADRMessageError) -> Bool {
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw invalid(text, "a boolean (true or false)")
        }
    }

    func durationValue() throws(OpenADRMessageError) -> TimeInterval {
        guard let seconds = OpenADRTime.parseDuration(text) else { throw invalid(text, "an RFC 5545 duration such as PT15M") }
        return seconds
    }

    func dateValue() throws(OpenADRMessageError) -> Date {
        guard let date = OpenADRTime.parseDateTime(text) else { throw invalid(text, "a UTC date-time such as 2026-07-01T15:00:00Z") }
        return date
    }

    /// `<x><xcal:duration>PT1H</xcal:duration></x>`.
    func durationProperty(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> TimeInterval {
        try child(namespace, name).child(OpenADRNamespace.xcal, "duration").durationValue()
    }

    func optionalDurationProperty(_ namespace: String, _ name: String) throws(OpenADRMessageError) -> TimeInterval? {
        guard let node = optionalChild(namespace, name) else { return nil }
        return try node.child(OpenADRNamespace.xcal, "duration").durationValue()
    }

    /// `<xcal:dtstart><xcal:date-time>…</xcal:date-time></xcal:dtstart>`.
    func dtstart() throws(OpenADRMessageError) -> Date {
        try child(OpenADRNamespace.xcal, "dtstart").child(OpenADRNamespace.xcal, "date-time").dateValue()
    }

    func optionalDtstart() throws(OpenADRMessageError) -> Date? {
        guard let node = optionalChild(OpenADRNamespace.xcal, "dtstart") else { return nil }
        return try node.child(OpenADRNamespace.xcal, "date-time").dateValue()
    }

    // MARK: Errors

    func missing(_ name: String) -> OpenADRMessageError {
        OpenADRMessageError(.missingElement, at: path + "/" + name)
    }

    func invalid(_ value: String, _ expected: String) -> OpenADRMessageError {
        OpenADRMessageError(.invalidValue(value, expected: expected), at: path)
    }
}

import Foundation
import Yams

/// Reads typed fields out of a composed YAML tree, recording every problem with its line instead
/// of stopping at the first one.
final class YAMLFields {
    let file: String
    private(set) var issues: [SiteFileIssue] = []

    init(file: String) { self.file = file }

    func report(_ node: Node?, _ key: String, _ message: String, fallbackLine: Int = 1) {
        let line = node?.mark.map(\.line) ?? fallbackLine
        issues.append(SiteFileIssue(file: file, line: line, key: key, message: message))
    }

    /// A mapping's entries by key, reporting keys not in `allowed` (with a suggestion) and
    /// duplicate keys.
    func entries(_ node: Node, path: String, allowed: [String]) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            report(node, path, "expected a mapping of keys to values, found \(describe(node))")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                report(keyNode, path, "keys must be plain names, found \(describe(keyNode))")
                continue
            }
            let fullKey = join(path, key)
            if !allowed.contains(key) {
                var message = "unknown key"
                if let near = nearest(key, in: allowed) { message += " (did you mean '\(near)'?)" }
                message += "; expected one of: " + allowed.joined(separator: ", ")
                report(keyNode, fullKey, message)
                continue
            }
            if result[key] != nil {
                report(keyNode, fullKey, "key appears twice")
                continue
            }
            result[key] = value
        }
        return result
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func line(of node: Node) -> Int { node.mark?.line ?? 1 }

    private func scalarText(_ node: Node, _ key: String, expected: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, key, "expected \(expected), found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let s) = node, s.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    // MARK: typed fields

    func string(_ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool) -> String? {
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: "a text value") else { return nil }
        guard let text = scalarText(node, join(path, key), expected: "a text value") else { return nil }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            report(node, join(path, key), "expected a non-empty text value")
            return nil
        }
        return text
    }

    func number(
        _ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool,
        range: ClosedRange<Double>? = nil, unit: String = ""
    ) -> Double? {
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: "a number") else { return nil }
        let fullKey = join(path, key)
        guard let text = scalarText(node, fullKey, expected: "a number\(unit)") else { return nil }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard let value = Double(cleaned), value.isFinite, node.scalar?.style == .plain || Double(text) != nil else {
            report(node, fullKey, "expected a number\(unit), found '\(text)'")
            return nil
        }
        if let range, !range.contains(value) {
            report(node, fullKey, "expected a number from \(format(range.lowerBound)) to \(format(range.upperBound))\(unit), found \(format(value))")
            return nil
        }
        return value
    }

    func integer(
        _ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool, range: ClosedRange<Int>
    ) -> Int? {
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: "a whole number") else { return nil }
        let fullKey = join(path, key)
        guard let text = scalarText(node, fullKey, expected: "a whole number") else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            report(node, fullKey, "expected a whole number, found '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(node, fullKey, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    func bool(_ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool) -> Bool? {
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: "true or false") else { return nil }
        let fullKey = join(path, key)
        guard let text = scalarText(node, fullKey, expected: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(node, fullKey, "expected true or false, found '\(text)'")
            return nil
        }
    }

    func date(_ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool) -> Date? {
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: "a date (YYYY-MM-DD)") else { return nil }
        let fullKey = join(path, key)
        guard let text = scalarText(node, fullKey, expected: "a date (YYYY-MM-DD)") else { return nil }
        guard let date = YAMLFields.parseDate(text) else {
            report(node, fullKey, "expected a date as YYYY-MM-DD, found '\(text)'")
            return nil
        }
        return date
    }

    /// A moment: a date alone (midnight UTC, like `date`) or an ISO 8601 time with its offset.
    func dateTime(_ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool) -> Date? {
        let expected = "a date (YYYY-MM-DD) or a time with its UTC offset (2021-02-15T18:00:00-06:00)"
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: expected) else { return nil }
        let fullKey = join(path, key)
        guard let text = scalarText(node, fullKey, expected: expected) else { return nil }
        if let date = YAMLFields.parseDate(text) ?? YAMLFields.parseTime(text) { return date }
        report(node, fullKey, "expected \(expected), found '\(text)'")
        return nil
    }

    func choice<T>(
        _ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool, options: [(String, T)]
    ) -> T? {
        let names = options.map(\.0).joined(separator: ", ")
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: "one of \(names)") else { return nil }
        let fullKey = join(path, key)
        guard let text = scalarText(node, fullKey, expected: "one of \(names)") else { return nil }
        if let match = options.first(where: { $0.0.lowercased() == text.lowercased() }) { return match.1 }
        report(node, fullKey, "expected one of \(names), found '\(text)'")
        return nil
    }

    /// A sequence's items; a missing optional list is empty.
    func list(_ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool) -> [Node] {
        guard let node = present(fields, key, path: path, parent: parent, required: required, expected: "a list") else { return [] }
        guard case .sequence(let sequence) = node else {
            report(node, join(path, key), "expected a list (items starting with '-'), found \(describe(node))")
            return []
        }
        return Array(sequence)
    }

    private func present(
        _ fields: [String: Node], _ key: String, path: String, parent: Node, required: Bool, expected: String
    ) -> Node? {
        guard let node = fields[key], !isNull(node) else {
            if required { report(fields[key] ?? parent, join(path, key), "missing; expected \(expected)") }
            return nil
        }
        return node
    }

    // MARK: helpers

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return isNull(node) ? "nothing" : "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d), (1970...2200).contains(y)
        else { return nil }
        var components = DateComponents()
        components.year = y
        components.month = m
        components.day = d
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == d
        else { return nil }
        return date
    }

    /// An ISO 8601 time with seconds optional and an offset required (Z or ±HH:MM).
    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        // Without seconds: 2021-02-15T18:00-06:00.
        let parts = text.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, parts[1].count >= 5 else { return nil }
        let clock = parts[1]
        let withSeconds = String(parts[0]) + "T" + clock.prefix(5) + ":00" + clock.dropFirst(5)
        guard clock.dropFirst(5).first.map({ "Z+-".contains($0) }) == true else { return nil }
        return formatter.date(from: withSeconds)
    }

    /// The allowed key closest to a misspelt one, if any is close.
    private func nearest(_ key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, best.count / 3) else { return nil }
        return best
    }

    private func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// Slurm's compressed host lists: `node[1-3,7],gpu-a01` and back to names.
public enum Hostlist {
    /// The names in `text`, in order. Ranges keep their zero padding (`n[08-10]` gives `n08`,
    /// `n09`, `n10`). Throws on unbalanced brackets, bad ranges or more than one bracket group
    /// in a name (which Slurm's node names here never use).
    public static func expand(_ text: String) throws(HostlistError) -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "(null)" { return [] }
        var names: [String] = []
        for item in try splitTopLevel(trimmed) {
            guard let open = item.firstIndex(of: "[") else {
                guard !item.contains("]"), !item.isEmpty else { throw HostlistError(text: text, problem: "empty or unbalanced item '\(item)'") }
                names.append(item)
                continue
            }
            guard let close = item.firstIndex(of: "]"), close > open else { throw HostlistError(text: text, problem: "unbalanced brackets in '\(item)'") }
            let prefix = String(item[..<open])
            let suffix = String(item[item.index(after: close)...])
            guard !suffix.contains("["), !suffix.contains("]") else { throw HostlistError(text: text, problem: "more than one bracket group in '\(item)'") }
            for part in item[item.index(after: open)..<close].split(separator: ",", omittingEmptySubsequences: false) {
                let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
                    let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]), low <= high, high - low < 100_000
                else { throw HostlistError(text: text, problem: "bad range '\(part)' in '\(item)'") }
                let width = bounds[0].count
                for n in low...high {
                    let digits = String(n)
                    names.append(prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits + suffix)
                }
            }
        }
        return names
    }

    /// Splits on commas outside brackets.
    static func splitTopLevel(_ text: String) throws(HostlistError) -> [String] {
        var items: [String] = [], current = "", depth = 0
        for ch in text {
            switch ch {
            case "[": depth += 1; current.append(ch)
            case "]":
                depth -= 1
                guard depth >= 0 else { throw HostlistError(text: text, problem: "']' without '['") }
                current.append(ch)
            case "," where depth == 0: items.append(current); current = ""
            default: current.append(ch)
            }
        }
        guard depth == 0 else { throw HostlistError(text: text, problem: "'[' without ']'") }
        items.append(current)
        return items
    }
}

/// A host list that does not read as one.
public struct HostlistError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "host list '\(text)': \(problem)" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

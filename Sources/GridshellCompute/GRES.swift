/// One generic resource as Slurm prints it: `gpu:h100:2(IDX:0-1)`, `gpu:4(S:0-1)`,
/// `gpu:h100:0(IDX:N/A)`.
public struct GRES: Sendable, Equatable {
    public var name: String
    public var type: String?
    public var count: Int
    /// The device indices in use, when the text carries `IDX:` (empty for `IDX:N/A`).
    public var indices: [Int]?

    public init(name: String, type: String?, count: Int, indices: [Int]?) {
        self.name = name
        self.type = type
        self.count = count
        self.indices = indices
    }

    /// Every resource in a comma-separated list (commas inside parentheses belong to the item).
    public static func parseList(_ text: String) throws(GRESError) -> [GRES] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "(null)" || trimmed == "N/A" { return [] }
        var items: [String] = [], current = "", depth = 0
        for ch in trimmed {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            guard depth >= 0 else { throw GRESError(text: text, problem: "')' without '('") }
            if ch == ",", depth == 0 { items.append(current); current = "" } else { current.append(ch) }
        }
        guard depth == 0 else { throw GRESError(text: text, problem: "'(' without ')'") }
        items.append(current)
        return try items.map { item throws(GRESError) in try parse(item, whole: text) }
    }

    /// GPUs in a list: the sum of the `gpu` items' counts.
    public static func gpuCount(_ list: [GRES]) -> Int { list.filter { $0.name == "gpu" }.reduce(0) { $0 + $1.count } }

    static func parse(_ item: String, whole: String) throws(GRESError) -> GRES {
        var head = Substring(item.trimmingCharacters(in: .whitespaces))
        var detail: Substring?
        if let open = head.firstIndex(of: "(") {
            guard head.last == ")" else { throw GRESError(text: whole, problem: "text after ')' in '\(item)'") }
            detail = head[head.index(after: open)..<head.index(before: head.endIndex)]
            head = head[..<open]
        }
        // `gres:gpu:2` in a job's TRES request carries a `gres` (or `gres/`) prefix.
        if head.hasPrefix("gres:") { head = head.dropFirst(5) } else if head.hasPrefix("gres/") { head = head.dropFirst(5) }
        let parts = head.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, parts.count <= 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw GRESError(text: whole, problem: "expected name[:type][:count], found '\(item)'")
        }
        var type: String?
        var count = 1
        if parts.count == 3 {
            type = parts[1]
            guard let n = Int(parts[2]), n >= 0 else { throw GRESError(text: whole, problem: "count '\(parts[2])' in '\(item)' is not a whole number") }
            count = n
        } else if parts.count == 2 {
            if let n = Int(parts[1]) {
                guard n >= 0 else { throw GRESError(text: whole, problem: "negative count in '\(item)'") }
                count = n
            } else {
                type = parts[1]
            }
        }
        var indices: [Int]?
        for field in (detail ?? "").split(separator: " ") {
            guard field.hasPrefix("IDX:") else { continue }
            indices = try parseIndices(String(field.dropFirst(4)), item: item, whole: whole)
        }
        return GRES(name: name, type: type, count: count, indices: indices)
    }

    /// `0-1,3` → [0, 1, 3]; `N/A` → [].
    static func parseIndices(_ text: String, item: String, whole: String) throws(GRESError) -> [Int] {
        if text == "N/A" { return [] }
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]),
                low >= 0, low <= high, high < 4096
            else { throw GRESError(text: whole, problem: "bad GPU index range '\(part)' in '\(item)'") }
            out.append(contentsOf: low...high)
        }
        return out
    }
}

/// A GRES text that does not read as one.
public struct GRESError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "GRES '\(text)': \(problem)" }
}

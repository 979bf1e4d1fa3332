import GridshellCore

/// A job's flex tier and profile as a job states them: `gridshell:flex=3,profile=training` in
/// its comment (other text in the comment is kept apart by spaces or `;`).
public struct JobTag: Sendable, Equatable {
    public var flexTier: Int?
    public var profile: AIJob.Kind?

    public init(flexTier: Int? = nil, profile: AIJob.Kind? = nil) {
        self.flexTier = flexTier
        self.profile = profile
    }

    /// The prefix that marks Gridshell's part of a comment.
    public static let prefix = "gridshell:"

    /// The tag in a job comment; nil when the comment has none. Throws on a tag that is there but
    /// wrong (unknown key, tier outside 0–3, unknown profile, a key twice), so a typo is seen
    /// rather than silently read as "untagged".
    public static func parseComment(_ comment: String) throws(JobTagError) -> JobTag? {
        let words = comment.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "\t" || $0 == "\n" })
        let tagged = words.filter { $0.lowercased().hasPrefix(prefix) }
        guard let word = tagged.first else { return nil }
        guard tagged.count == 1 else { throw JobTagError(text: comment, problem: "more than one '\(prefix)' tag") }
        let body = word.dropFirst(prefix.count)
        guard !body.isEmpty else { throw JobTagError(text: comment, problem: "'\(prefix)' with nothing after it; expected e.g. gridshell:flex=3,profile=training") }
        var tag = JobTag()
        var seen = Set<String>()
        for pair in body.split(separator: ",", omittingEmptySubsequences: false) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                throw JobTagError(text: comment, problem: "expected key=value, found '\(pair)'")
            }
            let key = kv[0].lowercased(), value = String(kv[1])
            guard seen.insert(key).inserted else { throw JobTagError(text: comment, problem: "'\(key)' given twice") }
            switch key {
            case "flex":
                guard let n = Int(value), (0...3).contains(n) else {
                    throw JobTagError(text: comment, problem: "flex must be 0, 1, 2 or 3, found '\(value)'")
                }
                tag.flexTier = n
            case "profile":
                guard let kind = AIJob.Kind(rawValue: value.lowercased()) else {
                    let known = AIJob.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw JobTagError(text: comment, problem: "profile must be one of \(known), found '\(value)'")
                }
                tag.profile = kind
            default:
                throw JobTagError(text: comment, problem: "unknown key '\(key)'; expected flex or profile")
            }
        }
        return tag
    }

    /// The tag a QOS or partition name stands for: `inference`, `training`, `batch`, or
    /// `flex0`…`flex3` (also `gridshell-flexN`), case-insensitive; nil for any other name.
    public static func named(_ name: String, table: [String: JobTag] = defaultNames) -> JobTag? {
        var key = name.lowercased()
        if key.hasPrefix("gridshell-") { key.removeFirst("gridshell-".count) }
        if let tag = table[key] { return tag }
        if key.hasPrefix("flex"), let n = Int(key.dropFirst(4)), (0...3).contains(n) { return JobTag(flexTier: n) }
        return nil
    }

    /// Inference is firm (flex 0), training tolerates 10 % (flex 1), batch 50 % and can be
    /// dropped (flex 3).
    public static let defaultNames: [String: JobTag] = [
        "inference": JobTag(flexTier: 0, profile: .inference),
        "training": JobTag(flexTier: 1, profile: .training),
        "batch": JobTag(flexTier: 3, profile: .batch),
    ]
}

/// A job comment whose Gridshell tag is malformed.
public struct JobTagError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "job comment '\(text)': \(problem)" }
}

/// One thing wrong in a site file, located so a person can fix it.
public struct SiteFileIssue: Sendable, Equatable, CustomStringConvertible, Codable {
    public var file: String
    /// 1-based line, 0 when the problem has no place (an empty file).
    public var line: Int
    /// Dotted path of the key, e.g. `miners[2].count`.
    public var key: String
    public var message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `file:line: key: what was expected`.
    public var description: String {
        key.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(key): \(message)"
    }
}

/// Every problem found in a site file, all at once.
public struct SiteFileError: Error, Sendable, CustomStringConvertible {
    public var issues: [SiteFileIssue]
    public init(issues: [SiteFileIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

import GridshellCore

/// Decides a job's flex tier and profile from, in order: its comment tag, its QOS name, its
/// partition name, the site file's job of the same name; an untagged job is treated as firm
/// inference, so nothing unknown is ever slowed.
public struct JobTagger: Sendable {
    /// Jobs from the site file, matched by name.
    public var siteJobs: [String: AIJob]
    /// QOS and partition names and what they stand for.
    public var names: [String: JobTag]

    public init(siteJobs: [AIJob] = [], names: [String: JobTag] = JobTag.defaultNames) {
        self.siteJobs = Dictionary(siteJobs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.names = names
    }

    /// The tier, the profile, where the tier came from, and the comment's problem if its tag was
    /// malformed (then the other sources are used).
    public func tag(comment: String, qos: String, partition: String, name: String)
        -> (flexTier: Int, profile: AIJob.Kind, source: ComputeJob.TagSource, issue: JobTagError?)
    {
        var issue: JobTagError?
        var sources: [(JobTag, ComputeJob.TagSource)] = []
        do {
            if let tag = try JobTag.parseComment(comment) { sources.append((tag, .comment)) }
        } catch {
            issue = error
        }
        if let tag = JobTag.named(qos, table: names) { sources.append((tag, .qos)) }
        if let tag = JobTag.named(partition, table: names) { sources.append((tag, .partition)) }
        if let job = siteJobs[name] { sources.append((JobTag(flexTier: job.flexTier, profile: job.kind), .siteFile)) }
        let tier = sources.first { $0.0.flexTier != nil }
        let profile = sources.compactMap(\.0.profile).first
        // A tier with no stated profile: 0 is firm inference, 3 droppable batch, others training.
        let inferred: AIJob.Kind = switch tier?.0.flexTier ?? 0 {
        case 0: .inference
        case 3: .batch
        default: .training
        }
        return (tier?.0.flexTier ?? 0, profile ?? (tier == nil ? .inference : inferred), tier?.1 ?? .fallback, issue)
    }
}

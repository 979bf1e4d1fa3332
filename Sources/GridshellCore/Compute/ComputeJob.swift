import Foundation

/// A job as the scheduler reports it, with the flex tier and profile Gridshell dispatches by.
public struct ComputeJob: Sendable, Equatable, Identifiable {
    /// The scheduler's job id (Slurm's numeric id as text; `123_4` for an array task).
    public typealias ID = String

    /// Where a job is in its life; the scheduler's finer states fold into these.
    public enum State: String, Sendable, Equatable, CaseIterable {
        case pending, running, suspended, completing, completed, cancelled, failed, preempted
        /// Any other state the scheduler reports (timeout, node failure, out of memory…).
        case other
    }

    public var id: ID
    public var name: String
    public var partition: String
    public var state: State
    /// The scheduler's reason for the state, e.g. `JobHeldUser`, `BeginTime`, `Resources`.
    public var reason: String
    /// Nodes the job runs on (empty while pending).
    public var nodes: [String]
    /// GPUs the job holds or asks for, over all its nodes.
    public var gpuCount: Int
    /// GPU indices the job holds on each node, when the scheduler says (running jobs).
    public var gpuIndices: [String: [Int]]
    /// 0–3: the throughput loss the job tolerates (0, 10, 25, 50 %).
    public var flexTier: Int
    /// What kind of work it is, which sets how a power cap costs it throughput.
    public var profile: AIJob.Kind
    /// Where the tier and profile came from, so an operator can see why a job is treated so.
    public var tagSource: TagSource
    /// What was wrong with the job's own tag when it had a malformed one (the other sources
    /// were used instead).
    public var tagIssue: String?
    public var priority: Int
    /// Held: pending and kept from starting until released.
    public var held: Bool
    /// Times the job has been requeued.
    public var requeueCount: Int
    public var submitTime: Date?
    public var startTime: Date?
    /// The job's own comment, QOS and user, as the scheduler reports them.
    public var comment: String
    public var qos: String
    public var user: String
    /// The administrators' comment: where Gridshell publishes the cap it holds the job to
    /// (`gridshell:cap=0.750`), for the power agents on the job's nodes.
    public var adminComment: String

    /// Where a job's tier and profile were read from, in the order they are tried.
    public enum TagSource: String, Sendable, Equatable {
        case comment, qos, partition, siteFile, fallback
    }

    public init(
        id: ID, name: String, partition: String, state: State, reason: String = "", nodes: [String] = [],
        gpuCount: Int = 0, gpuIndices: [String: [Int]] = [:], flexTier: Int = 0, profile: AIJob.Kind = .inference,
        tagSource: TagSource = .fallback, tagIssue: String? = nil, priority: Int = 0, held: Bool = false, requeueCount: Int = 0,
        submitTime: Date? = nil, startTime: Date? = nil, comment: String = "", qos: String = "", user: String = "", adminComment: String = ""
    ) {
        self.adminComment = adminComment
        self.id = id
        self.name = name
        self.partition = partition
        self.state = state
        self.reason = reason
        self.nodes = nodes
        self.gpuCount = gpuCount
        self.gpuIndices = gpuIndices
        self.flexTier = flexTier
        self.profile = profile
        self.tagSource = tagSource
        self.tagIssue = tagIssue
        self.priority = priority
        self.held = held
        self.requeueCount = requeueCount
        self.submitTime = submitTime
        self.startTime = startTime
        self.comment = comment
        self.qos = qos
        self.user = user
    }

    /// The word of the AdminComment that carries Gridshell's cap: `gridshell:cap=0.750`.
    static let capPrefix = "gridshell:cap="

    /// The AdminComment's words, as Gridshell writes them (separated by spaces).
    private var adminWords: [Substring] { adminComment.split(separator: " ") }

    /// The cap Gridshell published for the job, as a fraction of full GPU power (nil: none).
    public var publishedCap: Double? {
        for word in adminWords where word.hasPrefix(Self.capPrefix) {
            if let f = Double(word.dropFirst(Self.capPrefix.count)), f > 0, f <= 1 { return f }
        }
        return nil
    }

    /// `adminComment` with the published cap set to `fraction` (nil removes it); other words stay.
    /// A cap is read from the same words it is removed from, so a cap that can be read can
    /// always be withdrawn.
    public func adminComment(withCap fraction: Double?) -> String {
        var words = adminWords.map(String.init).filter { !$0.hasPrefix(Self.capPrefix) }
        if let fraction { words.append(String(format: "\(Self.capPrefix)%.3f", fraction)) }
        return words.joined(separator: " ")
    }

    /// Holds GPUs now (running, or suspended, which keeps them).
    public var holdsGPUs: Bool { state == .running || state == .suspended || state == .completing }
}

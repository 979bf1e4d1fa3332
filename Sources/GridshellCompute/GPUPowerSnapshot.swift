import Foundation
import GridshellCore

/// What the GPU power agent saw and did on one pass, for the server and the operator.
public struct GPUPowerSnapshot: Sendable, Equatable {
    /// One GPU: its reading, the job on it, and the limit the agent holds it to.
    public struct GPU: Sendable, Equatable {
        public var reading: GPUReading
        /// The job the scheduler has put on this GPU, if any.
        public var job: ComputeJob.ID?
        /// The limit the agent wants, W; nil when the GPU is not capped.
        public var targetW: Double?
        /// The cap asked for fell outside the GPU's range and was put at its edge.
        public var clamped: Bool
        /// Why the cap could not be applied, if it could not.
        public var problem: String?
    }

    /// One job on this node: its GPUs and their power.
    public struct Job: Sendable, Equatable {
        public var gpus: [Int]
        /// Power drawn by its GPUs, W (GPUs reading `[N/A]` count as 0).
        public var drawW: Double
        /// The sum of its GPUs' enforced limits, W.
        public var limitW: Double

        public init(gpus: [Int], drawW: Double, limitW: Double) {
            self.gpus = gpus
            self.drawW = drawW
            self.limitW = limitW
        }
    }

    public var time: Date
    public var node: String
    public var gpus: [GPU]
    public var jobs: [ComputeJob.ID: Job]
    /// Power drawn by every GPU on the node, W.
    public var nodeDrawW: Double
    /// Limits set on this pass, and of those, limits set again because the GPU had let go of
    /// one set earlier.
    public var limitsSet: Int
    public var limitsReapplied: Int
    /// What went wrong on this pass (a tool failing, a cap out of reach), one line each.
    public var problems: [String]
}

import Foundation
import GridshellCore

/// A job's work requirement on a run's interval grid: the work left at the start, the intervals
/// whose work counts toward it, and what each GPU-hour still missing after them costs.
public struct DeadlineCommitment: Sendable, Equatable {
    /// Index of the job in `DispatchSite.loads`.
    public var load: Int
    /// `cluster/job`, as plans and reports name it.
    public var name: String
    public var gpus: Double
    /// Work left at the start of the run, GPU-hours at full throughput.
    public var workGPUHours: Double
    public var deadline: Date
    /// Work done in intervals `0..<dueIntervals` counts: those end by the deadline.
    public var dueIntervals: Int
    public var penaltyUSDPerGPUHour: Double
    /// The deadline falls inside the run, at or after the end of its first interval: the run
    /// settles it. A deadline after the run's end is watched by the online policies but not
    /// judged; one before the first interval ends was out of the run's hands and is left out.
    public var isJudged: Bool

    /// Time to reload a checkpoint and bring a large job back to full speed.
    public static let restartHours = 0.5

    /// Online policies hold a job at full power once its slack is below this: the restart time
    /// plus two intervals, one for the decision that sees the slack late and one for a price
    /// forecast that was wrong.
    public static func marginHours(intervalHours h: Double) -> Double { restartHours + 2 * h }

    /// The commitments of the site's jobs with a deadline on a grid of `count` intervals of
    /// `intervalHours` from `start`.
    public static func all(site: DispatchSite, start: Date, intervalHours h: Double, count: Int) -> [DeadlineCommitment] {
        var result: [DeadlineCommitment] = []
        for (i, load) in site.loads.enumerated() {
            guard case .job(let c, let j) = load.kind else { continue }
            let cluster = site.site.gpuClusters[c]
            let job = cluster.jobs[j]
            guard let work = job.workGPUHours, let deadline = job.deadline else { continue }
            let hours = deadline.timeIntervalSince(start) / 3600
            guard hours > 0 else { continue }
            // A deadline within a microsecond of an interval's end counts that interval.
            let due = Int((hours / h + 1e-9).rounded(.down))
            guard due >= 1 else { continue }
            result.append(DeadlineCommitment(
                load: i, name: load.name, gpus: Double(job.gpus), workGPUHours: work, deadline: deadline,
                dueIntervals: due, penaltyUSDPerGPUHour: job.shortfallPenaltyUSDPerGPUHour, isJudged: due <= count))
        }
        return result
    }
}

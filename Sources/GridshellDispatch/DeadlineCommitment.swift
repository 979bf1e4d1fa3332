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

/// Where one deadline stands at the start of an interval, as an online policy sees it.
public struct DeadlineStatus: Sendable, Equatable, Codable {
    /// Index of the job in `DispatchSite.loads`.
    public var load: Int
    public var job: String
    public var gpus: Double
    public var workLeftGPUHours: Double
    /// Hours from the interval's start to the end of the last interval that counts.
    public var hoursLeft: Double
    /// Hours to spare at full power: `hoursLeft − workLeft ÷ gpus`.
    public var slackHours: Double
    /// The slack is below the margin: the job runs at full power this interval.
    public var keepAtFullPower: Bool
}

/// Work done toward each deadline, interval by interval, and what is settled when a deadline's
/// last interval is over. Every policy's ledger goes through it, so all pay the same penalties.
public struct DeadlineTracker: Sendable {
    public let commitments: [DeadlineCommitment]
    public private(set) var workLeftGPUHours: [Double]

    public init(_ commitments: [DeadlineCommitment]) {
        self.commitments = commitments
        workLeftGPUHours = commitments.map(\.workGPUHours)
    }

    /// The deadlines still open at the start of interval `t`.
    public func statuses(at t: Int, intervalHours h: Double) -> [DeadlineStatus] {
        let margin = DeadlineCommitment.marginHours(intervalHours: h)
        var result: [DeadlineStatus] = []
        for (k, c) in commitments.enumerated() where t < c.dueIntervals {
            let left = max(workLeftGPUHours[k], 0)
            let hours = Double(c.dueIntervals - t) * h
            let slack = hours - left / c.gpus
            result.append(DeadlineStatus(
                load: c.load, job: c.name, gpus: c.gpus, workLeftGPUHours: left, hoursLeft: hours, slackHours: slack,
                keepAtFullPower: left > 1e-9 && slack < margin))
        }
        return result
    }

    /// Records the levels of interval `t` into `entry`: the work the flexible jobs did, and the
    /// penalty of every deadline whose last interval this is.
    public mutating func record(levels: [Double], at t: Int, loads: [FlexibleLoad], into entry: inout LedgerEntry) {
        for (k, c) in commitments.enumerated() where t < c.dueIntervals {
            workLeftGPUHours[k] -= loads[c.load].work(level: levels[c.load]) * entry.hours
            guard t == c.dueIntervals - 1, c.isJudged else { continue }
            let missing = max(0, workLeftGPUHours[k])
            entry.deadlinePenaltyUSD += missing * c.penaltyUSDPerGPUHour
            // Work short by less than a millionth of a GPU-hour is rounding, not a miss.
            if missing > 1e-6 { entry.deadlinesMissed += 1 } else { entry.deadlinesMet += 1 }
        }
    }

    /// GPU-hours missing at each judged deadline already settled by the end of interval `t`.
    public func shortfalls(after t: Int) -> [(commitment: Int, missingGPUHours: Double)] {
        commitments.indices.compactMap { k in
            let c = commitments[k]
            guard c.isJudged, c.dueIntervals - 1 <= t else { return nil }
            return (k, max(0, workLeftGPUHours[k]))
        }
    }
}

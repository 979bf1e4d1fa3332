import GridshellCore

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

    /// Carries on from work already done (a controller restarted from its store).
    public mutating func restore(workLeftGPUHours left: [Double]) {
        precondition(left.count == commitments.count, "one figure per deadline")
        workLeftGPUHours = left
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

import Foundation
import GridshellCore

/// An online policy one interval at a time: the backtest replays it over history, and
/// `gridshell serve` runs it live. It decides an interval before its price is known, and is
/// told what happened once the interval is over. Its memory is a value that can be saved with
/// the ledger line that settled it, so a restarted controller carries on where it stopped.
public struct OnlineDispatcher: Sendable {
    /// What the policy remembers between intervals.
    public struct Memory: Sendable, Codable, Equatable {
        /// The interval the next decision is for.
        public var next: Int
        /// Each load's level in the last settled interval.
        public var previous: [Double]
        var lastUp: [Int]
        var lastDown: [Int]
        var aboveCount: [Int]
        var belowCount: [Int]
        var strikeOn: [Bool]
        /// Month → highest 4CP-window price seen.
        var riskMax: [Int: Double]
        /// GPU-hours still owed to each deadline.
        public var workLeftGPUHours: [Double]
    }

    /// An operator's limits on one decision.
    public struct Constraints: Sendable, Equatable {
        /// Hold the site under this many MW (beside the interconnect and any event).
        public var capMW: Double?
        /// Loads (indices in `DispatchSite.loads`) held at their floor: curtailed miner groups.
        public var curtailed: Set<Int>
        /// Hold every load at its last level: the policy is paused.
        public var paused: Bool
        /// Decide as if energy cost this much, whatever was observed: the conservative price a
        /// site falls back to when its price feed is stale.
        public var assumedPriceUSDPerMWh: Double?
        /// The newest price published, when a live feed brings them (a replay sees the interval
        /// before the one it decides).
        public var observedPriceUSDPerMWh: Double?
        /// The grid operator has deployed the site's awards: the droppable floor they hold is
        /// being delivered, so the plan need not keep it online.
        public var awardDeployed = false
        /// A live peak-risk signal's chance that this interval sets a 4CP peak (nil: the
        /// backtest's signal, or the price proxy).
        public var fourCPProbability: Double?

        public init(
            capMW: Double? = nil, curtailed: Set<Int> = [], paused: Bool = false, assumedPriceUSDPerMWh: Double? = nil,
            observedPriceUSDPerMWh: Double? = nil
        ) {
            self.capMW = capMW
            self.curtailed = curtailed
            self.paused = paused
            self.assumedPriceUSDPerMWh = assumedPriceUSDPerMWh
            self.observedPriceUSDPerMWh = observedPriceUSDPerMWh
        }

        public static let none = Constraints()
    }

    /// One interval's decision.
    public struct Decision: Sendable {
        public var interval: Int
        public var solution: IntervalSolution
        public var statuses: [DeadlineStatus]
        public var market: IntervalMarket
        /// The price the decision assumed.
        public var forecastUSDPerMWh: Double
        /// What the policy will remember once the interval is settled: the strike counters and
        /// the 4CP-window maxima as this decision moved them.
        var aboveCount: [Int]
        var belowCount: [Int]
        var strikeOn: [Bool]
        var riskMax: [Int: Double]
        /// The 4CP window the decision weighed, if any.
        public var fourCP: FourCPWindow?
        /// The plan, with its reasons, against the previous levels.
        public func plan(site: DispatchSite, previous: [Double]) -> DispatchPlan {
            DispatchPlan(site: site, solution: solution, previous: previous, market: market, priceUSDPerMWh: forecastUSDPerMWh, deadlines: statuses)
        }
    }

    public private(set) var backtest: Backtest
    public let policy: Policy
    public private(set) var memory: Memory
    private var tracker: DeadlineTracker
    private let calendar: Calendar

    /// Starts `policy` (an online one) at interval `first`, every load at stock.
    public init(backtest: Backtest, policy: Policy, startingAt first: Int = 0) {
        precondition(policy.isOnline, "the hindsight optimum is not an online policy")
        let n = backtest.inputs.site.loads.count
        let tracker = DeadlineTracker(backtest.inputs.deadlines)
        self.init(
            backtest: backtest, policy: policy,
            memory: Memory(
                next: first, previous: backtest.stockLevels, lastUp: .init(repeating: Int.min / 2, count: n),
                lastDown: .init(repeating: Int.min / 2, count: n), aboveCount: .init(repeating: 0, count: n),
                belowCount: .init(repeating: 0, count: n), strikeOn: .init(repeating: true, count: n), riskMax: [:],
                workLeftGPUHours: tracker.workLeftGPUHours))
    }

    /// Carries on from saved `memory`; it must have been made for a site with the same loads.
    public init(backtest: Backtest, policy: Policy, memory: Memory) {
        self.backtest = backtest
        self.policy = policy
        self.memory = memory
        var tracker = DeadlineTracker(backtest.inputs.deadlines)
        tracker.restore(workLeftGPUHours: memory.workLeftGPUHours)
        self.tracker = tracker
        self.calendar = .ercot
    }

    /// Whether saved memory fits this site (same number of loads and deadlines).
    public static func fits(_ memory: Memory, backtest: Backtest) -> Bool {
        let n = backtest.inputs.site.loads.count
        return memory.previous.count == n && memory.lastUp.count == n && memory.lastDown.count == n && memory.aboveCount.count == n
            && memory.belowCount.count == n && memory.strikeOn.count == n
            && memory.workLeftGPUHours.count == backtest.inputs.deadlines.count
    }

    /// Decides interval `memory.next`, seeing prices only up to the one before it. Does not
    /// change the memory: `settle` does, once the interval is over.
    public func decide(_ constraints: Constraints = .none) -> Decision {
        let inputs = backtest.inputs
        let solver = backtest.solver
        let loads = inputs.site.loads
        let h = inputs.hours
        let t = memory.next
        let stock = backtest.stockLevels
        let previous = memory.previous
        let observed: Double = constraints.assumedPriceUSDPerMWh ?? constraints.observedPriceUSDPerMWh
            ?? (inputs.pricesKnownAhead
                ? inputs.prices.pricesUSDPerMWh[t] : (t > 0 ? inputs.prices.pricesUSDPerMWh[t - 1] : (inputs.dayAhead?[0] ?? 0)))
        // Minimum on/off times: a group that just rose may not fall yet, and the reverse.
        var lower = [Double](repeating: 0, count: loads.count)
        var upper = loads.map { Double($0.steps) }
        for (i, load) in loads.enumerated() where load.isMiner {
            guard case .miners(let g) = load.kind else { continue }
            let group = inputs.site.site.minerGroups[g]
            if Double(t - memory.lastUp[i]) * h * 60 < group.minOnMinutes { lower[i] = previous[i] }
            if Double(t - memory.lastDown[i]) * h * 60 < group.minOffMinutes { upper[i] = previous[i] }
        }
        // A job short of slack runs at full power: it may not be capped or paused.
        let statuses = tracker.statuses(at: t, intervalHours: h)
        var keep = [Bool](repeating: false, count: loads.count)
        for s in statuses where s.keepAtFullPower {
            keep[s.load] = true
            lower[s.load] = Double(loads[s.load].steps)
        }
        // The operator's word comes before the policy's (but not before a deadline's hold).
        for i in constraints.curtailed where loads.indices.contains(i) && loads[i].isMiner {
            lower[i] = 0
            upper[i] = 0
        }
        if constraints.paused {
            for i in loads.indices where !keep[i] && !constraints.curtailed.contains(i) {
                lower[i] = previous[i]
                upper[i] = previous[i]
            }
        }
        var desired: [Double]
        var forecast = observed
        var riskMax = memory.riskMax
        var fourCPWeight = 0.0
        var baselineLevels: [Double]?
        // The interval's market under the operator's and the grid's limits.
        func constrained(_ fourCPWeight: Double) -> IntervalMarket {
            var m = inputs.market(at: t, price: forecast, fourCPWeight: fourCPWeight)
            if let cap = constraints.capMW { m.capMW = min(m.capMW, cap) }
            if constraints.awardDeployed { m.floorMW = 0 }
            return m
        }
        var aboveCount = memory.aboveCount, belowCount = memory.belowCount, strikeOn = memory.strikeOn
        switch policy {
        case .alwaysOn, .hindsight:
            desired = stock
        case .strike(let strike, let offAfter, let onAfter):
            desired = stock
            for (i, load) in loads.enumerated() where load.isMiner {
                let level = stock[i]
                let unitsPerMW = level > 0 ? (load.units(level: level) - load.units(level: 0)) / (load.powerMW(level: level) - load.floorMW) : 0
                let threshold = strike ?? unitsPerMW * inputs.minerUSDPerTHHour[t]
                // The counters move with the decision; `settle` keeps what they became.
                if observed > threshold { aboveCount[i] += 1; belowCount[i] = 0 } else { belowCount[i] += 1; aboveCount[i] = 0 }
                if strikeOn[i], aboveCount[i] >= offAfter { strikeOn[i] = false }
                if !strikeOn[i], belowCount[i] >= onAfter { strikeOn[i] = true }
                desired[i] = strikeOn[i] ? level : 0
            }
        case .gridshell(let settings):
            if constraints.assumedPriceUSDPerMWh == nil, !inputs.pricesKnownAhead, settings.useDayAhead, let da = inputs.dayAhead, t > 0 {
                forecast = da[t] + (observed - da[t - 1])
            }
            if let p = constraints.fourCPProbability ?? inputs.fourCPRisk?[t] {
                fourCPWeight = p
            } else {
                let risk = backtest.fourCPRisk(
                    t, forecast: settings.useDayAhead && constraints.assumedPriceUSDPerMWh == nil ? (inputs.dayAhead?[t] ?? forecast) : forecast, settings: settings,
                    calendar: calendar, riskMax: &riskMax)
                fourCPWeight = risk ? 1 : 0
            }
            desired = solver.solve(constrained(fourCPWeight), lower: lower, upper: upper).levels
            if fourCPWeight > 0, inputs.site.site.contract.transmission4CPUSDPerKWYear != nil {
                // What the site would draw with no window: the tag it avoids is the difference.
                baselineLevels = solver.solve(constrained(0), lower: lower, upper: upper).levels
            }
        }
        // Commitments first: the cap and the award floor may override the policy.
        let market = constrained(0)
        func settled(_ wanted: [Double]) -> IntervalSolution {
            var levels = wanted
            for i in loads.indices { levels[i] = min(max(levels[i], lower[i]), upper[i]) }
            let s = solver.solve(market, lower: levels, upper: levels, keep: keep)
            return backtest.finalise(s, previous: previous, t: t, keep: keep, capMW: constraints.capMW)
        }
        let solution = settled(desired)
        var window: FourCPWindow?
        if let baselineLevels {
            let base = settled(baselineLevels)
            let avoided = max(0, base.siteMW - solution.siteMW)
            let rate = inputs.site.site.contract.transmission4CPUSDPerKWYear ?? 0
            window = FourCPWindow(
                probability: fourCPWeight, baselineMW: base.siteMW, avoidedMW: avoided, expectedSavingUSD: avoided * rate * 250 * fourCPWeight)
        }
        return Decision(
            interval: t, solution: solution, statuses: statuses, market: market, forecastUSDPerMWh: forecast, aboveCount: aboveCount,
            belowCount: belowCount, strikeOn: strikeOn, riskMax: riskMax, fourCP: window)
    }

    /// A price feed's word on interval `t` (live prices arrive as they are published). Outside
    /// the series it is ignored.
    public mutating func setPrice(_ usdPerMWh: Double, at t: Int) {
        guard backtest.inputs.prices.pricesUSDPerMWh.indices.contains(t), usdPerMWh.isFinite else { return }
        backtest.inputs.prices.pricesUSDPerMWh[t] = usdPerMWh
    }

    /// The demand-response events the site is in, as they now stand (live, they arrive from the
    /// grid operator): their credit is counted when an interval is settled.
    public mutating func setEvents(_ events: [DemandResponseEvent]) {
        if backtest.inputs.events != events { backtest.inputs.events = events }
    }

    /// Mining revenue per TH/s-hour from interval `t` on, as a Bitcoin feed now has it.
    public mutating func setMinerUSDPerTHHour(_ value: Double, from t: Int) {
        let n = backtest.inputs.minerUSDPerTHHour.count
        guard value.isFinite, value >= 0, t < n else { return }
        for i in max(0, t)..<n where backtest.inputs.minerUSDPerTHHour[i] != value { backtest.inputs.minerUSDPerTHHour[i] = value }
    }

    /// The interval `decision` was for is over: its money at the real price, and the memory moves
    /// on to the next interval.
    public mutating func settle(_ decision: Decision) -> LedgerEntry {
        let inputs = backtest.inputs
        let loads = inputs.site.loads
        let t = decision.interval
        precondition(t == memory.next, "settle the interval that was decided")
        let solution = decision.solution
        memory.aboveCount = decision.aboveCount
        memory.belowCount = decision.belowCount
        memory.strikeOn = decision.strikeOn
        memory.riskMax = decision.riskMax
        for i in loads.indices {
            if solution.levels[i] > memory.previous[i] + 1e-9 { memory.lastUp[i] = t }
            if solution.levels[i] < memory.previous[i] - 1e-9 { memory.lastDown[i] = t }
        }
        var entry = backtest.ledger(t, solution: solution, previous: memory.previous, physics: true)
        if var window = decision.fourCP {
            window.confirmedPeak = inputs.fourCPIntervals.contains(t)
            entry.fourCP = window
        }
        tracker.record(levels: solution.levels, at: t, loads: loads, into: &entry)
        memory.workLeftGPUHours = tracker.workLeftGPUHours
        memory.previous = solution.levels
        memory.next = t + 1
        return entry
    }

    /// Deadlines the run has settled by now, with the GPU-hours missing from each.
    public var shortfalls: [(job: String, missingGPUHours: Double)] {
        tracker.shortfalls(after: memory.next - 1).map { (tracker.commitments[$0.commitment].name, $0.missingGPUHours) }
    }

    /// Work done toward each deadline so far.
    public var workDoneGPUHours: [Double] {
        zip(tracker.commitments, tracker.workLeftGPUHours).map { $0.workGPUHours - $1 }
    }
}

import Foundation
import GridshellCore

/// The outcome of one policy over a backtest.
public struct PolicyRun: Sendable {
    public var policy: String
    public var totals: LedgerTotals
    public var entries: [LedgerEntry]
    /// Levels chosen per interval (kept only when asked for).
    public var levels: [[Double]]?
    /// Each interval's plan with its reasons (kept only when asked for).
    public var plans: [DispatchPlan]?
    /// Each deadline the run settles: the job, and the GPU-hours missing (0 when met).
    public var deadlines: [(job: String, missingGPUHours: Double)] = []
    /// The hindsight optimum's multipliers, USD per GPU-hour, one per priced deadline.
    public var multipliers: [Double] = []
    /// Passes over the run the multipliers took (0 when none was needed).
    public var multiplierPasses = 0
    /// Wall-clock seconds the run took.
    public var seconds: Double = 0
}

/// Replays a site over historical prices under a policy, interval by interval, with the fleet's
/// ramps, and keeps the ledger.
public struct Backtest: Sendable {
    /// What it replays; a live run fills in prices and hashprice as the feeds bring them.
    public internal(set) var inputs: BacktestInputs
    public let solver: IntervalSolver

    public init(inputs: BacktestInputs) {
        self.inputs = inputs
        self.solver = IntervalSolver(site: inputs.site)
    }

    /// The level of each load when running flat out at stock (always-on).
    public var stockLevels: [Double] {
        inputs.site.loads.map { load in
            guard load.isMiner else { return Double(load.steps) }
            // The highest hull point at or below stock frequency.
            let index = load.hull.lastIndex { $0.relative <= 1 + 1e-9 } ?? load.steps
            return Double(index)
        }
    }

    /// Runs `policy`; `keepEntries` keeps every ledger line, `keepLevels` every decision,
    /// `keepPlans` every interval's plan with its reasons.
    public func run(
        _ policy: Policy, keepEntries: Bool = true, keepLevels: Bool = false, keepPlans: Bool = false, progress: ((Int) -> Void)? = nil
    ) -> PolicyRun {
        let clock = ContinuousClock()
        let began = clock.now
        var (result, plainWork) = replay(policy, hindsight: HindsightPlan(solver: solver), keepEntries: keepEntries, keepLevels: keepLevels, keepPlans: keepPlans, progress: progress)
        if policy == .hindsight, zip(inputs.deadlines, plainWork).contains(where: { $0.isJudged && $0.penaltyUSDPerGPUHour > 0 && $1 < $0.workGPUHours - 1e-9 }) {
            // The merit order alone left work undone at a deadline: price the deadlines, replay.
            let plan = HindsightPlan(self, plainWork: plainWork)
            if !plan.multipliers.isEmpty {
                (result, _) = replay(policy, hindsight: plan, keepEntries: keepEntries, keepLevels: keepLevels, keepPlans: keepPlans, progress: progress)
                result.multipliers = plan.multipliers
                result.multiplierPasses = plan.passes
            }
        }
        let elapsed = clock.now - began
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    /// One pass over the run; also returns the work done toward each of `inputs.deadlines`
    /// before it.
    private func replay(
        _ policy: Policy, hindsight: HindsightPlan, keepEntries: Bool, keepLevels: Bool, keepPlans: Bool, progress: ((Int) -> Void)?
    ) -> (PolicyRun, [Double]) {
        let loads = inputs.site.loads
        let n = inputs.count
        let stock = stockLevels
        var previous = stock
        var totals = LedgerTotals()
        var entries: [LedgerEntry] = []
        if keepEntries { entries.reserveCapacity(n) }
        var allLevels: [[Double]] = []
        var plans: [DispatchPlan] = []
        var tracker = DeadlineTracker(inputs.deadlines)

        if policy.isOnline {
            var online = OnlineDispatcher(backtest: self, policy: policy)
            for t in 0..<n {
                let decision = online.decide()
                let before = online.memory.previous
                let entry = online.settle(decision)
                totals.add(entry)
                if keepEntries { entries.append(entry) }
                if keepLevels { allLevels.append(decision.solution.levels) }
                if keepPlans { plans.append(decision.plan(site: inputs.site, previous: before)) }
                if let progress, t % 512 == 0 || t == n - 1 { progress(t + 1) }
            }
            var run = PolicyRun(
                policy: policy.description, totals: totals, entries: entries, levels: keepLevels ? allLevels : nil, plans: keepPlans ? plans : nil)
            run.deadlines = online.shortfalls
            return (run, online.workDoneGPUHours)
        }
        for t in 0..<n {
            let actual = inputs.prices.pricesUSDPerMWh[t]
            let market = inputs.market(at: t, price: actual)
            let solution = hindsight.solution(at: t, market: market)
            var entry = ledger(t, solution: solution, previous: previous, physics: false)
            tracker.record(levels: solution.levels, at: t, loads: loads, into: &entry)
            totals.add(entry)
            if keepEntries { entries.append(entry) }
            if keepLevels { allLevels.append(solution.levels) }
            if keepPlans {
                plans.append(DispatchPlan(site: inputs.site, solution: solution, previous: previous, market: market, priceUSDPerMWh: actual))
            }
            previous = solution.levels
            if let progress, t % 512 == 0 || t == n - 1 { progress(t + 1) }
        }
        var run = PolicyRun(
            policy: policy.description, totals: totals, entries: entries, levels: keepLevels ? allLevels : nil, plans: keepPlans ? plans : nil)
        run.deadlines = tracker.shortfalls(after: n - 1).map { (tracker.commitments[$0.commitment].name, $0.missingGPUHours) }
        let done = zip(tracker.commitments, tracker.workLeftGPUHours).map { $0.workGPUHours - $1 }
        return (run, done)
    }

    /// Online plans command whole miners, and the site ramps up in stages (loads marked in
    /// `keep` last).
    func finalise(_ solution: IntervalSolution, previous: [Double], t: Int, keep: [Bool]? = nil, capMW: Double? = nil) -> IntervalSolution {
        var s = solution
        let loads = inputs.site.loads
        var roundedUp: [(Int, Double)] = []
        for (i, load) in loads.enumerated() where load.isMiner {
            let step = min(Int(s.levels[i]), max(load.steps - 1, 0))
            let fraction = s.levels[i] - Double(step)
            let down = Double(step) + (fraction * Double(load.count) + 1e-9).rounded(.down) / Double(load.count)
            if down < s.levels[i] - 1e-12 { roundedUp.append((i, down + 1 / Double(load.count))) }
            s.levels[i] = down
        }
        // Rounding down must not break the award floor: round up again, within the cap.
        var siteMW = inputs.site.firmMW - s.shedMW + loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: s.levels[$1]) }
        var droppable = loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: s.levels[$1]) - loads[$1].floorMW }
        let cap = min(inputs.market(at: t, price: 0).capMW, capMW ?? .infinity)
        for (i, up) in roundedUp where droppable < inputs.awardMW - 1e-9 {
            let delta = loads[i].powerMW(level: up) - loads[i].powerMW(level: s.levels[i])
            if siteMW + delta <= cap + 1e-9 {
                s.levels[i] = up
                siteMW += delta
                droppable += delta
            }
        }
        // Ramp-up limit: increases are scaled back together, those of kept loads only once the
        // others are gone.
        let limit = inputs.site.rampUpMWPerMinute * inputs.hours * 60
        var rise = 0.0, keptRise = 0.0
        for (i, load) in loads.enumerated() {
            let up = max(0, load.powerMW(level: s.levels[i]) - load.powerMW(level: previous[i]))
            if keep?[i] == true { keptRise += up } else { rise += up }
        }
        if rise + keptRise > limit + 1e-9 {
            let share = rise > 0 ? max(0, limit - keptRise) / rise : 0
            let keptShare = keptRise > limit ? limit / keptRise : 1
            for (i, load) in loads.enumerated() where s.levels[i] > previous[i] {
                let scale = keep?[i] == true ? keptShare : share
                guard scale < 1 else { continue }
                let target = load.powerMW(level: previous[i]) + scale * (load.powerMW(level: s.levels[i]) - load.powerMW(level: previous[i]))
                s.levels[i] = level(of: load, atPowerMW: target, from: previous[i])
            }
        }
        s.siteMW = inputs.site.firmMW - s.shedMW + loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: s.levels[$1]) }
        s.droppableMW = loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: s.levels[$1]) - loads[$1].floorMW }
        s.shortMW = max(0, inputs.awardMW - s.droppableMW)
        return s
    }

    func level(of load: FlexibleLoad, atPowerMW target: Double, from: Double) -> Double {
        var level = from
        while level < Double(load.steps) {
            let step = min(Int(level), load.steps - 1)
            let a = load.hull[step].powerMW, b = load.hull[step + 1].powerMW
            if target <= b + 1e-12 {
                let l = Double(step) + (target - a) / (b - a)
                return load.isMiner ? Double(step) + ((l - Double(step)) * Double(load.count)).rounded(.down) / Double(load.count) : l
            }
            level = Double(step + 1)
        }
        return level
    }

    /// Whether interval `t` looks like a 4CP peak, knowing only the past and the forecast.
    func fourCPRisk(_ t: Int, forecast: Double, settings: GridshellSettings, calendar: Calendar, riskMax: inout [Int: Double]) -> Bool {
        guard inputs.site.site.contract.transmission4CPUSDPerKWYear != nil else { return false }
        let c = calendar.dateComponents([.month, .hour, .weekday], from: inputs.prices.date(at: t))
        guard let month = c.month, (6...9).contains(month), let hour = c.hour, let weekday = c.weekday,
            (2...6).contains(weekday), hour >= settings.riskStartHour, hour < settings.riskEndHour
        else { return false }
        let seen = riskMax[month] ?? 0
        riskMax[month] = max(seen, forecast)
        return forecast >= settings.riskPriceShare * max(seen, forecast)
    }

    /// The money of interval `t` at the real price; `physics` charges ramps and checkpoints.
    public func ledger(_ t: Int, solution: IntervalSolution, previous: [Double], physics: Bool) -> LedgerEntry {
        let site = inputs.site
        let h = inputs.hours
        let seconds = h * 3600
        let price = inputs.prices.pricesUSDPerMWh[t]
        let perTH = inputs.minerUSDPerTHHour[t]
        var e = LedgerEntry(start: inputs.prices.date(at: t), hours: h, priceUSDPerMWh: price)
        var minerTHh = 0.0, extraMWh = 0.0, asleep = 0.0, miners = 0.0
        var aiMW = site.firmMW - solution.shedMW
        e.aiRevenueUSD = site.firmValueUSDPerHour * h
        var jobLines: [JobLedgerLine] = []
        for (i, load) in site.loads.enumerated() {
            let level = solution.levels[i]
            let power = load.powerMW(level: level)
            switch load.kind {
            case .miners(let g):
                e.minerMW += power
                minerTHh += load.units(level: level) * h
                let n = Double(load.count)
                let hashingNow = hashing(load, level) * n, hashingBefore = hashing(load, previous[i]) * n
                asleep += n - hashingNow
                miners += n
                if physics {
                    let ramp = site.site.minerGroups[g].firmware.ramp
                    let thPerMiner = hashingNow > 0 ? (load.units(level: level)) / hashingNow : 0
                    let woken = max(0, hashingNow - hashingBefore)
                    let slept = max(0, hashingBefore - hashingNow)
                    minerTHh -= woken * thPerMiner * min(ramp.rampUpSeconds, seconds) / 3600
                    let mwBefore = hashingBefore > 0 ? (load.powerMW(level: previous[i]) - load.floorMW) / hashingBefore : 0
                    extraMWh += slept * mwBefore * min(ramp.rampDownSeconds, seconds) / 3600
                    // Miners that stay on but change profile lose hashing while they change.
                    let moved = max(0, movedMiners(load, from: previous[i], to: level) - woken - slept) / 2
                    minerTHh -= moved * thPerMiner * min(ramp.profileChangeSeconds, seconds) / 3600
                }
            case .job(let c, let j):
                aiMW += power
                let units = load.units(level: level)
                let lost = (load.units(level: Double(load.steps)) - units) * h
                e.aiRevenueUSD += units * h
                e.jobWorkGPUHours += load.work(level: level) * h
                e.aiThroughputLostUSD += lost
                let pausedNow = physics && previous[i] >= 1 - 1e-9 && level < 1 - 1e-9 && load.hull[0].units == 0
                let checkpoint = pausedNow ? site.site.gpuClusters[c].jobs[j].checkpointCostUSD : 0
                e.checkpointCostUSD += checkpoint
                if inputs.jobLines {
                    let full = load.powerMW(level: Double(load.steps))
                    jobLines.append(JobLedgerLine(
                        job: site.site.gpuClusters[c].jobs[j].name, powerShare: full > 0 ? min(max(power / full, 0), 1) : 1, powerMW: power, revenueUSD: units * h,
                        throughputLostUSD: lost, checkpointCostUSD: checkpoint))
                }
            }
        }
        e.aiMW = aiMW
        if !jobLines.isEmpty { e.jobs = jobLines }
        e.siteMW = aiMW + e.minerMW
        e.energyMWh = e.siteMW * h + extraMWh
        e.miningRevenueUSD = max(minerTHh, 0) * perTH
        e.curtailedShare = miners > 0 ? asleep / miners : 0
        let contract = site.site.contract
        switch contract.kind {
        case .realTimeIndex:
            e.energyCostUSD = e.energyMWh * (price + contract.adderUSDPerMWh)
        case .fixedPrice(let fixed, let block, let sellBack):
            let blockMWh = block * h
            e.energyCostUSD = (sellBack ? min(e.energyMWh, blockMWh) * fixed : blockMWh * fixed)
                + max(0, e.energyMWh - blockMWh) * (price + contract.adderUSDPerMWh)
            if sellBack { e.powerCreditsUSD = max(0, blockMWh - e.energyMWh) * (price - fixed) }
        }
        if inputs.fourCPIntervals.contains(t), let rate = contract.transmission4CPUSDPerKWYear {
            e.fourCPChargeUSD = e.siteMW * rate * 250
            e.aiRevenueUSD += site.passThroughMW * rate * 250
        }
        // Triple-net tenants pay for their energy at the site's marginal cost.
        e.aiRevenueUSD += site.passThroughMW * h * (price + contract.adderUSDPerMWh)
        // An event earns for the part of the interval it covers.
        for (event, share) in inputs.events(at: t) {
            e.gridCreditsUSD += max(0, inputs.baselineMW - e.siteMW) * event.creditUSDPerMWh * h * share
        }
        e.gridCreditsUSD += inputs.awardUSDPerHour * h
        e.penaltiesUSD = (solution.shortMW * IntervalMarket.defaultFloorPenaltyUSDPerMWh + solution.shedMW * IntervalMarket.defaultShedPenaltyUSDPerMWh) * h
        e.slaBreach = solution.shedMW > 1e-9
        return e
    }

    /// Share of a group hashing at a level (hull point 0 is asleep).
    func hashing(_ load: FlexibleLoad, _ level: Double) -> Double { min(max(level, 0), 1) }

    /// Miners whose point differs between two levels (counted at both ends).
    func movedMiners(_ load: FlexibleLoad, from a: Double, to b: Double) -> Double {
        var counts = [Double](repeating: 0, count: load.hull.count)
        func add(_ level: Double, _ sign: Double) {
            let l = min(max(level, 0), Double(load.steps))
            let i = min(Int(l), max(load.steps - 1, 0))
            let f = l - Double(i)
            counts[i] += sign * (1 - f) * Double(load.count)
            if load.steps > 0 { counts[i + 1] += sign * f * Double(load.count) }
        }
        add(b, 1)
        add(a, -1)
        return counts.reduce(0) { $0 + abs($1) }
    }
}

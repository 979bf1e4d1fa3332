/// What one interval's decision faces: its length, what a TH is worth, what power costs, the cap
/// and the floor the grid commitments set.
public struct IntervalMarket: Sendable, Equatable {
    /// Marginal cost of site power: `usdPerMWh` for the site's MW up to `upToMW` (the last tier is
    /// open-ended). Costs must not fall from one tier to the next.
    public struct CostTier: Sendable, Equatable {
        public var upToMW: Double
        public var usdPerMWh: Double
        public init(upToMW: Double, usdPerMWh: Double) {
            self.upToMW = upToMW
            self.usdPerMWh = usdPerMWh
        }
    }

    public var hours: Double
    /// Mining revenue of one TH/s for one hour, USD (hashprice ÷ 24, net of pool fee).
    public var minerUSDPerTHHour: Double
    public var tiers: [CostTier]
    /// Most the site may draw, MW (interconnect, or a demand-response target).
    public var capMW: Double
    /// Least droppable load to keep online, MW (ancillary awards).
    public var floorMW: Double
    public var floorPenaltyUSDPerMWh: Double
    public var shedPenaltyUSDPerMWh: Double

    /// Failing an award costs more than any energy price with any adder (ERCOT's offer cap is
    /// 5,000 $/MWh, 9,000 in 2021; a 4CP interval adds rate × 250 per MW), so awards are met
    /// whenever the cap allows.
    public static let defaultFloorPenaltyUSDPerMWh = 1_000_000.0
    /// Shedding firm AI load costs more still: it happens only when nothing else fits the cap.
    public static let defaultShedPenaltyUSDPerMWh = 10_000_000.0

    public init(
        hours: Double, minerUSDPerTHHour: Double, tiers: [CostTier], capMW: Double, floorMW: Double = 0,
        floorPenaltyUSDPerMWh: Double = IntervalMarket.defaultFloorPenaltyUSDPerMWh,
        shedPenaltyUSDPerMWh: Double = IntervalMarket.defaultShedPenaltyUSDPerMWh
    ) {
        self.hours = hours
        self.minerUSDPerTHHour = minerUSDPerTHHour
        self.tiers = tiers
        self.capMW = capMW
        self.floorMW = floorMW
        self.floorPenaltyUSDPerMWh = floorPenaltyUSDPerMWh
        self.shedPenaltyUSDPerMWh = shedPenaltyUSDPerMWh
    }

    /// Cost of drawing `mw` for the interval, USD.
    public func energyCostUSD(siteMW mw: Double) -> Double {
        var cost = 0.0, lower = 0.0
        for tier in tiers {
            let upper = min(mw, tier.upToMW)
            if upper > lower { cost += (upper - lower) * tier.usdPerMWh }
            lower = tier.upToMW
            if lower >= mw { break }
        }
        return cost * hours
    }

    func marginalCost(atMW mw: Double) -> (usdPerMWh: Double, roomMW: Double) {
        for tier in tiers where mw < tier.upToMW - 1e-12 { return (tier.usdPerMWh, tier.upToMW - mw) }
        return (tiers.last?.usdPerMWh ?? 0, .infinity)
    }
}

/// The levels chosen for one interval and what they are worth.
public struct IntervalSolution: Sendable, Equatable {
    public var levels: [Double]
    public var siteMW: Double
    public var droppableMW: Double
    public var shedMW: Double
    public var shortMW: Double
    /// Value of the flexible loads minus energy cost minus penalties, USD (firm value excluded).
    public var objectiveUSD: Double
}

/// Solves one interval exactly: a separable concave maximisation under one cap, one floor and a
/// convex energy cost, which the merit order (segments by value, best first) solves to
/// optimality. Bounds from the policy (minimum on/off times, strike decisions) are honoured
/// unless a commitment needs them broken.
public struct IntervalSolver: Sendable {
    public let site: DispatchSite
    /// Extra value of one GPU-hour of each load's work, USD (a deadline's multiplier; 0 for
    /// miners and for jobs without one). It orders the segments; objectives leave it out.
    public let workValueUSDPerGPUHour: [Double]
    /// Every hull step of every load, miners and jobs apart, each by falling value.
    private let minerSteps: [(load: Int, step: Int)]
    /// TH/s per MW of each of `minerSteps` (worth the interval's hashprice).
    private let minerStepSlopes: [Double]
    private let jobSteps: [(load: Int, step: Int)]
    /// Value of each of `jobSteps`, USD/MWh (a job's value does not depend on the market).
    private let jobStepValues: [Double]

    public init(site: DispatchSite) {
        self.init(site: site, workValue: [Double](repeating: 0, count: site.loads.count))
    }

    private init(site: DispatchSite, workValue: [Double]) {
        self.site = site
        self.workValueUSDPerGPUHour = workValue
        var miners: [(Int, Int, Double)] = [], jobs: [(Int, Int, Double)] = []
        for (i, load) in site.loads.enumerated() {
            for (s, slope) in load.stepUnitsPerMW.enumerated() {
                if load.isMiner {
                    miners.append((i, s, slope))
                } else {
                    jobs.append((i, s, workValue[i] == 0 ? slope : slope + workValue[i] * load.stepWorkPerMW[s]))
                }
            }
        }
        // Ties keep each load's own steps in order.
        let order: ((Int, Int, Double), (Int, Int, Double)) -> Bool = { a, b in
            a.2 != b.2 ? a.2 > b.2 : (a.0 != b.0 ? a.0 < b.0 : a.1 < b.1)
        }
        let sortedMiners = miners.sorted(by: order)
        minerSteps = sortedMiners.map { ($0.0, $0.1) }
        minerStepSlopes = sortedMiners.map(\.2)
        let sortedJobs = jobs.sorted(by: order)
        jobSteps = sortedJobs.map { ($0.0, $0.1) }
        jobStepValues = sortedJobs.map(\.2)
    }

    /// The same site with `usdPerGPUHour[i]` more for each GPU-hour load `i` works.
    public func valuingWork(_ usdPerGPUHour: [Double]) -> IntervalSolver {
        precondition(usdPerGPUHour.count == site.loads.count, "one work value per load")
        return IntervalSolver(site: site, workValue: usdPerGPUHour)
    }

    @inline(__always)
    func value(_ load: Int, _ step: Int, _ market: IntervalMarket) -> Double {
        let slope = site.loads[load].stepUnitsPerMW[step]
        if site.loads[load].isMiner { return slope * market.minerUSDPerTHHour }
        let extra = workValueUSDPerGPUHour[load]
        return extra == 0 ? slope : slope + extra * site.loads[load].stepWorkPerMW[step]
    }

    /// Steps in falling value at this interval's prices (a merge of two fixed orders).
    func orderedSteps(_ market: IntervalMarket) -> [(load: Int, step: Int)] {
        var result: [(load: Int, step: Int)] = []
        result.reserveCapacity(minerSteps.count + jobSteps.count)
        var i = 0, j = 0
        while i < minerSteps.count || j < jobSteps.count {
            if j >= jobSteps.count
                || (i < minerSteps.count && minerStepSlopes[i] * market.minerUSDPerTHHour >= jobStepValues[j])
            {
                result.append(minerSteps[i]); i += 1
            } else {
                result.append(jobSteps[j]); j += 1
            }
        }
        return result
    }

    /// The best levels for `market` within `lower`/`upper` (nil: no bounds). When the lower
    /// bounds do not fit under the cap, loads marked in `keep` give way last.
    public func solve(_ market: IntervalMarket, lower: [Double]? = nil, upper: [Double]? = nil, keep: [Bool]? = nil) -> IntervalSolution {
        let loads = site.loads
        let order = orderedSteps(market)
        var levels = (0..<loads.count).map { i in min(max(lower?[i] ?? 0, 0), Double(loads[i].steps)) }
        var siteMW = site.firmMW + loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: levels[$1]) }

        // A policy's floor above the cap gives way, least valuable first (kept loads last).
        if siteMW > market.capMW + 1e-9 {
            let passes: [Bool?] = keep == nil ? [nil] : [false, true]
            cut: for pass in passes {
                for (load, step) in order.reversed() where levels[load] > Double(step) {
                    if let pass, keep?[load] != pass { continue }
                    let l = loads[load]
                    let stepMW = l.hull[step + 1].powerMW - l.hull[step].powerMW
                    let have = (min(levels[load], Double(step + 1)) - Double(step)) * stepMW
                    let cut = min(have, siteMW - market.capMW)
                    levels[load] -= cut / stepMW
                    siteMW -= cut
                    if siteMW <= market.capMW + 1e-9 { break cut }
                }
            }
        }
        let shedMW = max(0, siteMW - market.capMW)
        siteMW -= shedMW
        var droppable = loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: levels[$1]) - loads[$1].floorMW }

        var blocked = [Bool](repeating: false, count: loads.count)
        greedy: for (load, step) in order {
            if blocked[load] { continue }
            let start = Double(step)
            if levels[load] >= start + 1 - 1e-12 { continue }
            if levels[load] < start - 1e-12 { blocked[load] = true; continue }
            let stepMW = loads[load].hull[step + 1].powerMW - loads[load].hull[step].powerMW
            let v = value(load, step, market)
            while true {
                let ceiling = droppable < market.floorMW - 1e-12 ? start + 1 : min(upper?[load] ?? start + 1, start + 1)
                let remaining = (ceiling - levels[load]) * stepMW
                let capRoom = market.capMW - siteMW
                if remaining <= 1e-12 { if ceiling < start + 1 { blocked[load] = true }; break }
                if capRoom <= 1e-12 { break greedy }
                let (cost, tierRoom) = market.marginalCost(atMW: siteMW)
                let below = max(0, market.floorMW - droppable)
                var take = min(remaining, tierRoom, capRoom)
                if v - cost <= 0 {
                    // Worth taking only to meet the floor, and only while that beats the penalty.
                    guard below > 1e-12, v - cost + market.floorPenaltyUSDPerMWh > 0 else { blocked[load] = true; break }
                    take = min(take, below)
                }
                levels[load] += take / stepMW
                siteMW += take
                droppable += take
            }
        }
        let short = max(0, market.floorMW - droppable)
        return IntervalSolution(
            levels: levels, siteMW: siteMW, droppableMW: droppable, shedMW: shedMW, shortMW: short,
            objectiveUSD: objective(levels: levels, siteMW: siteMW, shedMW: shedMW, shortMW: short, market: market))
    }

    /// What given levels are worth in `market`, with `shedMW` of firm load shed: the interval's
    /// objective at those levels (without any extra value of work).
    public func evaluate(levels: [Double], shedMW: Double, market: IntervalMarket) -> IntervalSolution {
        let loads = site.loads
        let flexibleMW = loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: levels[$1]) }
        let siteMW = site.firmMW - shedMW + flexibleMW
        let droppable = loads.indices.reduce(0) { $0 + loads[$1].powerMW(level: levels[$1]) - loads[$1].floorMW }
        let short = max(0, market.floorMW - droppable)
        return IntervalSolution(
            levels: levels, siteMW: siteMW, droppableMW: droppable, shedMW: shedMW, shortMW: short,
            objectiveUSD: objective(levels: levels, siteMW: siteMW, shedMW: shedMW, shortMW: short, market: market))
    }

    private func objective(levels: [Double], siteMW: Double, shedMW: Double, shortMW: Double, market: IntervalMarket) -> Double {
        var value = 0.0
        for i in site.loads.indices {
            value += site.loads[i].units(level: levels[i]) * (site.loads[i].isMiner ? market.minerUSDPerTHHour : 1)
        }
        return value * market.hours - market.energyCostUSD(siteMW: siteMW)
            - (shortMW * market.floorPenaltyUSDPerMWh + shedMW * market.shedPenaltyUSDPerMWh) * market.hours
    }
}

import Foundation
import GridshellCore

/// What the site is told to do for one interval: miners per operating point, each job's cap or
/// pause, the grid position, the commitments it cannot meet, and one plain reason per change.
public struct DispatchPlan: Sendable, Codable, Equatable {
    public struct GroupSetting: Sendable, Codable, Equatable {
        public var group: String
        public var model: String
        public var firmware: String
        /// Operating point name → miners there (points with none are left out).
        public var miners: [String: Double]
        public var powerMW: Double
        public var hashrateTHs: Double
    }

    public struct JobSetting: Sendable, Codable, Equatable {
        public var job: String
        /// "cap 80 %", "paused", or a split of the interval between two settings.
        public var setting: String
        public var powerMW: Double
        /// Throughput relative to full.
        public var throughput: Double
    }

    public var siteMW: Double
    public var capMW: Double
    public var firmMW: Double
    /// Fixed-price block energy not drawn, sold back at spot, MW.
    public var soldBackMW: Double
    public var groups: [GroupSetting]
    public var jobs: [JobSetting]
    /// Commitments the plan cannot meet, and why.
    public var unmet: [String]
    public var reasons: [String]
    /// Where each open deadline stood when the plan was made.
    public var deadlines: [DeadlineStatus]

    /// Describes `solution` against the `previous` levels, at the market the decision saw, with
    /// the deadlines still open (`deadlines`: jobs short of slack were held at full power).
    public init(
        site: DispatchSite, solution: IntervalSolution, previous: [Double]?, market: IntervalMarket, priceUSDPerMWh: Double,
        deadlines: [DeadlineStatus] = []
    ) {
        let solver = IntervalSolver(site: site)
        siteMW = solution.siteMW
        capMW = market.capMW
        firmMW = site.firmMW - solution.shedMW
        if case .fixedPrice(_, let block, let sellBack) = site.site.contract.kind, sellBack {
            soldBackMW = max(0, block - solution.siteMW)
        } else {
            soldBackMW = 0
        }
        groups = []
        jobs = []
        reasons = []
        unmet = []
        self.deadlines = deadlines
        let held = Dictionary(deadlines.filter(\.keepAtFullPower).map { ($0.load, $0) }, uniquingKeysWith: { a, _ in a })
        let cost = market.marginalCost(atMW: max(solution.siteMW - 1e-9, 0)).usdPerMWh
        for (i, load) in site.loads.enumerated() {
            let level = solution.levels[i]
            let (low, high, share) = Self.split(load, level)
            switch load.kind {
            case .miners(let g):
                let group = site.site.minerGroups[g]
                var miners: [String: Double] = [:]
                let n = Double(load.count)
                miners[load.hull[low].name, default: 0] += (1 - share) * n
                if share > 0 { miners[load.hull[high].name, default: 0] += share * n }
                miners = miners.filter { $0.value > 1e-9 }
                groups.append(GroupSetting(
                    group: group.name, model: group.model.name, firmware: group.firmware.rawValue, miners: miners,
                    powerMW: load.powerMW(level: level), hashrateTHs: load.units(level: level)))
            case .job:
                let setting = share > 1e-9 && share < 1 - 1e-9
                    ? "\(load.hull[high].name) for \(Int((share * 100).rounded())) % of the interval, \(load.hull[low].name) otherwise"
                    : load.hull[share >= 1 - 1e-9 ? high : low].name
                jobs.append(JobSetting(
                    job: load.name, setting: setting, powerMW: load.powerMW(level: level),
                    throughput: load.units(level: level) / max(load.hull[load.steps].units, 1e-12)))
            }
            if let status = held[i] {
                // Held for its deadline: said whether or not the setting changed.
                if level >= Double(load.steps) - 1e-9 {
                    reasons.append("kept \(load.name) at full power: \(Self.gpuHours(status.workLeftGPUHours)) left, deadline in \(Self.hours(status.hoursLeft))")
                } else {
                    let work = load.work(level: level)
                    let missing = max(0, status.workLeftGPUHours - work * status.hoursLeft)
                    unmet.append(String(
                        format: "deadline of %@: %@ left and the deadline in %@, but the %.2f MW cap leaves it %.0f %% of full power once every other flexible load has given way; at this pace %@ will be missing",
                        load.name, Self.gpuHours(status.workLeftGPUHours), Self.hours(status.hoursLeft), market.capMW,
                        load.powerMW(level: level) / load.maxMW * 100, Self.gpuHours(missing)))
                }
                if status.slackHours < 0 {
                    unmet.append("deadline of \(load.name): \(Self.gpuHours(status.workLeftGPUHours)) left need \(Self.hours(status.workLeftGPUHours / status.gpus)) at full power but the deadline is in \(Self.hours(status.hoursLeft)); at least \(Self.gpuHours(-status.slackHours * status.gpus)) will be missing")
                }
                continue
            }
            guard let previous, abs(previous[i] - level) > 1e-9 else { continue }
            reasons.append(reason(load, index: i, from: previous[i], to: level, solver: solver, market: market, cost: cost, price: priceUSDPerMWh, solution: solution))
        }
        if solution.shedMW > 1e-9 {
            unmet.append(String(format: "firm AI load: %.2f MW shed, because the %.2f MW cap is below the firm load even with every miner asleep and every flexible job paused", solution.shedMW, market.capMW))
        }
        if solution.shortMW > 1e-9 {
            unmet.append(String(format: "ancillary award: %.2f MW of the %.2f MW award cannot stay online and droppable under the %.2f MW cap", solution.shortMW, market.floorMW, market.capMW))
        }
    }

    /// Whole GPU-hours with thousands separated: "412 GPU-hours", "400,000 GPU-hours".
    static func gpuHours(_ value: Double) -> String {
        let digits = String(format: "%.0f", abs(value))
        var grouped = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        return (value <= -0.5 ? "-" : "") + grouped + " GPU-hours"
    }
    static func hours(_ value: Double) -> String { String(format: "%.1f h", value) }

    /// Hull points either side of a level and the share at the higher one.
    static func split(_ load: FlexibleLoad, _ level: Double) -> (Int, Int, Double) {
        guard load.steps > 0 else { return (0, 0, 0) }
        let l = min(max(level, 0), Double(load.steps))
        let low = min(Int(l), load.steps - 1)
        return (low, low + 1, l - Double(low))
    }

    func reason(
        _ load: FlexibleLoad, index i: Int, from: Double, to: Double, solver: IntervalSolver, market: IntervalMarket, cost: Double,
        price: Double, solution: IntervalSolution
    ) -> String {
        let rising = to > from
        // The segment at the edge of the move tells why it stopped there.
        let edge = min(max(Int(rising ? to.rounded(.up) - 1 : to.rounded(.down)), 0), max(load.steps - 1, 0))
        let value = solver.value(i, edge, market)
        let mw = load.powerMW(level: to) - load.powerMW(level: from)
        let what: String
        if load.isMiner {
            let (fl, fh, fs) = Self.split(load, from), (tl, th, ts) = Self.split(load, to)
            let n = Double(load.count)
            func describe(_ l: Int, _ h: Int, _ s: Double) -> String {
                s > 1e-9 && s < 1 - 1e-9
                    ? "\(Int(((1 - s) * n).rounded())) at \(load.hull[l].name), \(Int((s * n).rounded())) at \(load.hull[h].name)"
                    : "all \(Int(n)) at \(load.hull[s >= 1 - 1e-9 ? h : l].name)"
            }
            what = "\(load.name): \(describe(fl, fh, fs)) → \(describe(tl, th, ts)) (\(String(format: "%+.2f", mw)) MW)"
        } else {
            what = "\(load.name): \(String(format: "%+.2f", mw)) MW"
        }
        let p = String(format: "%.2f", price), v = String(format: "%.2f", value), c = String(format: "%.2f", cost)
        if rising {
            if value < cost, market.floorMW > 0, solution.droppableMW <= market.floorMW + 1e-6 {
                return "\(what): kept online for the \(String(format: "%.2f", market.floorMW)) MW award although it earns \(v) $/MWh and power costs \(c) $/MWh"
            }
            return "\(what): earns \(v) $/MWh, above the \(c) $/MWh power costs at \(p) $/MWh"
        }
        if value > cost, solution.siteMW >= market.capMW - 1e-6 {
            return "\(what): the site is at its \(String(format: "%.2f", market.capMW)) MW cap; this earns \(v) $/MWh, the least of what was running"
        }
        let kept = to > 1e-9 && market.floorMW > 0 && solution.droppableMW <= market.floorMW + 1e-6
        return "\(what): earns \(v) $/MWh, below the \(c) $/MWh power costs at \(p) $/MWh"
            + (kept ? "; the rest stays online for the \(String(format: "%.2f", market.floorMW)) MW award" : "")
    }
}

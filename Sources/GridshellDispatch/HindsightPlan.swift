import Foundation
import GridshellCore

/// The hindsight optimum of a run: the merit order at the real price of every interval, with
/// each deadline's work coupling the intervals before it.
///
/// Without deadlines (or when the plain merit order already does every job's work in time) the
/// intervals are independent and each is solved alone. Otherwise the work requirement
///
///     Σ_{t < due_j} work_jt + shortfall_j ≥ required_j,   shortfall_j ≥ 0 at penalty_j per GPU-hour
///
/// is priced by a multiplier λ_j ∈ [0, penalty_j], an extra value per GPU-hour of job j's work in
/// the intervals before its deadline, under which the run falls apart into intervals again. The
/// multipliers come from column generation: each pass solves every interval at trial multipliers
/// (one column: its objective and its work per deadline), and a small master LP finds the best
/// mix of the columns so far and the multipliers that price them. A new pass at those multipliers
/// either finds a column worth more than the master's bound, which joins the master, or proves
/// the mix optimal. With one deadline this is a search on λ whose next trial is where the two
/// best lines of the dual meet; at the tie the optimum mixes the two solutions either side so
/// the requirement is met exactly.
///
/// The plan keeps the mix, not the levels: each interval is solved again at the mixed columns'
/// multipliers, and each load's power is the weighted mean of theirs. Every load's value (and a
/// job's work) is concave in its power and the energy cost convex in the site's, so the mixed
/// levels are worth at least the mix and do at least its work.
public struct HindsightPlan: Sendable {
    /// Deadlines the plan prices: judged by the run, with a penalty.
    public let commitments: [DeadlineCommitment]
    /// λ per commitment, USD per GPU-hour of its work before its deadline.
    public let multipliers: [Double]
    /// Passes over the intervals before the last deadline that the multipliers took (0: none was
    /// needed).
    public let passes: Int
    /// How far the plan's objective can be below the formulation's optimum, USD (0 without
    /// deadlines that bind; column generation stops once below 1e-9 of the objective).
    public let gapUSD: Double

    /// Lagrangian solutions the optimum mixes: 1 when one set of multipliers does it, more when
    /// the requirement is met exactly at a tie.
    public var mixedSolutions: Int { max(mix.count, 1) }

    private let base: IntervalSolver
    /// Solutions mixed, with their weights: the solver for each stretch of intervals.
    private let mix: [(weight: Double, phases: [Phase])]
    /// Intervals before the last priced deadline; later ones are solved by `base` alone.
    private let horizon: Int

    struct Phase: Sendable {
        /// The phase covers intervals up to (not including) this one.
        var until: Int
        var solver: IntervalSolver
    }

    /// The plan when every interval stands alone.
    init(solver: IntervalSolver) {
        self.init(base: solver, commitments: [], multipliers: [], passes: 0, gapUSD: 0, mix: [], horizon: 0)
    }

    private init(
        base: IntervalSolver, commitments: [DeadlineCommitment], multipliers: [Double], passes: Int, gapUSD: Double,
        mix: [(weight: Double, phases: [Phase])], horizon: Int
    ) {
        self.base = base
        self.commitments = commitments
        self.multipliers = multipliers
        self.passes = passes
        self.gapUSD = gapUSD
        self.mix = mix
        self.horizon = horizon
    }

    /// The optimum for `backtest`. `plainWork`, when known, is the work the plain merit order does
    /// for each of `backtest.inputs.deadlines` before its deadline: a plan that needs no
    /// multipliers then costs nothing.
    public init(_ backtest: Backtest, plainWork: [Double]? = nil) {
        let inputs = backtest.inputs
        let all = inputs.deadlines
        let priced = all.indices.filter { all[$0].isJudged && all[$0].penaltyUSDPerGPUHour > 0 }
        let commitments = priced.map { all[$0] }
        let solver = backtest.solver
        guard !commitments.isEmpty else {
            self.init(solver: solver)
            return
        }
        let horizon = commitments.map(\.dueIntervals).max() ?? 0
        let required = commitments.map(\.workGPUHours)

        func phases(_ lambda: [Double]) -> [Phase] {
            let dues = Array(Set(commitments.map(\.dueIntervals))).sorted()
            var start = 0
            var result: [Phase] = []
            for due in dues {
                var extra = [Double](repeating: 0, count: inputs.site.loads.count)
                for (k, c) in commitments.enumerated() where c.dueIntervals > start { extra[c.load] += lambda[k] }
                result.append(Phase(until: due, solver: extra.allSatisfy { $0 == 0 } ? solver : solver.valuingWork(extra)))
                start = due
            }
            return result
        }
        var passes = 0
        let markets = (0..<horizon).map { inputs.market(at: $0, price: inputs.prices.pricesUSDPerMWh[$0]) }
        func pass(_ lambda: [Double]) -> DeadlineMaster.Column {
            passes += 1
            var objective = 0.0
            var work = [Double](repeating: 0, count: commitments.count)
            var p = 0
            let stretch = phases(lambda)
            for t in 0..<horizon {
                while stretch[p].until <= t { p += 1 }
                let s = stretch[p].solver.solve(markets[t])
                objective += s.objectiveUSD
                for (k, c) in commitments.enumerated() where t < c.dueIntervals {
                    work[k] += inputs.site.loads[c.load].work(level: s.levels[c.load]) * markets[t].hours
                }
            }
            return DeadlineMaster.Column(objective: objective, work: work)
        }

        // λ = 0 first: when the plain merit order does the work in time, nothing is priced.
        let zero = [Double](repeating: 0, count: commitments.count)
        if let plainWork, zip(priced.map { plainWork[$0] }, required).allSatisfy({ $0 >= $1 - 1e-9 }) {
            self.init(solver: solver)
            return
        }
        let plain = pass(zero)
        if zip(plain.work, required).allSatisfy({ $0 >= $1 - 1e-9 }) {
            self.init(solver: solver)
            return
        }
        let penalties = commitments.map(\.penaltyUSDPerGPUHour)
        var master = DeadlineMaster(required: required, penalty: penalties)
        master.add(plain)
        var lambdas = [zero]
        master.add(pass(penalties))
        lambdas.append(penalties)
        guard var final = master.solve() else {
            // The master cannot fail from its feasible start; keep the plain merit order if it does.
            self.init(solver: solver)
            return
        }
        // Column generation, stabilised: the next trial lies halfway between the best multipliers
        // so far (the lowest dual bound) and the master's, which damps the master's swings; a
        // trial that finds nothing new for the master is repeated at the master's own
        // multipliers, where finding nothing proves the mix optimal.
        func dualBound(_ lambda: [Double], _ column: DeadlineMaster.Column) -> Double {
            column.objective + (0..<lambda.count).reduce(0) { $0 + lambda[$1] * (column.work[$1] - required[$1]) }
        }
        var best = (lambda: penalties, bound: dualBound(penalties, master.columns[1]))
        if dualBound(zero, plain) < best.bound { best = (zero, dualBound(zero, plain)) }
        var gap = Double.infinity
        var smoothing = 0.5
        while passes < 200 {
            gap = max(0, best.bound - final.objective)
            if gap <= 1e-9 * max(1, abs(final.objective)) { break }
            let trial = zip(best.lambda, final.multipliers).map { smoothing * $0 + (1 - smoothing) * $1 }
            let column = pass(trial)
            let bound = dualBound(trial, column)
            if bound < best.bound { best = (trial, bound) }
            // Worth adding when the master's prices say it improves the mix.
            let reduced = column.objective + zip(final.multipliers, column.work).reduce(0) { $0 + $1.0 * $1.1 } - final.bound
            guard reduced > 1e-12 * max(1, abs(final.objective)) else {
                smoothing = 0
                continue
            }
            smoothing = 0.5
            master.add(column)
            lambdas.append(trial)
            guard let next = master.solve() else { break }
            final = next
        }
        let kept = final.weights.indices.filter { final.weights[$0] > 1e-12 }
        let total = kept.reduce(0) { $0 + final.weights[$1] }
        self.init(
            base: solver, commitments: commitments, multipliers: final.multipliers, passes: passes, gapUSD: gap.isFinite ? gap : 0,
            mix: kept.map { (final.weights[$0] / total, phases(lambdas[$0])) }, horizon: horizon)
    }

    /// The plan's levels for interval `t` of the run, at `market` (its real price).
    public func solution(at t: Int, market: IntervalMarket) -> IntervalSolution {
        guard t < horizon, !mix.isEmpty else { return base.solve(market) }
        let solutions = mix.map { entry in entry.phases.first { t < $0.until }!.solver.solve(market) }
        if solutions.count == 1 { return solutions[0] }
        let loads = base.site.loads
        var levels = [Double](repeating: 0, count: loads.count)
        for (i, load) in loads.enumerated() {
            let first = solutions[0].levels[i]
            if solutions.allSatisfy({ $0.levels[i] == first }) {
                levels[i] = first
                continue
            }
            var mw = 0.0
            for (k, s) in solutions.enumerated() { mw += mix[k].weight * load.powerMW(level: s.levels[i]) }
            levels[i] = load.level(atPowerMW: mw)
        }
        return base.evaluate(levels: levels, shedMW: solutions[0].shedMW, market: market)
    }
}

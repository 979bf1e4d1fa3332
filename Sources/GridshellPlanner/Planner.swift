import Dispatch
import Foundation

/// The strategic planner: for a site, the yearly cash flows, NPV, IRR, payback and value per
/// watt of mining, leasing the shell, running an AI cloud, or a hybrid, with Monte Carlo
/// distributions, a sensitivity ranking and a recommendation. Pure: no I/O, no clock but the
/// one that times the Monte Carlo.
public enum Planner {
    /// The most simulations one run accepts.
    public static let maxSimulations = 1_000_000

    /// Plans `inputs`, spreading the simulations over `workers` threads (the processor count by
    /// default); results do not depend on the split.
    public static func run(_ inputs: PlanInputs, workers: Int? = nil) throws(PlannerError) -> PlanResult {
        try inputs.validate()
        guard inputs.strategy.simulations <= maxSimulations else {
            throw PlannerError(field: "strategy.simulations", "expected at most \(maxSimulations), found \(inputs.strategy.simulations)")
        }
        let s = inputs.strategy
        let base = baseCase(inputs)
        let clock = ContinuousClock()
        var carlo: MonteCarlo!
        let elapsed = clock.measure { carlo = monteCarlo(inputs, workers: workers ?? ProcessInfo.processInfo.activeProcessorCount) }
        let watts = inputs.utilityMW * 1e6

        var paths: [PathResult] = []
        for (p, path) in s.paths.enumerated() {
            let b = base[p]
            var npvs = carlo.npv(p)
            let negative = Double(npvs.filter { $0 < 0 }.count) / Double(max(npvs.count, 1))
            var perWatt = npvs.map { $0 / watts }
            let yearly = (0..<s.years).map { y -> Distribution in
                var v = carlo.yearly(p, y)
                return Distribution(sorting: &v)
            }
            paths.append(PathResult(
                path: path.rawValue, summary: summary(path, inputs), yearly: b.yearly, npvUSD: b.npv, irr: b.irr, paybackYears: b.payback,
                valuePerWattCapRate: b.capRateValueUSD / watts, valuePerWattDCF: b.npv / watts,
                monteCarlo: MonteCarloSummary(
                    npvUSD: Distribution(sorting: &npvs), valuePerWattDCF: Distribution(sorting: &perWatt),
                    probabilityNegativeNPV: negative, yearlyNetUSD: yearly)))
        }
        var prices = carlo.finalPrices
        let sensitivity = Sensitivity.rank(inputs)
        return PlanResult(
            site: inputs.siteName, years: s.years, simulations: s.simulations, seed: s.seed, utilityMW: inputs.utilityMW, paths: paths,
            btcPriceAtHorizon: Distribution(sorting: &prices), sensitivity: sensitivity,
            recommendation: recommend(paths, sensitivity: sensitivity), assumptions: inputs.assumptions,
            monteCarloSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// One path's deterministic figures.
    struct BaseCase {
        var yearly: [YearCashFlow]
        var npv: Double
        var irr: Double?
        var payback: Double?
        var capRateValueUSD: Double
    }

    /// The base case of every requested path.
    static func baseCase(_ inputs: PlanInputs) -> [BaseCase] {
        let s = inputs.strategy
        let schedule = PlanSchedule(inputs: inputs)
        let layouts = s.paths.map { PathLayout(path: $0, months: schedule.months, hybrid: s.hybrid) }
        let simulator = PathSimulator(inputs: inputs, schedule: schedule, layouts: layouts)
        var out = PathSimulator.Yearly(paths: layouts.count, years: s.years)
        var none: RandomSource?
        simulator.run(rng: &none, into: &out)
        return layouts.indices.map { p in
            let yearly = (0..<s.years).map { y in
                let i = p * s.years + y
                return YearCashFlow(
                    year: y + 1, operatingUSD: out.operating[i] * inputs.utilityMW, growthCapexUSD: out.growthCapex[i] * inputs.utilityMW,
                    sustainingCapexUSD: out.sustainingCapex[i] * inputs.utilityMW, terminalUSD: out.terminal[i] * inputs.utilityMW,
                    netUSD: out.net(i) * inputs.utilityMW)
            }
            let flows = yearly.map(\.netUSD)
            // Value by capitalisation: NOI less the yearly average of refreshes, at the cap rate,
            // less every build-out. A lease's NOI is its first year after the build-out (the
            // analysts' current NOI); mining and cloud income declines, so theirs is the average
            // over the years after the last build-out.
            let lastGrowth = yearly.lastIndex { $0.growthCapexUSD > 0 } ?? -1
            let operating = yearly[min(lastGrowth + 1, yearly.count - 1)...].map(\.operatingUSD)
            let noi = s.paths[p] == .lease ? operating[operating.startIndex] : operating.reduce(0, +) / Double(operating.count)
            let refreshPerYear = yearly.reduce(0) { $0 + $1.sustainingCapexUSD } / Double(yearly.count)
            let capex = yearly.reduce(0) { $0 + $1.growthCapexUSD }
            return BaseCase(
                yearly: yearly, npv: Finance.npv(rate: s.discountRate, flows: flows), irr: Finance.irr(flows: flows),
                payback: Finance.paybackYears(flows: flows),
                capRateValueUSD: (noi - refreshPerYear) / s.capRate - capex)
        }
    }

    /// The base-case NPV of every requested path (the sensitivity's measure).
    static func baseNPVs(_ inputs: PlanInputs) -> [Double] { baseCase(inputs).map(\.npv) }

    private static func summary(_ path: StrategyPath, _ inputs: PlanInputs) -> String {
        let s = inputs.strategy
        switch path {
        case .mine:
            return String(format: "Keep mining: refresh every %d years along the efficiency ladder, %.0f %% uptime, energy %.1f USD/MWh", s.mine.refreshYears, s.mine.uptime * 100, inputs.energyUSDPerMWh)
        case .lease:
            return String(format: "Lease the shell: %.1f MW of IT at %.0f USD/kW-month, %.0f-year term, %.0f %% escalator, %d months to commission",
                inputs.utilityMW / s.lease.utilityPerITMW, s.lease.usdPerKWMonth, s.lease.termYears, s.lease.escalator * 100, s.lease.commissioningMonths)
        case .cloud:
            return String(format: "AI cloud: %.0f GPUs at %.2f USD/GPU-hour falling %.0f %% a year, %.0f %% utilised, refreshed every %d years",
                inputs.utilityMW / inputs.cloudPUE * 1e6 / inputs.cloudWattsPerGPU, s.cloud.usdPerGPUHour, s.cloud.priceDeclinePerYear * 100, s.cloud.utilisation * 100, s.cloud.refreshYears)
        case .hybrid:
            return String(format: "Hybrid: %.0f %% mine, %.0f %% lease, %.0f %% cloud, converting %.0f %% of the site a year to %@",
                s.hybrid.mineShare * 100, s.hybrid.leaseShare * 100, s.hybrid.cloudShare * 100, s.hybrid.conversionPerYear * 100, s.hybrid.convertTo.rawValue)
        }
    }
}

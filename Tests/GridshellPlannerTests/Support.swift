import GridshellCore
@testable import GridshellPlanner

/// Sites and inputs whose cash flows can be worked out by hand: no shocks, no default, no
/// escalation unless a test sets them.
enum Fixture {
    static func site(mw: Double = 100, miners: [MinerGroup] = [], pue: Double = 1) -> Site {
        var site = Site(
            name: "fixture", interconnectMW: mw, cooling: CoolingOverhead(mining: pue, ai: pue),
            contract: EnergyContract(kind: .fixedPrice(priceUSDPerMWh: 50, blockMW: mw, sellBack: false), settlementPoint: "HB_WEST"),
            minerGroups: miners)
        var s = StrategyAssumptions()
        s.years = 10
        s.simulations = 200
        s.discountRate = 0.08
        s.lease.escalator = 0
        s.lease.commissioningMonths = 0
        s.lease.defaultProbabilityPerYear = 0
        s.lease.renewal = .none
        s.lease.termYears = 10
        s.risk.btcVolatility = 0
        s.risk.feeVolatility = 0
        s.risk.gpuPriceVolatility = 0
        s.risk.btcDriftPerYear = 0
        site.strategy = s
        return site
    }

    static func s21(count: Int) -> MinerGroup {
        MinerGroup(name: "s21", model: MinerCatalog.builtIn.model(named: "Antminer S21")!, firmware: .stock, count: count)
    }

    /// A network two years before the 1,050,000 halving, its fees fixed.
    static let network = NetworkSnapshot(
        date: "2026-01-01", priceUSD: 100_000, difficulty: 1.2e14, height: 900_000, feesPerBlockBTC: 0.02, source: "fixture")

    static func path(_ result: PlanResult, _ name: StrategyPath) -> PathResult { result.paths.first { $0.path == name.rawValue }! }
}

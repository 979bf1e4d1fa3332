import Foundation
import GridshellCore

/// Everything one planning run needs, resolved from a site, its strategy section, the network
/// inputs and (optionally) a backtest's statistics and the BTC price history.
public struct PlanInputs: Sendable {
    public var siteName: String
    public var strategy: StrategyAssumptions
    /// The site's grid connection, MW: what every path divides.
    public var utilityMW: Double
    public var network: NetworkSnapshot
    public var poolFeeFraction: Double
    public var miningPUE: Double
    /// J/TH of the fleet at month 0: the site's miners (stock, power-weighted) or, with none,
    /// the ladder's best that year.
    public var fleetJoulesPerTH: Double
    /// Whether the site already owns its fleet (the first refresh then waits for its age).
    public var ownsFleet: Bool
    /// The catalog's most efficient model and its year: the bottom of the efficiency ladder.
    public var ladderJoulesPerTH: Double
    public var ladderYear: Int
    public var energyUSDPerMWh: Double
    /// Watts per GPU of the cloud's system, its share of the box's overhead included.
    public var cloudWattsPerGPU: Double
    public var cloudPUE: Double
    /// Monthly BTC log returns for the bootstrap.
    public var monthlyLogReturns: [Double]
    /// Where the mining path's operating figures came from.
    public var operatingSource: String

    /// Resolves a site's inputs. `statistics` (a backtest's) replace the strategy's uptime,
    /// energy price and grid income; `history` supplies the bootstrap's returns.
    public init(site: Site, network: NetworkSnapshot? = nil, statistics: OperatingStatistics? = nil, history: BitcoinHistory? = nil) {
        siteName = site.name
        strategy = site.strategy
        utilityMW = site.interconnectMW
        self.network = network ?? site.bitcoin.over(.embedded, source: "site file over " + NetworkSnapshot.embedded.source)
        poolFeeFraction = site.poolFeeFraction
        miningPUE = site.cooling.mining
        let stockW = site.minerGroups.reduce(0) { $0 + Double($1.count) * $1.model.stockPowerW }
        let stockTH = site.minerGroups.reduce(0) { $0 + Double($1.count) * $1.model.stockHashrateTHs }
        let best = site.catalog.models.min { $0.stockJoulesPerTH < $1.stockJoulesPerTH }
        ladderJoulesPerTH = best?.stockJoulesPerTH ?? 15
        ladderYear = best?.year ?? 2024
        ownsFleet = stockTH > 0
        fleetJoulesPerTH = 0
        switch site.contract.kind {
        case .fixedPrice(let price, _, _): energyUSDPerMWh = price + site.contract.adderUSDPerMWh
        case .realTimeIndex: energyUSDPerMWh = StrategyAssumptions.defaultEnergyUSDPerMWh + site.contract.adderUSDPerMWh
        }
        if let given = site.strategy.energyUSDPerMWh { energyUSDPerMWh = given }
        operatingSource = "strategy section (or its defaults)"
        if let statistics {
            strategy.mine.uptime = statistics.uptime
            strategy.mine.gridIncomeUSDPerMWYear = statistics.gridIncomeUSDPerMWYear
            if site.strategy.energyUSDPerMWh == nil { energyUSDPerMWh = statistics.energyUSDPerMWh }
            operatingSource = statistics.source
        }
        let system = GPUSystem.named(site.strategy.cloud.system, in: site.gpuSystems) ?? GPUSystem.builtIn[0]
        cloudWattsPerGPU = system.maxPowerW / Double(system.gpusPerSystem)
        cloudPUE = site.strategy.cloud.pue ?? (site.cooling.ai > 1 ? site.cooling.ai : 1.2)
        monthlyLogReturns = history.map(Self.monthlyLogReturns) ?? []
        fleetJoulesPerTH = ownsFleet ? stockW / stockTH : ladderJoulesPerTH(atYear: strategy.startYear)
    }

    /// The best J/TH a refresh can buy in `year`: the catalog's best, improved by the assumed
    /// yearly gain for every year past the catalog's newest model.
    public func ladderJoulesPerTH(atYear year: Int) -> Double {
        ladderJoulesPerTH * pow(1 - strategy.mine.efficiencyGainPerYear, Double(max(0, year - ladderYear)))
    }

    /// Log returns between month-end prices of the history.
    public static func monthlyLogReturns(_ history: BitcoinHistory) -> [Double] {
        var closes: [Double] = []
        var lastMonth = ""
        for day in history.days {
            guard let price = day.priceUSD, price > 0 else { continue }
            let month = String(BitcoinHistory.format(day.date).prefix(7))
            if month != lastMonth {
                closes.append(price)
                lastMonth = month
            } else {
                closes[closes.count - 1] = price
            }
        }
        return zip(closes, closes.dropFirst()).map { log($1 / $0) }
    }

    /// Checks what the site file's reader cannot see (the CLI's and the API's overrides) and
    /// what a program building the inputs by hand could get wrong.
    public func validate() throws(PlannerError) {
        let s = strategy
        guard (1...50).contains(s.years) else { throw PlannerError(field: "strategy.years", "expected 1 to 50 years, found \(s.years)") }
        guard s.simulations >= 1 else { throw PlannerError(field: "strategy.simulations", "expected at least 1 simulation, found \(s.simulations)") }
        guard !s.paths.isEmpty else { throw PlannerError(field: "strategy.paths", "expected at least one of mine, lease, cloud, hybrid") }
        guard utilityMW > 0 else { throw PlannerError(field: "interconnect_mw", "expected a positive MW figure, found \(utilityMW)") }
        let costs: [(String, Double)] = [
            ("strategy.mine.machines_usd_per_mw", s.mine.machinesUSDPerMW), ("strategy.mine.infrastructure_usd_per_mw", s.mine.infrastructureUSDPerMW),
            ("strategy.mine.opex_usd_per_mw_year", s.mine.opexUSDPerMWYear), ("strategy.lease.capex_usd_per_mw_it", s.lease.capexUSDPerMWIT),
            ("strategy.cloud.usd_per_gpu", s.cloud.usdPerGPU),
        ]
        for (field, value) in costs where !(value >= 0) {
            throw PlannerError(field: field, "a cost cannot be negative; found \(value) USD")
        }
        let shares = [("mine_percent", s.hybrid.mineShare), ("lease_percent", s.hybrid.leaseShare), ("cloud_percent", s.hybrid.cloudShare)]
        for (field, value) in shares where !(value >= 0) {
            throw PlannerError(field: "strategy.hybrid.\(field)", "a share of the site cannot be negative; found \(String(format: "%g", value * 100)) %")
        }
        let total = shares.reduce(0) { $0 + $1.1 }
        if total > 1 + 1e-9 {
            throw PlannerError(field: "strategy.hybrid", "mine, lease and cloud shares add up to \(String(format: "%g", total * 100)) % of the site; expected at most 100 %")
        }
        if s.lease.termYears > Double(s.years), s.lease.renewal == .none {
            throw PlannerError(
                field: "strategy.lease.term_years",
                "the \(s.lease.termYears)-year lease is longer than the \(s.years)-year horizon and renewal is none; say what the years past the horizon are worth (renewal: renew) or shorten the term")
        }
        guard s.lease.utilityPerITMW >= 1 else { throw PlannerError(field: "strategy.lease.utility_per_it_mw", "expected at least 1 (utility MW per IT MW)") }
        guard (0...1).contains(s.mine.uptime) else { throw PlannerError(field: "strategy.mine.uptime_percent", "expected 0 to 100 %") }
        guard (0...1).contains(s.cloud.utilisation) else { throw PlannerError(field: "strategy.cloud.utilisation_percent", "expected 0 to 100 %") }
        guard s.capRate > 0 else { throw PlannerError(field: "strategy.cap_rate_percent", "expected a positive cap rate") }
        if s.risk.priceModel == .bootstrap, monthlyLogReturns.count < s.risk.bootstrapBlockMonths {
            throw PlannerError(
                field: "strategy.risk.price_model",
                "bootstrap needs the BTC price history (at least \(s.risk.bootstrapBlockMonths) months); give the history file or use gbm")
        }
    }
}

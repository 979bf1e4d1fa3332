/// The strategic planner's assumptions: the `strategy:` section of a site file. Every field has
/// a default with its source (docs/PLANNER.md, ../shared/reference/FACTS.md §1, §5, §6), so a
/// site file without the section can still be planned.
public struct StrategyAssumptions: Sendable, Equatable, Codable {
    /// The four ways to use the site's megawatts.
    public enum Path: String, Sendable, Equatable, Codable, CaseIterable {
        case mine, lease, cloud, hybrid

        /// Why a list of path names was refused.
        public enum ListProblem: Error, Equatable {
            case unknown(String)
            case empty
        }

        /// The paths `names` give, in order and each once; throws on the first unknown name or
        /// on an empty list.
        public static func list(_ names: [String]) throws(ListProblem) -> [Path] {
            var paths: [Path] = []
            for name in names {
                guard let path = Path(rawValue: name) else { throw .unknown(name) }
                if !paths.contains(path) { paths.append(path) }
            }
            guard !paths.isEmpty else { throw .empty }
            return paths
        }
    }

    /// Horizon, years.
    public var years = 15
    public var paths: [Path] = Path.allCases
    public var simulations = 10_000
    public var seed: UInt64 = 1
    /// Unlevered, pre-tax discount rate for NPV (an assumption; 10 % is a common hurdle for
    /// merchant energy projects).
    public var discountRate = 0.10
    /// Cap rate for value per watt = NOI ÷ cap rate − capex (FACTS §6: 5.5–7.5 %, KBW uses 6 %).
    public var capRate = 0.06
    /// Calendar year of month 0 (dates the refreshes along the catalog's ladder).
    public var startYear = 2026
    /// Energy price the site pays, USD/MWh at the meter; nil: the contract's fixed price plus
    /// adder, or `defaultEnergyUSDPerMWh` for a real-time contract (or a backtest's figure).
    public var energyUSDPerMWh: Double?
    public var mine = Mine()
    public var lease = Lease()
    public var cloud = Cloud()
    public var hybrid = Hybrid()
    public var risk = Risk()

    /// A real-time ERCOT West buyer's all-in average, USD/MWh (assumption; the backtest of the
    /// site's own prices replaces it when the CLI is given `--prices`).
    public static let defaultEnergyUSDPerMWh = 40.0

    public init() {}

    /// Keep mining: refresh ASICs along the efficiency ladder.
    public struct Mine: Sendable, Equatable, Codable {
        /// Share of hours the fleet runs (the rest is curtailed), from a backtest or given.
        public var uptime = 0.95
        /// Grid-program income (ancillary awards, demand response, power credits), USD per MW-year.
        public var gridIncomeUSDPerMWYear = 0.0
        /// Staff, maintenance, insurance, hosting overhead, USD per MW-year (assumption).
        public var opexUSDPerMWYear = 60_000.0
        /// Machines for one MW of IT load, bought at every refresh (FACTS §6: 1 MW ≈ 66.7 PH/s at
        /// 15 J/TH ≈ 1.0–1.3 M$).
        public var machinesUSDPerMW = 1_150_000.0
        /// Mining infrastructure still to build, USD per MW: 0 for a built site (sunk); a
        /// greenfield costs 0.7–1.0 M$/MW (CoinShares, FACTS §6).
        public var infrastructureUSDPerMW = 0.0
        /// Years between fleet refreshes (FACTS §6: every 3–5 years).
        public var refreshYears = 4
        /// Age of the fleet at month 0, years: the first refresh comes at refresh − age.
        public var fleetAgeYears = 2.0
        /// J/TH improvement per year beyond the catalog's newest model (assumption; the catalog
        /// went from 34 J/TH in 2020 to 12 J/TH in 2024).
        public var efficiencyGainPerYear = 0.10
        public enum DifficultyModel: String, Sendable, Equatable, Codable, CaseIterable {
            /// Hashrate moves towards where the network's marginal miner breaks even.
            case marginalCost = "marginal_cost"
            /// Hashrate grows at a fixed rate whatever the price.
            case growth
        }
        public var difficulty = DifficultyModel.marginalCost
        /// Network hashrate growth per year under `growth`.
        public var hashrateGrowthPerYear = 0.25
        /// Share of the gap to break-even hashrate closed each month under `marginal_cost`.
        public var hashrateResponsePerMonth = 0.10
        /// Network J/TH improvement per year: the marginal miner's cost falls by it.
        public var networkEfficiencyGainPerYear = 0.10
        public init() {}
    }

    /// Lease the powered shell (or colocation) to AI tenants.
    public struct Lease: Sendable, Equatable, Codable {
        /// Utility MW per critical IT MW (FACTS §6: 1.25–1.5).
        public var utilityPerITMW = 1.35
        /// Build-out per MW of critical IT (FACTS §6: Cipher 9–11, TeraWulf 8–10 M$/MW).
        public var capexUSDPerMWIT = 10_000_000.0
        /// From decision to rent start (assumption; announced conversions take 12–24 months).
        public var commissioningMonths = 18
        public var termYears = 15.0
        /// Rent on critical IT, USD per kW-month (FACTS §6 deals: 102–159).
        public var usdPerKWMonth = 130.0
        /// Yearly rent escalator (FACTS §6: Hut 8 deal, 3 %).
        public var escalator = 0.03
        public enum Structure: String, Sendable, Equatable, Codable, CaseIterable {
            case tripleNet = "triple_net"
            case modifiedGross = "modified_gross"
        }
        public var structure = Structure.tripleNet
        /// NOI ÷ rent; nil: 85 % triple-net (FACTS §6: 80–90 %), 70 % modified gross (assumption).
        public var noiMargin: Double?
        public enum Renewal: String, Sendable, Equatable, Codable, CaseIterable {
            /// The tenant may renew `renewalOptions` times for `renewalYears` each.
            case renew
            /// The lease ends with its term; nothing is assumed after.
            case none
        }
        public var renewal = Renewal.renew
        public var renewalOptions = 2
        public var renewalYears = 5.0
        public var renewalProbability = 0.75
        /// Tenant default probability per year (assumption).
        public var defaultProbabilityPerYear = 0.01
        /// Months of vacancy after a default before a new tenant pays the same rent.
        public var reLetMonths = 12
        public var effectiveNOIMargin: Double { noiMargin ?? (structure == .tripleNet ? 0.85 : 0.70) }
        public init() {}
    }

    /// Become an AI cloud: own GPUs and rent them by the hour.
    public struct Cloud: Sendable, Equatable, Codable {
        /// A GPU system from the catalog (GPUSystem.builtIn); sets W per GPU.
        public var system = "DGX H100"
        /// Facility PUE; nil: the site's AI cooling overhead, or 1.2 when it gives none.
        public var pue: Double?
        /// All-in per GPU: server share, network, storage (derived from FACTS §6: 30–60 M$/MW
        /// with GPUs less 8–15 M$/MW of facility).
        public var usdPerGPU = 35_000.0
        public var refreshYears = 5
        public var utilisation = 0.70
        /// Price of a new GPU-hour (FACTS §5: H100 about 2.35 on one-year contracts).
        public var usdPerGPUHour = 2.35
        /// How fast a generation's hourly price falls, per year (assumption).
        public var priceDeclinePerYear = 0.20
        /// Staff, software, sales, support as a share of revenue (assumption).
        public var opexShareOfRevenue = 0.20
        public init() {}
    }

    /// Any split of the site's MW, and conversion over time.
    public struct Hybrid: Sendable, Equatable, Codable {
        public var mineShare = 1.0
        public var leaseShare = 0.0
        public var cloudShare = 0.0
        /// Share of the site's MW moved from mining each year (the seeds' example: 15 %).
        public var conversionPerYear = 0.15
        public enum Target: String, Sendable, Equatable, Codable, CaseIterable { case lease, cloud }
        public var convertTo = Target.lease
        public init() {}
    }

    /// The Monte Carlo's processes.
    public struct Risk: Sendable, Equatable, Codable {
        public enum PriceModel: String, Sendable, Equatable, Codable, CaseIterable {
            case gbm
            /// Blocks of monthly log returns from the BTC history, recentred on the GBM drift.
            case bootstrap
        }
        public var priceModel = PriceModel.gbm
        /// BTC price drift per year (assumption).
        public var btcDriftPerYear = 0.10
        /// BTC volatility per year (FACTS §6: GBM σ 45–60 %, stress 80 %).
        public var btcVolatility = 0.50
        /// Months per bootstrap block.
        public var bootstrapBlockMonths = 6
        /// Volatility of the fee level per year (assumption).
        public var feeVolatility = 0.50
        /// Volatility of GPU rental prices around their decline curve, per year (assumption).
        public var gpuPriceVolatility = 0.20
        public init() {}
    }
}

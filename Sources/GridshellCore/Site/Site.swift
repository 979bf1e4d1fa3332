import Foundation

/// A site: one grid connection and the loads behind it, as described in its YAML file.
public struct Site: Sendable, Equatable {
    public var name: String
    /// The most the site may draw from the grid, MW, cooling included.
    public var interconnectMW: Double
    public var cooling: CoolingOverhead
    public var contract: EnergyContract
    /// Pool fee, a fraction (0.02 for 2 %).
    public var poolFeeFraction: Double
    /// Bitcoin network inputs the site file fixes (any left nil come from defaults or options).
    public var bitcoin: BitcoinInputs
    public var minerGroups: [MinerGroup]
    public var gpuClusters: [GPUCluster]
    public var aiTenants: [AITenant]
    public var gridPrograms: GridPrograms
    /// The built-in catalog plus the site file's own models.
    public var catalog: MinerCatalog
    public var gpuSystems: [GPUSystem]
    /// Where prices and Bitcoin data come from live, and the fallback when they go stale.
    public var feeds: FeedSettings
    /// The strategic planner's assumptions (the file's `strategy:` section, or the defaults).
    public var strategy: StrategyAssumptions

    public init(
        name: String, interconnectMW: Double, cooling: CoolingOverhead = .init(), contract: EnergyContract,
        poolFeeFraction: Double = 0, bitcoin: BitcoinInputs = .init(), minerGroups: [MinerGroup] = [],
        gpuClusters: [GPUCluster] = [], aiTenants: [AITenant] = [], gridPrograms: GridPrograms = .init(),
        catalog: MinerCatalog = .builtIn, gpuSystems: [GPUSystem] = GPUSystem.builtIn, feeds: FeedSettings = .init(),
        strategy: StrategyAssumptions = .init()
    ) {
        self.feeds = feeds
        self.strategy = strategy
        self.name = name
        self.interconnectMW = interconnectMW
        self.cooling = cooling
        self.contract = contract
        self.poolFeeFraction = poolFeeFraction
        self.bitcoin = bitcoin
        self.minerGroups = minerGroups
        self.gpuClusters = gpuClusters
        self.aiTenants = aiTenants
        self.gridPrograms = gridPrograms
        self.catalog = catalog
        self.gpuSystems = gpuSystems
    }

    /// Firm load at the meter, MW: leased tenants and inference, with their cooling.
    public var firmLoadMW: Double {
        let tenants = aiTenants.reduce(0) { $0 + $1.firmKW / 1000 }
        let inference = gpuClusters.reduce(0) { $0 + $1.firmPowerW / 1e6 }
        return (tenants + inference) * cooling.ai
    }

    /// Every miner at stock, with cooling, MW.
    public var minerStockLoadMW: Double {
        minerGroups.reduce(0) { $0 + Double($1.count) * $1.model.stockPowerW / 1e6 } * cooling.mining
    }

    /// Every GPU system at full power, with cooling, MW.
    public var gpuFullLoadMW: Double {
        gpuClusters.reduce(0) { $0 + $1.maxPowerW / 1e6 } * cooling.ai
    }
}

/// Cooling and power-conversion overhead per load class, as a PUE (facility ÷ IT power).
public struct CoolingOverhead: Sendable, Equatable {
    public var mining: Double
    public var ai: Double
    public init(mining: Double = 1.0, ai: Double = 1.0) {
        self.mining = mining
        self.ai = ai
    }
}

/// Network inputs for the economics: any may be missing and filled in later.
public struct BitcoinInputs: Sendable, Equatable {
    public var priceUSD: Double?
    public var difficulty: Double?
    public var height: Int?
    public var feesPerBlockBTC: Double?
    /// A hashprice quoted directly, USD per PH/s per day; overrides the inputs above.
    public var hashpriceUSDPerPHsDay: Double?
    public init(
        priceUSD: Double? = nil, difficulty: Double? = nil, height: Int? = nil, feesPerBlockBTC: Double? = nil,
        hashpriceUSDPerPHsDay: Double? = nil
    ) {
        self.priceUSD = priceUSD
        self.difficulty = difficulty
        self.height = height
        self.feesPerBlockBTC = feesPerBlockBTC
        self.hashpriceUSDPerPHsDay = hashpriceUSDPerPHsDay
    }
}

/// How the site buys power.
public struct EnergyContract: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Pay the real-time settlement-point price for every MWh.
        case realTimeIndex
        /// A fixed-price block of `blockMW` at `priceUSDPerMWh`; energy not used is sold back at
        /// spot when `sellBack` is on ("power credits" = spot − fixed on the energy not used).
        case fixedPrice(priceUSDPerMWh: Double, blockMW: Double, sellBack: Bool)
    }

    public var kind: Kind
    /// ERCOT settlement point whose prices apply, e.g. HB_WEST.
    public var settlementPoint: String
    /// Adders on every MWh bought (wires, fees), USD/MWh.
    public var adderUSDPerMWh: Double
    /// The transmission rate billed on the 4CP tag, USD per kW-year; nil when not exposed.
    public var transmission4CPUSDPerKWYear: Double?

    public init(
        kind: Kind, settlementPoint: String, adderUSDPerMWh: Double = 0, transmission4CPUSDPerKWYear: Double? = nil
    ) {
        self.kind = kind
        self.settlementPoint = settlementPoint
        self.adderUSDPerMWh = adderUSDPerMWh
        self.transmission4CPUSDPerKWYear = transmission4CPUSDPerKWYear
    }
}

/// Miners of one model and firmware, run together.
public struct MinerGroup: Sendable, Equatable {
    public var name: String
    public var model: MinerModel
    public var firmware: FirmwareFamily
    public var count: Int
    /// Addresses of the group's miners: single IPs, CIDR blocks or `a.b.c.d-e` ranges.
    public var addresses: [String]
    /// Minimum minutes a miner stays on (or off) after a change, so the fleet does not flap.
    public var minOnMinutes: Double
    public var minOffMinutes: Double

    public init(
        name: String, model: MinerModel, firmware: FirmwareFamily, count: Int, addresses: [String] = [],
        minOnMinutes: Double = 15, minOffMinutes: Double = 15
    ) {
        self.name = name
        self.model = model
        self.firmware = firmware
        self.count = count
        self.addresses = addresses
        self.minOnMinutes = minOnMinutes
        self.minOffMinutes = minOffMinutes
    }

    /// The group's operating points under its firmware.
    public var operatingPoints: [OperatingPoint] { model.operatingPoints(firmware) }
}

/// A GPU cluster: systems of one kind and the jobs that run on them.
public struct GPUCluster: Sendable, Equatable {
    public var name: String
    public var system: GPUSystem
    public var count: Int
    public var jobs: [AIJob]

    public init(name: String, system: GPUSystem, count: Int, jobs: [AIJob] = []) {
        self.name = name
        self.system = system
        self.count = count
        self.jobs = jobs
    }

    public var gpuCount: Int { count * system.gpusPerSystem }
    public var maxPowerW: Double { Double(count) * system.maxPowerW }
    /// Power of one GPU at full clocks, with its share of the system's overhead.
    public var powerPerGPUW: Double { system.maxPowerW / Double(system.gpusPerSystem) }
    /// Power of the inference jobs, which are firm.
    public var firmPowerW: Double {
        jobs.filter { $0.kind == .inference }.reduce(0) { $0 + Double($1.gpus) * powerPerGPUW }
    }
}

/// A workload on a GPU cluster.
public struct AIJob: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Firm: served in full unless the grid leaves no other way.
        case inference
        /// Flexible by tier: can be capped along its curve or paused with a checkpoint.
        case training
        /// Cancellable.
        case batch
    }

    public var name: String
    public var kind: Kind
    public var gpus: Int
    /// 0–3: tolerates 0, 10, 25 or 50 % throughput loss (Emerald AI's Flex tiers).
    public var flexTier: Int
    /// What one pause costs (lost work since the last checkpoint, restart time), USD.
    public var checkpointCostUSD: Double
    /// Value of one GPU-hour of this job's work, USD.
    public var valueUSDPerGPUHour: Double
    /// Work left at the start of the run, GPU-hours at full throughput; given with `deadline`.
    public var workGPUHours: Double?
    /// When `workGPUHours` must be done.
    public var deadline: Date?
    /// What each GPU-hour of work still missing at the deadline costs, USD; nil for the default,
    /// `defaultDeadlinePenaltyMultiple` × `valueUSDPerGPUHour`.
    public var deadlinePenaltyUSDPerGPUHour: Double?

    /// A late GPU-hour costs three times what the work earns: the customer's service credit and
    /// the cluster held past its booking outweigh the work itself, so running through an ordinary
    /// price spike to finish is worth it and running through a 9,000 $/MWh hour is not (an H100
    /// draws about 1.5 kW at the meter, 13.8 $ an hour at that price).
    public static let defaultDeadlinePenaltyMultiple = 3.0

    public init(
        name: String, kind: Kind, gpus: Int, flexTier: Int = 0, checkpointCostUSD: Double = 0,
        valueUSDPerGPUHour: Double = 0, workGPUHours: Double? = nil, deadline: Date? = nil,
        deadlinePenaltyUSDPerGPUHour: Double? = nil
    ) {
        self.name = name
        self.kind = kind
        self.gpus = gpus
        self.flexTier = flexTier
        self.checkpointCostUSD = checkpointCostUSD
        self.valueUSDPerGPUHour = valueUSDPerGPUHour
        self.workGPUHours = workGPUHours
        self.deadline = deadline
        self.deadlinePenaltyUSDPerGPUHour = deadlinePenaltyUSDPerGPUHour
    }

    /// The penalty per GPU-hour missing at the deadline, the default applied.
    public var shortfallPenaltyUSDPerGPUHour: Double {
        deadlinePenaltyUSDPerGPUHour ?? Self.defaultDeadlinePenaltyMultiple * valueUSDPerGPUHour
    }

    /// Throughput loss the tier tolerates: 0, 10, 25 or 50 %.
    public static let tierSlowdown: [Double] = [0, 0.10, 0.25, 0.50]
    public var toleratedSlowdown: Double { Self.tierSlowdown[min(max(flexTier, 0), 3)] }
}

/// A tenant leasing power and space: firm load paid per kW-month.
public struct AITenant: Sendable, Equatable {
    public var name: String
    public var firmKW: Double
    public var usdPerKWMonth: Double
    public var termYears: Double
    /// Yearly rent escalator, a fraction (0.03 for 3 %).
    public var escalatorFraction: Double
    public var start: Date?
    /// Triple-net: the tenant pays for the energy (and the 4CP share) its load draws, at the
    /// site's cost, so its power is a pass-through in the site's ledger.
    public var energyPassThrough: Bool

    public init(
        name: String, firmKW: Double, usdPerKWMonth: Double, termYears: Double, escalatorFraction: Double = 0,
        start: Date? = nil, energyPassThrough: Bool = true
    ) {
        self.energyPassThrough = energyPassThrough
        self.name = name
        self.firmKW = firmKW
        self.usdPerKWMonth = usdPerKWMonth
        self.termYears = termYears
        self.escalatorFraction = escalatorFraction
        self.start = start
    }

    /// Rent in lease year `year` (0 = first), USD per month.
    public func monthlyRentUSD(leaseYear year: Int) -> Double {
        firmKW * usdPerKWMonth * pow(1 + escalatorFraction, Double(max(year, 0)))
    }
}

/// The grid programs the site takes part in.
public struct GridPrograms: Sendable, Equatable {
    public var ancillary: [AncillaryAward]
    public var demandResponse: [DemandResponseEnrolment]
    /// The grid operator's demand-response server the site listens to, if any.
    public var openADR: OpenADRSettings?
    /// How the site sees 4CP peaks coming (nil: the price proxy, when the contract bills 4CP).
    public var fourCP: FourCPSettings?
    public init(
        ancillary: [AncillaryAward] = [], demandResponse: [DemandResponseEnrolment] = [], openADR: OpenADRSettings? = nil, fourCP: FourCPSettings? = nil
    ) {
        self.ancillary = ancillary
        self.demandResponse = demandResponse
        self.openADR = openADR
        self.fourCP = fourCP
    }
}

/// The site as an OpenADR 2.0b VEN: where its VTN is, how SIMPLE levels become a power target,
/// and what a delivered MWh earns.
public struct OpenADRSettings: Sendable, Equatable {
    /// What one SIMPLE level asks: a site power limit in MW, or a share of the baseline.
    public enum Level: Sendable, Equatable {
        case megawatts(Double)
        case fractionOfBaseline(Double)
    }

    public var vtnURL: String
    public var venName: String
    /// Paid per MWh the site stays below its baseline during an event it takes part in.
    public var creditUSDPerMWh: Double
    /// SIMPLE level (1–3) → target; level 0 sets none.
    public var simpleLevels: [Int: Level]
    /// Until the VTN says otherwise.
    public var pollSeconds: Double
    /// TLS with a client certificate: PEM paths.
    public var certificatePath: String?
    public var keyPath: String?
    public var caPath: String?

    public init(
        vtnURL: String, venName: String, creditUSDPerMWh: Double = 0,
        simpleLevels: [Int: Level] = [1: .fractionOfBaseline(0.75), 2: .fractionOfBaseline(0.5), 3: .fractionOfBaseline(0.1)], pollSeconds: Double = 10,
        certificatePath: String? = nil, keyPath: String? = nil, caPath: String? = nil
    ) {
        self.vtnURL = vtnURL
        self.venName = venName
        self.creditUSDPerMWh = creditUSDPerMWh
        self.simpleLevels = simpleLevels
        self.pollSeconds = pollSeconds
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.caPath = caPath
    }
}

/// An ancillary-service award: MW that must stay online and droppable while it is active.
public struct AncillaryAward: Sendable, Equatable {
    public enum Product: String, Sendable, Equatable, CaseIterable {
        case rrs = "RRS", ecrs = "ECRS", nonSpin = "NON_SPIN", regUp = "REG_UP", regDown = "REG_DOWN"
        case ers10 = "ERS_10", ers30 = "ERS_30"

        /// Time to deliver on deployment, seconds (FACTS.md §4).
        public var responseSeconds: Double {
            switch self {
            case .rrs: return 0.5
            case .ecrs, .ers10: return 600
            case .nonSpin, .ers30: return 1800
            case .regUp, .regDown: return 5
            }
        }
    }

    public var product: Product
    public var mw: Double
    /// Capacity payment, USD per MW per hour of award.
    public var priceUSDPerMWHour: Double
    public var responseSeconds: Double

    public init(product: Product, mw: Double, priceUSDPerMWHour: Double = 0, responseSeconds: Double? = nil) {
        self.product = product
        self.mw = mw
        self.priceUSDPerMWHour = priceUSDPerMWHour
        self.responseSeconds = responseSeconds ?? product.responseSeconds
    }
}

/// Enrolment in a demand-response program.
public struct DemandResponseEnrolment: Sendable, Equatable {
    public var name: String
    public var maxReductionMW: Double
    /// Paid per MWh of reduction delivered.
    public var creditUSDPerMWh: Double
    public var noticeMinutes: Double
    public init(name: String, maxReductionMW: Double, creditUSDPerMWh: Double = 0, noticeMinutes: Double = 10) {
        self.name = name
        self.maxReductionMW = maxReductionMW
        self.creditUSDPerMWh = creditUSDPerMWh
        self.noticeMinutes = noticeMinutes
    }
}

import Foundation

/// The money and energy of one dispatch interval, so every backtest and every live day ends in
/// money.
public struct LedgerEntry: Sendable, Equatable, Codable {
    public var start: Date
    public var hours: Double
    public var priceUSDPerMWh: Double
    /// Energy drawn at the meter, MWh.
    public var energyMWh: Double
    public var siteMW: Double
    public var minerMW: Double
    public var aiMW: Double
    public var miningRevenueUSD: Double
    /// Lease rent, inference and training work.
    public var aiRevenueUSD: Double
    /// Value of AI work not done because of caps or pauses.
    public var aiThroughputLostUSD: Double
    /// Work the flexible (training and batch) jobs did, GPU-hours at full throughput.
    public var jobWorkGPUHours: Double
    public var energyCostUSD: Double
    /// Fixed-price sell-back: (spot − fixed) on the block energy not used.
    public var powerCreditsUSD: Double
    /// Demand-response and ancillary-service income.
    public var gridCreditsUSD: Double
    public var fourCPChargeUSD: Double
    public var penaltiesUSD: Double
    public var checkpointCostUSD: Double
    /// Work missing at the deadlines settled in this interval, at each job's penalty.
    public var deadlinePenaltyUSD: Double
    /// Deadlines settled in this interval: work done in full, or not.
    public var deadlinesMet: Int
    public var deadlinesMissed: Int
    /// Miners asleep, as a share of all miners.
    public var curtailedShare: Double
    public var slaBreach: Bool

    public var netUSD: Double {
        miningRevenueUSD + aiRevenueUSD + powerCreditsUSD + gridCreditsUSD - energyCostUSD - fourCPChargeUSD - penaltiesUSD - checkpointCostUSD
            - deadlinePenaltyUSD
    }

    public init(start: Date, hours: Double, priceUSDPerMWh: Double) {
        self.start = start
        self.hours = hours
        self.priceUSDPerMWh = priceUSDPerMWh
        energyMWh = 0; siteMW = 0; minerMW = 0; aiMW = 0
        miningRevenueUSD = 0; aiRevenueUSD = 0; aiThroughputLostUSD = 0; jobWorkGPUHours = 0; energyCostUSD = 0
        powerCreditsUSD = 0; gridCreditsUSD = 0; fourCPChargeUSD = 0; penaltiesUSD = 0; checkpointCostUSD = 0
        deadlinePenaltyUSD = 0; deadlinesMet = 0; deadlinesMissed = 0
        curtailedShare = 0; slaBreach = false
    }
}

/// Sums of a run of ledger entries.
public struct LedgerTotals: Sendable, Equatable, Codable {
    public var intervals = 0
    public var energyMWh = 0.0
    public var miningRevenueUSD = 0.0
    public var aiRevenueUSD = 0.0
    public var aiThroughputLostUSD = 0.0
    public var jobWorkGPUHours = 0.0
    public var energyCostUSD = 0.0
    public var powerCreditsUSD = 0.0
    public var gridCreditsUSD = 0.0
    public var fourCPChargeUSD = 0.0
    public var penaltiesUSD = 0.0
    public var checkpointCostUSD = 0.0
    public var deadlinePenaltyUSD = 0.0
    public var deadlinesMet = 0
    public var deadlinesMissed = 0
    public var netUSD = 0.0
    /// Miner-hours asleep ÷ miner count: hours the whole fleet would have been off.
    public var curtailedHours = 0.0
    /// Intervals with any miner asleep.
    public var intervalsWithCurtailment = 0
    public var slaBreaches = 0

    public init() {}

    public mutating func add(_ e: LedgerEntry) {
        intervals += 1
        energyMWh += e.energyMWh
        miningRevenueUSD += e.miningRevenueUSD
        aiRevenueUSD += e.aiRevenueUSD
        aiThroughputLostUSD += e.aiThroughputLostUSD
        jobWorkGPUHours += e.jobWorkGPUHours
        energyCostUSD += e.energyCostUSD
        powerCreditsUSD += e.powerCreditsUSD
        gridCreditsUSD += e.gridCreditsUSD
        fourCPChargeUSD += e.fourCPChargeUSD
        penaltiesUSD += e.penaltiesUSD
        checkpointCostUSD += e.checkpointCostUSD
        deadlinePenaltyUSD += e.deadlinePenaltyUSD
        deadlinesMet += e.deadlinesMet
        deadlinesMissed += e.deadlinesMissed
        netUSD += e.netUSD
        curtailedHours += e.curtailedShare * e.hours
        if e.curtailedShare > 1e-9 { intervalsWithCurtailment += 1 }
        if e.slaBreach { slaBreaches += 1 }
    }
}

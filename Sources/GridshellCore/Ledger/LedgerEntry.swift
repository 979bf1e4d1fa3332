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
    /// The 4CP window the interval was in, if the plan saw a chance of a peak.
    public var fourCP: FourCPWindow?
    /// Each AI job's line (sites with GPU jobs only): its level, power, revenue and what the
    /// plan's caps and pauses cost it.
    public var jobs: [JobLedgerLine]?

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

/// One AI job in one interval.
public struct JobLedgerLine: Sendable, Equatable, Codable {
    /// The site file's job name.
    public var job: String
    /// Its power as a share of its full power: 1 uncapped, 0 paused.
    public var powerShare: Double
    public var powerMW: Double
    /// The value of the work it did.
    public var revenueUSD: Double
    /// The value of the work caps and pauses kept it from doing.
    public var throughputLostUSD: Double
    /// The checkpoint a pause made it write.
    public var checkpointCostUSD: Double

    public init(job: String, powerShare: Double, powerMW: Double, revenueUSD: Double, throughputLostUSD: Double, checkpointCostUSD: Double) {
        self.job = job
        self.powerShare = powerShare
        self.powerMW = powerMW
        self.revenueUSD = revenueUSD
        self.throughputLostUSD = throughputLostUSD
        self.checkpointCostUSD = checkpointCostUSD
    }
}

/// What a 4CP window did in one interval: the chance of a peak the plan weighed, the load it
/// kept off the meter for it, and what that is worth.
public struct FourCPWindow: Sendable, Equatable, Codable {
    /// Chance, 0–1, that the interval sets its month's peak.
    public var probability: Double
    /// What the site would have drawn with no window, MW.
    public var baselineMW: Double
    /// Baseline minus what it drew: the tag avoided should the interval be the peak, MW.
    public var avoidedMW: Double
    /// The transmission charge that avoids, weighted by the chance: avoided MW × rate ×
    /// 1,000 ÷ 4 × probability (the tag is the mean of four peaks, billed for a year). Not part of
    /// the interval's net: the saving shows in next year's bill.
    public var expectedSavingUSD: Double
    /// True once the interval is known to be one of the peaks (a backtest knows; live, once
    /// the grid operator publishes them).
    public var confirmedPeak: Bool

    public init(probability: Double, baselineMW: Double, avoidedMW: Double, expectedSavingUSD: Double, confirmedPeak: Bool = false) {
        self.probability = probability
        self.baselineMW = baselineMW
        self.avoidedMW = avoidedMW
        self.expectedSavingUSD = expectedSavingUSD
        self.confirmedPeak = confirmedPeak
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
    /// Intervals with a 4CP window open (a chance of a peak priced into the plan).
    public var fourCPWindowIntervals = 0
    /// Expected transmission saving of those windows.
    public var fourCPExpectedSavingUSD = 0.0
    /// Tag avoided in the known peak intervals: the mean of avoided MW over them ÷ 4 each, MW;
    /// times the rate in kW-year, next year's saving.
    public var fourCPTagAvoidedMW = 0.0

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
        if let w = e.fourCP {
            if w.probability > 0 { fourCPWindowIntervals += 1 }
            fourCPExpectedSavingUSD += w.expectedSavingUSD
            if w.confirmedPeak { fourCPTagAvoidedMW += w.avoidedMW / 4 }
        }
    }
}

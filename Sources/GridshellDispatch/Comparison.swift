import Foundation
import GridshellCore

/// The figures that tell policies apart, one row per policy.
public struct Comparison: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var policy: String
        public var energyMWh: Double
        public var revenueUSD: Double
        public var miningRevenueUSD: Double
        public var aiRevenueUSD: Double
        public var energyCostUSD: Double
        public var creditsUSD: Double
        public var fourCPChargeUSD: Double
        public var penaltiesUSD: Double
        public var netMarginUSD: Double
        /// Net margin as a share of the hindsight optimum's, percent.
        public var percentOfHindsight: Double?
        /// (policy − always-on) ÷ (hindsight − always-on), percent.
        public var flexibilityCapturedPercent: Double?
        public var curtailedHours: Double
        public var intervalsWithCurtailment: Int
        public var curtailedIntervalShare: Double
        /// Intervals with firm load shed, plus deadlines missed.
        public var slaBreaches: Int
        public var deadlinesMet: Int
        public var deadlinesMissed: Int
        /// Work the flexible jobs did, GPU-hours at full throughput.
        public var jobWorkGPUHours: Double
        public var aiThroughputLostUSD: Double
        /// Seconds the policy took over the whole backtest.
        public var seconds: Double
    }

    public var site: String
    public var settlementPoint: String
    public var from: Date
    public var to: Date
    public var intervals: Int
    public var rows: [Row]

    public init(site: String, settlementPoint: String, from: Date, to: Date, runs: [PolicyRun]) {
        self.site = site
        self.settlementPoint = settlementPoint
        self.from = from
        self.to = to
        intervals = runs.first?.totals.intervals ?? 0
        let hindsight = runs.first { $0.policy == "hindsight" }?.totals.netUSD
        let alwaysOn = runs.first { $0.policy == "always-on" }?.totals.netUSD
        rows = runs.map { run in
            let t = run.totals
            var pct: Double?
            var captured: Double?
            if let hindsight, hindsight != 0 { pct = t.netUSD / hindsight * 100 }
            if let hindsight, let alwaysOn, hindsight - alwaysOn > 1e-6 { captured = (t.netUSD - alwaysOn) / (hindsight - alwaysOn) * 100 }
            return Row(
                policy: run.policy, energyMWh: t.energyMWh, revenueUSD: t.miningRevenueUSD + t.aiRevenueUSD,
                miningRevenueUSD: t.miningRevenueUSD, aiRevenueUSD: t.aiRevenueUSD, energyCostUSD: t.energyCostUSD,
                creditsUSD: t.powerCreditsUSD + t.gridCreditsUSD, fourCPChargeUSD: t.fourCPChargeUSD, penaltiesUSD: t.penaltiesUSD + t.checkpointCostUSD + t.deadlinePenaltyUSD,
                netMarginUSD: t.netUSD, percentOfHindsight: pct, flexibilityCapturedPercent: captured, curtailedHours: t.curtailedHours,
                intervalsWithCurtailment: t.intervalsWithCurtailment,
                curtailedIntervalShare: t.intervals > 0 ? Double(t.intervalsWithCurtailment) / Double(t.intervals) : 0,
                slaBreaches: t.slaBreaches + t.deadlinesMissed, deadlinesMet: t.deadlinesMet, deadlinesMissed: t.deadlinesMissed,
                jobWorkGPUHours: t.jobWorkGPUHours, aiThroughputLostUSD: t.aiThroughputLostUSD, seconds: run.seconds)
        }
    }
}

import Foundation
import GridshellCore

/// The month-by-month tables every simulation shares: subsidy by height, the fleet's J/TH along
/// the refresh ladder, rent escalation, GPU price decline. Built once per run.
struct PlanSchedule: Sendable {
    static let hoursPerMonth = 8_766.0 / 12
    /// Blocks a month at the 600-second target.
    static let blocksPerMonth = 86_400.0 / Difficulty.targetBlockSeconds * 365.25 / 12

    let months: Int
    let years: Int
    var subsidyBTC: [Double] = []
    var fleetJoulesPerTH: [Double] = []
    /// Months a mining refresh buys a new fleet.
    var refresh: [Bool] = []
    /// The network's marginal cost relative to month 0.
    var networkCost: [Double] = []
    /// (1 + escalator)^k for rent year k.
    var escalation: [Double] = []
    /// A GPU generation's price relative to new, by age in months.
    var gpuDecline: [Double] = []
    /// Renewal periods in force, by index, in the deterministic case (probability products).
    var renewalProbabilities: [Double] = []

    init(inputs: PlanInputs) {
        let s = inputs.strategy
        years = s.years
        months = s.years * 12
        for t in 0..<months {
            let height = inputs.network.height + Int((Double(t) * Self.blocksPerMonth).rounded())
            subsidyBTC.append(BlockSubsidy.bitcoins(atHeight: height))
            networkCost.append(pow(1 - s.mine.networkEfficiencyGainPerYear, Double(t) / 12))
            gpuDecline.append(pow(1 - s.cloud.priceDeclinePerYear, Double(t) / 12))
        }
        // The fleet: the site's own until its first refresh (or bought at month 0 when the site
        // has none), then the ladder's best in each refresh's year.
        let refreshMonths = s.mine.refreshYears * 12
        let first = inputs.ownsFleet ? max(0, Int(((Double(s.mine.refreshYears) - s.mine.fleetAgeYears) * 12).rounded())) : 0
        var j = inputs.fleetJoulesPerTH
        for t in 0..<months {
            let isRefresh = t >= first && (t - first) % refreshMonths == 0
            if isRefresh { j = inputs.ladderJoulesPerTH(atYear: s.startYear + t / 12) }
            refresh.append(isRefresh)
            fleetJoulesPerTH.append(j)
        }
        for k in 0...(years + 1) { escalation.append(pow(1 + s.lease.escalator, Double(k))) }
        var p = 1.0
        for _ in 0..<max(s.lease.renewalOptions, 0) {
            p *= s.lease.renewalProbability
            renewalProbabilities.append(p)
        }
    }
}

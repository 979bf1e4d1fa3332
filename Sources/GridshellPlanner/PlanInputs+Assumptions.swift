import GridshellCore

import Foundation

extension PlanInputs {
    /// Every assumption the run uses, as shown in the report, with where it comes from.
    public var assumptions: [Assumption] {
        let s = strategy
        func pct(_ v: Double) -> String { String(format: "%.3g %%", v * 100) }
        func usd(_ v: Double) -> String { String(format: "%.0f USD", v) }
        let facts6 = "FACTS.md §6"
        return [
            Assumption(name: "horizon", value: "\(s.years) years, monthly steps", source: "strategy.years / --years"),
            Assumption(name: "discount rate", value: pct(s.discountRate), source: "assumption: unlevered pre-tax hurdle"),
            Assumption(name: "cap rate", value: pct(s.capRate), source: "\(facts6): 5.5–7.5 %, KBW uses 6 %"),
            Assumption(name: "site grid connection", value: String(format: "%.1f MW", utilityMW), source: "site interconnect_mw"),
            Assumption(name: "BTC price, difficulty, height, fees", value: String(format: "%.0f USD, %.4g, %d, %.4f BTC/block", network.priceUSD, network.difficulty, network.height, network.feesPerBlockBTC), source: network.source),
            Assumption(name: "pool fee", value: pct(poolFeeFraction), source: "site pool.fee_percent (FACTS.md §1: 1–4 %)"),
            Assumption(name: "energy price", value: String(format: "%.2f USD/MWh", energyUSDPerMWh), source: s.energyUSDPerMWh != nil ? "strategy.energy_usd_per_mwh" : operatingSource == "strategy section (or its defaults)" ? "contract (fixed price + adder) or 40 USD/MWh + adder for real-time" : operatingSource),
            Assumption(name: "mining uptime", value: pct(s.mine.uptime), source: operatingSource),
            Assumption(name: "grid-program income", value: String(format: "%.0f USD/MW-year", s.mine.gridIncomeUSDPerMWYear), source: operatingSource),
            Assumption(name: "mining opex", value: String(format: "%.0f USD/MW-year", s.mine.opexUSDPerMWYear), source: "assumption"),
            Assumption(name: "fleet at month 0", value: String(format: "%.1f J/TH%@", fleetJoulesPerTH, ownsFleet ? ", the site's miners" : ", bought at month 0"), source: "site miners / catalog"),
            Assumption(name: "refresh ladder", value: String(format: "%.1f J/TH (%d), %@ a year better after", ladderJoulesPerTH, ladderYear, pct(s.mine.efficiencyGainPerYear)), source: "catalog (FACTS.md §2); gain an assumption"),
            Assumption(name: "machines per MW, refresh", value: String(format: "%@ every %d years", usd(s.mine.machinesUSDPerMW), s.mine.refreshYears), source: "\(facts6): 1 MW ≈ 66.7 PH/s ≈ 1.0–1.3 M$ every 3–5 years"),
            Assumption(name: "difficulty", value: s.mine.difficulty == .marginalCost
                ? String(format: "marginal cost: hashrate closes %@ of the gap to break-even a month; network cost falls %@ a year", pct(s.mine.hashrateResponsePerMonth), pct(s.mine.networkEfficiencyGainPerYear))
                : String(format: "hashrate grows %@ a year", pct(s.mine.hashrateGrowthPerYear)), source: "\(facts6) (endogenous difficulty); rates are assumptions"),
            Assumption(name: "utility MW per IT MW", value: String(format: "%.2f", s.lease.utilityPerITMW), source: "\(facts6): 1.25–1.5"),
            Assumption(name: "build-out capex", value: String(format: "%@ per MW IT over %d months", usd(s.lease.capexUSDPerMWIT), s.lease.commissioningMonths), source: "\(facts6): Cipher 9–11, TeraWulf 8–10 M$/MW"),
            Assumption(name: "lease", value: String(format: "%.0f USD/kW-month, %.0f years, %@ escalator, %@, NOI margin %@", s.lease.usdPerKWMonth, s.lease.termYears, pct(s.lease.escalator), s.lease.structure.rawValue, pct(s.lease.effectiveNOIMargin)), source: "\(facts6): deals 102–159 USD/kW-month, NOI 80–90 %"),
            Assumption(name: "renewal", value: s.lease.renewal == .renew ? String(format: "%d × %.0f years at %@ each", s.lease.renewalOptions, s.lease.renewalYears, pct(s.lease.renewalProbability)) : "none", source: "\(facts6): renewal options; probability an assumption"),
            Assumption(name: "tenant default", value: String(format: "%@ a year, %d months to re-let", pct(s.lease.defaultProbabilityPerYear), s.lease.reLetMonths), source: "assumption"),
            Assumption(name: "cloud", value: String(format: "%@, %.0f W per GPU, PUE %.2f, %@ per GPU, refresh %d years", s.cloud.system, cloudWattsPerGPU, cloudPUE, usd(s.cloud.usdPerGPU), s.cloud.refreshYears), source: "FACTS.md §5 (GPU power), §6 (30–60 M$/MW with GPUs)"),
            Assumption(name: "GPU-hour", value: String(format: "%.2f USD, falling %@ a year, %@ utilised, opex %@ of revenue", s.cloud.usdPerGPUHour, pct(s.cloud.priceDeclinePerYear), pct(s.cloud.utilisation), pct(s.cloud.opexShareOfRevenue)), source: "FACTS.md §5: H100 ≈ 2.35 on one-year contracts; decline, utilisation, opex assumptions"),
            Assumption(name: "hybrid", value: String(format: "%@ mine, %@ lease, %@ cloud; %@ a year to %@", pct(s.hybrid.mineShare), pct(s.hybrid.leaseShare), pct(s.hybrid.cloudShare), pct(s.hybrid.conversionPerYear), s.hybrid.convertTo.rawValue), source: "strategy.hybrid"),
            Assumption(name: "BTC price process", value: s.risk.priceModel == .gbm
                ? String(format: "GBM, drift %@, volatility %@", pct(s.risk.btcDriftPerYear), pct(s.risk.btcVolatility))
                : String(format: "block bootstrap of %d monthly returns in %d-month blocks, recentred on drift %@", monthlyLogReturns.count, s.risk.bootstrapBlockMonths, pct(s.risk.btcDriftPerYear)), source: "\(facts6): σ 45–60 %, stress 80 %; drift an assumption"),
            Assumption(name: "fee and GPU price volatility", value: "\(pct(s.risk.feeVolatility)), \(pct(s.risk.gpuPriceVolatility))", source: "assumption"),
        ]
    }
}

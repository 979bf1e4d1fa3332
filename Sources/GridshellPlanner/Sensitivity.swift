import GridshellCore

import Foundation

/// One input at a time, set low and high around the base case; each path's NPV swing ranks them.
enum Sensitivity {
    struct Input {
        var name: String
        var low: String
        var high: String
        var set: @Sendable (inout PlanInputs, Bool) -> Void
    }

    static func inputs(_ base: PlanInputs) -> [Input] {
        let s = base.strategy
        func pct(_ v: Double) -> String { String(format: "%.0f %%", v * 100) }
        func num(_ v: Double, _ unit: String) -> String { String(format: "%.4g %@", v, unit) }
        let price = base.network.priceUSD, fees = base.network.feesPerBlockBTC, energy = base.energyUSDPerMWh
        var list: [Input] = [
            Input(name: "BTC price today", low: num(price * 0.7, "USD"), high: num(price * 1.3, "USD")) { $0.network.priceUSD = price * ($1 ? 1.3 : 0.7) },
            Input(name: "BTC drift", low: pct(s.risk.btcDriftPerYear - 0.1), high: pct(s.risk.btcDriftPerYear + 0.1)) {
                $0.strategy.risk.btcDriftPerYear = s.risk.btcDriftPerYear + ($1 ? 0.1 : -0.1)
            },
            Input(name: "fees per block", low: num(fees * 0.5, "BTC"), high: num(fees * 2, "BTC")) { $0.network.feesPerBlockBTC = fees * ($1 ? 2 : 0.5) },
            Input(name: "energy price", low: num(energy * 0.75, "USD/MWh"), high: num(energy * 1.25, "USD/MWh")) { $0.energyUSDPerMWh = energy * ($1 ? 1.25 : 0.75) },
            Input(name: "mining uptime", low: pct(max(s.mine.uptime - 0.1, 0)), high: pct(min(s.mine.uptime + 0.05, 1))) {
                $0.strategy.mine.uptime = $1 ? min(s.mine.uptime + 0.05, 1) : max(s.mine.uptime - 0.1, 0)
            },
            Input(name: "ASIC cost per MW", low: num(s.mine.machinesUSDPerMW * 0.75, "USD"), high: num(s.mine.machinesUSDPerMW * 1.25, "USD")) {
                $0.strategy.mine.machinesUSDPerMW = s.mine.machinesUSDPerMW * ($1 ? 1.25 : 0.75)
            },
            Input(name: "lease rate", low: num(s.lease.usdPerKWMonth * 0.85, "USD/kW-month"), high: num(s.lease.usdPerKWMonth * 1.15, "USD/kW-month")) {
                $0.strategy.lease.usdPerKWMonth = s.lease.usdPerKWMonth * ($1 ? 1.15 : 0.85)
            },
            Input(name: "build-out capex per MW IT", low: num(s.lease.capexUSDPerMWIT * 0.8, "USD"), high: num(s.lease.capexUSDPerMWIT * 1.2, "USD")) {
                $0.strategy.lease.capexUSDPerMWIT = s.lease.capexUSDPerMWIT * ($1 ? 1.2 : 0.8)
            },
            Input(name: "commissioning", low: "12 months", high: "24 months") { $0.strategy.lease.commissioningMonths = $1 ? 24 : 12 },
            Input(name: "cap rate", low: "5.5 %", high: "7.5 %") { $0.strategy.capRate = $1 ? 0.075 : 0.055 },
            Input(name: "tenant default", low: "0 %/yr", high: "5 %/yr") { $0.strategy.lease.defaultProbabilityPerYear = $1 ? 0.05 : 0 },
            Input(name: "GPU-hour price", low: num(s.cloud.usdPerGPUHour * 0.75, "USD"), high: num(s.cloud.usdPerGPUHour * 1.25, "USD")) {
                $0.strategy.cloud.usdPerGPUHour = s.cloud.usdPerGPUHour * ($1 ? 1.25 : 0.75)
            },
            Input(name: "GPU price decline", low: pct(max(s.cloud.priceDeclinePerYear - 0.1, 0)), high: pct(s.cloud.priceDeclinePerYear + 0.1)) {
                $0.strategy.cloud.priceDeclinePerYear = $1 ? s.cloud.priceDeclinePerYear + 0.1 : max(s.cloud.priceDeclinePerYear - 0.1, 0)
            },
            Input(name: "GPU utilisation", low: pct(max(s.cloud.utilisation - 0.15, 0)), high: pct(min(s.cloud.utilisation + 0.15, 1))) {
                $0.strategy.cloud.utilisation = $1 ? min(s.cloud.utilisation + 0.15, 1) : max(s.cloud.utilisation - 0.15, 0)
            },
            Input(name: "GPU cost", low: num(s.cloud.usdPerGPU * 0.8, "USD"), high: num(s.cloud.usdPerGPU * 1.2, "USD")) {
                $0.strategy.cloud.usdPerGPU = s.cloud.usdPerGPU * ($1 ? 1.2 : 0.8)
            },
            Input(name: "discount rate", low: pct(max(s.discountRate - 0.02, 0)), high: pct(s.discountRate + 0.02)) {
                $0.strategy.discountRate = $1 ? s.discountRate + 0.02 : max(s.discountRate - 0.02, 0)
            },
        ]
        switch s.mine.difficulty {
        case .marginalCost:
            list.append(Input(name: "network efficiency gain", low: pct(max(s.mine.networkEfficiencyGainPerYear - 0.05, 0)), high: pct(s.mine.networkEfficiencyGainPerYear + 0.05)) {
                $0.strategy.mine.networkEfficiencyGainPerYear = $1 ? s.mine.networkEfficiencyGainPerYear + 0.05 : max(s.mine.networkEfficiencyGainPerYear - 0.05, 0)
            })
        case .growth:
            list.append(Input(name: "hashrate growth", low: pct(s.mine.hashrateGrowthPerYear - 0.15), high: pct(s.mine.hashrateGrowthPerYear + 0.15)) {
                $0.strategy.mine.hashrateGrowthPerYear = s.mine.hashrateGrowthPerYear + ($1 ? 0.15 : -0.15)
            })
        }
        return list
    }

    /// Each path's inputs by NPV swing, largest first (inputs that do not move a path are left out).
    static func rank(_ base: PlanInputs) -> [SensitivityRanking] {
        let baseNPV = Planner.baseNPVs(base)
        var entries = Array(repeating: [SensitivityEntry](), count: base.strategy.paths.count)
        for input in inputs(base) {
            var low = base, high = base
            input.set(&low, false)
            input.set(&high, true)
            let l = Planner.baseNPVs(low), h = Planner.baseNPVs(high)
            for p in entries.indices where abs(h[p] - l[p]) > 1e-6 * max(1, abs(baseNPV[p])) {
                entries[p].append(SensitivityEntry(input: input.name, low: input.low, high: input.high, npvLowUSD: l[p], npvHighUSD: h[p]))
            }
        }
        return base.strategy.paths.enumerated().map { p, path in
            SensitivityRanking(path: path.rawValue, baseNPVUSD: baseNPV[p], inputs: entries[p].sorted { $0.swingUSD > $1.swingUSD })
        }
    }
}

import Foundation
import GridshellCore

/// One simulated future (or the deterministic base case) for every requested path at once: the
/// BTC price, fees, network hashrate, GPU rental prices and the tenant's defaults move month by
/// month, and each path's cash flows are added up by year.
struct PathSimulator: Sendable {
    let inputs: PlanInputs
    let schedule: PlanSchedule
    let paths: Int
    /// The layouts flattened once, so the monthly loop touches plain arrays: mining share at
    /// `p * months + t`; the tranches of path p at `offsets[p]..<offsets[p + 1]`.
    let mineShares: [Double]
    let leaseStarts: [Int], leaseShares: [Double], leaseOffsets: [Int]
    let cloudStarts: [Int], cloudShares: [Double], cloudOffsets: [Int]
    /// Added to each historical monthly return the bootstrap draws: removes the history's own
    /// trend and sets the expected growth of a block, exp(Σ r), to the drift's over its months,
    /// whatever the history's tails and runs within a block.
    let bootstrapShift: Double

    init(inputs: PlanInputs, schedule: PlanSchedule, layouts: [PathLayout]) {
        let history = inputs.monthlyLogReturns
        let block = max(inputs.strategy.risk.bootstrapBlockMonths, 1)
        if history.count >= block {
            let mean = history.reduce(0, +) / Double(history.count)
            let starts = history.count - block + 1
            var growth = 0.0
            for start in 0..<starts { growth += exp(history[start..<(start + block)].reduce(0) { $0 + $1 - mean }) }
            bootstrapShift = inputs.strategy.risk.btcDriftPerYear / 12 - log(growth / Double(starts)) / Double(block) - mean
        } else {
            bootstrapShift = 0
        }
        self.inputs = inputs
        self.schedule = schedule
        paths = layouts.count
        mineShares = layouts.flatMap(\.mineShare)
        leaseStarts = layouts.flatMap { $0.leaseTranches.map(\.startMonth) }
        leaseShares = layouts.flatMap { $0.leaseTranches.map(\.share) }
        leaseOffsets = [0] + layouts.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.leaseTranches.count) }
        cloudStarts = layouts.flatMap { $0.cloudTranches.map(\.startMonth) }
        cloudShares = layouts.flatMap { $0.cloudTranches.map(\.share) }
        cloudOffsets = [0] + layouts.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.cloudTranches.count) }
    }

    /// Yearly figures of one run, path-major: index `p * years + y`.
    struct Yearly {
        var operating: [Double]
        var growthCapex: [Double]
        var sustainingCapex: [Double]
        var terminal: [Double]
        /// BTC price in the last month.
        var finalPriceUSD = 0.0

        init(paths: Int, years: Int) {
            operating = Array(repeating: 0, count: paths * years)
            growthCapex = operating
            sustainingCapex = operating
            terminal = operating
        }

        mutating func reset() {
            for i in operating.indices {
                operating[i] = 0
                growthCapex[i] = 0
                sustainingCapex[i] = 0
                terminal[i] = 0
            }
        }

        func net(_ i: Int) -> Double { operating[i] - growthCapex[i] - sustainingCapex[i] + terminal[i] }
    }

    /// Runs one future. `rng == nil` is the base case: no shocks, the price on its mean path,
    /// defaults and renewals as expected values.
    func run(rng: inout RandomSource?, into out: inout Yearly) {
        let s = inputs.strategy
        let months = schedule.months, years = schedule.years
        let hours = PlanSchedule.hoursPerMonth
        let dt = 1.0 / 12
        let stochastic = rng != nil

        // Mining, per utility MW.
        let minePUE = inputs.miningPUE, energy = inputs.energyUSDPerMWh
        let mineFixed = (s.mine.gridIncomeUSDPerMWYear - s.mine.opexUSDPerMWYear) / 12
        let machinesPerUtilityMW = s.mine.machinesUSDPerMW / minePUE
        // Lease, per utility MW.
        let itPerUtility = 1 / s.lease.utilityPerITMW
        let commissioning = s.lease.commissioningMonths
        let buildPerMonth = s.lease.capexUSDPerMWIT * itPerUtility / Double(max(commissioning, 1))
        let rentPerMonth = s.lease.usdPerKWMonth * 1000 * itPerUtility
        let margin = s.lease.effectiveNOIMargin
        let termMonths = Int((s.lease.termYears * 12).rounded())
        let renewalMonths = Int((s.lease.renewalYears * 12).rounded())
        let renewals = s.lease.renewal == .renew ? s.lease.renewalOptions : 0
        let defaultPerMonth = 1 - pow(1 - s.lease.defaultProbabilityPerYear, dt)
        // Cloud, per utility MW.
        let cloudIT = 1 / inputs.cloudPUE
        let cloudBuildPerMonth = s.lease.capexUSDPerMWIT * cloudIT / Double(max(commissioning, 1))
        let gpus = cloudIT * 1e6 / inputs.cloudWattsPerGPU
        let gpuCapex = gpus * s.cloud.usdPerGPU
        let gpuRefreshMonths = s.cloud.refreshYears * 12
        let gpuRevenuePerMonth = gpus * hours * s.cloud.utilisation * s.cloud.usdPerGPUHour
        let cloudEnergy = hours * (0.3 + 0.7 * s.cloud.utilisation) * energy

        // Processes.
        let mu = s.risk.btcDriftPerYear, sigma = s.risk.btcVolatility
        let logDrift = stochastic ? (mu - sigma * sigma / 2) * dt : mu * dt
        let logVol = sigma * dt.squareRoot()
        let feeDrift = -s.risk.feeVolatility * s.risk.feeVolatility / 2 * dt, feeVol = s.risk.feeVolatility * dt.squareRoot()
        let gpuDrift = -s.risk.gpuPriceVolatility * s.risk.gpuPriceVolatility / 2 * dt, gpuVol = s.risk.gpuPriceVolatility * dt.squareRoot()
        let bootstrap = stochastic && s.risk.priceModel == .bootstrap
        let history = inputs.monthlyLogReturns
        let block = max(s.risk.bootstrapBlockMonths, 1)

        var price = inputs.network.priceUSD
        var fees = inputs.network.feesPerBlockBTC
        var hashrateTHs = Difficulty.impliedHashrateTHs(difficulty: inputs.network.difficulty)
        let reward0 = schedule.subsidyBTC.first.map { $0 + fees } ?? fees
        let marginalCost0 = 86_400 / Difficulty.targetBlockSeconds * reward0 * price / hashrateTHs
        let response = s.mine.hashrateResponsePerMonth
        let growthPerMonth = pow(1 + s.mine.hashrateGrowthPerYear, dt)
        var gpuIndex = 1.0
        var occupied = true, vacantUntil = 0
        let occupancyExpected = 1 / (1 + defaultPerMonth * Double(s.lease.reLetMonths))
        var renewalInForce = [Double](repeating: 0, count: renewals)
        if var r = rng {
            var accepted = true
            for k in 0..<renewals {
                accepted = accepted && r.uniform() < s.lease.renewalProbability
                renewalInForce[k] = accepted ? 1 : 0
            }
            rng = r
        } else {
            for k in 0..<renewals { renewalInForce[k] = schedule.renewalProbabilities[k] }
        }
        var bootstrapIndex = 0

        out.reset()
        for t in 0..<months {
            let y = t / 12
            // Mining margin per utility MW this month, from Core's hashprice and break-even.
            let difficulty = Difficulty.difficulty(forHashrateHps: hashrateTHs * 1e12)
            let hashprice = Hashprice(
                priceUSD: price, difficulty: difficulty, subsidyBTC: schedule.subsidyBTC[t], feesPerBlockBTC: fees,
                poolFeeFraction: inputs.poolFeeFraction)
            let revenueIT = MiningEconomics.breakEvenUSDPerMWh(hashprice: hashprice, joulesPerTH: schedule.fleetJoulesPerTH[t])
            let mineOperating = max(revenueIT / minePUE - energy, 0) * hours * s.mine.uptime + mineFixed
            let refreshCapex = schedule.refresh[t] ? machinesPerUtilityMW : 0

            var occupancy = occupancyExpected
            if var r = rng {
                if occupied {
                    if r.uniform() < defaultPerMonth {
                        occupied = false
                        vacantUntil = t + s.lease.reLetMonths
                    }
                } else if t >= vacantUntil {
                    occupied = true
                }
                occupancy = occupied ? 1 : 0
                rng = r
            }

            for p in 0..<paths {
                let i = p * years + y
                let mineShare = mineShares[p * months + t]
                if mineShare > 0 {
                    out.operating[i] += mineShare * mineOperating
                    if t == 0, !inputs.ownsFleet { out.growthCapex[i] += mineShare * refreshCapex } else { out.sustainingCapex[i] += mineShare * refreshCapex }
                }
                if t == 0 { out.growthCapex[i] += mineShare * s.mine.infrastructureUSDPerMW }
                for j in leaseOffsets[p]..<leaseOffsets[p + 1] where t >= leaseStarts[j] {
                    let share = leaseShares[j]
                    let k = t - leaseStarts[j] - commissioning
                    if k < 0 || (commissioning == 0 && k == 0) {
                        if commissioning > 0 || k == 0 { out.growthCapex[i] += share * buildPerMonth }
                        if k < 0 { continue }
                    }
                    let inForce = Self.inForce(k, termMonths: termMonths, renewalMonths: renewalMonths, renewalInForce: renewalInForce)
                    out.operating[i] += share * rentPerMonth * schedule.escalation[k / 12] * margin * inForce * occupancy
                }
                for j in cloudOffsets[p]..<cloudOffsets[p + 1] where t >= cloudStarts[j] {
                    let share = cloudShares[j]
                    let k = t - cloudStarts[j] - commissioning
                    if k < 0 || (commissioning == 0 && k == 0) {
                        if commissioning > 0 || k == 0 { out.growthCapex[i] += share * cloudBuildPerMonth }
                        if k < 0 { continue }
                    }
                    let age = k % gpuRefreshMonths
                    if age == 0 {
                        if k == 0 { out.growthCapex[i] += share * gpuCapex } else { out.sustainingCapex[i] += share * gpuCapex }
                    }
                    let revenue = gpuRevenuePerMonth * schedule.gpuDecline[age] * gpuIndex
                    out.operating[i] += share * (revenue * (1 - s.cloud.opexShareOfRevenue) - cloudEnergy)
                }
            }

            // Step the processes to the next month.
            let hashpriceGross = 86_400 / Difficulty.targetBlockSeconds * (schedule.subsidyBTC[t] + fees) * price
            switch s.mine.difficulty {
            case .marginalCost:
                let target = hashpriceGross / (marginalCost0 * schedule.networkCost[t])
                hashrateTHs *= pow(target / hashrateTHs, response)
            case .growth:
                hashrateTHs *= growthPerMonth
            }
            if var r = rng {
                let logReturn: Double
                if bootstrap {
                    if t % block == 0 { bootstrapIndex = r.below(history.count - block + 1) } else { bootstrapIndex += 1 }
                    logReturn = history[bootstrapIndex] + bootstrapShift
                } else {
                    logReturn = logDrift + logVol * r.normal()
                }
                price *= exp(logReturn)
                fees *= exp(feeDrift + feeVol * r.normal())
                gpuIndex *= exp(gpuDrift + gpuVol * r.normal())
                rng = r
            } else {
                price *= exp(logDrift)
            }
        }
        out.finalPriceUSD = price

        // A lease still in force at the horizon is worth its NOI at the cap rate.
        for p in 0..<paths {
            let i = p * years + years - 1
            for j in leaseOffsets[p]..<leaseOffsets[p + 1] {
                let k = months - leaseStarts[j] - commissioning
                guard k >= 0 else { continue }
                let inForce = Self.inForce(k, termMonths: termMonths, renewalMonths: renewalMonths, renewalInForce: renewalInForce)
                out.terminal[i] += leaseShares[j] * rentPerMonth * 12 * schedule.escalation[min(k / 12, years + 1)] * margin * inForce / s.capRate
            }
        }
    }

    /// 1 within the term, the renewal's in-force value (1 or 0, or its probability) after it, 0
    /// when the term and the renewals are over.
    @inline(__always)
    static func inForce(_ k: Int, termMonths: Int, renewalMonths: Int, renewalInForce: [Double]) -> Double {
        if k < termMonths { return 1 }
        let index = (k - termMonths) / max(renewalMonths, 1)
        return index < renewalInForce.count ? renewalInForce[index] : 0
    }
}

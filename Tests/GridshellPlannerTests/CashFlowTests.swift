import Foundation
import GridshellCore
import Testing
@testable import GridshellPlanner

/// Each path's base case against figures worked out by hand.
@Suite("planner cash flows by hand")
struct CashFlowTests {
    @Test func leaseRentNOIAndCapex() throws {
        var site = Fixture.site(mw: 100)
        site.strategy.paths = [.lease]
        site.strategy.lease.utilityPerITMW = 1.25  // 80 MW of IT
        site.strategy.lease.usdPerKWMonth = 100
        site.strategy.lease.noiMargin = 0.8
        site.strategy.lease.capexUSDPerMWIT = 10e6
        let result = try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1)
        let lease = Fixture.path(result, .lease)
        // 80,000 kW × 100 $ × 12 months × 80 % = 76.8 M$ a year; 80 MW × 10 M$ = 800 M$ in year 1.
        for year in lease.yearly { #expect(abs(year.operatingUSD - 76.8e6) < 1) }
        #expect(abs(lease.yearly[0].growthCapexUSD - 800e6) < 1)
        #expect(lease.yearly.dropFirst().allSatisfy { $0.growthCapexUSD == 0 && $0.sustainingCapexUSD == 0 })
        // The ten-year lease ends with the horizon and renewal is none: nothing at the end.
        #expect(lease.yearly.last?.terminalUSD == 0)
        let flows = [76.8e6 - 800e6] + Array(repeating: 76.8e6, count: 9)
        #expect(abs(lease.npvUSD - Finance.npv(rate: 0.08, flows: flows)) < 1)
        // No defaults, no shocks: every simulation is the base case.
        #expect(abs(lease.monteCarlo.npvUSD.p5 - lease.npvUSD) < 1)
        // Cap rate value: 76.8 M$ / 6 % − 800 M$ = 480 M$ on 100 MW = 4.8 $/W.
        #expect(abs(lease.valuePerWattCapRate - 4.8) < 1e-9)
    }

    @Test func leaseEscalatorCommissioningAndTerminalValue() throws {
        var site = Fixture.site(mw: 100)
        site.strategy.paths = [.lease]
        site.strategy.lease.utilityPerITMW = 1.25
        site.strategy.lease.usdPerKWMonth = 100
        site.strategy.lease.noiMargin = 0.8
        site.strategy.lease.escalator = 0.03
        site.strategy.lease.commissioningMonths = 12
        site.strategy.lease.termYears = 15
        site.strategy.lease.renewal = .renew
        let lease = Fixture.path(try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1), .lease)
        // Year 1 builds (800 M$ over 12 months) and earns nothing; rent starts in year 2 and
        // rises 3 % a year from its start.
        #expect(lease.yearly[0].operatingUSD == 0)
        #expect(abs(lease.yearly[0].growthCapexUSD - 800e6) < 1)
        #expect(abs(lease.yearly[1].operatingUSD - 76.8e6) < 1)
        #expect(abs(lease.yearly[2].operatingUSD - 76.8e6 * 1.03) < 1)
        // At the horizon the lease has 6 years to run: its next year's NOI (rent year 9) at 6 %.
        #expect(abs(lease.yearly[9].terminalUSD - 76.8e6 * pow(1.03, 9) / 0.06) < 1)
    }

    @Test func cloudRevenueEnergyOpexAndRefresh() throws {
        var site = Fixture.site(mw: 10, pue: 1.25)
        site.strategy.paths = [.cloud]
        site.strategy.cloud.usdPerGPUHour = 2
        site.strategy.cloud.priceDeclinePerYear = 0
        site.strategy.cloud.utilisation = 0.5
        site.strategy.cloud.opexShareOfRevenue = 0.2
        site.strategy.cloud.usdPerGPU = 30_000
        site.strategy.cloud.refreshYears = 5
        site.strategy.lease.capexUSDPerMWIT = 10e6
        let cloud = Fixture.path(try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1), .cloud)
        // 8 MW of IT ÷ 1,275 W per GPU (a DGX H100's 10.2 kW over 8 GPUs).
        let gpus = 8e6 / 1275
        let revenue = gpus * 8766 * 0.5 * 2
        let energy = 10 * 8766 * (0.3 + 0.7 * 0.5) * 50
        for year in cloud.yearly { #expect(abs(year.operatingUSD - (revenue * 0.8 - energy)) < 1e-3) }
        #expect(abs(cloud.yearly[0].growthCapexUSD - (8 * 10e6 + gpus * 30_000)) < 1e-3)
        #expect(abs(cloud.yearly[5].sustainingCapexUSD - gpus * 30_000) < 1e-3)
        #expect(cloud.yearly.enumerated().allSatisfy { $0.offset == 5 || $0.element.sustainingCapexUSD == 0 })
    }

    @Test func miningUsesCoreHashpriceAndBreakEven() throws {
        // 10,000 S21 (17.5 J/TH, 35 MW) on a 35 MW site; hashrate held flat; no halving within
        // two years of height 900,000.
        var site = Fixture.site(mw: 35, miners: [Fixture.s21(count: 10_000)])
        site.strategy.paths = [.mine]
        site.strategy.years = 2
        site.strategy.lease.termYears = 2
        site.strategy.mine.difficulty = .growth
        site.strategy.mine.hashrateGrowthPerYear = 0
        site.strategy.mine.uptime = 0.9
        site.strategy.mine.opexUSDPerMWYear = 60_000
        site.strategy.mine.gridIncomeUSDPerMWYear = 10_000
        site.strategy.mine.fleetAgeYears = 0
        site.poolFeeFraction = 0.02
        let mine = Fixture.path(try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1), .mine)
        let hashprice = Hashprice(priceUSD: 100_000, difficulty: 1.2e14, subsidyBTC: 3.125, feesPerBlockBTC: 0.02, poolFeeFraction: 0.02)
        // Revenue per MWh = hashprice × 10^6 / (24 × 17.5); margin over 50 $/MWh for 90 % of 8,766 h.
        let perMWh = hashprice.usdPerTHsDay * 1e6 / (24 * 17.5)
        let perYear = 35 * ((perMWh - 50) * 8766 * 0.9 + 10_000 - 60_000)
        for year in mine.yearly { #expect(abs(year.operatingUSD - perYear) < 1e-3 * abs(perYear)) }
        // A new fleet (age 0, 4-year refresh) is not refreshed within two years.
        #expect(mine.yearly.allSatisfy { $0.sustainingCapexUSD == 0 && $0.growthCapexUSD == 0 })
    }

    @Test func halvingsAndRefreshesFollowHeightAndLadder() throws {
        var site = Fixture.site(mw: 10, miners: [Fixture.s21(count: 2_800)])
        site.strategy.years = 7
        site.strategy.mine.fleetAgeYears = 2
        site.strategy.mine.refreshYears = 4
        let inputs = PlanInputs(site: site, network: Fixture.network)
        let schedule = PlanSchedule(inputs: inputs)
        // 150,000 blocks to the 1,050,000 halving at 4,383 blocks a month: month 35.
        let halving = try #require(schedule.subsidyBTC.firstIndex { $0 < 3.125 })
        #expect(halving == 35 || halving == 34)
        #expect(schedule.subsidyBTC[halving] == 1.5625)
        // First refresh 2 years in, then every 4; each buys the ladder's best of its year.
        #expect(schedule.refresh.enumerated().filter(\.element).map(\.offset) == [24, 72])
        #expect(schedule.fleetJoulesPerTH[0] == 17.5)
        #expect(abs(schedule.fleetJoulesPerTH[24] - inputs.ladderJoulesPerTH(atYear: 2028)) < 1e-12)
        #expect(abs(schedule.fleetJoulesPerTH[72] - inputs.ladderJoulesPerTH(atYear: 2032)) < 1e-12)
        #expect(schedule.fleetJoulesPerTH[72] < schedule.fleetJoulesPerTH[24])
    }

    @Test func hybridIsTheSumOfItsParts() throws {
        var site = Fixture.site(mw: 20, miners: [Fixture.s21(count: 5_000)])
        site.strategy.paths = [.mine, .lease, .hybrid]
        site.strategy.hybrid.mineShare = 0.6
        site.strategy.hybrid.leaseShare = 0.4
        site.strategy.hybrid.conversionPerYear = 0
        let r = try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1)
        let mine = Fixture.path(r, .mine), lease = Fixture.path(r, .lease), hybrid = Fixture.path(r, .hybrid)
        for y in 0..<10 {
            let expected = 0.6 * mine.yearly[y].netUSD + 0.4 * lease.yearly[y].netUSD
            #expect(abs(hybrid.yearly[y].netUSD - expected) < 1e-6 * max(1, abs(expected)))
        }
    }

    @Test func conversionMovesFifteenPercentAYear() {
        var hybrid = StrategyAssumptions.Hybrid()
        hybrid.conversionPerYear = 0.15
        let layout = PathLayout(path: .hybrid, months: 120, hybrid: hybrid)
        #expect(layout.leaseTranches.count == 7)
        #expect(abs(layout.mineShare[0] - 0.85) < 1e-12)
        #expect(abs(layout.mineShare[12] - 0.70) < 1e-12)
        #expect(layout.mineShare[84] == 0)
        #expect(abs(layout.leaseTranches.reduce(0) { $0 + $1.share } - 1) < 1e-12)
    }
}

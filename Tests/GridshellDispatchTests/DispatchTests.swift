import Foundation
import Testing
@testable import GridshellCore
@testable import GridshellDispatch

@Suite("Dispatch engine")
struct DispatchTests {
    /// FACTS.md §4: with a break-even of 104 $/MWh, a 1 MW miner on HB_WEST real-time prices in
    /// February 2021 is off in about 28.8 % of the intervals and avoids about 1.0 M$ of loss.
    @Test func february2021OneMegawattMiner() throws {
        let site = Fixtures.site("""
            name: one megawatt
            interconnect_mw: 1
            contract: {type: real_time, settlement_point: HB_WEST}
            catalog:
              miners: [{name: Flat 1MW, hashrate_ths: 50000, power_w: 1000000}]
            miners: [{name: m, model: Flat 1MW, firmware: luxos, count: 1, min_on_minutes: 0, min_off_minutes: 0}]
            """)
        var dispatchSite = DispatchSite(site: site)
        // One hashing point and a sleep that draws nothing: the textbook miner.
        dispatchSite.loads = [FlexibleLoad(name: "m", kind: .miners(group: 0), points: [
            .init(name: "sleep", powerMW: 0, units: 0, relative: 0), .init(name: "on", powerMW: 1, units: 50_000, relative: 1),
        ], count: 1)]
        let prices = try ERCOTPriceFile.read(path: Fixtures.path("data/ercot/ercot_RTM-2021-02.csv"), settlementPoint: "HB_WEST")
        let inputs = BacktestInputs(site: dispatchSite, prices: prices, minerUSDPerTHHour: Array(repeating: 104.0 / 50_000, count: prices.count))
        let backtest = Backtest(inputs: inputs)
        let always = backtest.run(.alwaysOn), best = backtest.run(.hindsight)
        let offShare = Double(best.totals.intervalsWithCurtailment) / Double(best.totals.intervals)
        #expect(abs(offShare - 0.288) < 0.001)
        let avoided = best.totals.netUSD - always.totals.netUSD
        #expect(abs(avoided - 1_001_185.94) < 1)
        // A strike at the break-even, acting on the last price it saw, gets most of it.
        let strike = backtest.run(.strike(usdPerMWh: 104, offAfter: 1, onAfter: 1))
        #expect(strike.totals.netUSD > always.totals.netUSD + 0.8 * avoided)
        #expect(strike.totals.netUSD <= best.totals.netUSD)
    }

    @Test func hullIsConcaveAndStartsAtSleep() throws {
        let site = try SiteLoader.load(path: Fixtures.path("examples/hybrid-300mw.yaml"))
        let d = DispatchSite(site: site)
        for load in d.loads {
            #expect(load.steps >= 1)
            for (a, b) in zip(load.stepUnitsPerMW, load.stepUnitsPerMW.dropFirst()) { #expect(a > b) }
            if load.isMiner { #expect(load.hull[0].units == 0) }
        }
        // Tenant and inference are firm: 240 MW of lease plus the serving GPUs, with cooling.
        #expect(d.firmMW > 240 && d.firmMW < 241)
    }

    @Test func capAndFloorAreMetWithTheLeastEfficientOffFirst() throws {
        let site = try SiteLoader.load(path: Fixtures.path("examples/west-texas-100mw.yaml"))
        let solver = IntervalSolver(site: DispatchSite(site: site))
        let perTH = 50.0 / 1000 / 24
        // Cheap power, a 40 MW event cap: the S21 XPs (most efficient) stay on.
        let market = IntervalMarket(hours: 0.25, minerUSDPerTHHour: perTH, tiers: [.init(upToMW: .infinity, usdPerMWh: 20)], capMW: 40, floorMW: 20)
        let s = solver.solve(market)
        #expect(s.siteMW <= 40 + 1e-9)
        #expect(s.siteMW > 39.9)
        #expect(s.droppableMW >= 20 - 1e-9)
        let xp = try #require(solver.site.loads.firstIndex { $0.name == "s21xp-lux" })
        let s19 = try #require(solver.site.loads.firstIndex { $0.name == "s19jpro-stock" })
        #expect(s.levels[xp] > 0)
        #expect(s.levels[s19] == 0)
        // Power at 9,000 $/MWh: only the award floor stays on, paid for at a loss.
        let uri = IntervalMarket(hours: 0.25, minerUSDPerTHHour: perTH, tiers: [.init(upToMW: .infinity, usdPerMWh: 9000)], capMW: 100, floorMW: 20)
        let u = solver.solve(uri)
        #expect(abs(u.droppableMW - 20) < 1e-6)
        #expect(u.shortMW < 1e-9)
    }

    @Test func firmLoadIsShedOnlyAboveTheInterconnect() throws {
        let site = try SiteLoader.load(path: Fixtures.path("examples/hybrid-300mw.yaml"))
        let solver = IntervalSolver(site: DispatchSite(site: site))
        let tiers = [IntervalMarket.CostTier(upToMW: .infinity, usdPerMWh: 9000)]
        let ok = solver.solve(IntervalMarket(hours: 0.25, minerUSDPerTHHour: 0.002, tiers: tiers, capMW: 245))
        #expect(ok.shedMW == 0)
        let emergency = solver.solve(IntervalMarket(hours: 0.25, minerUSDPerTHHour: 0.002, tiers: tiers, capMW: 200))
        #expect(emergency.siteMW <= 200 + 1e-9)
        #expect(emergency.shedMW > 40)
    }

    @Test func planSaysWhatChangesAndWhy() throws {
        let site = try SiteLoader.load(path: Fixtures.path("examples/west-texas-100mw.yaml"))
        let d = DispatchSite(site: site)
        let prices = PriceSeries(settlementPoint: "HB_WEST", start: Date(timeIntervalSince1970: 0), intervalSeconds: 900, pricesUSDPerMWh: [95, 9000])
        let inputs = BacktestInputs(
            site: d, prices: prices, minerUSDPerTHHour: [0.058 / 24, 0.058 / 24],
            events: [DemandResponseEvent(start: prices.date(at: 1), end: prices.end, targetMW: 15)])
        let backtest = Backtest(inputs: inputs)
        let stock = backtest.stockLevels
        let m0 = inputs.market(at: 0, price: 95)
        let s0 = backtest.solver.solve(m0)
        let plan = DispatchPlan(site: d, solution: s0, previous: stock, market: m0, priceUSDPerMWh: 95)
        let changed = zip(s0.levels, stock).filter { abs($0 - $1) > 1e-9 }.count
        #expect(plan.reasons.count == changed)
        #expect(changed > 0)
        #expect(plan.reasons.contains { $0.hasPrefix("s19jpro-stock: all 12000 at normal → all 12000 at sleep") && $0.contains("below") })
        #expect(plan.groups.map(\.group) == ["s21xp-lux", "s21-braiins", "s19jpro-stock"])
        for setting in plan.groups {
            let count = try #require(site.minerGroups.first { $0.name == setting.group }).count
            #expect(abs(setting.miners.values.reduce(0, +) - Double(count)) < 1e-6)
        }
        #expect(plan.soldBackMW > 0 && abs(plan.soldBackMW - (95 - s0.siteMW)) < 1e-9)
        #expect(plan.unmet.isEmpty)
        // At 9,000 $/MWh under a 15 MW event the 20 MW award cannot be kept: the plan says so,
        // and what stays on is there for the award.
        let m1 = inputs.market(at: 1, price: 9000)
        let s1 = backtest.solver.solve(m1)
        let storm = DispatchPlan(site: d, solution: s1, previous: s0.levels, market: m1, priceUSDPerMWh: 9000)
        #expect(s1.siteMW <= 15 + 1e-9)
        #expect(storm.unmet.count == 1)
        #expect(storm.unmet[0].hasPrefix("ancillary award:"))
        #expect(storm.reasons.contains { $0.contains("award") })
    }
}

import GridshellCore
import Testing
@testable import GridshellPlanner

/// The mining path's network: halvings cut revenue; under the marginal-cost model hashrate
/// follows the price, so a dearer bitcoin is worth less to a miner than at a fixed hashrate.
@Suite("planner difficulty")
struct DifficultyTests {
    func inputs(_ model: StrategyAssumptions.Mine.DifficultyModel, drift: Double = 0) -> PlanInputs {
        var site = Fixture.site(mw: 35, miners: [Fixture.s21(count: 10_000)])
        site.strategy.paths = [.mine]
        site.strategy.years = 5
        site.strategy.lease.termYears = 5
        site.strategy.mine.difficulty = model
        site.strategy.mine.hashrateGrowthPerYear = 0
        site.strategy.mine.fleetAgeYears = 0
        site.strategy.mine.refreshYears = 10
        site.strategy.risk.btcDriftPerYear = drift
        return PlanInputs(site: site, network: Fixture.network)
    }

    @Test func theHalvingCutsMiningRevenue() {
        let yearly = Planner.baseCase(inputs(.growth))[0].yearly
        // The 1,050,000 halving falls in month 35: year 3 has one month after it, year 4 none before.
        #expect(yearly[3].operatingUSD < 0.6 * yearly[1].operatingUSD)
        #expect(yearly[3].operatingUSD > 0)
    }

    /// The network is taken to be in balance at month 0, so what moves hashrate is the price's
    /// path after it: a 30 % a year rise.
    @Test func hashrateFollowsThePriceUnderMarginalCost() {
        let fixedLow = Planner.baseNPVs(inputs(.growth))[0], fixedHigh = Planner.baseNPVs(inputs(.growth, drift: 0.3))[0]
        let followLow = Planner.baseNPVs(inputs(.marginalCost))[0], followHigh = Planner.baseNPVs(inputs(.marginalCost, drift: 0.3))[0]
        #expect(fixedHigh > fixedLow && followHigh > followLow)
        // Hashrate arriving to compete the extra margin away leaves the miner less of it.
        #expect(followHigh - followLow < 0.8 * (fixedHigh - fixedLow))
    }
}

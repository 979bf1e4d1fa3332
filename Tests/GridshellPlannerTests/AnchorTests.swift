import Foundation
import GridshellCore
import Testing
@testable import GridshellPlanner

/// The published deals and analysts' figures of FACTS.md §6, reproduced.
@Suite("planner anchors (FACTS §6)")
struct AnchorTests {
    @Test(arguments: [
        ("Core Scientific → CoreWeave", 121.0, 1.458e6), ("TeraWulf → Fluidstack", 154.0, 1.85e6), ("Cipher → Fluidstack", 149.0, 1.786e6),
        ("Cipher → AWS", 102.0, 1.222e6), ("Hut 8 → Fluidstack/Anthropic", 159.0, 1.905e6),
    ])
    func leaseDealRates(name: String, usdPerKWMonth: Double, usdPerMWYear: Double) throws {
        let deal = try #require(LeaseDeal.published.first { $0.name == name })
        #expect(abs(deal.usdPerKWMonth - usdPerKWMonth) < 1, "\(name): \(deal.usdPerKWMonth)")
        #expect(abs(deal.usdPerMWYear / usdPerMWYear - 1) < 0.002, "\(name): \(deal.usdPerMWYear)")
    }

    /// 200 MW of IT at the deal's rate, all rent counted (margin 100 %): about 290 M$ a year.
    @Test func coreScientificCoreWeaveIsAbout290MillionAYear() throws {
        let deal = LeaseDeal.published[0]
        #expect(abs(deal.usdPerYear - 290e6) < 3e6)
        var site = Fixture.site(mw: 250)
        site.strategy.paths = [.lease]
        site.strategy.years = 12
        site.strategy.lease.termYears = 12
        site.strategy.lease.utilityPerITMW = 1.25
        site.strategy.lease.usdPerKWMonth = deal.usdPerKWMonth
        site.strategy.lease.noiMargin = 1
        let lease = Fixture.path(try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1), .lease)
        #expect(abs(lease.yearly[0].operatingUSD - 291.67e6) < 0.1e6)
    }

    /// Morgan Stanley: 5–8 $/W of value from a 100 MW mining site leased as a powered shell. Our
    /// stated assumptions: 100 utility MW ÷ 1.35 = 74 MW of IT, 130 $/kW-month (the middle of the
    /// 2025 hyperscale deals), NOI margin 85 %, cap rate 6.5 %, 10 M$ per MW of IT, value per
    /// watt of the site's grid connection.
    @Test func hundredMWShellConversionLandsInMorganStanleysRange() throws {
        var site = Fixture.site(mw: 100)
        site.strategy.paths = [.lease]
        site.strategy.years = 15
        site.strategy.lease.termYears = 15
        site.strategy.lease.utilityPerITMW = 1.35
        site.strategy.lease.usdPerKWMonth = 130
        site.strategy.lease.noiMargin = 0.85
        site.strategy.capRate = 0.065
        site.strategy.lease.capexUSDPerMWIT = 10e6
        let lease = Fixture.path(try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1), .lease)
        #expect((5...8).contains(lease.valuePerWattCapRate), "\(lease.valuePerWattCapRate) $/W")
        // The same arithmetic by hand: 1.326 $/W-year of IT NOI ÷ 6.5 % − 10 $/W, over 1.35.
        let byHand = Finance.valuePerWatt(noiUSDPerYear: 130 * 12 * 0.85 * 1000, capRate: 0.065, capexUSD: 10e6, watts: 1e6) / 1.35
        #expect(abs(lease.valuePerWattCapRate - byHand) < 1e-9)
        #expect((5...8).contains(byHand))
    }

    @Test func aiCapexIsUpToTwentyTimesMining() {
        #expect(CapexBenchmarks.aiToMiningRatio.upperBound == 20)
        #expect(CapexBenchmarks.aiToMiningRatio.lowerBound == 8)
        // The planner's defaults sit inside: 10 M$ per MW of IT against 0.85 M$ of mining.
        let defaults = StrategyAssumptions.Lease().capexUSDPerMWIT / 850_000
        #expect(CapexBenchmarks.aiToMiningRatio.contains(defaults))
    }
}

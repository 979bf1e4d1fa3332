import Foundation
import GridshellCore
import Testing
@testable import GridshellPlanner

/// The strategy section as read from a site file, and the inputs the planner refuses.
@Suite("planner inputs")
struct StrategyInputTests {
    static let head = """
        name: t
        interconnect_mw: 50
        contract: {type: fixed_price, settlement_point: HB_WEST, fixed_price_usd_per_mwh: 38}

        """

    func issues(_ strategy: String) -> [SiteFileIssue] {
        do {
            _ = try SiteLoader.parse(yaml: Self.head + strategy, file: "t.yaml")
            return []
        } catch { return error.issues }
    }

    @Test func sectionIsReadWithDefaultsForWhatIsLeftOut() throws {
        let site = try SiteLoader.parse(yaml: Self.head + """
            strategy:
              years: 12
              paths: [lease, mine]
              cap_rate_percent: 6.5
              lease: {usd_per_kw_month: 150, escalator_percent: 3, structure: modified_gross, term_years: 10}
              hybrid: {mine_percent: 70, lease_percent: 30, conversion_percent_per_year: 15, convert_to: cloud}
              risk: {price_model: bootstrap, btc_volatility_percent: 60}
            """)
        let s = site.strategy
        #expect(s.years == 12 && s.paths == [.lease, .mine])
        #expect(abs(s.capRate - 0.065) < 1e-12)
        #expect(s.lease.usdPerKWMonth == 150 && s.lease.structure == .modifiedGross && s.lease.effectiveNOIMargin == 0.70)
        #expect(s.hybrid.mineShare == 0.7 && s.hybrid.convertTo == .cloud && s.hybrid.cloudShare == 0)
        #expect(s.risk.priceModel == .bootstrap && s.risk.btcVolatility == 0.6)
        #expect(s.mine.refreshYears == 4 && s.cloud.usdPerGPUHour == 2.35)
        // The fixed contract sets the energy price.
        #expect(PlanInputs(site: site).energyUSDPerMWh == 38)
    }

    @Test func negativeCapexNamesKeyAndLine() {
        let found = issues("strategy:\n  lease:\n    capex_usd_per_mw_it: -5\n")
        #expect(found.count == 1)
        #expect(found.first?.key == "strategy.lease.capex_usd_per_mw_it")
        #expect(found.first?.line == 6)
        #expect(found.first?.message.contains("cannot be negative") == true)
    }

    @Test func leaseLongerThanTheHorizonNeedsARenewalRule() {
        let found = issues("strategy:\n  years: 10\n  lease:\n    term_years: 15\n    renewal: none\n")
        #expect(found.map(\.key) == ["strategy.lease.term_years"])
        #expect(found.first?.line == 7)
        #expect(found.first?.message.contains("longer than the 10-year horizon") == true)
        #expect(issues("strategy:\n  years: 10\n  lease:\n    term_years: 15\n").isEmpty)
    }

    @Test func impossibleSplitsAreRefused() {
        let over = issues("strategy:\n  hybrid: {mine_percent: 80, lease_percent: 40}\n")
        #expect(over.first?.message.contains("add up to 120 %") == true)
        let negative = issues("strategy:\n  hybrid: {mine_percent: -10, lease_percent: 40}\n")
        #expect(negative.contains { $0.key == "strategy.hybrid.mine_percent" && $0.message.contains("cannot be negative") })
    }

    @Test func unknownKeysAndBadValues() {
        let found = issues("strategy:\n  lease:\n    rent: 100\n  paths: [mine, moon]\n  risk: {price_model: garch}\n")
        #expect(found.contains { $0.key == "strategy.lease.rent" && $0.message.contains("unknown key") })
        #expect(found.contains { $0.key == "strategy.paths" && $0.message.contains("moon") })
        #expect(found.contains { $0.key == "strategy.risk.price_model" && $0.message.contains("gbm, bootstrap") })
    }

    @Test func plannerRefusesWhatOverridesGetWrong() throws {
        let site = try SiteLoader.parse(yaml: Self.head)
        var inputs = PlanInputs(site: site)
        inputs.strategy.lease.renewal = .none
        inputs.strategy.lease.termYears = 20
        #expect(throws: PlannerError(field: "strategy.lease.term_years",
            "the 20.0-year lease is longer than the 15-year horizon and renewal is none; say what the years past the horizon are worth (renewal: renew) or shorten the term")) {
            try Planner.run(inputs)
        }
        inputs = PlanInputs(site: site)
        inputs.strategy.cloud.usdPerGPU = -1
        #expect(throws: PlannerError.self) { try Planner.run(inputs) }
        inputs = PlanInputs(site: site)
        inputs.strategy.hybrid.leaseShare = 0.5
        #expect { try Planner.run(inputs) } throws: { ($0 as? PlannerError)?.field == "strategy.hybrid" }
        inputs = PlanInputs(site: site)
        inputs.strategy.simulations = Planner.maxSimulations + 1
        #expect(throws: PlannerError.self) { try Planner.run(inputs) }
    }
}

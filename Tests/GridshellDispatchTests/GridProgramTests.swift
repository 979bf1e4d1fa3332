import Foundation
import Testing
@testable import GridshellCore
@testable import GridshellDispatch

/// 4CP windows from a peak-risk signal, events that cover part of an interval, and the ledger by
/// month.
@Suite("Grid programs in the ledger")
struct GridProgramTests {
    /// 1 MW of miners earning 60 $/MWh of margin at a 20 $/MWh price, on a contract billing
    /// 4CP at 90 $/kW-year: a certain peak costs 22,500 $ per MW-hour-interval, far above the
    /// margin, so a certain window curtails; a 0.1 % chance (22.5 $/MWh) does not.
    static func site(rate: Double? = 90, contract: String = "type: real_time, settlement_point: HB_WEST") -> DispatchSite {
        let rateText = rate.map { ", transmission_4cp_usd_per_kw_year: \($0)" } ?? ""
        let site = Fixtures.site("""
            name: four cp
            interconnect_mw: 2
            contract: {\(contract)\(rateText)}
            catalog:
              miners: [{name: Flat 1MW, hashrate_ths: 50000, power_w: 1000000}]
            miners: [{name: m, model: Flat 1MW, firmware: luxos, count: 1, min_on_minutes: 0, min_off_minutes: 0}]
            """)
        var d = DispatchSite(site: site)
        d.loads = [FlexibleLoad(name: "m", kind: .miners(group: 0), points: [
            .init(name: "sleep", powerMW: 0, units: 0, relative: 0), .init(name: "on", powerMW: 1, units: 50_000, relative: 1),
        ], count: 1)]
        return d
    }

    /// A summer weekday afternoon in Central time: 2020-08-12 15:00 CDT is 20:00 UTC.
    static let afternoon = Date(timeIntervalSince1970: 1_597_262_400)

    static func inputs(_ site: DispatchSite, risk: [Double]?, peaks: Set<Int> = [], count: Int = 4, price: Double = 20) -> BacktestInputs {
        let prices = PriceSeries(settlementPoint: "HB_WEST", start: afternoon, intervalSeconds: 3600, pricesUSDPerMWh: Array(repeating: price, count: count))
        return BacktestInputs(
            site: site, prices: prices, pricesKnownAhead: true, minerUSDPerTHHour: Array(repeating: 80.0 / 50_000, count: count),
            fourCPIntervals: peaks, fourCPRisk: risk)
    }

    @Test func aLikelyPeakOpensAWindowAndTheLedgerShowsTheTagAvoided() throws {
        let run = Backtest(inputs: Self.inputs(Self.site(), risk: [0, 1, 0.001, 0], peaks: [1])).run(.gridshell(GridshellSettings()))
        let e = run.entries
        // Interval 0: no risk, the miner runs. Interval 1: certain peak, it sleeps.
        #expect(e[0].minerMW > 0.99 && e[0].fourCP == nil)
        let window = try #require(e[1].fourCP)
        #expect(e[1].minerMW < 1e-9)
        #expect(abs(window.avoidedMW - 1) < 1e-9 && abs(window.baselineMW - 1) < 1e-9)
        #expect(window.confirmedPeak && window.probability == 1)
        #expect(abs(window.expectedSavingUSD - 1 * 90 * 250) < 1e-6)
        // The tag is what the site drew in the peak: nothing from the miner.
        #expect(e[1].fourCPChargeUSD < 1e-9)
        // A 0.1 % chance is worth 22.5 $/MWh: less than the miner's margin, so it runs.
        #expect(e[2].minerMW > 0.99)
        #expect(try #require(e[2].fourCP).avoidedMW == 0)
        #expect(run.totals.fourCPWindowIntervals == 2)
        #expect(abs(run.totals.fourCPTagAvoidedMW - 0.25) < 1e-9)
    }

    @Test func withoutASignalThePriceProxyJudgesAndWithoutARateNothingIsWeighed() {
        // No transmission rate: a signal changes nothing and no window is recorded.
        let run = Backtest(inputs: Self.inputs(Self.site(rate: nil), risk: [1, 1, 1, 1], peaks: [1])).run(.gridshell(GridshellSettings()))
        #expect(run.entries.allSatisfy { $0.fourCP == nil && $0.minerMW > 0.99 })
        // A live constraint overrides the backtest's signal.
        var d = OnlineDispatcher(backtest: Backtest(inputs: Self.inputs(Self.site(), risk: [0, 0, 0, 0])), policy: .gridshell(GridshellSettings()))
        var c = OnlineDispatcher.Constraints()
        c.fourCPProbability = 1
        let decision = d.decide(c)
        #expect(decision.solution.levels[0] == 0)
        #expect(decision.fourCP?.avoidedMW == 1)
        _ = d.settle(decision)
        #expect(d.decide().solution.levels[0] == 1)
    }

    @Test func anEventCoveringPartOfAnIntervalHoldsItAndEarnsForThePartCovered() {
        var inputs = Self.inputs(Self.site(rate: nil), risk: nil, count: 3)
        // From 20 minutes into interval 1 to the end of interval 1: a third... two thirds of it.
        let start = Self.afternoon.addingTimeInterval(3600 + 1200), end = Self.afternoon.addingTimeInterval(7200)
        inputs.events = [DemandResponseEvent(start: start, end: end, targetMW: 0, creditUSDPerMWh: 300)]
        #expect(inputs.events(at: 0).isEmpty && inputs.events(at: 2).isEmpty)
        let covered = inputs.events(at: 1)
        #expect(covered.count == 1 && abs(covered[0].share - 2.0 / 3) < 1e-12)
        #expect(inputs.market(at: 1, price: 20).capMW == 0)
        let run = Backtest(inputs: inputs).run(.gridshell(GridshellSettings()))
        #expect(run.entries[1].siteMW < 1e-9)
        // The baseline is the miner's 1 MW: 1 MW × 1 h × 300 $/MWh × 2/3.
        #expect(abs(run.entries[1].gridCreditsUSD - 200) < 1e-6)
        #expect(run.entries[0].gridCreditsUSD == 0 && run.entries[2].gridCreditsUSD == 0)
    }

    @Test func monthlyCreditsAddUpToTheRunAndShowPowerResoldAtSpot() throws {
        // Fixed price 30 $/MWh for a 1 MW block with sell-back; spot 500 $/MWh across a month
        // end: the miner sleeps and the block is resold at spot, 470 $/MWh of power credit.
        let site = Self.site(rate: nil, contract: "type: fixed_price, settlement_point: HB_WEST, fixed_price_usd_per_mwh: 30, block_mw: 1, sell_back: true")
        // 2020-08-31 22:00 CDT: two intervals in August, two in September (Central time).
        let start = Date(timeIntervalSince1970: 1_598_929_200)
        let prices = PriceSeries(settlementPoint: "HB_WEST", start: start, intervalSeconds: 3600, pricesUSDPerMWh: [500, 500, 500, 500])
        let inputs = BacktestInputs(site: site, prices: prices, pricesKnownAhead: true, minerUSDPerTHHour: Array(repeating: 80.0 / 50_000, count: 4))
        let run = Backtest(inputs: inputs).run(.gridshell(GridshellSettings()))
        let months = Report.monthly(run)
        #expect(months.map(\.month) == ["2020-08", "2020-09"])
        // Every MWh of the block not drawn is resold at spot less the fixed price.
        for e in run.entries { #expect(abs(e.powerCreditsUSD - max(0, 1 - e.energyMWh) * 470) < 1e-6) }
        #expect(abs(months[0].powerCreditsUSD - run.entries[0...1].reduce(0) { $0 + $1.powerCreditsUSD }) < 1e-6)
        // September: asleep all through, the whole block resold.
        #expect(abs(months[1].powerCreditsUSD - 2 * 470) < 1e-6)
        #expect(abs(months.reduce(0) { $0 + $1.netUSD } - run.totals.netUSD) < 1e-6)
        // Nothing drawn in September: the all-in cost per kWh is undefined, not a division by zero.
        #expect(months[1].allInCentsPerKWh == nil)
        // August drew a little while the miner ramped down: credits far above the energy's cost.
        #expect(try #require(months[0].allInCentsPerKWh) < 0)
        let csv = Report.monthlyCSV([run])
        #expect(csv.split(separator: "\n").count == 3 && csv.contains(",2020-09,"))
    }
}

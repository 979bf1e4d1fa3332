import Foundation
import Testing
@testable import GridshellCore
@testable import GridshellDispatch

/// Backtests on the real ERCOT files, pinned to the cent's neighbourhood: any change to the
/// engine, the policies or the ledger that moves money shows up here. Regenerate with
/// `gridshell backtest --site … --prices … --day-ahead … --fee-share 2 --json`.
@Suite("Golden backtests on real ERCOT prices")
struct GoldenBacktestTests {
    static let history: BitcoinHistory = {
        do { return try BitcoinHistory.read(path: Fixtures.path("data/btc/btc_daily_2019_2025.csv")) } catch { fatalError("\(error)") }
    }()

    func nets(site: String, prices: String, dayAhead: String?) throws -> [String: Double] {
        let siteModel = try SiteLoader.load(path: Fixtures.path("examples/\(site).yaml"))
        let (series, format) = try BacktestSetup.prices(
            path: Fixtures.path("data/ercot/\(prices).csv"), settlementPoint: siteModel.contract.settlementPoint, from: nil, to: nil)
        let da = try dayAhead.map {
            try BacktestSetup.dayAhead(path: Fixtures.path("data/ercot/\($0).csv"), settlementPoint: siteModel.contract.settlementPoint, on: series)
        }
        let perTH = try BacktestSetup.minerUSDPerTHHour(
            for: series, source: .history(Self.history, fees: .shareOfReward(0.02)), poolFee: siteModel.poolFeeFraction)
        let inputs = BacktestInputs(
            site: DispatchSite(site: siteModel), prices: series, pricesKnownAhead: format == .dayAhead, dayAhead: da,
            minerUSDPerTHHour: perTH, fourCPIntervals: BacktestSetup.fourCPProxy(series))
        let backtest = Backtest(inputs: inputs)
        var result: [String: Double] = [:]
        for policy in [Policy.alwaysOn, .strike(usdPerMWh: nil, offAfter: 1, onAfter: 2), .gridshell(GridshellSettings()), .hindsight] {
            result[policy.description] = backtest.run(policy, keepEntries: false).totals.netUSD
        }
        return result
    }

    func expectPinned(_ got: [String: Double], _ want: [String: Double]) {
        for (policy, value) in want {
            let g = got[policy] ?? .nan
            #expect(abs(g - value) <= 1e-7 * abs(value) + 0.05, "\(policy): \(g) vs pinned \(value)")
        }
        // The order every report shows: hindsight ≥ gridshell ≥ always-on.
        #expect((got["hindsight"] ?? 0) >= (got["gridshell"] ?? 0))
        #expect((got["gridshell"] ?? 0) >= (got["always-on"] ?? 0))
    }

    @Test func westTexasFebruary2019() throws {
        expectPinned(try nets(site: "west-texas-100mw", prices: "ercot_RTM-2019-02", dayAhead: "ercot_DAM_LZHB_SPP_2019"), [
            "always-on": 19_606_876.69, "strike": 19_571_738.22, "gridshell": 20_407_199.43, "hindsight": 20_462_003.11,
        ])
    }

    @Test func westTexasFebruary2020() throws {
        expectPinned(try nets(site: "west-texas-100mw", prices: "ercot_RTM-2020-02", dayAhead: "ercot_DAM_LZHB_SPP_2020"), [
            "always-on": 20_270_375.79, "strike": 20_266_641.27, "gridshell": 21_120_001.67, "hindsight": 21_186_130.01,
        ])
    }

    @Test func westTexasWinterStormUri() throws {
        expectPinned(try nets(site: "west-texas-100mw", prices: "ercot_RTM-2021-02", dayAhead: "ercot_DAM_LZHB_SPP_2021"), [
            "always-on": 38_063_545.14, "strike": 107_984_925.60, "gridshell": 109_184_179.79, "hindsight": 109_450_994.04,
        ])
    }

    @Test func hybridWinterStormUri() throws {
        expectPinned(try nets(site: "hybrid-300mw", prices: "ercot_RTM-2021-02", dayAhead: "ercot_DAM_LZHB_SPP_2021"), [
            "always-on": -7_424_537.56, "strike": 21_327_157.94, "gridshell": 22_389_540.21, "hindsight": 22_483_578.97,
        ])
    }

    @Test func hybridDayAhead2019() throws {
        expectPinned(try nets(site: "hybrid-300mw", prices: "ercot_DAM_LZHB_SPP_2019", dayAhead: nil), [
            "always-on": 543_250_347.30, "strike": 546_857_320.76, "gridshell": 560_328_184.81, "hindsight": 561_351_568.75,
        ])
    }

    @Test func hybridDayAhead2020() throws {
        expectPinned(try nets(site: "hybrid-300mw", prices: "ercot_DAM_LZHB_SPP_2020", dayAhead: nil), [
            "always-on": 431_263_641.20, "strike": 433_005_416.25, "gridshell": 440_814_615.71, "hindsight": 441_066_372.64,
        ])
    }
}

import ArgumentParser
import Foundation
import GridshellCore
import GridshellDispatch
import GridshellGrid

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay a site over ERCOT prices under several policies and compare them with the hindsight optimum.")

    @Option(help: "The site's YAML file.")
    var site: String

    @Option(help: "ERCOT real-time (15-minute) or day-ahead (hourly) settlement point price file, as ERCOT publishes it.")
    var prices: String

    @Option(name: .customLong("settlement-point"), help: "Settlement point (default: the site contract's).")
    var settlementPoint: String?

    @Option(name: .customLong("day-ahead"), help: "Day-ahead price file for the forecasts of a real-time backtest.")
    var dayAhead: String?

    @Option(help: "Bitcoin daily history CSV for hashprice per interval.")
    var btc: String = "data/btc/btc_daily_2019_2025.csv"

    @Option(name: .customLong("hashprice"), help: "A fixed hashprice, USD per PH/s per day, instead of the history.")
    var hashprice: Double?

    @Option(name: .customLong("fee-share"), help: "Where the history has no fees: fees as a percentage of the block reward.")
    var feeSharePercent: Double?

    @Option(name: .customLong("fees"), help: "Where the history has no fees: fees per block, BTC.")
    var feesPerBlock: Double?

    @Option(help: "Policies to compare, comma-separated: always-on, strike, strike-PRICE, gridshell, hindsight.")
    var policy: String = "always-on,strike,gridshell,hindsight"

    @Option(help: "Start, YYYY-MM-DD (UTC), inclusive.")
    var from: String?

    @Option(help: "End, YYYY-MM-DD (UTC), exclusive.")
    var to: String?

    @Option(help: "Demand-response events CSV: start,end,target_mw[,credit_usd_per_mwh].")
    var events: String?

    @Option(name: .customLong("interval-minutes"), help: "Resample the prices to this interval (e.g. 15 to run hourly day-ahead prices on the real-time grid).")
    var intervalMinutes: Int?

    @Option(name: .customLong("export-lp"), help: "Also write the hindsight formulation as JSON for an independent LP solver (scripts/lp_peer.py).")
    var exportLP: String?

    @Option(help: "Folder for backtest.json, ledger.csv and report.html.")
    var out: String?

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "No progress bar.")
    var noProgress = false

    func validate() throws {
        if let hashprice, !(hashprice >= 0 && hashprice.isFinite) { throw ValidationError("--hashprice must be ≥ 0 USD per PH/s per day") }
        if let feeSharePercent, !(0..<100).contains(feeSharePercent) { throw ValidationError("--fee-share must be a percentage from 0 to under 100") }
        if let intervalMinutes, ![5, 15, 30, 60].contains(intervalMinutes) { throw ValidationError("--interval-minutes must be 5, 15, 30 or 60") }
        if let feesPerBlock, !(feesPerBlock >= 0) { throw ValidationError("--fees must be ≥ 0 BTC per block") }
        for name in policy.split(separator: ",") where Policy.named(String(name)) == nil {
            throw ValidationError("unknown policy '\(name)'; expected always-on, strike, strike-PRICE, gridshell or hindsight")
        }
        for (label, value) in [("--from", from), ("--to", to)] {
            if let value, HashpriceCommand.parseDate(value) == nil { throw ValidationError("\(label) must be YYYY-MM-DD, got '\(value)'") }
        }
    }

    func run() throws {
        let siteModel = try loadSite(site)
        let point = settlementPoint ?? siteModel.contract.settlementPoint
        let fromDate = from.flatMap(HashpriceCommand.parseDate), toDate = to.flatMap(HashpriceCommand.parseDate)
        let inputs: BacktestInputs
        do {
            var (series, format) = try BacktestSetup.prices(path: prices, settlementPoint: point, from: fromDate, to: toDate)
            if let intervalMinutes { series = series.resampled(toIntervalSeconds: intervalMinutes * 60) }
            let da = try dayAhead.map { try BacktestSetup.dayAhead(path: $0, settlementPoint: point, on: series) }
            let source: BacktestSetup.HashpriceSource
            if let hashprice {
                source = .fixed(usdPerPHDay: hashprice)
            } else {
                let history: BitcoinHistory
                do { history = try BitcoinHistory.read(path: btc) } catch { throw BacktestSetup.Problem(error.description + " (or give --hashprice)") }
                let fees: BitcoinHistory.FeeAssumption = feesPerBlock.map { .perBlockBTC($0) } ?? feeSharePercent.map { .shareOfReward($0 / 100) } ?? .historyOnly
                source = .history(history, fees: fees)
            }
            let perTH = try BacktestSetup.minerUSDPerTHHour(for: series, source: source, poolFee: siteModel.poolFeeFraction)
            let eventList = try events.map { try BacktestSetup.events(path: $0) } ?? []
            let (peaks, risk) = try Self.peakRisk(siteModel, series: series)
            inputs = BacktestInputs(
                site: DispatchSite(site: siteModel), prices: series, pricesKnownAhead: format == .dayAhead, dayAhead: da,
                minerUSDPerTHHour: perTH, events: eventList, fourCPIntervals: peaks, fourCPRisk: risk)
        } catch let error as PriceFileError {
            printError(error.description)
            throw error.kind == .unreadable ? Exit.cannotRead : Exit.invalidInput
        } catch {
            printError("\(error)")
            throw Exit.invalidInput
        }

        let backtest = Backtest(inputs: inputs)
        if let exportLP {
            try FormulationExport.compactJSON(backtest).write(to: URL(fileURLWithPath: exportLP))
            let clock = ContinuousClock()
            var objective = 0.0
            let elapsed = clock.measure { objective = FormulationExport.objective(backtest) }
            printError(String(format: "formulation objective %.6f USD (hindsight without firm value and award payments), solved in %.3f s; written to %@",
                objective, Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds), exportLP))
        }
        let policies = policy.split(separator: ",").compactMap { Policy.named(String($0)) }
        let bar = ProgressBar(total: inputs.count * policies.count, enabled: !noProgress && !json)
        var runs: [PolicyRun] = []
        for (k, p) in policies.enumerated() {
            runs.append(backtest.run(p) { done in bar.update(k * inputs.count + done, label: p.description) })
        }
        bar.finish()
        let comparison = Comparison(
            site: siteModel.name, settlementPoint: point, from: inputs.prices.start, to: inputs.prices.end, runs: runs)
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Report.json(comparison).write(to: URL(fileURLWithPath: out).appendingPathComponent("backtest.json"))
            try Report.csv(runs).write(toFile: out + "/ledger.csv", atomically: true, encoding: .utf8)
            try Report.monthlyCSV(runs).write(toFile: out + "/monthly.csv", atomically: true, encoding: .utf8)
            let chart = runs.first { $0.policy == "gridshell" }?.policy ?? runs[0].policy
            try Report.html(comparison, runs: runs, chartPolicy: chart).write(toFile: out + "/report.html", atomically: true, encoding: .utf8)
        }
        if json {
            print(String(decoding: try Report.json(comparison), as: UTF8.self))
            return
        }
        print("\(siteModel.name): \(point), \(Format.date(comparison.from)) to \(Format.date(comparison.to)), \(comparison.intervals) intervals of \(inputs.prices.intervalSeconds / 60) min\(inputs.pricesKnownAhead ? " (day-ahead prices)" : "")")
        var table = TextTable(
            ["policy", "MWh", "revenue $", "energy cost $", "credits $", "4CP $", "penalties $", "net margin $", "% hindsight", "flex captured", "curtailed h", "off intervals", "SLA", "seconds"],
            rightAligned: Set(1...13))
        for r in comparison.rows {
            table.add([
                r.policy, Format.number(r.energyMWh), Format.number(r.revenueUSD), Format.number(r.energyCostUSD), Format.number(r.creditsUSD),
                Format.number(r.fourCPChargeUSD), Format.number(r.penaltiesUSD), Format.number(r.netMarginUSD),
                r.percentOfHindsight.map { Format.number($0, 1) + " %" } ?? "–", r.flexibilityCapturedPercent.map { Format.number($0, 1) + " %" } ?? "–",
                Format.number(r.curtailedHours, 1), Format.number(r.curtailedIntervalShare * 100, 1) + " %", String(r.slaBreaches),
                Format.number(r.seconds, 3),
            ])
        }
        print(table.render())
        for run in runs where !run.deadlines.isEmpty {
            let missed = run.deadlines.filter { $0.missingGPUHours > 1e-6 }
            var line = "Deadlines, \(run.policy): \(run.deadlines.count - missed.count) of \(run.deadlines.count) met"
            if !missed.isEmpty {
                line += "; missed: " + missed.map { "\($0.job) (\(Format.number($0.missingGPUHours, 1)) GPU-hours short)" }.joined(separator: ", ")
            }
            if !run.multipliers.isEmpty {
                line += "; work valued at +" + run.multipliers.map { Format.number($0, 3) }.joined(separator: ", ")
                    + " $/GPU-hour before its deadline (\(run.multiplierPasses) passes)"
            }
            print(line)
        }
        if let run = runs.first(where: { $0.policy == "gridshell" }) ?? runs.first(where: { $0.policy != "hindsight" }) {
            print("\nPower and grid credits by month, \(run.policy):")
            var months = TextTable(
                ["month", "MWh", "energy cost $", "power credits $", "grid credits $", "all-in ¢/kWh", "4CP $", "4CP windows", "tag avoided MW", "curtailed h"],
                rightAligned: Set(1...9))
            for m in Report.monthly(run) {
                months.add([
                    m.month, Format.number(m.energyMWh), Format.number(m.energyCostUSD), Format.number(m.powerCreditsUSD), Format.number(m.gridCreditsUSD),
                    m.allInCentsPerKWh.map { Format.number($0, 2) } ?? "–", Format.number(m.fourCPChargeUSD), String(m.fourCPWindowIntervals),
                    Format.number(m.fourCPTagAvoidedMW, 2), Format.number(m.curtailedHours, 1),
                ])
            }
            print(months.render())
        }
        if let out { print("\nWrote \(out)/backtest.json, \(out)/ledger.csv, \(out)/monthly.csv and \(out)/report.html") }
    }

    /// The 4CP peak intervals and the peak-risk signal of the run: with a load or probability
    /// signal in the site file, read from its file (a load signal's monthly maxima become the
    /// peaks); otherwise the price proxy's peaks and no signal.
    static func peakRisk(_ site: Site, series: PriceSeries) throws -> (Set<Int>, [Double]?) {
        let proxy = BacktestSetup.fourCPProxy(series)
        guard let fourCP = site.gridPrograms.fourCP, fourCP.signal != .price else { return (proxy, nil) }
        guard fourCP.source == .file, let path = fourCP.path else {
            throw BacktestSetup.Problem("grid_programs.four_cp: a backtest reads its \(fourCP.signal.rawValue) signal from a file (source: file, path: …); this one is \(fourCP.source.rawValue)")
        }
        let readings = try fourCP.readFile(path)
        let s = PeakRiskModel.series(
            settings: fourCP, values: readings.map { ($0.time, $0.value) }, start: series.start, intervalSeconds: Double(series.intervalSeconds), count: series.count)
        return (fourCP.signal == .load && !s.peaks.isEmpty ? s.peaks : proxy, s.probabilities)
    }
}

/// A one-line progress bar on standard error, shown only on a terminal.
final class ProgressBar: @unchecked Sendable {
    let total: Int
    let enabled: Bool
    private var lastShown = -1

    init(total: Int, enabled: Bool) {
        self.total = max(total, 1)
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int, label: String) {
        guard enabled else { return }
        let percent = done * 100 / total
        guard percent != lastShown else { return }
        lastShown = percent
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(percent)% \(label)      ".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(String(repeating: " ", count: 60))\r".utf8))
    }
}

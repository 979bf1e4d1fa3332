import ArgumentParser
import Foundation
import GridshellCore
import GridshellDispatch
import GridshellPlanner

/// `gridshell plan`: keep mining, lease the shell, become an AI cloud, or a mix.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compare mining, leasing the powered shell, an AI cloud and a hybrid for a site: cash flows, NPV, IRR, value per watt, risk.",
        discussion: """
            Assumptions come from the site file's strategy section (every field has a default; \
            docs/PLANNER.md lists them with their sources); the options here override it. With \
            --prices, the mining path's uptime, energy price and grid income come from a backtest \
            of the site's miners on those ERCOT prices under the gridshell policy.
            """)

    @Option(help: "The site's YAML file.")
    var site: String

    @Option(help: "Horizon, years (1–50).")
    var years: Int?

    @Option(help: "Paths, comma-separated: mine, lease, cloud, hybrid.")
    var paths: String?

    @Option(help: "Monte Carlo simulations.")
    var simulations: Int?

    @Option(help: "Seed of the simulations.")
    var seed: UInt64?

    @Option(name: .customLong("price-model"), help: "BTC price process: gbm or bootstrap (of the history in --btc).")
    var priceModel: String?

    @Option(help: "Bitcoin daily history CSV (for the bootstrap).")
    var btc: String = "data/btc/btc_daily_2019_2025.csv"

    @Option(help: "ERCOT price file: take the mining path's uptime, energy price and grid income from a backtest on it.")
    var prices: String?

    @Option(help: "Folder for plan.json, plan.csv and plan.html.")
    var out: String?

    @Option(help: "Threads for the Monte Carlo (default: every processor).")
    var workers: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let years, !(1...50).contains(years) { throw ValidationError("--years must be from 1 to 50") }
        if let simulations, !(1...Planner.maxSimulations).contains(simulations) { throw ValidationError("--simulations must be from 1 to \(Planner.maxSimulations)") }
        if let paths { _ = try Self.parsePaths(paths) }
        if let priceModel, StrategyAssumptions.Risk.PriceModel(rawValue: priceModel) == nil { throw ValidationError("--price-model must be gbm or bootstrap") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    static func parsePaths(_ text: String) throws -> [StrategyPath] {
        do {
            return try StrategyPath.list(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        } catch .unknown(let name) {
            throw ValidationError("unknown path '\(name)' in --paths; expected mine, lease, cloud or hybrid")
        } catch .empty {
            throw ValidationError("--paths needs at least one of mine, lease, cloud, hybrid")
        }
    }

    func run() throws {
        var siteModel = try loadSite(site)
        if let years { siteModel.strategy.years = years }
        if let paths { siteModel.strategy.paths = try Self.parsePaths(paths) }
        if let simulations { siteModel.strategy.simulations = simulations }
        if let seed { siteModel.strategy.seed = seed }
        if let priceModel, let model = StrategyAssumptions.Risk.PriceModel(rawValue: priceModel) { siteModel.strategy.risk.priceModel = model }
        var history: BitcoinHistory?
        if siteModel.strategy.risk.priceModel == .bootstrap {
            do { history = try BitcoinHistory.read(path: btc) } catch {
                printError(error.description)
                throw Exit.cannotRead
            }
        }
        let statistics = try prices.map { try Self.operatingStatistics(site: siteModel, pricesPath: $0) }
        let inputs = PlanInputs(site: siteModel, statistics: statistics, history: history)
        let result: PlanResult
        do { result = try Planner.run(inputs, workers: workers) } catch {
            printError("\(site): \(error.description)")
            throw Exit.invalidInput
        }
        if let out { try Self.write(result, to: out) }
        if json {
            print(String(decoding: try PlanReport.json(result), as: UTF8.self))
            return
        }
        print(Self.table(result))
        if let out { print("\nWrote \(out)/plan.json, \(out)/plan.csv and \(out)/plan.html") }
    }

    static func write(_ result: PlanResult, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try PlanReport.json(result).write(to: URL(fileURLWithPath: folder).appendingPathComponent("plan.json"))
        try PlanReport.csv(result).write(toFile: folder + "/plan.csv", atomically: true, encoding: .utf8)
        try PlanReport.html(result).write(toFile: folder + "/plan.html", atomically: true, encoding: .utf8)
    }

    /// The table people read: one row per path, then the recommendation and its reasons.
    static func table(_ result: PlanResult) -> String {
        var lines = [
            "\(result.site): \(Format.number(result.utilityMW, 1)) MW, \(result.years) years, \(Format.number(Double(result.simulations))) simulations (seed \(result.seed)), Monte Carlo \(Format.number(result.monteCarloSeconds, 3)) s"
        ]
        var table = TextTable(
            ["path", "NPV M$", "IRR", "payback y", "$/W cap", "$/W DCF", "P5 M$", "P50 M$", "P95 M$", "P(NPV<0)"], rightAligned: Set(1...9))
        for p in result.paths {
            let d = p.monteCarlo.npvUSD
            table.add([
                p.path, Format.number(p.npvUSD / 1e6, 1), p.irr.map { Format.number($0 * 100, 1) + " %" } ?? "–", p.paybackYears.map { Format.number($0, 1) } ?? "–",
                Format.number(p.valuePerWattCapRate, 2), Format.number(p.valuePerWattDCF, 2), Format.number(d.p5 / 1e6, 1), Format.number(d.p50 / 1e6, 1),
                Format.number(d.p95 / 1e6, 1), Format.number(p.monteCarlo.probabilityNegativeNPV * 100, 1) + " %",
            ])
        }
        lines.append(table.render())
        lines.append("\nRecommendation: \(result.recommendation.path)")
        lines += result.recommendation.reasons.map { "  - " + $0 }
        return lines.joined(separator: "\n")
    }

    /// The mining fleet alone (tenants and GPU clusters set aside) through a gridshell-policy
    /// backtest on `pricesPath` at the site's network inputs.
    static func operatingStatistics(site: Site, pricesPath: String) throws -> OperatingStatistics {
        var miningOnly = site
        miningOnly.aiTenants = []
        miningOnly.gpuClusters = []
        guard miningOnly.minerStockLoadMW > 0 else {
            printError("\(pricesPath): --prices needs miners in the site to backtest; give uptime and energy price in the strategy section instead")
            throw Exit.invalidInput
        }
        do {
            let (series, format) = try BacktestSetup.prices(path: pricesPath, settlementPoint: site.contract.settlementPoint, from: nil, to: nil)
            let network = site.bitcoin.over(.embedded, source: "")
            let hashprice = site.bitcoin.hashpriceUSDPerPHsDay ?? network.hashprice().usdPerPHsDay
            let perTH = try BacktestSetup.minerUSDPerTHHour(for: series, source: .fixed(usdPerPHDay: hashprice), poolFee: site.poolFeeFraction)
            let inputs = BacktestInputs(
                site: DispatchSite(site: miningOnly), prices: series, pricesKnownAhead: format == .dayAhead, minerUSDPerTHHour: perTH,
                fourCPIntervals: BacktestSetup.fourCPProxy(series))
            let t = Backtest(inputs: inputs).run(.named("gridshell")!).totals
            let hours = inputs.hours * Double(inputs.count)
            let mw = miningOnly.minerStockLoadMW
            return OperatingStatistics(
                uptime: max(0, min(1, 1 - t.curtailedHours / max(hours, 1e-9))),
                energyUSDPerMWh: t.energyMWh > 0 ? (t.energyCostUSD + t.fourCPChargeUSD) / t.energyMWh : 0,
                gridIncomeUSDPerMWYear: (t.powerCreditsUSD + t.gridCreditsUSD) / mw / (hours / 8_766),
                source: "gridshell-policy backtest on \((pricesPath as NSString).lastPathComponent), \(site.contract.settlementPoint), \(Format.date(series.start)) to \(Format.date(series.end))")
        } catch let error as PriceFileError {
            printError(error.description)
            throw error.kind == .unreadable ? Exit.cannotRead : Exit.invalidInput
        }
    }
}

import ArgumentParser
import Foundation
import GridshellCore
import GridshellDispatch

struct DispatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "One interval's plan for a site at a given energy price: miners per operating point, job caps, the grid position, and why.",
        discussion: """
            The site starts from every miner at stock and every job at full power, as after a restart. A job with \
            work_gpu_hours and a deadline whose slack (hours to the deadline less the work left at full power) is \
            under the margin runs at full power; the site file's work is taken as the work left at --at.
            """)

    @Option(help: "The site's YAML file.")
    var site: String

    @Option(help: "Energy price for the interval, USD/MWh.")
    var price: Double

    @Option(name: .customLong("hashprice"), help: "Hashprice, USD per PH/s per day (default: the embedded snapshot).")
    var hashprice: Double?

    @Option(name: .customLong("cap"), help: "A demand-response target: the site must stay at or under this many MW.")
    var capMW: Double?

    @Option(name: .customLong("minutes"), help: "Interval length, minutes.")
    var minutes: Double = 15

    @Option(help: "Start of the interval, an ISO 8601 time such as 2027-03-30T14:00:00-05:00 (default: now).")
    var at: String?

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func validate() throws {
        guard price.isFinite else { throw ValidationError("--price must be a number of USD/MWh") }
        if let hashprice, !(hashprice >= 0 && hashprice.isFinite) { throw ValidationError("--hashprice must be ≥ 0 USD per PH/s per day") }
        if let capMW, !(capMW >= 0 && capMW.isFinite) { throw ValidationError("--cap must be ≥ 0 MW") }
        guard minutes > 0, minutes <= 60 else { throw ValidationError("--minutes must be from 1 to 60") }
        if let at, ISO8601DateFormatter().date(from: at) == nil {
            throw ValidationError("--at must be an ISO 8601 time with its offset, such as 2027-03-30T14:00:00-05:00; got '\(at)'")
        }
    }

    func run() throws {
        let siteModel = try loadSite(site)
        let dispatchSite = DispatchSite(site: siteModel)
        let perPHDay = hashprice ?? NetworkSnapshot.embedded.hashprice().usdPerPHsDay
        let perTH = perPHDay / 1000 * (1 - siteModel.poolFeeFraction) / 24
        let start = at.flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date()
        let series = PriceSeries(settlementPoint: siteModel.contract.settlementPoint, start: start, intervalSeconds: Int(minutes * 60), pricesUSDPerMWh: [price])
        var events: [DemandResponseEvent] = []
        if let capMW { events.append(DemandResponseEvent(start: series.start, end: series.end, targetMW: capMW)) }
        let inputs = BacktestInputs(site: dispatchSite, prices: series, minerUSDPerTHHour: [perTH], events: events)
        let backtest = Backtest(inputs: inputs)
        let market = inputs.market(at: 0, price: price, fourCPWeight: 0)
        // Jobs short of slack for their deadline run at full power, and give way last to the cap.
        let deadlines = DeadlineTracker(inputs.deadlines).statuses(at: 0, intervalHours: inputs.hours)
        var lower = [Double](repeating: 0, count: dispatchSite.loads.count)
        var keep = [Bool](repeating: false, count: dispatchSite.loads.count)
        for status in deadlines where status.keepAtFullPower {
            lower[status.load] = Double(dispatchSite.loads[status.load].steps)
            keep[status.load] = true
        }
        let solution = backtest.solver.solve(market, lower: lower, keep: keep)
        let plan = DispatchPlan(
            site: dispatchSite, solution: solution, previous: backtest.stockLevels, market: market, priceUSDPerMWh: price, deadlines: deadlines)
        if json {
            print(try Format.json(plan))
            return
        }
        print("\(siteModel.name): plan at \(Format.number(price, 2)) $/MWh, hashprice \(Format.number(perPHDay, 2)) $/PH/day")
        print("Site \(Format.number(plan.siteMW, 2)) MW of \(Format.number(plan.capMW, 2)) MW allowed; firm AI \(Format.number(plan.firmMW, 2)) MW" + (plan.soldBackMW > 0 ? "; \(Format.number(plan.soldBackMW, 2)) MW of the fixed-price block sold back" : ""))
        var table = TextTable(["group", "model", "firmware", "miners per point", "MW", "PH/s"], rightAligned: [4, 5])
        for g in plan.groups {
            let points = g.miners.sorted { $0.key < $1.key }.map { "\($0.key): \(Format.number($0.value))" }.joined(separator: ", ")
            table.add([g.group, g.model, g.firmware, points, Format.number(g.powerMW, 2), Format.number(g.hashrateTHs / 1000, 1)])
        }
        print(table.render())
        if !plan.jobs.isEmpty {
            var jobs = TextTable(["job", "setting", "MW", "throughput"], rightAligned: [2, 3])
            for j in plan.jobs { jobs.add([j.job, j.setting, Format.number(j.powerMW, 3), Format.number(j.throughput * 100, 1) + " %"]) }
            print("")
            print(jobs.render())
        }
        for d in plan.deadlines {
            print("Deadline of \(d.job): \(Format.number(d.workLeftGPUHours)) GPU-hours left, \(Format.number(d.hoursLeft, 1)) h to go, \(Format.number(d.slackHours, 1)) h of slack at full power")
        }
        print("\nWhy:")
        for r in plan.reasons { print("- \(r)") }
        if plan.reasons.isEmpty { print("- nothing changes: everything runs as it is") }
        for u in plan.unmet { print("Cannot meet: \(u)") }
    }
}

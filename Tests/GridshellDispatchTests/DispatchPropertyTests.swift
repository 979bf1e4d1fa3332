import Foundation
import GridshellTestSupport
import PropertyBased
import Testing
@testable import GridshellCore
@testable import GridshellDispatch

/// Properties over random sites and prices, every policy through the same engine.
@Suite("Dispatch properties")
struct DispatchPropertyTests {
    static let policies: [Policy] = [.alwaysOn, .strike(usdPerMWh: nil, offAfter: 1, onAfter: 2), .gridshell(GridshellSettings()), .hindsight]

    @Test(arguments: 0..<40)
    func commitmentsHoldAndHindsightIsBest(seed: Int) throws {
        var rng = Fixtures.Rng(seed: UInt64(seed) + 1)
        let inputs = Fixtures.randomInputs(&rng)
        let backtest = Backtest(inputs: inputs)
        let site = inputs.site
        let maxDroppable = site.loads.reduce(0) { $0 + $1.maxMW - $1.floorMW }
        let floors = site.firmMW + site.loads.reduce(0) { $0 + $1.floorMW }
        var nets: [String: Double] = [:]
        for policy in Self.policies {
            let run = backtest.run(policy)
            nets[policy.description] = run.totals.netUSD
            for (t, e) in run.entries.enumerated() {
                let cap = inputs.market(at: t, price: 0).capMW
                // The cap is never exceeded.
                #expect(e.siteMW <= cap + 1e-6, "\(policy) t=\(t): \(e.siteMW) MW over the \(cap) MW cap")
                // Firm load is served whenever the cap leaves room for it.
                if floors <= cap + 1e-9 { #expect(!e.slaBreach, "\(policy) t=\(t): firm load shed with room under the cap") }
                // The award floor is met whenever it fits under the cap.
                let award = inputs.awardMW
                if award <= maxDroppable - 1e-9, floors + award + 0.01 <= cap {
                    #expect(e.penaltiesUSD < 1e-6, "\(policy) t=\(t): award not met (\(e.penaltiesUSD) $ penalty)")
                }
            }
        }
        // The optimum with foresight is at least as good as every online policy.
        let best = try #require(nets["hindsight"])
        for (name, net) in nets where name != "hindsight" {
            #expect(best >= net - 1e-6 * max(1, abs(best)), "\(name) \(net) beats hindsight \(best)")
        }
    }

    /// Random sites whose training and batch jobs have deadlines (some tight, some impossible,
    /// some after the run): the cap holds, a job held for its deadline runs at full power unless
    /// the site is at its cap, and hindsight, pricing the work, beats every online policy on the
    /// same objective.
    @Test func deadlinesKeepHindsightBestAndHeldJobsAtFullPower() async {
        await propertyCheck(count: 40, input: Gen.int(in: 1...1_000_000)) { seed in
            var rng = Fixtures.Rng(seed: UInt64(seed))
            let inputs = Fixtures.randomInputs(&rng, intervals: 48, deadlines: true)
            let backtest = Backtest(inputs: inputs)
            let best = backtest.run(.hindsight)
            let judged = inputs.deadlines.filter(\.isJudged).count
            #expect(best.totals.deadlinesMet + best.totals.deadlinesMissed == judged)
            for policy in Self.policies where policy.isOnline {
                let run = backtest.run(policy, keepPlans: true)
                #expect(
                    best.totals.netUSD >= run.totals.netUSD - 1e-6 * max(1, abs(best.totals.netUSD)),
                    "seed \(seed): \(policy) \(run.totals.netUSD) beats hindsight \(best.totals.netUSD)")
                #expect(run.totals.deadlinesMet + run.totals.deadlinesMissed == judged)
                for (t, plan) in (run.plans ?? []).enumerated() {
                    let cap = inputs.market(at: t, price: 0).capMW
                    #expect(run.entries[t].siteMW <= cap + 1e-6)
                    for status in plan.deadlines where status.keepAtFullPower {
                        let load = inputs.site.loads[status.load]
                        let full = plan.jobs.first { $0.job == load.name }.map { $0.throughput >= 1 - 1e-9 } ?? false
                        #expect(full || plan.siteMW >= cap - 1e-6, "seed \(seed): \(policy) t=\(t): \(load.name) held but not at full power under the cap")
                    }
                }
            }
        }
    }

    @Test(arguments: 0..<30)
    func solverMatchesBruteForceOnTinyCases(seed: Int) {
        var rng = Fixtures.Rng(seed: UInt64(seed) + 1000)
        let site = Fixtures.randomSite(&rng, minersPerGroup: 1...3)
        let d = DispatchSite(site: site)
        let solver = IntervalSolver(site: d)
        let minersOnly = d.loads.allSatisfy(\.isMiner)
        guard minersOnly, d.loads.count <= 3 else { return }
        let price = Double.random(in: -20...300, using: &rng)
        let perTH = Double.random(in: 20...120, using: &rng) / 1000 / 24
        let capLoose = d.firmMW + d.loads.reduce(0) { $0 + $1.maxMW } + 1
        for cap in [capLoose, capLoose * Double.random(in: 0.2...0.8, using: &rng)] {
            let market = IntervalMarket(hours: 0.25, minerUSDPerTHHour: perTH, tiers: [.init(upToMW: .infinity, usdPerMWh: price)], capMW: cap)
            let lp = solver.solve(market).objectiveUSD
            // Every miner at every one of its firmware's points, not just the hull's.
            var best = -Double.infinity
            var largestStepValue = 0.0
            func visit(_ g: Int, _ mw: Double, _ th: Double) {
                if g == d.loads.count {
                    let siteMW = d.firmMW + mw
                    guard siteMW <= cap + 1e-9 else { return }
                    best = max(best, (th * perTH - siteMW * price) * 0.25)
                    return
                }
                guard case .miners(let index) = d.loads[g].kind else { return }
                let group = site.minerGroups[index]
                let points = group.operatingPoints
                let pue = site.cooling.mining
                func assign(_ k: Int, _ left: Int, _ mw: Double, _ th: Double) {
                    if k == points.count - 1 {
                        visit(g + 1, mw + Double(left) * points[k].powerW * pue / 1e6, th + Double(left) * points[k].hashrateTHs)
                        return
                    }
                    for c in 0...left {
                        assign(k + 1, left - c, mw + Double(c) * points[k].powerW * pue / 1e6, th + Double(c) * points[k].hashrateTHs)
                    }
                }
                assign(0, group.count, mw, th)
                for s in 0..<d.loads[g].steps {
                    let stepMW = (d.loads[g].hull[s + 1].powerMW - d.loads[g].hull[s].powerMW) / Double(d.loads[g].count)
                    largestStepValue = max(largestStepValue, stepMW * (abs(d.loads[g].stepUnitsPerMW[s] * perTH) + abs(price)) * 0.25)
                }
            }
            visit(0, 0, 0)
            // The whole-miner optimum never beats the relaxation, and trails it by less than one
            // miner's step; with a loose cap the relaxation is itself whole miners.
            #expect(best <= lp + 1e-9)
            #expect(lp - best <= largestStepValue + 1e-9)
            if cap == capLoose { #expect(abs(lp - best) < 1e-9 * max(1, abs(lp)), "loose cap: \(lp) vs \(best)") }
        }
    }
}

/// The hindsight optimiser against an independent LP solver (PuLP with HiGHS) on the same
/// formulation.
@Suite("Hindsight against an LP solver")
struct HindsightLPTests {
    static func peer(_ json: Data, solver: String) async throws -> [String: Any] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-lp-\(UUID().uuidString).json")
        try json.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try await runToEnd(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Fixtures.path("scripts/lp_peer.py"), file.path, "--solver", solver])
        guard run.status == 0, let result = try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any] else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "lp_peer.py failed (\(run.status)): \(run.stderrText)"])
        }
        return result
    }

    @Test(arguments: 0..<12)
    func sameObjectiveAsPuLPWithHiGHS(seed: Int) async throws {
        var rng = Fixtures.Rng(seed: UInt64(seed) + 500)
        let inputs = Fixtures.randomInputs(&rng, intervals: 48)
        let backtest = Backtest(inputs: inputs)
        let ours = FormulationExport.objective(backtest)
        let theirs = try #require(try await Self.peer(try FormulationExport.json(backtest), solver: "pulp")["objective"] as? Double)
        #expect(abs(ours - theirs) <= 1e-6 * max(1, abs(theirs)), "ours \(ours) vs PuLP \(theirs)")
    }

    @Test func realWinterStormWeek() async throws {
        let site = try SiteLoader.load(path: Fixtures.path("examples/hybrid-300mw.yaml"))
        let prices = try ERCOTPriceFile.read(path: Fixtures.path("data/ercot/ercot_RTM-2021-02.csv"), settlementPoint: "HB_WEST")
            .slice(from: Date(timeIntervalSince1970: 1_613_174_400), to: Date(timeIntervalSince1970: 1_613_779_200))  // 13–20 Feb
        let inputs = BacktestInputs(site: DispatchSite(site: site), prices: prices, minerUSDPerTHHour: Array(repeating: 0.3 / 24, count: prices.count))
        let backtest = Backtest(inputs: inputs)
        let ours = FormulationExport.objective(backtest)
        let theirs = try #require(try await Self.peer(try FormulationExport.json(backtest), solver: "highs")["objective"] as? Double)
        #expect(abs(ours - theirs) <= 1e-6 * max(1, abs(theirs)), "ours \(ours) vs HiGHS \(theirs)")
    }
}

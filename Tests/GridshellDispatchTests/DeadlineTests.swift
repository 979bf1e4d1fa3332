import Foundation
import Testing
@testable import GridshellCore
@testable import GridshellDispatch

/// Training deadlines: the online floor, the hindsight multipliers against an LP solver and brute
/// force, and the ledger that judges both.
@Suite("Deadlines")
struct DeadlineTests {
    static let start = Fixtures.randomStart
    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// A site with one pausable batch job of `gpus` H100s worth `value` per GPU-hour and, when
    /// `work` is given, that many GPU-hours to finish `deadlineHours` after the start.
    static func batchSite(
        gpus: Int = 64, value: Double = 0.2, work: Double? = nil, deadlineHours: Double = 12, penalty: Double? = nil,
        interconnect: Double = 5, kind: String = "batch", extraJob: String = ""
    ) -> Site {
        var job = "{name: batch, kind: \(kind), gpus: \(gpus), flex_tier: 3, value_usd_per_gpu_hour: \(value), checkpoint_cost_usd: 20"
        if let work {
            job += ", work_gpu_hours: \(work), deadline: \(iso(start.addingTimeInterval(deadlineHours * 3600)))"
            if let penalty { job += ", deadline_penalty_usd_per_gpu_hour: \(penalty)" }
        }
        job += "}"
        return Fixtures.site("""
            name: deadline site
            interconnect_mw: \(interconnect)
            cooling: {ai_pue: 1.2}
            contract: {type: real_time, settlement_point: HB_WEST}
            ai_tenants:
              - {name: t, firm_kw: 500, usd_per_kw_month: 120, term_years: 10}
            gpu_clusters:
              - name: c
                system: DGX H100
                count: 16
                jobs:
                  - \(job)
            \(extraJob.isEmpty ? "" : "      - \(extraJob)")
            """)
    }

    static func inputs(_ site: Site, prices: [Double], intervalSeconds: Int = 900, events: [DemandResponseEvent] = []) -> BacktestInputs {
        let series = PriceSeries(settlementPoint: "HB_WEST", start: start, intervalSeconds: intervalSeconds, pricesUSDPerMWh: prices)
        return BacktestInputs(
            site: DispatchSite(site: site), prices: series, minerUSDPerTHHour: Array(repeating: 0, count: prices.count), events: events)
    }

    // MARK: the online floor

    /// At 300 $/MWh the job earns less than its power costs, so a policy blind to the deadline
    /// pauses it as soon as it has seen a price and misses; gridshell pauses too, then holds it at
    /// full power once the slack is down to the margin, and finishes.
    @Test func gridshellKeepsATightDeadlineThatPausingWouldMiss() throws {
        let prices = Array(repeating: 300.0, count: 48)
        let required = 64.0 * 8  // 8 of the 12 hours at full power
        let blind = Backtest(inputs: Self.inputs(Self.batchSite(), prices: prices)).run(.gridshell(GridshellSettings()))
        // One interval at full power before the first price is known, paused from then on.
        #expect(abs(blind.totals.jobWorkGPUHours - 64 * 0.25) < 1e-9)
        #expect(blind.entries.dropFirst().allSatisfy { $0.jobWorkGPUHours == 0 })

        let backtest = Backtest(inputs: Self.inputs(Self.batchSite(work: required), prices: prices))
        let run = backtest.run(.gridshell(GridshellSettings()), keepPlans: true)
        #expect(run.totals.deadlinesMet == 1)
        #expect(run.totals.deadlinesMissed == 0)
        #expect(run.totals.deadlinePenaltyUSD < 1e-9)
        #expect(run.deadlines.count == 1 && run.deadlines[0].missingGPUHours < 1e-6)
        #expect(run.totals.jobWorkGPUHours >= required - 1e-9)
        // It held out as long as the margin allowed: slack under 0.5 h restart + two intervals.
        let plans = try #require(run.plans)
        let firstHeld = try #require(plans.firstIndex { $0.deadlines.contains { $0.keepAtFullPower } })
        let status = plans[firstHeld].deadlines[0]
        #expect(status.slackHours < DeadlineCommitment.marginHours(intervalHours: 0.25))
        #expect(status.slackHours >= DeadlineCommitment.marginHours(intervalHours: 0.25) - 0.25 - 1e-9)
        #expect(firstHeld > 0 && run.entries[firstHeld - 1].jobWorkGPUHours == 0)
        #expect(plans[firstHeld].reasons.contains(
            "kept c/batch at full power: \(String(format: "%.0f", status.workLeftGPUHours)) GPU-hours left, deadline in \(String(format: "%.1f", status.hoursLeft)) h"))
        #expect(status.workLeftGPUHours < 1000)
        #expect(plans[firstHeld].unmet.isEmpty)
        // Once held, at full power until done.
        for t in firstHeld..<48 where run.entries[t].jobWorkGPUHours > 0 {
            #expect(abs(run.entries[t].jobWorkGPUHours - 64 * 0.25) < 1e-9)
        }
        // Finishing costs money against pausing, but less than the penalty the miss would cost.
        let penalty = required * 3 * 0.2
        #expect(run.totals.netUSD > blind.totals.netUSD - penalty)
        #expect(run.totals.netUSD < blind.totals.netUSD)
        // Hindsight keeps it too, and no worse.
        let best = backtest.run(.hindsight)
        #expect(best.totals.deadlinesMet == 1)
        #expect(best.totals.netUSD >= run.totals.netUSD - 1e-6)
    }

    @Test func alwaysOnAndStrikeMeetADeadlineTheyRunThrough() {
        let backtest = Backtest(inputs: Self.inputs(Self.batchSite(work: 64 * 8), prices: Array(repeating: 300.0, count: 48)))
        for policy in [Policy.alwaysOn, .strike(usdPerMWh: nil, offAfter: 1, onAfter: 2)] {
            let run = backtest.run(policy)
            #expect(run.totals.deadlinesMet == 1, "\(policy)")
            #expect(abs(run.totals.jobWorkGPUHours - 64 * 12) < 1e-9, "\(policy)")
        }
    }

    /// Under a demand-response target that leaves the job only part of its power, the plan says
    /// which deadline fails and by how much, and the firm tenant is still served.
    @Test func aCapThatBreaksTheDeadlineIsNamed() throws {
        let site = Self.batchSite(work: 64 * 3.9, deadlineHours: 4)
        let d = DispatchSite(site: site)
        let series = PriceSeries(settlementPoint: "HB_WEST", start: Self.start, intervalSeconds: 900, pricesUSDPerMWh: Array(repeating: 30, count: 16))
        // Firm 0.6 MW; the job draws about 0.098 MW at full power: the target leaves it half.
        let event = DemandResponseEvent(start: series.date(at: 4), end: series.date(at: 8), targetMW: d.firmMW + 0.05)
        var inputs = Self.inputs(site, prices: series.pricesUSDPerMWh, events: [event])
        inputs.jobLines = true
        let backtest = Backtest(inputs: inputs)
        let run = backtest.run(.gridshell(GridshellSettings()), keepPlans: true)
        let plans = try #require(run.plans)
        #expect(Backtest(inputs: Self.inputs(site, prices: series.pricesUSDPerMWh, events: [event])).run(.gridshell(GridshellSettings())).entries.allSatisfy { $0.jobs == nil })
        for t in 4..<8 {
            #expect(run.entries[t].siteMW <= d.firmMW + 0.05 + 1e-9)
            #expect(!run.entries[t].slaBreach)
            let capped = plans[t].unmet.filter { $0.hasPrefix("deadline of c/batch:") && $0.contains("cap leaves it") }
            #expect(capped.count == 1, "\(plans[t].unmet)")
            #expect(plans[t].unmet.allSatisfy { $0.hasPrefix("deadline of c/batch:") })
        }
        #expect(run.totals.deadlinesMissed == 1)
        let missing = try #require(run.deadlines.first?.missingGPUHours)
        #expect(missing > 1)
        #expect(abs(run.totals.deadlinePenaltyUSD - missing * 0.6) < 1e-9)
        // The comparison counts the miss as a breach and the penalty in the net margin.
        let comparison = Comparison(site: site.name, settlementPoint: "HB_WEST", from: series.start, to: series.end, runs: [run])
        #expect(comparison.rows[0].slaBreaches == 1)
        #expect(comparison.rows[0].deadlinesMissed == 1)
        #expect(abs(comparison.rows[0].penaltiesUSD - run.totals.checkpointCostUSD - run.totals.deadlinePenaltyUSD) < 1e-9)
        let recomputed = run.entries.reduce(0) { $0 + $1.netUSD }
        #expect(abs(recomputed - run.totals.netUSD) < 1e-6)
        // Each interval's job lines add up to its AI figures; the event's intervals show the job
        // at part of its power and what that cost it.
        for (t, e) in run.entries.enumerated() {
            let lines = try #require(e.jobs)
            #expect(lines.map(\.job) == ["batch"])
            #expect(abs(lines.reduce(0) { $0 + $1.throughputLostUSD } - e.aiThroughputLostUSD) < 1e-9)
            #expect(abs(lines.reduce(0) { $0 + $1.checkpointCostUSD } - e.checkpointCostUSD) < 1e-9)
            #expect(abs(lines.reduce(0) { $0 + $1.powerMW } - (e.aiMW - d.firmMW)) < 1e-9)
            if (4..<8).contains(t) {
                #expect(lines[0].powerShare < 0.75 && lines[0].throughputLostUSD > 0, "interval \(t): \(lines)")
            }
        }
        #expect(run.entries.contains { $0.deadlinePenaltyUSD > 0 })
    }

    /// More work than the time left allows at full power: said from the first interval.
    @Test func anImpossibleDeadlineIsSaidAtOnce() throws {
        let backtest = Backtest(inputs: Self.inputs(Self.batchSite(work: 64 * 5, deadlineHours: 4), prices: Array(repeating: 30, count: 16)))
        let run = backtest.run(.alwaysOn, keepPlans: true)
        let plan = try #require(run.plans?.first)
        #expect(plan.unmet == ["deadline of c/batch: 320 GPU-hours left need 5.0 h at full power but the deadline is in 4.0 h; at least 64 GPU-hours will be missing"])
        #expect(abs((run.deadlines.first?.missingGPUHours ?? 0) - 64) < 1e-9)
    }

    @Test func deadlinesOutsideTheRunAreNotJudged() {
        let prices = Array(repeating: 300.0, count: 16)
        // After the end: watched (held at full power when short of slack) but not settled.
        let after = Backtest(inputs: Self.inputs(Self.batchSite(work: 64 * 5.5, deadlineHours: 6), prices: prices))
        let c = after.inputs.deadlines
        #expect(c.count == 1 && c[0].dueIntervals == 24 && !c[0].isJudged)
        let run = after.run(.gridshell(GridshellSettings()))
        #expect(run.totals.deadlinesMet + run.totals.deadlinesMissed == 0)
        #expect(run.totals.jobWorkGPUHours > 0, "held for a deadline beyond the run")
        #expect(run.deadlines.isEmpty)
        // Before the first interval ends: out of the run's hands.
        let before = Backtest(inputs: Self.inputs(Self.batchSite(work: 10, deadlineHours: 0.2), prices: prices))
        #expect(before.inputs.deadlines.isEmpty)
        // A deadline inside an interval counts the intervals that end by it.
        let inside = Backtest(inputs: Self.inputs(Self.batchSite(work: 10, deadlineHours: 2.6), prices: prices))
        #expect(inside.inputs.deadlines.first?.dueIntervals == 10)
    }

    // MARK: hindsight: exact for its formulation

    @Test(arguments: 0..<16)
    func hindsightEqualsTheLPPeerWithDeadlines(seed: Int) async throws {
        var rng = Fixtures.Rng(seed: UInt64(seed) + 7000)
        let inputs = Fixtures.randomInputs(&rng, intervals: 40, deadlines: true)
        let backtest = Backtest(inputs: inputs)
        let ours = FormulationExport.objective(backtest)
        let peer = try await HindsightLPTests.peer(try FormulationExport.json(backtest), solver: seed % 2 == 0 ? "pulp" : "highs")
        let theirs = try #require(peer["objective"] as? Double)
        #expect(abs(ours - theirs) <= 1e-6 * max(1, abs(theirs)), "ours \(ours) vs the peer \(theirs)")
        #expect(peer["deadlines"] as? Int == FormulationExport.deadlines(backtest).count)
    }

    /// The seeds above are not vacuous: in many the plain merit order misses a deadline, so the
    /// multipliers (and in several the mix of two solutions at the tie) are what is checked.
    /// Tier 0–2 training jobs whose floor already does the work never bind.
    @Test func manyRandomDeadlineCasesBind() {
        var binding = 0, mixed = 0
        for seed in 0..<16 {
            var rng = Fixtures.Rng(seed: UInt64(seed) + 7000)
            let backtest = Backtest(inputs: Fixtures.randomInputs(&rng, intervals: 40, deadlines: true))
            let plan = HindsightPlan(backtest)
            if plan.multipliers.contains(where: { $0 > 0 }) { binding += 1 }
            if plan.mixedSolutions > 1 { mixed += 1 }
            #expect(plan.gapUSD <= 1e-9 * max(1, abs(FormulationExport.objective(backtest))) + 1e-9)
        }
        #expect(binding >= 6, "\(binding) of 16 bind")
        #expect(mixed >= 4, "\(mixed) of 16 mix")
    }

    /// Two jobs with deadlines fighting for the room a demand-response target leaves: one
    /// multiplier each, found together.
    @Test func twoDeadlinesSharingACappedSite() async throws {
        let site = Self.batchSite(
            work: 64 * 5, deadlineHours: 8, penalty: 6,
            extraJob: "{name: train, kind: training, gpus: 48, flex_tier: 3, value_usd_per_gpu_hour: 0.3, work_gpu_hours: 200, deadline: \(Self.iso(Self.start.addingTimeInterval(6 * 3600))), deadline_penalty_usd_per_gpu_hour: 5}")
        let d = DispatchSite(site: site)
        var prices: [Double] = []
        for t in 0..<40 { prices.append([120, 380, 220, 600, 90][t % 5] + Double(t)) }
        let series = PriceSeries(settlementPoint: "HB_WEST", start: Self.start, intervalSeconds: 900, pricesUSDPerMWh: prices)
        // Both at full power draw 0.17 MW: the target leaves room for one and the other paused.
        let event = DemandResponseEvent(start: series.date(at: 0), end: series.date(at: 40), targetMW: d.firmMW + 0.12)
        let backtest = Backtest(inputs: Self.inputs(site, prices: prices, events: [event]))
        let plan = HindsightPlan(backtest)
        #expect(plan.multipliers.count == 2)
        #expect(plan.multipliers.allSatisfy { $0 > 0 }, "\(plan.multipliers)")
        let ours = FormulationExport.objective(backtest)
        for solver in ["highs", "pulp"] {
            let theirs = try #require(try await HindsightLPTests.peer(try FormulationExport.json(backtest), solver: solver)["objective"] as? Double)
            #expect(abs(ours - theirs) <= 1e-6 * max(1, abs(theirs)), "\(solver): ours \(ours) vs \(theirs)")
        }
        // The ledger's hindsight pays what the formulation says: its penalties are the export's.
        let run = backtest.run(.hindsight)
        #expect(run.multipliers == plan.multipliers)
        for policy in [Policy.alwaysOn, .strike(usdPerMWh: nil, offAfter: 1, onAfter: 2), .gridshell(GridshellSettings())] {
            #expect(run.totals.netUSD >= backtest.run(policy).totals.netUSD - 1e-6, "\(policy)")
        }
    }

    /// Whole-horizon brute force on one pausable job: every interval at a hull point, at the
    /// cap or at a tier boundary, and at most one interval anywhere, at the level that meets the
    /// requirement exactly: where an LP vertex with one coupling row has its fractional value.
    @Test(arguments: 0..<24)
    func hindsightEqualsBruteForceOnTinyCases(seed: Int) throws {
        var rng = Fixtures.Rng(seed: UInt64(seed) + 9100)
        let count = Int.random(in: 2...4, using: &rng)
        let gpus = [8, 16, 32].randomElement(using: &rng)!
        let dueHours = Double(Int.random(in: 1...count, using: &rng))
        let work = Double(gpus) * dueHours * Double.random(in: 0.2...1.2, using: &rng)
        let site = Self.batchSite(
            gpus: gpus, value: Double.random(in: 0.1...2, using: &rng), work: (work * 100).rounded() / 100, deadlineHours: dueHours,
            penalty: Double.random(in: 0.5...30, using: &rng), kind: Bool.random(using: &rng) ? "batch" : "training")
        let prices = (0..<count).map { _ in Double.random(in: -20...900, using: &rng) }
        var events: [DemandResponseEvent] = []
        let d = DispatchSite(site: site)
        if Bool.random(using: &rng) {
            let at = Int.random(in: 0..<count, using: &rng)
            let s = Self.start.addingTimeInterval(Double(at) * 3600)
            events.append(DemandResponseEvent(start: s, end: s.addingTimeInterval(3600), targetMW: d.firmMW + Double.random(in: 0.05...0.4, using: &rng)))
        }
        let backtest = Backtest(inputs: Self.inputs(site, prices: prices, intervalSeconds: 3600, events: events))
        let inputs = backtest.inputs
        let c = try #require(inputs.deadlines.first)
        let load = d.loads[c.load]
        #expect(d.loads.count == 1)
        let markets = (0..<count).map { inputs.market(at: $0, price: prices[$0]) }

        func candidates(_ t: Int) -> [Double] {
            var levels = (0...load.steps).map(Double.init)
            levels.append(load.level(atPowerMW: markets[t].capMW - d.firmMW))
            for tier in markets[t].tiers where tier.upToMW.isFinite { levels.append(load.level(atPowerMW: tier.upToMW - d.firmMW)) }
            return levels.filter { d.firmMW + load.powerMW(level: $0) <= markets[t].capMW + 1e-9 }
        }
        func total(_ levels: [Double]) -> Double {
            var value = 0.0, done = 0.0
            for t in 0..<count {
                value += backtest.solver.evaluate(levels: [levels[t]], shedMW: 0, market: markets[t]).objectiveUSD
                if t < c.dueIntervals { done += load.work(level: levels[t]) }
            }
            return value - max(0, c.workGPUHours - done) * c.penaltyUSDPerGPUHour
        }
        /// The level whose work per hour is `w`, if the hull reaches it.
        func level(doing w: Double) -> Double? {
            guard w >= load.hull[0].work - 1e-12, w <= load.hull[load.steps].work + 1e-12 else { return nil }
            for s in 0..<load.steps where w <= load.hull[s + 1].work + 1e-12 {
                return Double(s) + min(max((w - load.hull[s].work) / (load.hull[s + 1].work - load.hull[s].work), 0), 1)
            }
            return Double(load.steps)
        }
        let sets = (0..<count).map(candidates)
        var best = -Double.infinity
        var levels = [Double](repeating: 0, count: count)
        func visit(_ t: Int) {
            if t == count {
                best = max(best, total(levels))
                for free in 0..<min(count, c.dueIntervals) {
                    let others = (0..<c.dueIntervals).filter { $0 != free }.reduce(0) { $0 + load.work(level: levels[$1]) }
                    guard let l = level(doing: c.workGPUHours - others),
                        d.firmMW + load.powerMW(level: l) <= markets[free].capMW + 1e-9 else { continue }
                    var exact = levels
                    exact[free] = l
                    best = max(best, total(exact))
                }
                return
            }
            for l in sets[t] {
                levels[t] = l
                visit(t + 1)
            }
        }
        visit(0)
        let ours = FormulationExport.objective(backtest)
        #expect(abs(ours - best) <= 1e-6 * max(1, abs(best)), "ours \(ours) vs brute force \(best)")
    }

    @Test func gpuHoursReadAsPeopleWriteThem() {
        #expect(DispatchPlan.gpuHours(412.4) == "412 GPU-hours")
        #expect(DispatchPlan.gpuHours(400_000) == "400,000 GPU-hours")
        #expect(DispatchPlan.gpuHours(1_234_567.8) == "1,234,568 GPU-hours")
        #expect(DispatchPlan.gpuHours(0.2) == "0 GPU-hours")
    }

    // MARK: the ledger and the report

    @Test func ledgerCSVCarriesWorkAndPenalty() throws {
        let backtest = Backtest(inputs: Self.inputs(Self.batchSite(work: 64 * 5, deadlineHours: 4), prices: Array(repeating: 30, count: 16)))
        let run = backtest.run(.alwaysOn)
        let csv = Report.csv([run]).split(separator: "\n")
        let header = csv[0].split(separator: ",").map(String.init)
        let work = try #require(header.firstIndex(of: "job_work_gpu_hours"))
        let penalty = try #require(header.firstIndex(of: "deadline_penalty_usd"))
        let last = csv[16].split(separator: ",").map(String.init)
        #expect(Double(last[work]) == 16)
        #expect(Double(last[penalty]) == 64 * 0.6)
        #expect(csv[15].split(separator: ",").map(String.init)[penalty] == "0.0000")
    }
}

import Foundation
import GridshellCore

/// The hindsight formulation written out as plain data, so an independent LP solver can solve the
/// same problem (scripts/lp_peer.py reads it).
///
/// Per interval: flexible segments x_s ∈ [0, mw_s] worth `usd_per_mwh`; a fixed base load (firm
/// load and every load's floor) that may be shed at a penalty; site power under the cap; droppable
/// power over the floor or a shortfall penalty; energy cost by tiers. The objective excludes the
/// firm value and award payments, which no decision changes.
///
/// Deadlines couple the intervals: a job's segments before its deadline carry the deadline's
/// index and the GPU-hours of work per MWh they do, and per deadline
/// Σ hours × gpu_hours_per_mwh × x + floor_gpu_hours + shortfall ≥ required_gpu_hours, the
/// shortfall (≥ 0) costing `penalty_usd_per_gpu_hour`.
public enum FormulationExport {
    /// The deadlines the run settles, in the order the export numbers them.
    static func deadlines(_ backtest: Backtest) -> [DeadlineCommitment] {
        backtest.inputs.deadlines.filter(\.isJudged)
    }

    public static func intervals(_ backtest: Backtest) -> [[String: Any]] {
        let inputs = backtest.inputs
        let site = inputs.site
        let base = site.firmMW + site.loads.reduce(0) { $0 + $1.floorMW }
        let judged = deadlines(backtest)
        var result: [[String: Any]] = []
        for t in 0..<inputs.count {
            let market = inputs.market(at: t, price: inputs.prices.pricesUSDPerMWh[t])
            var segments: [[String: Any]] = []
            for (i, load) in site.loads.enumerated() {
                let deadline = judged.firstIndex { $0.load == i && t < $0.dueIntervals }
                for s in 0..<load.steps {
                    var segment: [String: Any] = [
                        "mw": load.hull[s + 1].powerMW - load.hull[s].powerMW,
                        "usd_per_mwh": backtest.solver.value(i, s, market),
                    ]
                    if let deadline {
                        segment["deadline"] = deadline
                        segment["gpu_hours_per_mwh"] = load.stepWorkPerMW[s]
                    }
                    segments.append(segment)
                }
            }
            let tiers: [[String: Any]] = market.tiers.map { tier in
                ["up_to_mw": tier.upToMW.isFinite ? tier.upToMW as Any : NSNull(), "usd_per_mwh": tier.usdPerMWh]
            }
            // What the loads' floors (a job at its tier's lowest cap) earn whatever is decided.
            let floorValue = site.loads.reduce(0) { $0 + $1.hull[0].units * ($1.isMiner ? market.minerUSDPerTHHour : 1) } * market.hours
            result.append([
                "hours": market.hours, "constant_usd": floorValue, "base_mw": base, "cap_mw": market.capMW, "floor_mw": market.floorMW,
                "floor_penalty_usd_per_mwh": market.floorPenaltyUSDPerMWh, "shed_penalty_usd_per_mwh": market.shedPenaltyUSDPerMWh,
                "cost_tiers": tiers, "segments": segments,
            ])
        }
        return result
    }

    /// Each deadline: the work required, the work its job's floor does anyway before it, and the
    /// penalty per GPU-hour missing.
    static func deadlineRows(_ backtest: Backtest) -> [[String: Any]] {
        let inputs = backtest.inputs
        return deadlines(backtest).map { c in
            let floor = inputs.site.loads[c.load].hull[0].work * inputs.hours * Double(c.dueIntervals)
            return [
                "name": c.name, "required_gpu_hours": c.workGPUHours, "floor_gpu_hours": floor,
                "penalty_usd_per_gpu_hour": c.penaltyUSDPerGPUHour, "due_intervals": c.dueIntervals,
            ]
        }
    }

    public static func json(_ backtest: Backtest) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["intervals": intervals(backtest), "deadlines": deadlineRows(backtest)])
    }

    /// The hindsight optimum's objective over the run (what the peer must match): every
    /// interval's, less the penalties of the work missing at the deadlines.
    public static func objective(_ backtest: Backtest) -> Double {
        let inputs = backtest.inputs
        let plan = HindsightPlan(backtest)
        var tracker = DeadlineTracker(inputs.deadlines)
        var total = 0.0
        for t in 0..<inputs.count {
            let market = inputs.market(at: t, price: inputs.prices.pricesUSDPerMWh[t])
            let solution = plan.solution(at: t, market: market)
            var entry = LedgerEntry(start: inputs.prices.date(at: t), hours: market.hours, priceUSDPerMWh: 0)
            tracker.record(levels: solution.levels, at: t, loads: inputs.site.loads, into: &entry)
            total += solution.objectiveUSD - entry.deadlinePenaltyUSD
        }
        return total
    }
}

extension FormulationExport {
    /// The same formulation in a compact form for long runs: the segments once (their MW, their
    /// value per MW in TH/s or USD, and whether a TH price applies), then one row per interval.
    /// A segment's value in interval t is `units_per_mw × miner_usd_per_th_hour[t]` for miners and
    /// `units_per_mw` for jobs. scripts/lp_peer.py expands it into the per-interval form.
    public static func compactJSON(_ backtest: Backtest) -> Data {
        let inputs = backtest.inputs
        let site = inputs.site
        var mw: [String] = [], units: [String] = [], miner: [String] = []
        var floorUnitsMiner = 0.0, floorUnitsJob = 0.0
        for load in site.loads {
            if load.isMiner { floorUnitsMiner += load.hull[0].units } else { floorUnitsJob += load.hull[0].units }
            for s in 0..<load.steps {
                mw.append(num(load.hull[s + 1].powerMW - load.hull[s].powerMW))
                units.append(num(load.stepUnitsPerMW[s]))
                miner.append(load.isMiner ? "true" : "false")
            }
        }
        var hours: [String] = [], perTH: [String] = [], cap: [String] = [], floor: [String] = [], upTo: [String] = [], cost: [String] = []
        for t in 0..<inputs.count {
            let m = inputs.market(at: t, price: inputs.prices.pricesUSDPerMWh[t])
            hours.append(num(m.hours)); perTH.append(num(m.minerUSDPerTHHour)); cap.append(num(m.capMW)); floor.append(num(m.floorMW))
            upTo.append("[" + m.tiers.map { $0.upToMW.isFinite ? num($0.upToMW) : "null" }.joined(separator: ",") + "]")
            cost.append("[" + m.tiers.map { num($0.usdPerMWh) }.joined(separator: ",") + "]")
        }
        let base = site.firmMW + site.loads.reduce(0) { $0 + $1.floorMW }
        // Deadlines name their job's segments by index in the segment list.
        var firstSegment: [Int] = []
        var count = 0
        for load in site.loads {
            firstSegment.append(count)
            count += load.steps
        }
        let deadlineText = deadlineRows(backtest).enumerated().map { k, row in
            let c = deadlines(backtest)[k]
            let load = site.loads[c.load]
            let indices = (0..<load.steps).map { String(firstSegment[c.load] + $0) }
            let work = (0..<load.steps).map { num(load.stepWorkPerMW[$0]) }
            return """
                {"required_gpu_hours":\(num(c.workGPUHours)),"floor_gpu_hours":\(num(row["floor_gpu_hours"] as? Double ?? 0)),\
                "penalty_usd_per_gpu_hour":\(num(c.penaltyUSDPerGPUHour)),"due_intervals":\(c.dueIntervals),\
                "segments":[\(indices.joined(separator: ","))],"gpu_hours_per_mwh":[\(work.joined(separator: ","))]}
                """
        }
        let text = """
            {"format":"gridshell-hindsight-compact-1","base_mw":\(num(base)),\
            "floor_units_miner":\(num(floorUnitsMiner)),"floor_units_job":\(num(floorUnitsJob)),\
            "floor_penalty_usd_per_mwh":\(num(IntervalMarket.defaultFloorPenaltyUSDPerMWh)),\
            "shed_penalty_usd_per_mwh":\(num(IntervalMarket.defaultShedPenaltyUSDPerMWh)),\
            "segments":{"mw":[\(mw.joined(separator: ","))],"units_per_mw":[\(units.joined(separator: ","))],"miner":[\(miner.joined(separator: ","))]},\
            "intervals":{"hours":[\(hours.joined(separator: ","))],"miner_usd_per_th_hour":[\(perTH.joined(separator: ","))],\
            "cap_mw":[\(cap.joined(separator: ","))],"floor_mw":[\(floor.joined(separator: ","))],\
            "tier_up_to_mw":[\(upTo.joined(separator: ","))],"tier_usd_per_mwh":[\(cost.joined(separator: ","))]},\
            "deadlines":[\(deadlineText.joined(separator: ","))]}
            """
        return Data(text.utf8)
    }

    /// Shortest text that reads back as the same Double.
    static func num(_ v: Double) -> String { "\(v)" }
}

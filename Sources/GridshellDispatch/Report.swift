import Foundation
import GridshellCore

/// Writes a backtest's results: JSON for programs, CSV ledgers, a self-contained HTML report.
public enum Report {
    public static func json(_ comparison: Comparison) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(comparison)
    }

    /// One line per interval and policy.
    public static func csv(_ runs: [PolicyRun]) -> String {
        var out = "policy,start,hours,price_usd_per_mwh,site_mw,miner_mw,ai_mw,energy_mwh,mining_revenue_usd,ai_revenue_usd,ai_throughput_lost_usd,job_work_gpu_hours,energy_cost_usd,power_credits_usd,grid_credits_usd,four_cp_charge_usd,four_cp_probability,four_cp_avoided_mw,penalties_usd,checkpoint_cost_usd,deadline_penalty_usd,deadlines_met,deadlines_missed,curtailed_share,sla_breach,net_usd\n"
        let iso = ISO8601DateFormatter()
        for run in runs {
            for e in run.entries {
                let fields: [String] = [
                    run.policy, iso.string(from: e.start), f(e.hours), f(e.priceUSDPerMWh), f(e.siteMW), f(e.minerMW), f(e.aiMW),
                    f(e.energyMWh), f(e.miningRevenueUSD), f(e.aiRevenueUSD), f(e.aiThroughputLostUSD), f(e.jobWorkGPUHours), f(e.energyCostUSD),
                    f(e.powerCreditsUSD), f(e.gridCreditsUSD), f(e.fourCPChargeUSD), f(e.fourCP?.probability ?? 0), f(e.fourCP?.avoidedMW ?? 0), f(e.penaltiesUSD), f(e.checkpointCostUSD),
                    f(e.deadlinePenaltyUSD), String(e.deadlinesMet), String(e.deadlinesMissed), f(e.curtailedShare), e.slaBreach ? "1" : "0", f(e.netUSD),
                ]
                out += fields.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func f(_ v: Double) -> String { String(format: "%.4f", v) }

    /// A self-contained HTML page (inline SVG, no scripts) with the comparison and two charts.
    public static func html(_ comparison: Comparison, runs: [PolicyRun], chartPolicy: String) -> String {
        let iso = ISO8601DateFormatter()
        var rows = ""
        for r in comparison.rows {
            rows += "<tr><td>\(escape(r.policy))</td><td>\(money(r.energyMWh, unit: ""))</td><td>\(money(r.revenueUSD))</td><td>\(money(r.energyCostUSD))</td><td>\(money(r.creditsUSD))</td><td>\(money(r.fourCPChargeUSD))</td><td>\(money(r.penaltiesUSD))</td><td><b>\(money(r.netMarginUSD))</b></td><td>\(r.percentOfHindsight.map { String(format: "%.1f %%", $0) } ?? "–")</td><td>\(r.flexibilityCapturedPercent.map { String(format: "%.1f %%", $0) } ?? "–")</td><td>\(String(format: "%.1f", r.curtailedHours))</td><td>\(r.slaBreaches)</td></tr>\n"
        }
        let chosen = runs.first { $0.policy == chartPolicy } ?? runs[0]
        let loadChart = priceAndLoadChart(chosen)
        let marginChart = cumulativeMarginChart(runs)
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Gridshell backtest: \(escape(comparison.site))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
            table{border-collapse:collapse;font-size:14px}td,th{padding:4px 8px;white-space:nowrap;border-bottom:1px solid #ddd;text-align:right}
            td:first-child,th:first-child{text-align:left}h1{font-size:22px}h2{font-size:18px;margin-top:2em}
            .legend span{display:inline-block;margin-right:1.5em}.sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
            </style></head><body>
            <h1>Backtest: \(escape(comparison.site))</h1>
            <p>\(escape(comparison.settlementPoint)), \(iso.string(from: comparison.from)) to \(iso.string(from: comparison.to)), \(comparison.intervals) intervals.</p>
            <h2>Policies</h2>
            <table><tr><th>policy</th><th>MWh</th><th>revenue</th><th>energy cost</th><th>credits</th><th>4CP</th><th>penalties</th><th>net margin</th><th>% of hindsight</th><th>flexibility captured</th><th>curtailed h</th><th>SLA breaches</th></tr>
            \(rows)</table>
            <h2>Power and grid credits by month (\(escape(chosen.policy)))</h2>
            <p>Power credits: fixed-price energy resold at spot while curtailed. Grid credits: demand response and ancillary awards. All-in power cost: energy cost less both credits, per kWh used. 4CP tag avoided: the month's share of next year's transmission tag that curtailing avoided (MW kept off the meter in its known peak interval ÷ 4); times the rate per kW-year, the saving.</p>
            \(monthlyHTML(chosen))
            <h2>Price and site load by class (\(escape(chosen.policy)))</h2>
            \(loadChart)
            <h2>Cumulative net margin</h2>
            \(marginChart)
            </body></html>
            """
    }

    static func money(_ v: Double, unit: String = "$") -> String {
        let a = abs(v)
        let s: String
        if a >= 1e9 { s = String(format: "%.2f B", a / 1e9) } else if a >= 1e6 { s = String(format: "%.2f M", a / 1e6) } else if a >= 1e3 { s = String(format: "%.1f k", a / 1e3) } else { s = String(format: "%.0f", a) }
        return (v < 0 ? "−" : "") + unit + s
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    /// Polyline points for values over a width/height box (downsampled to at most 1,500 points).
    static func path(_ values: [Double], width: Double, height: Double, low: Double, high: Double) -> String {
        guard values.count > 1 else { return "" }
        let stride = max(1, values.count / 1500)
        var pts: [String] = []
        var i = 0
        while i < values.count {
            let x = Double(i) / Double(values.count - 1) * width
            let y = height - (values[i] - low) / max(high - low, 1e-9) * height
            pts.append(String(format: "%.1f,%.1f", x, y))
            i += stride
        }
        return pts.joined(separator: " ")
    }

    static func priceAndLoadChart(_ run: PolicyRun) -> String {
        let w = 1000.0, h = 260.0
        let prices = run.entries.map(\.priceUSDPerMWh)
        let miner = run.entries.map(\.minerMW), ai = run.entries.map(\.aiMW), site = run.entries.map(\.siteMW)
        let pLow = min(prices.min() ?? 0, 0), pHigh = max(prices.max() ?? 1, 1)
        let mHigh = max(site.max() ?? 1, 1)
        return """
            <svg viewBox="-60 -10 \(Int(w) + 120) \(Int(h) + 40)" width="100%" role="img" aria-label="price and load">
            <rect x="0" y="0" width="\(Int(w))" height="\(Int(h))" fill="#fafafa" stroke="#ccc"/>
            <polyline fill="none" stroke="#999" stroke-width="1" points="\(path(prices, width: w, height: h, low: pLow, high: pHigh))"/>
            <polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="\(path(miner, width: w, height: h, low: 0, high: mHigh))"/>
            <polyline fill="none" stroke="#2ca02c" stroke-width="1.2" points="\(path(ai, width: w, height: h, low: 0, high: mHigh))"/>
            <polyline fill="none" stroke="#222" stroke-width="0.8" stroke-dasharray="3,2" points="\(path(site, width: w, height: h, low: 0, high: mHigh))"/>
            <text x="-55" y="10" font-size="11">\(Int(pHigh)) $/MWh</text><text x="-55" y="\(Int(h))" font-size="11">\(Int(pLow))</text>
            <text x="\(Int(w) + 5)" y="10" font-size="11">\(String(format: "%.1f", mHigh)) MW</text><text x="\(Int(w) + 5)" y="\(Int(h))" font-size="11">0 MW</text>
            </svg>
            <p class="legend"><span><i class="sw" style="background:#999"></i>price (left axis)</span><span><i class="sw" style="background:#1f77b4"></i>miners MW</span><span><i class="sw" style="background:#2ca02c"></i>AI MW</span><span><i class="sw" style="background:#222"></i>site MW</span></p>
            """
    }

    static func cumulativeMarginChart(_ runs: [PolicyRun]) -> String {
        let w = 1000.0, h = 260.0
        let series = runs.map { run -> [Double] in
            var sum = 0.0
            return run.entries.map { sum += $0.netUSD; return sum }
        }
        let low = min(series.flatMap { $0 }.min() ?? 0, 0), high = max(series.flatMap { $0 }.max() ?? 1, 1)
        var lines = "", legend = ""
        for (i, run) in runs.enumerated() {
            let c = colours[i % colours.count]
            lines += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"1.5\" points=\"\(path(series[i], width: w, height: h, low: low, high: high))\"/>\n"
            legend += "<span><i class=\"sw\" style=\"background:\(c)\"></i>\(escape(run.policy))</span>"
        }
        return """
            <svg viewBox="-70 -10 \(Int(w) + 80) \(Int(h) + 40)" width="100%" role="img" aria-label="cumulative margin">
            <rect x="0" y="0" width="\(Int(w))" height="\(Int(h))" fill="#fafafa" stroke="#ccc"/>
            \(lines)<text x="-65" y="10" font-size="11">\(money(high))</text><text x="-65" y="\(Int(h))" font-size="11">\(money(low))</text>
            </svg>
            <p class="legend">\(legend)</p>
            """
    }
}

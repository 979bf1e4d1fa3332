import Foundation

/// The planner's files: JSON (the API's answer), CSV (one row per path and year) and a
/// self-contained HTML report whose charts are inline SVG.
public enum PlanReport {
    public static func json(_ result: PlanResult) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(result)
    }

    /// `path,year,operating_usd,growth_capex_usd,sustaining_capex_usd,terminal_usd,net_usd,mc_p5_usd,mc_p50_usd,mc_p95_usd`.
    public static func csv(_ result: PlanResult) -> String {
        var lines = ["path,year,operating_usd,growth_capex_usd,sustaining_capex_usd,terminal_usd,net_usd,mc_p5_usd,mc_p50_usd,mc_p95_usd"]
        for p in result.paths {
            for (y, row) in p.yearly.enumerated() {
                let d = p.monteCarlo.yearlyNetUSD[y]
                let cells = [row.operatingUSD, row.growthCapexUSD, row.sustainingCapexUSD, row.terminalUSD, row.netUSD, d.p5, d.p50, d.p95]
                lines.append("\(p.path),\(row.year)," + cells.map { String(format: "%.2f", $0) }.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func html(_ result: PlanResult) -> String {
        let rows = result.paths.map { p -> String in
            let d = p.monteCarlo.npvUSD
            return "<tr><td>\(esc(p.path))</td><td>\(m(p.npvUSD))</td><td>\(p.irr.map { String(format: "%.1f %%", $0 * 100) } ?? "–")</td><td>\(p.paybackYears.map { String(format: "%.1f", $0) } ?? "–")</td>"
                + "<td>\(String(format: "%.2f", p.valuePerWattCapRate))</td><td>\(String(format: "%.2f", p.valuePerWattDCF))</td><td>\(m(d.p5))</td><td>\(m(d.p50))</td><td>\(m(d.p95))</td>"
                + "<td>\(String(format: "%.1f %%", p.monteCarlo.probabilityNegativeNPV * 100))</td></tr>"
        }.joined(separator: "\n")
        let summaries = result.paths.map { "<li><b>\(esc($0.path))</b>: \(esc($0.summary))</li>" }.joined(separator: "\n")
        let reasons = result.recommendation.reasons.map { "<li>\(esc($0))</li>" }.joined(separator: "\n")
        let assumptions = result.assumptions.map { "<tr><td>\(esc($0.name))</td><td>\(esc($0.value))</td><td>\(esc($0.source))</td></tr>" }.joined(separator: "\n")
        let recommended = result.sensitivity.first { $0.path == result.recommendation.path } ?? result.sensitivity.first
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Gridshell plan: \(esc(result.site))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
            td:first-child,th:first-child{text-align:left}.note{color:#666;font-size:90%}svg{display:block;margin:1em 0}
            </style></head><body>
            <h1>Strategic plan: \(esc(result.site))</h1>
            <p>\(String(format: "%.1f", result.utilityMW)) MW grid connection, \(result.years) years, \(result.simulations) simulations (seed \(result.seed)), Monte Carlo \(String(format: "%.3f", result.monteCarloSeconds)) s.</p>
            <h2>Recommendation: \(esc(result.recommendation.path))</h2>
            <ul>\(reasons)</ul>
            <h2>Paths</h2><ul>\(summaries)</ul>
            <table><tr><th>path</th><th>NPV (base)</th><th>IRR</th><th>payback, years</th><th>USD/W cap rate</th><th>USD/W DCF</th><th>NPV P5</th><th>NPV P50</th><th>NPV P95</th><th>P(NPV&lt;0)</th></tr>
            \(rows)
            </table>
            <p class="note">USD amounts in millions. Value per watt is per watt of the site's grid connection.</p>
            <h2>Yearly net cash flow (base case, M$)</h2>
            \(PlanCharts.yearlyBars(result))
            <h2>NPV across simulations (P5, P50, P95, M$)</h2>
            \(PlanCharts.npvRanges(result))
            <h2>Sensitivity\(recommended.map { ": \(esc($0.path)) NPV, M$" } ?? "")</h2>
            \(recommended.map(PlanCharts.tornado) ?? "")
            <h2>Assumptions</h2>
            <table><tr><th>assumption</th><th>value</th><th>source</th></tr>
            \(assumptions)
            </table>
            <p class="note">Model and sources: docs/PLANNER.md.</p>
            </body></html>

            """
    }

    static func m(_ usd: Double) -> String { String(format: "%.1f", usd / 1e6) }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

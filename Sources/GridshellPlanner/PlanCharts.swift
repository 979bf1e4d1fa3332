import Foundation

/// The report's charts as inline SVG: nothing to load, nothing to trust.
enum PlanCharts {
    static let colours = ["mine": "#e69f00", "lease": "#0072b2", "cloud": "#009e73", "hybrid": "#cc79a7"]
    static let width = 900.0

    static func colour(_ path: String) -> String { colours[path] ?? "#555" }

    /// Axis ticks spanning `low...high`, about five of them.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let span = max(high - low, 1e-9)
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        // From the step at or below `low` to the step at or above `high`, so nothing is cut off.
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        return stride(from: first, through: max(last, first + 1), by: 1).map { $0 * step }
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Grouped bars: each year, one bar per path.
    static func yearlyBars(_ result: PlanResult) -> String {
        let height = 320.0, left = 70.0, right = 20.0, top = 20.0, bottom = 40.0
        let values: [Double] = result.paths.flatMap { p -> [Double] in p.yearly.map { $0.netUSD / 1e6 } }
        let low = min(values.min() ?? 0, 0), high = max(values.max() ?? 1, 0)
        let axis = ticks(low, high)
        let lo = axis.first ?? low, hi = axis.last ?? high
        let y = { (v: Double) in top + (hi - v) / max(hi - lo, 1e-9) * (height - top - bottom) }
        let years = max(result.years, 1)
        let slot = (width - left - right) / Double(years)
        let bar = slot * 0.8 / Double(max(result.paths.count, 1))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"yearly net cash flow per path\">"
        for t in axis {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(t)))\" y2=\"\(f(y(t)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(t) + 4))\" font-size=\"11\" text-anchor=\"end\">\(String(format: "%g", t))</text>"
        }
        for (k, p) in result.paths.enumerated() {
            for (i, row) in p.yearly.enumerated() {
                let v = row.netUSD / 1e6
                let x = left + Double(i) * slot + slot * 0.1 + Double(k) * bar
                let y0 = y(max(v, 0)), y1 = y(min(v, 0))
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y0))\" width=\"\(f(bar))\" height=\"\(f(max(y1 - y0, 0.5)))\" fill=\"\(colour(p.path))\"><title>\(p.path) year \(row.year): \(String(format: "%.2f", v)) M$</title></rect>"
            }
        }
        for i in 0..<years where years <= 20 || i % 5 == 4 {
            svg += "<text x=\"\(f(left + (Double(i) + 0.5) * slot))\" y=\"\(f(height - bottom + 16))\" font-size=\"11\" text-anchor=\"middle\">\(i + 1)</text>"
        }
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(0)))\" y2=\"\(f(y(0)))\" stroke=\"#333\"/>"
        svg += legend(result.paths.map(\.path), x: left, y: height - 8)
        return svg + "</svg>"
    }

    /// One horizontal range per path: P5 to P95 with the P50 marked.
    static func npvRanges(_ result: PlanResult) -> String {
        let row = 36.0, left = 90.0, right = 30.0, top = 10.0
        let height = top + Double(result.paths.count) * row + 30
        let values: [Double] = result.paths.flatMap { p -> [Double] in [p.monteCarlo.npvUSD.p5 / 1e6, p.monteCarlo.npvUSD.p95 / 1e6] } + [0]
        let axis = ticks(values.min() ?? 0, values.max() ?? 1)
        let lo = axis.first ?? 0, hi = axis.last ?? 1
        let x = { (v: Double) in left + (v - lo) / max(hi - lo, 1e-9) * (width - left - right) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"NPV distribution per path\">"
        for t in axis {
            svg += "<line x1=\"\(f(x(t)))\" x2=\"\(f(x(t)))\" y1=\"\(f(top))\" y2=\"\(f(height - 24))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(x(t)))\" y=\"\(f(height - 8))\" font-size=\"11\" text-anchor=\"middle\">\(String(format: "%g", t))</text>"
        }
        svg += "<line x1=\"\(f(x(0)))\" x2=\"\(f(x(0)))\" y1=\"\(f(top))\" y2=\"\(f(height - 24))\" stroke=\"#333\"/>"
        for (k, p) in result.paths.enumerated() {
            let d = p.monteCarlo.npvUSD
            let cy = top + (Double(k) + 0.5) * row
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(cy + 4))\" font-size=\"12\" text-anchor=\"end\">\(p.path)</text>"
            svg += "<rect x=\"\(f(x(d.p5 / 1e6)))\" y=\"\(f(cy - 8))\" width=\"\(f(max(x(d.p95 / 1e6) - x(d.p5 / 1e6), 1)))\" height=\"16\" fill=\"\(colour(p.path))\" opacity=\"0.6\"><title>\(p.path): P5 \(String(format: "%.1f", d.p5 / 1e6)), P95 \(String(format: "%.1f", d.p95 / 1e6)) M$</title></rect>"
            svg += "<line x1=\"\(f(x(d.p50 / 1e6)))\" x2=\"\(f(x(d.p50 / 1e6)))\" y1=\"\(f(cy - 11))\" y2=\"\(f(cy + 11))\" stroke=\"#000\" stroke-width=\"2\"><title>P50 \(String(format: "%.1f", d.p50 / 1e6)) M$</title></line>"
        }
        return svg + "</svg>"
    }

    /// The ranking as a tornado around the base NPV, the ten largest swings.
    static func tornado(_ ranking: SensitivityRanking) -> String {
        let entries = Array(ranking.inputs.prefix(10))
        let row = 26.0, left = 200.0, right = 30.0, top = 10.0
        let height = top + Double(max(entries.count, 1)) * row + 48
        let base = ranking.baseNPVUSD / 1e6
        let values: [Double] = entries.flatMap { e -> [Double] in [e.npvLowUSD / 1e6, e.npvHighUSD / 1e6] } + [base]
        let axis = ticks(values.min() ?? 0, values.max() ?? 1)
        let lo = axis.first ?? 0, hi = axis.last ?? 1
        let x = { (v: Double) in left + (v - lo) / max(hi - lo, 1e-9) * (width - left - right) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"sensitivity tornado\">"
        for t in axis {
            svg += "<text x=\"\(f(x(t)))\" y=\"\(f(height - 26))\" font-size=\"11\" text-anchor=\"middle\">\(String(format: "%g", t))</text>"
        }
        for (k, e) in entries.enumerated() {
            let cy = top + (Double(k) + 0.5) * row
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(cy + 4))\" font-size=\"12\" text-anchor=\"end\">\(PlanReport.esc(e.input))</text>"
            for (v, label, fill) in [(e.npvLowUSD / 1e6, e.low, "#d55e00"), (e.npvHighUSD / 1e6, e.high, "#0072b2")] {
                let a = min(x(v), x(base)), b = max(x(v), x(base))
                svg += "<rect x=\"\(f(a))\" y=\"\(f(cy - 9))\" width=\"\(f(max(b - a, 1)))\" height=\"18\" fill=\"\(fill)\" opacity=\"0.75\"><title>\(PlanReport.esc(e.input)) \(PlanReport.esc(label)): \(String(format: "%.1f", v)) M$</title></rect>"
            }
        }
        svg += "<line x1=\"\(f(x(base)))\" x2=\"\(f(x(base)))\" y1=\"\(f(top))\" y2=\"\(f(height - 40))\" stroke=\"#000\"/>"
        svg += legend(["input low", "input high"], x: left, y: height - 4, fills: ["#d55e00", "#0072b2"])
        return svg + "</svg>"
    }

    static func legend(_ names: [String], x: Double, y: Double, fills: [String]? = nil) -> String {
        var svg = ""
        for (i, name) in names.enumerated() {
            let lx = x + Double(i) * 90
            svg += "<rect x=\"\(f(lx))\" y=\"\(f(y - 9))\" width=\"10\" height=\"10\" fill=\"\(fills?[i] ?? colour(name))\"/>"
            svg += "<text x=\"\(f(lx + 14))\" y=\"\(f(y))\" font-size=\"11\">\(PlanReport.esc(name))</text>"
        }
        return svg
    }
}

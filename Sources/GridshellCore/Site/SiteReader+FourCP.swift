import Foundation
import Yams

extension SiteReader {
    /// `grid_programs.four_cp`: the peak-risk signal and the season it applies to.
    func readFourCP(_ node: Node) -> FourCPSettings? {
        let path = "grid_programs.four_cp"
        guard let m = fields.entries(node, path: path, allowed: [
            "signal", "source", "url", "path", "format", "rows", "time_field", "value_field", "headers", "every_seconds",
            "stale_after_minutes", "months", "start_hour", "end_hour", "low_ratio", "high_ratio", "reference_peak_mw",
        ]) else { return nil }
        var s = FourCPSettings()
        guard let signal = fields.choice(m, "signal", path: path, parent: node, required: true, options: FourCPSettings.Signal.allCases.map { ($0.rawValue, $0) })
        else { return nil }
        s.signal = signal
        let needsSource = signal != .price
        if let source = fields.choice(m, "source", path: path, parent: node, required: needsSource, options: FourCPSettings.Source.allCases.map { ($0.rawValue, $0) }) {
            s.source = source
        }
        s.url = fields.string(m, "url", path: path, parent: node, required: needsSource && s.source == .http)
        if let url = s.url { checkURL(url, key: "\(path).url", node: m["url"]) }
        s.path = fields.string(m, "path", path: path, parent: node, required: needsSource && s.source == .file)
        s.format = fields.choice(m, "format", path: path, parent: node, required: false, options: PriceFeedSettings.Format.allCases.map { ($0.rawValue, $0) }) ?? s.format
        s.rowsPath = fields.string(m, "rows", path: path, parent: node, required: false) ?? ""
        s.timeField = fields.string(m, "time_field", path: path, parent: node, required: false) ?? s.timeField
        s.valueField = fields.string(m, "value_field", path: path, parent: node, required: false) ?? s.valueField
        if let h = m["headers"] { s.headers = readHeaders(h, path: "\(path).headers") }
        s.everySeconds = fields.number(m, "every_seconds", path: path, parent: node, required: false, range: 0.05...86_400, unit: " s") ?? s.everySeconds
        s.staleAfterMinutes = fields.number(m, "stale_after_minutes", path: path, parent: node, required: false, range: 1...10_080) ?? s.staleAfterMinutes
        if m["months"] != nil {
            var months: Set<Int> = []
            for (i, item) in fields.list(m, "months", path: path, parent: node, required: false).enumerated() {
                guard let text = item.scalar?.string, let month = Int(text), (1...12).contains(month) else {
                    fields.report(item, "\(path).months[\(i)]", "expected a month from 1 to 12, found \(fields.describe(item))")
                    continue
                }
                months.insert(month)
            }
            s.months = months
        }
        s.startHour = fields.integer(m, "start_hour", path: path, parent: node, required: false, range: 0...23) ?? s.startHour
        s.endHour = fields.integer(m, "end_hour", path: path, parent: node, required: false, range: 1...24) ?? s.endHour
        if s.endHour <= s.startHour {
            fields.report(m["end_hour"] ?? node, "\(path).end_hour", "must be after start_hour (\(s.startHour)); found \(s.endHour)")
        }
        s.lowRatio = fields.number(m, "low_ratio", path: path, parent: node, required: false, range: 0...2) ?? s.lowRatio
        s.highRatio = fields.number(m, "high_ratio", path: path, parent: node, required: false, range: 0...2) ?? s.highRatio
        if s.highRatio <= s.lowRatio {
            fields.report(m["high_ratio"] ?? node, "\(path).high_ratio", "must be above low_ratio (\(s.lowRatio)); found \(s.highRatio)")
        }
        s.referencePeakMW = fields.number(m, "reference_peak_mw", path: path, parent: node, required: false, range: 1...1_000_000, unit: " MW")
        return s
    }
}

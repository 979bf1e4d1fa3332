import Foundation

/// How the site sees a 4CP peak coming: the `grid_programs.four_cp` section of the site file.
///
/// ERCOT bills transmission on a tag: the site's mean demand in the four 15-minute intervals of
/// highest system demand, one in each of June to September (FACTS.md §4). A signal gives, for an
/// interval, the chance that it sets its month's peak; the dispatcher weighs that chance times
/// the tag's price against the margin each load would earn, so a window opens only where the
/// expected saving beats what curtailing gives up.
public struct FourCPSettings: Sendable, Equatable {
    public enum Signal: String, Sendable, Equatable, CaseIterable {
        /// No feed: the price peak in the peak hours stands in for demand (the backtest's proxy).
        case price
        /// System load, actual or forecast, MW: the chance grows as it nears the month's peak.
        case load
        /// A peak probability (0–1, or a percentage) from a forecast service.
        case probability
    }

    public enum Source: String, Sendable, Equatable, CaseIterable {
        /// An HTTP endpoint polled at `everySeconds`, answering CSV or JSON rows.
        case http
        /// A CSV or JSON file of rows, read again when it changes (also what a backtest reads).
        case file
        /// Values an operator gives through the API.
        case manual
    }

    public var signal: Signal
    public var source: Source
    public var url: String?
    public var path: String?
    public var format: PriceFeedSettings.Format
    /// JSON only: dotted path to the rows.
    public var rowsPath: String
    public var timeField: String
    public var valueField: String
    public var headers: [String: String]
    public var everySeconds: Double
    /// A value is used for intervals up to this long after the time it is for.
    public var staleAfterMinutes: Double
    /// Months (1–12) whose peaks set the tag.
    public var months: Set<Int>
    /// Hours (Central time, [start, end)) in which a window may open.
    public var startHour: Int
    public var endHour: Int
    /// Load signal: below this share of the month's peak the chance is nil; at `highRatio` or
    /// above it is certain; linear between.
    public var lowRatio: Double
    public var highRatio: Double
    /// Load signal: the peak to measure against before the month has seen one as high (last
    /// year's 4CP, say), MW.
    public var referencePeakMW: Double?

    public init(
        signal: Signal = .price, source: Source = .file, url: String? = nil, path: String? = nil, format: PriceFeedSettings.Format = .csv,
        rowsPath: String = "", timeField: String = "interval_start", valueField: String = "value", headers: [String: String] = [:],
        everySeconds: Double = 300, staleAfterMinutes: Double = 90, months: Set<Int> = [6, 7, 8, 9], startHour: Int = 14, endHour: Int = 19,
        lowRatio: Double = 0.95, highRatio: Double = 1.0, referencePeakMW: Double? = nil
    ) {
        self.signal = signal
        self.source = source
        self.url = url
        self.path = path
        self.format = format
        self.rowsPath = rowsPath
        self.timeField = timeField
        self.valueField = valueField
        self.headers = headers
        self.everySeconds = everySeconds
        self.staleAfterMinutes = staleAfterMinutes
        self.months = months
        self.startHour = startHour
        self.endHour = endHour
        self.lowRatio = lowRatio
        self.highRatio = highRatio
        self.referencePeakMW = referencePeakMW
    }

    /// The rows settings a feed reader needs (the value stands where a price would).
    public var rows: PriceFeedSettings {
        PriceFeedSettings(
            source: .http, path: path, url: url, format: format, rowsPath: rowsPath, timeField: timeField, priceField: valueField,
            headers: headers, everySeconds: everySeconds, staleAfterMinutes: staleAfterMinutes)
    }
}

/// Turns a peak-risk signal into the chance that an interval sets its month's 4CP peak. A value
/// type: the controller and the backtest feed it readings in time order.
public struct PeakRiskModel: Sendable, Equatable {
    public let settings: FourCPSettings
    /// "year-month" → highest load seen (load signal).
    public private(set) var monthPeakMW: [String: Double] = [:]
    private let calendar: Calendar

    public init(settings: FourCPSettings) {
        self.settings = settings
        self.calendar = .ercot
    }

    public static func == (a: Self, b: Self) -> Bool { a.settings == b.settings && a.monthPeakMW == b.monthPeakMW }

    /// Whether a window may open at `time`: a 4CP month, a weekday, inside the peak hours.
    public func inSeason(_ time: Date) -> Bool {
        let c = calendar.dateComponents([.month, .hour, .weekday], from: time)
        guard let month = c.month, let hour = c.hour, let weekday = c.weekday else { return false }
        return settings.months.contains(month) && (2...6).contains(weekday) && hour >= settings.startHour && hour < settings.endHour
    }

    func monthKey(_ time: Date) -> String {
        let c = calendar.dateComponents([.year, .month], from: time)
        return "\(c.year ?? 0)-\(c.month ?? 0)"
    }

    /// Records a load reading (actual load raises the month's peak; call it for actuals only).
    public mutating func observeLoad(_ mw: Double, at time: Date) {
        guard mw.isFinite, mw > 0 else { return }
        let key = monthKey(time)
        monthPeakMW[key] = max(monthPeakMW[key] ?? 0, mw)
    }

    /// The chance, 0–1, that the interval at `time` sets its month's peak given the signal's
    /// `value` for it; 0 out of season.
    public func probability(value: Double, at time: Date) -> Double {
        guard inSeason(time), value.isFinite else { return 0 }
        switch settings.signal {
        case .price:
            return 0
        case .probability:
            // A percentage is accepted as well as a share.
            let p = value > 1 ? value / 100 : value
            return min(max(p, 0), 1)
        case .load:
            let peak = max(monthPeakMW[monthKey(time)] ?? 0, settings.referencePeakMW ?? 0)
            guard peak > 0 else { return 0 }
            let ratio = value / peak
            let span = settings.highRatio - settings.lowRatio
            guard span > 0 else { return ratio >= settings.highRatio ? 1 : 0 }
            return min(max((ratio - settings.lowRatio) / span, 0), 1)
        }
    }

    /// One probability per interval of a grid starting at `start`, `intervalSeconds` apart, from
    /// time-stamped signal values (a backtest's file): each interval takes the newest value at or
    /// before its start, if not stale; a load signal counts each value into its month's peak as
    /// it passes. Also returns the intervals of the grid that hold a season month's highest load
    /// in the whole file (load only): the peaks the tag is set on.
    public static func series(
        settings: FourCPSettings, values: [(time: Date, value: Double)], start: Date, intervalSeconds: Double, count: Int
    ) -> (probabilities: [Double], peaks: Set<Int>) {
        var model = PeakRiskModel(settings: settings)
        let sorted = values.sorted { $0.time < $1.time }
        var result = [Double](repeating: 0, count: count)
        var j = 0
        var current: (time: Date, value: Double)?
        for t in 0..<count {
            let time = start.addingTimeInterval(Double(t) * intervalSeconds)
            while j < sorted.count, sorted[j].time <= time {
                // Readings between two intervals still count into the month's peak.
                if let c = current, settings.signal == .load { model.observeLoad(c.value, at: c.time) }
                current = sorted[j]
                j += 1
            }
            guard let c = current, time.timeIntervalSince(c.time) <= settings.staleAfterMinutes * 60 else { continue }
            // Measured against the peak before this reading: its own load is what is forecast.
            result[t] = model.probability(value: c.value, at: time)
        }
        var peaks = Set<Int>()
        if settings.signal == .load {
            var best: [String: (time: Date, value: Double)] = [:]
            for r in sorted where settings.months.contains(model.calendar.component(.month, from: r.time)) {
                let key = model.monthKey(r.time)
                if best[key] == nil || r.value > best[key]!.value { best[key] = r }
            }
            for r in best.values {
                let t = Int((r.time.timeIntervalSince(start) / intervalSeconds).rounded(.down))
                if (0..<count).contains(t) { peaks.insert(t) }
            }
        }
        return (result, peaks)
    }
}

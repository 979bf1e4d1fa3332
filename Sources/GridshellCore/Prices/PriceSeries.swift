import Foundation

/// One settlement point's electricity prices on a regular UTC grid.
///
/// Interval `i` covers `[date(at: i), date(at: i) + intervalSeconds)`; there are no holes (a
/// reader that produces a `PriceSeries` has already refused files with missing intervals), and
/// DST is gone: the grid is in UTC, so the spring day simply has 23 hours and the autumn day 25.
public struct PriceSeries: Sendable, Equatable, Codable {
    /// The settlement point as the source spells it, e.g. `HB_WEST`.
    public var settlementPoint: String
    /// The UTC instant the first interval starts.
    public var start: Date
    /// Length of every interval: 900 for ERCOT real-time, 3600 for day-ahead.
    public var intervalSeconds: Int
    /// One price per interval, USD/MWh (may be negative).
    public var pricesUSDPerMWh: [Double]

    /// - Precondition: `intervalSeconds > 0`.
    public init(settlementPoint: String, start: Date, intervalSeconds: Int, pricesUSDPerMWh: [Double]) {
        precondition(intervalSeconds > 0, "PriceSeries.intervalSeconds must be positive")
        self.settlementPoint = settlementPoint
        self.start = start
        self.intervalSeconds = intervalSeconds
        self.pricesUSDPerMWh = pricesUSDPerMWh
    }

    /// Number of intervals.
    public var count: Int { pricesUSDPerMWh.count }

    /// Whether there are no intervals.
    public var isEmpty: Bool { pricesUSDPerMWh.isEmpty }

    /// The length of one interval in hours (0.25 for 15-minute data): MWh per MW per interval.
    public var intervalHours: Double { Double(intervalSeconds) / 3600 }

    /// The instant just after the last interval (`start` when empty).
    public var end: Date { date(at: count) }

    /// The UTC start of interval `index`. Indexes outside `0..<count` extrapolate on the grid.
    public func date(at index: Int) -> Date {
        start.addingTimeInterval(Double(index) * Double(intervalSeconds))
    }

    /// The index of the interval containing `date`, or nil when the date is outside the series.
    public func index(containing date: Date) -> Int? {
        let offset = date.timeIntervalSince(start)
        guard offset >= 0, offset < Double(count) * Double(intervalSeconds) else { return nil }
        let i = Int((offset / Double(intervalSeconds)).rounded(.down))
        return i < count ? i : nil
    }

    // MARK: Summary statistics

    /// Arithmetic mean over intervals (time-weighted, since intervals are equal); nil when empty.
    public var mean: Double? {
        isEmpty ? nil : pricesUSDPerMWh.reduce(0, +) / Double(count)
    }

    /// Highest price; nil when empty.
    public var max: Double? { pricesUSDPerMWh.max() }

    /// Lowest price; nil when empty.
    public var min: Double? { pricesUSDPerMWh.min() }

    // MARK: Reshaping

    /// The intervals that start in the half-open range `[from, to)`; nil bounds are open.
    ///
    /// The result keeps the grid: its `start` is the first kept interval's start. When nothing is
    /// kept the result is empty and starts at the first grid point at or after `from` (clamped to
    /// the series).
    public func slice(from: Date? = nil, to: Date? = nil) -> PriceSeries {
        let step = Double(intervalSeconds)
        func firstIndex(atOrAfter date: Date) -> Int {
            let raw = (date.timeIntervalSince(start) / step).rounded(.up)
            if !(raw > 0) { return 0 }  // also NaN
            if raw >= Double(count) { return count }
            return Int(raw)
        }
        let lo = from.map(firstIndex(atOrAfter:)) ?? 0
        let hi = Swift.max(lo, to.map(firstIndex(atOrAfter:)) ?? count)
        return PriceSeries(
            settlementPoint: settlementPoint, start: date(at: lo), intervalSeconds: intervalSeconds,
            pricesUSDPerMWh: Array(pricesUSDPerMWh[lo..<hi]))
    }

    /// The same prices on another interval length.
    ///
    /// Each new interval gets the time-weighted mean of the old intervals it overlaps: going finer
    /// (hourly → 15-minute) repeats each price, going coarser (15-minute → hourly) averages.
    /// New intervals are aligned to multiples of `seconds` since the Unix epoch (whole UTC hours
    /// for 3600, which are also whole Central-time hours); a new interval only partly covered by
    /// the data (at either end, when the series does not start or end on the new grid) averages the
    /// part that is covered. For ERCOT series, which start at a local midnight and cover whole
    /// hours, there are no partial intervals between 900 and 3600.
    ///
    /// - Precondition: `seconds > 0`.
    public func resampled(toIntervalSeconds seconds: Int) -> PriceSeries {
        precondition(seconds > 0, "resampled(toIntervalSeconds:) needs a positive interval")
        if seconds == intervalSeconds { return self }
        // Work in whole seconds since the epoch; ERCOT grids sit on whole seconds.
        let startSec = Int64(start.timeIntervalSince1970.rounded())
        let step = Int64(intervalSeconds)
        let target = Int64(seconds)
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
        let newStart = floorDiv(startSec, target) * target
        guard !isEmpty else {
            return PriceSeries(
                settlementPoint: settlementPoint, start: Date(timeIntervalSince1970: Double(newStart)),
                intervalSeconds: seconds, pricesUSDPerMWh: [])
        }
        let endSec = startSec + step * Int64(count)
        let newCount = Int(floorDiv(endSec - newStart + target - 1, target))
        var out = [Double](repeating: 0, count: newCount)
        var i = 0  // old interval index
        for j in 0..<newCount {
            let bucketLo = Swift.max(newStart + Int64(j) * target, startSec)
            let bucketHi = Swift.min(newStart + Int64(j + 1) * target, endSec)
            var weighted = 0.0
            var covered: Int64 = 0
            while i < count {
                let lo = startSec + Int64(i) * step
                let hi = lo + step
                let overlap = Swift.min(hi, bucketHi) - Swift.max(lo, bucketLo)
                if overlap > 0 {
                    weighted += pricesUSDPerMWh[i] * Double(overlap)
                    covered += overlap
                }
                if hi <= bucketHi { i += 1 } else { break }
            }
            out[j] = covered > 0 ? weighted / Double(covered) : .nan
        }
        return PriceSeries(
            settlementPoint: settlementPoint, start: Date(timeIntervalSince1970: Double(newStart)),
            intervalSeconds: seconds, pricesUSDPerMWh: out)
    }
}

import Foundation
import GridshellCore

/// An ERCOT settlement-point price file as ERCOT publishes it: each interval's price becomes
/// visible `publishDelay` after the interval ends. The file is read again when it changes on
/// disk (a downloader appends the newest intervals).
public final class ERCOTFilePriceFeed: PriceFeed, @unchecked Sendable {
    public let name: String
    let path: String
    let settlementPoint: String
    let publishDelaySeconds: Double
    /// How far back a fetch reaches.
    let lookbackSeconds: Double
    private let lock = NSLock()
    private var series: PriceSeries?
    private var modified: Date?

    /// `series` is the file already read (a replay); otherwise the file is read on first use.
    public init(path: String, settlementPoint: String, publishDelaySeconds: Double = 0, series: PriceSeries? = nil, lookbackSeconds: Double = 2 * 86_400) {
        self.name = "ercot_file:\((path as NSString).lastPathComponent)"
        self.path = path
        self.settlementPoint = settlementPoint
        self.publishDelaySeconds = publishDelaySeconds
        self.lookbackSeconds = lookbackSeconds
        self.series = series
        self.modified = series == nil ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
    }

    public func fetch(siteNow: Date) async throws(FeedError) -> [PricePoint] {
        let series = try current()
        var points: [PricePoint] = []
        let first = series.index(containing: siteNow.addingTimeInterval(-lookbackSeconds)) ?? 0
        var i = max(0, first)
        while i < series.count, series.date(at: i + 1).addingTimeInterval(publishDelaySeconds) <= siteNow {
            points.append(PricePoint(intervalStart: series.date(at: i), usdPerMWh: series.pricesUSDPerMWh[i]))
            i += 1
        }
        return points
    }

    private func current() throws(FeedError) -> PriceSeries {
        let stamp = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
        lock.lock()
        defer { lock.unlock() }
        if let series, stamp == nil || stamp == modified { return series }
        guard FileManager.default.isReadableFile(atPath: path) else { throw FeedError(feed: name, "cannot read \(path)") }
        do {
            let read = try ERCOTPriceFile.read(path: path, settlementPoint: settlementPoint)
            series = read
            modified = stamp
            return read
        } catch {
            // A file caught half-written keeps the last good read.
            if let series { return series }
            throw FeedError(feed: name, "\(error)")
        }
    }
}

/// Prices from an HTTP endpoint, polled by the caller at the site file's rate.
public struct HTTPPriceFeed: PriceFeed {
    public let name: String
    let url: String
    let rows: PriceRows
    let http: FeedHTTP

    public init(settings: PriceFeedSettings, settlementPoint: String, timeoutSeconds: Double = 10) {
        let url = settings.url ?? ""
        self.name = "http:\(url)"
        self.url = url
        self.rows = PriceRows(settings: settings, settlementPoint: settlementPoint, feed: "http:\(url)")
        self.http = FeedHTTP(timeoutSeconds: timeoutSeconds, headers: settings.headers)
    }

    public func fetch(siteNow: Date) async throws(FeedError) -> [PricePoint] {
        let data = try await http.get(url, feed: name)
        let points = try rows.parse(data)
        guard !points.isEmpty else {
            throw FeedError(feed: name, "the answer has no price for \(rows.settlementPoint)")
        }
        return points
    }
}

/// A price an operator gives: it holds for every interval from when it is set until it is
/// changed.
public actor ManualPriceFeed: PriceFeed {
    public nonisolated let name = "manual"
    let intervalSeconds: Int
    private var value: Double?

    public init(usdPerMWh: Double?, intervalSeconds: Int) {
        self.value = usdPerMWh
        self.intervalSeconds = intervalSeconds
    }

    public func set(_ usdPerMWh: Double) { value = usdPerMWh }
    public var current: Double? { value }

    public func fetch(siteNow: Date) async throws(FeedError) -> [PricePoint] {
        guard let value else { throw FeedError(feed: name, "no price has been set") }
        let s = Double(intervalSeconds)
        let start = Date(timeIntervalSince1970: (siteNow.timeIntervalSince1970 / s).rounded(.down) * s)
        // The interval under way and the one before it, so a decision always sees a price.
        return [PricePoint(intervalStart: start.addingTimeInterval(-s), usdPerMWh: value), PricePoint(intervalStart: start, usdPerMWh: value)]
    }
}

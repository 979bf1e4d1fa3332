import Foundation
import GridshellCore

/// One value of a 4CP peak-risk signal: system load in MW, or a peak probability, for the
/// interval starting at `time`.
public struct PeakRiskReading: Sendable, Equatable, Codable {
    public var time: Date
    public var value: Double

    public init(time: Date, value: Double) {
        self.time = time
        self.value = value
    }
}

/// A 4CP peak-risk signal from somewhere: a forecast service, a load feed, an operator.
public protocol PeakRiskFeed: Sendable {
    var name: String { get }
    /// The readings the source has now (actuals and forecasts alike).
    func fetch(siteNow: Date) async throws(FeedError) -> [PeakRiskReading]
}

extension FourCPSettings {
    /// Reads rows of this signal (CSV or JSON, by the configured fields), each value checked
    /// against what the signal can be.
    public func rowsReader(feed: String) -> PriceRows {
        switch signal {
        case .load: return PriceRows(settings: rows, settlementPoint: "", feed: feed, valueRange: 0...10_000_000, unit: "MW")
        case .probability, .price: return PriceRows(settings: rows, settlementPoint: "", feed: feed, valueRange: 0...100, unit: "(probability, 0–1 or %)")
        }
    }

    /// Reads a signal file's rows (a backtest's, or a file a downloader keeps current).
    public func readFile(_ path: String) throws(FeedError) -> [PeakRiskReading] {
        let name = "four_cp:\((path as NSString).lastPathComponent)"
        guard let data = FileManager.default.contents(atPath: path) else { throw FeedError(feed: name, "cannot read \(path)") }
        let points = try rowsReader(feed: name).parse(data)
        guard !points.isEmpty else { throw FeedError(feed: name, "\(path) has no rows") }
        return points.map { PeakRiskReading(time: $0.intervalStart, value: $0.usdPerMWh) }
    }
}

/// Peak risk from an HTTP endpoint polled at the site file's rate.
public struct HTTPPeakRiskFeed: PeakRiskFeed {
    public let name: String
    let url: String
    let rows: PriceRows
    let http: FeedHTTP

    public init(settings: FourCPSettings, timeoutSeconds: Double = 10) {
        let url = settings.url ?? ""
        self.name = "http:\(url)"
        self.url = url
        self.rows = settings.rowsReader(feed: "four_cp http:\(url)")
        self.http = FeedHTTP(timeoutSeconds: timeoutSeconds, headers: settings.headers)
    }

    public func fetch(siteNow: Date) async throws(FeedError) -> [PeakRiskReading] {
        let points = try rows.parse(try await http.get(url, feed: name))
        guard !points.isEmpty else { throw FeedError(feed: name, "the answer has no rows") }
        return points.map { PeakRiskReading(time: $0.intervalStart, value: $0.usdPerMWh) }
    }
}

/// Peak risk from a file a forecaster or a downloader keeps current; read on every poll.
public struct FilePeakRiskFeed: PeakRiskFeed {
    public let name: String
    let path: String
    let settings: FourCPSettings

    public init(settings: FourCPSettings, path: String) {
        self.name = "file:\((path as NSString).lastPathComponent)"
        self.path = path
        self.settings = settings
    }

    public func fetch(siteNow: Date) async throws(FeedError) -> [PeakRiskReading] {
        try settings.readFile(path)
    }
}

/// A value an operator gives (a utility's 4CP alert read off a phone): it holds from when it
/// is set until it is changed.
public actor ManualPeakRiskFeed: PeakRiskFeed {
    public nonisolated let name = "manual"
    private var reading: PeakRiskReading?

    public init() {}

    public func set(_ value: Double, at time: Date) { reading = PeakRiskReading(time: time, value: value) }

    public func fetch(siteNow: Date) async throws(FeedError) -> [PeakRiskReading] {
        guard let reading else { throw FeedError(feed: name, "no peak risk has been set") }
        // Restated at every poll, so it stays fresh until an operator changes it.
        return [PeakRiskReading(time: max(reading.time, siteNow.addingTimeInterval(-60)), value: reading.value)]
    }
}

import Foundation

/// Where the site's market data comes from, and what it does when a source goes quiet: the
/// `feeds:` section of the site file.
public struct FeedSettings: Sendable, Equatable {
    public var prices: PriceFeedSettings
    public var bitcoin: BitcoinFeedSettings
    /// Decide as if energy cost at least this much while the price feed is stale, USD/MWh. High
    /// enough that mining stops beyond what commitments hold (the award floor, firm AI), low
    /// enough that AI work worth more than it keeps running.
    public var stalePriceUSDPerMWh: Double
    /// While Bitcoin data is stale, mining revenue is taken this much lower (0.2 = 20 %).
    public var staleHashpriceDiscount: Double

    public init(
        prices: PriceFeedSettings = .init(), bitcoin: BitcoinFeedSettings = .init(), stalePriceUSDPerMWh: Double = 1000,
        staleHashpriceDiscount: Double = 0.2
    ) {
        self.prices = prices
        self.bitcoin = bitcoin
        self.stalePriceUSDPerMWh = stalePriceUSDPerMWh
        self.staleHashpriceDiscount = staleHashpriceDiscount
    }
}

/// The energy price feed.
public struct PriceFeedSettings: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable, CaseIterable {
        /// An ERCOT settlement-point price file as ERCOT publishes it (re-read when it changes);
        /// with no path, the file `gridshell serve --prices` replays.
        case ercotFile = "ercot_file"
        /// An HTTP endpoint polled at `everySeconds`, answering CSV or JSON rows.
        case http
        /// A price an operator sets (the site file's `price_usd_per_mwh`, then the API).
        case manual
    }

    public enum Format: String, Sendable, Equatable, CaseIterable {
        case json, csv
    }

    public var source: Source
    public var path: String?
    public var url: String?
    public var format: Format
    /// JSON only: a dotted path to the array of rows (empty: the document is the array).
    public var rowsPath: String
    /// Field (JSON key or CSV column) of the interval's start: ISO 8601 or Unix seconds.
    public var timeField: String
    public var priceField: String
    /// Field naming the settlement point; rows for other points are skipped. Optional.
    public var pointField: String?
    /// Extra request headers (an API key, say).
    public var headers: [String: String]
    public var everySeconds: Double
    /// The feed is stale when its newest price is older than this (minutes of site time).
    public var staleAfterMinutes: Double
    /// A file's price is visible this long after its interval ends (as ERCOT publishes).
    public var publishDelayMinutes: Double
    /// Manual source: the price.
    public var manualUSDPerMWh: Double?

    public init(
        source: Source = .ercotFile, path: String? = nil, url: String? = nil, format: Format = .json, rowsPath: String = "",
        timeField: String = "interval_start", priceField: String = "price", pointField: String? = nil, headers: [String: String] = [:],
        everySeconds: Double = 60, staleAfterMinutes: Double = 45, publishDelayMinutes: Double = 0, manualUSDPerMWh: Double? = nil
    ) {
        self.source = source
        self.path = path
        self.url = url
        self.format = format
        self.rowsPath = rowsPath
        self.timeField = timeField
        self.priceField = priceField
        self.pointField = pointField
        self.headers = headers
        self.everySeconds = everySeconds
        self.staleAfterMinutes = staleAfterMinutes
        self.publishDelayMinutes = publishDelayMinutes
        self.manualUSDPerMWh = manualUSDPerMWh
    }
}

/// The Bitcoin network feed (height, difficulty, fees per block, price) behind hashprice.
public struct BitcoinFeedSettings: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable, CaseIterable {
        /// A daily CSV history; with no path, the one `gridshell serve --btc` names.
        case history
        /// A block explorer's HTTP API in the shape public explorers use (`/api/v1/blocks`,
        /// `/api/v1/prices`).
        case explorer
        /// The site file's `bitcoin:` values, then what an operator sets through the API.
        case manual
    }

    public var source: Source
    public var path: String?
    public var url: String?
    public var everySeconds: Double
    /// Stale when the newest data is older than this (minutes of site time).
    public var staleAfterMinutes: Double

    public init(source: Source = .history, path: String? = nil, url: String? = nil, everySeconds: Double = 300, staleAfterMinutes: Double = 2 * 1440) {
        self.source = source
        self.path = path
        self.url = url
        self.everySeconds = everySeconds
        self.staleAfterMinutes = staleAfterMinutes
    }
}

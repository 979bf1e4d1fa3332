import Foundation
import GridshellCore

/// Network data from the daily CSV history: the day that holds site time.
public struct HistoryBitcoinFeed: BitcoinFeed {
    public let name: String
    let history: BitcoinHistory

    public init(history: BitcoinHistory, path: String) {
        self.history = history
        self.name = "history:\((path as NSString).lastPathComponent)"
    }

    public func fetch(siteNow: Date) async throws(FeedError) -> BitcoinReading {
        guard let day = history.day(containing: siteNow) else {
            throw FeedError(feed: name, "the history has no day \(BitcoinHistory.format(siteNow))")
        }
        let label = BitcoinHistory.format(day.date)
        guard let price = day.priceUSD, let difficulty = day.difficulty else {
            throw FeedError(feed: name, "\(label) has no price or no difficulty")
        }
        guard let fees = day.feesBTC, let blocks = day.blocks, blocks > 0 else { throw FeedError(feed: name, "\(label) has no fees or no block count") }
        return BitcoinReading(
            snapshot: NetworkSnapshot(date: label, priceUSD: price, difficulty: difficulty, height: day.startHeight, feesPerBlockBTC: fees / blocks, source: name),
            asOf: day.date)
    }
}

/// A block explorer's HTTP API in the shape public explorers use: `GET /api/v1/blocks` (the
/// newest blocks, each with `height`, `timestamp`, `difficulty` and `extras.totalFees` in
/// satoshis) and `GET /api/v1/prices` (`{"time": …, "USD": …}`).
public struct ExplorerBitcoinFeed: BitcoinFeed {
    public let name: String
    let base: String
    let http: FeedHTTP

    public init(baseURL: String, timeoutSeconds: Double = 10) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.name = "explorer:\(base)"
        self.http = FeedHTTP(timeoutSeconds: timeoutSeconds, maxBytes: 4 << 20)
    }

    public func fetch(siteNow: Date) async throws(FeedError) -> BitcoinReading {
        let blocksURL = "\(base)/api/v1/blocks", pricesURL = "\(base)/api/v1/prices"
        let blocksData = try await http.get(blocksURL, feed: name)
        let pricesData = try await http.get(pricesURL, feed: name)
        let blocks = try Self.blocks(blocksData, feed: name, url: blocksURL)
        let (price, priceTime) = try Self.price(pricesData, feed: name, url: pricesURL)
        guard let newest = blocks.max(by: { $0.height < $1.height }) else { throw FeedError(feed: name, "\(blocksURL): no blocks") }
        let feeBlocks = blocks.compactMap(\.feesSat)
        guard !feeBlocks.isEmpty else { throw FeedError(feed: name, "\(blocksURL): no block carries extras.totalFees") }
        let feesPerBlock = feeBlocks.reduce(0, +) / Double(feeBlocks.count) / 1e8
        let day = BitcoinHistory.format(priceTime ?? newest.time)
        return BitcoinReading(
            snapshot: NetworkSnapshot(date: day, priceUSD: price, difficulty: newest.difficulty, height: newest.height, feesPerBlockBTC: feesPerBlock, source: name),
            asOf: siteNow)
    }

    struct Block {
        var height: Int
        var time: Date
        var difficulty: Double
        var feesSat: Double?
    }

    static func blocks(_ data: Data, feed: String, url: String) throws(FeedError) -> [Block] {
        guard let list = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw FeedError(feed: feed, "\(url): expected a JSON list of blocks (\(PriceRows.excerpt(data)))")
        }
        var blocks: [Block] = []
        for (i, item) in list.enumerated() {
            guard let b = item as? [String: Any] else { throw FeedError(feed: feed, "\(url): block \(i + 1) is not an object") }
            guard let height = (b["height"] as? NSNumber)?.intValue, height >= 0 else {
                throw FeedError(feed: feed, "\(url): block \(i + 1) has no whole 'height'")
            }
            guard let difficulty = (b["difficulty"] as? NSNumber)?.doubleValue, difficulty >= 1, difficulty.isFinite else {
                throw FeedError(feed: feed, "\(url): block \(height) has no positive 'difficulty'")
            }
            guard let time = (b["timestamp"] as? NSNumber)?.doubleValue else { throw FeedError(feed: feed, "\(url): block \(height) has no 'timestamp'") }
            var fees: Double?
            if let extras = b["extras"] as? [String: Any], let f = extras["totalFees"] {
                guard let n = f as? NSNumber, n.doubleValue >= 0, n.doubleValue < 21e14 else {
                    throw FeedError(feed: feed, "\(url): block \(height): extras.totalFees is '\(f)', not satoshis")
                }
                fees = n.doubleValue
            }
            blocks.append(Block(height: height, time: Date(timeIntervalSince1970: time), difficulty: difficulty, feesSat: fees))
        }
        return blocks
    }

    static func price(_ data: Data, feed: String, url: String) throws(FeedError) -> (Double, Date?) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FeedError(feed: feed, "\(url): expected a JSON object (\(PriceRows.excerpt(data)))")
        }
        guard let usd = (object["USD"] as? NSNumber)?.doubleValue, usd > 0, usd.isFinite else {
            throw FeedError(feed: feed, "\(url): no positive 'USD' price")
        }
        let time = (object["time"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
        return (usd, time)
    }
}

/// Network values an operator gives (first the site file's `bitcoin:` block).
public actor ManualBitcoinFeed: BitcoinFeed {
    public nonisolated let name = "manual"
    private var snapshot: NetworkSnapshot

    public init(snapshot: NetworkSnapshot) { self.snapshot = snapshot }

    public func set(_ snapshot: NetworkSnapshot) { self.snapshot = snapshot }
    public var current: NetworkSnapshot { snapshot }

    public func fetch(siteNow: Date) async throws(FeedError) -> BitcoinReading {
        BitcoinReading(snapshot: snapshot, asOf: siteNow)
    }
}

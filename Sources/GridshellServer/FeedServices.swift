import Foundation
import GridshellCore
import GridshellGrid
import Logging
import ServiceLifecycle

/// A feed as the API, the dashboard and the metrics show it.
public struct FeedStatus: Sendable, Codable, Equatable {
    /// `prices` or `bitcoin`.
    public var feed: String
    /// The source, e.g. `ercot_file:ercot_RTM-2021-02.csv` or `explorer:https://…`.
    public var source: String
    /// `ok`, `stale` (the site runs on its fallback) or `waiting` (nothing received yet).
    public var state: String
    public var stale: Bool
    /// Wall times of the last attempt and the last success.
    public var lastAttempt: Date?
    public var lastSuccess: Date?
    /// Site time the newest value describes (a price's interval end, the network data's time).
    public var newestData: Date?
    /// Site minutes since `newestData`.
    public var ageMinutes: Double?
    public var staleAfterMinutes: Double
    public var lastError: String?
    /// The newest value: USD/MWh for prices, USD per PH/s per day for Bitcoin.
    public var value: Double?
    public var unit: String
    /// What the site does while the feed is stale.
    public var fallback: String
}

/// One feed's record inside the controller.
struct FeedTrack: Sendable {
    var name: String
    var staleAfterSeconds: Double
    var lastAttempt: Date?
    var lastSuccess: Date?
    var newestData: Date?
    var lastError: String?
    var value: Double?

    func isStale(siteNow: Date) -> Bool {
        guard let newestData else { return true }
        return siteNow.timeIntervalSince(newestData) > staleAfterSeconds
    }

    func status(feed: String, siteNow: Date, unit: String, fallback: String) -> FeedStatus {
        let stale = isStale(siteNow: siteNow)
        return FeedStatus(
            feed: feed, source: name, state: newestData == nil ? "waiting" : (stale ? "stale" : "ok"), stale: stale, lastAttempt: lastAttempt,
            lastSuccess: lastSuccess, newestData: newestData, ageMinutes: newestData.map { siteNow.timeIntervalSince($0) / 60 },
            staleAfterMinutes: staleAfterSeconds / 60, lastError: lastError, value: value, unit: unit, fallback: fallback)
    }
}

/// Polls the energy price feed at its rate and hands what it publishes to the controller.
public struct PriceFeedService: Service {
    public let controller: SiteController
    public let feed: any PriceFeed
    public let everySeconds: Double

    public init(controller: SiteController, feed: any PriceFeed, everySeconds: Double) {
        self.controller = controller
        self.feed = feed
        self.everySeconds = everySeconds
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let siteNow = controller.clock.siteTime()
            do {
                let points = try await feed.fetch(siteNow: siteNow)
                await controller.receive(prices: points, from: feed.name)
            } catch {
                await controller.priceFeedFailed(error)
            }
            if !(await pause(everySeconds)) { break }
        }
    }
}

/// Polls the Bitcoin network feed at its rate.
public struct BitcoinFeedService: Service {
    public let controller: SiteController
    public let feed: any BitcoinFeed
    public let everySeconds: Double

    public init(controller: SiteController, feed: any BitcoinFeed, everySeconds: Double) {
        self.controller = controller
        self.feed = feed
        self.everySeconds = everySeconds
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let siteNow = controller.clock.siteTime()
            do {
                let reading = try await feed.fetch(siteNow: siteNow)
                await controller.receive(bitcoin: reading)
            } catch {
                await controller.bitcoinFeedFailed(error)
            }
            if !(await pause(everySeconds)) { break }
        }
    }
}

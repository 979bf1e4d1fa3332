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

    /// The feed answered at `wall`, as `name`.
    mutating func succeeded(name: String, at wall: Date) {
        self.name = name
        lastAttempt = wall
        lastSuccess = wall
        lastError = nil
    }

    /// The feed failed at `wall`; what it had stays.
    mutating func failed(_ error: any Error, at wall: Date) {
        lastAttempt = wall
        lastError = "\(error)"
    }

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

/// Polls one feed at its rate and hands what it brings, or why it brought nothing, to the
/// controller.
public struct FeedService: Service {
    public let everySeconds: Double
    let pollOnce: @Sendable () async -> Void

    /// The energy price feed.
    public static func prices(controller: SiteController, feed: any PriceFeed, everySeconds: Double) -> FeedService {
        FeedService(everySeconds: everySeconds) {
            do {
                let points = try await feed.fetch(siteNow: controller.clock.siteTime())
                await controller.receive(prices: points, from: feed.name)
            } catch {
                await controller.priceFeedFailed(error)
            }
        }
    }

    /// The Bitcoin network feed.
    public static func bitcoin(controller: SiteController, feed: any BitcoinFeed, everySeconds: Double) -> FeedService {
        FeedService(everySeconds: everySeconds) {
            do {
                await controller.receive(bitcoin: try await feed.fetch(siteNow: controller.clock.siteTime()))
            } catch {
                await controller.bitcoinFeedFailed(error)
            }
        }
    }

    /// The 4CP peak-risk signal.
    public static func peakRisk(controller: SiteController, feed: any PeakRiskFeed, everySeconds: Double) -> FeedService {
        FeedService(everySeconds: everySeconds) {
            do {
                let readings = try await feed.fetch(siteNow: controller.clock.siteTime())
                await controller.receive(peakRisk: readings, from: feed.name)
            } catch {
                await controller.peakRiskFeedFailed(error)
            }
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await pollOnce()
            if !(await pause(everySeconds)) { break }
        }
    }
}

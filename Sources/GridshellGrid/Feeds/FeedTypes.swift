import Foundation
import GridshellCore

/// One interval's energy price as a feed gives it.
public struct PricePoint: Sendable, Equatable, Codable {
    /// The UTC start of the interval the price is for.
    public var intervalStart: Date
    public var usdPerMWh: Double

    public init(intervalStart: Date, usdPerMWh: Double) {
        self.intervalStart = intervalStart
        self.usdPerMWh = usdPerMWh
    }
}

/// Bitcoin network data as a feed gives it, and the instant it describes.
public struct BitcoinReading: Sendable, Equatable {
    public var snapshot: NetworkSnapshot
    /// When the data was true (the history's day, the explorer's answer).
    public var asOf: Date

    public init(snapshot: NetworkSnapshot, asOf: Date) {
        self.snapshot = snapshot
        self.asOf = asOf
    }
}

/// Why a feed gave nothing this time, in words that name the feed and what was wrong.
public struct FeedError: Error, Sendable, Equatable, CustomStringConvertible {
    public var feed: String
    public var message: String

    public init(feed: String, _ message: String) {
        self.feed = feed
        self.message = message
    }

    public var description: String { "\(feed): \(message)" }
}

/// Energy prices from somewhere: a file as published, an HTTP endpoint, an operator.
public protocol PriceFeed: Sendable {
    /// How the feed is named in the store, the API and errors, e.g. `http:https://…`.
    var name: String { get }
    /// The prices the feed has published by site time `siteNow` (recent ones; the caller keeps
    /// what it already has).
    func fetch(siteNow: Date) async throws(FeedError) -> [PricePoint]
}

/// Bitcoin network data (height, difficulty, fees per block, price) from somewhere.
public protocol BitcoinFeed: Sendable {
    var name: String { get }
    func fetch(siteNow: Date) async throws(FeedError) -> BitcoinReading
}

import Foundation

/// Site time against wall time. Live, the two are the same; a replay runs history at `speed`
/// site seconds per wall second from `siteStart`. The clock is saved in the store when the run
/// begins, so a restarted controller lands on the same timeline (site time kept moving while it
/// was down, as it does at a real site).
public struct SiteClock: Sendable, Codable, Equatable {
    /// Wall time at which the site time was `siteStart`.
    public var wallStart: Date
    public var siteStart: Date
    /// Site seconds per wall second (1 live; 900 replays a 15-minute interval every second).
    public var speed: Double

    public init(wallStart: Date, siteStart: Date, speed: Double) {
        precondition(speed > 0 && speed.isFinite, "speed must be a positive number")
        self.wallStart = wallStart
        self.siteStart = siteStart
        self.speed = speed
    }

    /// Site time at wall time `wall`.
    public func siteTime(_ wall: Date = Date()) -> Date {
        siteStart.addingTimeInterval(wall.timeIntervalSince(wallStart) * speed)
    }

    /// Wall time at which the site reaches `site`.
    public func wallTime(_ site: Date) -> Date {
        wallStart.addingTimeInterval(site.timeIntervalSince(siteStart) / speed)
    }

    /// Wall seconds one site interval of `seconds` lasts.
    public func wallSeconds(siteSeconds seconds: Double) -> Double { seconds / speed }
}

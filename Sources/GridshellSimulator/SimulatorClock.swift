import Foundation

/// Simulated time: wall time since the start multiplied by a scale factor, so a test can run a
/// five-minute stock ramp in milliseconds.
public struct SimulatorClock: Sendable {
    public let start: Date
    public let scale: Double

    public init(scale: Double = 1, start: Date = Date()) {
        precondition(scale > 0, "a time scale must be positive")
        self.start = start
        self.scale = scale
    }

    /// Simulated seconds since the start.
    public func now(_ wall: Date = Date()) -> Double { wall.timeIntervalSince(start) * scale }
}

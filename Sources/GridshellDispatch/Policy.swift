import Foundation
import GridshellCore

/// The policies every report compares, all run through the same engine.
public enum Policy: Sendable, Equatable, CustomStringConvertible {
    /// Every miner at stock, every job at full power, always.
    case alwaysOn
    /// Foreman/Braiins-style curtailment: a group sleeps once the observed price has been above its
    /// strike for `offAfter` windows and wakes after `onAfter` windows below. A nil strike is each
    /// group's own stock break-even (the automatic per-model strike).
    case strike(usdPerMWh: Double?, offAfter: Int, onAfter: Int)
    /// The economic policy: the exact merit order at a price forecast, per operating point, with
    /// 4CP risk windows, awards, events and flexible AI.
    case gridshell(GridshellSettings)
    /// The optimum with perfect foresight over the same inputs (the yardstick).
    case hindsight

    public var description: String {
        switch self {
        case .alwaysOn: return "always-on"
        case .strike(let s, _, _): return s.map { "strike-\(Int($0))" } ?? "strike"
        case .gridshell: return "gridshell"
        case .hindsight: return "hindsight"
        }
    }

    public static func named(_ name: String) -> Policy? {
        switch name.lowercased() {
        case "always-on", "alwayson": return .alwaysOn
        case "strike": return .strike(usdPerMWh: nil, offAfter: 1, onAfter: 2)
        case "gridshell": return .gridshell(GridshellSettings())
        case "hindsight": return .hindsight
        default:
            if name.lowercased().hasPrefix("strike-"), let v = Double(name.dropFirst(7)) { return .strike(usdPerMWh: v, offAfter: 1, onAfter: 2) }
            return nil
        }
    }

    public var isOnline: Bool { self != .hindsight }
}

/// Knobs of the economic policy.
public struct GridshellSettings: Sendable, Equatable {
    /// Forecast the interval's price from the last real-time price plus the day-ahead shape.
    public var useDayAhead = true
    /// 4CP risk: on weekdays of June to September, local hours from `riskStartHour` to
    /// `riskEndHour`, when the forecast is at least `riskPriceShare` of the month's highest price so
    /// far in that window.
    public var riskStartHour = 14
    public var riskEndHour = 18
    public var riskPriceShare = 0.6
    public init() {}
}

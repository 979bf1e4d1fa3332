import Foundation

/// How the site turns an OpenADR event into a power target: SIMPLE levels 0–3 by a table the
/// site chooses, LOAD_DISPATCH setpoints as the target itself, deltas as baseline − delta,
/// multipliers as baseline × value. ELECTRICITY_PRICE and other signals set no target (the
/// dispatcher reads prices on its own).
public struct DemandResponseTargets: Sendable, Equatable, Codable {
    /// What one SIMPLE level asks of the site.
    public enum LevelTarget: Sendable, Equatable, Codable {
        /// No limit from this level (level 0, normal operation).
        case unrestricted
        /// Site power at most this many MW.
        case megawatts(Double)
        /// Site power at most this fraction of the baseline (0.5 = half).
        case fractionOfBaseline(Double)
        /// Site power at most the baseline less this many MW.
        case reductionMW(Double)
    }

    /// Level 0…3 → target. Levels not in the table set no target.
    public var simpleLevels: [Int: LevelTarget]
    /// The unit LOAD_DISPATCH payloads are in when the VTN sends no itemBase, in MW per unit
    /// (1 = MW, 0.001 = kW).
    public var defaultLoadDispatchMWPerUnit: Double

    public init(simpleLevels: [Int: LevelTarget] = Self.defaultLevels, defaultLoadDispatchMWPerUnit: Double = 1) {
        self.simpleLevels = simpleLevels
        self.defaultLoadDispatchMWPerUnit = defaultLoadDispatchMWPerUnit
    }

    /// 0: normal; 1 (moderate): 75 % of baseline; 2 (high): 50 %; 3 (special): shed to 10 %.
    public static let defaultLevels: [Int: LevelTarget] = [
        0: .unrestricted, 1: .fractionOfBaseline(0.75), 2: .fractionOfBaseline(0.5), 3: .fractionOfBaseline(0.1),
    ]

    /// The site power limit in MW that `event` sets at `date`, or nil when it sets none then (not
    /// in its active period, cancelled, completed, or a signal that is not a power target). With
    /// several target signals the lowest wins. Never below zero.
    public func target(for event: OpenADREvent, baselineMW: Double, at date: Date) -> Double? {
        guard event.status != .cancelled, event.status != .completed, event.activePeriod.contains(date) else { return nil }
        var lowest: Double?
        for signal in event.signals {
            guard let (_, interval) = signal.interval(at: date, eventStart: event.activePeriod.start),
                let target = target(signal: signal, value: interval.value, baselineMW: baselineMW)
            else { continue }
            lowest = min(lowest ?? target, target)
        }
        return lowest.map { max(0, $0) }
    }

    /// The lowest limit among the events the site is in (opted in, not cancelled), or nil.
    public func target(for events: [OpenADRTrackedEvent], baselineMW: Double, at date: Date) -> Double? {
        events.filter(\.isInForce).compactMap { target(for: $0.event, baselineMW: baselineMW, at: date) }.min()
    }

    /// The limit one signal value sets, in MW.
    public func target(signal: OpenADREvent.Signal, value: Double, baselineMW: Double) -> Double? {
        switch (signal.name, signal.kind) {
        case (.simple, _):
            guard value == value.rounded(), let level = simpleLevels[Int(value)] else { return nil }
            switch level {
            case .unrestricted: return nil
            case .megawatts(let mw): return mw
            case .fractionOfBaseline(let f): return baselineMW * f
            case .reductionMW(let mw): return baselineMW - mw
            }
        case (.loadDispatch, .setpoint):
            return value * megawattsPerUnit(signal)
        case (.loadDispatch, .delta):
            return baselineMW - value * megawattsPerUnit(signal)
        case (.loadDispatch, .multiplier):
            return baselineMW * value
        default:
            return nil
        }
    }

    private func megawattsPerUnit(_ signal: OpenADREvent.Signal) -> Double {
        signal.unit?.megawattsPerUnit ?? defaultLoadDispatchMWPerUnit
    }
}

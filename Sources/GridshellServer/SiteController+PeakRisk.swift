import Foundation
import GridshellCore
import GridshellDispatch
import GridshellGrid

/// A 4CP peak-risk signal inside the controller: its readings, the month peaks a load signal
/// has seen, and its freshness.
struct PeakRiskState: Sendable {
    var model: PeakRiskModel
    var track: FeedTrack
    /// Time → value, actuals and forecasts; only the last two days are kept.
    var readings: [Date: Double] = [:]

    init(settings: FourCPSettings, name: String) {
        model = PeakRiskModel(settings: settings)
        track = FeedTrack(name: name, staleAfterSeconds: settings.staleAfterMinutes * 60)
    }

    /// The chance that the interval starting at `start` (of `seconds`) sets a 4CP peak, from the
    /// newest reading for it; nil when the signal has nothing fresh enough for it.
    func probability(intervalStart start: Date, seconds: Double) -> Double? {
        let covering = readings.keys.filter { $0 < start.addingTimeInterval(seconds) }.max()
        guard let time = covering, start.timeIntervalSince(time) <= track.staleAfterSeconds, let value = readings[time] else { return nil }
        return model.probability(value: value, at: start)
    }
}

extension SiteController {
    /// A peak-risk feed answered: its readings are kept, a load signal's actuals raise the
    /// month's peak, and a changed chance for the interval under way replans it.
    public func receive(peakRisk readings: [PeakRiskReading], from name: String, at wall: Date = Date()) {
        guard var state = peakRisk else { return }
        let siteNow = clock.siteTime(wall)
        let before = state.probability(intervalStart: live.prices.date(at: dispatcher.memory.next), seconds: Double(live.intervalSeconds))
        state.track.succeeded(name: name, at: wall)
        for r in readings where r.value.isFinite {
            state.readings[r.time] = r.value
            if r.time <= siteNow, state.model.settings.signal == .load { state.model.observeLoad(r.value, at: r.time) }
        }
        let floor = siteNow.addingTimeInterval(-2 * 86_400)
        state.readings = state.readings.filter { $0.key >= floor }
        // Fresh when a reading covers now or later (a forecast).
        if let newest = state.readings.keys.max() {
            state.track.newestData = max(state.track.newestData ?? newest, newest)
            state.track.value = state.readings[newest]
        }
        peakRisk = state
        let after = state.probability(intervalStart: live.prices.date(at: dispatcher.memory.next), seconds: Double(live.intervalSeconds))
        if before != after, decision != nil, replanFor == nil { replanFor = "4cp" }
    }

    public func peakRiskFeedFailed(_ error: any Error, at wall: Date = Date()) {
        guard peakRisk != nil else { return }
        peakRisk?.track.failed(error, at: wall)
        logger.warning("peak-risk feed failed", metadata: ["gridshell.feed": "\(peakRisk?.track.name ?? "")", "gridshell.error": "\(error)"])
    }

    /// Puts the peak-risk signal into a decision. Stale, it leaves the price proxy to judge the
    /// risk (which opens windows on price peaks in the peak hours): the conservative side.
    func applyPeakRisk(to c: inout OnlineDispatcher.Constraints, at t: Int) -> [String] {
        guard let state = peakRisk else { return [] }
        guard let p = state.probability(intervalStart: live.prices.date(at: t), seconds: Double(live.intervalSeconds)) else {
            return ["Peak-risk feed stale: 4CP risk judged from prices in the peak hours."]
        }
        c.fourCPProbability = p
        guard p > 0 else { return [] }
        return [String(format: "4CP window: %.0f %% chance this interval sets the month's peak (%@).", p * 100, state.model.settings.signal.rawValue)]
    }
}

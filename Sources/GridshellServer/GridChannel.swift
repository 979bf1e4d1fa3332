import Foundation
import GridshellCore
import GridshellGrid
import Logging
import ServiceLifecycle
import Synchronization

/// The site behind the OpenADR VEN: decides whether to take part in an event, turns the events
/// it is in into commitments for the dispatcher, and reads the site for the VTN's reports.
public final class SiteVENDelegate: OpenADRVENDelegate {
    let controller: SiteController
    let settings: OpenADRSettings
    let targets: DemandResponseTargets
    let logger: Logger
    /// The baseline each event's shares are taken of: the site's power when the event arrived.
    private let baselines = Mutex<[String: Double]>([:])

    public init(controller: SiteController, settings: OpenADRSettings, logger: Logger = Logger(label: "gridshell.grid")) {
        self.controller = controller
        self.settings = settings
        var levels: [Int: DemandResponseTargets.LevelTarget] = [0: .unrestricted]
        for (level, target) in settings.simpleLevels {
            switch target {
            case .megawatts(let mw): levels[level] = .megawatts(mw)
            case .fractionOfBaseline(let f): levels[level] = .fractionOfBaseline(f)
            }
        }
        self.targets = DemandResponseTargets(simpleLevels: levels)
        self.logger = logger
    }

    /// The baseline for `event`: the site's power the first time the event was seen.
    func baseline(for event: OpenADREvent) async -> Double {
        if let known = baselines.withLock({ $0[event.id] }) { return known }
        let reading = controller.reading
        let mw = reading?.sitePowerMW ?? controller.live.backtest.inputs.baselineMW
        return baselines.withLock { table in
            if let known = table[event.id] { return known }
            table[event.id] = mw
            return mw
        }
    }

    /// Wall time → site time (a replay runs the VTN's wall-clock events on its own clock).
    func site(_ wall: Date) -> Date { controller.clock.siteTime(wall) }

    /// The pieces of `event` the site must hold: one per signal interval that sets a target.
    func commitments(_ event: OpenADREvent, baselineMW: Double) -> [GridCommitment] {
        var bounds: Set<Date> = [event.activePeriod.start]
        for signal in event.signals {
            var t = event.activePeriod.start
            for interval in signal.intervals {
                t = interval.start ?? t
                bounds.insert(t)
                t = t.addingTimeInterval(interval.duration)
                bounds.insert(t)
            }
        }
        bounds.insert(event.activePeriod.end)
        let sorted = bounds.filter { $0 >= event.activePeriod.start && $0 <= event.activePeriod.end }.sorted()
        var out: [GridCommitment] = []
        for (a, b) in zip(sorted, sorted.dropFirst()) where b > a {
            guard let mw = targets.target(for: event, baselineMW: baselineMW, at: a) else { continue }
            let signals = event.signals.map { "\($0.name.rawValue)" }.joined(separator: "+")
            out.append(GridCommitment(
                id: out.isEmpty ? event.id : "\(event.id)#\(out.count + 1)", kind: "demand-response", start: site(a), end: site(b), targetMW: mw,
                creditUSDPerMWh: settings.creditUSDPerMWh, source: "openadr:\(event.marketContext)",
                detail: "\(signals), modification \(event.modificationNumber), baseline \(String(format: "%.2f", baselineMW)) MW"))
        }
        return out
    }

    public func opt(for event: OpenADREvent) async -> OpenADROpt {
        let baseline = await baseline(for: event)
        let pieces = commitments(event, baselineMW: baseline)
        guard let lowest = pieces.map(\.targetMW).min() else {
            // A price or an unrestricted level: nothing to hold, nothing to lose.
            return .optIn
        }
        if controller.canHold(lowest) {
            logger.notice("opting in", metadata: ["gridshell.event": "\(event.id)", "gridshell.target_mw": "\(lowest)"])
            return .optIn
        }
        logger.warning(
            "opting out: the target is under the firm AI load, which is shed only in an emergency",
            metadata: ["gridshell.event": "\(event.id)", "gridshell.target_mw": "\(lowest)"])
        return .optOut
    }

    public func eventsChanged(_ events: [OpenADRTrackedEvent]) async {
        var list: [GridCommitment] = []
        for tracked in events where tracked.isInForce {
            list += commitments(tracked.event, baselineMW: await baseline(for: tracked.event))
        }
        let live = Set(events.map(\.id))
        baselines.withLock { table in table = table.filter { live.contains($0.key) } }
        await controller.setGridCommitments(list)
    }

    public func reading(at date: Date) async -> OpenADRSiteReading? {
        guard let r = controller.reading else { return nil }
        return OpenADRSiteReading(sitePowerMW: r.sitePowerMW, curtailableMW: r.curtailableMW)
    }
}

/// The VEN as a service of `gridshell serve`.
public struct GridChannelService: Service {
    public let ven: OpenADRVEN

    public init(ven: OpenADRVEN) { self.ven = ven }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await ven.run() }
    }
}

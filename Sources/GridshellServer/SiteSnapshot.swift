import Foundation
import GridshellCore
import NIOCore
import GridshellDispatch
import GridshellStore
import Synchronization

/// The site at a glance, as `/api/v1/state` and the dashboard show it. Made by the controller
/// after every tick and poll, encoded once, and served as bytes.
public struct SiteSnapshot: Sendable, Codable, Equatable {
    public struct Interval: Sendable, Codable, Equatable {
        public var index: Int
        public var of: Int
        public var start: Date
        public var end: Date
    }

    /// MW by load class, as planned, and the headroom left under the cap.
    public struct PowerStack: Sendable, Codable, Equatable {
        public var firmAIMW: Double
        public var flexibleAIMW: Double
        public var miningMW: Double
        public var headroomMW: Double
        public var siteMW: Double
        public var capMW: Double
        public var interconnectMW: Double
        /// Mining power the miners themselves report (sum over reachable miners).
        public var measuredMiningMW: Double
    }

    public struct Price: Sendable, Codable, Equatable {
        /// The price the plan assumed (the interval's own is not known while it runs).
        public var forecastUSDPerMWh: Double
        /// The last settled interval's real price.
        public var lastUSDPerMWh: Double?
        public var hashpriceUSDPerPHDay: Double
    }

    public struct BreakEven: Sendable, Codable, Equatable {
        public var group: String
        public var model: String
        /// The energy price above which the group's stock point loses money, USD/MWh.
        public var usdPerMWh: Double
    }

    public struct GroupState: Sendable, Codable, Equatable {
        public var name: String
        public var model: String
        public var firmware: String
        public var miners: Int
        /// Operating point → miners the plan puts there (scaled to the miners listed).
        public var planned: [String: Int]
        /// Mode → miners the telemetry shows.
        public var observed: [String: Int]
        public var measuredMW: Double
    }

    public var site: String
    public var policy: String
    public var wallTime: Date
    public var siteTime: Date
    public var speed: Double
    public var interval: Interval?
    public var replayFinished: Bool
    public var power: PowerStack
    public var price: Price
    public var breakEvens: [BreakEven]
    /// Mode (`normal`, `low-power`, `sleep`, `ramping`, `unknown`, `unreachable`) → miners.
    public var miners: [String: Int]
    public var groups: [GroupState]
    public var reasons: [String]
    public var unmet: [String]
    /// Today's ledger (the site's day, UTC), with what each interval netted.
    public var today: LedgerTotals
    public var todayNetByInterval: [Double]
    /// The last settled interval's margin, USD per hour.
    public var marginUSDPerHour: Double?
    public var overrides: [OverrideRecord]
    public var events: [GridEventRecord]
    /// The price and Bitcoin feeds, and whether the site runs on a fallback.
    public var feeds: [FeedStatus]
    /// The AI side as the scheduler and the GPUs show it, when `serve` drives it.
    public var compute: ComputeStatus? = nil

    static func make(
        live: LiveSite, policy: Policy, binding: FleetBinding, clock: SiteClock, now: Date, plan: DispatchPlan?, decision: OnlineDispatcher.Decision?,
        states: [String: MinerState], lastEntry: LedgerEntry?, nextInterval: Int, replayFinished: Bool, store: any SiteStore,
        inputs: BacktestInputs, feeds: [FeedStatus]
    ) -> SiteSnapshot {
        let prices = live.prices
        let siteTime = clock.siteTime(now)
        let site = live.dispatchSite
        var interval: Interval?
        if let d = decision {
            interval = Interval(index: d.interval, of: prices.count, start: prices.date(at: d.interval), end: prices.date(at: d.interval + 1))
        }
        // The stack by load class, from the plan (loads are at the meter, cooling included).
        var mining = 0.0, flexible = 0.0
        if let plan {
            mining = plan.groups.reduce(0) { $0 + $1.powerMW }
            flexible = plan.jobs.reduce(0) { $0 + $1.powerMW }
        }
        let firm = plan?.firmMW ?? site.firmMW
        let cap = plan?.capMW ?? live.site.interconnectMW
        let siteMW = plan?.siteMW ?? 0
        // The fleet as polled.
        var modes: [String: Int] = [:]
        var groups: [GroupState] = []
        var measured = 0.0
        let targets = plan.map { binding.targets($0) } ?? [:]
        for group in binding.groups {
            var observed: [String: Int] = [:]
            var planned: [String: Int] = [:]
            var groupW = 0.0
            for address in group.addresses {
                let mode: String
                if let s = states[address] {
                    mode = s.reachable ? s.mode.rawValue : "unreachable"
                    if s.reachable { groupW += s.telemetry?.powerW ?? 0 }
                } else {
                    mode = "unknown"
                }
                observed[mode, default: 0] += 1
                modes[mode, default: 0] += 1
                if let p = targets[address] { planned[p.name, default: 0] += 1 }
            }
            measured += groupW / 1e6
            groups.append(GroupState(
                name: group.name, model: group.model.name, firmware: group.firmware.rawValue, miners: group.addresses.count, planned: planned,
                observed: observed, measuredMW: groupW / 1e6))
        }
        let t = min(max(decision?.interval ?? nextInterval, 0), max(prices.count - 1, 0))
        let perTH = inputs.minerUSDPerTHHour.isEmpty ? 0 : inputs.minerUSDPerTHHour[t]
        let poolShare = 1 - live.site.poolFeeFraction
        let hashprice = poolShare > 0 ? perTH * 24 * 1000 / poolShare : 0
        let breakEvens: [BreakEven] = live.site.minerGroups.map { g in
            let stock = g.operatingPoints.last { $0.kind == .stock } ?? g.operatingPoints.last!
            // Revenue per MWh at the stock point, net of the pool fee and of cooling.
            let usdPerMWh = perTH * stock.hashrateTHs / (stock.powerW / 1e6) / live.site.cooling.mining
            return BreakEven(group: g.name, model: g.model.name, usdPerMWh: usdPerMWh)
        }
        // Today in site time (UTC days).
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let dayStart = calendar.startOfDay(for: siteTime)
        let entries = (try? store.ledger(from: dayStart, to: dayStart.addingTimeInterval(86_400))) ?? []
        var today = LedgerTotals()
        for e in entries { today.add(e) }
        let overrides = (try? store.activeOverrides(at: siteTime)) ?? []
        let events = ((try? store.gridEvents(from: dayStart.addingTimeInterval(-86_400), to: dayStart.addingTimeInterval(2 * 86_400))) ?? [])
        return SiteSnapshot(
            site: live.site.name, policy: policy.description + (overrides.contains { $0.kind == .pausePolicy } ? " (paused)" : ""),
            wallTime: now, siteTime: siteTime, speed: clock.speed, interval: interval, replayFinished: replayFinished,
            power: PowerStack(
                firmAIMW: firm, flexibleAIMW: flexible, miningMW: mining, headroomMW: max(0, cap - siteMW), siteMW: siteMW, capMW: cap,
                interconnectMW: live.site.interconnectMW, measuredMiningMW: measured * live.site.cooling.mining),
            price: Price(
                forecastUSDPerMWh: decision?.forecastUSDPerMWh ?? 0, lastUSDPerMWh: lastEntry?.priceUSDPerMWh, hashpriceUSDPerPHDay: hashprice),
            breakEvens: breakEvens, miners: modes, groups: groups, reasons: plan?.reasons ?? [], unmet: plan?.unmet ?? [], today: today,
            todayNetByInterval: entries.map(\.netUSD), marginUSDPerHour: lastEntry.map { $0.netUSD / $0.hours }, overrides: overrides, events: events, feeds: feeds)
    }
}

/// The newest snapshot, encoded once, for readers that must not wait on the controller.
public final class StateBoard: Sendable {
    private let current = Mutex<(snapshot: SiteSnapshot?, json: ByteBuffer)>((nil, ByteBuffer(string: "{}")))

    public init() {}

    func publish(_ snapshot: SiteSnapshot) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(snapshot)).map { ByteBuffer(bytes: $0) } ?? ByteBuffer(string: "{}")
        current.withLock { $0 = (snapshot, json) }
    }

    public var snapshot: SiteSnapshot? { current.withLock { $0.snapshot } }
    /// The snapshot as JSON; readers share the buffer (copy on write), so serving it copies nothing.
    public var json: ByteBuffer { current.withLock { $0.json } }
}

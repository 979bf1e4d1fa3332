import Foundation
import GridshellCore
import Prometheus

/// The site's figures in Prometheus' text format (`/metrics`): power by load class, prices,
/// margin, miners by state, poll latency, command outcomes and latency.
public final class SiteMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let power: [String: Gauge]
    private let price: Gauge
    private let hashprice: Gauge
    private let margin: Gauge
    private let net: Counter
    private let intervals: Counter
    private let miners: [String: Gauge]
    private let poll: DurationHistogram
    private let pollReachable: Gauge
    private let commandsOK: Counter
    private let commandsFailed: Counter
    private let commandsConfirmed: Counter
    private let commandLatency: ValueHistogram
    private let feedAge: [String: Gauge]
    private let feedStale: [String: Gauge]
    public static let modes = ["normal", "low-power", "sleep", "ramping", "unknown", "unreachable"]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var power: [String: Gauge] = [:]
        for c in ["firm_ai", "flexible_ai", "mining", "headroom", "site", "cap", "measured_mining"] {
            power[c] = registry.makeGauge(name: "gridshell_site_power_mw", labels: [("class", c)], help: "Site power by load class as planned (MW, with cooling); headroom is left under the cap")
        }
        self.power = power
        price = registry.makeGauge(name: "gridshell_energy_price_usd_per_mwh", help: "The energy price the current plan assumed")
        hashprice = registry.makeGauge(name: "gridshell_hashprice_usd_per_ph_day", help: "Hashprice of the current interval, USD per PH/s per day")
        margin = registry.makeGauge(name: "gridshell_margin_usd_per_hour", help: "Net margin of the last settled interval, USD per hour")
        net = registry.makeCounter(name: "gridshell_ledger_net_usd_cents_total", help: "Net money settled into the ledger since start, US cents")
        intervals = registry.makeCounter(name: "gridshell_ledger_intervals_total", help: "Intervals settled into the ledger since start")
        var miners: [String: Gauge] = [:]
        for m in Self.modes { miners[m] = registry.makeGauge(name: "gridshell_miners", labels: [("state", m)], help: "Miners by state as last polled") }
        self.miners = miners
        poll = registry.makeDurationHistogram(
            name: "gridshell_poll_duration_seconds",
            buckets: [.milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(5), .seconds(10)],
            help: "Time one sweep of the fleet took")
        pollReachable = registry.makeGauge(name: "gridshell_poll_reachable_miners", help: "Miners that answered the last sweep")
        commandsOK = registry.makeCounter(name: "gridshell_commands_total", labels: [("result", "acknowledged")], help: "Commands sent to miners, by result")
        commandsFailed = registry.makeCounter(name: "gridshell_commands_total", labels: [("result", "failed")], help: "Commands sent to miners, by result")
        commandsConfirmed = registry.makeCounter(name: "gridshell_commands_total", labels: [("result", "confirmed")], help: "Commands sent to miners, by result")
        commandLatency = registry.makeValueHistogram(
            name: "gridshell_command_seconds", buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
            help: "Time from sending a command to the miner's acknowledgement")
        var age: [String: Gauge] = [:], stale: [String: Gauge] = [:]
        for f in ["prices", "bitcoin"] {
            age[f] = registry.makeGauge(name: "gridshell_feed_age_minutes", labels: [("feed", f)], help: "Site minutes since the newest value a feed brought")
            stale[f] = registry.makeGauge(name: "gridshell_feed_stale", labels: [("feed", f)], help: "1 while a feed is stale and the site runs on its fallback")
        }
        feedAge = age
        feedStale = stale
    }

    func settled(_ entry: LedgerEntry) {
        intervals.increment()
        let cents = (entry.netUSD * 100).rounded()
        // Counters only rise: losses are visible in the margin gauge and the ledger.
        if cents > 0 { net.increment(by: Int64(cents)) }
    }

    func commandFinished(acknowledged: Bool, seconds: Double) {
        if acknowledged { commandsOK.increment() } else { commandsFailed.increment() }
        commandLatency.record(seconds)
    }

    func commandConfirmed() { commandsConfirmed.increment() }

    public func polled(seconds: Double, reachable: Int) {
        poll.record(.nanoseconds(Int64(seconds * 1e9)))
        pollReachable.set(to: Double(reachable))
    }

    func publish(_ s: SiteSnapshot) {
        power["firm_ai"]?.set(to: s.power.firmAIMW)
        power["flexible_ai"]?.set(to: s.power.flexibleAIMW)
        power["mining"]?.set(to: s.power.miningMW)
        power["headroom"]?.set(to: s.power.headroomMW)
        power["site"]?.set(to: s.power.siteMW)
        power["cap"]?.set(to: s.power.capMW)
        power["measured_mining"]?.set(to: s.power.measuredMiningMW)
        price.set(to: s.price.forecastUSDPerMWh)
        hashprice.set(to: s.price.hashpriceUSDPerPHDay)
        if let m = s.marginUSDPerHour { margin.set(to: m) }
        for m in Self.modes { miners[m]?.set(to: Double(s.miners[m] ?? 0)) }
        for f in s.feeds {
            if let age = f.ageMinutes { feedAge[f.feed]?.set(to: age) }
            feedStale[f.feed]?.set(to: f.stale ? 1 : 0)
        }
    }

    /// The text exposition.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}

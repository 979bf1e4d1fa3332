import Foundation
import GridshellCore
import GridshellDispatch
import GridshellMiners
import GridshellStore
import Logging
import NIOCore
import NIOPosix

/// The live loop's state: the dispatcher, the plan in force, the fleet as last polled. It
/// decides each interval when it starts, settles it into the ledger when it ends, and brings
/// the fleet to the plan.
///
/// Restart safety rests on the store: the dispatcher's memory is written in the same
/// transaction as the ledger line that moved it, and every command is journalled under a key
/// (interval, miner, command) before it is sent, so a restarted controller neither settles an
/// interval twice nor sends a command twice.
public actor SiteController {
    /// The controller runs on a thread of its own, not on the pool that serves HTTP requests:
    /// settling, planning, store writes and snapshots never hold up an API answer.
    public nonisolated let executor: any SerialExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    static let controlThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    public nonisolated let live: LiveSite
    public nonisolated let binding: FleetBinding
    public nonisolated let store: any SiteStore
    public nonisolated let fleet: any MinerFleet
    public nonisolated let board: StateBoard
    public nonisolated let metrics: SiteMetrics
    nonisolated let logger: Logger
    /// Wall seconds over which a rise in power is spread (waves), at most.
    let rampUpWallSeconds: Double
    let waves: Int

    public nonisolated let clock: SiteClock
    /// The policy in force (an admin may change it; the choice survives a restart).
    public private(set) var policy: Policy
    var dispatcher: OnlineDispatcher
    var decision: OnlineDispatcher.Decision?
    /// Decisions of intervals not settled yet (an interval waits for its price to be published).
    var decisions: [Int: OnlineDispatcher.Decision] = [:]
    var plan: DispatchPlan?
    private var states: [String: MinerState] = [:]
    /// Last command sent per miner and when (wall), so a command whose effect the telemetry does
    /// not show yet is not sent again.
    private var lastSent: [String: (command: MinerCommand, at: Date)] = [:]
    /// Commands acknowledged, waiting for the telemetry to confirm them.
    private var awaiting: [String: (address: String, command: MinerCommand)] = [:]
    /// Miner command batches being sent: the AI side waits for them (miners shed first).
    private var sending = 0
    private var computeStatus: ComputeStatus?
    /// Commands found unfinished at start, settled after the first poll.
    private var unfinished: [CommandRecord] = []
    private var actuating = false
    private var actuateAgain = false
    private var lastEntry: LedgerEntry?
    public private(set) var replayFinished = false
    private var events: [GridEventRecord] = []

    // Feeds (live prices and Bitcoin data): what they brought, and when.
    /// Off for a controller driven without feeds (unit tests): prices come from the series.
    let usesFeeds: Bool
    var priceTrack: FeedTrack
    var bitcoinTrack: FeedTrack
    /// The 4CP peak-risk signal, when the site file names one.
    var peakRisk: PeakRiskState?
    /// Intervals whose price a feed has published.
    var knownPrices = Set<Int>()
    /// The newest published price: its interval and value.
    var newestPrice: (t: Int, usd: Double)?
    /// Mining revenue per TH/s-hour, net of the pool fee: from the Bitcoin feed once it answers.
    var baseMinerUSDPerTHHour: Double
    /// A feed brought something the plan in force did not see: the next tick replans.
    var replanFor: String?
    /// What the site has promised the grid (events it takes part in).
    var commitments: [GridCommitment] = []
    /// Site time the decision in force was made at.
    var decidedAt: Date?

    static let clockKey = "clock"
    static let memoryKey = "dispatcher"
    static let policyKey = "policy"

    /// Opens the controller on `store`: a run already recorded there carries on (its clock and
    /// the dispatcher's memory), a new one starts at `clock`.
    public init(
        live: LiveSite, binding: FleetBinding, store: any SiteStore, fleet: any MinerFleet, clock proposed: SiteClock, metrics: SiteMetrics,
        board: StateBoard = StateBoard(), logger: Logger = Logger(label: "gridshell.controller"), rampUpWallSeconds: Double = 2, waves: Int = 4,
        feeds: (prices: String, bitcoin: String)? = nil, peakRiskFeed: String? = nil
    ) throws {
        executor = Self.controlThread.next().executor
        usesFeeds = feeds != nil
        priceTrack = FeedTrack(name: feeds?.prices ?? live.priceSource, staleAfterSeconds: live.site.feeds.prices.staleAfterMinutes * 60)
        bitcoinTrack = FeedTrack(name: feeds?.bitcoin ?? "series", staleAfterSeconds: live.site.feeds.bitcoin.staleAfterMinutes * 60)
        if let fourCP = live.site.gridPrograms.fourCP, fourCP.signal != .price, feeds != nil {
            peakRisk = PeakRiskState(settings: fourCP, name: peakRiskFeed ?? fourCP.source.rawValue)
        }
        self.live = live
        self.binding = binding
        self.store = store
        self.fleet = fleet
        self.metrics = metrics
        self.board = board
        self.logger = logger
        self.rampUpWallSeconds = rampUpWallSeconds
        self.waves = max(1, waves)
        let decoder = JSONDecoder()
        var clock = proposed
        if let saved = try store.controllerValue(Self.clockKey) {
            clock = try decoder.decode(SiteClock.self, from: saved)
        } else {
            try store.setControllerValue(Self.clockKey, try JSONEncoder().encode(proposed))
        }
        self.clock = clock
        let prices = live.prices
        let startAt = max(0, min(prices.count - 1, prices.index(containing: clock.siteTime()) ?? 0))
        baseMinerUSDPerTHHour = live.backtest.inputs.minerUSDPerTHHour.isEmpty ? 0 : live.backtest.inputs.minerUSDPerTHHour[startAt]
        let first = max(0, min(prices.count, prices.index(containing: clock.siteTime()) ?? (clock.siteTime() < prices.start ? 0 : prices.count)))
        var policy = live.policy
        if let saved = try store.controllerValue(Self.policyKey), let parameters = try? decoder.decode(PolicyParameters.self, from: saved),
            let chosen = try? parameters.chosenPolicy()
        {
            policy = chosen
        }
        self.policy = policy
        if let saved = try store.controllerValue(Self.memoryKey), let memory = try? decoder.decode(OnlineDispatcher.Memory.self, from: saved),
            OnlineDispatcher.fits(memory, backtest: live.backtest)
        {
            dispatcher = OnlineDispatcher(backtest: live.backtest, policy: policy, memory: memory)
        } else {
            dispatcher = OnlineDispatcher(backtest: live.backtest, policy: policy, startingAt: first)
        }
        _ = try store.saveSiteConfiguration(yaml: live.siteYAML, author: "gridshell serve", at: Date())
        unfinished = try store.unfinishedCommands()
        // What was sent in the last minutes before a restart counts as sent (commands are kept
        // by interval, in site time; `createdAt` is wall time).
        let siteNow = clock.siteTime()
        let recent = Date().addingTimeInterval(-300)
        for c in try store.commands(from: siteNow.addingTimeInterval(-2 * 86_400), to: siteNow.addingTimeInterval(86_400), address: nil, limit: 100_000)
        where c.state != .failed && c.createdAt > recent {
            if let seen = lastSent[c.address], seen.at > c.createdAt { continue }
            lastSent[c.address] = (c.command, c.createdAt)
        }
        // Unanswered ones are settled after the first poll, by reading (or sending once more):
        // the plan must not send them again meanwhile.
        for c in unfinished { lastSent[c.address] = (c.command, Date()) }
        if let last = try store.lastSettledInterval() { lastEntry = try store.ledger(from: last, to: last.addingTimeInterval(1)).last }
    }

    /// The interval that holds site time `now` (the series' count once the replay is over).
    func interval(at wall: Date) -> Int {
        let prices = live.prices
        let site = clock.siteTime(wall)
        if site < prices.start { return -1 }
        return prices.index(containing: site) ?? prices.count
    }

    public var nextInterval: Int { dispatcher.memory.next }
    public var currentPlan: DispatchPlan? { plan }

    // MARK: The loop

    /// Settles every interval that has ended, decides the one that has begun, and brings the
    /// fleet to it. Called by the control loop every tick and at once on events and actions.
    public func tick(now: Date = Date(), trigger proposed: String = "interval") async {
        var trigger = proposed == "interval" ? (replanFor ?? proposed) : proposed
        replanFor = nil
        if trigger == "interval", commitmentBoundaryPassed(since: decidedAt, siteNow: clock.siteTime(now)) { trigger = "event" }
        let k = interval(at: now)
        let n = live.prices.count
        while dispatcher.memory.next < min(k, n) {
            guard priceSettles(dispatcher.memory.next, siteNow: clock.siteTime(now)) else { break }
            settleNext()
        }
        if k >= n {
            if !replayFinished { logger.info("the price series is over; holding the last plan", metadata: ["gridshell.interval": "\(n)"]) }
            replayFinished = true
        } else if k >= 0, decision?.interval != k || trigger != "interval" {
            decide(k, trigger: decision?.interval == k ? trigger : "interval", wall: now)
            await actuate()
        }
        publish(now: now)
    }

    private func constraints(at siteTime: Date) -> OnlineDispatcher.Constraints {
        var c = OnlineDispatcher.Constraints()
        let active = (try? store.activeOverrides(at: siteTime)) ?? []
        for o in active {
            switch o.kind {
            case .capSite: if let v = o.valueMW { c.capMW = min(c.capMW ?? .infinity, v) }
            case .curtailGroup:
                if let name = o.group, let i = live.dispatchSite.loads.firstIndex(where: { load in
                    if case .miners(let g) = load.kind { return live.site.minerGroups[g].name == name }
                    return false
                }) {
                    // A later resume of the same group wins.
                    let resumed = active.contains { $0.kind == .resumeGroup && $0.group == name && $0.createdAt > o.createdAt }
                    if !resumed { c.curtailed.insert(i) }
                }
            case .pausePolicy: c.paused = true
            case .resumeGroup: break
            }
        }
        return c
    }

    /// Decides interval `k`. Intervals before it still waiting for their price to be settled
    /// are settled on a copy first: what the policy remembers does not depend on the price, so
    /// the decision is the one it will be once they are settled for real.
    private func decide(_ k: Int, trigger: String, wall: Date) {
        let t = k
        let start = live.prices.date(at: t)
        // Overrides in force now (an operator's action starts mid-interval).
        let now = min(max(clock.siteTime(wall), start), live.prices.date(at: t + 1).addingTimeInterval(-0.001))
        var c = constraints(at: now)
        let fallbacks = applyFeeds(to: &c, at: t, siteNow: clock.siteTime(wall)) + applyPeakRisk(to: &c, at: t)
            + applyCommitments(to: &c, siteNow: clock.siteTime(wall))
        decidedAt = clock.siteTime(wall)
        var base = dispatcher
        while base.memory.next < t {
            let i = base.memory.next
            _ = base.settle(decisions[i] ?? held(i, on: base))
        }
        let d = base.decide(c)
        decision = d
        decisions[t] = d
        var p = d.plan(site: live.dispatchSite, previous: base.memory.previous)
        p.reasons.insert(contentsOf: fallbacks, at: 0)
        plan = p
        do {
            let json = try JSONEncoder().encode(p)
            try store.recordPlan(PlanRecord(intervalStart: start, decidedAt: Date(), policy: policy.description + (c.paused ? " (paused)" : ""), trigger: trigger, siteMW: p.siteMW, json: json))
        } catch {
            logger.error("could not record the plan", metadata: ["gridshell.error": "\(error)"])
        }
    }

    /// Interval `t` as it went when the controller did not decide it (it was not running): held
    /// where the fleet was.
    private func held(_ t: Int, on d: OnlineDispatcher) -> OnlineDispatcher.Decision {
        var c = constraints(at: live.prices.date(at: t))
        c.paused = true
        return d.decide(c)
    }

    /// The interval `memory.next` is over: its ledger line at the real price, with the
    /// dispatcher's memory, in one transaction. An interval the controller did not decide (it was
    /// not running) is settled as held: the fleet stayed where it was.
    private func settleNext() {
        let t = dispatcher.memory.next
        let start = live.prices.date(at: t)
        let d = decisions[t] ?? held(t, on: dispatcher)
        var next = dispatcher
        let entry = next.settle(d)
        do {
            let memory = try JSONEncoder().encode(next.memory)
            try store.settle(entry, controllerState: [Self.memoryKey: memory])
            if !usesFeeds {
                try store.recordPrice(PriceRecord(intervalStart: start, priceUSDPerMWh: live.prices.pricesUSDPerMWh[t], source: live.priceSource))
            }
            dispatcher = next
            decisions[t] = nil
            lastEntry = entry
            metrics.settled(entry)
        } catch StoreError.intervalAlreadySettled {
            // Settled before a restart: move on without counting it again.
            dispatcher = next
            decisions[t] = nil
        } catch {
            // The store refused: keep the interval open and try again next tick.
            logger.error("could not settle the interval", metadata: ["gridshell.interval": "\(start)", "gridshell.error": "\(error)"])
            return
        }
    }

    // MARK: Telemetry and actuation

    /// A sweep of the poller: recorded in the store, then observed.
    public func ingest(_ polled: [MinerState], began: Date) async {
        let samples = polled.map { s in
            TelemetrySample(
                address: s.address, at: s.lastSeen ?? began, reachable: s.reachable, mode: s.mode, powerW: s.powerW,
                hashrateTHs: s.reachable ? s.telemetry?.hashrateTHs : nil, maxChipTemperatureC: s.reachable ? s.telemetry?.maxChipTemperatureC : nil,
                error: s.lastError)
        }
        do { try store.recordTelemetry(samples) } catch {
            logger.error("could not record telemetry", metadata: ["gridshell.error": "\(error)"])
        }
        await observe(polled)
    }

    /// The poller's newest view; confirms commands the telemetry now shows and acts on it.
    public func observe(_ polled: [MinerState], at now: Date = Date()) async {
        for s in polled { states[s.address] = s }
        // What the fleet shows goes out first (the grid operator's report reads it), then the
        // record of what it confirmed.
        if awaiting.count > 100 { publish(now: now) }
        var confirmed: [CommandEnd] = []
        for (key, pending) in awaiting {
            guard let t = states[pending.address]?.telemetry, states[pending.address]?.reachable == true, FleetPoller.confirms(t, pending.command) else { continue }
            confirmed.append(CommandEnd(key: key, state: .confirmed, attempts: 1, error: nil, at: now))
            awaiting[key] = nil
            metrics.commandConfirmed()
        }
        do { try store.finish(confirmed) } catch { logger.error("could not record confirmations", metadata: ["gridshell.error": "\(error)"]) }
        if !unfinished.isEmpty { await reconcileUnfinished(now: now) }
        if decision != nil, !replayFinished { await actuate() }
        publish(now: now)
    }

    /// Commands journalled before a restart but never answered: read, not resent, when the miner
    /// shows them; sent once more when it does not.
    private func reconcileUnfinished(now: Date) async {
        var resend: [CommandRecord] = []
        for c in unfinished {
            guard let state = states[c.address], state.reachable, let t = state.telemetry else { continue }
            if FleetPoller.confirms(t, c.command) || t.mode == .ramping {
                try? store.finish(key: c.key, state: .reconciled, attempts: c.attempts, error: nil, at: now)
            } else {
                resend.append(c)
            }
        }
        let handled = Set(unfinished.filter { states[$0.address]?.reachable == true }.map(\.key))
        unfinished.removeAll { handled.contains($0.key) }
        guard !resend.isEmpty else { return }
        await send(resend, attempts: 2)
    }

    /// Records how a command ended (returned for one transaction per batch) and remembers it.
    private func finish(_ key: String, _ outcome: CommandOutcome, attempts: Int, now: Date) -> CommandEnd {
        let end = CommandEnd(key: key, state: outcome.acknowledged ? .acknowledged : .failed, attempts: attempts, error: outcome.error, at: now)
        metrics.commandFinished(acknowledged: outcome.acknowledged, seconds: outcome.seconds)
        if outcome.acknowledged {
            awaiting[key] = (outcome.address, outcome.command)
            lastSent[outcome.address] = (outcome.command, now)
        }
        return end
    }

    /// Sends what it takes to bring each reachable miner to its target point: commands that
    /// lower power at once, those that raise it in waves.
    private func actuate() async {
        if actuating { actuateAgain = true; return }
        actuating = true
        defer { actuating = false }
        repeat {
            actuateAgain = false
            guard let plan, let decision else { return }
            let intervalStart = live.prices.date(at: decision.interval)
            let targets = binding.targets(plan)
            let now = Date()
            var wanted: [CommandRecord] = []
            for (address, point) in targets.sorted(by: { $0.key < $1.key }) {
                guard let g = binding.group(of: address), let state = states[address], state.reachable, let t = state.telemetry,
                    let command = FleetBinding.command(toward: point, firmware: binding.groups[g].firmware, from: t)
                else { continue }
                // Sent a moment ago and not visible yet: wait for the telemetry.
                if let sent = lastSent[address], sent.command == command, now.timeIntervalSince(sent.at) < 30 { continue }
                wanted.append(CommandRecord(
                    key: CommandRecord.key(intervalStart: intervalStart, address: address, command: command), intervalStart: intervalStart,
                    address: address, command: command, createdAt: now))
            }
            guard !wanted.isEmpty else { continue }
            let fresh: [CommandRecord]
            do { fresh = try store.journal(wanted) } catch {
                logger.error("could not journal commands; none sent", metadata: ["gridshell.error": "\(error)"])
                return
            }
            // A crash injected here (tests only) leaves commands journalled and unsent.
            if !fresh.isEmpty, ProcessInfo.processInfo.environment["GRIDSHELL_FAILPOINT"] == "after-journal" { exit(70) }
            let down = fresh.filter { !Self.raisesPower($0.command) }
            let up = fresh.filter { Self.raisesPower($0.command) }
            if !down.isEmpty { await send(down, attempts: 1) }
            let perWave = max(1, Int((Double(up.count) / Double(waves)).rounded(.up)))
            for (w, start) in stride(from: 0, to: up.count, by: perWave).enumerated() {
                if w > 0 { try? await Task.sleep(nanoseconds: UInt64(rampUpWallSeconds / Double(waves) * 1e9)) }
                await send(Array(up[start..<min(start + perWave, up.count)]), attempts: 1)
            }
        } while actuateAgain
    }

    /// Sends journalled commands (one per miner) and records how each ended; a miner the fleet
    /// does not know is recorded as failed, with the reason.
    private func send(_ records: [CommandRecord], attempts: Int) async {
        sending += 1
        defer { sending -= 1 }
        let sentAt = Date()
        let outcomes = await fleet.acknowledge(records.map { ($0.address, $0.command) })
        var byAddress: [String: CommandOutcome] = [:]
        for o in outcomes { byAddress[o.address] = o }
        let now = Date()
        var confirm: [Double: [String]] = [:]
        var ends: [CommandEnd] = []
        defer {
            do { try store.finish(ends) } catch { logger.error("could not record command outcomes", metadata: ["gridshell.error": "\(error)"]) }
        }
        for r in records {
            let o = byAddress[r.address]
                ?? CommandOutcome(address: r.address, command: r.command, acknowledged: false, confirmed: false, attempts: 0, seconds: 0, error: "\(r.address) is not a miner the poller knows")
            ends.append(finish(r.key, o, attempts: attempts, now: now))
            if o.acknowledged, !Self.raisesPower(r.command), let g = binding.group(of: r.address) {
                confirm[binding.groups[g].firmware.ramp.rampDownSeconds, default: []].append(r.address)
            }
        }
        // A curtailment is read back as soon as the firmware should have finished it, not at the
        // sweep's next turn: the grid operator hears of it seconds sooner. The reads go in the
        // order the commands went, from the ramp's end after the first was sent; reading is
        // slower than commanding, so each miner is read at least a ramp after its command.
        logger.info(
            "commands sent",
            metadata: [
                "gridshell.commands": "\(records.count)", "gridshell.acknowledged": "\(outcomes.filter(\.acknowledged).count)",
                "gridshell.seconds": "\(String(format: "%.2f", now.timeIntervalSince(sentAt)))",
            ])
        for (seconds, addresses) in confirm {
            let wait = seconds + 0.25 - Date().timeIntervalSince(sentAt)
            let logger = self.logger
            Task {
                if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
                let read = await self.fleet.read(addresses)
                logger.info(
                    "curtailment read back",
                    metadata: [
                        "gridshell.miners": "\(addresses.count)", "gridshell.asleep": "\(read.filter { $0.telemetry?.mode == .sleep }.count)",
                        "gridshell.seconds": "\(String(format: "%.2f", Date().timeIntervalSince(sentAt)))",
                    ])
                await self.observe(read)
            }
        }
    }

    static func raisesPower(_ command: MinerCommand) -> Bool {
        switch command {
        case .wake, .profile, .powerTarget: return true
        case .sleep, .lowPower: return false
        }
    }

    // MARK: Operator actions and grid events

    /// An operator's override: recorded, audited by the caller, and the current interval
    /// replanned at once.
    public func add(_ override: OverrideRecord) async throws -> OverrideRecord {
        let saved = try store.addOverride(override)
        await tick(now: Date(), trigger: "operator")
        return saved
    }

    public func cancelOverride(id: Int64) async throws -> OverrideRecord? {
        let cancelled = try store.cancelOverride(id: id, at: clock.siteTime())
        if cancelled != nil { await tick(now: Date(), trigger: "operator") }
        return cancelled
    }

    /// Switches the policy, keeping what the dispatcher remembers, and replans at once.
    public func setPolicy(_ chosen: Policy) async throws {
        try store.setControllerValue(Self.policyKey, try JSONEncoder().encode(PolicyParameters(chosen)))
        dispatcher = OnlineDispatcher(backtest: dispatcher.backtest, policy: chosen, memory: dispatcher.memory)
        policy = chosen
        await tick(now: Date(), trigger: "operator")
    }

    public func record(_ event: GridEventRecord) async throws {
        try store.recordGridEvent(event)
        events.append(event)
        await tick(now: Date(), trigger: "event")
    }

    // MARK: What the API and the dashboard read

    /// What the plan in force asks of the AI side: every load's level, and whether it sheds firm
    /// load; nil before the first plan, and while miners are still being shed (commands going
    /// out, or sent and not yet seen asleep): miners go first.
    public var aiSide: (levels: [Double], emergency: Bool)? {
        guard sending == 0, let decision else { return nil }
        // Miners told to shed and not yet seen to have done it (for up to half a minute).
        let now = Date()
        let shedding = awaiting.values.contains { pending in
            !Self.raisesPower(pending.command) && (lastSent[pending.address].map { now.timeIntervalSince($0.at) < 30 } ?? false)
        }
        guard !shedding else { return nil }
        return (decision.solution.levels, decision.solution.shedMW > 1e-9)
    }

    public var minerStates: [MinerState] { binding.addresses.compactMap { states[$0] } }

    /// The AI side's latest status, shown with the state.
    public func setCompute(_ status: ComputeStatus) {
        computeStatus = status
    }

    func publish(now: Date) {
        var snapshot = SiteSnapshot.make(
            live: live, policy: policy, binding: binding, clock: clock, now: now, plan: plan, decision: decision, states: states, lastEntry: lastEntry,
            nextInterval: dispatcher.memory.next, replayFinished: replayFinished, store: store, inputs: dispatcher.backtest.inputs,
            feeds: usesFeeds ? feedStatuses(siteNow: clock.siteTime(now)) : [])
        snapshot.compute = computeStatus
        board.publish(snapshot)
        metrics.publish(snapshot)
    }
}

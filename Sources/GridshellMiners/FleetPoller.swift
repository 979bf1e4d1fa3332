import Foundation
import GridshellCore
import Synchronization

/// Talks to one miner: identifies it, reads it, commands it. The protocol driver speaks the real
/// protocols; tests may put an in-memory driver in its place.
public protocol MinerDriver: Sendable {
    /// Is anything listening on the miner's API port? (A fast probe before identification.)
    func probe(_ endpoint: MinerEndpoint) async -> Bool
    func identify(_ endpoint: MinerEndpoint) async throws -> MinerIdentity
    func read(_ endpoint: MinerEndpoint, identity: MinerIdentity?) async throws -> MinerTelemetry
    func send(_ command: MinerCommand, to endpoint: MinerEndpoint, identity: MinerIdentity?) async throws
    /// Reads what confirms a command (mode, hashrate, power), as cheaply as the firmware allows;
    /// the rest of the telemetry may be missing.
    func readQuick(_ endpoint: MinerEndpoint, identity: MinerIdentity?) async throws -> MinerTelemetry
}

extension MinerDriver {
    public func readQuick(_ endpoint: MinerEndpoint, identity: MinerIdentity?) async throws -> MinerTelemetry {
        try await read(endpoint, identity: identity)
    }
}

/// Knobs of the poller and controller.
public struct FleetSettings: Sendable, Equatable {
    /// Miners talked to at once.
    public var concurrency: Int
    /// First retry after a failed poll, then doubling up to `maxBackoff` (seconds).
    public var backoff: Double
    public var maxBackoff: Double
    /// Attempts per command before it counts as failed.
    public var commandAttempts: Int
    /// How long to wait for telemetry to confirm a command (seconds; scale it with the firmware).
    public var confirmTimeout: Double
    /// Pause between confirmation reads (seconds).
    public var confirmInterval: Double
    /// Miners brought up (wake, higher power) are spread over this many seconds, in `waves`.
    public var rampUpSeconds: Double
    public var waves: Int

    public init(
        concurrency: Int = 1_024, backoff: Double = 5, maxBackoff: Double = 300, commandAttempts: Int = 3,
        confirmTimeout: Double = 30, confirmInterval: Double = 0.5, rampUpSeconds: Double = 0, waves: Int = 1
    ) {
        self.concurrency = concurrency
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.commandAttempts = commandAttempts
        self.confirmTimeout = confirmTimeout
        self.confirmInterval = confirmInterval
        self.rampUpSeconds = rampUpSeconds
        self.waves = waves
    }
}

/// Runs `body` over `items` with at most `limit` in flight, results in input order.
///
/// `limit` workers each take the next item until none is left, rather than one task per item:
/// a sweep of ten thousand miners then creates a thousand tasks, not ten thousand (a task costs
/// its allocations and its scheduling, which showed in a sweep's profile).
func boundedMap<T: Sendable, R: Sendable>(
    _ items: [T], limit: Int, _ body: @escaping @Sendable (T) async -> R
) async -> [R] {
    guard !items.isEmpty else { return [] }
    let next = NextIndex()
    return await withTaskGroup(of: [(Int, R)].self) { group in
        for _ in 0..<min(max(limit, 1), items.count) {
            group.addTask {
                var done: [(Int, R)] = []
                while let i = next.take(below: items.count) { done.append((i, await body(items[i]))) }
                return done
            }
        }
        var results = [R?](repeating: nil, count: items.count)
        for await part in group { for (i, r) in part { results[i] = r } }
        return results.map { $0! }
    }
}

/// Hands out 0, 1, 2 … to concurrent workers.
final class NextIndex: Sendable {
    private let counter = Atomic<Int>(0)

    /// The next index, or nil once `count` have been handed out.
    func take(below count: Int) -> Int? {
        let i = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        return i < count ? i : nil
    }
}

/// The fleet over a driver: discovery, polling sweeps with per-miner backoff, and commands
/// confirmed by telemetry, retried, and staged.
public final class FleetPoller: MinerFleet, Sendable {
    public let driver: any MinerDriver
    public let settings: FleetSettings

    struct Entry: Sendable {
        var endpoint: MinerEndpoint
        var identity: MinerIdentity?
        var state: MinerState
        /// Not polled again before this time (backoff after failures).
        var notBefore: Date
        /// When the reading now in `state` was begun: a slower read begun earlier (a sweep
        /// that started before a command) does not overwrite a newer one.
        var readBegan = Date.distantPast
    }

    /// One miner read: when it began, what came back, the identity it was read with.
    typealias Reading = (address: String, began: Date, result: Result<MinerTelemetry, any Error>, identity: MinerIdentity?)
    /// A quick reading keeps what it did not ask for (boards, fans, pools) from the last full one.
    static func merge(_ quick: MinerTelemetry, over old: MinerTelemetry?) -> MinerTelemetry {
        guard let old else { return quick }
        var t = quick
        if t.boards.isEmpty { t.boards = old.boards }
        if t.fanRPM.isEmpty { t.fanRPM = old.fanRPM }
        if t.pools.isEmpty { t.pools = old.pools }
        return t
    }

    private let entries: Mutex<[String: Entry]>
    private let order: Mutex<[String]>
    /// Commands and read-backs under way: a sweep starts no new read while any is, so a
    /// curtailment and its confirmation get the poller's thread to themselves.
    private let urgent = Atomic<Int>(0)

    public init(driver: any MinerDriver, settings: FleetSettings = FleetSettings(), endpoints: [MinerEndpoint] = []) {
        self.driver = driver
        self.settings = settings
        var map: [String: Entry] = [:]
        for e in endpoints { map[e.address] = Entry(endpoint: e, identity: nil, state: MinerState(address: e.address), notBefore: .distantPast) }
        entries = Mutex(map)
        order = Mutex(endpoints.map(\.address))
    }

    /// Adds miners already known (e.g. from the site file), without probing them.
    public func add(_ endpoints: [MinerEndpoint]) {
        entries.withLock { map in
            order.withLock { list in
                for e in endpoints where map[e.address] == nil {
                    map[e.address] = Entry(endpoint: e, identity: nil, state: MinerState(address: e.address), notBefore: .distantPast)
                    list.append(e.address)
                }
            }
        }
    }

    public var endpoints: [MinerEndpoint] {
        let list = order.withLock { $0 }
        return entries.withLock { map in list.compactMap { map[$0]?.endpoint } }
    }

    public func identity(of address: String) -> MinerIdentity? { entries.withLock { $0[address]?.identity } }

    /// Finds miners in address ranges: a fast TCP probe of every address, then identification of
    /// those that answer. Returns the miners found (already known ones are refreshed).
    @discardableResult
    public func discover(_ ranges: [AddressRange], rpcPort: Int = 4028, webPort: Int = 80) async -> [MinerEndpoint] {
        var candidates: [MinerEndpoint] = []
        for r in ranges { for i in 0..<r.count { candidates.append(MinerEndpoint(address: r.address(i), rpcPort: rpcPort, webPort: webPort)) } }
        let driver = self.driver
        let alive = await boundedMap(candidates, limit: settings.concurrency) { await driver.probe($0) ? $0 : nil }.compactMap { $0 }
        let identified = await boundedMap(alive, limit: settings.concurrency) { e -> (MinerEndpoint, MinerIdentity?, String?) in
            do { return (e, try await driver.identify(e), nil) } catch { return (e, nil, "\(error)") }
        }
        let now = Date()
        entries.withLock { map in
            order.withLock { list in
                for (e, id, problem) in identified {
                    if map[e.address] == nil { list.append(e.address) }
                    var entry = map[e.address] ?? Entry(endpoint: e, identity: nil, state: MinerState(address: e.address), notBefore: .distantPast)
                    entry.endpoint = e
                    if let id { entry.identity = id }
                    entry.state.reachable = id != nil
                    entry.state.lastError = problem
                    if id != nil { entry.state.lastSeen = now }
                    map[e.address] = entry
                }
            }
        }
        return identified.filter { $0.1 != nil }.map(\.0)
    }

    public func states() async -> [MinerState] {
        let list = order.withLock { $0 }
        return entries.withLock { map in list.compactMap { map[$0]?.state } }
    }

    /// One sweep: every miner not in backoff is read once, at most `concurrency` at a time, each
    /// within the driver's timeouts, so dead or slow miners cost their timeout and no more.
    public func poll() async -> [MinerState] {
        let now = Date()
        let due: [Entry] = {
            let list = order.withLock { $0 }
            return entries.withLock { map in list.compactMap { map[$0] }.filter { $0.notBefore <= now } }
        }()
        record(await readEach(due, yielding: true))
        return await states()
    }

    /// Runs urgent work (commands, their read-backs): sweeps pause until it is done.
    private func urgently<R>(_ body: () async -> R) async -> R {
        urgent.add(1, ordering: .relaxed)
        defer { urgent.subtract(1, ordering: .relaxed) }
        return await body()
    }

    /// Reads `entries`, at most `concurrency` at a time, identifying those not yet known. A sweep
    /// (`yielding`) waits before each read while urgent work is under way.
    private func readEach(_ entries: [Entry], yielding: Bool = false, quick: Bool = false) async -> [Reading] {
        let driver = self.driver
        return await boundedMap(entries, limit: settings.concurrency) { [self] entry -> Reading in
            while yielding, urgent.load(ordering: .relaxed) > 0, !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
            var identity = entry.identity
            let began = Date()
            do {
                if identity == nil { identity = try await driver.identify(entry.endpoint) }
                let t = quick ? try await driver.readQuick(entry.endpoint, identity: identity) : try await driver.read(entry.endpoint, identity: identity)
                return (entry.endpoint.address, began, .success(quick ? Self.merge(t, over: entry.state.telemetry) : t), identity)
            } catch {
                return (entry.endpoint.address, began, .failure(error), identity)
            }
        }
    }

    private func record(_ results: [Reading]) {
        let now = Date()
        let settings = self.settings
        entries.withLock { map in
            for (address, began, result, identity) in results {
                guard var e = map[address], began >= e.readBegan else { continue }
                e.readBegan = began
                if let identity { e.identity = identity }
                switch result {
                case .success(var t):
                    if t.identity == nil { t.identity = e.identity }
                    e.state.telemetry = t
                    e.state.reachable = true
                    e.state.lastSeen = now
                    e.state.lastError = nil
                    e.state.failures = 0
                    e.notBefore = .distantPast
                case .failure(let error):
                    e.state.reachable = false
                    e.state.lastError = "\(error)"
                    e.state.failures += 1
                    let wait = min(settings.maxBackoff, settings.backoff * pow(2, Double(e.state.failures - 1)))
                    e.notBefore = now.addingTimeInterval(wait)
                }
                map[address] = e
            }
        }
    }

    /// Reads these miners now (no backoff), at most `concurrency` at a time, updating their states:
    /// the read-back of a command, which asks only what confirms it.
    public func read(_ addresses: [String]) async -> [MinerState] {
        await read(addresses, quick: true)
    }

    /// Reads these miners now; `quick` asks only what confirms a command (mode, hashrate, power)
    /// and keeps the rest from the last full reading.
    public func read(_ addresses: [String], quick: Bool) async -> [MinerState] {
        let picked: [Entry] = entries.withLock { map in addresses.compactMap { map[$0] } }
        record(await urgently { await readEach(picked, quick: quick) })
        return entries.withLock { map in addresses.compactMap { map[$0]?.state } }
    }

    /// Reads one miner now (no backoff), updating its state.
    public func read(_ address: String) async -> MinerState? {
        guard let entry = entries.withLock({ $0[address] }) else { return nil }
        var identity = entry.identity
        let began = Date()
        let result: Result<MinerTelemetry, any Error>
        do {
            if identity == nil { identity = try await driver.identify(entry.endpoint) }
            result = .success(try await driver.read(entry.endpoint, identity: identity))
        } catch {
            result = .failure(error)
        }
        record([(address, began, result, identity)])
        return entries.withLock { $0[address]?.state }
    }

    /// Sends commands: those that lower power go at once, those that raise it in waves over
    /// `rampUpSeconds`. Each is confirmed by the miner's own telemetry and retried until
    /// `commandAttempts` runs out.
    public func apply(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome] {
        await urgently { await applyNow(commands) }
    }

    private func applyNow(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome] {
        let down = commands.filter { !Self.raisesPower($0.command) }
        let up = commands.filter { Self.raisesPower($0.command) }
        var outcomes = await run(down)
        let waves = max(1, settings.waves)
        let perWave = Int((Double(up.count) / Double(waves)).rounded(.up))
        for w in 0..<waves {
            let slice = Array(up.dropFirst(w * perWave).prefix(perWave))
            if slice.isEmpty { break }
            if w > 0, settings.rampUpSeconds > 0 {
                try? await Task.sleep(nanoseconds: UInt64(settings.rampUpSeconds / Double(waves) * 1e9))
            }
            outcomes += await run(slice)
        }
        return outcomes
    }

    static func raisesPower(_ command: MinerCommand) -> Bool {
        switch command {
        case .wake, .profile, .powerTarget: return true
        case .sleep, .lowPower: return false
        }
    }

    private func run(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome] {
        let items = commands.map { ($0.address, $0.command) }
        return await boundedMap(items, limit: settings.concurrency) { [self] item in await self.execute(item.0, item.1) }
    }

    /// True when telemetry shows the command took effect.
    public static func confirms(_ t: MinerTelemetry, _ command: MinerCommand) -> Bool {
        switch command {
        case .sleep: return t.mode == .sleep || (t.hashrateTHs ?? 1) == 0 && t.mode != .normal
        case .wake: return t.mode == .normal || t.mode == .lowPower || t.mode == .ramping
        case .lowPower: return t.mode == .lowPower
        case .powerTarget(let w):
            if let limit = t.powerLimitW { return limit <= w + 1 }
            return (t.powerW ?? .infinity) <= w * 1.02
        case .profile(let name): return t.profile == name
        }
    }

    private func execute(_ address: String, _ command: MinerCommand) async -> CommandOutcome {
        let start = Date()
        guard let entry = entries.withLock({ $0[address] }) else {
            return CommandOutcome(address: address, command: command, acknowledged: false, confirmed: false, attempts: 0, seconds: 0, error: "unknown miner \(address)")
        }
        var identity = entry.identity
        var lastError: String?
        var acknowledged = false
        for attempt in 1...max(1, settings.commandAttempts) {
            do {
                if identity == nil { identity = try await driver.identify(entry.endpoint) }
                try await driver.send(command, to: entry.endpoint, identity: identity)
                acknowledged = true
                let deadline = Date().addingTimeInterval(settings.confirmTimeout)
                repeat {
                    if let state = await read(address), let t = state.telemetry, state.reachable, Self.confirms(t, command) {
                        return CommandOutcome(address: address, command: command, acknowledged: true, confirmed: true, attempts: attempt, seconds: Date().timeIntervalSince(start))
                    }
                    if Date() >= deadline { break }
                    try? await Task.sleep(nanoseconds: UInt64(settings.confirmInterval * 1e9))
                } while Date() < deadline
                lastError = "\(address): telemetry did not show \(command) within \(Int(settings.confirmTimeout)) s"
            } catch {
                lastError = "\(error)"
            }
        }
        return CommandOutcome(address: address, command: command, acknowledged: acknowledged, confirmed: false, attempts: max(1, settings.commandAttempts), seconds: Date().timeIntervalSince(start), error: lastError)
    }

    /// Sends each command once and reports the miners' acknowledgements, without waiting for
    /// telemetry (what a curtailment's first second looks like).
    public func acknowledge(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome] {
        let items = commands.compactMap { c in entries.withLock { $0[c.address] }.map { ($0, c.command) } }
        let driver = self.driver
        let limit = settings.concurrency
        return await urgently { await boundedMap(items, limit: limit) { item in
            let (entry, command) = item
            let start = Date()
            do {
                var identity = entry.identity
                if identity == nil { identity = try await driver.identify(entry.endpoint) }
                try await driver.send(command, to: entry.endpoint, identity: identity)
                return CommandOutcome(address: entry.endpoint.address, command: command, acknowledged: true, confirmed: false, attempts: 1, seconds: Date().timeIntervalSince(start))
            } catch {
                return CommandOutcome(address: entry.endpoint.address, command: command, acknowledged: false, confirmed: false, attempts: 1, seconds: Date().timeIntervalSince(start), error: "\(error)")
            }
        } }
    }
}

import Foundation
import GridshellCore
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import GridshellMiners
@testable import GridshellSimulator

/// The poller and controller over the real protocol driver against the simulator.
@Suite(.serialized) struct FleetPollerTests {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    func fleet(_ count: Int, first: String, mix: String = FleetPlan.defaultMix, scale: Double = 1_000) async throws -> SimulatedFleet {
        let specs = try FleetPlan.parse(mix: mix).specs(count: count, firstAddress: first)
        return try await SimulatedFleet.start(specs: specs, clock: SimulatorClock(scale: scale), rpcPort: 14_128, webPort: 18_180, threads: 1, listening: .perAddress)
    }

    func poller(_ fleet: SimulatedFleet, reply: Int64 = 2_000, settings: FleetSettings = FleetSettings(concurrency: 64, confirmTimeout: 5, confirmInterval: 0.05)) -> FleetPoller {
        let driver = ProtocolDriver(group: Self.group, limits: TransportLimits(connectTimeout: .milliseconds(500), replyTimeout: .milliseconds(reply)))
        return FleetPoller(driver: driver, settings: settings, endpoints: fleet.miners.map { MinerEndpoint(address: $0.spec.address, rpcPort: 14_128, webPort: 18_180) })
    }

    @Test func boundedMapKeepsOrderAndItsLimit() async {
        let inFlight = Mutex((now: 0, most: 0, calls: 0))
        let items = Array(0..<1_000)
        let out = await boundedMap(items, limit: 7) { i -> Int in
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.calls += 1 }
            await Task.yield()
            inFlight.withLock { $0.now -= 1 }
            return i * 2
        }
        #expect(out == items.map { $0 * 2 })
        let seen = inFlight.withLock { $0 }
        #expect(seen.calls == 1_000 && seen.now == 0)
        #expect(seen.most <= 7 && seen.most > 1)
        #expect(await boundedMap([Int](), limit: 4) { $0 }.isEmpty)
        #expect(await boundedMap([1, 2], limit: 100) { $0 + 1 } == [2, 3])
    }

    @Test func discoveryFindsAndIdentifiesEveryKind() async throws {
        let sim = try await fleet(5, first: "127.42.0.1")
        defer { Task { await sim.stop() } }
        let p = poller(sim)
        guard case .success(let range) = AddressRange.parse("127.42.0.1-8") else { Issue.record("range"); return }
        let found = await p.discover([range], rpcPort: 14_128, webPort: 18_180)
        #expect(found.count == 5, "three addresses have nothing listening")
        let kinds = Set(found.compactMap { p.identity(of: $0.address) }.map { "\($0.model)/\($0.firmware.rawValue)" })
        #expect(kinds == ["Antminer S19j Pro/stock", "Antminer S21/stock", "Antminer S21 XP/stock", "Antminer S19j Pro/luxos", "Antminer S21/luxos"])
    }

    @Test func aSweepWithAThirdDeadOrSlowFinishesOnTime() async throws {
        let sim = try await fleet(60, first: "127.42.1.1")
        defer { Task { await sim.stop() } }
        for i in 0..<10 { sim.miners[i].setFaults([.noAnswer]) }
        for i in 10..<20 { sim.miners[i].setFaults([.slowAnswer(seconds: 12)]) }
        let p = poller(sim, reply: 600)
        let start = Date()
        let states = await p.poll()
        let seconds = Date().timeIntervalSince(start)
        // In parallel the sweep costs one 0.6 s timeout; one after another it would cost 12 s,
        // and waiting for the slow answers 12 s. The bound leaves room for a loaded machine.
        #expect(seconds < 8, "dead and slow miners cost their timeout once, in parallel: \(seconds) s")
        let reachable = states.filter(\.reachable).count
        #expect(reachable == 40)
        let dead = states.filter { !$0.reachable }
        #expect(Set(dead.map(\.address)) == Set(sim.miners[0..<20].map(\.spec.address)))
        let explained = dead.allSatisfy { state in
            let text = state.lastError ?? ""
            return state.failures == 1 && (text.contains("timeout") || text.contains("within"))
        }
        #expect(explained)
        // Backoff: the next sweep does not try them again (a second try would count a second
        // failure).
        let second = await p.poll()
        let skipped = second.filter { !$0.reachable }.allSatisfy { $0.failures == 1 }
        #expect(skipped, "miners in backoff are skipped")
        #expect(second.filter(\.reachable).count == 40)
        let healthy = states.filter(\.reachable)
        #expect(healthy.allSatisfy { ($0.telemetry?.hashrateTHs ?? 0) > 90 && $0.telemetry?.mode == .normal })
    }

    @Test func commandsAreConfirmedByTelemetryAndStaged() async throws {
        let sim = try await fleet(10, first: "127.42.2.1")
        defer { Task { await sim.stop() } }
        let p = poller(sim, settings: FleetSettings(concurrency: 64, confirmTimeout: 5, confirmInterval: 0.05, rampUpSeconds: 0.4, waves: 2))
        _ = await p.poll()
        let all = sim.miners.map(\.spec.address)
        let down = await p.apply(all.map { (address: $0, command: MinerCommand.sleep) })
        let downErrors = down.compactMap(\.error).joined(separator: "; ")
        #expect(down.allSatisfy { $0.acknowledged && $0.confirmed }, "\(downErrors)")
        #expect(sim.miners.allSatisfy { $0.setting == .sleep })
        let upStart = Date()
        let up = await p.apply(all.map { (address: $0, command: MinerCommand.wake) })
        let allUp = up.allSatisfy(\.confirmed)
        #expect(allUp)
        #expect(Date().timeIntervalSince(upStart) >= 0.2, "two waves, a pause between them")
        let lux = sim.miners.filter { $0.spec.firmware == .luxos }.map(\.spec.address)
        let capped = await p.apply(lux.map { (address: $0, command: MinerCommand.powerTarget(watts: 2_600)) })
        let cappedErrors = capped.compactMap(\.error).joined(separator: "; ")
        let allCapped = capped.allSatisfy(\.confirmed)
        #expect(allCapped, "\(cappedErrors)")
        for a in lux { #expect((sim.miner(at: a)?.reading().powerLimitW ?? .infinity) <= 2_600) }
        let stock = sim.miners.first { $0.spec.firmware == .stock }!.spec.address
        let refused = await p.apply([(address: stock, command: MinerCommand.powerTarget(watts: 2_600))])
        #expect(!refused[0].confirmed && (refused[0].error ?? "").contains("stock firmware has no"))
    }

    @Test func readingSomeMinersNowLeavesTheOthersAlone() async throws {
        let sim = try await fleet(6, first: "127.42.4.1", mix: "s21/luxos:1")
        defer { Task { await sim.stop() } }
        let p = poller(sim)
        let full = await p.poll()
        #expect(full.allSatisfy { !($0.telemetry?.boards.isEmpty ?? true) && !($0.telemetry?.fanRPM.isEmpty ?? true) })
        let picked = Array(sim.miners.prefix(2))
        for m in sim.miners { m.apply(.sleep) }
        let requests = picked.map(\.exchanges.rpcRequests)
        let read = await p.read(picked.map(\.spec.address) + ["127.42.4.99"])
        // The two read now show what the miners show; an address the poller does not know is left out.
        #expect(read.map(\.address) == picked.map(\.spec.address))
        #expect(read.allSatisfy { $0.reachable && $0.telemetry?.mode != .normal })
        // A read-back is one short request (no stats, no pools) and keeps the boards and fans of
        // the last full reading.
        #expect(zip(picked, requests).allSatisfy { $0.exchanges.rpcRequests == $1 + 1 })
        #expect(read.allSatisfy { !($0.telemetry?.boards.isEmpty ?? true) && !($0.telemetry?.fanRPM.isEmpty ?? true) })
        // The rest keep the sweep's older view until the next sweep.
        let others = await p.states().filter { s in !picked.contains { $0.spec.address == s.address } }
        #expect(others.count == 4 && others.allSatisfy { $0.telemetry?.mode == .normal })
    }

    @Test func aControllerKeepsItsLuxOSSessionsAndLogsOnAgainAfterExpiry() async throws {
        let sim = try await fleet(3, first: "127.42.3.1", mix: "s21/luxos:1,s19jpro/luxos:1")
        defer { Task { await sim.stop() } }
        let driver = ProtocolDriver(
            group: Self.group, limits: TransportLimits(connectTimeout: .milliseconds(500), replyTimeout: .milliseconds(2_000)), holdsLuxOSSessions: true)
        let addresses = sim.miners.map(\.spec.address)
        let p = FleetPoller(
            driver: driver, settings: FleetSettings(concurrency: 8),
            endpoints: addresses.map { MinerEndpoint(address: $0, rpcPort: 14_128, webPort: 18_180) })
        let read = await p.poll()
        #expect(read.allSatisfy { $0.reachable })
        for m in sim.miners {
            #expect(m.exchanges.logons == 1, "the first read opens the session")
            #expect(m.activeSession != nil && driver.luxOSSession(of: m.spec.address) == m.activeSession)
        }
        // Every later command is one request on the kept session.
        for command in [MinerCommand.sleep, .wake, .sleep] {
            let before = sim.miners.map(\.exchanges)
            let acks = await p.acknowledge(addresses.map { (address: $0, command: command) })
            let problems = acks.compactMap(\.error).joined(separator: "; ")
            let allAcknowledged = acks.allSatisfy { $0.acknowledged }
            #expect(allAcknowledged, "\(problems)")
            for (m, was) in zip(sim.miners, before) {
                #expect(m.exchanges.rpcRequests - was.rpcRequests == 1, "\(command): one request, no logon")
                #expect(m.exchanges.logons == 1)
                #expect(m.setting == (command == .sleep ? .sleep : .normal))
            }
        }
        // The session lapsed (a minute unused): LuxOS refuses it, the driver logs on and retries once.
        let lapsed = sim.miners[0]
        let old = try #require(driver.luxOSSession(of: lapsed.spec.address))
        lapsed.expireSession()
        let before = lapsed.exchanges
        let acks = await p.acknowledge([(address: lapsed.spec.address, command: .wake)])
        let problems = acks.compactMap(\.error).joined(separator: "; ")
        #expect(acks.first?.acknowledged == true, "\(problems)")
        #expect(lapsed.setting == .normal)
        #expect(lapsed.exchanges.logons == 2)
        #expect(lapsed.exchanges.rpcRequests - before.rpcRequests == 3, "refused command, logon, command again")
        let renewed = try #require(driver.luxOSSession(of: lapsed.spec.address))
        #expect(renewed != old && renewed == lapsed.activeSession)
        // And the renewed session is kept in turn.
        let again = lapsed.exchanges
        _ = await p.acknowledge([(address: lapsed.spec.address, command: .sleep)])
        #expect(lapsed.exchanges.rpcRequests - again.rpcRequests == 1 && lapsed.setting == .sleep)
    }

    @Test func aControllerRenewsAnIdleLuxOSSessionBeforeItLapses() async throws {
        let sim = try await fleet(2, first: "127.42.3.11", mix: "s21/luxos:1")
        defer { Task { await sim.stop() } }
        // Renewed after 0.3 s idle here (40 s in service, against LuxOS's minute).
        let driver = ProtocolDriver(
            group: Self.group, limits: TransportLimits(connectTimeout: .milliseconds(500), replyTimeout: .milliseconds(2_000)), holdsLuxOSSessions: true,
            luxOSSessionRenewSeconds: 0.3)
        let addresses = sim.miners.map(\.spec.address)
        let p = FleetPoller(driver: driver, settings: FleetSettings(concurrency: 8), endpoints: addresses.map { MinerEndpoint(address: $0, rpcPort: 14_128, webPort: 18_180) })
        _ = await p.poll()
        let first = sim.miners.map(\.activeSession)
        // Read again at once: the session is fresh and kept.
        _ = await p.poll()
        #expect(sim.miners.allSatisfy { $0.exchanges.logons == 1 })
        try await Task.sleep(nanoseconds: 400_000_000)
        _ = await p.poll()
        for (m, old) in zip(sim.miners, first) {
            #expect(m.exchanges.logons == 2, "an idle session is ended and a new one opened")
            #expect(m.activeSession != nil && m.activeSession != old && driver.luxOSSession(of: m.spec.address) == m.activeSession)
        }
        // The curtailment that follows is one request.
        let before = sim.miners.map(\.exchanges)
        let acks = await p.acknowledge(addresses.map { (address: $0, command: .sleep) })
        let allAcknowledged = acks.allSatisfy { $0.acknowledged }
        #expect(allAcknowledged)
        for (m, was) in zip(sim.miners, before) { #expect(m.exchanges.rpcRequests - was.rpcRequests == 1) }
    }

    @Test func aMonitorTakesNoLuxOSSession() async throws {
        let sim = try await fleet(2, first: "127.42.4.1", mix: "s21/luxos:1")
        defer { Task { await sim.stop() } }
        let read = await poller(sim).poll()
        #expect(read.allSatisfy { $0.reachable })
        #expect(sim.miners.allSatisfy { $0.exchanges.logons == 0 && $0.activeSession == nil })
    }

    @Test func aStockCurtailmentIsOneAuthenticatedRequest() async throws {
        let sim = try await fleet(3, first: "127.42.5.1", mix: "s21/stock:1,s19jpro/stock:1")
        defer { Task { await sim.stop() } }
        let p = poller(sim)
        let read = await p.poll()
        #expect(read.allSatisfy { $0.reachable })
        #expect(sim.miners.allSatisfy { $0.exchanges.challenges == 1 }, "one Digest challenge per miner, at its first request")
        for command in [MinerCommand.sleep, .wake] {
            let before = sim.miners.map(\.exchanges)
            let acks = await p.acknowledge(sim.miners.map { (address: $0.spec.address, command: command) })
            let problems = acks.compactMap(\.error).joined(separator: "; ")
            let allAcknowledged = acks.allSatisfy { $0.acknowledged }
            #expect(allAcknowledged, "\(problems)")
            for (m, was) in zip(sim.miners, before) {
                #expect(m.exchanges.webRequests - was.webRequests == 1, "\(command): set_miner_conf alone")
                #expect(m.exchanges.challenges == was.challenges, "the kept nonce is accepted with the next count")
                #expect(m.exchanges.rpcRequests == was.rpcRequests)
                #expect(m.setting == (command == .sleep ? .sleep : .normal))
            }
        }
    }
}

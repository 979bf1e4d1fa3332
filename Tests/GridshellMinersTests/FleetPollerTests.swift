import Foundation
import GridshellCore
import NIOCore
import NIOPosix
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

    @Test func aSweepWithATenthDeadOrSlowFinishesOnTime() async throws {
        let sim = try await fleet(60, first: "127.42.1.1")
        defer { Task { await sim.stop() } }
        for i in 0..<3 { sim.miners[i].setFaults([.noAnswer]) }
        for i in 3..<6 { sim.miners[i].setFaults([.slowAnswer(seconds: 5)]) }
        let p = poller(sim, reply: 600)
        let start = Date()
        let states = await p.poll()
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 3, "dead and slow miners cost their timeout once, in parallel: \(seconds) s")
        let reachable = states.filter(\.reachable).count
        #expect(reachable == 54)
        let dead = states.filter { !$0.reachable }
        #expect(Set(dead.map(\.address)) == Set(sim.miners[0..<6].map(\.spec.address)))
        let explained = dead.allSatisfy { state in
            let text = state.lastError ?? ""
            return state.failures == 1 && (text.contains("timeout") || text.contains("within"))
        }
        #expect(explained)
        // Backoff: the next sweep does not wait for them again.
        let again = Date()
        _ = await p.poll()
        #expect(Date().timeIntervalSince(again) < 0.6, "miners in backoff are skipped")
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
}

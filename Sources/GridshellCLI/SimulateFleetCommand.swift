import ArgumentParser
import Dispatch
import Foundation
import GridshellCore
import GridshellSimulator
import Synchronization

struct SimulateFleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-fleet",
        abstract: "Runs simulated miners, each on its own loopback address, speaking the real protocols.",
        discussion: """
            Every miner answers the cgminer API on --rpc-port and its web interface on --web-port \
            (stock Antminer: HTTP Digest, root/root). Mix entries are model/firmware:weight with the \
            firmware stock or luxos. Faults: no-answer, slow, garbage, dead-board, overheating, \
            rebooting, each with the share of miners it hits. Stops on SIGINT or SIGTERM.
            """)

    @Option(help: "How many miners.")
    var count: Int = 10

    @Option(help: "Models and firmware, e.g. s21xp/stock:3,s19jpro/luxos:1.")
    var mix: String = FleetPlan.defaultMix

    @Option(help: "Address of the first miner; the rest follow (x.y.z.0 and .255 skipped).")
    var firstAddress: String = "127.20.0.1"

    @Option(help: "cgminer API port of every miner.")
    var rpcPort: Int = 4028

    @Option(help: "Web port of every miner.")
    var webPort: Int = 80

    @Option(help: "Simulated seconds per wall-clock second (1000 runs a five-minute ramp in 0.3 s).")
    var timeScale: Double = 1

    @Option(help: "Faults and the share of miners each hits, e.g. no-answer:0.05,slow:0.05.")
    var faults: String = ""

    @Option(help: "Seed for which miners get the faults.")
    var seed: UInt64 = 1

    @Option(help: "Sockets: per-address (two per miner), shared (one per port, wildcard, answering only the fleet's addresses) or automatic.")
    var listening: String = "automatic"

    @Option(help: "Write the miners (address, model, firmware, fault) as JSON here once all listen.")
    var readyFile: String?

    @Option(help: "Stop after this many wall-clock seconds (default: run until SIGINT or SIGTERM).")
    var seconds: Double?

    struct ReadyMiner: Encodable {
        var address: String
        var model: String
        var firmware: String
        var fault: String?
    }

    func validate() throws {
        guard count > 0, count <= 200_000 else { throw ValidationError("--count must be from 1 to 200000, got \(count)") }
        guard timeScale > 0, timeScale.isFinite else { throw ValidationError("--time-scale must be a positive number, got \(timeScale)") }
        guard (1...65_535).contains(rpcPort), (1...65_535).contains(webPort), rpcPort != webPort else {
            throw ValidationError("--rpc-port and --web-port must be two different ports from 1 to 65535")
        }
    }

    func run() async throws {
        let plan: FleetPlan
        let specs: [SimulatedMinerSpec]
        do {
            plan = try FleetPlan.parse(mix: mix, faults: faults)
            specs = try plan.specs(count: count, firstAddress: firstAddress)
        } catch let problem as FleetPlan.Problem {
            throw ValidationError(problem.description)
        }
        let layout: SimulatedFleet.Listening
        switch listening.lowercased() {
        case "per-address": layout = .perAddress
        case "shared": layout = .shared
        case "automatic": layout = .automatic
        default: throw ValidationError("--listening must be per-address, shared or automatic, got '\(listening)'")
        }
        let started = Date()
        let fleet: SimulatedFleet
        do {
            fleet = try await SimulatedFleet.start(specs: specs, clock: SimulatorClock(scale: timeScale), rpcPort: rpcPort, webPort: webPort, listening: layout)
        } catch {
            printError("error: \(error)")
            throw ExitCode(69)
        }
        let assigned = plan.faultAssignments(count: specs.count, seed: seed)
        fleet.apply(faults: assigned)
        let elapsed = Date().timeIntervalSince(started)
        if let readyFile {
            let ready = specs.enumerated().map { i, s in
                ReadyMiner(address: s.address, model: s.model.name, firmware: s.firmware.rawValue, fault: assigned[i]?.rawValue)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted]
            try encoder.encode(ready).write(to: URL(fileURLWithPath: readyFile), options: .atomic)
        }
        let last = specs.last?.address ?? firstAddress
        say("simulating \(specs.count) miners on \(firstAddress) … \(last) (ports \(rpcPort) and \(webPort)), listening after \(Format.number(elapsed, 2)) s, time ×\(Format.number(timeScale))\(fleet.shared ? ", one shared socket per port" : "")")
        var kinds: [String: Int] = [:]
        for s in specs { kinds["\(s.model.name) (\(s.firmware.rawValue))", default: 0] += 1 }
        for (k, n) in kinds.sorted(by: { $0.key < $1.key }) { say("  \(n) × \(k)") }
        if !assigned.isEmpty { say("  faults on \(assigned.count) miners: \(faults)") }
        await waitForStop(seconds: seconds)
        await fleet.stop()
        say("stopped")
    }
}

/// Returns on SIGINT or SIGTERM, or after `seconds` when given.
func waitForStop(seconds: Double?) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        let resumed = Mutex(false)
        let finish: @Sendable () -> Void = {
            if resumed.withLock({ was in defer { was = true }; return !was }) { done.resume() }
        }
        let queue = DispatchQueue(label: "gridshell.signals")
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler(handler: finish)
            source.resume()
            sources.append(source)
        }
        if let seconds { queue.asyncAfter(deadline: .now() + seconds, execute: finish) }
        // The sources must outlive this call: they stay for the life of the process.
        SignalSources.shared.keep(sources)
    }
}

/// Keeps signal sources alive for the life of the process (they are not Sendable, hence a lock).
final class SignalSources: @unchecked Sendable {
    static let shared = SignalSources()
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    func keep(_ s: [any DispatchSourceSignal]) {
        lock.lock()
        sources += s
        lock.unlock()
    }
}

/// Writes a line to standard output at once (a supervising process reads it while we run).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

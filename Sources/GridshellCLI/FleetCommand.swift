import ArgumentParser
import Foundation
import GridshellCore
import GridshellMiners
import NIOPosix

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Finds, reads and commands miners over their own protocols (cgminer API, stock web API, LuxOS).",
        subcommands: [Discover.self, Poll.self, Command.self])

    struct Target: ParsableArguments {
        @Option(help: "Miner addresses: one address, a CIDR block (10.1.0.0/22) or a range (10.1.0.10-200); repeatable.")
        var range: [String] = []

        @Option(help: "cgminer API port.")
        var rpcPort: Int = 4028

        @Option(help: "Web port.")
        var webPort: Int = 80

        @Option(help: "Miners talked to at once.")
        var concurrency: Int = 1_024

        @Option(help: "Per-miner timeout for a reply, in seconds.")
        var timeout: Double = 3

        @Option(help: "Web user and password of stock firmware, as user:password.")
        var webLogin: String = "root:root"

        @Flag(help: "Print the result as JSON.")
        var json = false

        func ranges() throws -> [AddressRange] {
            guard !range.isEmpty else { throw ValidationError("give at least one --range") }
            return try range.map { text in
                switch AddressRange.parse(text) {
                case .success(let r): return r
                case .failure(let p): throw ValidationError("--range \(text): \(p.message)")
                }
            }
        }

        /// The fleet over the real protocols; `control` when this run commands the miners (it
        /// then keeps each LuxOS miner's session from its first read on).
        func fleet(control: Bool = false) throws -> (FleetPoller, [MinerEndpoint]) {
            guard timeout > 0, timeout <= 120 else { throw ValidationError("--timeout must be from 0 to 120 seconds") }
            guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
            let login = webLogin.split(separator: ":", maxSplits: 1).map(String.init)
            guard login.count == 2 else { throw ValidationError("--web-login must be user:password") }
            let limits = TransportLimits(connectTimeout: .milliseconds(Int64(min(timeout, 1) * 1_000)), replyTimeout: .milliseconds(Int64(timeout * 1_000)))
            let driver = ProtocolDriver(group: MultiThreadedEventLoopGroup.singleton, limits: limits, webUser: login[0], webPassword: login[1], holdsLuxOSSessions: control)
            var endpoints: [MinerEndpoint] = []
            for r in try ranges() { for i in 0..<r.count { endpoints.append(MinerEndpoint(address: r.address(i), rpcPort: rpcPort, webPort: webPort)) } }
            return (FleetPoller(driver: driver, settings: FleetSettings(concurrency: concurrency)), endpoints)
        }
    }

    struct PollOutput: Encodable {
        var seconds: Double
        var miners: [MinerState]
        var reachable: Int
        var powerW: Double
        var hashrateTHs: Double
        /// Every sweep's time when more than one ran (the first one identifies the miners).
        var sweepSeconds: [Double] = []
    }

    static func summary(_ states: [MinerState], seconds: Double) -> PollOutput {
        let up = states.filter(\.reachable)
        return PollOutput(
            seconds: seconds, miners: states, reachable: up.count,
            powerW: up.compactMap(\.powerW).reduce(0, +), hashrateTHs: up.compactMap { $0.telemetry?.hashrateTHs }.reduce(0, +))
    }

    static func printStates(_ states: [MinerState], seconds: Double, json: Bool, sweeps: [Double] = []) throws {
        var out = summary(states, seconds: seconds)
        out.sweepSeconds = sweeps
        if json {
            print(try Format.json(out))
            return
        }
        var table = TextTable(["address", "model", "firmware", "mode", "TH/s", "W", "max chip °C", "note"], rightAligned: [4, 5, 6])
        for s in states.prefix(40) {
            let t = s.telemetry
            table.add([
                s.address, t?.identity?.model ?? "-", t?.identity?.firmware.rawValue ?? "-", s.reachable ? (t?.mode.rawValue ?? "-") : "unreachable",
                t?.hashrateTHs.map { Format.number($0, 1) } ?? "-", t?.powerW.map { Format.number($0) } ?? "-",
                t?.maxChipTemperatureC.map { Format.number($0) } ?? "-", s.lastError ?? (t?.errors.first ?? ""),
            ])
        }
        print(table.render())
        if states.count > 40 { print("… \(states.count - 40) more") }
        print("\(out.reachable) of \(states.count) miners answered in \(Format.number(seconds, 2)) s: \(Format.number(out.hashrateTHs / 1_000, 2)) PH/s, \(Format.number(out.powerW / 1_000, 1)) kW")
    }

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Probes address ranges and identifies the miners that answer.")
        @OptionGroup var target: Target

        func run() async throws {
            let (fleet, _) = try target.fleet()
            let start = Date()
            let found = await fleet.discover(try target.ranges(), rpcPort: target.rpcPort, webPort: target.webPort)
            let states = await fleet.states().filter { s in found.contains { $0.address == s.address } }
            let seconds = Date().timeIntervalSince(start)
            if target.json {
                struct Found: Encodable { var address: String; var identity: MinerIdentity? }
                struct Out: Encodable { var seconds: Double; var miners: [Found] }
                print(try Format.json(Out(seconds: seconds, miners: found.map { Found(address: $0.address, identity: fleet.identity(of: $0.address)) })))
            } else {
                for e in found {
                    let id = fleet.identity(of: e.address)
                    print("\(e.address)  \(id?.make ?? "?") \(id?.model ?? "?")  \(id?.firmware.rawValue ?? "?")  \(id?.firmwareVersion ?? "")")
                }
                print("\(found.count) miners found (\(states.count) identified) in \(Format.number(seconds, 2)) s")
            }
        }
    }

    struct Poll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reads every miner once (summary+stats+pools) and prints its state.",
            discussion: "Exit code 0 when every miner answered, 1 when some did not.")
        @OptionGroup var target: Target

        @Option(help: "Sweeps to run after the first; each is timed (the first one also identifies the miners).")
        var sweeps: Int = 0

        func run() async throws {
            guard sweeps >= 0, sweeps <= 100 else { throw ValidationError("--sweeps must be from 0 to 100") }
            let (fleet, endpoints) = try target.fleet()
            fleet.add(endpoints)
            var start = Date()
            var states = await fleet.poll()
            var seconds = Date().timeIntervalSince(start)
            var timings = [seconds]
            for _ in 0..<sweeps {
                start = Date()
                states = await fleet.poll()
                seconds = Date().timeIntervalSince(start)
                timings.append(seconds)
            }
            if sweeps > 0, !target.json {
                printError("sweep seconds (the first identifies): " + timings.map { Format.number($0, 3) }.joined(separator: ", "))
            }
            try FleetCommand.printStates(states, seconds: seconds, json: target.json, sweeps: timings)
            if states.contains(where: { !$0.reachable }) { throw ExitCode(1) }
        }
    }

    struct Command: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sends a command to every miner and waits until each one's telemetry confirms it.",
            discussion: "Commands: sleep, wake, low-power (stock), power-target WATTS (LuxOS), profile NAME (LuxOS).")
        @OptionGroup var target: Target

        @Argument(help: "sleep, wake, low-power, power-target or profile.")
        var command: String

        @Argument(help: "Watts for power-target, the name for profile.")
        var value: String?

        @Option(help: "Seconds to wait for telemetry to confirm each command.")
        var confirmTimeout: Double = 30

        @Flag(help: "Only wait for each miner's acknowledgement, not for its telemetry.")
        var noConfirm = false

        func parsed() throws -> MinerCommand {
            switch command.lowercased() {
            case "sleep", "curtail": return .sleep
            case "wake", "resume": return .wake
            case "low-power": return .lowPower
            case "power-target":
                guard let v = value, let w = Double(v), w > 0 else { throw ValidationError("power-target needs watts, e.g. power-target 2500") }
                return .powerTarget(watts: w)
            case "profile":
                guard let v = value, !v.isEmpty else { throw ValidationError("profile needs a name") }
                return .profile(v)
            default:
                throw ValidationError("unknown command '\(command)': expected sleep, wake, low-power, power-target or profile")
            }
        }

        func run() async throws {
            let cmd = try parsed()
            let (base, endpoints) = try target.fleet(control: true)
            var settings = base.settings
            settings.confirmTimeout = noConfirm ? 0 : confirmTimeout
            settings.commandAttempts = noConfirm ? 1 : settings.commandAttempts
            let fleet = FleetPoller(driver: base.driver, settings: settings, endpoints: endpoints)
            let readStart = Date()
            let targets = await fleet.poll().filter(\.reachable).map { ($0.address, cmd) }
            let readSeconds = Date().timeIntervalSince(readStart)
            let start = Date()
            let outcomes = noConfirm
                ? await fleet.acknowledge(targets.map { (address: $0.0, command: $0.1) })
                : await fleet.apply(targets.map { (address: $0.0, command: $0.1) })
            let seconds = Date().timeIntervalSince(start)
            let done = outcomes.filter { noConfirm ? $0.acknowledged : $0.confirmed }.count
            if target.json {
                struct Out: Encodable {
                    var identifySeconds: Double
                    var seconds: Double
                    var command: String
                    var acknowledged: Int
                    var confirmed: Int
                    var outcomes: [CommandOutcome]
                }
                print(try Format.json(Out(
                    identifySeconds: readSeconds, seconds: seconds, command: cmd.description,
                    acknowledged: outcomes.filter(\.acknowledged).count, confirmed: outcomes.filter(\.confirmed).count, outcomes: outcomes)))
            } else {
                for o in outcomes where !o.confirmed { print("\(o.address): \(o.error ?? "not confirmed")") }
                print("\(cmd): \(done) of \(outcomes.count) miners \(noConfirm ? "acknowledged" : "confirmed") in \(Format.number(seconds, 2)) s after a first read of \(Format.number(readSeconds, 2)) s (\(endpoints.count - targets.count) unreachable)")
            }
            if done < endpoints.count { throw ExitCode(1) }
        }
    }
}

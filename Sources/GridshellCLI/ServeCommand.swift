import ArgumentParser
import Foundation
import GridshellDispatch
import GridshellServer
import GridshellStore
import Logging

/// Options `serve` and `demo` share.
struct ServeSharedOptions: ParsableArguments {
    @Option(help: "Address the HTTP server listens on.")
    var host: String = "127.0.0.1"

    @Option(help: "HTTP port (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "Policy: gridshell, strike, strike-PRICE or always-on.")
    var policy: String = "gridshell"

    @Option(help: "Seconds between two sweeps of the fleet (serve: 5, demo: 2).")
    var pollSeconds: Double?

    @Option(help: "Hours raw telemetry is kept before it is folded into buckets.")
    var rawTelemetryHours: Double = 24

    @Option(help: "Days telemetry buckets are kept.")
    var keepDays: Double = 90

    @Option(help: "Write {\"url\": …} to this file once the server listens.")
    var readyFile: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard let p = Policy.named(policy), p.isOnline else {
            throw ValidationError("--policy must be gridshell, strike, strike-PRICE or always-on (hindsight needs the future); got '\(policy)'")
        }
        if let pollSeconds, !(pollSeconds >= 0.2 && pollSeconds <= 3600) { throw ValidationError("--poll-seconds must be from 0.2 to 3600") }
        guard rawTelemetryHours > 0, keepDays > 0 else { throw ValidationError("--raw-telemetry-hours and --keep-days must be over 0") }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the live site controller: store, fleet poller, dispatch loop, HTTP API, metrics and dashboard.",
        discussion: """
            The site file's miner groups list their addresses; the controller polls them over their own \
            protocols and brings them to each interval's plan. Prices come from the site file's feeds: \
            by default an ERCOT real-time file (--prices) replayed as published at --speed from --from; \
            with --live, an HTTP endpoint, a file a downloader keeps current, or an operator's price. \
            A stale feed puts the site on a conservative fallback. Everything is recorded in --db (SQLite, WAL); \
            a restart carries on from it. Stops on SIGTERM or SIGINT, finishing the commands under way.
            """)

    @Option(help: "Site file (YAML).")
    var site: String

    @Option(help: "SQLite database of the site's record.")
    var db: String = "gridshell.sqlite"

    @Option(help: "ERCOT real-time price file for the site's settlement point.")
    var prices: String = "data/ercot/ercot_RTM-2021-02.csv"

    @Option(help: "ERCOT day-ahead file (the forecast's shape).")
    var dayAhead: String?

    @Option(help: "Bitcoin daily history CSV for hashprice.")
    var btc: String = "data/btc/btc_daily_2019_2025.csv"

    @Option(help: "Replay start, YYYY-MM-DD or ISO 8601 (UTC).")
    var from: String?

    @Option(help: "Replay end, YYYY-MM-DD or ISO 8601 (UTC).")
    var to: String?

    @Option(help: "Site seconds per wall second (900 replays a 15-minute interval every second).")
    var speed: Double = 1

    @Option(help: "cgminer API port of the miners.")
    var rpcPort: Int = 4028

    @Option(help: "Web port of the miners.")
    var webPort: Int = 80

    @Flag(help: "Run a simulated miner at every address of the site file (a test site).")
    var simulateFleet = false

    @Flag(help: "Live: site time is wall time; prices come from the site file's feeds.prices, not --prices.")
    var live = false

    @Option(name: .customLong("slurm-conf"), help: "Drive the AI side through this Slurm cluster (its slurm.conf): caps, checkpoint and requeue.")
    var slurmConf: String?

    @Option(name: .customLong("gpu-node"), help: "This machine's Slurm node name: hold its GPUs to the plan's caps with nvidia-smi.")
    var gpuNode: String?

    @Option(name: .customLong("nvidia-smi"), help: "The nvidia-smi to use.")
    var nvidiaSMI = "nvidia-smi"

    @OptionGroup var shared: ServeSharedOptions

    func validate() throws {
        if gpuNode != nil, slurmConf == nil { throw ValidationError("--gpu-node needs --slurm-conf: the agent caps the GPUs of the scheduler's jobs") }
        if live, speed != 1 || from != nil || to != nil {
            throw ValidationError("--live runs in real time: --speed, --from and --to are for a replay")
        }
        guard speed > 0, speed <= 100_000 else { throw ValidationError("--speed must be over 0 and at most 100000") }
        for (label, value) in [("--from", from), ("--to", to)] {
            if let value, ServeCommand.parseTime(value) == nil { throw ValidationError("\(label) must be YYYY-MM-DD or ISO 8601; got '\(value)'") }
        }
    }

    static func parseTime(_ text: String) -> Date? {
        ISO8601DateFormatter().date(from: text) ?? HashpriceCommand.parseDate(text)
    }

    func run() async throws {
        var options = ServeOptions(sitePath: site, databasePath: db, pricesPath: prices, bitcoinPath: btc)
        options.dayAheadPath = dayAhead
        options.from = from.flatMap(Self.parseTime)
        options.to = to.flatMap(Self.parseTime)
        options.speed = speed
        options.rpcPort = rpcPort
        options.webPort = webPort
        options.simulateFleet = simulateFleet
        options.live = live
        options.slurmConf = slurmConf
        options.gpuNode = gpuNode
        options.nvidiaSMI = nvidiaSMI
        shared.apply(to: &options)
        try await Self.serve(options) { url in
            print("gridshell serve: listening on \(url)")
            fflush(nil)
        }
    }

    static func serve(_ options: ServeOptions, onListening: @escaping @Sendable (String) -> Void) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
            return handler
        }
        do {
            try await SiteServer.run(options, onListening: onListening)
        } catch let error as ServeError {
            printError("gridshell serve: \(error.description)")
            if case .unreadable = error { throw Exit.cannotRead }
            throw Exit.invalidInput
        } catch {
            // What the service group stopped on: most often the HTTP port.
            let text = "\(error)"
            if text.contains("Address already in use") {
                printError("gridshell serve: \(options.host):\(options.port) is taken by another program; choose another with --port (0 picks a free one)")
            } else {
                printError("gridshell serve: stopped: \(text)")
            }
            throw ExitCode.failure
        }
    }
}

extension ServeSharedOptions {
    func apply(to options: inout ServeOptions) {
        options.host = host
        options.port = port
        options.policy = Policy.named(policy) ?? .gridshell(GridshellSettings())
        if let pollSeconds { options.pollSeconds = pollSeconds }
        options.rawTelemetryHours = rawTelemetryHours
        options.keepDays = keepDays
        options.readyFile = readyFile
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Access tokens for the API.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Creates a bearer token with a role; prints the secret once (the store keeps only its SHA-256).")

        @Option(help: "viewer, operator or admin.")
        var role: String

        @Option(help: "A name for the token (who holds it).")
        var name: String

        @Option(help: "SQLite database of the site's record.")
        var db: String = "gridshell.sqlite"

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be viewer, operator or admin; got '\(role)'") }
        }

        func run() async throws {
            do {
                let store = try SQLiteStore(path: db)
                let secret = try AccessToken.create(name: name, role: Role(rawValue: role)!, store: store)
                print(secret)
            } catch let error as APIError {
                printError("gridshell token create: \(error.message)")
                throw Exit.invalidInput
            } catch {
                printError("gridshell token create: \(error)")
                throw Exit.cannotRead
            }
        }
    }
}

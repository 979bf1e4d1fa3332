import ArgumentParser
import Foundation
import GridshellCore
import GridshellServer
import GridshellStore

/// `gridshell demo`: the live controller on the demo campus, its 1,000 miners simulated on
/// loopback, dispatching through Winter Storm Uri replayed from ERCOT's real prices.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Runs the live controller on the demo site through a replay of Winter Storm Uri; prints the dashboard URL and tokens.",
        discussion: """
            Everything comes with the project: examples/demo-hybrid.yaml (1,000 miners simulated on \
            127.77.0-3.x), ERCOT's HB_WEST real-time prices for February 2021, and the Bitcoin history. \
            Each 15-minute interval lasts --seconds-per-interval of wall time. Stops on Ctrl-C, or after \
            --seconds.
            """)

    @Option(help: "Project folder holding examples/ and data/ (found from the working folder by default).")
    var root: String?

    @Option(help: "Replay start (UTC).")
    var from: String = "2021-02-14"

    @Option(help: "Replay end (UTC).")
    var to: String = "2021-02-20"

    @Option(help: "Wall seconds each 15-minute interval lasts.")
    var secondsPerInterval: Double = 0.5

    @Option(help: "Stop after this many wall seconds (runs until Ctrl-C by default).")
    var seconds: Double?

    @Option(help: "Where the demo's database goes (made anew each run).")
    var db: String = "out/demo/gridshell.sqlite"

    @Option(help: "cgminer API port of the simulated miners.")
    var rpcPort: Int = 14028

    @Option(help: "Web port of the simulated miners.")
    var webPort: Int = 18080

    @Flag(help: "Run without the local grid operator (the OpenADR VTN that calls an event).")
    var noGridEvent = false

    @OptionGroup var shared: ServeSharedOptions

    func validate() throws {
        guard secondsPerInterval >= 0.05, secondsPerInterval <= 900 else { throw ValidationError("--seconds-per-interval must be from 0.05 to 900") }
        if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be over 0") }
        for (label, value) in [("--from", from), ("--to", to)] where ServeCommand.parseTime(value) == nil {
            throw ValidationError("\(label) must be YYYY-MM-DD or ISO 8601; got '\(value)'")
        }
        if let root, !FileManager.default.fileExists(atPath: root + "/examples/demo-hybrid.yaml") {
            throw ValidationError("--root: \(root) has no examples/demo-hybrid.yaml; give the project folder")
        }
    }

    /// Starts `scripts/site_vtn.py` on a free port; nil when python3 or openleadr is missing.
    static func startVTN(root: String, folder: String, secondsPerInterval: Double) -> (process: Process, port: Int, log: String, startIn: Double, duration: Double)? {
        let log = folder + "/vtn.jsonl"
        try? FileManager.default.removeItem(atPath: log)
        // About 24 intervals in; four site hours long.
        let startIn = 24 * secondsPerInterval, duration = 16 * secondsPerInterval
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        p.arguments = [
            "python3", "scripts/site_vtn.py", "--port", "0", "--log", log, "--signal", "setpoint", "--value", "3.5", "--start-in", "\(startIn)",
            "--duration", "\(duration)", "--lifetime", "1000000", "--ven-id", "demo-campus",
        ]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        do { try p.run() } catch { return nil }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, p.isRunning {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), let first = text.split(separator: "\n").first,
                let json = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any], let port = json["port"] as? Int
            {
                return (p, port, log, startIn, duration)
            }
            usleep(100_000)
        }
        if p.isRunning { p.terminate() }
        return nil
    }

    func projectRoot() throws -> String {
        var candidates: [String] = []
        if let root { candidates.append(root) }
        candidates.append(FileManager.default.currentDirectoryPath)
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(url.path)
            url = url.deletingLastPathComponent()
        }
        for c in candidates where FileManager.default.fileExists(atPath: c + "/examples/demo-hybrid.yaml") { return c }
        printError("gridshell demo: cannot find examples/demo-hybrid.yaml; run it from the project folder or give --root")
        throw Exit.cannotRead
    }

    func run() async throws {
        let root = try projectRoot()
        try? FileManager.default.removeItem(atPath: db)
        try? FileManager.default.removeItem(atPath: db + "-wal")
        try? FileManager.default.removeItem(atPath: db + "-shm")
        try FileManager.default.createDirectory(atPath: (db as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        Self.printPlan(sitePath: root + "/examples/demo-hybrid.yaml", folder: (db as NSString).deletingLastPathComponent)
        var options = ServeOptions(
            sitePath: root + "/examples/demo-hybrid.yaml", databasePath: db, pricesPath: root + "/data/ercot/ercot_RTM-2021-02.csv",
            bitcoinPath: root + "/data/btc/btc_daily_2019_2025.csv")
        options.dayAheadPath = root + "/data/ercot/ercot_DAM_LZHB_SPP_2021.csv"
        options.from = ServeCommand.parseTime(from)
        options.to = ServeCommand.parseTime(to)
        options.speed = 900 / secondsPerInterval
        options.simulateFleet = true
        options.rpcPort = rpcPort
        options.webPort = webPort
        options.pollSeconds = 2
        shared.apply(to: &options)
        options.rampUpWallSeconds = min(2, secondsPerInterval)
        // The grid operator: a local OpenADR VTN (openleadr) that calls one event on the site.
        var vtnNote = ""
        let vtn = noGridEvent ? nil : Self.startVTN(root: root, folder: (db as NSString).deletingLastPathComponent, secondsPerInterval: secondsPerInterval)
        if let vtn {
            options.openADR = OpenADRSettings(
                vtnURL: "http://127.0.0.1:\(vtn.port)/OpenADR2/Simple/2.0b", venName: "demo-campus", creditUSDPerMWh: 150, pollSeconds: 1)
            vtnNote = """

                  Grid operator:         an OpenADR 2.0b VTN (openleadr) at http://127.0.0.1:\(vtn.port)/OpenADR2/Simple/2.0b
                                         calls a 3.5 MW limit \(Int(vtn.startIn)) s in, for \(Int(vtn.duration / 60 * (900 / secondsPerInterval) / 60)) site hours; its log: \(vtn.log)
                """
        } else if !noGridEvent {
            vtnNote = "\n  Grid operator:         none (python3 with openleadr is missing: scripts/install-deps.sh installs it)"
        }
        defer { vtn?.process.terminate() }
        let gridNote = vtnNote
        let store = try SQLiteStore(path: db)
        let admin = try AccessToken.create(name: "demo-admin", role: .admin, store: store)
        let operatorToken = try AccessToken.create(name: "demo-operator", role: .operator, store: store)
        let viewer = try AccessToken.create(name: "demo-viewer", role: .viewer, store: store)
        let stopAfter = seconds
        if let stopAfter {
            // A bounded demo (CI's smoke run): SIGTERM to ourselves ends the service group gracefully.
            Task.detached {
                try? await Task.sleep(nanoseconds: UInt64(stopAfter * 1e9))
                kill(getpid(), SIGTERM)
            }
        }
        try await ServeCommand.serve(options) { url in
            print("""

                Gridshell demo: 1,000 simulated miners on a 7 MW hybrid campus, dispatched live through
                Winter Storm Uri (ERCOT HB_WEST real-time prices, \(from) to \(to)), one 15-minute interval
                every \(secondsPerInterval) s.

                  Dashboard (operator):  \(url)#token=\(operatorToken)
                  Admin token:           \(admin)
                  Viewer token:          \(viewer)
                  API:                   curl -H 'Authorization: Bearer \(viewer)' \(url)api/v1/state
                  Metrics:               \(url)metrics\(gridNote)

                Ctrl-C stops it.
                """)
            fflush(nil)
        }
    }
}

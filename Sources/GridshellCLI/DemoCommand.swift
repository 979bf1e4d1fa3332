import ArgumentParser
import Foundation
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

    @OptionGroup var shared: ServeSharedOptions

    func validate() throws {
        guard secondsPerInterval >= 0.05, secondsPerInterval <= 900 else { throw ValidationError("--seconds-per-interval must be from 0.05 to 900") }
        if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be over 0") }
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
                  Metrics:               \(url)metrics

                Ctrl-C stops it.
                """)
            fflush(nil)
        }
    }
}

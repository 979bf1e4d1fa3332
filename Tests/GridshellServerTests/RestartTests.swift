import Foundation
import GridshellCore
import GridshellSimulator
import GridshellStore
import GridshellTestSupport
import Testing

/// `gridshell serve` as a process against a simulated fleet that outlives it: killed with
/// SIGKILL mid-ramp and started again, it loses no ledger interval, counts none twice, and sends
/// no command twice.
@Suite("Kill and restart", .serialized)
struct RestartTests {
    struct Setup {
        let dir: URL
        let fleet: SimulatedFleet
        let site: URL
        let db: String
        let rpcPort: Int
        let webPort: Int
    }

    /// 20 LuxOS S21 and 20 stock S19j Pro on 127.78.x.y, and a site file that lists them.
    static func setup(_ name: String, rpcPort: Int, webPort: Int, speed: Double) async throws -> Setup {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let catalog = MinerCatalog.builtIn
        let s21 = try #require(catalog.model(named: "Antminer S21"))
        let s19 = try #require(catalog.model(named: "Antminer S19j Pro"))
        var specs: [SimulatedMinerSpec] = []
        for i in 1...20 {
            specs.append(SimulatedMinerSpec(address: "127.78.0.\(i)", model: s21, firmware: .luxos, serial: "L\(i)", mac: "02:00:00:00:00:\(String(format: "%02X", i))"))
            specs.append(SimulatedMinerSpec(address: "127.78.1.\(i)", model: s19, firmware: .stock, serial: "S\(i)", mac: "02:00:00:00:01:\(String(format: "%02X", i))"))
        }
        let fleet = try await SimulatedFleet.start(specs: specs, clock: SimulatorClock(scale: speed), rpcPort: rpcPort, webPort: webPort, threads: 1, listening: .perAddress)
        let yaml = """
            name: Restart test site
            interconnect_mw: 3
            contract: {type: real_time, settlement_point: HB_WEST}
            ai_tenants:
              - {name: tenant, firm_kw: 1000, usd_per_kw_month: 100, term_years: 5}
            miners:
              - {name: lux, model: Antminer S21, firmware: luxos, count: 20, addresses: [127.78.0.1-20]}
              - {name: stock, model: Antminer S19j Pro, firmware: stock, count: 20, addresses: [127.78.1.1-20]}
            """
        let site = dir.appendingPathComponent("site.yaml")
        try yaml.write(to: site, atomically: true, encoding: .utf8)
        return Setup(dir: dir, fleet: fleet, site: site, db: dir.appendingPathComponent("site.sqlite").path, rpcPort: rpcPort, webPort: webPort)
    }

    static func serve(_ s: Setup, speed: Double, environment: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = try gridshellBinary()
        p.currentDirectoryURL = URL(fileURLWithPath: Harness.root)
        p.arguments = [
            "serve", "--site", s.site.path, "--db", s.db, "--from", "2021-02-15T00:00:00Z", "--to", "2021-02-18T00:00:00Z", "--speed", "\(speed)",
            "--rpc-port", "\(s.rpcPort)", "--web-port", "\(s.webPort)", "--port", "0", "--poll-seconds", "0.3",
        ]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: s.dir.appendingPathComponent("serve.log").path) ?? {
            FileManager.default.createFile(atPath: s.dir.appendingPathComponent("serve.log").path, contents: nil)
            return FileHandle(forWritingAtPath: s.dir.appendingPathComponent("serve.log").path)
        }()
        try p.run()
        return p
    }

    /// Waits for `condition`, asked every `every` seconds, with a deadline.
    static func wait(_ seconds: Double, _ what: String, every: Double = 0.05, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: UInt64(every * 1e9))
        }
        Issue.record("timed out after \(seconds) s waiting for \(what)")
        throw CancellationError()
    }

    static func check(_ s: Setup, intervalSeconds: Double = 900) throws -> (entries: [LedgerEntry], commands: [CommandRecord]) {
        let store = try SQLiteStore(path: s.db)
        let entries = try store.ledger(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4e9))
        // No interval lost, none counted twice: consecutive starts, one each.
        let starts = entries.map(\.start.timeIntervalSince1970)
        #expect(Set(starts).count == starts.count)
        let gaps = zip(starts, starts.dropFirst()).filter { abs($1 - $0 - intervalSeconds) > 0.5 }
        #expect(gaps.isEmpty, "ledger gaps: \(gaps)")
        // No command applied twice: no miner received the same command twice in a row.
        var repeats: [String] = []
        for miner in s.fleet.miners {
            let log = miner.commandLog
            for (a, b) in zip(log, log.dropFirst()) where a == b { repeats.append("\(miner.spec.address): \(a) twice") }
        }
        #expect(repeats.isEmpty, "\(repeats.prefix(5))")
        let commands = try store.commands(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4e9), address: nil, limit: 1_000_000)
        return (entries, commands)
    }

    @Test("SIGKILL mid-ramp, then a restart: the ledger carries on without a gap or a double, no command is sent twice")
    func killMidRamp() async throws {
        let speed = 1800.0  // a 15-minute interval every 0.5 s
        let s = try await Self.setup("kill", rpcPort: 24_028, webPort: 28_080, speed: speed)
        defer { Task { await s.fleet.stop() } }
        let first = try Self.serve(s, speed: speed)
        // Uri's prices put miners to sleep at once: kill as soon as the first commands land.
        try await Self.wait(60, "the first commands") { s.fleet.miners.contains { !$0.commandLog.isEmpty } }
        kill(first.processIdentifier, SIGKILL)
        await waitForExit(first)
        let settledBefore = try SQLiteStore(path: s.db).ledger(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4e9)).count
        // Down for two intervals of site time, then back.
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let second = try Self.serve(s, speed: speed)
        try await Self.wait(60, "six more settled intervals") {
            try SQLiteStore(path: s.db).ledger(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4e9)).count >= settledBefore + 6
        }
        kill(second.processIdentifier, SIGTERM)
        await waitForExit(second)
        #expect(second.terminationReason == .exit)
        let (entries, commands) = try Self.check(s)
        #expect(entries.count >= settledBefore + 6)
        #expect(!commands.isEmpty)
        // A graceful stop leaves nothing unanswered.
        #expect(try SQLiteStore(path: s.db).unfinishedCommands().isEmpty)
    }

    @Test("a crash between journalling and sending: the restart sends each command once, not twice")
    func crashAfterJournal() async throws {
        let speed = 1800.0
        let s = try await Self.setup("journal", rpcPort: 24_029, webPort: 28_081, speed: speed)
        defer { Task { await s.fleet.stop() } }
        let crashing = try Self.serve(s, speed: speed, environment: ["GRIDSHELL_FAILPOINT": "after-journal"])
        await waitForExit(crashing)
        #expect(crashing.terminationStatus == 70)
        let journalled = try SQLiteStore(path: s.db).unfinishedCommands()
        #expect(!journalled.isEmpty)
        let untouched = s.fleet.miners.allSatisfy { $0.commandLog.isEmpty }
        #expect(untouched)
        let second = try Self.serve(s, speed: speed)
        try await Self.wait(60, "the journalled commands answered") { try SQLiteStore(path: s.db).unfinishedCommands().isEmpty }
        kill(second.processIdentifier, SIGTERM)
        await waitForExit(second)
        _ = try Self.check(s)
        // Each journalled command reached its miner (once: `check` found no repeats).
        let reached = journalled.filter { c in s.fleet.miner(at: c.address)?.commandLog.isEmpty == false }
        #expect(reached.count == journalled.count)
    }
}

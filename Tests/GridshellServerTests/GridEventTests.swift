import Foundation
import GridshellCore
import GridshellServer
import GridshellSimulator
import GridshellStore
import GridshellTestSupport
import Testing

/// openleadr's VTN, `gridshell serve` and a simulated fleet together: the VTN calls an event, the
/// site opts in, sheds its miners within the event, reports its power, and the ledger credits
/// the reduction.
@Suite("Grid event end to end", .serialized)
struct GridEventTests {
    struct VTNLine: Decodable {
        var type: String
        var port: Int?
        var opt: String?
        var r_id: String?
        var values: [Value]?
        var dtstart: String?
        var wall: Double
        struct Value: Decodable { var t: String; var v: Double }
    }

    static func lines(_ path: String) -> [VTNLine] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(VTNLine.self, from: Data($0.utf8)) }
    }

    @Test("an OpenADR event from openleadr's VTN: opt-in, miners asleep within the event, reports at the target, credit in the ledger")
    func eventFromVTN() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-event-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s21 = try #require(MinerCatalog.builtIn.model(named: "Antminer S21"))
        let specs = (1...20).map { SimulatedMinerSpec(address: "127.80.0.\($0)", model: s21, firmware: .luxos, serial: "EV\($0)", mac: String(format: "02:00:00:00:03:%02X", $0)) }
        let speed = 60.0
        let fleet = try await SimulatedFleet.start(specs: specs, clock: SimulatorClock(scale: speed), rpcPort: 24_041, webPort: 28_091, threads: 1, listening: .perAddress)

        // The VTN: an event of SIMPLE level 3 starting 4 s after the site registers its reports,
        // lasting 20 s (20 site minutes at speed 60).
        let log = dir.appendingPathComponent("vtn.jsonl").path
        let vtn = Process()
        vtn.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        vtn.currentDirectoryURL = URL(fileURLWithPath: Harness.root)
        vtn.arguments = ["python3", "scripts/site_vtn.py", "--port", "0", "--log", log, "--value", "3", "--start-in", "4", "--duration", "20", "--lifetime", "150"]
        vtn.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try vtn.run()
        defer { if vtn.isRunning { vtn.terminate() } }
        try await RestartTests.wait(90, "the VTN to listen (is openleadr installed? run scripts/install-deps.sh)") { Self.lines(log).first?.port != nil }
        let port = try #require(Self.lines(log).first?.port)

        let yaml = """
            name: Grid event site
            interconnect_mw: 1
            contract: {type: real_time, settlement_point: HB_WEST}
            ai_tenants:
              - {name: tenant, firm_kw: 500, usd_per_kw_month: 100, term_years: 5}
            miners:
              - {name: lux, model: Antminer S21, firmware: luxos, count: 20, addresses: [127.80.0.1-20]}
            grid_programs:
              openadr: {vtn_url: "http://127.0.0.1:\(port)/OpenADR2/Simple/2.0b", ven_name: site-ven, credit_usd_per_mwh: 200, simple_levels: {3: 0.501}, poll_seconds: 1}
            """
        let site = dir.appendingPathComponent("site.yaml")
        try yaml.write(to: site, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("event.sqlite").path
        let serve = Process()
        serve.executableURL = try gridshellBinary()
        serve.currentDirectoryURL = URL(fileURLWithPath: Harness.root)
        serve.arguments = [
            "serve", "--site", site.path, "--db", db, "--from", "2021-02-02T00:00:00Z", "--to", "2021-02-03T00:00:00Z", "--speed", "\(speed)",
            "--rpc-port", "24041", "--web-port", "28091", "--port", "0", "--poll-seconds", "0.5",
        ]
        serve.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        serve.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try serve.run()
        defer { if serve.isRunning { serve.terminate(); serve.waitUntilExit() } }

        // The site opts in.
        try await RestartTests.wait(60, "the site's opt answer") { Self.lines(log).contains { $0.type == "opt" } }
        #expect(Self.lines(log).first { $0.type == "opt" }?.opt == "optIn")
        let added = try #require(Self.lines(log).first { $0.type == "event_added" })
        let start = try #require(ISO8601DateFormatter().date(from: String(added.dtstart!.prefix(19)) + "Z"))
        // Miners are all asleep within 10 s of the event's start, and stay so while it lasts.
        try await RestartTests.wait(40, "every miner asleep") { fleet.miners.allSatisfy { $0.setting == .sleep } }
        let asleepAt = Date()
        #expect(asleepAt.timeIntervalSince(start) < 10, "asleep \(asleepAt.timeIntervalSince(start)) s after the event began")
        // Reports during the event show the site at its target (the firm 0.5 MW).
        try await RestartTests.wait(20, "a report at the target") {
            Self.lines(log).contains { $0.type == "report" && $0.r_id == "site_power" && $0.wall > asleepAt.timeIntervalSince1970 && ($0.values?.first?.v ?? 9) <= 0.501 + 1e-6 }
        }
        // After the event the miners come back.
        try await RestartTests.wait(60, "the miners back after the event") { fleet.miners.filter { $0.setting != .sleep }.count >= 10 }
        // The interval that began inside the event is settled once it ends (a minute of wall
        // time at most at this speed), with its credit.
        let reader = try SQLiteStore(path: db)
        try await RestartTests.wait(90, "the event's interval settled with its credit") {
            try reader.ledger(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4e9)).contains { $0.gridCreditsUSD > 0 }
        }
        serve.terminate()
        await waitForExit(serve)
        #expect(serve.terminationStatus == 0)

        // The store has the event and the ledger its credit.
        let store = try SQLiteStore(path: db)
        let events = try store.gridEvents(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4e9))
        #expect(events.contains { $0.kind == "demand-response" && $0.targetMW == 0.501 && $0.source.hasPrefix("openadr:") })
        let ledger = try store.ledger(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4e9))
        let credited = ledger.filter { $0.gridCreditsUSD > 0 }
        #expect(!credited.isEmpty, "an interval inside the event is credited")
        #expect(credited.allSatisfy { $0.siteMW <= 0.501 + 1e-6 })
        vtn.terminate()
        await fleet.stop()
    }
}

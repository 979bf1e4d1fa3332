import Foundation
import GridshellCore
import GridshellServer
import GridshellSimulator
import GridshellStore
import GridshellTestSupport
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `gridshell serve --live` as a process, its prices from an HTTP endpoint and its Bitcoin data
/// from an explorer-shaped API, both real HTTP servers on loopback.
@Suite("Live feeds", .serialized)
struct LiveFeedTests {
    @Test("serve --live takes prices and Bitcoin data from HTTP, uses and stores them, and shows a failing feed's error")
    func liveFromHTTP() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-live-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s21 = try #require(MinerCatalog.builtIn.model(named: "Antminer S21"))
        let specs = (1...4).map { SimulatedMinerSpec(address: "127.79.0.\($0)", model: s21, firmware: .luxos, serial: "LV\($0)", mac: "02:00:00:00:02:0\($0)") }
        let fleet = try await SimulatedFleet.start(specs: specs, clock: SimulatorClock(scale: 1), rpcPort: 24_031, webPort: 28_083, threads: 1, listening: .perAddress)

        // The interval under way and the one before, at prices the test chooses.
        let now = Date()
        let current = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 900).rounded(.down) * 900)
        let iso = ISO8601DateFormatter()
        let failing = Mutex(false)
        let router = Router()
        let body = "time,node,lmp\n\(iso.string(from: current.addingTimeInterval(-900))),HB_WEST,21.25\n\(iso.string(from: current)),HB_WEST,23.75\n\(iso.string(from: current)),HB_NORTH,99\n"
        router.get("/prices.csv") { _, _ in
            if failing.withLock({ $0 }) { return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "maintenance"))) }
            return Response(status: .ok, headers: [.contentType: "text/csv"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/api/v1/blocks") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"[{"height": 925001, "timestamp": 1763800000, "difficulty": 152271405447597.2, "extras": {"totalFees": 2000000}}]"#)))
        }
        router.get("/api/v1/prices") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"time": 1763800100, "USD": 86000}"#)))
        }
        let (ports, portsIn) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { portsIn.yield($0.localAddress?.port ?? 0) })
        let serverGroup = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "live-feed-server")))
        let server = Task { try await serverGroup.run() }
        var it = ports.makeAsyncIterator()
        let port = try #require(await it.next())
        let base = "http://127.0.0.1:\(port)"

        let yaml = """
            name: Live feed test site
            interconnect_mw: 1
            contract: {type: real_time, settlement_point: HB_WEST}
            miners:
              - {name: lux, model: Antminer S21, firmware: luxos, count: 4, addresses: [127.79.0.1-4]}
            feeds:
              prices: {source: http, url: "\(base)/prices.csv", format: csv, time_field: time, price_field: lmp, point_field: node, every_seconds: 0.3}
              bitcoin: {source: explorer, url: "\(base)", every_seconds: 0.3}
            """
        let site = dir.appendingPathComponent("site.yaml")
        try yaml.write(to: site, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("live.sqlite").path
        let token = try AccessToken.create(name: "test", role: .viewer, store: try SQLiteStore(path: db))
        let ready = dir.appendingPathComponent("ready").path

        let p = Process()
        p.executableURL = try gridshellBinary()
        p.currentDirectoryURL = URL(fileURLWithPath: Harness.root)
        p.arguments = [
            "serve", "--live", "--site", site.path, "--db", db, "--rpc-port", "24031", "--web-port", "28083", "--port", "0", "--poll-seconds", "0.5",
            "--ready-file", ready,
        ]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        defer {
            if p.isRunning { p.terminate(); p.waitUntilExit() }
        }
        try await RestartTests.wait(60, "the server to listen") { FileManager.default.fileExists(atPath: ready) }
        let readyJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ready))) as? [String: Any]
        let url = try #require(readyJSON?["url"] as? String)

        func get(_ path: String) async throws -> Any {
            var request = URLRequest(url: URL(string: url + "api/v1/" + path)!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (data, _) = try await URLSession.shared.data(for: request)
            return try JSONSerialization.jsonObject(with: data)
        }
        func feed(_ name: String) async throws -> [String: Any] {
            let list = try #require(try await get("feeds") as? [[String: Any]])
            return try #require(list.first { $0["feed"] as? String == name })
        }

        // Both feeds answer: ok, with their values.
        var prices: [String: Any] = [:], bitcoin: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            prices = try await feed("prices")
            bitcoin = try await feed("bitcoin")
            if prices["state"] as? String == "ok", bitcoin["state"] as? String == "ok" { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(prices["state"] as? String == "ok")
        #expect(prices["value"] as? Double == 23.75)
        #expect((prices["source"] as? String)?.hasPrefix("http:") == true)
        #expect(bitcoin["state"] as? String == "ok")
        let hashprice = try #require(bitcoin["value"] as? Double)
        #expect(hashprice > 30 && hashprice < 50)
        // The plan is remade on the published price (on the control loop's next tick), not on a
        // fallback.
        var state: [String: Any] = [:]
        let replanned = Date().addingTimeInterval(10)
        while Date() < replanned {
            state = try #require(try await get("state") as? [String: Any])
            if (state["price"] as? [String: Any])?["forecastUSDPerMWh"] as? Double == 23.75 { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let reasons = state["reasons"] as? [String] ?? []
        #expect(!reasons.contains { $0.contains("Price feed stale") })
        #expect((state["price"] as? [String: Any])?["forecastUSDPerMWh"] as? Double == 23.75)
        // Stored with their source.
        let stored = try SQLiteStore(path: db).prices(from: current.addingTimeInterval(-900), to: current.addingTimeInterval(900))
        #expect(stored.map(\.priceUSDPerMWh) == [21.25, 23.75])

        // The price endpoint fails: the error is shown, the last good price kept.
        failing.withLock { $0 = true }
        var error = ""
        let until = Date().addingTimeInterval(10)
        while Date() < until {
            prices = try await feed("prices")
            error = prices["lastError"] as? String ?? ""
            if !error.isEmpty { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(error.contains("HTTP 503") && error.contains("maintenance"))
        #expect(prices["value"] as? Double == 23.75)

        p.terminate()
        await waitForExit(p)
        #expect(p.terminationStatus == 0)
        await serverGroup.triggerGracefulShutdown()
        _ = await server.result
        await fleet.stop()
    }
}

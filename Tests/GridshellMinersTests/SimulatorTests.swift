import Foundation
import GridshellCore
import GridshellMinerProtocol
import NIOCore
import NIOPosix
import Testing

@testable import GridshellMiners
@testable import GridshellSimulator

/// The simulator and the transports against each other over real loopback sockets (high ports,
/// so the tests need no privileges).
@Suite(.serialized) struct SimulatorTests {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    func start(_ mix: String, count: Int, first: String, scale: Double = 1, rpc: Int = 14_028, web: Int = 18_080) async throws -> SimulatedFleet {
        let plan = try FleetPlan.parse(mix: mix)
        return try await SimulatedFleet.start(specs: try plan.specs(count: count, firstAddress: first), clock: SimulatorClock(scale: scale), rpcPort: rpc, webPort: web, threads: 1)
    }

    @Test func planApportionsInterleavesAndSkipsNetworkAddresses() throws {
        let plan = try FleetPlan.parse(mix: "s21xp/stock:3,s19jpro/luxos:1")
        let specs = try plan.specs(count: 300, firstAddress: "127.9.0.200")
        #expect(specs.filter { $0.firmware == .stock }.count == 225)
        #expect(specs.filter { $0.firmware == .luxos }.count == 75)
        #expect(!specs.contains { $0.address.hasSuffix(".0") || $0.address.hasSuffix(".255") })
        #expect(specs[55].address == "127.9.1.1")
        #expect(Set(specs.map(\.address)).count == 300)
        let faults = try FleetPlan.parse(mix: "s21/stock", faults: "no-answer:0.05,slow:0.05").faultAssignments(count: 1_000, seed: 7)
        #expect(faults.values.filter { $0 == .noAnswer }.count == 50)
        #expect(faults.values.filter { $0 == .slow }.count == 50)
    }

    @Test func planRejectsBadInputByName() {
        #expect(throws: FleetPlan.Problem.self) { try FleetPlan.parse(mix: "s99/stock") }
        #expect(throws: FleetPlan.Problem.self) { try FleetPlan.parse(mix: "s21/braiins") }
        #expect(throws: FleetPlan.Problem.self) { try FleetPlan.parse(mix: "s21/stock:-1") }
        #expect(throws: FleetPlan.Problem.self) { try FleetPlan.parse(mix: "s21/stock", faults: "no-answer:0.7,slow:0.5") }
        #expect(throws: FleetPlan.Problem.self) { try FleetPlan.parse(mix: "s21/stock").specs(count: 3, firstAddress: "10.0.0.1") }
        do {
            _ = try FleetPlan.parse(mix: "s21/stock", faults: "melting:0.1")
            Issue.record("an unknown fault was accepted")
        } catch {
            #expect("\(error)".contains("melting"))
        }
    }

    @Test func rampsFollowTheFirmware() {
        let clock = SimulatorClock(scale: 1, start: Date(timeIntervalSince1970: 0))
        let model = MinerCatalog.builtIn.model(named: "S21")!
        let lux = SimulatedMiner(spec: SimulatedMinerSpec(address: "127.0.0.9", model: model, firmware: .luxos, serial: "A", mac: "m"), clock: clock)
        let t0 = clock.now()
        lux.apply(.sleep)
        #expect(lux.reading(at: t0 + 5).hashrateTHs == 0, "LuxOS sleeps in under 5 s")
        #expect(lux.reading(at: t0 + 5).powerW == FirmwareFamily.luxos.ramp.sleepDrawW)
        lux.apply(.normal)
        let woke = clock.now()
        #expect(abs(lux.reading(at: woke + 10).hashrateTHs - 200) < 1e-9, "LuxOS wakes in under 10 s")
        #expect(lux.reading(at: woke + 4).hashrateTHs < 200)

        let stock = SimulatedMiner(spec: SimulatedMinerSpec(address: "127.0.0.10", model: model, firmware: .stock, serial: "B", mac: "m"), clock: clock)
        let s0 = clock.now()
        stock.apply(.lowPower)
        #expect(stock.reading(at: s0 + 5).hashrateTHs == 0, "a stock mode change restarts the mining process")
        #expect(stock.reading(at: s0 + 120).hashrateTHs < 150)
        #expect(abs(stock.reading(at: s0 + 400).hashrateTHs - 150) < 1e-6, "low power is 75 % of stock")
        #expect(stock.reading(at: s0 + 400).fanRPM.allSatisfy { $0 > 0 })
    }

    @Test func sharesMoveWithWorkAndFaultsShowInReadings() {
        let clock = SimulatorClock(scale: 1, start: Date(timeIntervalSince1970: 0))
        let model = MinerCatalog.builtIn.model(named: "S19j Pro")!
        let m = SimulatedMiner(spec: SimulatedMinerSpec(address: "127.0.0.11", model: model, firmware: .stock, serial: "C", mac: "m"), clock: clock)
        let t = clock.now()
        let a = m.reading(at: t).accepted
        let b = m.reading(at: t + 600).accepted
        #expect(b - a > 150 && b - a < 250, "about 20 shares a minute at stock")
        m.setFaults([.deadHashboard(index: 1)])
        let dead = m.reading(at: t + 600)
        #expect(dead.boardChips == [126, 0, 126])
        #expect(abs(dead.hashrateTHs - 100 * 2 / 3) < 1e-6)
        #expect(dead.errors.contains { $0.contains("hashboard 1") })
        m.setFaults([.overheating])
        let hot = m.reading(at: t + 600)
        #expect(hot.hashrateTHs == 0 && (hot.chipTemperatureC.max() ?? 0) > 95)
    }

    @Test func replyJSONWritesNumbersAndStringsAsFirmwareDoes() {
        for (v, d) in [(0.0, 2), (-0.004, 2), (0.05, 2), (1234.5678, 3), (-98.765, 1), (100, 0), (7.25, 5), (123456789.123, 2)] {
            #expect(ReplyJSON.fixed(v, d) == String(format: "%.\(d)f", v) || (v < 0 && ReplyJSON.fixed(v, d) == String(format: "%.\(d)f", -v)), "\(v) with \(d)")
        }
        let value = ReplyJSON.object([
            ("int", .int(-42)), ("zero", 0), ("big", .int(Int.max)), ("min", .int(Int.min)), ("n", .num(3.14159, 3)),
            ("plain", "Antminer S21"), ("escaped", .string("a\"b\\c\nd\u{1}")), ("flags", [true, false, .null]),
        ])
        #expect(value.text == #"{"int":-42,"zero":0,"big":9223372036854775807,"min":-9223372036854775808,"n":3.142,"plain":"Antminer S21","escaped":"a\"b\\c\nd\u0001","flags":[true,false,null]}"#)
    }

    @Test func rpcAnswersLikeBmminerAndLuxOS() async throws {
        let fleet = try await start("s19jpro/stock:1,s21/luxos:1", count: 2, first: "127.41.0.1")
        defer { Task { await fleet.stop() } }
        let rpc = RPCTransport(group: Self.group)
        let multi = try json(try await rpc.send(CGMinerRequest("summary+stats+pools+version"), to: "127.41.0.1", port: 14_028))
        for key in ["summary", "stats", "pools", "version"] { #expect(multi[key] is [Any]) }
        let version = try #require(((multi["version"] as? [[String: Any]])?.first?["VERSION"] as? [[String: Any]])?.first)
        #expect(version["Type"] as? String == "Antminer S19j Pro")
        let bad = try json(try await rpc.send(CGMinerRequest("frobnicate"), to: "127.41.0.1", port: 14_028))
        let status = try #require((bad["STATUS"] as? [[String: Any]])?.first)
        #expect(status["STATUS"] as? String == "E" && status["Code"] as? Int == 14)

        // LuxOS: a session, then curtail sleep, visible in the next reading.
        let logon = try json(try await rpc.send(CGMinerRequest("logon"), to: "127.41.0.2", port: 14_028))
        let sid = try #require(((logon["SESSION"] as? [[String: Any]])?.first?["SessionID"]) as? String)
        let second = try json(try await rpc.send(CGMinerRequest("logon"), to: "127.41.0.2", port: 14_028))
        #expect((second["STATUS"] as? [[String: Any]])?.first?["STATUS"] as? String == "E", "one session at a time")
        let wrong = try json(try await rpc.send(CGMinerRequest("curtail", parameter: "nope,sleep"), to: "127.41.0.2", port: 14_028))
        #expect((wrong["STATUS"] as? [[String: Any]])?.first?["STATUS"] as? String == "E")
        let ok = try json(try await rpc.send(CGMinerRequest("curtail", parameter: "\(sid),sleep"), to: "127.41.0.2", port: 14_028))
        #expect((ok["STATUS"] as? [[String: Any]])?.first?["Code"] as? Int == 335)
        #expect(fleet.miner(at: "127.41.0.2")?.setting == .sleep)
        let atmOn = try json(try await rpc.send(CGMinerRequest("profileset", parameter: "\(sid),2500W"), to: "127.41.0.2", port: 14_028))
        #expect((atmOn["STATUS"] as? [[String: Any]])?.first?["STATUS"] as? String == "E", "no profile while ATM is on")
    }

    @Test func webAnswersWithDigestAndChangesMode() async throws {
        let fleet = try await start("s21xp/stock:1", count: 1, first: "127.41.1.1", scale: 1_000)
        defer { Task { await fleet.stop() } }
        let web = WebTransport(group: Self.group)
        let open = try await web.raw(.GET, "/cgi-bin/get_system_info.cgi", address: "127.41.1.1", port: 18_080)
        #expect(open.status == 401)
        #expect(open.header("WWW-Authenticate")?.contains("realm=\"antMiner Configuration\"") == true)
        let info = try json(try await web.request(.GET, "/cgi-bin/get_system_info.cgi", address: "127.41.1.1", port: 18_080).body)
        #expect(info["minertype"] as? String == "Antminer S21 XP")
        let body = Array(#"{"miner-mode":1}"#.utf8)
        let set = try json(try await web.request(.POST, "/cgi-bin/set_miner_conf.cgi", body: body, address: "127.41.1.1", port: 18_080).body)
        #expect(set["code"] as? String == "M000")
        #expect(fleet.miner(at: "127.41.1.1")?.setting == .sleep)
        let conf = try json(try await web.request(.GET, "/cgi-bin/get_miner_conf.cgi", address: "127.41.1.1", port: 18_080).body)
        #expect(conf["bitmain-work-mode"] as? String == "1")
        let wrong = WebTransport(group: Self.group, password: "admin")
        await #expect(throws: MinerTransportError.self) {
            _ = try await wrong.request(.GET, "/cgi-bin/get_system_info.cgi", address: "127.41.1.1", port: 18_080)
        }
    }

    @Test func faultsCostTheirTimeoutAndNoMore() async throws {
        let fleet = try await start("s21/stock", count: 3, first: "127.41.2.1")
        defer { Task { await fleet.stop() } }
        fleet.miners[0].setFaults([.noAnswer])
        fleet.miners[1].setFaults([.garbage])
        let rpc = RPCTransport(group: Self.group, limits: TransportLimits(connectTimeout: .milliseconds(300), replyTimeout: .milliseconds(400)))
        let start = Date()
        await #expect(throws: MinerTransportError.self) {
            _ = try await rpc.send(CGMinerRequest("summary"), to: "127.41.2.1", port: 14_028)
        }
        // Bounded by the 0.7 s of limits, not by the miner, which never answers; the bound
        // leaves room for a loaded machine.
        #expect(Date().timeIntervalSince(start) < 10)
        let noise = try await rpc.send(CGMinerRequest("summary"), to: "127.41.2.2", port: 14_028)
        #expect((try? JSONSerialization.jsonObject(with: Data(noise))) == nil)
        let fine = try json(try await rpc.send(CGMinerRequest("summary"), to: "127.41.2.3", port: 14_028))
        #expect(fine["SUMMARY"] != nil)
        await #expect(throws: MinerTransportError.self) {
            _ = try await rpc.send(CGMinerRequest("summary"), to: "127.41.2.9", port: 14_028)
        }
    }

    @Test func slowDripAndHugeRepliesAreBoundedByTheTransport() async throws {
        let fleet = try await start("s21/stock", count: 2, first: "127.41.3.1")
        defer { Task { await fleet.stop() } }
        fleet.miners[0].setFaults([.slowDrip(bytesPerSecond: 200)])
        fleet.miners[1].setFaults([.hugeReply(bytes: 6_000_000)])
        let rpc = RPCTransport(group: Self.group, limits: TransportLimits(connectTimeout: .milliseconds(300), replyTimeout: .milliseconds(700), maxReplyBytes: 1 << 20))
        let start = Date()
        do {
            _ = try await rpc.send(CGMinerRequest("summary+stats+pools"), to: "127.41.3.1", port: 14_028)
            Issue.record("a dripping reply of several kB at 200 B/s finished within 0.7 s")
        } catch let error as MinerTransportError {
            guard case .replyTimeout(_, let bytes) = error else { Issue.record("\(error)"); return }
            #expect(bytes > 0 && bytes < 1_000)
        }
        // The whole reply would take tens of seconds at 200 B/s; the bound leaves room for a
        // loaded machine.
        #expect(Date().timeIntervalSince(start) < 10)
        do {
            _ = try await rpc.send(CGMinerRequest("summary"), to: "127.41.3.2", port: 14_028)
            Issue.record("a 6 MB reply passed a 1 MiB limit")
        } catch let error as MinerTransportError {
            guard case .replyTooLarge = error else { Issue.record("\(error)"); return }
        }
        // With room for it, the padded reply still parses (leading spaces are JSON whitespace).
        let roomy = RPCTransport(group: Self.group, limits: TransportLimits(replyTimeout: .seconds(10), maxReplyBytes: 8 << 20))
        let big = try await roomy.send(CGMinerRequest("summary"), to: "127.41.3.2", port: 14_028)
        #expect(big.count > 6_000_000)
        #expect(try CGMinerReply.parse(big, command: "summary").first("SUMMARY") != nil)
    }
}

import Foundation
import GridshellCore
import GridshellDispatch
import GridshellServer
import GridshellStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// An in-memory fleet for unit tests: every miner answers, commands take effect at once.
final class FakeFleet: MinerFleet, Sendable {
    let miners: Mutex<[String: MinerState]>
    let received = Mutex<[(String, MinerCommand)]>([])

    init(binding: FleetBinding) {
        var m: [String: MinerState] = [:]
        for g in binding.groups {
            for a in g.addresses {
                let t = MinerTelemetry(
                    identity: MinerIdentity(make: "Bitmain", model: g.model.name, firmware: g.firmware), mode: .normal, hashrateTHs: g.model.stockHashrateTHs,
                    powerW: g.model.stockPowerW, profile: g.firmware == .luxos ? "default" : nil)
                m[a] = MinerState(address: a, reachable: true, lastSeen: Date(), telemetry: t)
            }
        }
        miners = Mutex(m)
    }

    func states() async -> [MinerState] { miners.withLock { Array($0.values) } }
    func poll() async -> [MinerState] { await states() }
    func apply(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome] {
        commands.map { c in
            received.withLock { $0.append((c.address, c.command)) }
            miners.withLock { m in
                guard var t = m[c.address]?.telemetry else { return }
                switch c.command {
                case .sleep: t.mode = .sleep
                case .wake: t.mode = .normal
                case .lowPower: t.mode = .lowPower
                case .profile(let p): t.profile = p
                case .powerTarget(let w): t.powerLimitW = w
                }
                m[c.address]?.telemetry = t
            }
            return CommandOutcome(address: c.address, command: c.command, acknowledged: true, confirmed: true, attempts: 1, seconds: 0)
        }
    }
}

/// A controller on the demo site with a fake fleet, and tokens of every role.
struct Harness {
    let store: SQLiteStore
    let controller: SiteController
    let api: SiteAPI
    let fleet: FakeFleet
    var tokens: [Role: String] = [:]

    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    init(
        speed: Double = 1, store: SQLiteStore? = nil, feeds: Bool = false, wallStart: Date = Date(), sitePath: String? = nil, pricesPath: String? = nil,
        from: String = "2021-02-15T00:00:00Z", to: String = "2021-02-16T00:00:00Z", apiFeeds: Feeds? = nil
    ) throws {
        let root = Self.root
        let live = try LiveSite.load(
            sitePath: sitePath ?? root + "/examples/demo-hybrid.yaml", pricesPath: pricesPath ?? root + "/data/ercot/ercot_RTM-2021-02.csv", dayAheadPath: nil,
            bitcoinPath: root + "/data/btc/btc_daily_2019_2025.csv", policy: .gridshell(GridshellSettings()),
            from: ISO8601DateFormatter().date(from: from), to: ISO8601DateFormatter().date(from: to))
        let binding = try FleetBinding(site: live.site)
        self.store = try store ?? SQLiteStore.inMemory()
        fleet = FakeFleet(binding: binding)
        let metrics = SiteMetrics()
        controller = try SiteController(
            live: live, binding: binding, store: self.store, fleet: fleet,
            clock: SiteClock(wallStart: wallStart, siteStart: live.prices.start, speed: speed), metrics: metrics, rampUpWallSeconds: 0,
            feeds: feeds ? ("test-prices", "test-bitcoin") : nil, peakRiskFeed: apiFeeds?.peakRisk?.name)
        api = SiteAPI(controller: controller, store: self.store, board: controller.board, metrics: metrics, feeds: apiFeeds)
        for role in Role.allCases { tokens[role] = try AccessToken.create(name: "test-\(role.rawValue)", role: role, store: self.store) }
    }

    func headers(_ role: Role?) -> HTTPFields {
        var h: HTTPFields = [.contentType: "application/json"]
        if let role, let t = tokens[role] { h[.authorization] = "Bearer \(t)" }
        return h
    }

    func app() -> some ApplicationProtocol { Application(router: api.router()) }
}

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
}

func errorCode(_ buffer: ByteBuffer) throws -> String? {
    (try json(buffer)["error"] as? [String: Any])?["code"] as? String
}

@Suite("HTTP API")
struct APITests {
    @Test("no token is 401 with a JSON error and a Bearer challenge; the OpenAPI document needs none")
    func unauthenticated() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/state", method: .get)
            #expect(r.status == .unauthorized)
            #expect(try errorCode(r.body) == "unauthenticated")
            #expect(r.headers[.wwwAuthenticate] == "Bearer realm=\"gridshell\"")
            let wrong = try await client.execute(uri: "/api/v1/state", method: .get, headers: [.authorization: "Bearer gs_nope"])
            #expect(wrong.status == .unauthorized)
            let basic = try await client.execute(uri: "/api/v1/state", method: .get, headers: [.authorization: "Basic abc"])
            #expect(basic.status == .unauthorized)
            let doc = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(doc.status == .ok)
            #expect(try json(doc.body)["openapi"] as? String == "3.0.3")
        }
    }

    @Test("roles: a viewer reads but may not act; an operator acts but may not administer")
    func roles() async throws {
        let h = try Harness()
        await h.controller.tick()
        try await h.app().test(.router) { client in
            let read = try await client.execute(uri: "/api/v1/state", method: .get, headers: h.headers(.viewer))
            #expect(read.status == .ok)
            let body = ByteBuffer(string: #"{"group": "s21-lux", "minutes": 30, "reason": "test"}"#)
            let denied = try await client.execute(uri: "/api/v1/actions/curtail", method: .post, headers: h.headers(.viewer), body: body)
            #expect(denied.status == .forbidden)
            #expect(try errorCode(denied.body) == "forbidden")
            let audit = try await client.execute(uri: "/api/v1/audit", method: .get, headers: h.headers(.operator))
            #expect(audit.status == .forbidden)
            let ok = try await client.execute(uri: "/api/v1/actions/curtail", method: .post, headers: h.headers(.operator), body: body)
            #expect(ok.status == .created)
            let again = try await client.execute(uri: "/api/v1/actions/curtail", method: .post, headers: h.headers(.operator), body: body)
            #expect(again.status == .conflict)
            let log = try await client.execute(uri: "/api/v1/audit", method: .get, headers: h.headers(.admin))
            #expect(log.status == .ok)
            let entries = try #require(JSONSerialization.jsonObject(with: Data(log.body.readableBytesView)) as? [[String: Any]])
            #expect(entries.first?["actor"] as? String == "test-operator")
            #expect(entries.first?["action"] as? String == "curtail-group")
            #expect(entries.first?["reason"] as? String == "test")
        }
    }

    @Test("the ledger by month and by day sums the same lines; an unknown grouping is 400")
    func ledgerByPeriod() async throws {
        // An hour and a half of site time passes: six intervals settled.
        let h = try Harness()
        await h.controller.tick()
        await h.controller.tick(now: Date().addingTimeInterval(5_400))
        try await h.app().test(.router) { client in
            let v = h.headers(.viewer)
            let lines = try await client.execute(uri: "/api/v1/ledger?from=2021-02-15&to=2021-02-16", method: .get, headers: v)
            let all = try json(lines.body)
            let entries = try #require(all["entries"] as? [[String: Any]])
            #expect(entries.count == 6)
            let net = try #require((all["totals"] as? [String: Any])?["netUSD"] as? Double)
            let month = try json(try await client.execute(uri: "/api/v1/ledger?from=2021-02-15&to=2021-02-16&by=month", method: .get, headers: v).body)
            let periods = try #require(month["periods"] as? [[String: Any]])
            #expect(periods.map { $0["period"] as? String } == ["2021-02"])
            let monthNet = try #require((periods.first?["totals"] as? [String: Any])?["netUSD"] as? Double)
            #expect(abs(monthNet - net) < 1e-6)
            #expect(((periods.first?["totals"] as? [String: Any])?["powerCreditsUSD"] as? Double) != nil)
            let day = try json(try await client.execute(uri: "/api/v1/ledger?from=2021-02-15&to=2021-02-16&by=day", method: .get, headers: v).body)
            #expect((day["periods"] as? [[String: Any]])?.first?["period"] as? String == "2021-02-15")
            let bad = try await client.execute(uri: "/api/v1/ledger?by=week", method: .get, headers: v)
            #expect(bad.status == .badRequest)
        }
    }

    @Test("an award deployment drops the award below where the site stood, with the floor lifted; a product the site holds no award for is 422")
    func awardDeployment() async throws {
        let h = try Harness()
        await h.controller.tick()
        let before = try #require(await h.controller.currentPlan).siteMW
        try await h.app().test(.router) { client in
            let body = ByteBuffer(string: #"{"product": "ECRS", "minutes": 30, "reason": "ERCOT deployed ECRS"}"#)
            let viewer = try await client.execute(uri: "/api/v1/grid/deployments", method: .post, headers: h.headers(.viewer), body: body)
            #expect(viewer.status == .forbidden)
            let ok = try await client.execute(uri: "/api/v1/grid/deployments", method: .post, headers: h.headers(.operator), body: body)
            #expect(ok.status == .created)
            let target = try #require(try json(ok.body)["targetMW"] as? Double)
            #expect(abs(target - (before - 0.5)) < 1e-9)
            let rrs = try await client.execute(
                uri: "/api/v1/grid/deployments", method: .post, headers: h.headers(.operator),
                body: ByteBuffer(string: #"{"product": "RRS", "minutes": 30, "reason": "x"}"#))
            #expect(rrs.status == .unprocessableContent)
            let rrsMessage = String(buffer: rrs.body)
            #expect(rrsMessage.contains("holds no RRS award") && rrsMessage.contains("ECRS"))
            let tooMuch = try await client.execute(
                uri: "/api/v1/grid/deployments", method: .post, headers: h.headers(.operator),
                body: ByteBuffer(string: #"{"product": "ECRS", "mw": 0.9, "minutes": 30, "reason": "x"}"#))
            #expect(tooMuch.status == .unprocessableContent)
        }
        await h.controller.tick()
        let plan = try #require(await h.controller.currentPlan)
        #expect(plan.siteMW <= before - 0.5 + 1e-6, "site \(plan.siteMW) MW against \(before) MW before")
        #expect(plan.reasons.contains { $0.contains("deploy-ECRS") })
        #expect(plan.unmet.isEmpty, "\(plan.unmet)")
        let audit = try h.store.auditLog(limit: 10)
        #expect(audit.first?.action == "deploy-award")
    }

    @Test("bad bodies are 400, wrong values 422, unknown things 404, each naming what was wrong")
    func badInput() async throws {
        let h = try Harness()
        await h.controller.tick()
        try await h.app().test(.router) { client in
            let op = h.headers(.operator)
            let notJSON = try await client.execute(uri: "/api/v1/actions/cap", method: .post, headers: op, body: ByteBuffer(string: "{mw: 3"))
            #expect(notJSON.status == .badRequest)
            let missing = try await client.execute(uri: "/api/v1/actions/cap", method: .post, headers: op, body: ByteBuffer(string: #"{"mw": 3, "reason": "x"}"#))
            #expect(missing.status == .badRequest)
            #expect(try (json(missing.body)["error"] as? [String: Any])?["message"] as? String == "the body has no 'minutes'")
            let wrongType = try await client.execute(uri: "/api/v1/actions/cap", method: .post, headers: op, body: ByteBuffer(string: #"{"mw": "three", "minutes": 5, "reason": "x"}"#))
            #expect(wrongType.status == .badRequest)
            let tooBig = try await client.execute(uri: "/api/v1/actions/cap", method: .post, headers: op, body: ByteBuffer(string: #"{"mw": 900, "minutes": 5, "reason": "x"}"#))
            #expect(tooBig.status == .unprocessableContent)
            let noReason = try await client.execute(uri: "/api/v1/actions/pause", method: .post, headers: op, body: ByteBuffer(string: #"{"minutes": 5, "reason": " "}"#))
            #expect(noReason.status == .unprocessableContent)
            let group = try await client.execute(uri: "/api/v1/actions/curtail", method: .post, headers: op, body: ByteBuffer(string: #"{"group": "nope", "reason": "x"}"#))
            #expect(group.status == .unprocessableContent)
            let miner = try await client.execute(uri: "/api/v1/miners/10.9.9.9", method: .get, headers: op)
            #expect(miner.status == .notFound)
            let route = try await client.execute(uri: "/api/v1/nothing", method: .get, headers: op)
            #expect(route.status == .notFound)
            let query = try await client.execute(uri: "/api/v1/ledger?from=yesterday", method: .get, headers: op)
            #expect(query.status == .badRequest)
            let resume = try await client.execute(uri: "/api/v1/actions/resume", method: .post, headers: op, body: ByteBuffer(string: #"{"group": "s21-lux", "reason": "x"}"#))
            #expect(resume.status == .conflict)
            let policy = try await client.execute(uri: "/api/v1/policy", method: .put, headers: h.headers(.admin), body: ByteBuffer(string: #"{"policy": "hindsight", "reason": "x"}"#))
            #expect(policy.status == .unprocessableContent)
        }
    }

    @Test("the OpenAPI document describes exactly the routes served, and each one answers")
    func openAPIMatchesRoutes() async throws {
        let documented = try OpenAPIDocument.operations()
        #expect(documented == SiteAPI.routes.sorted())
        let h = try Harness()
        await h.controller.tick()
        try await h.app().test(.router) { client in
            for operation in documented {
                let parts = operation.split(separator: " ")
                let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                let path = String(parts[1]).replacingOccurrences(of: "{address}", with: "127.77.0.1").replacingOccurrences(of: "{id}", with: "999999")
                let r = try await client.execute(uri: path, method: method, headers: h.headers(.admin), body: method == .get ? nil : ByteBuffer(string: "{}"))
                // Every documented route exists: a 404 may only name a missing thing, not a missing route.
                if r.status == .notFound {
                    let message = (try json(r.body)["error"] as? [String: Any])?["message"] as? String ?? ""
                    #expect(!message.hasPrefix("no route"), "\(operation): \(message)")
                }
                #expect(r.status.code < 500, "\(operation) answered \(r.status.code)")
            }
        }
    }

    @Test("an operator's curtailment reaches the fleet at once, and is audited")
    func curtailReachesFleet() async throws {
        let h = try Harness()
        await h.controller.observe(await h.fleet.poll())
        await h.controller.tick()
        try await h.app().test(.router) { client in
            let body = ByteBuffer(string: #"{"group": "s19jpro-stock", "minutes": 60, "reason": "cooling maintenance"}"#)
            let r = try await client.execute(uri: "/api/v1/actions/curtail", method: .post, headers: h.headers(.operator), body: body)
            #expect(r.status == .created)
        }
        let asleep = h.fleet.received.withLock { $0.filter { $0.0.hasPrefix("127.77.3.") && $0.1 == .sleep }.count }
        #expect(asleep == 250)
        let plan = try #require(await h.controller.currentPlan)
        let group = try #require(plan.groups.first { $0.group == "s19jpro-stock" })
        #expect(group.miners.keys.sorted() == ["sleep"])
        #expect(group.powerMW < 0.05)
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test("/metrics speaks Prometheus text: power by class, prices, margin, miners by state, polls and commands")
    func exposition() async throws {
        let h = try Harness()
        h.api.metrics.polled(seconds: 0.4, reachable: 1_000)
        await h.controller.observe(await h.fleet.poll())
        await h.controller.tick()
        try await h.app().test(.router) { client in
            let r = try await client.execute(uri: "/metrics", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: r.body)
            for needle in [
                #"gridshell_site_power_mw{class="mining"}"#, #"gridshell_site_power_mw{class="firm_ai"}"#, #"gridshell_site_power_mw{class="headroom"}"#,
                "gridshell_energy_price_usd_per_mwh ", "gridshell_hashprice_usd_per_ph_day ", #"gridshell_miners{state="normal"}"#,
                "gridshell_poll_duration_seconds_count 1", #"gridshell_commands_total{result="acknowledged"}"#, "# TYPE gridshell_site_power_mw gauge",
            ] {
                #expect(text.contains(needle), "missing \(needle)")
            }
            // The numbers are the snapshot's, not placeholders.
            let snapshot = try #require(h.controller.board.snapshot)
            let firm = text.split(separator: "\n").first { $0.hasPrefix(#"gridshell_site_power_mw{class="firm_ai"}"#) }
            let value = firm.flatMap { Double($0.split(separator: " ").last ?? "") }
            #expect(value.map { abs($0 - snapshot.power.firmAIMW) < 1e-6 } == true)
            #expect(snapshot.power.firmAIMW > 2)
        }
    }
}

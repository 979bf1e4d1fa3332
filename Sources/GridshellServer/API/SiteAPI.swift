import Foundation
import GridshellCore
import GridshellDispatch
import GridshellGrid
import GridshellMiners
import GridshellStore
import Hummingbird

/// The JSON API under `/api/v1`, `/metrics`, and the dashboard.
public struct SiteAPI: Sendable {
    public let controller: SiteController
    public let store: any SiteStore
    public let board: StateBoard
    public let metrics: SiteMetrics
    public let feeds: Feeds?
    public let ven: OpenADRVEN?
    /// The AI side, when `serve` drives a scheduler.
    public let compute: ComputeActuator?

    /// Every route the API serves, as "METHOD /path" with `{name}` parameters: the OpenAPI
    /// document is checked against this list.
    public static let routes: [String] = [
        "GET /api/v1/state", "GET /api/v1/whoami", "GET /api/v1/plan", "GET /api/v1/plans", "GET /api/v1/ledger",
        "GET /api/v1/miners", "GET /api/v1/miners/{address}", "GET /api/v1/miners/{address}/history", "GET /api/v1/workloads",
        "GET /api/v1/events", "GET /api/v1/prices", "GET /api/v1/overrides", "DELETE /api/v1/overrides/{id}",
        "POST /api/v1/actions/curtail", "POST /api/v1/actions/resume", "POST /api/v1/actions/cap", "POST /api/v1/actions/pause",
        "GET /api/v1/policy", "PUT /api/v1/policy", "GET /api/v1/audit", "GET /api/v1/tokens", "POST /api/v1/tokens",
        "GET /api/v1/feeds", "GET /api/v1/grid", "POST /api/v1/grid/deployments", "PUT /api/v1/feeds/prices/manual", "PUT /api/v1/feeds/bitcoin/manual", "PUT /api/v1/feeds/peak-risk/manual", "POST /api/v1/strategy", "GET /api/v1/compute", "GET /api/v1/compute/history", "GET /api/v1/openapi.json",
    ]

    public init(
        controller: SiteController, store: any SiteStore, board: StateBoard, metrics: SiteMetrics, feeds: Feeds? = nil, ven: OpenADRVEN? = nil,
        compute: ComputeActuator? = nil
    ) {
        self.feeds = feeds
        self.ven = ven
        self.compute = compute
        self.controller = controller
        self.store = store
        self.board = board
        self.metrics = metrics
    }

    public func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AuthMiddleware(store: store))
        Dashboard.add(to: router)
        let metrics = self.metrics
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("/api/v1/openapi.json") { _, _ in try Self.bytes(OpenAPIDocument.json()) }
        let api = router.group("/api/v1")
        addReads(api)
        addStrategy(api)
        addActions(api)
        addAdmin(api)
        return router
    }

    // MARK: Reads (viewer)

    private func addReads(_ api: RouterGroup<APIContext>) {
        let board = self.board, store = self.store, controller = self.controller
        api.get("/state") { _, context in
            _ = try context.require(.viewer)
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: board.json))
        }
        api.get("/whoami") { _, context in
            let caller = try context.require(.viewer)
            return try Self.json(["name": caller.name, "role": caller.role.rawValue])
        }
        api.get("/plan") { _, context in
            _ = try context.require(.viewer)
            guard let plan = await controller.currentPlan else { throw APIError(.notFound, "not-found", "no plan yet: the controller has not decided an interval") }
            return try Self.json(plan)
        }
        api.get("/plans") { request, context in
            _ = try context.require(.viewer)
            let (from, to) = try Self.range(request, defaultHours: 24, site: board)
            let limit = try Self.int(request, "limit", default: 500, in: 1...10_000)
            let records = try store.plans(from: from, to: to, limit: limit)
            let decoder = JSONDecoder()
            let items = try records.map { r in
                PlanHistoryItem(
                    intervalStart: r.intervalStart, decidedAt: r.decidedAt, policy: r.policy, trigger: r.trigger, siteMW: r.siteMW,
                    plan: try decoder.decode(DispatchPlan.self, from: r.json))
            }
            return try Self.json(items)
        }
        api.get("/ledger") { request, context in
            _ = try context.require(.viewer)
            let (from, to) = try Self.range(request, defaultHours: 24, site: board)
            let entries = try store.ledger(from: from, to: to)
            var totals = LedgerTotals()
            for e in entries { totals.add(e) }
            // by=day or by=month: totals per UTC day or calendar month (power credits per month,
            // as operators report them), instead of every line.
            switch request.uri.queryParameters.get("by") {
            case nil, "interval":
                return try Self.json(LedgerPage(from: from, to: to, totals: totals, entries: entries))
            case "day", "month":
                let byMonth = request.uri.queryParameters.get("by") == "month"
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                var periods: [LedgerPeriod] = []
                for e in entries {
                    let c = calendar.dateComponents([.year, .month, .day], from: e.start)
                    let key = byMonth ? String(format: "%04d-%02d", c.year!, c.month!) : String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
                    if periods.last?.period != key { periods.append(LedgerPeriod(period: key, totals: LedgerTotals())) }
                    periods[periods.count - 1].totals.add(e)
                }
                return try Self.json(LedgerSummary(from: from, to: to, by: byMonth ? "month" : "day", totals: totals, periods: periods))
            case let other?:
                throw APIError(.badRequest, "bad-query", "by must be interval, day or month; got '\(other)'")
            }
        }
        api.get("/miners") { request, context in
            _ = try context.require(.viewer)
            let group = request.uri.queryParameters.get("group")
            let state = request.uri.queryParameters.get("state")
            if let state, !SiteMetrics.modes.contains(state) {
                throw APIError(.badRequest, "bad-query", "state must be one of \(SiteMetrics.modes.joined(separator: ", ")); got '\(state)'")
            }
            let binding = controller.binding
            if let group, binding.group(named: group) == nil {
                throw APIError(.notFound, "not-found", "no miner group '\(group)'; the site has \(binding.groups.map(\.name).joined(separator: ", "))")
            }
            let limit = try Self.int(request, "limit", default: 10_000, in: 1...10_000)
            let states = await controller.minerStates
            var rows: [MinerSummary] = []
            for s in states {
                let g = binding.group(of: s.address).map { binding.groups[$0].name }
                if let group, g != group { continue }
                let mode = s.reachable ? s.mode.rawValue : "unreachable"
                if let state, mode != state { continue }
                rows.append(MinerSummary(state: s, group: g))
                if rows.count >= limit { break }
            }
            return try Self.json(rows)
        }
        api.get("/miners/{address}") { _, context in
            _ = try context.require(.viewer)
            let address = try context.parameters.require("address")
            guard let state = await controller.minerStates.first(where: { $0.address == address }) else {
                throw APIError(.notFound, "not-found", "no miner at \(address) in the site's fleet")
            }
            return try Self.json(MinerDetail(state: state, group: controller.binding.group(of: address).map { controller.binding.groups[$0].name }))
        }
        api.get("/miners/{address}/history") { request, context in
            _ = try context.require(.viewer)
            let address = try context.parameters.require("address")
            guard controller.binding.group(of: address) != nil else { throw APIError(.notFound, "not-found", "no miner at \(address) in the site's fleet") }
            let to = try Self.date(request, "to") ?? Date()
            let from = try Self.date(request, "from") ?? to.addingTimeInterval(-3600)
            return try Self.json(MinerHistory(
                address: address, samples: try store.telemetry(address: address, from: from, to: to),
                buckets: try store.telemetryBuckets(address: address, from: from, to: to)))
        }
        api.get("/workloads") { _, context in
            _ = try context.require(.viewer)
            let plan = await controller.currentPlan
            return try Self.json(Workloads(site: controller.live.site, plan: plan))
        }
        api.get("/events") { request, context in
            _ = try context.require(.viewer)
            let (from, to) = try Self.range(request, defaultHours: 24 * 7, site: board)
            return try Self.json(try store.gridEvents(from: from, to: to))
        }
        api.get("/prices") { request, context in
            _ = try context.require(.viewer)
            let (from, to) = try Self.range(request, defaultHours: 24, site: board)
            return try Self.json(try store.prices(from: from, to: to))
        }
        api.get("/overrides") { request, context in
            _ = try context.require(.viewer)
            let limit = try Self.int(request, "limit", default: 100, in: 1...10_000)
            return try Self.json(try store.overrides(limit: limit))
        }
        api.get("/policy") { _, context in
            _ = try context.require(.viewer)
            return try Self.json(PolicyParameters(await controller.policy))
        }
        api.get("/feeds") { _, context in
            _ = try context.require(.viewer)
            return try Self.json(await controller.feeds)
        }
        let ven = self.ven
        api.get("/grid") { _, context in
            _ = try context.require(.viewer)
            return try Self.json(GridPayload(openadr: await ven?.status, commitments: await controller.gridCommitments, reading: controller.reading))
        }
        let compute = self.compute
        api.get("/compute") { _, context in
            _ = try context.require(.viewer)
            guard let compute else {
                throw APIError(.notFound, "not-found", "the AI side is not connected: start serve with --slurm-conf (and --gpu-node for this machine's GPUs)")
            }
            return try Self.json(await compute.status())
        }
        api.get("/compute/history") { request, context in
            _ = try context.require(.viewer)
            let (from, to) = try Self.range(request, defaultHours: 24, site: board)
            let limit = try Self.int(request, "limit", default: 10_000, in: 1...10_000)
            return try Self.json(try store.gpuPower(from: from, to: to, limit: limit))
        }
    }

    // MARK: Actions (operator)

    private func addActions(_ api: RouterGroup<APIContext>) {
        let store = self.store, controller = self.controller
        api.post("/actions/curtail") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(GroupAction.self, request, context)
            try body.validate(controller.binding)
            let now = controller.clock.siteTime()
            if try store.activeOverrides(at: now).contains(where: { $0.kind == .curtailGroup && $0.group == body.group }) {
                throw APIError(.conflict, "conflict", "group '\(body.group)' is curtailed already; resume it first or wait for the window to end")
            }
            let o = OverrideRecord(
                kind: .curtailGroup, group: body.group, start: now, end: now.addingTimeInterval((body.minutes ?? 60) * 60), createdBy: caller.name,
                reason: body.reason, createdAt: Date())
            let saved = try await controller.add(o)
            try Self.audit(store, caller, "curtail-group", body.group, body.reason, body)
            return try Self.json(saved, status: .created)
        }
        api.post("/actions/resume") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(GroupAction.self, request, context)
            try body.validate(controller.binding)
            let now = controller.clock.siteTime()
            let curtailments = try store.activeOverrides(at: now).filter { $0.kind == .curtailGroup && $0.group == body.group }
            guard !curtailments.isEmpty else { throw APIError(.conflict, "conflict", "group '\(body.group)' is not curtailed by an operator") }
            var cancelled: [OverrideRecord] = []
            for c in curtailments { if let id = c.id, let done = try await controller.cancelOverride(id: id) { cancelled.append(done) } }
            try Self.audit(store, caller, "resume-group", body.group, body.reason, body)
            return try Self.json(cancelled)
        }
        api.post("/actions/cap") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(CapAction.self, request, context)
            try body.validate(interconnectMW: controller.live.site.interconnectMW)
            let now = controller.clock.siteTime()
            let o = OverrideRecord(
                kind: .capSite, valueMW: body.mw, start: now, end: now.addingTimeInterval(body.minutes * 60), createdBy: caller.name, reason: body.reason,
                createdAt: Date())
            let saved = try await controller.add(o)
            try Self.audit(store, caller, "cap-site", "\(body.mw) MW", body.reason, body)
            return try Self.json(saved, status: .created)
        }
        api.post("/actions/pause") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(PauseAction.self, request, context)
            try body.validate()
            let now = controller.clock.siteTime()
            if try store.activeOverrides(at: now).contains(where: { $0.kind == .pausePolicy }) {
                throw APIError(.conflict, "conflict", "the policy is paused already")
            }
            let o = OverrideRecord(kind: .pausePolicy, start: now, end: now.addingTimeInterval(body.minutes * 60), createdBy: caller.name, reason: body.reason, createdAt: Date())
            let saved = try await controller.add(o)
            try Self.audit(store, caller, "pause-policy", await controller.policy.description, body.reason, body)
            return try Self.json(saved, status: .created)
        }
        let feeds = self.feeds
        api.put("/feeds/prices/manual") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(ManualPrice.self, request, context)
            try body.validate()
            guard let manual = feeds?.manualPrice else {
                throw APIError(.conflict, "conflict", "the price feed is \(feeds?.prices.name ?? "not manual"); set feeds.prices.source: manual in the site file to give prices by hand")
            }
            await manual.set(body.usdPerMWh)
            let points = try await manual.fetch(siteNow: controller.clock.siteTime())
            await controller.receive(prices: points, from: manual.name)
            try Self.audit(store, caller, "set-manual-price", "\(body.usdPerMWh) $/MWh", body.reason, body)
            return try Self.json(await controller.feeds)
        }
        api.put("/feeds/peak-risk/manual") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(ManualPeakRisk.self, request, context)
            guard let manual = feeds?.manualPeakRisk, let settings = controller.live.site.gridPrograms.fourCP else {
                throw APIError(
                    .conflict, "conflict",
                    "the site has no manual 4CP signal; set grid_programs.four_cp with signal load or probability and source manual in the site file")
            }
            try body.validate(settings.signal)
            let now = controller.clock.siteTime()
            await manual.set(body.value, at: now)
            await controller.receive(peakRisk: try await manual.fetch(siteNow: now), from: manual.name)
            try Self.audit(store, caller, "set-manual-peak-risk", "\(body.value) (\(settings.signal.rawValue))", body.reason, body)
            return try Self.json(await controller.feeds)
        }
        api.put("/feeds/bitcoin/manual") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(ManualBitcoin.self, request, context)
            try body.validate()
            guard let manual = feeds?.manualBitcoin else {
                throw APIError(.conflict, "conflict", "the Bitcoin feed is \(feeds?.bitcoin.name ?? "not manual"); set feeds.bitcoin.source: manual in the site file to give network values by hand")
            }
            var snapshot = await manual.current
            if let v = body.priceUSD { snapshot.priceUSD = v }
            if let v = body.difficulty { snapshot.difficulty = v }
            if let v = body.height { snapshot.height = v }
            if let v = body.feesPerBlockBTC { snapshot.feesPerBlockBTC = v }
            await manual.set(snapshot)
            await controller.receive(bitcoin: try await manual.fetch(siteNow: controller.clock.siteTime()))
            try Self.audit(store, caller, "set-manual-bitcoin", "price \(snapshot.priceUSD) USD, difficulty \(snapshot.difficulty)", body.reason, body)
            return try Self.json(await controller.feeds)
        }
        api.post("/grid/deployments") { request, context in
            let caller = try context.require(.operator)
            let body = try await Self.decode(DeploymentAction.self, request, context)
            let award = try body.validate(controller.live.site.gridPrograms.ancillary)
            let c = await controller.deploy(award, mw: body.mw ?? award.mw, minutes: body.minutes, by: caller.name)
            try Self.audit(store, caller, "deploy-award", "\(award.product.rawValue) \(body.mw ?? award.mw) MW", body.reason, body)
            return try Self.json(c, status: .created)
        }
        api.delete("/overrides/{id}") { request, context in
            let caller = try context.require(.operator)
            guard let id = Int64(try context.parameters.require("id")) else { throw APIError(.badRequest, "bad-path", "an override id is a whole number") }
            guard let existing = try store.overrides(limit: 100_000).first(where: { $0.id == id }) else {
                throw APIError(.notFound, "not-found", "no override \(id)")
            }
            if existing.cancelledAt != nil { throw APIError(.conflict, "conflict", "override \(id) was cancelled already") }
            let reason = request.uri.queryParameters.get("reason") ?? ""
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError(.unprocessableContent, "invalid", "say why: add ?reason=… to cancel an override")
            }
            guard let cancelled = try await controller.cancelOverride(id: id) else { throw APIError(.notFound, "not-found", "no override \(id)") }
            try Self.audit(store, caller, "cancel-override", "\(id)", reason, cancelled)
            return try Self.json(cancelled)
        }
    }

    // MARK: Administration (admin)

    private func addAdmin(_ api: RouterGroup<APIContext>) {
        let store = self.store, controller = self.controller
        api.put("/policy") { request, context in
            let caller = try context.require(.admin)
            let body = try await Self.decode(PolicyParameters.self, request, context)
            let policy = try body.chosenPolicy()
            guard let reason = body.reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError(.unprocessableContent, "invalid", "reason: say why the policy changes")
            }
            try await controller.setPolicy(policy)
            try Self.audit(store, caller, "set-policy", policy.description, reason, body)
            return try Self.json(PolicyParameters(policy))
        }
        api.get("/audit") { request, context in
            _ = try context.require(.admin)
            let limit = try Self.int(request, "limit", default: 200, in: 1...10_000)
            return try Self.json(try store.auditLog(limit: limit))
        }
        api.get("/tokens") { _, context in
            _ = try context.require(.admin)
            return try Self.json(try store.tokens().map { TokenInfo(name: $0.name, role: $0.role.rawValue, createdAt: $0.createdAt, revoked: $0.revokedAt != nil) })
        }
        api.post("/tokens") { request, context in
            let caller = try context.require(.admin)
            let body = try await Self.decode(TokenRequest.self, request, context)
            guard let role = Role(rawValue: body.role) else {
                throw APIError(.unprocessableContent, "invalid", "role must be viewer, operator or admin; got '\(body.role)'")
            }
            let secret = try AccessToken.create(name: body.name, role: role, store: store)
            try Self.audit(store, caller, "create-token", body.name, "role \(role.rawValue)", ["name": body.name, "role": role.rawValue])
            return try Self.json(["name": body.name, "role": role.rawValue, "token": secret], status: .created)
        }
    }
}

import Foundation
import GridshellGrid
import GridshellCore
import GridshellDispatch
import GridshellMiners
import GridshellStore
import Hummingbird

// MARK: Encoding, decoding and query parameters

extension SiteAPI {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func raw(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func bytes(_ data: Data, status: HTTPResponse.Status = .ok) throws -> Response { raw(Array(data), status: status) }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        raw(Array(try encoder.encode(value)), status: status)
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// Decodes a JSON body: 400 when it is not JSON of the right shape, with the field named.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: APIContext) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch {
            throw APIError(.contentTooLarge, "too-large", "the request body is over 64 KiB")
        }
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "bad-body", "the request needs a JSON body") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(.badRequest, "bad-body", "the body has no '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, c) {
            throw APIError(.badRequest, "bad-body", "'\(c.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type: \(c.debugDescription)")
        } catch let DecodingError.valueNotFound(_, c) {
            throw APIError(.badRequest, "bad-body", "'\(c.codingPath.map(\.stringValue).joined(separator: "."))' is null")
        } catch let DecodingError.dataCorrupted(c) {
            let at = c.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.badRequest, "bad-body", at.isEmpty ? "the body is not valid JSON" : "'\(at)': \(c.debugDescription)")
        } catch {
            throw APIError(.badRequest, "bad-body", "the body is not valid JSON")
        }
    }

    /// A date query parameter: ISO 8601 with a time, or a day (YYYY-MM-DD, UTC).
    static func date(_ request: Request, _ name: String) throws -> Date? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        if let d = ISO8601DateFormatter().date(from: text) { return d }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if let d = day.date(from: text) { return d }
        throw APIError(.badRequest, "bad-query", "\(name) must be an ISO 8601 time (2021-02-15T06:00:00Z) or a day (2021-02-15); got '\(text)'")
    }

    /// `from` and `to`, by default the `defaultHours` before the site's time.
    static func range(_ request: Request, defaultHours: Double, site board: StateBoard) throws -> (Date, Date) {
        let now = board.snapshot?.siteTime ?? Date()
        let to = try date(request, "to") ?? now.addingTimeInterval(1)
        let from = try date(request, "from") ?? to.addingTimeInterval(-defaultHours * 3600)
        guard from < to else { throw APIError(.badRequest, "bad-query", "from must be before to") }
        return (from, to)
    }

    static func int(_ request: Request, _ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw APIError(.badRequest, "bad-query", "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound); got '\(text)'")
        }
        return n
    }

    static func audit(_ store: any SiteStore, _ caller: Caller, _ action: String, _ target: String, _ reason: String, _ detail: some Encodable) throws {
        let text = String(decoding: (try? encoder.encode(detail)) ?? Data(), as: UTF8.self)
        try store.audit(AuditRecord(at: Date(), actor: caller.name, role: caller.role.rawValue, action: action, target: target, reason: reason, detail: text))
    }
}

/// Turns what handlers throw into JSON errors with the right status; nothing leaks as a 500
/// without a message.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            if error.status == .notFound {
                throw APIError(.notFound, "not-found", "no route \(request.method.rawValue) \(request.uri.path)")
            }
            throw APIError(error.status, "error", error.body ?? error.status.reasonPhrase)
        } catch let error as StoreError {
            throw APIError(.internalServerError, "store", error.description)
        } catch {
            throw APIError(.internalServerError, "internal", "\(error)")
        }
    }
}

// MARK: Bodies

/// An action's window, in site minutes: over 0 and at most a week.
func validateMinutes(_ minutes: Double) throws {
    guard minutes > 0, minutes <= 7 * 24 * 60 else { throw APIError(.unprocessableContent, "invalid", "minutes must be over 0 and at most a week (10080)") }
}

/// Every change says why.
func validateReason(_ reason: String) throws {
    guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIError(.unprocessableContent, "invalid", "reason: say why") }
}

struct GroupAction: Codable, Sendable {
    var group: String
    /// Site minutes the curtailment lasts (60 unless given).
    var minutes: Double?
    var reason: String

    func validate(_ binding: FleetBinding) throws {
        guard binding.group(named: group) != nil else {
            throw APIError(.unprocessableContent, "invalid", "group: no miner group '\(group)'; the site has \(binding.groups.map(\.name).joined(separator: ", "))")
        }
        if let minutes { try validateMinutes(minutes) }
        try validateReason(reason)
    }
}

struct CapAction: Codable, Sendable {
    var mw: Double
    var minutes: Double
    var reason: String

    func validate(interconnectMW: Double) throws {
        guard mw.isFinite, mw >= 0, mw <= interconnectMW else {
            throw APIError(.unprocessableContent, "invalid", "mw must be from 0 to the interconnect (\(interconnectMW) MW); got \(mw)")
        }
        try validateMinutes(minutes)
        try validateReason(reason)
    }
}

struct PauseAction: Codable, Sendable {
    var minutes: Double
    var reason: String

    func validate() throws {
        try validateMinutes(minutes)
        try validateReason(reason)
    }
}

/// The grid side: the VEN's registration and events, the commitments they make, the site now.
struct GridPayload: Encodable, Sendable {
    var openadr: OpenADRVENStatus?
    var commitments: [GridCommitment]
    var reading: SiteReading?
}

/// The grid operator's deployment of an award, as the site's operator passes it on.
struct DeploymentAction: Codable, Sendable {
    /// RRS, ECRS, NON_SPIN, …: one the site holds an award for.
    var product: String
    /// MW to drop (the whole award unless given).
    var mw: Double?
    var minutes: Double
    var reason: String

    func validate(_ awards: [AncillaryAward]) throws -> AncillaryAward {
        guard let award = awards.first(where: { $0.product.rawValue == product }) else {
            let held = awards.map(\.product.rawValue)
            throw APIError(.unprocessableContent, "invalid", "product: the site holds no \(product) award" + (held.isEmpty ? "" : "; it holds \(held.joined(separator: ", "))"))
        }
        if let mw, !(mw.isFinite && mw > 0 && mw <= award.mw + 1e-9) {
            throw APIError(.unprocessableContent, "invalid", "mw must be over 0 and at most the \(product) award (\(award.mw) MW); got \(mw)")
        }
        try validateMinutes(minutes)
        try validateReason(reason)
        return award
    }
}

struct ManualPrice: Codable, Sendable {
    var usdPerMWh: Double
    var reason: String

    enum CodingKeys: String, CodingKey {
        case usdPerMWh = "usd_per_mwh"
        case reason
    }

    func validate() throws {
        guard usdPerMWh.isFinite, (-10_000...100_000).contains(usdPerMWh) else {
            throw APIError(.unprocessableContent, "invalid", "usd_per_mwh must be from -10000 to 100000; got \(usdPerMWh)")
        }
        try validateReason(reason)
    }
}

struct ManualPeakRisk: Codable, Sendable {
    /// A probability (0–1, or a percentage) or system load in MW, as the site's signal is.
    var value: Double
    var reason: String

    func validate(_ signal: FourCPSettings.Signal) throws {
        let range: ClosedRange<Double> = signal == .load ? 0...10_000_000 : 0...100
        guard value.isFinite, range.contains(value) else {
            let what = signal == .load ? "system load in MW, from 0 to 10000000" : "a probability from 0 to 1 (or a percentage up to 100)"
            throw APIError(.unprocessableContent, "invalid", "value must be \(what); got \(value)")
        }
        try validateReason(reason)
    }
}

struct ManualBitcoin: Codable, Sendable {
    var priceUSD: Double?
    var difficulty: Double?
    var height: Int?
    var feesPerBlockBTC: Double?
    var reason: String

    enum CodingKeys: String, CodingKey {
        case priceUSD = "price_usd"
        case difficulty, height
        case feesPerBlockBTC = "fees_per_block_btc"
        case reason
    }

    func validate() throws {
        guard priceUSD != nil || difficulty != nil || height != nil || feesPerBlockBTC != nil else {
            throw APIError(.unprocessableContent, "invalid", "give at least one of price_usd, difficulty, height, fees_per_block_btc")
        }
        if let v = priceUSD, !(v.isFinite && v > 0 && v < 1e9) { throw APIError(.unprocessableContent, "invalid", "price_usd must be over 0 and under 1e9; got \(v)") }
        if let v = difficulty, !(v.isFinite && v >= 1 && v < 1e30) { throw APIError(.unprocessableContent, "invalid", "difficulty must be from 1 to 1e30; got \(v)") }
        if let v = height, !(0...100_000_000).contains(v) { throw APIError(.unprocessableContent, "invalid", "height must be from 0 to 100000000; got \(v)") }
        if let v = feesPerBlockBTC, !(v.isFinite && v >= 0 && v <= 1000) {
            throw APIError(.unprocessableContent, "invalid", "fees_per_block_btc must be from 0 to 1000; got \(v)")
        }
        try validateReason(reason)
    }
}

struct TokenRequest: Codable, Sendable {
    var name: String
    var role: String
}

struct TokenInfo: Codable, Sendable {
    var name: String
    var role: String
    var createdAt: Date
    var revoked: Bool
}

/// The policy and its parameters, as read and as set.
struct PolicyParameters: Codable, Sendable {
    var policy: String
    var useDayAhead: Bool?
    var riskStartHour: Int?
    var riskEndHour: Int?
    var riskPriceShare: Double?
    var strikeUSDPerMWh: Double?
    var reason: String?

    init(_ policy: Policy) {
        switch policy {
        case .gridshell(let s):
            self.policy = "gridshell"
            useDayAhead = s.useDayAhead
            riskStartHour = s.riskStartHour
            riskEndHour = s.riskEndHour
            riskPriceShare = s.riskPriceShare
        case .strike(let strike, _, _):
            self.policy = "strike"
            strikeUSDPerMWh = strike
        case .alwaysOn: self.policy = "always-on"
        case .hindsight: self.policy = "hindsight"
        }
    }

    func chosenPolicy() throws -> Policy {
        switch policy {
        case "gridshell":
            var s = GridshellSettings()
            if let v = useDayAhead { s.useDayAhead = v }
            if let v = riskStartHour { s.riskStartHour = v }
            if let v = riskEndHour { s.riskEndHour = v }
            if let v = riskPriceShare { s.riskPriceShare = v }
            guard (0...23).contains(s.riskStartHour), (1...24).contains(s.riskEndHour), s.riskStartHour < s.riskEndHour else {
                throw APIError(.unprocessableContent, "invalid", "riskStartHour and riskEndHour must be hours of the day with start before end")
            }
            guard s.riskPriceShare > 0, s.riskPriceShare <= 1 else { throw APIError(.unprocessableContent, "invalid", "riskPriceShare must be over 0 and at most 1") }
            return .gridshell(s)
        case "always-on": return .alwaysOn
        case "strike":
            if let v = strikeUSDPerMWh, !(v.isFinite && v >= -250 && v <= 10_000) {
                throw APIError(.unprocessableContent, "invalid", "strikeUSDPerMWh must be from -250 to 10000")
            }
            guard let p = Policy.named(strikeUSDPerMWh.map { "strike-\($0)" } ?? "strike") else {
                throw APIError(.unprocessableContent, "invalid", "strikeUSDPerMWh is not a price")
            }
            return p
        default:
            throw APIError(.unprocessableContent, "invalid", "policy must be gridshell, strike or always-on (hindsight needs the future); got '\(policy)'")
        }
    }
}

// MARK: Answers

struct PlanHistoryItem: Codable, Sendable {
    var intervalStart: Date
    var decidedAt: Date
    var policy: String
    var trigger: String
    var siteMW: Double
    var plan: DispatchPlan
}

struct LedgerPage: Codable, Sendable {
    var from: Date
    var to: Date
    var totals: LedgerTotals
    var entries: [LedgerEntry]
}

struct LedgerPeriod: Codable, Sendable {
    /// `YYYY-MM-DD` or `YYYY-MM` (UTC).
    var period: String
    var totals: LedgerTotals
}

struct LedgerSummary: Codable, Sendable {
    var from: Date
    var to: Date
    var by: String
    var totals: LedgerTotals
    var periods: [LedgerPeriod]
}

struct MinerSummary: Codable, Sendable {
    var address: String
    var group: String?
    var reachable: Bool
    var mode: String
    var model: String?
    var firmware: String?
    var powerW: Double?
    var hashrateTHs: Double?
    var maxChipTemperatureC: Double?
    var lastSeen: Date?
    var lastError: String?

    init(state s: MinerState, group: String?) {
        address = s.address
        self.group = group
        reachable = s.reachable
        mode = s.reachable ? s.mode.rawValue : "unreachable"
        model = s.telemetry?.identity?.model
        firmware = s.telemetry?.identity?.firmware.rawValue
        powerW = s.powerW
        hashrateTHs = s.reachable ? s.telemetry?.hashrateTHs : nil
        maxChipTemperatureC = s.reachable ? s.telemetry?.maxChipTemperatureC : nil
        lastSeen = s.lastSeen
        lastError = s.lastError
    }
}

struct MinerDetail: Codable, Sendable {
    var summary: MinerSummary
    var state: MinerState

    init(state: MinerState, group: String?) {
        summary = MinerSummary(state: state, group: group)
        self.state = state
    }
}

struct MinerHistory: Codable, Sendable {
    var address: String
    var samples: [TelemetrySample]
    var buckets: [TelemetryBucket]
}

/// AI tenants and jobs, with each job's setting in the plan in force.
struct Workloads: Codable, Sendable {
    struct Tenant: Codable, Sendable {
        var name: String
        var firmKW: Double
        var usdPerKWMonth: Double
    }

    struct Job: Codable, Sendable {
        var cluster: String
        var name: String
        var kind: String
        var gpus: Int
        var setting: String?
        var powerMW: Double?
        var throughput: Double?
    }

    var tenants: [Tenant]
    var jobs: [Job]
    var deadlines: [DeadlineStatus]

    init(site: Site, plan: DispatchPlan?) {
        tenants = site.aiTenants.map { Tenant(name: $0.name, firmKW: $0.firmKW, usdPerKWMonth: $0.usdPerKWMonth) }
        var jobs: [Job] = []
        for cluster in site.gpuClusters {
            for job in cluster.jobs {
                let setting = plan?.jobs.first { $0.job == job.name }
                jobs.append(Job(
                    cluster: cluster.name, name: job.name, kind: job.kind.rawValue, gpus: job.gpus, setting: setting?.setting,
                    powerMW: setting?.powerMW, throughput: setting?.throughput))
            }
        }
        self.jobs = jobs
        deadlines = plan?.deadlines ?? []
    }
}

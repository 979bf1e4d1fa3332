import GridshellCore

/// Why a set of replies gave no telemetry at all.
public struct TelemetryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Commands that failed, each with its reason.
    public var failures: [CGMinerError]
    /// What was missing.
    public var problem: String

    public init(problem: String, failures: [CGMinerError] = []) {
        self.problem = problem
        self.failures = failures
    }

    public var description: String {
        guard !failures.isEmpty else { return "no usable telemetry: \(problem)" }
        return "no usable telemetry: \(problem); " + failures.map(\.description).joined(separator: "; ")
    }
}

/// Turns the replies of one poll into `MinerTelemetry`.
///
/// Feed it whatever the miner answered (RPC `summary`, `stats` in the old bmminer form or the
/// `new_api` form, `pools`, `devs`, `version`, `devdetails`, Braiins `fans`/`temps`/`tunerstatus`,
/// LuxOS `power`/`profiles`/`config`/`atm`, and the stock web pages' `summary.cgi`/`stats.cgi`/
/// `pools.cgi` read as replies to `summary`/`stats`/`pools`); each field comes from the best
/// reply that carries it, and failed commands become `errors`.
public struct TelemetryReader: Sendable {
    /// Successful replies by lower-cased command.
    public private(set) var replies: [String: CGMinerReply] = [:]
    /// `SUMMARY[0]` and the measuring `STATS` element, found once when their replies are added
    /// (every part of the telemetry reads them).
    private(set) var summaryObject: JSONObject?
    private(set) var statsObject: JSONObject?
    /// Commands that failed.
    public private(set) var failures: [CGMinerError] = []
    /// Stock web `get_system_info.cgi`, for identity.
    public var systemInfo: AntminerSystemInfo?
    /// Stock web `get_miner_conf.cgi`, for the work mode.
    public var minerConfig: AntminerMinerConfig?
    /// The catalog model names are normalised to.
    public var catalog: MinerCatalog
    /// The miner's identity when it is already known (every read after identification): taken
    /// as it is instead of being worked out from the replies again.
    public var knownIdentity: MinerIdentity?

    public init(catalog: MinerCatalog = .builtIn) {
        self.catalog = catalog
    }

    public init(_ set: CGMinerReplySet, catalog: MinerCatalog = .builtIn) {
        self.catalog = catalog
        add(set)
    }

    /// Adds one reply; a reply whose STATUS is E or F counts as a failure.
    public mutating func add(_ reply: CGMinerReply) {
        if let error = reply.error {
            failures.append(error)
        } else {
            let command = reply.command.lowercased()
            replies[command] = reply
            if command == "summary" { summaryObject = reply.first("SUMMARY") }
            if command == "stats" { statsObject = Self.measuringStats(reply) }
        }
    }

    /// Adds every reply and failure of a (joined) request.
    public mutating func add(_ set: CGMinerReplySet) {
        for command in set.request.commands {
            if let reply = set.replies[command] { add(reply) }
            if let failure = set.failures[command] { failures.append(failure) }
        }
    }

    /// Records a command that did not answer at all.
    public mutating func add(failure: CGMinerError) {
        failures.append(failure)
    }

    func reply(_ command: String) -> CGMinerReply? { replies[command] }

    /// Everything the replies say, or an error when they say nothing usable.
    public func telemetry() throws(TelemetryError) -> MinerTelemetry {
        var errors = failures.map(\.description)
        let identity = knownIdentity ?? readIdentity()
        let modelText = rawModel ?? identity?.model ?? ""
        let algorithm = HashAlgorithm.of(model: modelText)
        let rates = readHashrates(algorithm: algorithm)
        var boards = readBoards(algorithm: algorithm)
        let fans = readFans()
        let pools = readPools()
        let power = readPower()
        let shares = readShares(pools: pools, boards: boards)

        let hasSomething = rates.now != nil || !boards.isEmpty || !fans.isEmpty || !pools.isEmpty
            || power.watts != nil || identity != nil || minerConfig != nil
        guard hasSomething else {
            throw TelemetryError(
                problem: replies.isEmpty ? "every command failed" : "the replies carry no hashrate, boards, fans, pools, power or identity",
                failures: failures)
        }

        let mode = decideMode(rates: rates, boards: boards, pools: pools, power: power, uptime: readUptime(), errors: &errors)
        boards = judgeBoards(boards, mode: mode, model: modelText, errors: &errors)
        errors += readStatusWarnings()

        var t = MinerTelemetry(
            identity: identity, mode: mode, hashrateTHs: rates.now, averageHashrateTHs: rates.average,
            powerW: power.watts, powerLimitW: power.limitW, fanRPM: fans, boards: boards.map(\.telemetry),
            pools: pools, uptimeSeconds: readUptime(), accepted: shares.accepted, rejected: shares.rejected,
            hardwareErrors: shares.hardwareErrors, profile: power.profile, errors: [],
            expectedHashrateTHs: rates.expected, hashAlgorithm: algorithm.name)
        var seen = Set<String>()
        t.errors = errors.filter { seen.insert($0).inserted }
        return Self.finite(t)
    }

    /// Drops readings that are not finite numbers (`inf`, `nan` and overflowing sums), which a
    /// miner can send but no consumer of telemetry can use (nor JSON encode).
    static func finite(_ t: MinerTelemetry) -> MinerTelemetry {
        func f(_ d: Double?) -> Double? { d.flatMap { $0.isFinite ? $0 : nil } }
        var t = t
        t.hashrateTHs = f(t.hashrateTHs)
        t.averageHashrateTHs = f(t.averageHashrateTHs)
        t.expectedHashrateTHs = f(t.expectedHashrateTHs)
        t.powerW = f(t.powerW)
        t.powerLimitW = f(t.powerLimitW)
        t.uptimeSeconds = f(t.uptimeSeconds)
        for i in t.boards.indices {
            t.boards[i].hashrateTHs = f(t.boards[i].hashrateTHs)
            t.boards[i].boardTemperatureC = f(t.boards[i].boardTemperatureC)
            t.boards[i].chipTemperatureC = f(t.boards[i].chipTemperatureC)
        }
        return t
    }
}

/// `get_miner_conf.cgi`: the stock firmware's settings, and the body that changes its work mode.
///
/// `{"pools":[{"url":"stratum+tcp://...","user":"w.1","pass":"x"},...],"bitmain-fan-ctrl":false,
///   "bitmain-fan-pwm":"100","bitmain-freq":"500","bitmain-voltage":"1300","bitmain-work-mode":"0",...}`
public struct AntminerMinerConfig: Sendable, Equatable {
    /// `bitmain-work-mode`.
    public enum WorkMode: Sendable, Equatable {
        /// "0"
        case normal
        /// "1": hashboards off, fans on.
        case sleep
        /// "3": a flat ~25 % underclock.
        case lowPower
        /// Any other value, as reported.
        case other(String)

        public init(code: String) {
            switch code.trimmingSpaces {
            case "0", "": self = .normal
            case "1": self = .sleep
            case "3": self = .lowPower
            default: self = .other(code)
            }
        }

        /// The value as the firmware writes it.
        public var code: String {
            switch self {
            case .normal: return "0"
            case .sleep: return "1"
            case .lowPower: return "3"
            case .other(let c): return c
            }
        }
    }

    /// One of the firmware's three pool slots.
    public struct Pool: Sendable, Equatable {
        public var url: String
        public var user: String
        public var password: String

        public init(url: String, user: String, password: String) {
            self.url = url
            self.user = user
            self.password = password
        }
    }

    /// The pool slots, as configured (empty slots included).
    public var pools: [Pool]
    /// `bitmain-work-mode`.
    public var workMode: WorkMode
    /// Everything the page said, for settings this type does not model.
    public var raw: JSONObject

    public init(pools: [Pool], workMode: WorkMode, raw: JSONObject = JSONObject()) {
        self.pools = pools
        self.workMode = workMode
        self.raw = raw
    }

    public init(_ object: JSONObject) {
        let pools = object.objects("pools").map {
            Pool(url: $0.string("url") ?? "", user: $0.string("user") ?? "", password: $0.string("pass") ?? "")
        }
        self.init(pools: pools, workMode: WorkMode(code: object.string("bitmain-work-mode") ?? "0"), raw: object)
    }

    /// Reads the page's bytes.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(AntminerWebError) -> AntminerMinerConfig
    where Bytes.Element == UInt8 {
        AntminerMinerConfig(try AntminerWebError.readObject(bytes, page: .minerConfig))
    }

    /// The JSON body for `set_miner_conf.cgi` that switches to `mode` and keeps the pools (padded
    /// to the three slots the firmware has) and the fan settings, in the shape pyasic sends:
    /// `{"bitmain-fan-ctrl":false,"bitmain-fan-pwm":"100","freq-level":"100","miner-mode":1,"pools":[...]}`.
    public func setMinerConfigBody(mode: WorkMode) -> JSONValue {
        var body = JSONObject()
        body["bitmain-fan-ctrl"] = .bool(raw.bool("bitmain-fan-ctrl") ?? false)
        body["bitmain-fan-pwm"] = .string(raw.string("bitmain-fan-pwm") ?? "100")
        body["freq-level"] = .string(raw.string("bitmain-freq-level") ?? raw.string("freq-level") ?? "100")
        body["miner-mode"] = Int(mode.code).map { .number(Double($0)) } ?? .string(mode.code)
        var slots: [JSONValue] = pools.prefix(3).map { ["url": .string($0.url), "user": .string($0.user), "pass": .string($0.password)] }
        while slots.count < 3 { slots.append(["url": "", "user": "", "pass": ""]) }
        body["pools"] = .array(slots)
        return .object(body)
    }

    /// The page as JSON, as a simulator serves it.
    public var json: JSONValue {
        var o = raw
        o["pools"] = .array(pools.map { ["url": .string($0.url), "user": .string($0.user), "pass": .string($0.password)] })
        o["bitmain-work-mode"] = .string(workMode.code)
        return .object(o)
    }

    /// Reads a `set_miner_conf.cgi` body (what a client sends): the mode from `miner-mode`
    /// (a number or a string), the pools from `pools`.
    public static func change(fromBody object: JSONObject) -> (mode: WorkMode?, pools: [Pool]) {
        let mode = object.value(forKeyIgnoringCase: "miner-mode")?.string.map { WorkMode(code: $0) }
        let pools = object.objects("pools").map {
            Pool(url: $0.string("url") ?? "", user: $0.string("user") ?? "", password: $0.string("pass") ?? "")
        }
        return (mode, pools)
    }
}

/// The answer of `set_miner_conf.cgi`: `{"stats":"success","code":"M000","msg":"OK!"}`.
public struct AntminerSetConfigResult: Sendable, Equatable {
    /// `"stats":"success"`.
    public var succeeded: Bool
    /// `M000` on success.
    public var code: String
    public var message: String

    public init(succeeded: Bool, code: String, message: String) {
        self.succeeded = succeeded
        self.code = code
        self.message = message
    }

    /// What the firmware answers when it took the change.
    public static let ok = AntminerSetConfigResult(succeeded: true, code: "M000", message: "OK!")

    /// Reads the reply; throws when it is unreadable or reports anything but success.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(AntminerWebError) -> AntminerSetConfigResult
    where Bytes.Element == UInt8 {
        let o = try AntminerWebError.readObject(bytes, page: .setMinerConfig)
        guard let stats = o.string("stats") else { throw AntminerWebError(page: .setMinerConfig, reason: .missingField("stats")) }
        let result = AntminerSetConfigResult(
            succeeded: stats.lowercased() == "success", code: o.string("code") ?? "", message: o.string("msg") ?? "")
        guard result.succeeded else {
            throw AntminerWebError(page: .setMinerConfig, reason: .rejected(code: result.code, message: result.message))
        }
        return result
    }

    /// The reply as a simulator sends it.
    public var json: JSONValue {
        ["stats": .string(succeeded ? "success" : "error"), "code": .string(code), "msg": .string(message)]
    }
}

/// One entry of LuxOS `profiles`: `{"Profile Name":"default","Watts":3250,"Hashrate":110.0,
/// "Frequency":525,"Voltage":13.4,"IsTuned":false,...}`.
public struct LuxOSProfile: Sendable, Equatable {
    public var name: String
    public var watts: Double?
    public var hashrateTHs: Double?
    public var frequencyMHz: Double?
    public var voltage: Double?
    public var isTuned: Bool?

    public init(name: String, watts: Double? = nil, hashrateTHs: Double? = nil, frequencyMHz: Double? = nil, voltage: Double? = nil, isTuned: Bool? = nil) {
        self.name = name
        self.watts = watts
        self.hashrateTHs = hashrateTHs
        self.frequencyMHz = frequencyMHz
        self.voltage = voltage
        self.isTuned = isTuned
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["Profile Name"] = .string(name)
        if let watts { o["Watts"] = .number(watts) }
        if let hashrateTHs { o["Hashrate"] = .number(hashrateTHs) }
        if let frequencyMHz { o["Frequency"] = .number(frequencyMHz) }
        if let voltage { o["Voltage"] = .number(voltage) }
        if let isTuned { o["IsTuned"] = .bool(isTuned) }
        return .object(o)
    }
}

/// Reading LuxOS replies. Each function checks the STATUS first and turns a refusal into a
/// `LuxOSError` that says whether to log on again, wait for the session, or turn ATM off.
public enum LuxOSReply {
    /// Reads the bytes of a LuxOS reply (no STATUS check yet).
    public static func reply<Bytes: Collection>(_ bytes: Bytes, command: String) throws(LuxOSError) -> CGMinerReply
    where Bytes.Element == UInt8 {
        do {
            return try CGMinerReply.parse(bytes, command: command)
        } catch {
            throw LuxOSError(command: command, reason: .unreadable(error))
        }
    }

    /// The reply when its STATUS is not E/F, the classified error otherwise.
    public static func checked(_ reply: CGMinerReply) throws(LuxOSError) -> CGMinerReply {
        if let status = reply.status, status.isFailure { throw LuxOSError.classify(status, command: reply.command) }
        return reply
    }

    /// `logon` (code 316) or `session` (319): the session id; "" from `session` means none.
    public static func sessionID(_ reply: CGMinerReply) throws(LuxOSError) -> String {
        let r = try checked(reply)
        guard let id = r.first("SESSION")?.string("SessionID") else {
            throw LuxOSError(command: reply.command, reason: .missingField("SESSION[0].SessionID"))
        }
        if id.isEmpty && reply.command == "logon" {
            throw LuxOSError(command: "logon", reason: .sessionInUse(message: r.status?.message ?? "no session id returned"))
        }
        return id
    }

    /// `curtail` (code 335): the action the miner took ("sleep mode", "wake up").
    public static func curtail(_ reply: CGMinerReply) throws(LuxOSError) -> String {
        let r = try checked(reply)
        return r.first("CURTAIL")?.string("Action") ?? r.status?.message ?? ""
    }

    /// `profileset` (code 321): the profile now set.
    public static func profileSet(_ reply: CGMinerReply) throws(LuxOSError) -> String {
        let r = try checked(reply)
        guard let name = r.first("PROFILE")?.string("Profile") else {
            throw LuxOSError(command: reply.command, reason: .missingField("PROFILE[0].Profile"))
        }
        return name
    }

    /// `atmset` (code 340) or `logoff`: succeeded or threw.
    public static func acknowledged(_ reply: CGMinerReply) throws(LuxOSError) {
        _ = try checked(reply)
    }

    /// `power`: estimated wall power, W.
    public static func power(_ reply: CGMinerReply) throws(LuxOSError) -> Double {
        guard let w = try checked(reply).first("POWER")?.double("Watts") else {
            throw LuxOSError(command: reply.command, reason: .missingField("POWER[0].Watts"))
        }
        return w
    }

    /// `profiles`: every profile the miner offers.
    public static func profiles(_ reply: CGMinerReply) throws(LuxOSError) -> [LuxOSProfile] {
        try checked(reply).section("PROFILES").compactMap { p in
            guard let name = p.string("Profile Name") else { return nil }
            return LuxOSProfile(
                name: name, watts: p.double("Watts"), hashrateTHs: p.double("Hashrate"),
                frequencyMHz: p.double("Frequency"), voltage: p.double("Voltage"), isTuned: p.bool("IsTuned"))
        }
    }

    /// `atm` (code 339): whether automatic thermal management is on.
    public static func atmEnabled(_ reply: CGMinerReply) throws(LuxOSError) -> Bool {
        guard let on = try checked(reply).first("ATM")?.bool("Enabled") else {
            throw LuxOSError(command: reply.command, reason: .missingField("ATM[0].Enabled"))
        }
        return on
    }
}

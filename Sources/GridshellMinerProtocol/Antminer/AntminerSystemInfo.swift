/// `get_system_info.cgi`: who the miner is.
///
/// `{"minertype":"Antminer S19j Pro","macaddr":"30:CB:1B:49:A4:DB","hostname":"Antminer",
///   "serinum":"JYZZF1UBDJHJE01W0","system_filesystem_version":"Wed Aug 28 11:12:11 CST 2024",...}`
public struct AntminerSystemInfo: Sendable, Equatable {
    /// `minertype` as reported ("Antminer S19j Pro").
    public var minerType: String
    public var macAddress: String?
    public var hostname: String?
    public var serialNumber: String?
    /// `system_filesystem_version`: the firmware build date, the stock firmware's version.
    public var firmwareVersion: String?
    /// `firmware_type` ("Release").
    public var firmwareType: String?
    public var ipAddress: String?
    /// `Algorithm` on newer firmware ("sha256d", "KHeavyHash").
    public var algorithm: String?

    public init(
        minerType: String, macAddress: String? = nil, hostname: String? = nil, serialNumber: String? = nil,
        firmwareVersion: String? = nil, firmwareType: String? = nil, ipAddress: String? = nil, algorithm: String? = nil
    ) {
        self.minerType = minerType
        self.macAddress = macAddress
        self.hostname = hostname
        self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion
        self.firmwareType = firmwareType
        self.ipAddress = ipAddress
        self.algorithm = algorithm
    }

    public init(_ object: JSONObject) throws(AntminerWebError) {
        guard let type = object.string("minertype"), !type.trimmingSpaces.isEmpty else {
            throw AntminerWebError(page: .systemInfo, reason: .missingField("minertype"))
        }
        func field(_ key: String) -> String? {
            guard let v = object.string(key)?.trimmingSpaces, !v.isEmpty else { return nil }
            return v
        }
        self.init(
            minerType: type.trimmingSpaces, macAddress: field("macaddr"), hostname: field("hostname"),
            serialNumber: field("serinum"), firmwareVersion: field("system_filesystem_version"),
            firmwareType: field("firmware_type"), ipAddress: field("ipaddress"), algorithm: field("Algorithm"))
    }

    /// Reads the page's bytes; `minertype` is required.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(AntminerWebError) -> AntminerSystemInfo
    where Bytes.Element == UInt8 {
        try AntminerSystemInfo(try AntminerWebError.readObject(bytes, page: .systemInfo))
    }

    /// The catalog name of `minerType`, or the cleaned name when the catalog does not know it.
    public var model: String { MinerModelName.normalised(minerType) }

    /// The page as JSON, as a simulator serves it.
    public var json: JSONValue {
        var o = JSONObject()
        o["minertype"] = .string(minerType)
        o["nettype"] = "DHCP"
        o["netdevice"] = "eth0"
        o["macaddr"] = .string(macAddress ?? "")
        o["hostname"] = .string(hostname ?? "")
        o["ipaddress"] = .string(ipAddress ?? "")
        o["system_mode"] = "GNU/Linux"
        o["system_filesystem_version"] = .string(firmwareVersion ?? "")
        o["firmware_type"] = .string(firmwareType ?? "Release")
        if let algorithm { o["Algorithm"] = .string(algorithm) }
        o["serinum"] = .string(serialNumber ?? "")
        return .object(o)
    }
}

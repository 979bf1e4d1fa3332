import Foundation
import GridshellCore

/// The software a miner runs, as pyasic's `MinerFactory` tells them apart.
public enum DetectedFirmware: String, Sendable, CaseIterable {
    case antminerStock = "antminer"
    case luxos
    case braiins
    case hiveon
    case vnish
    case mskminer
    case marathon
    case whatsminer
    case avalon
    case goldshell
    case innosilicon
    case auradine
    case iceriver
    case bitaxe
    case epic
    case hammer
    case elphapex

    /// The family Gridshell can control, nil for firmware it only recognises.
    public var family: FirmwareFamily? {
        switch self {
        case .antminerStock: return .stock
        case .luxos: return .luxos
        case .braiins: return .braiins
        default: return nil
        }
    }

    /// The maker when the firmware implies it.
    public var impliedMake: String? {
        switch self {
        case .antminerStock, .hiveon, .vnish, .mskminer, .marathon, .luxos, .braiins: return "Bitmain"
        case .whatsminer: return "MicroBT"
        case .avalon: return "Canaan"
        case .goldshell: return "Goldshell"
        case .innosilicon: return "Innosilicon"
        case .auradine: return "Auradine"
        case .iceriver: return "IceRiver"
        case .bitaxe: return "Bitaxe"
        case .epic: return "ePIC"
        case .hammer, .elphapex: return nil
        }
    }
}

/// What an HTTP `GET /` on port 80 returned.
public struct WebProbe: Sendable, Equatable {
    /// HTTP status code of the reply (401 for a stock Antminer without credentials).
    public var status: Int
    /// The `WWW-Authenticate` header, if any.
    public var wwwAuthenticate: String?
    /// The page, as text.
    public var body: String

    public init(status: Int, wwwAuthenticate: String? = nil, body: String = "") {
        self.status = status
        self.wwwAuthenticate = wwwAuthenticate
        self.body = body
    }
}

/// The result of identifying a miner.
public struct MinerIdentification: Sendable, Equatable {
    /// The firmware the probes revealed.
    public var firmware: DetectedFirmware
    /// The model as the miner reported it, if it did.
    public var reportedModel: String?
    /// `reportedModel` normalised to the catalog's name when known ("Antminer S21 XP").
    public var model: String?
    /// "Bitmain", "MicroBT", ...: from the catalog, the model name or the firmware.
    public var make: String

    /// The family Gridshell controls, nil for firmware it only recognises.
    public var family: FirmwareFamily? { firmware.family }

    /// The identity for telemetry, for firmware Gridshell controls.
    public func identity(firmwareVersion: String? = nil, systemInfo: AntminerSystemInfo? = nil) -> MinerIdentity? {
        guard let family else { return nil }
        return MinerIdentity(
            make: make, model: model ?? "Unknown", firmware: family,
            firmwareVersion: firmwareVersion ?? systemInfo?.firmwareVersion, macAddress: systemInfo?.macAddress,
            hostname: systemInfo?.hostname, serialNumber: systemInfo?.serialNumber)
    }
}

/// pyasic's identification rules (`pyasic/miners/factory.py`), as pure functions: the network
/// code runs the probes (web `GET /` on port 80 racing RPC `version`/`devdetails` on 4028, the
/// first answer that names a type wins) and hands their results here.
public enum MinerIdentifier {
    /// The firmware a web probe reveals: a 401 whose Digest realm starts `antMiner` is stock
    /// Antminer firmware; LuxOS and Braiins OS say so in the page.
    public static func firmware(web probe: WebProbe) -> DetectedFirmware? {
        let auth = probe.wwwAuthenticate ?? ""
        if probe.status == 401 {
            if auth.contains("realm=\"antMiner") { return .antminerStock }
            if auth.contains("realm=\"blackMiner") { return .hammer }
            if auth.contains("realm=\"Daoge") { return .elphapex }
        }
        let body = probe.body
        let markers: [(String, DetectedFirmware)] = [
            ("Braiins OS", .braiins), ("Luxor Firmware", .luxos), ("<TITLE>用户界面</TITLE>", .iceriver), ("AxeOS", .bitaxe),
            ("cloud-box", .goldshell), ("AnthillOS", .vnish), ("Miner Web Dashboard", .epic), ("Avalon", .avalon),
            ("DragonMint", .innosilicon), ("Miner UI", .auradine),
        ]
        return markers.first { body.contains($0.0) }?.1
    }

    /// The firmware an RPC `version` or `devdetails` reply reveals, from the upper-cased text.
    public static func firmware<Bytes: Collection>(rpc bytes: Bytes) -> DetectedFirmware? where Bytes.Element == UInt8 {
        firmware(rpcText: String(decoding: bytes, as: UTF8.self))
    }

    /// `firmware(rpc:)` for text already decoded.
    public static func firmware(rpcText text: String) -> DetectedFirmware? {
        let upper = text.uppercased()
        if upper.contains("BOSMINER") || upper.contains("BOSER") { return .braiins }
        if upper.contains("BTMINER") || upper.contains("BITMICRO") { return .whatsminer }
        if upper.contains("LUXMINER") { return .luxos }
        if upper.contains("HIVEON") { return .hiveon }
        if upper.contains("KAONSU") { return .marathon }
        if upper.contains("RWGLR") { return .mskminer }
        // A devdetails reply names the Antminer without telling the firmware apart.
        if upper.contains("ANTMINER") && !upper.contains("DEVDETAILS") { return .antminerStock }
        if upper.contains("INTCHAINS_QOMO") || upper.contains("KDAMINER") || upper.contains("BFGMINER") { return .goldshell }
        if upper.contains("INNOMINER") { return .innosilicon }
        if upper.contains("AVALON") { return .avalon }
        if upper.contains("GCMINER") || upper.contains("FLUXOS") { return .auradine }
        if upper.contains("VNISH") { return .vnish }
        return nil
    }

    /// The model: stock firmware's `get_system_info.cgi` `minertype` or `VERSION[0].Type`,
    /// Braiins' `DEVDETAILS[0].Model`, LuxOS' and Hiveon's `VERSION[0].Type`; firmware notes
    /// after " (" are dropped.
    public static func reportedModel(
        firmware: DetectedFirmware, systemInfo: AntminerSystemInfo? = nil, version: CGMinerReply? = nil,
        devdetails: CGMinerReply? = nil
    ) -> String? {
        let versionType = version?.first("VERSION")?.string("Type")
        let detailsModel = devdetails?.first("DEVDETAILS")?.string("Model")
        var model: String?
        switch firmware {
        case .antminerStock: model = systemInfo?.minerType ?? versionType
        case .braiins: model = (detailsModel ?? versionType).map { $0.replacingOccurrences(of: "S19XP", with: "S19 XP") }
        case .hiveon: model = versionType.map(MinerModelName.cleaned)
        default: model = versionType ?? detailsModel ?? systemInfo?.minerType
        }
        guard let m = model?.trimmingSpaces, !m.isEmpty else { return nil }
        return m
    }

    /// Puts the probes together. The RPC answer wins over the web one when both name a type,
    /// except that the RPC's plain "Antminer" gives way to a web page that names LuxOS or
    /// Braiins; a model containing "Hiveon" makes the firmware Hiveon whatever the probes said
    /// (Hiveon copies the stock web pages).
    public static func identify(
        web: WebProbe? = nil, rpc: [UInt8]? = nil, systemInfo: AntminerSystemInfo? = nil,
        version: CGMinerReply? = nil, devdetails: CGMinerReply? = nil, catalog: MinerCatalog = .builtIn
    ) -> MinerIdentification? {
        let fromWeb = web.flatMap { firmware(web: $0) }
        var fromRPC = rpc.flatMap { firmware(rpc: $0) }
        if fromRPC == nil, let version { fromRPC = firmware(rpcText: JSONValue.object(version.body).jsonText()) }
        if fromRPC == nil, let devdetails { fromRPC = firmware(rpcText: JSONValue.object(devdetails.body).jsonText()) }
        var detected: DetectedFirmware?
        switch (fromRPC, fromWeb) {
        case (.antminerStock?, let w?) where w != .antminerStock: detected = w
        case (let r?, _): detected = r
        case (nil, let w): detected = w
        }
        if systemInfo != nil, detected == nil { detected = .antminerStock }
        guard var firmware = detected else { return nil }
        var reported = reportedModel(firmware: firmware, systemInfo: systemInfo, version: version, devdetails: devdetails)
        if let r = reported, r.uppercased().contains("HIVEON"), firmware != .hiveon {
            firmware = .hiveon
            reported = reportedModel(firmware: .hiveon, version: version)
        }
        let model = reported.map { MinerModelName.normalised($0, catalog: catalog) }
        let make = model.flatMap { MinerModelName.make(ofModel: $0, catalog: catalog) } ?? firmware.impliedMake ?? "Unknown"
        return MinerIdentification(firmware: firmware, reportedModel: reported, model: model, make: make)
    }
}

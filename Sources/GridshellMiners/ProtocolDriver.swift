import Foundation
import GridshellCore
import GridshellMinerProtocol
import NIOCore
import NIOPosix
import Synchronization

/// The real protocols: the cgminer API on 4028 for reading (one `summary+stats+pools` request a
/// sweep, plus LuxOS's `power+config`), the stock web API for work modes, LuxOS sessions for
/// its commands.
public final class ProtocolDriver: MinerDriver {
    public let rpc: RPCTransport
    public let web: WebTransport
    /// Probe connects give up after this long.
    public let probeTimeout: TimeAmount
    private let luxSessions = Mutex<[String: String]>([:])
    /// Stock work mode last read or set, per address ("0" normal, "1" sleep, "3" low power).
    private let stockModes = Mutex<[String: Int]>([:])
    /// Stock configuration last read, per address: a mode change writes it back with the new
    /// mode, so a curtailment costs one request, not two.
    private let stockConfigs = Mutex<[String: JSONObject]>([:])

    public init(group: any EventLoopGroup, limits: TransportLimits = TransportLimits(), probeTimeout: TimeAmount = .milliseconds(500), webUser: String = "root", webPassword: String = "root") {
        self.rpc = RPCTransport(group: group, limits: limits)
        self.web = WebTransport(group: group, limits: limits, user: webUser, password: webPassword)
        self.probeTimeout = probeTimeout
    }

    // MARK: Probe and identification

    public func probe(_ endpoint: MinerEndpoint) async -> Bool {
        let bootstrap = ClientBootstrap(group: rpc.group).connectTimeout(probeTimeout)
        guard let target = try? SocketAddress(ipAddress: endpoint.address, port: endpoint.rpcPort),
            let channel = try? await bootstrap.connect(to: target).get()
        else { return false }
        try? await channel.close()
        return true
    }

    /// Identifies the way pyasic does: the cgminer `version` reply names the software (LUXminer,
    /// BOSminer, bmminer/BMMiner, cgminer) and `Type` the model; when it does not, the web
    /// interface decides (a Digest realm `antMiner…` is stock Antminer; a page saying Luxor
    /// Firmware or Braiins OS names the firmware) and `get_system_info.cgi` gives the model.
    public func identify(_ endpoint: MinerEndpoint) async throws -> MinerIdentity {
        var rpcError: (any Error)?
        do {
            let request = CGMinerRequest("version")
            let bytes = try await rpc.send(request, to: endpoint.address, port: endpoint.rpcPort)
            let set = try CGMinerReplySet.parse(bytes, request: request)
            if let identity = (try? TelemetryReader(set).telemetry())?.identity, !identity.make.isEmpty, identity.make.lowercased() != "unknown" {
                var id = identity
                if id.firmware == .stock, id.macAddress == nil, let info = try? await systemInfo(endpoint) {
                    id.macAddress = info.mac
                    id.hostname = info.hostname
                    id.serialNumber = info.serial
                    if let model = info.model { id.model = MinerModelName.normalised(model) }
                }
                return id
            }
        } catch {
            rpcError = error
        }
        // The web interface decides.
        let page = try await web.raw(.GET, "/", address: endpoint.address, port: endpoint.webPort)
        let text = String(decoding: page.body.prefix(65_536), as: UTF8.self)
        if page.status == 401, let realm = page.header("WWW-Authenticate"), realm.contains("realm=\"antMiner") {
            let info = try await systemInfo(endpoint)
            return MinerIdentity(
                make: "Bitmain", model: MinerModelName.normalised(info.model ?? "Antminer"), firmware: .stock,
                firmwareVersion: info.firmware, macAddress: info.mac, hostname: info.hostname, serialNumber: info.serial)
        }
        if text.contains("Luxor Firmware") || text.contains("Braiins OS") {
            throw MinerTransportError.other(
                endpoint.address, "web page names \(text.contains("Luxor") ? "LuxOS" : "Braiins OS") but the cgminer API did not answer: \(rpcError.map { "\($0)" } ?? "no reply")")
        }
        throw MinerTransportError.other(endpoint.address, "not a miner Gridshell knows (cgminer API: \(rpcError.map { "\($0)" } ?? "no software named"); web: HTTP \(page.status))")
    }

    struct SystemInfo {
        var model: String?
        var mac: String?
        var hostname: String?
        var serial: String?
        var firmware: String?
    }

    private func systemInfo(_ endpoint: MinerEndpoint) async throws -> SystemInfo {
        let reply = try await web.request(.GET, "/cgi-bin/get_system_info.cgi", address: endpoint.address, port: endpoint.webPort)
        let value = try LenientJSON.parse(reply.body)
        let o = value.object ?? JSONObject()
        return SystemInfo(
            model: o.string("minertype"), mac: o.string("macaddr"), hostname: o.string("hostname"),
            serial: o.string("serinum"), firmware: o.string("system_filesystem_version"))
    }

    // MARK: Reading

    static let stockRead = CGMinerRequest("summary+stats+pools")
    static let luxRead = CGMinerRequest("summary+stats+pools+power+config")

    public func read(_ endpoint: MinerEndpoint, identity: MinerIdentity?) async throws -> MinerTelemetry {
        let lux = identity?.firmware == .luxos
        let request = lux ? Self.luxRead : Self.stockRead
        let bytes = try await rpc.send(request, to: endpoint.address, port: endpoint.rpcPort)
        let set = try CGMinerReplySet.parse(bytes, request: request)
        var t = try TelemetryReader(set).telemetry()
        if let identity { t.identity = identity }
        switch identity?.firmware {
        case .stock?:
            // bmminer's API does not say the work mode; the web interface does. Ask it when the
            // hashrate alone cannot tell (not hashing, or a mode other than normal last seen).
            let known = stockModes.withLock { $0[endpoint.address] }
            let hashing = (t.hashrateTHs ?? 0) > 0
            var mode = known
            if known == nil || known != 0 || !hashing {
                mode = try? await workMode(endpoint)
            }
            t.mode = Self.stockMode(workMode: mode, hashing: hashing)
            // Asleep or restarting by command is not a fault.
            if t.mode == .sleep || t.mode == .ramping { t.errors.removeAll { $0.hasPrefix("not hashing") } }
        case .luxos?:
            if t.mode == .unknown { t.mode = (t.hashrateTHs ?? 0) > 0 ? .normal : ((t.powerW ?? 0) < 200 ? .sleep : .ramping) }
        default:
            if t.mode == .unknown, let h = t.hashrateTHs { t.mode = h > 0 ? .normal : .unknown }
        }
        return t
    }

    static func stockMode(workMode: Int?, hashing: Bool) -> MinerMode {
        switch workMode {
        case 1?: return .sleep
        case 3?: return hashing ? .lowPower : .ramping
        case 0?: return hashing ? .normal : .ramping
        default: return hashing ? .normal : .unknown
        }
    }

    private func minerConf(_ endpoint: MinerEndpoint) async throws -> JSONObject {
        let reply = try await web.request(.GET, "/cgi-bin/get_miner_conf.cgi", address: endpoint.address, port: endpoint.webPort)
        guard let o = try LenientJSON.parse(reply.body).object else {
            throw MinerTransportError.other(endpoint.address, "get_miner_conf.cgi did not return a JSON object")
        }
        return o
    }

    private func workMode(_ endpoint: MinerEndpoint) async throws -> Int {
        let conf = try await minerConf(endpoint)
        stockConfigs.withLock { $0[endpoint.address] = conf }
        guard let mode = conf.int("bitmain-work-mode") ?? conf.int("miner-mode") else {
            throw MinerTransportError.other(endpoint.address, "get_miner_conf.cgi has no bitmain-work-mode")
        }
        stockModes.withLock { $0[endpoint.address] = mode }
        return mode
    }

    // MARK: Commands

    public func send(_ command: MinerCommand, to endpoint: MinerEndpoint, identity: MinerIdentity?) async throws {
        switch identity?.firmware {
        case .luxos?: try await sendLuxOS(command, endpoint)
        case .stock?: try await sendStock(command, endpoint)
        default:
            throw MinerTransportError.other(endpoint.address, "cannot send \(command): firmware \(identity.map { $0.firmware.rawValue } ?? "unknown")")
        }
    }

    /// Stock firmware: read the whole configuration, change the mode, write it back.
    private func sendStock(_ command: MinerCommand, _ endpoint: MinerEndpoint) async throws {
        let mode: Int
        switch command {
        case .sleep: mode = 1
        case .wake: mode = 0
        case .lowPower: mode = 3
        case .powerTarget, .profile:
            throw MinerTransportError.other(endpoint.address, "stock firmware has no \(command); use sleep, low-power or wake")
        }
        var conf: JSONObject
        if let known = stockConfigs.withLock({ $0[endpoint.address] }) { conf = known } else { conf = try await minerConf(endpoint) }
        conf["bitmain-work-mode"] = .string(String(mode))
        conf["miner-mode"] = .number(Double(mode))
        let reply = try await web.request(.POST, "/cgi-bin/set_miner_conf.cgi", body: JSONValue.object(conf).encoded(), address: endpoint.address, port: endpoint.webPort)
        let answer = try LenientJSON.parse(reply.body).object
        guard answer?.string("stats") == "success" else {
            throw MinerTransportError.other(endpoint.address, "set_miner_conf.cgi refused the change: \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
        }
        stockModes.withLock { $0[endpoint.address] = mode }
        stockConfigs.withLock { $0[endpoint.address] = conf }
    }

    /// Sends a LuxOS command that needs a session, logging on (or reusing the open session) first.
    private func luxPrivileged(_ command: String, _ argument: String, _ endpoint: MinerEndpoint) async throws -> CGMinerReply {
        for attempt in 0..<2 {
            let sid = try await luxSession(endpoint, fresh: attempt > 0)
            let request = CGMinerRequest(command, parameter: argument.isEmpty ? sid : "\(sid),\(argument)")
            let bytes = try await rpc.send(request, to: endpoint.address, port: endpoint.rpcPort)
            let reply = try CGMinerReply.parse(bytes, command: command)
            if let status = reply.status, status.isFailure {
                let text = (status.message ?? "").lowercased()
                if text.contains("session") && attempt == 0 {
                    luxSessions.withLock { $0[endpoint.address] = nil }
                    continue
                }
                throw MinerTransportError.other(endpoint.address, "LuxOS \(command) refused: \(status.message ?? "code \(status.code ?? -1)")")
            }
            return reply
        }
        throw MinerTransportError.other(endpoint.address, "LuxOS \(command): no valid session")
    }

    private func luxSession(_ endpoint: MinerEndpoint, fresh: Bool) async throws -> String {
        if !fresh, let sid = luxSessions.withLock({ $0[endpoint.address] }) { return sid }
        // Log on; when another session is open (LuxOS allows one at a time), share it.
        for command in ["logon", "session"] {
            let request = CGMinerRequest(command)
            let bytes = try await rpc.send(request, to: endpoint.address, port: endpoint.rpcPort)
            let reply = try CGMinerReply.parse(bytes, command: command)
            if let sid = reply.first("SESSION")?.string("SessionID"), !sid.isEmpty {
                luxSessions.withLock { $0[endpoint.address] = sid }
                return sid
            }
        }
        throw MinerTransportError.other(endpoint.address, "LuxOS gave no session (another client may hold it)")
    }

    private func sendLuxOS(_ command: MinerCommand, _ endpoint: MinerEndpoint) async throws {
        switch command {
        case .sleep: _ = try await luxPrivileged("curtail", "sleep", endpoint)
        case .wake: _ = try await luxPrivileged("curtail", "wakeup", endpoint)
        case .lowPower:
            throw MinerTransportError.other(endpoint.address, "LuxOS has no low-power mode; use a profile or a power target")
        case .powerTarget(let watts):
            try await luxProfile("\(Int(watts.rounded(.down)))W", endpoint)
        case .profile(let name):
            try await luxProfile(name, endpoint)
        }
    }

    /// A profile cannot be set while ATM is on: switch ATM off first (and leave it off, as the
    /// site now manages power).
    private func luxProfile(_ argument: String, _ endpoint: MinerEndpoint) async throws {
        let atm = try CGMinerReply.parse(try await rpc.send(CGMinerRequest("atm"), to: endpoint.address, port: endpoint.rpcPort), command: "atm")
        if atm.first("ATM")?.bool("Enabled") ?? false {
            _ = try await luxPrivileged("atmset", "enabled=false", endpoint)
        }
        _ = try await luxPrivileged("profileset", argument, endpoint)
    }
}

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
    /// True for a controller that commands the fleet: a LuxOS miner's session is opened when the
    /// miner is first read and kept, so each later command is one request. (A monitor leaves
    /// this off: LuxOS allows one session at a time and reading needs none.)
    public let holdsLuxOSSessions: Bool
    /// The LuxOS session kept per address and when it was last used, reused by every command
    /// until LuxOS says it expired.
    private let luxSessions = Mutex<[String: (id: String, lastUsed: Date)]>([:])
    /// LuxOS ends a session after a minute unused (FACTS.md §3): a controller renews its sessions
    /// when they have been idle this long, so a curtailment is one request, not a failed one, a
    /// logon and the command again.
    public let luxOSSessionRenewSeconds: Double
    static let luxOSSessionLifetimeSeconds = 60.0
    /// Stock work mode last read or set, per address ("0" normal, "1" sleep, "3" low power).
    private let stockModes = Mutex<[String: Int]>([:])
    /// Stock configuration last read, per address: a mode change writes it back with the new
    /// mode, so a curtailment costs one request, not two.
    private let stockConfigs = Mutex<[String: AntminerMinerConfig]>([:])

    public init(
        group: any EventLoopGroup, limits: TransportLimits = TransportLimits(), probeTimeout: TimeAmount = .milliseconds(500),
        webUser: String = "root", webPassword: String = "root", holdsLuxOSSessions: Bool = false, luxOSSessionRenewSeconds: Double = 40
    ) {
        self.luxOSSessionRenewSeconds = luxOSSessionRenewSeconds
        self.rpc = RPCTransport(group: group, limits: limits)
        self.web = WebTransport(group: group, limits: limits, user: webUser, password: webPassword)
        self.probeTimeout = probeTimeout
        self.holdsLuxOSSessions = holdsLuxOSSessions
    }

    /// The LuxOS session kept for `address`, if any.
    public func luxOSSession(of address: String) -> String? { luxSessions.withLock { $0[address]?.id } }

    // MARK: Probe and identification

    public func probe(_ endpoint: MinerEndpoint) async -> Bool {
        let bootstrap = ClientBootstrap(group: rpc.group).connectTimeout(probeTimeout)
        guard let target = try? SocketAddress(ipAddress: endpoint.address, port: endpoint.rpcPort),
            let channel = try? await bootstrap.connect(to: target).get()
        else { return false }
        try? await channel.close()
        return true
    }

    /// Identifies the way pyasic does (`MinerIdentifier` holds its rules): the cgminer `version`
    /// reply names the software and the model; when it names nothing, the web interface's
    /// `GET /` decides. Stock firmware's `get_system_info.cgi` adds the model, MAC and serial.
    public func identify(_ endpoint: MinerEndpoint) async throws -> MinerIdentity {
        var rpcError: (any Error)?
        do {
            let request = LuxOSCommand.version
            let bytes = try await rpc.send(request, to: endpoint.address, port: endpoint.rpcPort)
            let set = try CGMinerReplySet.parse(bytes, request: request)
            let version = try set.reply("version")
            if let found = MinerIdentifier.identify(rpc: bytes, version: version) {
                let reported = (try? TelemetryReader(set).telemetry())?.identity?.firmwareVersion
                var info: AntminerSystemInfo?
                var identification = found
                if found.firmware == .antminerStock, let page = try? await systemInfo(endpoint) {
                    info = page
                    identification = MinerIdentifier.identify(rpc: bytes, systemInfo: page, version: version) ?? found
                }
                if let identity = identification.identity(firmwareVersion: reported, systemInfo: info) { return identity }
            }
        } catch {
            rpcError = error
        }
        // The web interface decides.
        let page = try await web.raw(.GET, "/", address: endpoint.address, port: endpoint.webPort)
        let probe = WebProbe(status: page.status, wwwAuthenticate: page.header("WWW-Authenticate"), body: String(decoding: page.body.prefix(65_536), as: UTF8.self))
        switch MinerIdentifier.firmware(web: probe) {
        case .antminerStock?:
            let info = try await systemInfo(endpoint)
            if let identity = MinerIdentifier.identify(web: probe, systemInfo: info)?.identity(systemInfo: info) { return identity }
        case let firmware? where firmware == .luxos || firmware == .braiins:
            throw MinerTransportError.other(
                endpoint.address, "web page names \(firmware == .luxos ? "LuxOS" : "Braiins OS") but the cgminer API did not answer: \(rpcError.map { "\($0)" } ?? "no reply")")
        default: break
        }
        throw MinerTransportError.other(endpoint.address, "not a miner Gridshell knows (cgminer API: \(rpcError.map { "\($0)" } ?? "no software named"); web: HTTP \(page.status))")
    }

    private func systemInfo(_ endpoint: MinerEndpoint) async throws -> AntminerSystemInfo {
        let reply = try await web.request(.GET, AntminerWebPage.systemInfo.path, address: endpoint.address, port: endpoint.webPort)
        return try AntminerSystemInfo.parse(reply.body)
    }

    // MARK: Reading

    static let stockRead = CGMinerRequest("summary+stats+pools")
    static let luxRead = CGMinerRequest("summary+stats+pools+power+config")
    /// What confirms a command on LuxOS: mode, hashrate and power, a quarter of a full read.
    static let luxQuickRead = CGMinerRequest("summary+power+config")

    public func read(_ endpoint: MinerEndpoint, identity: MinerIdentity?) async throws -> MinerTelemetry {
        try await read(endpoint, identity: identity, quick: false)
    }

    public func readQuick(_ endpoint: MinerEndpoint, identity: MinerIdentity?) async throws -> MinerTelemetry {
        try await read(endpoint, identity: identity, quick: true)
    }

    func read(_ endpoint: MinerEndpoint, identity: MinerIdentity?, quick: Bool) async throws -> MinerTelemetry {
        let lux = identity?.firmware == .luxos
        let request = lux ? (quick ? Self.luxQuickRead : Self.luxRead) : Self.stockRead
        let bytes = try await rpc.send(request, to: endpoint.address, port: endpoint.rpcPort)
        let set = try CGMinerReplySet.parse(bytes, request: request)
        var reader = TelemetryReader(set)
        reader.knownIdentity = identity
        var t = try reader.telemetry()
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
            // A controller opens the session it will command with now, not when time counts, and
            // keeps it from lapsing.
            if holdsLuxOSSessions {
                let idle = luxSessions.withLock { $0[endpoint.address].map { Date().timeIntervalSince($0.lastUsed) } }
                if idle == nil || idle! >= luxOSSessionRenewSeconds { _ = try? await luxSession(endpoint, fresh: true) }
            }
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

    private func minerConf(_ endpoint: MinerEndpoint) async throws -> AntminerMinerConfig {
        let reply = try await web.request(.GET, AntminerWebPage.minerConfig.path, address: endpoint.address, port: endpoint.webPort)
        return try AntminerMinerConfig.parse(reply.body)
    }

    private func workMode(_ endpoint: MinerEndpoint) async throws -> Int {
        let conf = try await minerConf(endpoint)
        stockConfigs.withLock { $0[endpoint.address] = conf }
        guard conf.raw["bitmain-work-mode"] != nil || conf.raw["miner-mode"] != nil, let mode = Int(conf.workMode.code) else {
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

    /// Stock firmware: the configuration (kept from the last read, or read now) written back
    /// with the new mode.
    private func sendStock(_ command: MinerCommand, _ endpoint: MinerEndpoint) async throws {
        let mode: AntminerMinerConfig.WorkMode
        switch command {
        case .sleep: mode = .sleep
        case .wake: mode = .normal
        case .lowPower: mode = .lowPower
        case .powerTarget, .profile:
            throw MinerTransportError.other(endpoint.address, "stock firmware has no \(command); use sleep, low-power or wake")
        }
        var conf: AntminerMinerConfig
        if let known = stockConfigs.withLock({ $0[endpoint.address] }) { conf = known } else { conf = try await minerConf(endpoint) }
        let body = conf.setMinerConfigBody(mode: mode).encoded()
        let reply = try await web.request(.POST, AntminerWebPage.setMinerConfig.path, body: body, address: endpoint.address, port: endpoint.webPort)
        do {
            _ = try AntminerSetConfigResult.parse(reply.body)
        } catch {
            throw MinerTransportError.other(endpoint.address, "set_miner_conf.cgi refused the change: \(error)")
        }
        conf.workMode = mode
        conf.raw["bitmain-work-mode"] = .string(mode.code)
        stockModes.withLock { $0[endpoint.address] = Int(mode.code) }
        stockConfigs.withLock { $0[endpoint.address] = conf }
    }

    /// Sends a LuxOS command that needs a session: with the session kept from before when there
    /// is one, else after logging on (or sharing the open session); once more with a fresh
    /// session when LuxOS says the kept one expired (it lapses after a minute unused).
    private func luxPrivileged(_ endpoint: MinerEndpoint, _ request: (String) -> CGMinerRequest) async throws {
        for attempt in 0..<2 {
            let sid = try await luxSession(endpoint, fresh: attempt > 0)
            let req = request(sid)
            do {
                let bytes = try await rpc.send(req, to: endpoint.address, port: endpoint.rpcPort)
                _ = try LuxOSReply.checked(try LuxOSReply.reply(bytes, command: req.command))
                luxSessions.withLock { if $0[endpoint.address]?.id == sid { $0[endpoint.address]?.lastUsed = Date() } }
                return
            } catch let error as LuxOSError {
                if case .sessionExpired = error.reason, attempt == 0 {
                    luxSessions.withLock { $0[endpoint.address] = nil }
                    continue
                }
                throw MinerTransportError.other(endpoint.address, error.description)
            }
        }
        throw MinerTransportError.other(endpoint.address, "LuxOS: no valid session")
    }

    private func luxSession(_ endpoint: MinerEndpoint, fresh: Bool) async throws -> String {
        let kept = luxSessions.withLock { $0[endpoint.address] }
        let idle = kept.map { Date().timeIntervalSince($0.lastUsed) } ?? .infinity
        // A session about to lapse is renewed rather than used.
        if !fresh, let kept, idle < Self.luxOSSessionLifetimeSeconds - 5 { return kept.id }
        // Ours may still be open: end it, or LuxOS refuses a new one (one at a time).
        if let kept, idle < Self.luxOSSessionLifetimeSeconds {
            _ = try? await rpc.send(LuxOSCommand.logoff(session: kept.id), to: endpoint.address, port: endpoint.rpcPort)
        }
        luxSessions.withLock { $0[endpoint.address] = nil }
        // Log on; when another session is open (LuxOS allows one at a time), share it.
        for request in [LuxOSCommand.logon, LuxOSCommand.session] {
            let bytes = try await rpc.send(request, to: endpoint.address, port: endpoint.rpcPort)
            if let sid = try? LuxOSReply.sessionID(try LuxOSReply.reply(bytes, command: request.command)), !sid.isEmpty {
                luxSessions.withLock { $0[endpoint.address] = (sid, Date()) }
                return sid
            }
        }
        throw MinerTransportError.other(endpoint.address, "LuxOS gave no session (another client may hold it)")
    }

    private func sendLuxOS(_ command: MinerCommand, _ endpoint: MinerEndpoint) async throws {
        switch command {
        case .sleep: try await luxPrivileged(endpoint) { LuxOSCommand.curtail(session: $0, .sleep) }
        case .wake: try await luxPrivileged(endpoint) { LuxOSCommand.curtail(session: $0, .wakeup) }
        case .lowPower:
            throw MinerTransportError.other(endpoint.address, "LuxOS has no low-power mode; use a profile or a power target")
        case .powerTarget(let watts):
            // The highest profile at or under the target: round down, never up.
            try await luxProfile("\(Int(watts.rounded(.down)))W", endpoint)
        case .profile(let name):
            try await luxProfile(name, endpoint)
        }
    }

    /// A profile cannot be set while ATM is on: switch ATM off first (and leave it off, as the
    /// site now manages power).
    private func luxProfile(_ profile: String, _ endpoint: MinerEndpoint) async throws {
        let bytes = try await rpc.send(LuxOSCommand.atm, to: endpoint.address, port: endpoint.rpcPort)
        if (try? LuxOSReply.atmEnabled(try LuxOSReply.reply(bytes, command: "atm"))) ?? false {
            try await luxPrivileged(endpoint) { LuxOSCommand.atmSet(session: $0, enabled: false) }
        }
        try await luxPrivileged(endpoint) { LuxOSCommand.profileSet(session: $0, profile: profile) }
    }
}

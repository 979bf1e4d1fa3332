import Foundation
import GridshellCore
import Synchronization

/// What a simulated miner is and how it answers: model, firmware, identity and credentials.
public struct SimulatedMinerSpec: Sendable {
    public var address: String
    public var model: MinerModel
    public var firmware: FirmwareFamily
    public var boards: Int
    public var chipsPerBoard: Int
    public var fans: Int
    public var serial: String
    public var mac: String
    public var hostname: String
    /// Web UI user and password (stock Antminer default root/root; LuxOS root/root).
    public var webUser: String
    public var webPassword: String
    public var ambientC: Double

    public init(
        address: String, model: MinerModel, firmware: FirmwareFamily, serial: String, mac: String,
        webUser: String = "root", webPassword: String = "root", ambientC: Double = 25
    ) {
        self.address = address
        self.model = model
        self.firmware = firmware
        let layout = HashboardLayout.of(model)
        self.boards = layout.boards
        self.chipsPerBoard = layout.chipsPerBoard
        self.fans = 4
        self.serial = serial
        self.mac = mac
        self.hostname = "Antminer"
        self.webUser = webUser
        self.webPassword = webPassword
        self.ambientC = ambientC
    }
}

/// Boards and chips per board of the models the simulator builds (Bitmain's published counts).
public struct HashboardLayout: Sendable, Equatable {
    public var boards: Int
    public var chipsPerBoard: Int

    public static func of(_ model: MinerModel) -> HashboardLayout {
        let name = model.name.lowercased()
        if name.contains("s21 xp") { return HashboardLayout(boards: 3, chipsPerBoard: 91) }
        if name.contains("s21") { return HashboardLayout(boards: 3, chipsPerBoard: 108) }
        if name.contains("s19j pro") { return HashboardLayout(boards: 3, chipsPerBoard: 126) }
        if name.contains("s19 xp") { return HashboardLayout(boards: 3, chipsPerBoard: 110) }
        if name.contains("s19") { return HashboardLayout(boards: 3, chipsPerBoard: 76) }
        return HashboardLayout(boards: 3, chipsPerBoard: 100)
    }
}

/// Something wrong with a simulated miner, switched on by a test or the fleet's fault mix.
public enum SimulatedFault: Sendable, Equatable {
    /// Accepts connections and never answers.
    case noAnswer
    /// Answers after this many wall-clock seconds.
    case slowAnswer(seconds: Double)
    /// Answers with bytes that are not the protocol.
    case garbage
    /// Answers a few bytes at a time (a struggling control board), this many bytes a second.
    case slowDrip(bytesPerSecond: Int)
    /// Answers with this many bytes of noise before the reply (a broken firmware's log dump).
    case hugeReply(bytes: Int)
    /// One hashboard reports no chips and no hashrate.
    case deadHashboard(index: Int)
    /// Poor cooling: temperatures climb until the firmware's protection stops hashing.
    case overheating
}

/// The mode a miner has been told to run in.
public enum SimulatedSetting: Sendable, Equatable {
    case normal
    case lowPower
    case sleep
    /// A frequency ratio set by a LuxOS profile or a power target, with the name the firmware shows.
    case profile(name: String, frequencyRatio: Double)
}

/// A snapshot of one simulated miner at a moment of simulated time.
public struct SimulatedReading: Sendable, Equatable {
    public var setting: SimulatedSetting
    /// True while moving between settings (restart or ramp).
    public var ramping: Bool
    /// Current chip frequency as a share of stock (0 when not hashing).
    public var frequencyRatio: Double
    public var hashrateTHs: Double
    public var averageHashrateTHs: Double
    public var powerW: Double
    /// Power target the firmware reports (stock: the mode's nominal power).
    public var powerLimitW: Double
    public var boardHashrateTHs: [Double]
    public var boardChips: [Int]
    public var boardTemperatureC: [Double]
    public var chipTemperatureC: [Double]
    public var fanRPM: [Int]
    public var uptimeSeconds: Double
    public var accepted: Int
    public var rejected: Int
    public var hardwareErrors: Int
    public var errors: [String]
    public var isHashing: Bool { hashrateTHs > 0 }
}

/// One simulated miner: firmware-like ramps between settings, physics from the catalog, share
/// counters that move with the work done, and faults on demand. Time is simulated time from a
/// shared clock; state is computed when asked, so ten thousand idle miners cost nothing.
public final class SimulatedMiner: Sendable {
    public let spec: SimulatedMinerSpec
    public let clock: SimulatorClock

    struct Ramp: Sendable {
        var from: Double
        var to: Double
        /// Simulated second the change was asked for.
        var start: Double
        /// Seconds at zero before the ramp (stock firmware restarts its mining process).
        var hold: Double
        var duration: Double

        func ratio(at t: Double) -> Double {
            if t <= start { return from }
            if t < start + hold { return 0 }
            let into = t - start - hold
            if duration <= 0 || into >= duration { return to }
            let base = hold > 0 ? 0 : from
            return base + (to - base) * into / duration
        }

        var end: Double { start + hold + duration }

        /// ∫ ratio dt over [a, b], exact for the piecewise-linear shape.
        func integral(_ a: Double, _ b: Double) -> Double {
            guard b > a else { return 0 }
            var cuts = [a, b]
            for c in [start, start + hold, end] where c > a && c < b { cuts.append(c) }
            cuts.sort()
            var sum = 0.0
            for i in 0..<(cuts.count - 1) {
                let x0 = cuts[i], x1 = cuts[i + 1]
                sum += (ratio(at: x0 + 1e-12) + ratio(at: x1 - 1e-12)) / 2 * (x1 - x0)
            }
            return sum
        }
    }

    struct State: Sendable {
        var setting: SimulatedSetting
        var ramp: Ramp
        /// Simulated second of the last boot.
        var bootedAt: Double
        /// Ratio-seconds of work done before `accountedTo`.
        var work: Double
        var accountedTo: Double
        var faults: [SimulatedFault]
        /// Simulated second until which the miner is rebooting (unreachable).
        var rebootUntil: Double
        var atmEnabled: Bool
        var luxSession: (id: String, lastUsedWall: Date)?
        var sessionCounter: Int
        var exchanges: Exchanges
        var pools: [(url: String, user: String)]
        /// The setting a wake-up returns to (the last hashing setting).
        var wakeSetting: SimulatedSetting
        /// Every command received over the protocols, oldest first.
        var commandLog: [String] = []
    }

    private let state: Mutex<State>

    public init(spec: SimulatedMinerSpec, clock: SimulatorClock, setting: SimulatedSetting = .normal) {
        self.spec = spec
        self.clock = clock
        let now = clock.now()
        let ratio = Self.targetRatio(setting, model: spec.model)
        let user = "gridshell." + spec.serial.suffix(6)
        state = Mutex(
            State(
                setting: setting, ramp: Ramp(from: ratio, to: ratio, start: now, hold: 0, duration: 0),
                bootedAt: now - 86_400, work: ratio * 86_400, accountedTo: now, faults: [], rebootUntil: -.infinity,
                atmEnabled: spec.firmware == .luxos, luxSession: nil, sessionCounter: 0, exchanges: Exchanges(),
                pools: [
                    ("stratum+tcp://btc.pool.example:3333", user),
                    ("stratum+tcp://btc-backup.pool.example:443", user),
                    ("stratum+tcp://btc-eu.pool.example:3333", user),
                ], wakeSetting: setting == .sleep ? .normal : setting))
    }

    static func targetRatio(_ setting: SimulatedSetting, model: MinerModel) -> Double {
        switch setting {
        case .normal: return 1
        case .lowPower: return 0.75
        case .sleep: return 0
        case .profile(_, let r): return r
        }
    }

    // MARK: Commands (what the protocol handlers call)

    /// Moves to a new setting the way this miner's firmware does: stock restarts its mining
    /// process (zero hashrate, then a slow climb); LuxOS ramps within seconds.
    public func apply(_ setting: SimulatedSetting) {
        let now = clock.now()
        state.withLock { s in
            s.work += s.ramp.integral(s.accountedTo, now)
            s.accountedTo = now
            let current = s.ramp.ratio(at: now)
            let target = Self.targetRatio(setting, model: spec.model)
            let ramp = spec.firmware.ramp
            switch (spec.firmware, setting) {
            case (.stock, _):
                // set_miner_conf.cgi restarts bmminer: hashing stops at once, then climbs.
                let up = target > 0 ? ramp.rampUpSeconds : 0
                s.ramp = Ramp(from: current, to: target, start: now, hold: target > 0 ? 10 : 0, duration: up)
            case (_, .sleep):
                s.ramp = Ramp(from: current, to: 0, start: now, hold: 0, duration: ramp.rampDownSeconds * 0.8)
            default:
                let seconds = current == 0 ? ramp.rampUpSeconds * 0.8 : ramp.profileChangeSeconds * 0.5
                s.ramp = Ramp(from: current, to: target, start: now, hold: 0, duration: seconds)
            }
            s.setting = setting
            if setting != .sleep { s.wakeSetting = setting }
        }
    }

    /// Notes a command received over a protocol (`curtail sleep`, `set_miner_conf 1`, …), so
    /// tests can tell whether a controller sent one twice.
    public func note(command: String) { state.withLock { $0.commandLog.append(command) } }

    /// The commands received so far, oldest first.
    public var commandLog: [String] { state.withLock { $0.commandLog } }

    /// Records the hashing setting a later wake-up goes to, without waking.
    public func remember(profile setting: SimulatedSetting) {
        state.withLock { if setting != .sleep { $0.wakeSetting = setting } }
    }

    /// The setting a wake-up returns to.
    public var rememberedProfile: SimulatedSetting? { state.withLock { $0.wakeSetting } }

    public var setting: SimulatedSetting { state.withLock { $0.setting } }

    /// Restarts the miner: unreachable for `seconds` of simulated time, then boots and climbs
    /// back to its setting.
    public func reboot(seconds: Double = 60) {
        let now = clock.now()
        state.withLock { s in
            s.work += s.ramp.integral(s.accountedTo, now)
            s.accountedTo = now
            s.rebootUntil = now + seconds
            s.bootedAt = now + seconds
            let target = Self.targetRatio(s.setting, model: spec.model)
            s.ramp = Ramp(from: 0, to: target, start: now, hold: seconds, duration: spec.firmware.ramp.rampUpSeconds)
            s.luxSession = nil
        }
    }

    public func setFaults(_ faults: [SimulatedFault]) { state.withLock { $0.faults = faults } }
    public var faults: [SimulatedFault] { state.withLock { $0.faults } }
    public var isRebooting: Bool {
        let now = clock.now()
        return state.withLock { now < $0.rebootUntil }
    }

    // MARK: LuxOS session and ATM

    public enum SessionError: Error, Equatable { case busy, invalid }

    /// LuxOS allows one session at a time; it lapses after a minute without use.
    public func logon(wall: Date = Date()) -> Result<String, SessionError> {
        state.withLock { s in
            s.exchanges.logons += 1
            if let open = s.luxSession, wall.timeIntervalSince(open.lastUsedWall) < 60 { return .failure(.busy) }
            s.sessionCounter += 1
            let id = String(format: "%08x", (spec.serial.hashValue &+ s.sessionCounter) & 0x7fff_ffff)
            s.luxSession = (id, wall)
            return .success(id)
        }
    }

    /// Checks and refreshes a session id.
    public func useSession(_ id: String, wall: Date = Date()) -> Bool {
        state.withLock { s in
            guard let open = s.luxSession, open.id == id, wall.timeIntervalSince(open.lastUsedWall) < 60 else { return false }
            s.luxSession = (id, wall)
            return true
        }
    }

    /// The session still open, if any.
    public func activeSession(wall: Date = Date()) -> String? {
        state.withLock { s in
            guard let open = s.luxSession, wall.timeIntervalSince(open.lastUsedWall) < 60 else { return nil }
            return open.id
        }
    }
    public var activeSession: String? { activeSession() }

    public func logoff(_ id: String) { state.withLock { s in if s.luxSession?.id == id { s.luxSession = nil } } }

    /// Ages the open session past LuxOS's idle minute, as if nobody had used it since.
    public func expireSession() {
        state.withLock { s in
            if let open = s.luxSession { s.luxSession = (open.id, Date.distantPast) }
        }
    }

    // MARK: Exchanges

    /// How many exchanges of each kind the miner has answered (tests count round trips with it).
    public struct Exchanges: Sendable, Equatable {
        /// cgminer-API requests, one per connection.
        public var rpcRequests = 0
        /// LuxOS `logon` requests, granted or refused.
        public var logons = 0
        /// Web requests, answered or challenged.
        public var webRequests = 0
        /// Web requests answered with a Digest challenge (401).
        public var challenges = 0
        public init() {}
    }

    public var exchanges: Exchanges { state.withLock { $0.exchanges } }

    func count(_ update: (inout Exchanges) -> Void) { state.withLock { update(&$0.exchanges) } }
    public var atmEnabled: Bool {
        get { state.withLock { $0.atmEnabled } }
    }
    public func setATM(_ on: Bool) { state.withLock { $0.atmEnabled = on } }

    public var pools: [(url: String, user: String)] { state.withLock { $0.pools } }
    public func setPools(_ pools: [(url: String, user: String)]) { state.withLock { $0.pools = pools } }

    // MARK: Physics

    /// Pool share difficulty chosen so that stock hashrate finds about 20 shares a minute.
    var shareDifficulty: Double { max(1024, (spec.model.stockHashrateTHs * 1e12 / 4_294_967_296 * 3).rounded()) }

    /// The miner as it is now (or at a given simulated second).
    public func reading(at t: Double? = nil) -> SimulatedReading {
        let now = t ?? clock.now()
        let s = state.withLock { $0 }
        let model = spec.model
        let ramp = spec.firmware.ramp
        var ratio = s.ramp.ratio(at: now)
        var errors: [String] = []
        let overheating = s.faults.contains(.overheating)
        let deadBoards = Set(s.faults.compactMap { if case .deadHashboard(let i) = $0 { return i } else { return nil } })
        let liveShare = Double(spec.boards - deadBoards.filter { $0 < spec.boards }.count) / Double(spec.boards)

        // Overheating: the firmware's protection stops hashing once chips pass 95 °C.
        // The chips read as they ran the moment protection tripped (heat takes minutes to leave).
        let hot = overheating ? 45.0 : 0
        let thermalRatio = ratio
        if overheating && ratio > 0 {
            errors.append("Temperature protection: chip temperature above 95 °C, hashing stopped")
            ratio = 0
        }
        let hashingPower = ratio > 0 ? model.physics.powerW(frequencyRatio: ratio) * liveShare : 0
        let power = max(ramp.sleepDrawW, hashingPower)
        let hashrate = model.physics.hashrateTHs(frequencyRatio: ratio) * liveShare
        let thermalPower = thermalRatio > 0 ? model.physics.powerW(frequencyRatio: thermalRatio) * liveShare : power
        let perBoardPower = thermalPower / Double(spec.boards)
        var boardHash: [Double] = []
        var chips: [Int] = []
        var boardT: [Double] = []
        var chipT: [Double] = []
        for b in 0..<spec.boards {
            let dead = deadBoards.contains(b)
            // Each board sits a little warmer than the last (air flows across them).
            let rise = dead ? 2 : perBoardPower * 0.03 + Double(b) * 1.5
            let board = spec.ambientC + rise + hot
            boardHash.append(dead ? 0 : hashrate / (Double(spec.boards) * liveShare))
            chips.append(dead ? 0 : spec.chipsPerBoard)
            boardT.append(board)
            chipT.append(board + (dead || thermalRatio == 0 ? 0 : 14 + 4 * thermalRatio))
            if dead { errors.append("Chain \(b) has no chips (hashboard \(b) dead)") }
        }
        // Fans follow the hottest board; stock keeps them turning while asleep.
        let hottest = boardT.max() ?? spec.ambientC
        let idle = spec.firmware == .stock ? 1_800.0 : (ratio == 0 ? 0 : 1_200)
        let rpm = ratio == 0 && !overheating ? idle : min(6_600, max(2_400, 2_400 + (hottest - 45) * 160))
        let fans = (0..<spec.fans).map { Int(rpm.rounded()) + $0 * 30 }

        let work = s.work + s.ramp.integral(s.accountedTo, now)
        let uptime = max(0, now - s.bootedAt)
        let totalTH = work * model.stockHashrateTHs * liveShare
        let accepted = Int(totalTH * 1e12 / (shareDifficulty * 4_294_967_296))
        let rejected = accepted / 500
        let limit: Double
        switch s.setting {
        case .sleep: limit = ramp.sleepDrawW
        default: limit = model.physics.powerW(frequencyRatio: Self.targetRatio(s.setting, model: model))
        }
        return SimulatedReading(
            setting: s.setting, ramping: now < s.ramp.end && s.ramp.from != s.ramp.to,
            frequencyRatio: ratio, hashrateTHs: hashrate,
            averageHashrateTHs: uptime > 0 ? min(totalTH / max(uptime, 1), model.stockHashrateTHs) : 0,
            powerW: power, powerLimitW: limit, boardHashrateTHs: boardHash, boardChips: chips,
            boardTemperatureC: boardT, chipTemperatureC: chipT, fanRPM: fans, uptimeSeconds: uptime,
            accepted: accepted, rejected: rejected, hardwareErrors: accepted / 2_000, errors: errors)
    }
}

import Foundation

/// What a miner is doing, as its own replies say (not what was asked of it).
public enum MinerMode: String, Sendable, Codable, Equatable, CaseIterable {
    /// Hashing at its normal point or a profile / power target.
    case normal
    /// Stock firmware's low-power mode (`bitmain-work-mode` 3).
    case lowPower = "low-power"
    /// Asleep: LuxOS `curtail sleep`, stock `bitmain-work-mode` 1, Braiins paused.
    case sleep
    /// Between two of the above, or restarting.
    case ramping
    case unknown
}

/// Who made the miner and what software answers on its ports, as identified.
public struct MinerIdentity: Sendable, Codable, Equatable {
    /// "Bitmain", "MicroBT", ...
    public var make: String
    /// The model as the miner names it, normalised to the catalog when known ("Antminer S21 XP").
    public var model: String
    public var firmware: FirmwareFamily
    /// Firmware version text as reported (e.g. "2024.3.19.151603" or "LUXminer 2024.10.2").
    public var firmwareVersion: String?
    public var macAddress: String?
    public var hostname: String?
    public var serialNumber: String?

    public init(
        make: String, model: String, firmware: FirmwareFamily, firmwareVersion: String? = nil,
        macAddress: String? = nil, hostname: String? = nil, serialNumber: String? = nil
    ) {
        self.make = make
        self.model = model
        self.firmware = firmware
        self.firmwareVersion = firmwareVersion
        self.macAddress = macAddress
        self.hostname = hostname
        self.serialNumber = serialNumber
    }
}

/// One hashboard (chain).
public struct HashboardTelemetry: Sendable, Codable, Equatable {
    public var index: Int
    public var hashrateTHs: Double?
    /// Chips the board reports alive, and the count it should have.
    public var chips: Int?
    public var expectedChips: Int?
    public var boardTemperatureC: Double?
    public var chipTemperatureC: Double?
    /// False when the board reports no chips or no hashrate while the miner is hashing.
    public var alive: Bool

    public init(
        index: Int, hashrateTHs: Double? = nil, chips: Int? = nil, expectedChips: Int? = nil,
        boardTemperatureC: Double? = nil, chipTemperatureC: Double? = nil, alive: Bool = true
    ) {
        self.index = index
        self.hashrateTHs = hashrateTHs
        self.chips = chips
        self.expectedChips = expectedChips
        self.boardTemperatureC = boardTemperatureC
        self.chipTemperatureC = chipTemperatureC
        self.alive = alive
    }
}

/// One configured pool and its share counters.
public struct PoolTelemetry: Sendable, Codable, Equatable {
    public var url: String
    public var user: String?
    /// "Alive", "Dead", ... as reported.
    public var status: String?
    public var accepted: Int?
    public var rejected: Int?
    public var active: Bool

    public init(url: String, user: String? = nil, status: String? = nil, accepted: Int? = nil, rejected: Int? = nil, active: Bool = false) {
        self.url = url
        self.user = user
        self.status = status
        self.accepted = accepted
        self.rejected = rejected
        self.active = active
    }
}

/// Everything one poll of a miner learned; fields a reply did not carry stay nil.
public struct MinerTelemetry: Sendable, Codable, Equatable {
    public var identity: MinerIdentity?
    public var mode: MinerMode
    /// Hashrate of the last few seconds (`GHS 5s` / `rate_real`), TH/s.
    public var hashrateTHs: Double?
    /// Average hashrate since start, TH/s.
    public var averageHashrateTHs: Double?
    /// The hashrate the firmware expects at its current settings (`total_rateideal`, `rate_ideal`,
    /// Braiins' nominal rate), TH/s.
    public var expectedHashrateTHs: Double?
    /// "SHA-256" for Bitcoin miners; other algorithms ("Scrypt", "X11", ...) for altcoin miners,
    /// whose hashrates count hashes of that algorithm and must not be added to Bitcoin hashrate.
    public var hashAlgorithm: String?
    /// Power drawn at the wall as the miner reports or estimates it, W.
    public var powerW: Double?
    /// Power limit / target, W, where the firmware has one.
    public var powerLimitW: Double?
    public var fanRPM: [Int]
    public var boards: [HashboardTelemetry]
    public var pools: [PoolTelemetry]
    public var uptimeSeconds: Double?
    public var accepted: Int?
    public var rejected: Int?
    public var hardwareErrors: Int?
    /// LuxOS profile or Braiins power target name, where the firmware has one.
    public var profile: String?
    /// Messages from the miner that mean something is wrong (a STATUS of E/F, a dead board).
    public var errors: [String]

    public init(
        identity: MinerIdentity? = nil, mode: MinerMode = .unknown, hashrateTHs: Double? = nil,
        averageHashrateTHs: Double? = nil, powerW: Double? = nil, powerLimitW: Double? = nil,
        fanRPM: [Int] = [], boards: [HashboardTelemetry] = [], pools: [PoolTelemetry] = [],
        uptimeSeconds: Double? = nil, accepted: Int? = nil, rejected: Int? = nil, hardwareErrors: Int? = nil,
        profile: String? = nil, errors: [String] = [], expectedHashrateTHs: Double? = nil, hashAlgorithm: String? = nil
    ) {
        self.identity = identity
        self.mode = mode
        self.hashrateTHs = hashrateTHs
        self.averageHashrateTHs = averageHashrateTHs
        self.expectedHashrateTHs = expectedHashrateTHs
        self.hashAlgorithm = hashAlgorithm
        self.powerW = powerW
        self.powerLimitW = powerLimitW
        self.fanRPM = fanRPM
        self.boards = boards
        self.pools = pools
        self.uptimeSeconds = uptimeSeconds
        self.accepted = accepted
        self.rejected = rejected
        self.hardwareErrors = hardwareErrors
        self.profile = profile
        self.errors = errors
    }

    /// Highest chip temperature over the boards, °C.
    public var maxChipTemperatureC: Double? { boards.compactMap(\.chipTemperatureC).max() }
}

/// What the dispatcher may ask of one miner.
public enum MinerCommand: Sendable, Equatable, Codable, CustomStringConvertible {
    case sleep
    case wake
    /// Stock firmware's low-power mode.
    case lowPower
    /// A power target in watts (LuxOS `profileset <n>W`, Braiins power target).
    case powerTarget(watts: Double)
    /// A named LuxOS profile.
    case profile(String)

    public var description: String {
        switch self {
        case .sleep: return "sleep"
        case .wake: return "wake"
        case .lowPower: return "low-power"
        case .powerTarget(let w): return "power-target \(Int(w.rounded())) W"
        case .profile(let p): return "profile \(p)"
        }
    }
}

/// The state of one miner that the dispatcher can trust: what was last seen and when.
public struct MinerState: Sendable, Codable, Equatable {
    public var address: String
    public var reachable: Bool
    public var lastSeen: Date?
    public var telemetry: MinerTelemetry?
    /// Why the last poll failed, in plain words, when it did.
    public var lastError: String?
    /// Consecutive failed polls (drives the backoff).
    public var failures: Int

    public init(address: String, reachable: Bool = false, lastSeen: Date? = nil, telemetry: MinerTelemetry? = nil, lastError: String? = nil, failures: Int = 0) {
        self.address = address
        self.reachable = reachable
        self.lastSeen = lastSeen
        self.telemetry = telemetry
        self.lastError = lastError
        self.failures = failures
    }

    public var mode: MinerMode { reachable ? (telemetry?.mode ?? .unknown) : .unknown }
    public var powerW: Double? { reachable ? telemetry?.powerW : nil }
}

/// How a command to one miner ended.
public struct CommandOutcome: Sendable, Codable, Equatable {
    public var address: String
    public var command: MinerCommand
    /// The miner accepted the command (its reply said so).
    public var acknowledged: Bool
    /// True once the miner's own telemetry shows the requested state (not just an accepted reply).
    public var confirmed: Bool
    public var attempts: Int
    public var seconds: Double
    public var error: String?

    public init(address: String, command: MinerCommand, acknowledged: Bool, confirmed: Bool, attempts: Int, seconds: Double, error: String? = nil) {
        self.address = address
        self.command = command
        self.acknowledged = acknowledged
        self.confirmed = confirmed
        self.attempts = attempts
        self.seconds = seconds
        self.error = error
    }
}

/// The fleet as the site controller sees it; implemented over the real protocols
/// (GridshellMiners) and by in-memory fleets in tests.
public protocol MinerFleet: Sendable {
    /// The latest state of every known miner.
    func states() async -> [MinerState]
    /// Polls every known miner once and returns the new states.
    func poll() async -> [MinerState]
    /// Sends commands (down at once, up in waves) and returns when each is confirmed or has failed.
    func apply(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome]
    /// Sends each command once and returns the miners' acknowledgements, without waiting for
    /// telemetry (the live controller confirms from its own polls).
    func acknowledge(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome]
    /// Reads these miners now, outside the sweep (a curtailment confirmed as soon as the firmware
    /// should have finished it), and returns their states.
    func read(_ addresses: [String]) async -> [MinerState]
}

extension MinerFleet {
    /// Fleets that cannot tell an acknowledgement from a confirmation answer with `apply`.
    public func acknowledge(_ commands: [(address: String, command: MinerCommand)]) async -> [CommandOutcome] {
        await apply(commands)
    }

    /// Fleets that cannot read a miner on demand answer with what they last saw.
    public func read(_ addresses: [String]) async -> [MinerState] {
        let wanted = Set(addresses)
        return await states().filter { wanted.contains($0.address) }
    }
}

/// The firmware a miner runs decides which operating points exist and how fast it ramps.
public enum FirmwareFamily: String, Sendable, Codable, CaseIterable {
    /// Bitmain's stock firmware: normal, low power (a flat ~25 % underclock) and sleep, changed
    /// through `set_miner_conf.cgi`, which restarts the mining process.
    case stock
    /// Luxor's LuxOS: named profiles (frequency/voltage pairs), `curtail` sleep and wakeup.
    case luxos
    /// Braiins OS+: a continuous power target, quick ramping.
    case braiins

    /// How this family moves between points. Sources: FACTS.md §2 (LuxOS sleep ~25 W, down in
    /// under 5 s, up in under 10 s; stock sleep keeps fans running and a mode change restarts the
    /// miner process, minutes to full hashrate). Figures marked assumed have no primary source.
    public var ramp: RampBehaviour {
        switch self {
        case .luxos:
            return RampBehaviour(sleepDrawW: 25, rampDownSeconds: 5, rampUpSeconds: 10, profileChangeSeconds: 10)
        case .braiins:
            // Assumed: quick ramping defaults of Braiins OS+ (seconds to a minute).
            return RampBehaviour(sleepDrawW: 20, rampDownSeconds: 10, rampUpSeconds: 60, profileChangeSeconds: 30)
        case .stock:
            // Assumed: fans keep spinning in sleep (≈ 60 W); a restart takes about 5 minutes.
            return RampBehaviour(sleepDrawW: 60, rampDownSeconds: 30, rampUpSeconds: 300, profileChangeSeconds: 300)
        }
    }
}

/// Ramp physics of one firmware family.
public struct RampBehaviour: Sendable, Equatable, Codable {
    /// Power drawn while asleep (control board, and fans on stock firmware).
    public var sleepDrawW: Double
    /// Seconds from hashing to asleep.
    public var rampDownSeconds: Double
    /// Seconds from asleep to full hashrate.
    public var rampUpSeconds: Double
    /// Seconds to move between two hashing operating points.
    public var profileChangeSeconds: Double

    public init(sleepDrawW: Double, rampDownSeconds: Double, rampUpSeconds: Double, profileChangeSeconds: Double) {
        self.sleepDrawW = sleepDrawW
        self.rampDownSeconds = rampDownSeconds
        self.rampUpSeconds = rampUpSeconds
        self.profileChangeSeconds = profileChangeSeconds
    }
}

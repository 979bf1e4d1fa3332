/// One setting a miner can run at: a name the firmware knows, its hashrate and its power.
public struct OperatingPoint: Sendable, Equatable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case sleep, underclock, stock, overclock
    }

    /// The firmware's name for it: `sleep`, `low-power`, `normal`, a LuxOS profile, `2800W`.
    public var name: String
    public var kind: Kind
    /// Chip frequency relative to stock (1.0 = stock).
    public var frequencyRatio: Double
    public var hashrateTHs: Double
    public var powerW: Double

    public init(name: String, kind: Kind, frequencyRatio: Double, hashrateTHs: Double, powerW: Double) {
        self.name = name
        self.kind = kind
        self.frequencyRatio = frequencyRatio
        self.hashrateTHs = hashrateTHs
        self.powerW = powerW
    }

    /// Joules per terahash; infinite when asleep.
    public var joulesPerTH: Double { hashrateTHs > 0 ? powerW / hashrateTHs : .infinity }
    public var isHashing: Bool { hashrateTHs > 0 }
}

/// One GPU's power, as its driver reports it (nvidia-smi or NVML).
public struct GPUReading: Sendable, Equatable {
    public var index: Int
    public var uuid: String
    public var name: String
    /// Power drawn now, W; nil when the driver cannot say (`[N/A]`).
    public var powerDrawW: Double?
    /// The limit set (`power.limit`) and the one enforced (`enforced.power.limit`), W.
    public var powerLimitW: Double?
    public var enforcedLimitW: Double?
    /// The range `-pl` accepts, W; nil when the GPU does not support power management.
    public var minLimitW: Double?
    public var maxLimitW: Double?

    public init(
        index: Int, uuid: String, name: String, powerDrawW: Double?, powerLimitW: Double?, enforcedLimitW: Double?,
        minLimitW: Double?, maxLimitW: Double?
    ) {
        self.index = index
        self.uuid = uuid
        self.name = name
        self.powerDrawW = powerDrawW
        self.powerLimitW = powerLimitW
        self.enforcedLimitW = enforcedLimitW
        self.minLimitW = minLimitW
        self.maxLimitW = maxLimitW
    }

    /// Can a power limit be set on it?
    public var supportsPowerLimit: Bool { minLimitW != nil && maxLimitW != nil }
}

/// The GPUs of one machine: read their power and set their power limits.
public protocol GPUPowerControl: Sendable {
    /// Every GPU on the machine.
    func readings() async throws -> [GPUReading]
    /// Sets GPU `index`'s power limit to `watts` (which the caller has put in range).
    func setPowerLimit(index: Int, watts: Double) async throws
}

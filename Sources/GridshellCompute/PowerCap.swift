import GridshellCore

/// A power cap for a job's or a node's GPUs.
public enum PowerCap: Sendable, Equatable, CustomStringConvertible {
    /// Watts per GPU.
    case watts(Double)
    /// A fraction of each GPU's maximum limit (0.75 for 75 %).
    case fraction(Double)

    /// Checks the request itself: a positive, finite number of watts, or a fraction in (0, 1].
    public func validated() throws -> PowerCap {
        switch self {
        case .watts(let w) where w.isFinite && w > 0: return self
        case .fraction(let f) where f.isFinite && f > 0 && f <= 1: return self
        case .watts(let w): throw PowerCapError(cap: self, message: "expected watts above 0, found \(w)")
        case .fraction(let f): throw PowerCapError(cap: self, message: "expected a fraction above 0 and at most 1, found \(f)")
        }
    }

    /// The limit to set on `gpu`: the cap put into the GPU's [min, max] range. Throws when the
    /// GPU has no settable limit.
    public func limit(for gpu: GPUReading) throws -> (watts: Double, clamped: Bool) {
        guard let lo = gpu.minLimitW, let hi = gpu.maxLimitW else {
            throw GPUPowerError(gpu: gpu.index, message: "\(gpu.name) does not support power limits (its range reads as not supported)")
        }
        let wanted: Double = switch self {
        case .watts(let w): w
        case .fraction(let f): f * hi
        }
        let watts = min(max(wanted, lo), hi)
        return (watts, abs(watts - wanted) > 0.005)
    }

    public var description: String {
        switch self {
        case .watts(let w): "\(w) W"
        case .fraction(let f): "\(f * 100) %"
        }
    }
}

/// A cap request that makes no sense.
public struct PowerCapError: Error, Sendable, Equatable, CustomStringConvertible {
    public var cap: PowerCap
    public var message: String
    public var description: String { "power cap \(cap): \(message)" }
}

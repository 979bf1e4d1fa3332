/// The physical model behind every miner's operating points.
///
/// Hashrate is proportional to chip frequency f. Power is a static part (fans, control board,
/// PSU floor) plus dynamic power k·f·V², and the lowest stable voltage rises with frequency:
/// V(f) = V₀·(1 + α·(f − 1)). With f relative to stock, the model is fixed by the stock point,
/// the static fraction s and the voltage slope α:
///
///   H(f) = H₀·f,   P(f) = s·P₀ + (1 − s)·P₀·f·(1 + α·(f − 1))²
///
/// The defaults are calibrated on the measured S19j Pro points in FACTS.md §2: 96 TH at 2,850 W
/// stock and 74.5 TH at 1,905 W underclocked (s = 0.06 assumed for fans and board, α solved).
public struct MinerPhysics: Sendable, Equatable, Codable {
    public var stockHashrateTHs: Double
    public var stockPowerW: Double
    /// Share of stock power that does not scale with frequency.
    public var staticFraction: Double
    /// Relative rise of the minimum stable voltage per unit of relative frequency.
    public var voltageSlope: Double

    /// The static share assumed for air-cooled and hydro ASICs alike.
    public static let defaultStaticFraction = 0.06
    /// α solved from the S19j Pro underclock measurement (see `calibratedVoltageSlope`).
    public static let defaultVoltageSlope: Double = calibratedVoltageSlope(
        stockTHs: 96, stockW: 2850, measuredTHs: 74.5, measuredW: 1905, staticFraction: defaultStaticFraction)

    public init(
        stockHashrateTHs: Double, stockPowerW: Double,
        staticFraction: Double = MinerPhysics.defaultStaticFraction,
        voltageSlope: Double = MinerPhysics.defaultVoltageSlope
    ) {
        self.stockHashrateTHs = stockHashrateTHs
        self.stockPowerW = stockPowerW
        self.staticFraction = staticFraction
        self.voltageSlope = voltageSlope
    }

    public func hashrateTHs(frequencyRatio f: Double) -> Double { stockHashrateTHs * f }

    public func powerW(frequencyRatio f: Double) -> Double {
        let v = 1 + voltageSlope * (f - 1)
        return staticFraction * stockPowerW + (1 - staticFraction) * stockPowerW * f * v * v
    }

    /// The frequency ratio at which the miner draws `powerW` (what a power target does), found by
    /// bisection on the monotone power curve; nil when the target is outside [floor, 1.5 × stock].
    public func frequencyRatio(forPowerW target: Double) -> Double? {
        var low = 0.05
        var high = 1.5
        guard target >= powerW(frequencyRatio: low), target <= powerW(frequencyRatio: high) else { return nil }
        for _ in 0..<80 {
            let mid = (low + high) / 2
            if powerW(frequencyRatio: mid) < target { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// α such that the model passes through a measured (TH/s, W) point besides stock.
    public static func calibratedVoltageSlope(
        stockTHs: Double, stockW: Double, measuredTHs: Double, measuredW: Double, staticFraction s: Double
    ) -> Double {
        let f = measuredTHs / stockTHs
        let dynamicShare = (measuredW - s * stockW) / ((1 - s) * stockW * f)
        // (1 + α(f − 1))² = dynamicShare; take the root with V > 0.
        return (dynamicShare.squareRoot() - 1) / (f - 1)
    }
}

/// Difficulty arithmetic: implied hashrate and the retarget rule, for projections.
public enum Difficulty {
    /// Expected hashes to find one block at difficulty 1.
    public static let hashesPerDifficultyUnit: Double = 4_294_967_296  // 2^32
    /// Blocks between two retargets.
    public static let retargetInterval = 2016
    /// The span those blocks should take, in seconds (two weeks).
    public static let targetTimespanSeconds: Double = 1_209_600
    /// The protocol's target block interval, in seconds.
    public static let targetBlockSeconds: Double = 600

    /// Expected hashes per block at `difficulty`.
    public static func expectedHashesPerBlock(difficulty: Double) -> Double {
        difficulty * hashesPerDifficultyUnit
    }

    /// The network hashrate, in H/s, that makes blocks arrive every 600 s on average.
    public static func impliedHashrateHps(difficulty: Double) -> Double {
        expectedHashesPerBlock(difficulty: difficulty) / targetBlockSeconds
    }

    /// The network hashrate, in TH/s, implied by `difficulty`.
    public static func impliedHashrateTHs(difficulty: Double) -> Double {
        impliedHashrateHps(difficulty: difficulty) / 1e12
    }

    /// The difficulty implied by a network hashrate in H/s (the inverse of `impliedHashrateHps`).
    public static func difficulty(forHashrateHps hashrate: Double) -> Double {
        hashrate * targetBlockSeconds / hashesPerDifficultyUnit
    }

    /// The next difficulty after a 2,016-block period that took `actualTimespanSeconds`:
    /// scaled by target ÷ actual, with the measured span clamped to [¼, 4] × target.
    public static func retarget(current: Double, actualTimespanSeconds: Double) -> Double {
        let clamped = min(max(actualTimespanSeconds, targetTimespanSeconds / 4), targetTimespanSeconds * 4)
        return current * targetTimespanSeconds / clamped
    }

    /// Projects difficulty period by period when the network's hashrate follows `hashrateHps`
    /// (a function of the period index, 0 being the current period). Returns one difficulty per
    /// period, starting with `current`.
    public static func project(
        current: Double, periods: Int, hashrateHps: (Int) -> Double
    ) -> [Double] {
        var result = [current]
        var difficulty = current
        for period in 0..<max(0, periods - 1) {
            let hashes = expectedHashesPerBlock(difficulty: difficulty) * Double(retargetInterval)
            let rate = max(hashrateHps(period), 1)
            difficulty = retarget(current: difficulty, actualTimespanSeconds: hashes / rate)
            result.append(difficulty)
        }
        return result
    }
}

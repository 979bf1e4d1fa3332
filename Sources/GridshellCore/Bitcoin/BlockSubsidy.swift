import Foundation

/// Bitcoin's block subsidy schedule, as consensus computes it: 50 BTC in satoshis, shifted right
/// once per 210,000 blocks, and zero once the shift would reach 64 bits.
public enum BlockSubsidy {
    /// Satoshis in one bitcoin.
    public static let satoshisPerBitcoin: Int64 = 100_000_000
    /// Blocks between two halvings.
    public static let halvingInterval = 210_000
    /// The first subsidy, 50 BTC, in satoshis.
    public static let initialSatoshis: Int64 = 50 * satoshisPerBitcoin

    /// The number of halvings that have happened by `height`.
    public static func halvings(atHeight height: Int) -> Int {
        precondition(height >= 0, "block height must not be negative")
        return height / halvingInterval
    }

    /// The subsidy of the block at `height`, in satoshis (exact integer arithmetic).
    public static func satoshis(atHeight height: Int) -> Int64 {
        let halvings = halvings(atHeight: height)
        // A shift of 64 or more is undefined on a 64-bit integer; consensus returns 0 there.
        guard halvings < 64 else { return 0 }
        return initialSatoshis >> Int64(halvings)
    }

    /// The subsidy of the block at `height`, in BTC.
    public static func bitcoins(atHeight height: Int) -> Double {
        Double(satoshis(atHeight: height)) / Double(satoshisPerBitcoin)
    }

    /// The first height at which the subsidy is zero: 6,930,000 (33 halvings leave 0 satoshis).
    public static let firstZeroSubsidyHeight: Int = {
        var halvings = 0
        while initialSatoshis >> Int64(halvings) > 0 { halvings += 1 }
        return halvings * halvingInterval
    }()

    /// The height of the next halving strictly after `height`.
    public static func nextHalvingHeight(after height: Int) -> Int {
        (height / halvingInterval + 1) * halvingInterval
    }
}

/// A future halving: its height, its new subsidy and when it is expected.
public struct HalvingEstimate: Sendable, Equatable, Codable {
    public var height: Int
    public var subsidySatoshis: Int64
    public var blocksAway: Int
    public var estimatedDate: Date

    /// The next `count` halvings after `height`, dated from `date` at `secondsPerBlock`
    /// (600 is the protocol's target; observed rates run a little faster when hashrate grows).
    public static func upcoming(
        fromHeight height: Int, at date: Date, secondsPerBlock: Double = 600, count: Int = 3
    ) -> [HalvingEstimate] {
        precondition(secondsPerBlock > 0, "seconds per block must be positive")
        var result: [HalvingEstimate] = []
        var next = BlockSubsidy.nextHalvingHeight(after: height)
        while result.count < count, next <= BlockSubsidy.firstZeroSubsidyHeight {
            let away = next - height
            result.append(
                HalvingEstimate(
                    height: next,
                    subsidySatoshis: BlockSubsidy.satoshis(atHeight: next),
                    blocksAway: away,
                    estimatedDate: date.addingTimeInterval(Double(away) * secondsPerBlock)))
            next += BlockSubsidy.halvingInterval
        }
        return result
    }
}

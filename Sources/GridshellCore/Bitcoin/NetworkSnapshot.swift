import Foundation

/// A dated set of Bitcoin network inputs, the defaults when a user gives none.
public struct NetworkSnapshot: Sendable, Equatable, Codable {
    public var date: String
    public var priceUSD: Double
    public var difficulty: Double
    public var height: Int
    public var feesPerBlockBTC: Double
    public var source: String

    public init(date: String, priceUSD: Double, difficulty: Double, height: Int, feesPerBlockBTC: Double, source: String) {
        self.date = date
        self.priceUSD = priceUSD
        self.difficulty = difficulty
        self.height = height
        self.feesPerBlockBTC = feesPerBlockBTC
        self.source = source
    }

    /// The newest day of `data/btc/btc_daily_2019_2025.csv` with price, difficulty and fees all
    /// present (2 February 2025: 4.56401992 BTC of fees in 171 blocks). A test checks these
    /// figures against the file.
    public static let embedded = NetworkSnapshot(
        date: "2025-02-02", priceUSD: 99_202.15, difficulty: 108_105_433_845_147.52, height: 881_878,
        feesPerBlockBTC: 4.56401992 / 171, source: "data/btc/btc_daily_2019_2025.csv, 2025-02-02")

    public func hashprice(poolFeeFraction: Double = 0) -> Hashprice {
        Hashprice(priceUSD: priceUSD, difficulty: difficulty, height: height, feesPerBlockBTC: feesPerBlockBTC, poolFeeFraction: poolFeeFraction)
    }
}

extension BitcoinInputs {
    /// These values over `base`: what a site file gives wins, the rest comes from `base`.
    public func over(_ base: NetworkSnapshot, source: String) -> NetworkSnapshot {
        NetworkSnapshot(
            date: base.date, priceUSD: priceUSD ?? base.priceUSD, difficulty: difficulty ?? base.difficulty, height: height ?? base.height,
            feesPerBlockBTC: feesPerBlockBTC ?? base.feesPerBlockBTC, source: source)
    }
}

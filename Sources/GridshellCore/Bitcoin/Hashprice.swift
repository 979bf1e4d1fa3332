/// Expected mining revenue per unit of hashrate per day, the figure Hashrate Index publishes.
///
/// A fleet of h H/s expects h × 86,400 ÷ (D × 2^32) blocks a day, each paying subsidy + fees,
/// whatever the real block interval is; no "144 blocks a day" is assumed.
public struct Hashprice: Sendable, Equatable, Codable {
    /// How the network's size is taken.
    public enum NetworkMode: Sendable, Equatable, Codable {
        /// From difficulty: the expected hashes per block, D × 2^32 (Hashrate Index's method).
        case difficultyImplied
        /// From an observed network hashrate in TH/s and the blocks actually found per day.
        case observed(hashrateTHs: Double, blocksPerDay: Double)
    }

    /// Revenue in USD per TH/s per day, net of the pool fee.
    public var usdPerTHsDay: Double
    /// Revenue in BTC per TH/s per day, net of the pool fee.
    public var btcPerTHsDay: Double

    /// USD per PH/s per day (the unit Hashrate Index quotes).
    public var usdPerPHsDay: Double { usdPerTHsDay * 1000 }
    /// Satoshis per TH/s per day.
    public var satsPerTHsDay: Double { btcPerTHsDay * 1e8 }

    public init(usdPerTHsDay: Double, btcPerTHsDay: Double) {
        self.usdPerTHsDay = usdPerTHsDay
        self.btcPerTHsDay = btcPerTHsDay
    }

    /// Hashprice from the network's inputs.
    /// - Parameters:
    ///   - priceUSD: BTC price in USD.
    ///   - difficulty: the network difficulty.
    ///   - subsidyBTC: the block subsidy (see `BlockSubsidy`).
    ///   - feesPerBlockBTC: average transaction fees per block (Hashrate Index uses a 144-block
    ///     trailing average).
    ///   - poolFeeFraction: the pool's fee, 0.02 for 2 %.
    ///   - mode: difficulty-implied (default) or observed network hashrate.
    public init(
        priceUSD: Double, difficulty: Double, subsidyBTC: Double, feesPerBlockBTC: Double,
        poolFeeFraction: Double = 0, mode: NetworkMode = .difficultyImplied
    ) {
        let rewardBTC = subsidyBTC + feesPerBlockBTC
        let btcPerHashSecondDay: Double
        switch mode {
        case .difficultyImplied:
            btcPerHashSecondDay = 86_400 * rewardBTC / Difficulty.expectedHashesPerBlock(difficulty: difficulty)
        case .observed(let hashrateTHs, let blocksPerDay):
            btcPerHashSecondDay = blocksPerDay * rewardBTC / (hashrateTHs * 1e12)
        }
        let net = 1 - poolFeeFraction
        let btc = btcPerHashSecondDay * 1e12 * net
        self.init(usdPerTHsDay: btc * priceUSD, btcPerTHsDay: btc)
    }

    /// Hashprice at a block height: the subsidy comes from the height.
    public init(
        priceUSD: Double, difficulty: Double, height: Int, feesPerBlockBTC: Double,
        poolFeeFraction: Double = 0, mode: NetworkMode = .difficultyImplied
    ) {
        self.init(
            priceUSD: priceUSD, difficulty: difficulty, subsidyBTC: BlockSubsidy.bitcoins(atHeight: height),
            feesPerBlockBTC: feesPerBlockBTC, poolFeeFraction: poolFeeFraction, mode: mode)
    }

    /// A hashprice given directly in USD per PH/s per day (as quoted), with its BTC price.
    public static func quoted(usdPerPHsDay: Double, priceUSD: Double) -> Hashprice {
        let usd = usdPerPHsDay / 1000
        return Hashprice(usdPerTHsDay: usd, btcPerTHsDay: priceUSD > 0 ? usd / priceUSD : 0)
    }
}

/// What a miner at one operating point earns, and the energy price at which it stops paying.
public struct MiningEconomics: Sendable, Equatable, Codable {
    public var hashrateTHs: Double
    public var powerW: Double
    /// USD per hour at the given hashprice.
    public var revenueUSDPerHour: Double
    /// USD earned per MWh the miner consumes: the price above which it loses money.
    public var revenueUSDPerMWh: Double

    /// Joules per terahash.
    public var joulesPerTH: Double { hashrateTHs > 0 ? powerW / hashrateTHs : .infinity }
    /// The energy price, USD/MWh, at which mining revenue equals the energy bill.
    public var breakEvenUSDPerMWh: Double { revenueUSDPerMWh }

    public init(hashrateTHs: Double, powerW: Double, hashprice: Hashprice) {
        self.hashrateTHs = hashrateTHs
        self.powerW = powerW
        revenueUSDPerHour = hashprice.usdPerTHsDay * hashrateTHs / 24
        revenueUSDPerMWh = powerW > 0 ? revenueUSDPerHour / (powerW / 1e6) : 0
    }

    /// Break-even energy price, USD/MWh = hashprice (USD/TH/day) × 10^6 ÷ (24 × J/TH).
    public static func breakEvenUSDPerMWh(hashprice: Hashprice, joulesPerTH: Double) -> Double {
        hashprice.usdPerTHsDay * 1e6 / (24 * joulesPerTH)
    }
}

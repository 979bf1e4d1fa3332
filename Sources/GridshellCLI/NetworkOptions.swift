import ArgumentParser
import GridshellCore

/// Bitcoin network inputs shared by the economics commands. Anything not given comes from the
/// site file, then from the embedded snapshot (the newest complete day of the shipped history).
struct NetworkOptions: ParsableArguments {
    @Option(help: "BTC price, USD.")
    var price: Double?

    @Option(help: "Network difficulty.")
    var difficulty: Double?

    @Option(help: "Block height (sets the subsidy).")
    var height: Int?

    @Option(help: "Average transaction fees per block, BTC.")
    var fees: Double?

    @Option(name: .customLong("pool-fee"), help: "Pool fee, percent.")
    var poolFeePercent: Double?

    @Option(name: .customLong("hashprice"), help: "Use this hashprice, USD per PH/s per day, instead of computing it.")
    var hashpriceUSDPerPHDay: Double?

    @Option(name: .customLong("network-hashrate"), help: "Observed network hashrate, EH/s: divide by it instead of the difficulty-implied hashrate.")
    var networkHashrateEHs: Double?

    @Option(name: .customLong("blocks-per-day"), help: "Observed blocks per day, with --network-hashrate.")
    var blocksPerDay: Double = 144

    func validate() throws {
        if let price, !(price > 0 && price.isFinite) { throw ValidationError("--price must be a positive number of USD, got \(price)") }
        if let difficulty, !(difficulty >= 1 && difficulty.isFinite) { throw ValidationError("--difficulty must be at least 1, got \(difficulty)") }
        if let height, height < 0 { throw ValidationError("--height must not be negative, got \(height)") }
        if let fees, !(fees >= 0 && fees.isFinite) { throw ValidationError("--fees must be zero or more BTC per block, got \(fees)") }
        if let poolFeePercent, !(0...100).contains(poolFeePercent) { throw ValidationError("--pool-fee must be a percentage from 0 to 100, got \(poolFeePercent)") }
        if let hashpriceUSDPerPHDay, !(hashpriceUSDPerPHDay >= 0 && hashpriceUSDPerPHDay.isFinite) {
            throw ValidationError("--hashprice must be zero or more USD per PH/s per day, got \(hashpriceUSDPerPHDay)")
        }
        if let networkHashrateEHs, !(networkHashrateEHs > 0 && networkHashrateEHs.isFinite) {
            throw ValidationError("--network-hashrate must be a positive number of EH/s, got \(networkHashrateEHs)")
        }
        if !(blocksPerDay > 0 && blocksPerDay.isFinite) { throw ValidationError("--blocks-per-day must be positive, got \(blocksPerDay)") }
    }

    /// The inputs in force and where each came from.
    struct Resolved: Encodable {
        var priceUSD: Double
        var difficulty: Double
        var height: Int
        var subsidyBTC: Double
        var feesPerBlockBTC: Double
        var poolFeePercent: Double
        var mode: String
        var source: String
        var hashprice: Hashprice
    }

    func resolve(site: BitcoinInputs = .init(), sitePoolFee: Double = 0) -> Resolved {
        let snapshot = NetworkSnapshot.embedded
        let given = [price, difficulty, fees].contains { $0 != nil } || height != nil
        let fromSite = site.priceUSD != nil || site.difficulty != nil || site.height != nil || site.feesPerBlockBTC != nil
        let p = price ?? site.priceUSD ?? snapshot.priceUSD
        let d = difficulty ?? site.difficulty ?? snapshot.difficulty
        let h = height ?? site.height ?? snapshot.height
        let f = fees ?? site.feesPerBlockBTC ?? snapshot.feesPerBlockBTC
        let poolFee = (poolFeePercent.map { $0 / 100 }) ?? sitePoolFee
        var source = given ? "command-line options" : (fromSite ? "site file" : "embedded snapshot (\(snapshot.source))")
        if (given || fromSite) && [price ?? site.priceUSD, difficulty ?? site.difficulty, fees ?? site.feesPerBlockBTC].contains(where: { $0 == nil }) {
            source += ", the rest from the embedded snapshot of \(snapshot.date)"
        }
        let mode: Hashprice.NetworkMode = networkHashrateEHs.map { .observed(hashrateTHs: $0 * 1e6, blocksPerDay: blocksPerDay) } ?? .difficultyImplied
        var hashprice = Hashprice(priceUSD: p, difficulty: d, height: h, feesPerBlockBTC: f, poolFeeFraction: poolFee, mode: mode)
        if let quoted = hashpriceUSDPerPHDay ?? site.hashpriceUSDPerPHsDay {
            hashprice = .quoted(usdPerPHsDay: quoted * (1 - poolFee), priceUSD: p)
            source = hashpriceUSDPerPHDay != nil ? "--hashprice" : "site file hashprice"
        }
        return Resolved(
            priceUSD: p, difficulty: d, height: h, subsidyBTC: BlockSubsidy.bitcoins(atHeight: h), feesPerBlockBTC: f,
            poolFeePercent: poolFee * 100, mode: networkHashrateEHs == nil ? "difficulty-implied" : "observed hashrate",
            source: source, hashprice: hashprice)
    }
}

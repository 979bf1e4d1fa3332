import Foundation
import Testing
@testable import GridshellCore

@Suite("Block subsidy")
struct BlockSubsidyTests {
    @Test(arguments: [
        (0, Int64(5_000_000_000)), (209_999, 5_000_000_000), (210_000, 2_500_000_000),
        (629_999, 1_250_000_000), (630_000, 625_000_000), (839_999, 625_000_000), (840_000, 312_500_000),
        (1_050_000, 156_250_000), (6_929_999, 1), (6_930_000, 0), (13_440_000, 0), (100_000_000, 0),
    ])
    func subsidyAtHeight(height: Int, satoshis: Int64) {
        #expect(BlockSubsidy.satoshis(atHeight: height) == satoshis)
    }

    @Test func firstZeroHeightIs6930000() {
        #expect(BlockSubsidy.firstZeroSubsidyHeight == 6_930_000)
    }

    @Test func totalSupplyIsBitcoinsCap() {
        // Summed per era: the well-known 20,999,999.9769 BTC.
        var total: Int64 = 0
        var height = 0
        while height < BlockSubsidy.firstZeroSubsidyHeight {
            total += BlockSubsidy.satoshis(atHeight: height) * Int64(BlockSubsidy.halvingInterval)
            height += BlockSubsidy.halvingInterval
        }
        #expect(total == 2_099_999_997_690_000)
    }

    @Test func nextHalvingsFromTheFourth() throws {
        let date = try #require(BitcoinHistory.parseDay("2024-04-20"))
        let next = HalvingEstimate.upcoming(fromHeight: 840_000, at: date, secondsPerBlock: 600, count: 2)
        #expect(next.map(\.height) == [1_050_000, 1_260_000])
        #expect(next[0].subsidySatoshis == 156_250_000)
        #expect(next[0].blocksAway == 210_000)
        // 210,000 blocks × 600 s = 1,458⅓ days after 2024-04-20: 2028-04-17.
        #expect(BitcoinHistory.format(next[0].estimatedDate) == "2028-04-17")
    }

    @Test func halvingsStopAtZeroSubsidy() {
        let last = HalvingEstimate.upcoming(fromHeight: 6_800_000, at: Date(timeIntervalSince1970: 0), count: 5)
        #expect(last.map(\.height) == [6_930_000])
        #expect(last[0].subsidySatoshis == 0)
    }
}

@Suite("Difficulty")
struct DifficultyTests {
    @Test func impliedHashrate() {
        // D × 2^32 / 600: 108.1 T difficulty is about 774 EH/s.
        let ehs = Difficulty.impliedHashrateTHs(difficulty: 108_105_433_845_147.52) / 1e6
        #expect(abs(ehs - 773.85) < 0.05)
        #expect(abs(Difficulty.difficulty(forHashrateHps: Difficulty.impliedHashrateHps(difficulty: 1e14)) - 1e14) < 1)
    }

    @Test func retargetClampsToAQuarterAndFourTimes() {
        let d = 1e14
        #expect(Difficulty.retarget(current: d, actualTimespanSeconds: 1_209_600) == d)
        #expect(Difficulty.retarget(current: d, actualTimespanSeconds: 1_209_600 / 2) == 2 * d)
        #expect(Difficulty.retarget(current: d, actualTimespanSeconds: 1_209_600 / 10) == 4 * d)
        #expect(Difficulty.retarget(current: d, actualTimespanSeconds: 1_209_600 * 10) == d / 4)
        #expect(Difficulty.retarget(current: d, actualTimespanSeconds: 0) == 4 * d)
    }

    @Test func projectionConvergesOnTheHashrate() {
        let target = Difficulty.impliedHashrateHps(difficulty: 2e14)
        let path = Difficulty.project(current: 1e14, periods: 4) { _ in target }
        #expect(path.count == 4)
        #expect(path[0] == 1e14)
        #expect(abs(path[1] / 2e14 - 1) < 1e-12)
        #expect(abs(path[3] / 2e14 - 1) < 1e-12)
    }
}

@Suite("Hashprice")
struct HashpriceTests {
    @Test func formulaPerHash() {
        // 86,400 × (subsidy + fees) × price / (D × 2^32) × 10^12, by hand.
        let h = Hashprice(priceUSD: 60_000, difficulty: 8e13, subsidyBTC: 3.125, feesPerBlockBTC: 0.1)
        let expected = 86_400 * 3.225 * 60_000 / (8e13 * 4_294_967_296) * 1e12
        #expect(abs(h.usdPerTHsDay - expected) < 1e-12)
        #expect(abs(h.btcPerTHsDay * 60_000 - h.usdPerTHsDay) < 1e-12)
        #expect(abs(h.usdPerPHsDay - expected * 1000) < 1e-9)
    }

    @Test func poolFeeScalesRevenue() {
        let gross = Hashprice(priceUSD: 60_000, difficulty: 8e13, height: 850_000, feesPerBlockBTC: 0.1)
        let net = Hashprice(priceUSD: 60_000, difficulty: 8e13, height: 850_000, feesPerBlockBTC: 0.1, poolFeeFraction: 0.025)
        #expect(abs(net.usdPerTHsDay / gross.usdPerTHsDay - 0.975) < 1e-12)
    }

    @Test func observedModeMatchesImpliedWhenTheNetworkIsOnTarget() {
        let d = 9e13
        let implied = Difficulty.impliedHashrateTHs(difficulty: d)
        let a = Hashprice(priceUSD: 50_000, difficulty: d, subsidyBTC: 3.125, feesPerBlockBTC: 0.05)
        let b = Hashprice(priceUSD: 50_000, difficulty: d, subsidyBTC: 3.125, feesPerBlockBTC: 0.05,
            mode: .observed(hashrateTHs: implied, blocksPerDay: 144))
        #expect(abs(a.usdPerTHsDay / b.usdPerTHsDay - 1) < 1e-12)
        // A network 10 % above its implied hashrate pays each TH 1/1.1 as much.
        let c = Hashprice(priceUSD: 50_000, difficulty: d, subsidyBTC: 3.125, feesPerBlockBTC: 0.05,
            mode: .observed(hashrateTHs: implied * 1.1, blocksPerDay: 144))
        #expect(abs(c.usdPerTHsDay * 1.1 / a.usdPerTHsDay - 1) < 1e-12)
    }

    @Test func breakEvenMatchesHashrateIndexFirstOfApril2024() {
        // Hashrate Index, 1 April 2024: at 54.3 $/PH/day an S21 (17.5 J/TH) breaks even at about
        // 0.13 $/kWh (FACTS.md §1).
        let hp = Hashprice.quoted(usdPerPHsDay: 54.3, priceUSD: 69_653)
        let s21 = MiningEconomics.breakEvenUSDPerMWh(hashprice: hp, joulesPerTH: 17.5)
        #expect(abs(s21 / 130 - 1) < 0.015)
        // The same figure from an operating point: revenue per MWh at 200 TH, 3,500 W.
        let point = MiningEconomics(hashrateTHs: 200, powerW: 3_500, hashprice: hp)
        #expect(abs(point.breakEvenUSDPerMWh - s21) < 1e-9)
        #expect(abs(point.revenueUSDPerHour - 0.0543 * 200 / 24) < 1e-12)
    }

    @Test func fiftyDollarsAtTwentyJoulesIs104() {
        // FACTS.md §4's check: 50 $/PH/day at 20 J/TH breaks even at 104 $/MWh.
        let be = MiningEconomics.breakEvenUSDPerMWh(hashprice: .quoted(usdPerPHsDay: 50, priceUSD: 50_000), joulesPerTH: 20)
        #expect(abs(be - 104.1667) < 1e-3)
    }
}

@Suite("Hashprice against Hashrate Index's published figures, from the shipped history")
struct PublishedHashpriceTests {
    static let history: BitcoinHistory = {
        do { return try BitcoinHistory.read(path: TestData.btcHistoryPath) } catch { fatalError("\(error)") }
    }()

    func day(_ text: String) throws -> BitcoinHistory.Day {
        let date = try #require(BitcoinHistory.parseDay(Substring(text)))
        return try #require(Self.history.day(containing: date))
    }

    /// Mean daily hashprice over a year; days without fees take the mean fee per block of the
    /// year's days that have them.
    func yearAverage(_ year: String) throws -> Double {
        let days = Self.history.days.filter { BitcoinHistory.format($0.date).hasPrefix(year) }
        let known = days.compactMap { d in d.feesBTC.flatMap { f in d.blocks.map { f / $0 } } }
        let assumed = known.reduce(0, +) / Double(max(known.count, 1))
        let values = try days.map { try Self.history.hashprice(on: $0, fees: .perBlockBTC(assumed)).usdPerPHsDay }
        return values.reduce(0, +) / Double(values.count)
    }

    @Test func average2021() throws {
        // Published: 314.61 $/PH/day (FACTS.md §1).
        #expect(abs(try yearAverage("2021") / 314.61 - 1) < 0.015)
    }

    @Test func average2022() throws {
        // Published: 123.88 $/PH/day; the history lacks fees from 30 April 2022.
        #expect(abs(try yearAverage("2022") / 123.88 - 1) < 0.015)
    }

    @Test(arguments: [("2024-04-01", 108.6), ("2024-08-05", 37.70)])
    func publishedDay(date: String, published: Double) throws {
        let hp = try Self.history.hashprice(on: try day(date))
        #expect(abs(hp.usdPerPHsDay / published - 1) < 0.015, "\(date): \(hp.usdPerPHsDay) vs \(published)")
    }

    @Test func halvingDayHasTheNewSubsidy() throws {
        #expect(try day("2024-04-20").startHeight == 840_000)
        #expect(BlockSubsidy.bitcoins(atHeight: try day("2024-04-20").startHeight) == 3.125)
        #expect(BlockSubsidy.bitcoins(atHeight: try day("2024-04-19").startHeight) == 6.25)
        // The third halving (block 630,000, 11 May 2020) lands within a day of the counted heights.
        let may11 = try day("2020-05-11").startHeight, may12 = try day("2020-05-12").startHeight
        #expect(may11 < 630_000 + 150 && may12 > 630_000 - 150)
    }

    @Test func missingFeesAreAnErrorUnlessAssumed() throws {
        let d = try day("2022-06-01")
        #expect(d.feesBTC == nil)
        #expect(throws: BitcoinHistory.Problem.self) { try Self.history.hashprice(on: d) }
        let zero = try Self.history.hashprice(on: d, fees: .perBlockBTC(0))
        let share = try Self.history.hashprice(on: d, fees: .shareOfReward(0.02))
        #expect(abs(share.usdPerTHsDay / zero.usdPerTHsDay - 1 / 0.98) < 1e-9)
    }

    @Test func embeddedSnapshotIsTheNewestCompleteDay() throws {
        let latest = try #require(Self.history.latestComplete)
        let snap = NetworkSnapshot.embedded
        #expect(BitcoinHistory.format(latest.date) == snap.date)
        #expect(latest.priceUSD == snap.priceUSD)
        #expect(latest.difficulty == snap.difficulty)
        #expect(latest.startHeight == snap.height)
        #expect(abs(try #require(latest.feesBTC) / (latest.blocks ?? 0) - snap.feesPerBlockBTC) < 1e-15)
    }

    @Test func badHistoryLinesAreNamed() {
        let csv = "date,price_usd,difficulty,hashrate_ths,blocks,fees_btc\n2021-01-01,abc,1,1,144,1\n"
        #expect { try BitcoinHistory.parse(csv: csv, file: "h.csv") } throws: { error in
            "\(error)".contains("h.csv:2: price_usd") && "\(error)".contains("'abc'")
        }
        #expect { try BitcoinHistory.parse(csv: "date,price\n", file: "h.csv") } throws: { error in
            "\(error)".contains("missing column 'price_usd'")
        }
    }
}

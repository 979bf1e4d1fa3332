import Foundation

/// Daily Bitcoin network history (price, difficulty, hashrate, blocks, fees), read from the CSV
/// the project ships in `data/btc` (columns `date, price_usd, difficulty, hashrate_ths, blocks,
/// fees_btc, miners_revenue_usd`, each followed by its `*_src`).
public struct BitcoinHistory: Sendable {
    public struct Day: Sendable, Equatable {
        /// Midnight UTC of the day.
        public var date: Date
        public var priceUSD: Double?
        public var difficulty: Double?
        public var hashrateTHs: Double?
        public var blocks: Double?
        /// Fees of all the day's blocks, BTC.
        public var feesBTC: Double?
        /// Estimated height of the first block of the day (see `heightAnchor`).
        public var startHeight: Int
    }

    /// Block 840,000 (the fourth halving) was mined at 00:09 UTC on 20 April 2024; heights of
    /// other days are counted from it with the daily block counts.
    public static let heightAnchor = (height: 840_000, day: "2024-04-20")

    public private(set) var days: [Day]

    /// How fees are filled in on days the history has none.
    public enum FeeAssumption: Sendable, Equatable {
        /// Use the history's fees; a day without them is an error.
        case historyOnly
        /// A fixed fee per block, BTC, where the history has none.
        case perBlockBTC(Double)
        /// Fees as a share of the whole block reward (subsidy + fees), where the history has none.
        case shareOfReward(Double)
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(days: [Day]) { self.days = days }

    /// Reads the CSV at `path`.
    public static func read(path: String) throws(Problem) -> BitcoinHistory {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Problem(description: "\(path): cannot read the file")
        }
        return try parse(csv: text, file: path)
    }

    public static func parse(csv: String, file: String = "<btc history>") throws(Problem) -> BitcoinHistory {
        var lines = csv.split(whereSeparator: \.isNewline).makeIterator()
        guard let header = lines.next() else { throw Problem(description: "\(file): empty file; expected a header line") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ name: String) throws(Problem) -> Int {
            guard let i = columns.firstIndex(of: name) else {
                throw Problem(description: "\(file):1: missing column '\(name)'; expected date, price_usd, difficulty, hashrate_ths, blocks, fees_btc")
            }
            return i
        }
        let iDate = try column("date"), iPrice = try column("price_usd"), iDiff = try column("difficulty")
        let iHash = try column("hashrate_ths"), iBlocks = try column("blocks"), iFees = try column("fees_btc")
        var days: [Day] = []
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                throw Problem(description: "\(file):\(lineNumber): expected \(columns.count) fields, found \(fields.count)")
            }
            guard let date = parseDay(fields[iDate]) else {
                throw Problem(description: "\(file):\(lineNumber): date: expected YYYY-MM-DD, found '\(fields[iDate])'")
            }
            func value(_ i: Int, _ name: String) throws(Problem) -> Double? {
                let text = fields[i]
                if text.isEmpty { return nil }
                guard let v = Double(text), v.isFinite, v >= 0 else {
                    throw Problem(description: "\(file):\(lineNumber): \(name): expected a non-negative number, found '\(text)'")
                }
                return v
            }
            if let last = days.last, date <= last.date {
                throw Problem(description: "\(file):\(lineNumber): date: \(fields[iDate]) is not after the previous row")
            }
            days.append(Day(
                date: date, priceUSD: try value(iPrice, "price_usd"), difficulty: try value(iDiff, "difficulty"),
                hashrateTHs: try value(iHash, "hashrate_ths"), blocks: try value(iBlocks, "blocks"),
                feesBTC: try value(iFees, "fees_btc"), startHeight: 0))
        }
        // Difficulty changes once per 2,016 blocks: a missing day (2020-03-29 in the shipped file)
        // takes the day before's.
        for i in days.indices.dropFirst() where days[i].difficulty == nil && days[i - 1].difficulty != nil {
            if i + 1 < days.count, days[i + 1].difficulty != nil { days[i].difficulty = days[i - 1].difficulty }
        }
        var history = BitcoinHistory(days: days)
        history.assignHeights()
        return history
    }

    /// Counts heights forwards and backwards from the anchor day with the daily block counts
    /// (144 where a count is missing).
    mutating func assignHeights() {
        guard let anchorDate = Self.parseDay(Substring(Self.heightAnchor.day)) else { return }
        let anchorIndex = days.firstIndex { $0.date >= anchorDate } ?? days.count
        var height = Self.heightAnchor.height
        if anchorIndex < days.count {
            // Days after the anchor day start where the previous one ended.
            for i in anchorIndex..<days.count {
                days[i].startHeight = height
                height += Int((days[i].blocks ?? 144).rounded())
            }
        }
        height = Self.heightAnchor.height
        for i in stride(from: anchorIndex - 1, through: 0, by: -1) {
            height -= Int((days[i].blocks ?? 144).rounded())
            days[i].startHeight = max(height, 0)
        }
    }

    /// The day containing `date` (UTC), if the history has it.
    public func day(containing date: Date) -> Day? {
        let t = date.timeIntervalSince1970
        var low = 0, high = days.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let start = days[mid].date.timeIntervalSince1970
            if t < start { high = mid - 1 } else if t >= start + 86_400 { low = mid + 1 } else { return days[mid] }
        }
        return nil
    }

    /// The most recent day that has price, difficulty and fees, the newest complete snapshot.
    public var latestComplete: Day? {
        days.last { $0.priceUSD != nil && $0.difficulty != nil && $0.feesBTC != nil && $0.blocks != nil }
    }

    /// The day's hashprice: its price and difficulty, the subsidy at its height, its average fee
    /// per block (or the assumption where it has none), net of the pool fee.
    public func hashprice(
        on day: Day, fees: FeeAssumption = .historyOnly, poolFeeFraction: Double = 0
    ) throws(Problem) -> Hashprice {
        let label = Self.format(day.date)
        guard let price = day.priceUSD else { throw Problem(description: "\(label): the history has no BTC price for this day") }
        guard let difficulty = day.difficulty else { throw Problem(description: "\(label): the history has no difficulty for this day") }
        let subsidy = BlockSubsidy.bitcoins(atHeight: day.startHeight)
        let feePerBlock: Double
        if let fees = day.feesBTC, let blocks = day.blocks, blocks > 0 {
            feePerBlock = fees / blocks
        } else {
            switch fees {
            case .historyOnly:
                throw Problem(description: "\(label): the history has no fees for this day; give an assumed fee per block or fee share")
            case .perBlockBTC(let f): feePerBlock = f
            case .shareOfReward(let share): feePerBlock = share < 1 ? subsidy * share / (1 - share) : 0
            }
        }
        return Hashprice(priceUSD: price, difficulty: difficulty, subsidyBTC: subsidy, feesPerBlockBTC: feePerBlock, poolFeeFraction: poolFeeFraction)
    }

    static func parseDay(_ text: Substring) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return Date(timeIntervalSince1970: Double(CivilDate.days(y, m, d)) * 86_400)
    }

    public static func format(_ date: Date) -> String {
        let (y, m, d) = CivilDate.fromDays(Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}

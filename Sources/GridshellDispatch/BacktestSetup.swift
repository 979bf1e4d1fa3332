import Foundation
import GridshellCore

/// Builds backtest inputs from files: a site, ERCOT prices as published, and Bitcoin history.
public struct BacktestSetup: Sendable {
    public enum HashpriceSource: Sendable {
        /// A fixed hashprice, USD per PH/s per day (before pool fee).
        case fixed(usdPerPHDay: Double)
        /// Daily from the network history; fees assumed where the history has none.
        case history(BitcoinHistory, fees: BitcoinHistory.FeeAssumption)
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Loads prices for the site's settlement point (or `settlementPoint`), cut to [from, to).
    public static func prices(path: String, settlementPoint: String, from: Date?, to: Date?) throws -> (PriceSeries, ERCOTPriceFile.Format) {
        let format = try ERCOTPriceFile.detectFormat(path: path)
        let series = try ERCOTPriceFile.read(path: path, settlementPoint: settlementPoint).slice(from: from, to: to)
        guard !series.isEmpty else {
            throw Problem("\(path): no \(settlementPoint) prices between the given dates")
        }
        return (series, format)
    }

    /// Day-ahead prices from `path` on the grid of `series` (hourly prices repeated on a finer grid).
    public static func dayAhead(path: String, settlementPoint: String, on series: PriceSeries) throws -> [Double] {
        let dayAhead = try ERCOTPriceFile.read(path: path, settlementPoint: settlementPoint).resampled(toIntervalSeconds: series.intervalSeconds)
        return try (0..<series.count).map { t in
            guard let i = dayAhead.index(containing: series.date(at: t)) else {
                throw Problem("\(path): no day-ahead price for \(series.date(at: t)); the file must cover the backtest")
            }
            return dayAhead.pricesUSDPerMWh[i]
        }
    }

    /// One hashprice per interval, net of the site's pool fee.
    public static func minerUSDPerTHHour(for prices: PriceSeries, source: HashpriceSource, poolFee: Double) throws -> [Double] {
        switch source {
        case .fixed(let usdPerPHDay):
            return Array(repeating: usdPerPHDay / 1000 * (1 - poolFee) / 24, count: prices.count)
        case .history(let history, let fees):
            var cache: [Int: Double] = [:]
            var result: [Double] = []
            result.reserveCapacity(prices.count)
            for t in 0..<prices.count {
                let date = prices.date(at: t)
                let dayKey = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
                if let v = cache[dayKey] { result.append(v); continue }
                guard let day = history.day(containing: date) else {
                    throw Problem("the Bitcoin history has no day \(BitcoinHistory.format(date)); give another --btc file or a fixed --hashprice")
                }
                let v: Double
                do {
                    v = try history.hashprice(on: day, fees: fees, poolFeeFraction: poolFee).usdPerTHsDay / 24
                } catch {
                    throw Problem("\(error.description)")
                }
                cache[dayKey] = v
                result.append(v)
            }
            return result
        }
    }

    /// The 4CP intervals of a price series: for each of June to September it covers, the interval
    /// with the highest price on a weekday between 15:00 and 18:00 Central time. ERCOT sets 4CP on
    /// system demand, which these files do not carry; the price peak in the peak window stands in
    /// for it (a site with ERCOT's published 4CP intervals can give them instead).
    public static func fourCPProxy(_ prices: PriceSeries) -> Set<Int> {
        let calendar = Calendar.ercot
        var best: [String: (Int, Double)] = [:]
        for t in 0..<prices.count {
            let c = calendar.dateComponents([.year, .month, .hour, .weekday], from: prices.date(at: t))
            guard let m = c.month, (6...9).contains(m), let hour = c.hour, (15..<18).contains(hour),
                let wd = c.weekday, (2...6).contains(wd), let y = c.year
            else { continue }
            let key = "\(y)-\(m)"
            let p = prices.pricesUSDPerMWh[t]
            if best[key] == nil || p > best[key]!.1 { best[key] = (t, p) }
        }
        return Set(best.values.map(\.0))
    }

    /// Reads demand-response events: CSV `start,end,target_mw[,credit_usd_per_mwh]` with ISO 8601
    /// times.
    public static func events(path: String) throws -> [DemandResponseEvent] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Problem("\(path): cannot read the file")
        }
        let iso = ISO8601DateFormatter()
        var events: [DemandResponseEvent] = []
        for (n, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || (n == 0 && line.lowercased().hasPrefix("start")) { continue }
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 3 else { throw Problem("\(path):\(n + 1): expected start,end,target_mw[,credit_usd_per_mwh]") }
            guard let start = iso.date(from: f[0]) else { throw Problem("\(path):\(n + 1): start: expected an ISO 8601 time like 2021-02-15T06:00:00-06:00, found '\(f[0])'") }
            guard let end = iso.date(from: f[1]), end > start else { throw Problem("\(path):\(n + 1): end: expected an ISO 8601 time after the start, found '\(f[1])'") }
            guard let target = Double(f[2]), target >= 0 else { throw Problem("\(path):\(n + 1): target_mw: expected a number ≥ 0, found '\(f[2])'") }
            var credit = 0.0
            if f.count > 3, !f[3].isEmpty {
                guard let c = Double(f[3]), c >= 0 else { throw Problem("\(path):\(n + 1): credit_usd_per_mwh: expected a number ≥ 0, found '\(f[3])'") }
                credit = c
            }
            events.append(DemandResponseEvent(start: start, end: end, targetMW: target, creditUSDPerMWh: credit))
        }
        return events
    }
}

import Foundation
import GridshellCore
import GridshellDispatch

/// Everything the controller decides with, read once at start: the site, the price series it
/// runs over (a replay of ERCOT's files; the live feed comes through the same series), and
/// hashprice per interval.
public struct LiveSite: Sendable {
    public var site: Site
    /// The site file's text, saved as a configuration version.
    public var siteYAML: String
    public var backtest: Backtest
    public var policy: Policy
    /// Where the prices came from, as the store records it.
    public var priceSource: String
    /// Live: the series is a grid waiting for the price feed (its values are not prices yet).
    public var pricesArePlaceholders = false

    public var dispatchSite: DispatchSite { backtest.inputs.site }
    public var prices: PriceSeries { backtest.inputs.prices }
    public var intervalSeconds: Double { Double(prices.intervalSeconds) }

    public init(site: Site, siteYAML: String, backtest: Backtest, policy: Policy, priceSource: String) {
        self.site = site
        self.siteYAML = siteYAML
        self.backtest = backtest
        self.policy = policy
        self.priceSource = priceSource
    }

    /// Reads the site file, the real-time price file (optionally its day-ahead companion) and
    /// the Bitcoin history. `from`/`to` cut the price series (UTC).
    public static func load(
        sitePath: String, pricesPath: String, dayAheadPath: String?, bitcoinPath: String, policy: Policy, from: Date?, to: Date?
    ) throws -> LiveSite {
        let yaml: String
        do { yaml = try String(contentsOfFile: sitePath, encoding: .utf8) } catch {
            throw ServeError.unreadable("cannot read the site file \(sitePath): \(error.localizedDescription)")
        }
        let site: Site
        do { site = try SiteLoader.parse(yaml: yaml, file: sitePath) } catch { throw ServeError.input(error.description) }
        let point = site.contract.settlementPoint
        do {
            let (series, format) = try BacktestSetup.prices(path: pricesPath, settlementPoint: point, from: from, to: to)
            guard series.count >= 2 else { throw ServeError.input("\(pricesPath) has fewer than two intervals for \(point) in the chosen window") }
            let dayAhead = try dayAheadPath.map { try BacktestSetup.dayAhead(path: $0, settlementPoint: point, on: series) }
            let history: BitcoinHistory
            do { history = try BitcoinHistory.read(path: bitcoinPath) } catch { throw ServeError.input(error.description) }
            let perTH = try BacktestSetup.minerUSDPerTHHour(for: series, source: .history(history, fees: .historyOnly), poolFee: site.poolFeeFraction)
            var inputs = BacktestInputs(
                site: DispatchSite(site: site), prices: series, pricesKnownAhead: format == .dayAhead, dayAhead: dayAhead,
                minerUSDPerTHHour: perTH, events: [], fourCPIntervals: BacktestSetup.fourCPProxy(series))
            inputs.jobLines = true
            return LiveSite(
                site: site, siteYAML: yaml, backtest: Backtest(inputs: inputs), policy: policy,
                priceSource: "ercot-replay:\(point):\((pricesPath as NSString).lastPathComponent)")
        } catch let error as ServeError {
            throw error
        } catch let error as PriceFileError {
            throw ServeError.input(error.description)
        } catch {
            throw ServeError.input("\(error)")
        }
    }
}

extension LiveSite {
    /// A live site: the interval grid runs from the start of this UTC year to the end of the
    /// next (a restart lands on the same grid), its prices come from the price feed as they are
    /// published, and hashprice from the Bitcoin feed, starting from the site file's `bitcoin:`
    /// values (or the embedded snapshot) until the feed answers.
    public static func live(sitePath: String, policy: Policy, now: Date = Date()) throws -> LiveSite {
        let yaml: String
        do { yaml = try String(contentsOfFile: sitePath, encoding: .utf8) } catch {
            throw ServeError.unreadable("cannot read the site file \(sitePath): \(error.localizedDescription)")
        }
        let site: Site
        do { site = try SiteLoader.parse(yaml: yaml, file: sitePath) } catch { throw ServeError.input(error.description) }
        guard site.feeds.prices.source != .ercotFile || site.feeds.prices.path != nil else {
            throw ServeError.input("\(sitePath): feeds.prices: a live site needs a price source: 'http' with a url, 'manual' with price_usd_per_mwh, or 'ercot_file' with a path")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let year = calendar.component(.year, from: now)
        let start = calendar.date(from: DateComponents(year: year, month: 1, day: 1))!
        let end = calendar.date(from: DateComponents(year: year + 2, month: 1, day: 1))!
        let count = Int(end.timeIntervalSince(start) / 900)
        let series = PriceSeries(settlementPoint: site.contract.settlementPoint, start: start, intervalSeconds: 900, pricesUSDPerMWh: .init(repeating: 0, count: count))
        let perTH = startingHashprice(site).usdPerTHsDay / 24
        var inputs = BacktestInputs(site: DispatchSite(site: site), prices: series, minerUSDPerTHHour: .init(repeating: perTH, count: count))
        inputs.jobLines = true
        var live = LiveSite(site: site, siteYAML: yaml, backtest: Backtest(inputs: inputs), policy: policy, priceSource: "live")
        live.pricesArePlaceholders = true
        return live
    }

    /// Hashprice from the site file's `bitcoin:` values over the embedded snapshot, net of the
    /// pool fee.
    static func startingHashprice(_ site: Site) -> Hashprice {
        let b = site.bitcoin
        let e = NetworkSnapshot.embedded
        if let quoted = b.hashpriceUSDPerPHsDay {
            let gross = Hashprice.quoted(usdPerPHsDay: quoted, priceUSD: b.priceUSD ?? e.priceUSD)
            return Hashprice(usdPerTHsDay: gross.usdPerTHsDay * (1 - site.poolFeeFraction), btcPerTHsDay: gross.btcPerTHsDay * (1 - site.poolFeeFraction))
        }
        return b.over(e, source: "site file").hashprice(poolFeeFraction: site.poolFeeFraction)
    }
}

/// What stops `gridshell serve` from starting, in words that name the input.
public enum ServeError: Error, Sendable, CustomStringConvertible {
    case input(String)
    /// A file that cannot be read at all.
    case unreadable(String)
    case store(String)
    case fleet(String)

    public var description: String {
        switch self {
        case .input(let s), .unreadable(let s), .store(let s), .fleet(let s): return s
        }
    }
}

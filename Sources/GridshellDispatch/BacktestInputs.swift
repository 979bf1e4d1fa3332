import Foundation
import GridshellCore

/// A demand-response event: the site's load must stay at or under `targetMW` in the window.
public struct DemandResponseEvent: Sendable, Equatable, Codable {
    public var start: Date
    public var end: Date
    public var targetMW: Double
    /// Paid per MWh of reduction below the baseline (the site's full load).
    public var creditUSDPerMWh: Double
    public init(start: Date, end: Date, targetMW: Double, creditUSDPerMWh: Double = 0) {
        self.start = start
        self.end = end
        self.targetMW = targetMW
        self.creditUSDPerMWh = creditUSDPerMWh
    }
}

/// Everything a backtest replays, on one interval grid.
public struct BacktestInputs: Sendable {
    public var site: DispatchSite
    /// Settlement prices, one per interval.
    public var prices: PriceSeries
    /// True when `prices` are day-ahead prices, published before the day they price, so an
    /// online policy may use them for the interval it decides.
    public var pricesKnownAhead: Bool
    /// Day-ahead prices on the same grid, for forecasts (optional).
    public var dayAhead: [Double]?
    /// Mining revenue of one TH/s for one hour in each interval, USD, net of pool fee.
    public var minerUSDPerTHHour: [Double]
    public var events: [DemandResponseEvent]
    /// Intervals that set the 4CP tag (the monthly peaks of June to September).
    public var fourCPIntervals: Set<Int>
    /// A peak-risk signal's chance, per interval, that the interval sets its month's 4CP peak
    /// (a forecast or a load feed); nil: the policy judges risk from prices.
    public var fourCPRisk: [Double]?
    /// Whether each ledger entry carries a line per AI job. The live site keeps them; a year's
    /// backtest of a site with dozens of jobs would hold millions, so it keeps only the totals.
    public var jobLines = false

    public init(
        site: DispatchSite, prices: PriceSeries, pricesKnownAhead: Bool = false, dayAhead: [Double]? = nil,
        minerUSDPerTHHour: [Double], events: [DemandResponseEvent] = [], fourCPIntervals: Set<Int> = [], fourCPRisk: [Double]? = nil
    ) {
        precondition(minerUSDPerTHHour.count == prices.count, "one hashprice per interval")
        precondition(fourCPRisk.map { $0.count == prices.count } ?? true, "one peak risk per interval")
        self.site = site
        self.prices = prices
        self.pricesKnownAhead = pricesKnownAhead
        self.dayAhead = dayAhead
        self.minerUSDPerTHHour = minerUSDPerTHHour
        self.events = events
        self.fourCPIntervals = fourCPIntervals
        self.fourCPRisk = fourCPRisk
    }

    public var count: Int { prices.count }
    public var hours: Double { prices.intervalHours }

    /// Standing ancillary awards: droppable MW to keep online, and their capacity payment per hour.
    public var awardMW: Double { site.site.gridPrograms.ancillary.reduce(0) { $0 + $1.mw } }
    public var awardUSDPerHour: Double { site.site.gridPrograms.ancillary.reduce(0) { $0 + $1.mw * $1.priceUSDPerMWHour } }

    /// The site's full load, the baseline demand-response reductions are measured from.
    public var baselineMW: Double { site.firmMW + site.loads.reduce(0) { $0 + $1.maxMW } }

    /// The site's jobs with a deadline, on this run's interval grid.
    public var deadlines: [DeadlineCommitment] {
        DeadlineCommitment.all(site: site, start: prices.start, intervalHours: hours, count: count)
    }

    /// The events overlapping interval `t`, each with the share of the interval it covers. An
    /// event that begins or ends inside an interval holds the whole interval to its target (the
    /// plan cannot change halfway) but earns only for the part it covers.
    public func events(at t: Int) -> [(event: DemandResponseEvent, share: Double)] {
        let start = prices.date(at: t), end = prices.date(at: t + 1)
        let length = end.timeIntervalSince(start)
        return events.compactMap { e in
            let overlap = min(end, e.end).timeIntervalSince(max(start, e.start))
            return overlap > 0 && length > 0 ? (e, min(overlap / length, 1)) : nil
        }
    }

    /// The market interval `t` faces at energy price `price` (the real one, or a forecast).
    /// `fourCPWeight` is the chance the interval sets a 4CP peak (nil: 1 in the known peak
    /// intervals, 0 elsewhere).
    public func market(at t: Int, price: Double, fourCPWeight: Double? = nil) -> IntervalMarket {
        let contract = site.site.contract
        let h = hours
        var adder = 0.0
        let weight = fourCPWeight ?? (fourCPIntervals.contains(t) ? 1 : 0)
        if weight > 0, let rate = contract.transmission4CPUSDPerKWYear {
            // The tag is the mean of four intervals: each MW in one of them costs rate × 1000 / 4.
            adder += weight * rate * 250 / h
        }
        var cap = site.site.interconnectMW
        for (e, share) in events(at: t) {
            cap = min(cap, e.targetMW)
            adder += e.creditUSDPerMWh * share
        }
        let tiers: [IntervalMarket.CostTier]
        switch contract.kind {
        case .realTimeIndex:
            tiers = [.init(upToMW: .infinity, usdPerMWh: price + contract.adderUSDPerMWh + adder)]
        case .fixedPrice(_, let block, let sellBack):
            // Inside the block the marginal MWh costs what it would sell for (or nothing).
            tiers = [
                .init(upToMW: block, usdPerMWh: (sellBack ? price : 0) + adder),
                .init(upToMW: .infinity, usdPerMWh: max(price + contract.adderUSDPerMWh, sellBack ? price : 0) + adder),
            ]
        }
        return IntervalMarket(hours: h, minerUSDPerTHHour: minerUSDPerTHHour[t], tiers: tiers, capMW: cap, floorMW: awardMW)
    }
}

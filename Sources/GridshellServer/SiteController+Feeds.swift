import Foundation
import GridshellCore
import GridshellDispatch
import GridshellGrid
import GridshellStore

/// What the feeds bring: published prices and Bitcoin data, their staleness, and the
/// conservative fallback the site runs on while a feed is stale.
extension SiteController {
    /// A feed published prices: each becomes its interval's price, is stored, and a newer
    /// observed price replans the interval under way.
    public func receive(prices points: [PricePoint], from name: String, at wall: Date = Date()) async {
        let series = live.prices
        priceTrack.succeeded(name: name, at: wall)
        // Finer prices (5-minute SCED, say) are averaged into the settlement interval.
        var sums: [Int: (sum: Double, n: Int)] = [:]
        let step = Double(series.intervalSeconds)
        for p in points {
            // Intervals before the series still tell the newest price (the first decision's).
            let t = Int((p.intervalStart.timeIntervalSince(series.start) / step).rounded(.down))
            guard t < series.count, p.usdPerMWh.isFinite else { continue }
            sums[t, default: (0, 0)].sum += p.usdPerMWh
            sums[t, default: (0, 0)].n += 1
        }
        var newest = newestPrice
        for (t, v) in sums.sorted(by: { $0.key < $1.key }) {
            let usd = v.sum / Double(v.n)
            let fresh = t >= 0 && knownPrices.insert(t).inserted
            if t >= 0, fresh || dispatcher.backtest.inputs.prices.pricesUSDPerMWh[t] != usd {
                dispatcher.setPrice(usd, at: t)
                try? store.recordPrice(PriceRecord(intervalStart: series.date(at: t), priceUSDPerMWh: usd, source: name))
            }
            if newest == nil || t >= newest!.t { newest = (t, usd) }
        }
        let before = newestPrice
        newestPrice = newest
        if let newest {
            priceTrack.newestData = series.date(at: newest.t + 1)
            priceTrack.value = newest.usd
        }
        // Keep the set small: old intervals are settled.
        if knownPrices.count > 4_000 {
            let floor = dispatcher.memory.next - 1_000
            knownPrices = knownPrices.filter { $0 >= floor }
        }
        // The control loop replans on its next tick; the feed goes back to polling at once.
        if newest?.t != before?.t || newest?.usd != before?.usd, decision != nil { replanFor = "price" }
        publish(now: wall)
    }

    public func priceFeedFailed(_ error: any Error, at wall: Date = Date()) {
        priceTrack.failed(error, at: wall)
        logger.warning("price feed failed", metadata: ["gridshell.feed": "\(priceTrack.name)", "gridshell.error": "\(error)"])
    }

    /// A Bitcoin feed answered: hashprice from its snapshot, net of the pool fee.
    public func receive(bitcoin reading: BitcoinReading, at wall: Date = Date()) async {
        bitcoinTrack.succeeded(name: reading.snapshot.source, at: wall)
        bitcoinTrack.newestData = reading.asOf
        let hashprice = reading.snapshot.hashprice(poolFeeFraction: live.site.poolFeeFraction)
        bitcoinTrack.value = hashprice.usdPerTHsDay * 1000
        let perTHHour = hashprice.usdPerTHsDay / 24
        if perTHHour.isFinite, perTHHour >= 0, perTHHour != baseMinerUSDPerTHHour {
            baseMinerUSDPerTHHour = perTHHour
            if decision != nil, replanFor == nil { replanFor = "bitcoin" }
        }
    }

    public func bitcoinFeedFailed(_ error: any Error, at wall: Date = Date()) {
        bitcoinTrack.failed(error, at: wall)
        logger.warning("Bitcoin feed failed", metadata: ["gridshell.feed": "\(bitcoinTrack.name)", "gridshell.error": "\(error)"])
    }

    /// Whether interval `t` can be settled: its price is published, or it has waited as long as
    /// the feed may be late (then it is settled at the newest price known, and says so).
    func priceSettles(_ t: Int, siteNow: Date) -> Bool {
        guard usesFeeds, !knownPrices.contains(t) else { return true }
        let end = live.prices.date(at: t + 1)
        guard siteNow.timeIntervalSince(end) > priceTrack.staleAfterSeconds else { return false }
        if live.pricesArePlaceholders {
            let estimate = newestPrice?.usd ?? live.site.feeds.stalePriceUSDPerMWh
            dispatcher.setPrice(estimate, at: t)
            logger.warning(
                "no price was published for the interval; settled at the newest price known",
                metadata: ["gridshell.interval": "\(live.prices.date(at: t))", "gridshell.price": "\(estimate)"])
        }
        return true
    }

    /// Puts the feeds' word into a decision: the newest published price, hashprice, and the
    /// fallback when either is stale. Returns the reasons to show with the plan.
    func applyFeeds(to c: inout OnlineDispatcher.Constraints, at t: Int, siteNow: Date) -> [String] {
        guard usesFeeds else { return [] }
        var reasons: [String] = []
        let settings = live.site.feeds
        if priceTrack.isStale(siteNow: siteNow) {
            let assumed = max(settings.stalePriceUSDPerMWh, newestPrice?.usd ?? settings.stalePriceUSDPerMWh)
            c.assumedPriceUSDPerMWh = assumed
            let age = priceTrack.newestData.map { String(format: "the newest price is %.0f min old", siteNow.timeIntervalSince($0) / 60) } ?? "no price received yet"
            reasons.append(String(format: "Price feed stale (%@): deciding as if energy cost %.2f $/MWh; commitments still hold.", age, assumed))
        } else if let newestPrice {
            c.observedPriceUSDPerMWh = newestPrice.usd
        }
        var perTH = baseMinerUSDPerTHHour
        if bitcoinTrack.isStale(siteNow: siteNow) {
            perTH *= 1 - settings.staleHashpriceDiscount
            reasons.append(String(format: "Bitcoin feed stale: mining revenue taken %.0f %% lower.", settings.staleHashpriceDiscount * 100))
        }
        dispatcher.setMinerUSDPerTHHour(perTH, from: t)
        return reasons
    }

    func feedStatuses(siteNow: Date) -> [FeedStatus] {
        let settings = live.site.feeds
        let peak = peakRisk.map {
            [$0.track.status(
                feed: "peak_risk", siteNow: siteNow, unit: $0.model.settings.signal == .load ? "MW" : "probability",
                fallback: "judge 4CP risk from prices in the peak hours")]
        } ?? []
        return [
            priceTrack.status(
                feed: "prices", siteNow: siteNow, unit: "USD/MWh",
                fallback: String(format: "decide as if energy cost at least %.0f $/MWh", settings.stalePriceUSDPerMWh)),
            bitcoinTrack.status(
                feed: "bitcoin", siteNow: siteNow, unit: "USD/PH/day",
                fallback: String(format: "take mining revenue %.0f %% lower", settings.staleHashpriceDiscount * 100)),
        ] + peak
    }

    /// The feeds as the API shows them.
    public var feeds: [FeedStatus] { feedStatuses(siteNow: clock.siteTime()) }
}

import Foundation
import GridshellCore
import GridshellGrid
import GridshellServer
import GridshellStore
import Testing

/// The controller with its feeds: prices are used as published, an interval is settled once
/// its price is out, and a stale feed puts the site on its conservative fallback.
@Suite("Feeds in the controller")
struct FeedControllerTests {
    /// Wall time `site` seconds of site time after the start (speed 1).
    func wall(_ h: Harness, _ base: Date, _ seconds: Double) -> Date { base.addingTimeInterval(seconds) }

    @Test("no price yet: the fallback; a published price replans; the interval settles only once its price is out")
    func pricesAsPublished() async throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let h = try Harness(feeds: true, wallStart: base)
        let start = h.controller.live.prices.start
        // Five minutes into the first interval, nothing published: stale, decide at the fallback.
        await h.controller.tick(now: wall(h, base, 300))
        let first = try #require(await h.controller.currentPlan)
        let staleReason = first.reasons.first ?? ""
        #expect(staleReason.contains("Price feed stale") && staleReason.contains("1000.00 $/MWh"))
        let fallbackMining = first.groups.reduce(0) { $0 + $1.powerMW }

        // The price of the interval before (a cheap night) is published: replanned at once.
        await h.controller.receive(prices: [PricePoint(intervalStart: start.addingTimeInterval(-900), usdPerMWh: 20)], from: "test-prices", at: wall(h, base, 360))
        await h.controller.tick(now: wall(h, base, 360))
        let fresh = try #require(await h.controller.currentPlan)
        #expect(fresh.reasons.allSatisfy { !$0.contains("Price feed stale") })
        #expect(h.controller.board.snapshot?.price.forecastUSDPerMWh == 20)
        let freshMining = fresh.groups.reduce(0) { $0 + $1.powerMW }
        #expect(freshMining > fallbackMining + 1, "cheap power brings the miners back: \(freshMining) MW against \(fallbackMining) MW")

        // The interval is over but its price is not out: it is not settled yet.
        await h.controller.tick(now: wall(h, base, 960))
        #expect(try h.store.lastSettledInterval() == nil)
        // The interval under way is decided all the same.
        #expect(h.controller.board.snapshot?.interval?.index == 1)
        // Published: settled at that price, and the price is stored with its source.
        await h.controller.receive(prices: [PricePoint(intervalStart: start, usdPerMWh: 31.5)], from: "test-prices", at: wall(h, base, 970))
        await h.controller.tick(now: wall(h, base, 970))
        let settled = try h.store.ledger(from: start, to: start.addingTimeInterval(900))
        #expect(settled.count == 1)
        #expect(settled.first?.priceUSDPerMWh == 31.5)
        let stored = try h.store.prices(from: start, to: start.addingTimeInterval(900))
        #expect(stored.first?.source == "test-prices")

        let feeds = await h.controller.feeds
        let prices = try #require(feeds.first { $0.feed == "prices" })
        #expect(prices.state == "ok" && prices.value == 31.5)
    }

    @Test("a feed that falls silent is stale after its window: the fallback, shown in the state and the metrics")
    func staleFeedFallsBack() async throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let h = try Harness(feeds: true, wallStart: base)
        let start = h.controller.live.prices.start
        await h.controller.receive(prices: [PricePoint(intervalStart: start.addingTimeInterval(-900), usdPerMWh: 20)], from: "test-prices", at: wall(h, base, 10))
        await h.controller.tick(now: wall(h, base, 10))
        await h.controller.tick(now: wall(h, base, 20))
        let ok = try #require(await h.controller.currentPlan)
        #expect(ok.reasons.allSatisfy { !$0.contains("Price feed stale") })
        #expect(h.controller.board.snapshot?.price.forecastUSDPerMWh == 20)
        // 65 minutes on with no price since (the window is 45 minutes after the newest price's
        // interval ended, i.e. at minute 45): stale.
        await h.controller.tick(now: wall(h, base, 65 * 60))
        let plan = try #require(await h.controller.currentPlan)
        #expect(h.controller.board.snapshot?.price.forecastUSDPerMWh == 1000)
        #expect((plan.reasons.first ?? "").contains("the newest price is 65 min old"))
        let snapshot = try #require(h.controller.board.snapshot)
        let prices = try #require(snapshot.feeds.first { $0.feed == "prices" })
        #expect(prices.stale && prices.state == "stale")
        let metrics = String(decoding: h.api.metrics.render(), as: UTF8.self)
        #expect(metrics.contains(#"gridshell_feed_stale{feed="prices"} 1"#))
        // Commitments still hold under the fallback: the award floor stays online.
        let award = h.controller.live.site.gridPrograms.ancillary.reduce(0) { $0 + $1.mw }
        #expect(plan.siteMW - plan.firmMW >= award - 1e-6)
        // An interval whose price never came is settled once the window has passed (the first
        // ended at minute 15: settled after minute 60), the next not yet.
        #expect(try h.store.lastSettledInterval() == start)
    }

    @Test("Bitcoin data sets hashprice; stale Bitcoin data takes mining revenue lower")
    func bitcoinFeed() async throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let h = try Harness(feeds: true, wallStart: base)
        let start = h.controller.live.prices.start
        let snapshot = NetworkSnapshot(date: "2021-02-15", priceUSD: 48_000, difficulty: 21.7e12, height: 671_000, feesPerBlockBTC: 0.8, source: "test-bitcoin")
        await h.controller.receive(prices: [PricePoint(intervalStart: start.addingTimeInterval(-900), usdPerMWh: 20)], from: "test-prices", at: wall(h, base, 1))
        await h.controller.tick(now: wall(h, base, 1))
        await h.controller.receive(bitcoin: BitcoinReading(snapshot: snapshot, asOf: start.addingTimeInterval(-1.5 * 86_400)), at: wall(h, base, 2))
        await h.controller.tick(now: wall(h, base, 2))
        await h.controller.tick(now: wall(h, base, 3))
        let expected = snapshot.hashprice(poolFeeFraction: h.controller.live.site.poolFeeFraction).usdPerTHsDay * 1000
        let shown = try #require(h.controller.board.snapshot).price.hashpriceUSDPerPHDay
        // The state shows hashprice gross of the pool fee.
        let gross = expected / (1 - h.controller.live.site.poolFeeFraction)
        #expect(abs(shown - gross) < 1e-6 * gross)
        // Over two days after the data's time with nothing new: 20 % lower, said in the plan.
        await h.controller.receive(prices: [PricePoint(intervalStart: start.addingTimeInterval(0.6 * 86_400), usdPerMWh: 20)], from: "test-prices", at: wall(h, base, 0.61 * 86_400))
        await h.controller.tick(now: wall(h, base, 0.61 * 86_400))
        let plan = try #require(await h.controller.currentPlan)
        #expect(plan.reasons.contains { $0.contains("Bitcoin feed stale") })
        let later = try #require(h.controller.board.snapshot).price.hashpriceUSDPerPHDay
        #expect(abs(later - 0.8 * gross) < 1e-6 * gross)
    }
}

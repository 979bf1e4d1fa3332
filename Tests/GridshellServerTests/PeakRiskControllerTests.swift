import Foundation
import GridshellCore
import GridshellGrid
import GridshellServer
import GridshellStore
import Hummingbird
import HummingbirdTesting
import Testing

/// A 4CP peak-risk signal in the live controller: an operator's alert opens a window, the plan
/// sheds mining for it and says why, and the settled interval carries the tag avoided.
@Suite("4CP windows in the controller")
struct PeakRiskControllerTests {
    /// The demo site billed for 4CP, with a manual probability signal.
    static func site() throws -> String {
        let base = try String(contentsOfFile: Harness.root + "/examples/demo-hybrid.yaml", encoding: .utf8)
            .replacingOccurrences(of: "  adder_usd_per_mwh: 3.0\n", with: "  adder_usd_per_mwh: 3.0\n  transmission_4cp_usd_per_kw_year: 90\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-4cp-\(UUID().uuidString).yaml").path
        let yaml = base.replacingOccurrences(of: "\ngrid_programs:\n", with: "\ngrid_programs:\n  four_cp: {signal: probability, source: manual, end_hour: 22}\n")
        #expect(yaml != base)
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("an operator's peak alert opens a window: mining is shed, the plan says why, the ledger shows the tag avoided")
    func manualAlertOpensAWindow() async throws {
        let path = try Self.site()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The API stamps an operator's value with the site time now: the clock runs from now.
        let base = Date()
        let manual = ManualPeakRiskFeed()
        let feeds = Feeds(prices: ManualPriceFeed(usdPerMWh: 25, intervalSeconds: 3600), bitcoin: ManualBitcoinFeed(snapshot: .embedded), peakRisk: manual, manualPeakRisk: manual)
        // Wednesday 12 August 2020 from 18:00 CDT (after the price proxy's peak hours, inside the
        // signal's), day-ahead hourly prices.
        let h = try Harness(
            feeds: true, wallStart: base, sitePath: path, pricesPath: Harness.root + "/data/ercot/ercot_DAM_LZHB_SPP_2020.csv",
            from: "2020-08-12T23:00:00Z", to: "2020-08-13T04:00:00Z", apiFeeds: feeds)
        let start = h.controller.live.prices.start
        await h.controller.receive(prices: [PricePoint(intervalStart: start.addingTimeInterval(-3600), usdPerMWh: 25)], from: "test-prices", at: base)
        await h.controller.tick(now: base.addingTimeInterval(60))
        let before = try #require(await h.controller.currentPlan)
        #expect(before.reasons.contains { $0.contains("Peak-risk feed stale") })
        let miningBefore = before.groups.reduce(0) { $0 + $1.powerMW }
        #expect(miningBefore > 1)

        try await h.app().test(.router) { client in
            let viewer = try await client.execute(
                uri: "/api/v1/feeds/peak-risk/manual", method: .put, headers: h.headers(.viewer), body: ByteBuffer(string: #"{"value": 0.9, "reason": "x"}"#))
            #expect(viewer.status == .forbidden)
            let bad = try await client.execute(
                uri: "/api/v1/feeds/peak-risk/manual", method: .put, headers: h.headers(.operator), body: ByteBuffer(string: #"{"value": 250, "reason": "x"}"#))
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains("probability"))
            let ok = try await client.execute(
                uri: "/api/v1/feeds/peak-risk/manual", method: .put, headers: h.headers(.operator),
                body: ByteBuffer(string: #"{"value": 90, "reason": "utility 4CP alert for this afternoon"}"#))
            #expect(ok.status == .ok, "\(String(buffer: ok.body))")
            let list = try #require(try JSONSerialization.jsonObject(with: Data(ok.body.readableBytesView)) as? [[String: Any]])
            let peak = try #require(list.first { $0["feed"] as? String == "peak_risk" })
            #expect(peak["value"] as? Double == 90 && peak["state"] as? String == "ok")
        }
        await h.controller.tick(now: base.addingTimeInterval(90))
        let during = try #require(await h.controller.currentPlan)
        #expect(during.reasons.contains { $0.contains("4CP window: 90 %") }, "\(during.reasons)")
        let miningDuring = during.groups.reduce(0) { $0 + $1.powerMW }
        #expect(miningDuring < miningBefore - 1, "mining \(miningDuring) MW in the window against \(miningBefore) MW before")
        #expect(try h.store.auditLog(limit: 5).first?.action == "set-manual-peak-risk")

        // The interval is over and its price is out: its ledger line carries the window.
        await h.controller.receive(prices: [PricePoint(intervalStart: start, usdPerMWh: 25)], from: "test-prices", at: base.addingTimeInterval(3700))
        await h.controller.tick(now: base.addingTimeInterval(3700))
        let line = try #require(try h.store.ledger(from: start, to: start.addingTimeInterval(3600)).first)
        let window = try #require(line.fourCP)
        #expect(window.probability == 0.9)
        #expect(window.avoidedMW > 1 && abs(window.expectedSavingUSD - window.avoidedMW * 90 * 250 * 0.9) < 1e-6)
    }

    @Test("a site without a manual signal refuses an operator's value, naming the setting")
    func noManualSignal() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let r = try await client.execute(
                uri: "/api/v1/feeds/peak-risk/manual", method: .put, headers: h.headers(.operator), body: ByteBuffer(string: #"{"value": 0.5, "reason": "x"}"#))
            #expect(r.status == .conflict)
            #expect(String(buffer: r.body).contains("grid_programs.four_cp"))
        }
    }
}

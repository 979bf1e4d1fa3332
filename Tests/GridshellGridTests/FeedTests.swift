import Foundation
import GridshellCore
import Hummingbird
import Testing

@testable import GridshellGrid

/// The project folder, for the real data files.
let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

@Suite struct PriceRowsTests {
    func rows(_ settings: PriceFeedSettings, point: String = "HB_WEST") -> PriceRows {
        PriceRows(settings: settings, settlementPoint: point, feed: "test")
    }

    @Test func jsonRowsUnderAPathFilteredByPoint() throws {
        var s = PriceFeedSettings(source: .http, url: "http://x", format: .json, rowsPath: "data.rows", timeField: "start", priceField: "spp", pointField: "point")
        s.headers = [:]
        let body = #"""
        {"data": {"rows": [
          {"start": "2021-02-15T06:00:00Z", "point": "HB_WEST", "spp": 9000},
          {"start": "2021-02-15T06:00:00Z", "point": "HB_NORTH", "spp": 8000.5},
          {"start": 1613369700, "point": "HB_WEST", "spp": "1234.25"},
          {"start": 1613370600000, "point": "HB_WEST", "spp": -3.5}
        ]}}
        """#
        let points = try rows(s).parse(Data(body.utf8))
        #expect(points.count == 3)
        #expect(points[0] == PricePoint(intervalStart: Date(timeIntervalSince1970: 1_613_368_800), usdPerMWh: 9000))
        #expect(points[1].usdPerMWh == 1234.25)
        #expect(points[1].intervalStart == Date(timeIntervalSince1970: 1_613_369_700))
        // Milliseconds are read as such.
        #expect(points[2].intervalStart == Date(timeIntervalSince1970: 1_613_370_600))
        #expect(points[2].usdPerMWh == -3.5)
    }

    @Test func csvWithQuotedFields() throws {
        let s = PriceFeedSettings(source: .http, url: "http://x", format: .csv, timeField: "interval_start", priceField: "price", pointField: "point")
        let body = "interval_start,point,note,price\r\n2021-02-15T06:00:00Z,HB_WEST,\"storm, \"\"Uri\"\"\",9000\r\n2021-02-15T06:15:00Z,HB_WEST,,8999.5\r\n2021-02-15T06:15:00Z,HB_HOUSTON,,1\r\n"
        let points = try rows(s).parse(Data(body.utf8))
        #expect(points.map(\.usdPerMWh) == [9000, 8999.5])
        #expect(PriceRows.csvRecords("a,\"b,c\",d\n")[0] == ["a", "b,c", "d"])
    }

    @Test func errorsNameTheRowAndTheField() {
        let s = PriceFeedSettings(source: .http, url: "http://x", format: .json, timeField: "start", priceField: "spp")
        func message(_ body: String, _ settings: PriceFeedSettings? = nil) -> String {
            do {
                _ = try rows(settings ?? s).parse(Data(body.utf8))
                return "parsed"
            } catch { return "\(error)" }
        }
        #expect(message("<html>oops</html>").contains("not JSON"))
        #expect(message(#"{"a": 1}"#).contains("not a list of rows"))
        #expect(message(#"[{"start": "2021-02-15T06:00:00Z", "price": 3}]"#).contains("row 1 has no field 'spp'"))
        #expect(message(#"[{"start": "2021-02-15T06:00:00Z", "spp": 1}, {"start": "yesterday", "spp": 2}]"#).contains("row 2: 'start' is 'yesterday'"))
        #expect(message(#"[{"start": "2021-02-15T06:00:00Z", "spp": "cheap"}]"#).contains("'spp' is 'cheap', not a number"))
        #expect(message(#"[{"start": "2021-02-15T06:00:00Z", "spp": 1e9}]"#).contains("outside"))
        var nested = s
        nested.rowsPath = "data.rows"
        #expect(message(#"{"data": {"items": []}}"#, nested).contains("no key 'rows'"))
        var csv = s
        csv.format = .csv
        #expect(message("start,price\n2021-02-15T06:00:00Z,3\n", csv).contains("no column 'spp'"))
        #expect(message("start,spp\n2021-02-15T06:00:00Z,3,4\n", csv).contains("line 2: 3 fields"))
    }
}

@Suite struct FilePriceFeedTests {
    let path = projectRoot + "/data/ercot/ercot_RTM-2021-02.csv"

    @Test func pricesAppearAsPublished() async throws {
        let series = try ERCOTPriceFile.read(path: path, settlementPoint: "HB_WEST")
        let feed = ERCOTFilePriceFeed(path: path, settlementPoint: "HB_WEST", publishDelaySeconds: 300)
        // One hour and four minutes in: three intervals have ended and been out for 5 minutes.
        let now = series.start.addingTimeInterval(3600 + 240)
        let points = try await feed.fetch(siteNow: now)
        #expect(points.count == 3)
        #expect(points.map(\.usdPerMWh) == Array(series.pricesUSDPerMWh[0..<3]))
        #expect(points.last?.intervalStart == series.date(at: 2))
        let later = try await feed.fetch(siteNow: now.addingTimeInterval(60))
        #expect(later.count == 4)
    }

    @Test func anUnreadableFileIsNamed() async {
        let feed = ERCOTFilePriceFeed(path: "/nonexistent/prices.csv", settlementPoint: "HB_WEST")
        var message = ""
        do { _ = try await feed.fetch(siteNow: Date()) } catch { message = error.description }
        #expect(message.contains("/nonexistent/prices.csv"))
    }

    @Test func aFileThatGrowsIsReadAgain() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-feed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("rtm.csv")
        let header = "Delivery Date,Delivery Hour,Delivery Interval,Repeated Hour Flag,Settlement Point Name,Settlement Point Type,Settlement Point Price\n"
        try (header + "02/15/2021,1,1,N,HB_WEST,HU,100.00\n02/15/2021,1,2,N,HB_WEST,HU,200.00\n").write(to: file, atomically: true, encoding: .utf8)
        let feed = ERCOTFilePriceFeed(path: file.path, settlementPoint: "HB_WEST")
        let far = Date(timeIntervalSince1970: 1_700_000_000)
        let first = try await feed.fetch(siteNow: far)
        #expect(first.map(\.usdPerMWh) == [100, 200])
        try await Task.sleep(nanoseconds: 1_100_000_000)
        try (header + "02/15/2021,1,1,N,HB_WEST,HU,100.00\n02/15/2021,1,2,N,HB_WEST,HU,200.00\n02/15/2021,1,3,N,HB_WEST,HU,300.00\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let second = try await feed.fetch(siteNow: far)
        #expect(second.map(\.usdPerMWh) == [100, 200, 300])
    }
}

@Suite struct HTTPFeedTests {
    @Test func pricesFromAnHTTPEndpoint() async throws {
        let points = try await withFeedServer({ router in
            router.get("/prices") { request, _ in
                // The configured header arrives.
                guard request.headers[.init("X-Api-Key")!] == "k1" else { return Response(status: .unauthorized) }
                return text(#"{"data": [{"t": "2026-11-22T10:00:00Z", "p": 41.5, "sp": "HB_WEST"}, {"t": "2026-11-22T10:15:00Z", "p": 43, "sp": "HB_WEST"}]}"#)
            }
        }) { base in
            let s = PriceFeedSettings(
                source: .http, url: base + "/prices", format: .json, rowsPath: "data", timeField: "t", priceField: "p", pointField: "sp", headers: ["X-Api-Key": "k1"])
            return try await HTTPPriceFeed(settings: s, settlementPoint: "HB_WEST").fetch(siteNow: Date())
        }
        #expect(points.map(\.usdPerMWh) == [41.5, 43])
    }

    @Test func brokenEndpointsGiveErrorsThatSayWhat() async throws {
        let messages = try await withFeedServer({ router in
            router.get("/down") { _, _ in Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "database is down"))) }
            router.get("/slow") { _, _ in
                try await Task.sleep(nanoseconds: 3_000_000_000)
                return text("[]")
            }
            router.get("/other-point") { _, _ in text(#"[{"t": "2026-11-22T10:00:00Z", "p": 1, "sp": "HB_NORTH"}]"#) }
            router.get("/huge") { _, _ in text("[" + String(repeating: "1,", count: 5_000_000) + "1]") }
        }) { base in
            var out: [String] = []
            for (path, timeout) in [("/down", 5.0), ("/slow", 0.5), ("/other-point", 5.0), ("/huge", 5.0), ("/missing", 5.0)] {
                let s = PriceFeedSettings(source: .http, url: base + path, format: .json, timeField: "t", priceField: "p", pointField: "sp")
                do {
                    _ = try await HTTPPriceFeed(settings: s, settlementPoint: "HB_WEST", timeoutSeconds: timeout).fetch(siteNow: Date())
                    out.append("no error")
                } catch { out.append("\(error)") }
            }
            return out
        }
        #expect(messages[0].contains("HTTP 500") && messages[0].contains("database is down"))
        #expect(messages[1].contains("no answer within 0.5 s"))
        #expect(messages[2].contains("no price for HB_WEST"))
        #expect(messages[3].contains("over 8 MB"))
        #expect(messages[4].contains("HTTP 404"))
    }

    @Test func bitcoinFromAnExplorer() async throws {
        let reading = try await withFeedServer({ router in
            router.get("/api/v1/blocks") { _, _ in
                text(#"""
                [{"id": "00a", "height": 925001, "timestamp": 1763800000, "difficulty": 152271405447597.2, "extras": {"totalFees": 2500000, "reward": 315000000}},
                 {"id": "00b", "height": 925000, "timestamp": 1763799400, "difficulty": 152271405447597.2, "extras": {"totalFees": 1500000, "reward": 314000000}}]
                """#)
            }
            router.get("/api/v1/prices") { _, _ in text(#"{"time": 1763800100, "USD": 86000, "EUR": 74000}"#) }
        }) { base in
            try await ExplorerBitcoinFeed(baseURL: base + "/").fetch(siteNow: Date(timeIntervalSince1970: 1_763_800_200))
        }
        #expect(reading.snapshot.height == 925_001)
        #expect(reading.snapshot.priceUSD == 86_000)
        #expect(abs(reading.snapshot.feesPerBlockBTC - 0.02) < 1e-12)
        #expect(reading.snapshot.date == "2025-11-22")
        // Hashprice in the range public trackers quoted for that network (about 40 USD/PH/day).
        let perPH = reading.snapshot.hashprice().usdPerTHsDay * 1000
        #expect(perPH > 30 && perPH < 50)
    }

    @Test func aBadExplorerAnswerIsNamed() async throws {
        let message = try await withFeedServer({ router in
            router.get("/api/v1/blocks") { _, _ in text(#"[{"height": 1, "timestamp": 1, "difficulty": "high"}]"#) }
            router.get("/api/v1/prices") { _, _ in text(#"{"USD": 1}"#) }
        }) { base in
            do {
                _ = try await ExplorerBitcoinFeed(baseURL: base).fetch(siteNow: Date())
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message.contains("block 1 has no positive 'difficulty'"))
    }
}

@Suite struct HistoryFeedTests {
    @Test func theDayOfSiteTime() async throws {
        let path = projectRoot + "/data/btc/btc_daily_2019_2025.csv"
        let history = try BitcoinHistory.read(path: path)
        let feed = HistoryBitcoinFeed(history: history, path: path)
        let now = ISO8601DateFormatter().date(from: "2021-02-15T12:00:00Z")!
        let reading = try await feed.fetch(siteNow: now)
        #expect(reading.snapshot.date == "2021-02-15")
        let day = history.day(containing: now)!
        let expected = try history.hashprice(on: day).usdPerTHsDay
        #expect(abs(reading.snapshot.hashprice().usdPerTHsDay - expected) < 1e-9 * expected)
        var message = ""
        do { _ = try await feed.fetch(siteNow: Date(timeIntervalSince1970: 0)) } catch { message = error.description }
        #expect(message.contains("no day 1970-01-01"))
    }
}

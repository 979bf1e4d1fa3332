import Foundation
import Testing

@testable import GridshellCore

/// The real ERCOT files copied into the package (data/ercot/).
private func ercotPath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // GridshellCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("data/ercot/\(name)").path
}

private let rtm2019 = ercotPath("ercot_RTM-2019-02.csv")
private let rtm2020 = ercotPath("ercot_RTM-2020-02.csv")
private let rtm2021 = ercotPath("ercot_RTM-2021-02.csv")
private let dam2019 = ercotPath("ercot_DAM_LZHB_SPP_2019.csv")
private let dam2020 = ercotPath("ercot_DAM_LZHB_SPP_2020.csv")
private let dam2021 = ercotPath("ercot_DAM_LZHB_SPP_2021.csv")

private let rtHeader =
    "Delivery Date,Delivery Hour,Delivery Interval,Repeated Hour Flag,Settlement Point Name,Settlement Point Type,Settlement Point Price"
private let damHeader = "Delivery Date,Hour Ending,Repeated Hour Flag,Settlement Point,Settlement Point Price"

private func utc(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: minute))!
}

/// A day-ahead day for one point: hour-ending labels and prices.
private func damRows(_ date: String, _ point: String, hours: [String], price: Double = 20) -> [String] {
    hours.map { "\(date),\($0),N,\(point),\(price)" }
}

private func hoursEnding(_ range: ClosedRange<Int>) -> [String] {
    range.map { $0 < 10 ? "0\($0):00" : "\($0):00" }
}

@Suite("ERCOT price files")
final class ERCOTPriceFileTests {
    /// Hand-written files for this test, removed when the test ends.
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-prices-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    /// Writes `lines` (each followed by a newline) to a fresh file in this test's directory.
    func tempFile(_ lines: [String]) throws -> String {
        let url = scratch.appendingPathComponent("\(UUID().uuidString).csv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    // MARK: Real data

    @Test("README cross-checks: February 2021 real-time maxima")
    func winterStormMaxima() throws {
        let north = try ERCOTPriceFile.readRealTime(path: rtm2021, settlementPoint: "HB_NORTH")
        let west = try ERCOTPriceFile.readRealTime(path: rtm2021, settlementPoint: "HB_WEST")
        #expect(north.max == 9_315.45)
        #expect(west.max == 9_310.49)
        #expect(north.intervalSeconds == 900)
    }

    @Test("February 2021 real-time HB_WEST has 28 × 96 intervals from local midnight")
    func realTimeCounts() throws {
        let west = try ERCOTPriceFile.readRealTime(path: rtm2021, settlementPoint: "HB_WEST")
        #expect(west.count == 28 * 96)
        #expect(west.settlementPoint == "HB_WEST")
        #expect(west.start == utc(2021, 2, 1, 6))  // 00:00 CST
        #expect(west.end == utc(2021, 3, 1, 6))
        // 2020 is a leap year.
        let leap = try ERCOTPriceFile.readRealTime(path: rtm2020, settlementPoint: "HB_WEST")
        #expect(leap.count == 29 * 96)
    }

    @Test("Day-ahead 2019 HB_WEST is 8,760 continuous hours")
    func dayAheadYear() throws {
        let west = try ERCOTPriceFile.readDayAhead(path: dam2019, settlementPoint: "HB_WEST")
        #expect(west.count == 8_760)
        #expect(west.intervalSeconds == 3600)
        #expect(west.start == utc(2019, 1, 1, 6))
        #expect(west.end == utc(2020, 1, 1, 6))  // continuous: start + 8760 h is the next local midnight
        #expect(west.pricesUSDPerMWh.last == 14.4)  // 12/31/2019 24:00
    }

    @Test("Spring DST day 2019-03-10: 23 hours, no gap in UTC")
    func springForward() throws {
        let west = try ERCOTPriceFile.readDayAhead(path: dam2019, settlementPoint: "HB_WEST")
        // Local day 03/10 runs from 06:00Z (midnight CST) to 05:00Z next day (midnight CDT).
        let day = west.slice(from: utc(2019, 3, 10, 6), to: utc(2019, 3, 11, 5))
        #expect(day.count == 23)
        let i = try #require(west.index(containing: utc(2019, 3, 10, 6)))
        #expect(west.pricesUSDPerMWh[i - 1] == 23.05)  // 03/09 24:00
        #expect(west.pricesUSDPerMWh[i] == 25.79)  // HE 01:00 → 06:00Z
        #expect(west.pricesUSDPerMWh[i + 1] == 20.75)  // HE 02:00 → 07:00Z
        #expect(west.pricesUSDPerMWh[i + 2] == 19.06)  // HE 04:00 (CDT) → 08:00Z, straight after
    }

    @Test("Autumn DST day 2019-11-03: 25 hours, the Y row is the later instant")
    func fallBack() throws {
        let west = try ERCOTPriceFile.readDayAhead(path: dam2019, settlementPoint: "HB_WEST")
        let day = west.slice(from: utc(2019, 11, 3, 5), to: utc(2019, 11, 4, 6))
        #expect(day.count == 25)
        #expect(day.pricesUSDPerMWh.prefix(4) == [16.17, 9.0, 14.96, 10.19])
        #expect(west.index(containing: utc(2019, 11, 3, 6)).map { west.pricesUSDPerMWh[$0] } == 9.0)  // HE02 N, CDT
        #expect(west.index(containing: utc(2019, 11, 3, 7)).map { west.pricesUSDPerMWh[$0] } == 14.96)  // HE02 Y, CST
        #expect(west.pricesUSDPerMWh[try #require(west.index(containing: utc(2019, 11, 3, 5))) - 1] == 20.56)
    }

    @Test("A quoted price with a thousands separator parses")
    func quotedThousands() throws {
        let busavg = try ERCOTPriceFile.read(path: rtm2021, settlementPoint: "HB_BUSAVG")
        // 02/06/2021 hour 19 interval 3 = 18:30 CST = 00:30Z on 02/07.
        let i = try #require(busavg.index(containing: utc(2021, 2, 7, 0, 30)))
        #expect(busavg.pricesUSDPerMWh[i] == 1_899.35)
    }

    @Test("Load zones: LZ is taken over LZEW unless LZEW is asked for")
    func loadZoneType() throws {
        let at = utc(2019, 2, 9, 15, 15)  // 02/09/2019 hour 10 interval 2, CST
        let lz = try ERCOTPriceFile.readRealTime(path: rtm2019, settlementPoint: "LZ_CPS")
        #expect(lz.count == 2_688)
        #expect(lz.index(containing: at).map { lz.pricesUSDPerMWh[$0] } == 1_769.93)
        let ew = try ERCOTPriceFile.readRealTime(path: rtm2019, settlementPoint: "LZ_CPS", settlementPointType: "LZEW")
        #expect(ew.count == 2_688)
        #expect(ew.index(containing: at).map { ew.pricesUSDPerMWh[$0] } == 1_770.03)
    }

    @Test("LZ wins even when the LZEW row comes first")
    func loadZoneOrder() throws {
        let path = try tempFile([
            rtHeader,
            "06/01/2020,1,1,N,LZ_WEST,LZEW,11.00",
            "06/01/2020,1,1,N,LZ_WEST,LZ,10.00",
            "06/01/2020,1,2,N,LZ_WEST,LZEW,21.00",
            "06/01/2020,1,2,N,LZ_WEST,LZ,20.00",
        ])
        let s = try ERCOTPriceFile.read(path: path, settlementPoint: "lz_west")
        #expect(s.pricesUSDPerMWh == [10, 20])
        #expect(s.settlementPoint == "LZ_WEST")
        #expect(s.start == utc(2020, 6, 1, 5))  // CDT
    }

    @Test("Format detection and the list of settlement points")
    func formatAndPoints() throws {
        #expect(try ERCOTPriceFile.detectFormat(path: rtm2021) == .realTime)
        #expect(try ERCOTPriceFile.detectFormat(path: dam2019) == .dayAhead)
        let points = try ERCOTPriceFile.settlementPoints(path: dam2019)
        #expect(points == [
            "HB_BUSAVG", "HB_HOUSTON", "HB_HUBAVG", "HB_NORTH", "HB_PAN", "HB_SOUTH", "HB_WEST",
            "LZ_AEN", "LZ_CPS", "LZ_HOUSTON", "LZ_LCRA", "LZ_NORTH", "LZ_RAYBN", "LZ_SOUTH", "LZ_WEST",
        ])
        #expect(try ERCOTPriceFile.settlementPoints(path: rtm2019).count == 14)  // no HB_PAN in 2019
    }

    @Test("Every settlement point of every file reads without a hole", arguments: [
        rtm2019, rtm2020, rtm2021, dam2019, dam2020, dam2021,
    ])
    func everyPointReads(path: String) throws {
        for point in try ERCOTPriceFile.settlementPoints(path: path) {
            let s = try ERCOTPriceFile.read(path: path, settlementPoint: point)
            #expect(s.count > 0)
            #expect(s.pricesUSDPerMWh.allSatisfy { $0.isFinite })
        }
    }

    @Test("A year of day-ahead data parses quickly")
    func speed() throws {
        // Release builds take about 15 ms on this file (131k rows, 4.5 MB), debug builds about
        // 120 ms; the bound is loose because the other tests run alongside. It only catches a
        // runaway slowdown (e.g. quadratic work per row).
        let clock = ContinuousClock()
        var series: PriceSeries?
        let elapsed = try clock.measure {
            series = try ERCOTPriceFile.readDayAhead(path: dam2020, settlementPoint: "LZ_WEST")
        }
        #expect(series?.count == 8_784)
        #expect(elapsed < .seconds(10), "parsing took \(elapsed)")
    }

    @Test("Day-ahead HB_PAN 2019 starts in April; 2021 file ends on July 24")
    func partialSeries() throws {
        let pan = try ERCOTPriceFile.readDayAhead(path: dam2019, settlementPoint: "HB_PAN")
        #expect(pan.start == utc(2019, 4, 6, 5))  // 04/06/2019 00:00 CDT
        #expect(pan.count == 6_481)  // 270 days + the repeated autumn hour
        let west2021 = try ERCOTPriceFile.readDayAhead(path: dam2021, settlementPoint: "HB_WEST")
        #expect(west2021.count == 205 * 24 - 1)
        #expect(west2021.end == utc(2021, 7, 25, 5))
    }

    @Test("A 1 MW miner with break-even 104 $/MWh at HB_WEST, February 2021")
    func curtailmentFigure() throws {
        let west = try ERCOTPriceFile.readRealTime(path: rtm2021, settlementPoint: "HB_WEST")
        let above = west.pricesUSDPerMWh.filter { $0 > 104 }
        let avoided = above.reduce(0) { $0 + ($1 - 104) * west.intervalHours }
        #expect(above.count == 774)
        #expect(abs(Double(above.count) / Double(west.count) - 0.2879) < 0.0001)
        #expect(abs(avoided - 1_001_185.935) < 0.01)
    }

    // MARK: Hand-written files

    @Test("Fall-back day with the Y rows first in the file is sorted by UTC")
    func fallBackUnsorted() throws {
        var lines = [damHeader, "11/03/2019,02:00,Y,HB_X,2.5"]
        lines += damRows("11/03/2019", "HB_X", hours: hoursEnding(1...24))
        let s = try ERCOTPriceFile.read(path: try tempFile(lines), settlementPoint: "HB_X")
        #expect(s.count == 25)
        #expect(s.start == utc(2019, 11, 3, 5))
        #expect(s.pricesUSDPerMWh[2] == 2.5)
    }

    @Test("Real-time spring day: 92 intervals, continuous in UTC")
    func realTimeSpring() throws {
        var lines = [rtHeader]
        for h in [1, 2] + Array(4...24) {
            for k in 1...4 { lines.append("03/08/2020,\(h),\(k),N,HB_X,HU,\(h * 10 + k)") }
        }
        let s = try ERCOTPriceFile.readRealTime(path: try tempFile(lines), settlementPoint: "HB_X")
        #expect(s.count == 92)
        #expect(s.start == utc(2020, 3, 8, 6))
        #expect(s.pricesUSDPerMWh[8] == 41)  // hour 4 interval 1 follows hour 2 interval 4
        #expect(s.date(at: 8) == utc(2020, 3, 8, 8))
    }

    @Test("Byte order mark, CRLF, blank lines, quoted names")
    func tolerantSyntax() throws {
        let text = "\u{FEFF}\(damHeader)\r\n\r\n01/02/2019,01:00,N,\"HB_X\",\"1,234.5\"\r\n01/02/2019,02:00,N,HB_X,-3\r\n\r\n"
        let s = try ERCOTPriceFile.read(data: Data(text.utf8), fileName: "mem.csv", settlementPoint: "HB_X")
        #expect(s.pricesUSDPerMWh == [1_234.5, -3])
    }

    @Test("Bad header names the expected columns")
    func badHeader() throws {
        let path = try tempFile(["Date,Price", "01/01/2019,5"])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_WEST")
        }
        #expect(error.kind == .badHeader)
        #expect(error.line == 1)
        #expect(error.file == path)
        #expect(error.description.contains(rtHeader))
        #expect(error.description.contains(damHeader))
        #expect(error.description.hasPrefix("\(path):1: "))
    }

    @Test("Asking for real-time from a day-ahead file is a bad header")
    func wrongFormat() throws {
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.readRealTime(path: dam2019, settlementPoint: "HB_WEST")
        }
        #expect(error.kind == .badHeader)
        #expect(error.line == 1)
        #expect(error.message.contains(rtHeader))
        #expect(error.message.contains("looks like a day-ahead file"))
        let back = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.readDayAhead(path: rtm2019, settlementPoint: "HB_WEST")
        }
        #expect(back.message.contains(damHeader))
    }

    @Test("Unparseable price names the line and the text")
    func badPrice() throws {
        let path = try tempFile([rtHeader, "02/01/2021,1,1,N,HB_X,HU,12.5", "02/01/2021,1,2,N,HB_X,HU,12.x5"])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.readRealTime(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .badPrice)
        #expect(error.line == 3)
        #expect(error.message.contains("12.x5"))
    }

    @Test("Prices that are not numbers", arguments: ["", "abc", "1,2,", ",5", "1..2", "1.2.3", "nan", "inf", "--1", "\"1,00.0.0\""])
    func notNumbers(price: String) throws {
        let path = try tempFile([damHeader, "01/01/2019,01:00,N,HB_X,\(price)"])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .badPrice || error.kind == .malformedRow)
        #expect(error.line == 2)
    }

    @Test("Unquoted thousands separator is a row with one field too many")
    func unquotedThousands() throws {
        let path = try tempFile([rtHeader, "02/01/2021,1,1,N,HB_X,HU,12.5", "02/01/2021,1,2,N,HB_X,HU,1,899.35"])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .malformedRow)
        #expect(error.line == 3)
        #expect(error.message.contains("must be quoted"))
    }

    @Test("Unknown settlement point lists the ones present")
    func unknownPoint() throws {
        let path = try tempFile([damHeader, "01/01/2019,01:00,N,HB_WEST,5", "01/01/2019,01:00,N,HB_NORTH,6"])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_EAST")
        }
        #expect(error.kind == .unknownSettlementPoint)
        #expect(error.message.contains("HB_EAST"))
        #expect(error.message.contains("HB_NORTH, HB_WEST"))
        let type = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.readRealTime(path: rtm2019, settlementPoint: "HB_WEST", settlementPointType: "LZEW")
        }
        #expect(type.kind == .unknownSettlementPoint)
        #expect(type.message.contains("HU"))
    }

    @Test("Duplicate interval names both lines")
    func duplicate() throws {
        let path = try tempFile([
            damHeader, "01/15/2019,01:00,N,HB_X,5", "01/15/2019,02:00,N,HB_X,5", "01/15/2019,01:00,N,HB_X,5",
        ])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .duplicateInterval)
        #expect(error.line == 4)
        #expect(error.message.contains("lines 2 and 4"))
        #expect(error.message.contains("01/15/2019 hour ending 01:00"))
    }

    @Test("Missing interval names the local and UTC time")
    func missingHour() throws {
        let path = try tempFile([damHeader] + damRows("01/15/2019", "HB_X", hours: ["01:00", "02:00", "04:00", "05:00"]))
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.readDayAhead(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .missingInterval)
        #expect(error.line == 4)
        #expect(error.message.contains("01/15/2019 hour ending 03:00"))
        #expect(error.message.contains("2019-01-15T08:00:00Z"))
    }

    @Test("Missing real-time intervals, several in a row")
    func missingIntervals() throws {
        let path = try tempFile([
            rtHeader, "02/01/2021,1,1,N,HB_X,HU,1", "02/01/2021,1,2,N,HB_X,HU,1", "02/01/2021,2,2,N,HB_X,HU,1",
        ])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.readRealTime(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .missingInterval)
        #expect(error.line == 4)
        #expect(error.message.contains("02/01/2021 hour ending 01:00 interval 3"))
        #expect(error.message.contains("and 2 more up to 02/01/2021 hour ending 02:00 interval 1"))
    }

    @Test("A missing repeated hour on the autumn day is a hole")
    func missingRepeatedHour() throws {
        let path = try tempFile([damHeader] + damRows("11/03/2019", "HB_X", hours: hoursEnding(1...4)))
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .missingInterval)
        #expect(error.line == 4)
        #expect(error.message.contains("11/03/2019 hour ending 02:00 (repeated hour, flag Y)"))
    }

    @Test("Hour ending 03:00 on the spring day does not exist")
    func springHourDoesNotExist() throws {
        let path = try tempFile([damHeader] + damRows("03/10/2019", "HB_X", hours: hoursEnding(1...4)))
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .badTime)
        #expect(error.line == 4)
        #expect(error.message.contains("03/10/2019"))
    }

    @Test("Y flag on an hour that is not repeated")
    func badRepeatedFlag() throws {
        let path = try tempFile([damHeader, "01/15/2019,01:00,N,HB_X,5", "01/15/2019,01:00,Y,HB_X,5"])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == .badFlag)
        #expect(error.line == 3)
    }

    @Test("Bad fields", arguments: [
        ("02/30/2019,01:00,N,HB_X,5", PriceFileError.Kind.badDate),
        ("2019-02-01,01:00,N,HB_X,5", .badDate),
        ("02/01/19,01:00,N,HB_X,5", .badDate),
        ("02/01/2019,25:00,N,HB_X,5", .badTime),
        ("02/01/2019,00:00,N,HB_X,5", .badTime),
        ("02/01/2019,01:30,N,HB_X,5", .badTime),
        ("02/01/2019,01:00,X,HB_X,5", .badFlag),
        ("02/01/2019,01:00,N,HB_X", .malformedRow),
        ("02/01/2019,01:00,N,\"HB_X,5", .malformedRow),
        ("02/01/2019,01:00,N,\"HB_X\"x,5", .malformedRow),
    ])
    func badFields(row: String, kind: PriceFileError.Kind) throws {
        let path = try tempFile([damHeader, "02/01/2019,02:00,N,HB_X,5", row])
        let error = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X")
        }
        #expect(error.kind == kind)
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("\(path):3: "))
    }

    @Test("Bad real-time hour and interval")
    func badRealTimeFields() throws {
        for (row, kind) in [
            ("02/01/2021,0,1,N,HB_X,HU,1", PriceFileError.Kind.badTime),
            ("02/01/2021,1,5,N,HB_X,HU,1", .badTime),
            ("02/01/2021,1,a,N,HB_X,HU,1", .badTime),
        ] {
            let error = try #require(throws: PriceFileError.self) {
                try ERCOTPriceFile.read(data: Data("\(rtHeader)\n\(row)\n".utf8), fileName: "mem", settlementPoint: "HB_X")
            }
            #expect(error.kind == kind)
            #expect(error.line == 2)
        }
    }

    @Test("Empty and unreadable files")
    func emptyAndMissing() throws {
        let empty = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(data: Data(), fileName: "empty.csv", settlementPoint: "HB_X")
        }
        #expect(empty.kind == .emptyFile)
        let headerOnly = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(data: Data("\(damHeader)\n".utf8), fileName: "h.csv", settlementPoint: "HB_X")
        }
        #expect(headerOnly.kind == .unknownSettlementPoint)
        #expect(headerOnly.message.contains("no data rows"))
        let missing = try #require(throws: PriceFileError.self) {
            try ERCOTPriceFile.read(path: "/nonexistent/gridshell/prices.csv", settlementPoint: "HB_X")
        }
        #expect(missing.kind == .unreadable)
        #expect(missing.file == "/nonexistent/gridshell/prices.csv")
    }

    @Test("Garbage bytes never crash the reader")
    func garbage() throws {
        var rng = SplitMix64(seed: 0x6772_6964)
        let real = try Data(contentsOf: URL(fileURLWithPath: rtm2021)).prefix(20_000)
        let header = Array((damHeader + "\n").utf8)
        for round in 0..<300 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:  // pure noise
                bytes = (0..<Int(rng.next() % 2_000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1:  // a valid header, then noise biased towards CSV punctuation
                let alphabet = Array("0123456789,\"\r\n/:.-NYHB_X ".utf8) + [0, 0xFF, 0xC3]
                bytes = header + (0..<Int(rng.next() % 2_000)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            default:  // a real file with a few bytes flipped
                bytes = Array(real)
                for _ in 0..<(1 + Int(rng.next() % 8)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            let data = Data(bytes)
            for point in ["HB_X", "HB_BUSAVG", "HB_WEST"] {
                do {
                    _ = try ERCOTPriceFile.read(data: data, fileName: "garbage.bin", settlementPoint: point)
                } catch let error as PriceFileError {
                    #expect(!error.description.isEmpty)
                }
            }
            do {
                _ = try ERCOTPriceFile.settlementPoints(data: data, fileName: "garbage.bin")
            } catch is PriceFileError {}
        }
        // And through a real file on disk.
        let path = try tempFile([String(decoding: [0xFF, 0xFE, 0x00, 0x41, 0x0A, 0x2C, 0x22], as: UTF8.self)])
        #expect(throws: PriceFileError.self) { try ERCOTPriceFile.read(path: path, settlementPoint: "HB_X") }
    }

    // MARK: Time zone

    @Test("Foundation's America/Chicago agrees with the built-in US rule, 2010–2030")
    func centralTimeRule() throws {
        let foundation = CentralTime.shared
        #expect(foundation.zone != nil)
        let from = Int(utc(2010, 1, 1).timeIntervalSince1970)
        let to = Int(utc(2030, 1, 1).timeIntervalSince1970)
        var mismatches = 0
        for t in stride(from: from, to: to, by: 1800) where foundation.offset(atUTC: t) != CentralTime.ruleBased.offset(atUTC: t) {
            mismatches += 1
        }
        #expect(mismatches == 0)
    }

    @Test("Parsing with the built-in rule gives the same UTC grid")
    func ruleBasedParse() throws {
        var lines = [damHeader]
        lines += damRows("11/03/2019", "HB_X", hours: hoursEnding(1...2))
        lines.append("11/03/2019,02:00,Y,HB_X,7")
        lines += damRows("11/03/2019", "HB_X", hours: hoursEnding(3...24))
        let s = try ERCOTPriceFile.read(data: Data(lines.joined(separator: "\n").utf8), fileName: "m", settlementPoint: "HB_X")
        #expect(s.count == 25)
        #expect(s.pricesUSDPerMWh[2] == 7)
    }
}

extension ERCOTPriceFileTests {
@Suite("Price series")
struct PriceSeriesTests {
    let hourly = PriceSeries(settlementPoint: "HB_X", start: utc(2021, 2, 1, 6), intervalSeconds: 3600, pricesUSDPerMWh: [10, 20, 30])

    @Test("Dates, count, stats")
    func basics() {
        #expect(hourly.count == 3)
        #expect(hourly.date(at: 2) == utc(2021, 2, 1, 8))
        #expect(hourly.end == utc(2021, 2, 1, 9))
        #expect(hourly.mean == 20)
        #expect(hourly.max == 30)
        #expect(hourly.min == 10)
        #expect(hourly.index(containing: utc(2021, 2, 1, 7, 59)) == 1)
        #expect(hourly.index(containing: utc(2021, 2, 1, 9)) == nil)
        #expect(hourly.index(containing: utc(2021, 2, 1, 5)) == nil)
        let empty = PriceSeries(settlementPoint: "X", start: .distantPast, intervalSeconds: 900, pricesUSDPerMWh: [])
        #expect(empty.mean == nil && empty.max == nil && empty.min == nil)
    }

    @Test("Hourly to 15-minute repeats; back to hourly averages")
    func resample() {
        let quarter = hourly.resampled(toIntervalSeconds: 900)
        #expect(quarter.count == 12)
        #expect(quarter.start == hourly.start)
        #expect(quarter.pricesUSDPerMWh == [10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30])
        #expect(quarter.resampled(toIntervalSeconds: 3600) == hourly)
        let fifteen = PriceSeries(settlementPoint: "X", start: utc(2021, 2, 1, 6), intervalSeconds: 900, pricesUSDPerMWh: [1, 2, 3, 6, 10, 10, 10, 10])
        #expect(fifteen.resampled(toIntervalSeconds: 3600).pricesUSDPerMWh == [3, 10])
    }

    @Test("Resampling a series that does not start on the hour keeps partial hours time-weighted")
    func resamplePartial() {
        let s = PriceSeries(settlementPoint: "X", start: utc(2021, 2, 1, 6, 30), intervalSeconds: 900, pricesUSDPerMWh: [4, 8, 1, 1, 1, 1, 9])
        let h = s.resampled(toIntervalSeconds: 3600)
        #expect(h.start == utc(2021, 2, 1, 6))
        #expect(h.pricesUSDPerMWh == [6, 1, 9])
    }

    @Test("Real data: February 2021 hourly mean equals the 15-minute mean")
    func resampleReal() throws {
        let west = try ERCOTPriceFile.readRealTime(path: rtm2021, settlementPoint: "HB_WEST")
        let hourlyWest = west.resampled(toIntervalSeconds: 3600)
        #expect(hourlyWest.count == 28 * 24)
        #expect(abs(hourlyWest.mean! - west.mean!) < 1e-9)
    }

    @Test("Slices are half-open")
    func slice() {
        #expect(hourly.slice(from: utc(2021, 2, 1, 7), to: utc(2021, 2, 1, 8)).pricesUSDPerMWh == [20])
        #expect(hourly.slice(from: utc(2021, 2, 1, 7)).pricesUSDPerMWh == [20, 30])
        #expect(hourly.slice(to: utc(2021, 2, 1, 7)).pricesUSDPerMWh == [10])
        #expect(hourly.slice(from: utc(2021, 2, 1, 6, 30)).start == utc(2021, 2, 1, 7))
        #expect(hourly.slice(from: utc(2020, 1, 1), to: utc(2030, 1, 1)) == hourly)
        #expect(hourly.slice(from: utc(2021, 2, 1, 8), to: utc(2021, 2, 1, 7)).isEmpty)
        #expect(hourly.slice(from: utc(2030, 1, 1)).isEmpty)
        #expect(hourly.slice(to: utc(2020, 1, 1)).isEmpty)
    }
}

}

/// A small deterministic generator for the garbage test.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

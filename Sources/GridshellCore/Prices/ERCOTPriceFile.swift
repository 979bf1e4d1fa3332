import Foundation

/// What is wrong with a price file, located so a person can fix it.
public struct PriceFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The file could not be read at all.
        case unreadable
        /// The file has no header line.
        case emptyFile
        /// The header does not have the expected columns.
        case badHeader
        /// A row has the wrong number of fields or broken quoting.
        case malformedRow
        /// A delivery date that is not a real MM/DD/YYYY date.
        case badDate
        /// An hour or interval out of range, or an hour that does not exist (DST spring gap).
        case badTime
        /// A repeated-hour flag that is not N/Y, or Y on an hour that is not repeated.
        case badFlag
        /// A price that is not a finite number.
        case badPrice
        /// The settlement point (or the requested type of it) is not in the file.
        case unknownSettlementPoint
        /// The settlement point appears with several types and none is preferred.
        case ambiguousSettlementPointType
        /// Two rows for the same interval.
        case duplicateInterval
        /// A hole in the data.
        case missingInterval
    }

    /// The file as given (path, or the name passed with in-memory data).
    public var file: String
    /// 1-based line number (the header is line 1); 0 when the problem has no single line.
    public var line: Int
    public var kind: Kind
    /// What was wrong, in words.
    public var message: String

    public init(file: String, line: Int, kind: Kind, message: String) {
        self.file = file
        self.line = line
        self.kind = kind
        self.message = message
    }

    /// `file:line: message`, or `file: message` when there is no line.
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// Reader for ERCOT settlement point price files, exactly as ERCOT publishes them.
///
/// - Real-time (NP6-785-ER), 15-minute:
///   `Delivery Date,Delivery Hour,Delivery Interval,Repeated Hour Flag,Settlement Point Name,Settlement Point Type,Settlement Point Price`
/// - Day-ahead (NP4-180-ER), hourly:
///   `Delivery Date,Hour Ending,Repeated Hour Flag,Settlement Point,Settlement Point Price`
///
/// What the reader does with ERCOT's quirks:
/// - Columns are found by name (case and surrounding spaces ignored; `DSTFlag` is accepted for
///   `Repeated Hour Flag`), so column order does not matter; every row must have as many fields as
///   the header. An unquoted price with a thousands separator therefore shows up as a row with one
///   field too many and is reported as such.
/// - Prices may be quoted with thousands separators (`"1,899.35"`); the separators are dropped.
/// - Dates are MM/DD/YYYY in Central Prevailing Time (America/Chicago); hours are hour-ending
///   1...24 (`01:00`...`24:00` day-ahead), real-time intervals 1...4 within the hour. Times are
///   converted to UTC: on the spring day hour ending 03:00 does not exist (a row for it is an
///   error), on the autumn day hour ending 02:00 occurs twice and the `Y` row is the second, later
///   occurrence. The UTC grid is continuous across both.
/// - A load zone appears twice per real-time interval, as type `LZ` and `LZEW` (energy weighted).
///   By default the reader takes `LZ`; more generally `LZEW` rows are ignored when the point has
///   rows of another type. Pass `settlementPointType` to choose a type explicitly (e.g. `"LZEW"`).
///   The day-ahead files have no type column and exactly one row per point per hour (checked on
///   the 2019–2021 files); should a day-ahead file carry a type column it is handled the same
///   way. Any remaining second row for the same interval, even with the same price, is a
///   `duplicateInterval` error naming both lines: the reader does not guess which one is right.
/// - Only rows of the requested settlement point are parsed fully (date, hour, flag, price); the
///   other rows are only checked for their field count. A hole inside the requested point's data
///   is a `missingInterval` error; the series itself may start and end anywhere (HB_PAN, for
///   example, starts in April 2019 in the day-ahead 2019 file).
/// - Settlement point names match case-insensitively; the series carries the file's spelling.
public enum ERCOTPriceFile {
    /// The two layouts ERCOT publishes.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case realTime
        case dayAhead

        /// 900 for real-time, 3600 for day-ahead.
        public var intervalSeconds: Int { self == .realTime ? 900 : 3600 }

        /// The header ERCOT writes for this format.
        public var columns: [String] {
            switch self {
            case .realTime:
                return [
                    "Delivery Date", "Delivery Hour", "Delivery Interval", "Repeated Hour Flag",
                    "Settlement Point Name", "Settlement Point Type", "Settlement Point Price",
                ]
            case .dayAhead:
                return ["Delivery Date", "Hour Ending", "Repeated Hour Flag", "Settlement Point", "Settlement Point Price"]
            }
        }

        var displayName: String { self == .realTime ? "real-time" : "day-ahead" }
    }

    // MARK: Public entry points (files)

    /// Reads one settlement point from a real-time or day-ahead file, detecting the format from
    /// the header.
    public static func read(path: String, settlementPoint: String, settlementPointType: String? = nil) throws -> PriceSeries {
        try read(data: load(path), fileName: path, settlementPoint: settlementPoint, settlementPointType: settlementPointType)
    }

    /// Reads one settlement point from a real-time (15-minute) file; any other header is a
    /// `badHeader` error.
    public static func readRealTime(path: String, settlementPoint: String, settlementPointType: String? = nil) throws -> PriceSeries {
        try read(
            data: load(path), fileName: path, settlementPoint: settlementPoint,
            settlementPointType: settlementPointType, format: .realTime)
    }

    /// Reads one settlement point from a day-ahead (hourly) file; any other header is a
    /// `badHeader` error.
    public static func readDayAhead(path: String, settlementPoint: String) throws -> PriceSeries {
        try read(data: load(path), fileName: path, settlementPoint: settlementPoint, settlementPointType: nil, format: .dayAhead)
    }

    /// The format a file's header announces.
    public static func detectFormat(path: String) throws -> Format {
        try detectFormat(data: load(path), fileName: path)
    }

    /// The distinct settlement point names in a file, sorted.
    public static func settlementPoints(path: String) throws -> [String] {
        try settlementPoints(data: load(path), fileName: path)
    }

    // MARK: Public entry points (bytes already in memory)

    /// Reads one settlement point from file contents; `fileName` is only used in errors.
    /// - Parameter format: the format required, or nil to detect it from the header.
    public static func read(
        data: Data, fileName: String, settlementPoint: String, settlementPointType: String? = nil,
        format: Format? = nil
    ) throws -> PriceSeries {
        try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self), file: fileName)
            return try parser.readSeries(point: settlementPoint, type: settlementPointType, format: format)
        }
    }

    /// The format announced by the header of file contents.
    public static func detectFormat(data: Data, fileName: String) throws -> Format {
        try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self), file: fileName)
            return try parser.readHeader(expecting: nil).format
        }
    }

    /// The distinct settlement point names in file contents, sorted.
    public static func settlementPoints(data: Data, fileName: String) throws -> [String] {
        try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self), file: fileName)
            return try parser.listPoints()
        }
    }

    static func load(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PriceFileError(file: path, line: 0, kind: .unreadable, message: "cannot read the file: \(error.localizedDescription)")
        }
    }
}

// MARK: - Central Prevailing Time

/// UTC offsets of Central Prevailing Time (America/Chicago).
struct CentralTime: Sendable {
    let zone: TimeZone?

    /// America/Chicago from the system's time zone data, or the US rule when that is missing.
    static let shared = CentralTime(zone: TimeZone(identifier: "America/Chicago"))
    /// The built-in US rule (since 2007: second Sunday of March to first Sunday of November,
    /// 1987–2006: first Sunday of April to last Sunday of October), CST −6 h, CDT −5 h.
    static let ruleBased = CentralTime(zone: nil)

    /// Seconds to add to UTC to get local wall time at the UTC instant `t` (Unix seconds).
    func offset(atUTC t: Int) -> Int {
        if let zone { return zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))) }
        let cst = -6 * 3600, cdt = -5 * 3600
        let (year, _, _) = CivilDate.fromDays(CivilDate.floorDiv(t, 86_400))
        let startDay: Int, endDay: Int
        if year >= 2007 {
            startDay = CivilDate.nthSunday(year, 3, 2)
            endDay = CivilDate.nthSunday(year, 11, 1)
        } else {
            startDay = CivilDate.nthSunday(year, 4, 1)
            let lastCandidate = CivilDate.nthSunday(year, 10, 5)
            endDay = CivilDate.fromDays(lastCandidate).1 == 10 ? lastCandidate : lastCandidate - 7
        }
        let start = startDay * 86_400 + 2 * 3600 - cst  // 02:00 CST
        let end = endDay * 86_400 + 2 * 3600 - cdt  // 02:00 CDT
        return (t >= start && t < end) ? cdt : cst
    }
}

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01).
public enum CivilDate {
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    public static func days(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number.
    public static func fromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Day number of the n-th Sunday (1-based) of a month.
    static func nthSunday(_ y: Int, _ m: Int, _ n: Int) -> Int {
        let first = days(y, m, 1)
        let weekday = ((first + 4) % 7 + 7) % 7  // 0 = Sunday; 1970-01-01 was a Thursday
        return first + (7 - weekday) % 7 + 7 * (n - 1)
    }

    static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `MM/DD/YYYY`, as ERCOT writes dates.
    static func ercotDate(_ day: Int) -> String {
        let (y, m, d) = fromDays(day)
        return "\(pad2(m))/\(pad2(d))/\(y)"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    static func iso(_ t: Int) -> String {
        let day = floorDiv(t, 86_400)
        let s = t - day * 86_400
        let (y, m, d) = fromDays(day)
        return "\(y)-\(pad2(m))-\(pad2(d))T\(pad2(s / 3600)):\(pad2(s % 3600 / 60)):\(pad2(s % 60))Z"
    }
}

// MARK: - Parser

private let comma: UInt8 = 0x2C
private let quote: UInt8 = 0x22
private let lf: UInt8 = 0x0A
private let cr: UInt8 = 0x0D
private let space: UInt8 = 0x20
private let tab: UInt8 = 0x09
private let slash: UInt8 = 0x2F
private let colon: UInt8 = 0x3A
private let dot: UInt8 = 0x2E
private let minus: UInt8 = 0x2D
private let plus: UInt8 = 0x2B
private let zero: UInt8 = 0x30

/// A field's content in the buffer: quotes removed, surrounding blanks trimmed.
private struct Field {
    var lo: Int
    var hi: Int
    /// Quoted and containing `""` escapes (content must be unescaped before use).
    var escaped: Bool
}

private struct Header {
    var format: ERCOTPriceFile.Format
    var fieldCount: Int
    var date: Int
    var hour: Int
    var interval: Int?  // real-time only
    var flag: Int
    var point: Int
    var type: Int?
    var price: Int
}

/// One parsed row of the requested settlement point.
private struct Row {
    var t: Int  // UTC Unix seconds of the interval start
    var price: Double
    var line: Int
}

/// UTC starts of one local day's hours.
private struct Day {
    /// Index = hour ending − 1; `Int.min` when the hour does not exist (spring gap). The first
    /// occurrence (flag N) on the autumn day.
    var hourStart: [Int]
    /// The second occurrence of the repeated hour on the autumn day (flag Y).
    var repeated: (hourEnding: Int, start: Int)?
}

private enum LineStatus {
    case eof
    case blank
    case ok
    case bad(String)
}

private let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

private struct Parser {
    let b: UnsafeBufferPointer<UInt8>
    let file: String
    let zone: CentralTime
    var pos = 0
    var line = 0
    var fields: [Field] = []

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, zone: CentralTime = .shared) {
        self.b = bytes
        self.file = file
        self.zone = zone
        // A UTF-8 byte order mark is not part of the first column's name.
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { pos = 3 }
        fields.reserveCapacity(16)
    }

    func fail(_ kind: PriceFileError.Kind, _ message: String, line: Int? = nil) -> PriceFileError {
        PriceFileError(file: file, line: line ?? self.line, kind: kind, message: message)
    }

    // MARK: Lines and fields

    /// Splits the next physical line into `fields`.
    mutating func nextLine() -> LineStatus {
        let n = b.count
        if pos >= n { return .eof }
        line += 1
        fields.removeAll(keepingCapacity: true)
        var p = pos
        var problem: String?
        while true {
            var s = p
            while s < n, b[s] == space || b[s] == tab { s += 1 }
            if s < n, b[s] == quote {
                var q = s + 1
                var escaped = false
                var closed = false
                while q < n {
                    let c = b[q]
                    if c == quote {
                        if q + 1 < n, b[q + 1] == quote {
                            escaped = true
                            q += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    if c == lf || c == cr { break }
                    q += 1
                }
                if !closed {
                    problem = "field \(fields.count + 1) opens a quote that is not closed on this line"
                    p = q
                    break
                }
                fields.append(Field(lo: s + 1, hi: q, escaped: escaped))
                p = q + 1
                while p < n, b[p] == space || b[p] == tab { p += 1 }
                if p < n, b[p] == comma {
                    p += 1
                    continue
                }
                if p >= n || b[p] == lf || b[p] == cr { break }
                problem = "unexpected text after the closing quote of field \(fields.count)"
                break
            } else {
                var e = s
                while e < n, b[e] != comma, b[e] != lf, b[e] != cr { e += 1 }
                var t = e
                while t > s, b[t - 1] == space || b[t - 1] == tab { t -= 1 }
                fields.append(Field(lo: s, hi: t, escaped: false))
                p = e
                if p < n, b[p] == comma {
                    p += 1
                    continue
                }
                break
            }
        }
        while p < n, b[p] != lf, b[p] != cr { p += 1 }
        if p < n {
            if b[p] == cr {
                p += 1
                if p < n, b[p] == lf { p += 1 }
            } else {
                p += 1
            }
        }
        pos = p
        if let problem { return .bad(problem) }
        if fields.count == 1, fields[0].lo == fields[0].hi { return .blank }
        return .ok
    }

    func bytes(_ f: Field) -> [UInt8] {
        guard f.escaped else { return Array(b[f.lo..<f.hi]) }
        var out: [UInt8] = []
        out.reserveCapacity(f.hi - f.lo)
        var i = f.lo
        while i < f.hi {
            out.append(b[i])
            i += (b[i] == quote && i + 1 < f.hi && b[i + 1] == quote) ? 2 : 1
        }
        return out
    }

    func string(_ f: Field) -> String { String(decoding: bytes(f), as: UTF8.self) }

    /// Text for an error message: the field as written, shortened.
    func shown(_ f: Field) -> String {
        let s = string(f)
        return s.count > 40 ? "\"\(s.prefix(40))…\"" : "\"\(s)\""
    }

    /// ASCII case-insensitive comparison with an upper-cased target.
    func matchesUpper(_ f: Field, _ upper: [UInt8]) -> Bool {
        if f.escaped { return bytes(f).map(Self.upper) == upper }
        guard f.hi - f.lo == upper.count else { return false }
        var i = 0
        while i < upper.count {
            if Self.upper(b[f.lo + i]) != upper[i] { return false }
            i += 1
        }
        return true
    }

    static func upper(_ c: UInt8) -> UInt8 { (c >= 0x61 && c <= 0x7A) ? c - 32 : c }

    // MARK: Header

    mutating func readHeader(expecting expected: ERCOTPriceFile.Format?) throws -> Header {
        var status = nextLine()
        while case .blank = status { status = nextLine() }
        switch status {
        case .eof:
            throw fail(.emptyFile, "the file is empty; expected a header line", line: 0)
        case .bad(let why):
            throw fail(.badHeader, "cannot read the header: \(why)")
        case .blank, .ok:
            break
        }
        let names = fields.map { string($0).trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ aliases: String...) -> Int? { names.firstIndex { aliases.contains($0) } }
        let found = fields.map(string).joined(separator: ",")

        let looksRealTime = column("delivery interval") != nil
        let looksDayAhead = column("hour ending") != nil
        let format: ERCOTPriceFile.Format
        if let expected {
            format = expected
        } else if looksRealTime {
            format = .realTime
        } else if looksDayAhead {
            format = .dayAhead
        } else {
            throw fail(
                .badHeader,
                "not an ERCOT settlement point price file: expected the real-time header "
                    + "`\(ERCOTPriceFile.Format.realTime.columns.joined(separator: ","))` or the day-ahead header "
                    + "`\(ERCOTPriceFile.Format.dayAhead.columns.joined(separator: ","))`, found `\(found)`")
        }

        let date = column("delivery date")
        let flag = column("repeated hour flag", "dstflag")
        let price = column("settlement point price")
        let type = column("settlement point type")
        let hour: Int?, interval: Int?, point: Int?
        switch format {
        case .realTime:
            hour = column("delivery hour")
            interval = column("delivery interval")
            point = column("settlement point name", "settlement point")
        case .dayAhead:
            hour = column("hour ending")
            interval = nil
            point = column("settlement point", "settlement point name")
        }
        guard let date, let flag, let price, let hour, let point, format == .dayAhead || interval != nil else {
            var hint = ""
            if expected == .realTime, looksDayAhead, !looksRealTime { hint = " (this looks like a day-ahead file)" }
            if expected == .dayAhead, looksRealTime { hint = " (this looks like a real-time file)" }
            throw fail(
                .badHeader,
                "expected the ERCOT \(format.displayName) header `\(format.columns.joined(separator: ","))`, "
                    + "found `\(found)`\(hint)")
        }
        return Header(
            format: format, fieldCount: fields.count, date: date, hour: hour, interval: interval, flag: flag,
            point: point, type: type, price: price)
    }

    /// The next data row, checked for its field count; false at end of file.
    mutating func nextRow(_ header: Header) throws -> Bool {
        while true {
            switch nextLine() {
            case .eof: return false
            case .blank: continue
            case .bad(let why): throw fail(.malformedRow, why)
            case .ok:
                if fields.count != header.fieldCount {
                    var hint = ""
                    if fields.count > header.fieldCount {
                        hint = "; a price of 1,000 or more must be quoted (\"1,899.35\")"
                    }
                    throw fail(
                        .malformedRow,
                        "expected \(header.fieldCount) fields as in the header, found \(fields.count)\(hint)")
                }
                return true
            }
        }
    }

    // MARK: Listing

    mutating func listPoints() throws -> [String] {
        let header = try readHeader(expecting: nil)
        var seen = Set<[UInt8]>()
        var last: [UInt8] = []
        while try nextRow(header) {
            let f = fields[header.point]
            let same = !f.escaped && f.hi - f.lo == last.count && last.withUnsafeBufferPointer { l in
                var i = 0
                while i < l.count {
                    if l[i] != b[f.lo + i] { return false }
                    i += 1
                }
                return true
            }
            if same { continue }
            last = bytes(f)
            seen.insert(last)
        }
        return seen.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    // MARK: Values

    /// Digits only, at most `maxDigits` of them.
    func integer(_ lo: Int, _ hi: Int, maxDigits: Int) -> Int? {
        guard hi > lo, hi - lo <= maxDigits else { return nil }
        var v = 0
        for i in lo..<hi {
            let d = Int(b[i]) - 48
            guard d >= 0, d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// `MM/DD/YYYY` (one-digit month and day accepted) as a day number.
    func date(_ f: Field) -> Int? {
        guard !f.escaped else { return nil }
        var s1 = f.lo
        while s1 < f.hi, b[s1] != slash { s1 += 1 }
        var s2 = s1 + 1
        while s2 < f.hi, b[s2] != slash { s2 += 1 }
        guard s2 < f.hi,
            let m = integer(f.lo, s1, maxDigits: 2),
            let d = integer(s1 + 1, s2, maxDigits: 2),
            let y = integer(s2 + 1, f.hi, maxDigits: 4), s2 + 1 + 4 == f.hi,
            y >= 1900, (1...12).contains(m), d >= 1, d <= CivilDate.daysInMonth(y, m)
        else { return nil }
        return CivilDate.days(y, m, d)
    }

    /// Hour ending 1...24: `5`, `05`, `05:00` or `24:00`.
    func hourEnding(_ f: Field) -> Int? {
        guard !f.escaped else { return nil }
        var c = f.lo
        while c < f.hi, b[c] != colon { c += 1 }
        guard let h = integer(f.lo, c, maxDigits: 2), (1...24).contains(h) else { return nil }
        if c < f.hi {
            guard let minutes = integer(c + 1, f.hi, maxDigits: 2), minutes == 0, f.hi - c == 3 else { return nil }
        }
        return h
    }

    /// `N` → false, `Y` → true (either case).
    func flag(_ f: Field) -> Bool? {
        guard f.hi - f.lo == 1 else { return nil }
        switch Self.upper(b[f.lo]) {
        case 0x4E: return false
        case 0x59: return true
        default: return nil
        }
    }

    /// A finite decimal; thousands separators in the integer part are dropped.
    func price(_ f: Field) -> Double? {
        if f.escaped { return nil }
        var i = f.lo
        let hi = f.hi
        guard i < hi else { return nil }
        var negative = false
        if b[i] == minus || b[i] == plus {
            negative = b[i] == minus
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        var fast = true
        var lastWasComma = false
        while i < hi {
            let c = b[i]
            if c >= zero && c <= zero + 9 {
                if digits == 0 && c == zero && !seenDot {
                    // leading zero: no significant digit yet
                } else {
                    digits += 1
                    mantissa = mantissa &* 10 &+ UInt64(c - zero)
                }
                if seenDot { fractionDigits += 1 }
                lastWasComma = false
            } else if c == comma {
                // A separator must follow a digit in the integer part.
                if seenDot || lastWasComma || i == f.lo || !(b[i - 1] >= zero && b[i - 1] <= zero + 9) { return nil }
                lastWasComma = true
            } else if c == dot {
                if seenDot || lastWasComma { return nil }
                seenDot = true
            } else {
                fast = false
                break
            }
            i += 1
        }
        if lastWasComma { return nil }
        if fast {
            // Needs at least one digit somewhere.
            var anyDigit = false
            for j in f.lo..<hi where b[j] >= zero && b[j] <= zero + 9 {
                anyDigit = true
                break
            }
            guard anyDigit else { return nil }
            if digits <= 15, fractionDigits <= 15 {
                // Exact integer over an exact power of ten: one correctly rounded division.
                let v = Double(mantissa) / powersOfTen[fractionDigits]
                return negative ? (v == 0 ? 0 : -v) : v
            }
        }
        // Rare forms (exponents, very long numbers): let the standard library decide.
        var text = [UInt8]()
        text.reserveCapacity(hi - f.lo)
        for j in f.lo..<hi where b[j] != comma { text.append(b[j]) }
        guard let v = Double(String(decoding: text, as: UTF8.self)), v.isFinite else { return nil }
        return v == 0 ? 0 : v
    }

    // MARK: Days

    func makeDay(_ day: Int) -> Day {
        let wallMidnight = day * 86_400
        let approx = zone.offset(atUTC: wallMidnight)
        let startOffset = zone.offset(atUTC: wallMidnight - approx)
        let endOffset = zone.offset(atUTC: wallMidnight + 86_400 - startOffset)
        let noonOffset = zone.offset(atUTC: wallMidnight + 12 * 3600 - startOffset)
        if startOffset == endOffset && startOffset == noonOffset {
            return Day(hourStart: (0..<24).map { wallMidnight + $0 * 3600 - startOffset }, repeated: nil)
        }
        // A transition day: resolve every wall-clock hour against both offsets.
        var starts = [Int](repeating: Int.min, count: 24)
        var repeated: (Int, Int)?
        let offsets = Array(Set([startOffset, endOffset, noonOffset]))
        for h in 0..<24 {
            let wall = wallMidnight + h * 3600
            let candidates = offsets.map { wall - $0 }.filter { wall - zone.offset(atUTC: $0) == $0 }.sorted()
            if let first = candidates.first { starts[h] = first }
            if candidates.count > 1 { repeated = (h + 1, candidates[candidates.count - 1]) }
        }
        return Day(hourStart: starts, repeated: repeated)
    }

    /// How an interval is labelled in the file, for messages.
    func describe(_ t: Int, _ format: ERCOTPriceFile.Format) -> String {
        let offset = zone.offset(atUTC: t)
        let wall = t + offset
        let day = CivilDate.floorDiv(wall, 86_400)
        let seconds = wall - day * 86_400
        let repeated = zone.offset(atUTC: t - 3600) > offset
        var s = "\(CivilDate.ercotDate(day)) hour ending \(CivilDate.pad2(seconds / 3600 + 1)):00"
        if format == .realTime { s += " interval \(seconds % 3600 / 900 + 1)" }
        if repeated { s += " (repeated hour, flag Y)" }
        return s + " = \(CivilDate.iso(t))"
    }

    // MARK: Reading a series

    mutating func readSeries(point requested: String, type requestedType: String?, format expected: ERCOTPriceFile.Format?) throws -> PriceSeries {
        let header = try readHeader(expecting: expected)
        let format = header.format
        let wanted = Array(requested.trimmingCharacters(in: .whitespaces).utf8).map(Self.upper)
        let wantedType = requestedType.map { Array($0.trimmingCharacters(in: .whitespaces).utf8).map(Self.upper) }

        var buckets: [(type: [UInt8], rows: [Row])] = []
        var lastBucket = -1
        var spelling: String?
        var cachedDayNumber = Int.min
        var cachedDay = Day(hourStart: [], repeated: nil)
        var days: [Int: Day] = [:]

        while try nextRow(header) {
            guard matchesUpper(fields[header.point], wanted) else { continue }
            if spelling == nil { spelling = string(fields[header.point]) }

            // Which type bucket (LZ / LZEW / HU ...).
            var bucket = 0
            if let typeColumn = header.type {
                let tf = fields[typeColumn]
                if lastBucket >= 0, matchesUpper(tf, buckets[lastBucket].type) {
                    bucket = lastBucket
                } else {
                    let tb = bytes(tf).map(Self.upper)
                    if let k = buckets.firstIndex(where: { $0.type == tb }) {
                        bucket = k
                    } else {
                        buckets.append((tb, []))
                        bucket = buckets.count - 1
                    }
                }
            } else if buckets.isEmpty {
                buckets.append(([], []))
            }
            lastBucket = bucket
            if let wantedType, buckets[bucket].type != wantedType { continue }

            // When.
            let df = fields[header.date]
            guard let dayNumber = date(df) else {
                throw fail(.badDate, "delivery date \(shown(df)) is not a valid MM/DD/YYYY date")
            }
            if dayNumber != cachedDayNumber {
                if let known = days[dayNumber] {
                    cachedDay = known
                } else {
                    cachedDay = makeDay(dayNumber)
                    days[dayNumber] = cachedDay
                }
                cachedDayNumber = dayNumber
            }
            let hf = fields[header.hour]
            let hourValue: Int?
            if format == .dayAhead {
                hourValue = hourEnding(hf)
            } else {
                hourValue = deliveryHour(hf)
            }
            guard let he = hourValue else {
                let name = format == .dayAhead ? "hour ending" : "delivery hour"
                let form = format == .dayAhead ? "01:00...24:00" : "1...24"
                throw fail(.badTime, "\(name) \(shown(hf)) is not an hour \(form)")
            }
            var minuteOffset = 0
            if let ic = header.interval {
                let f = fields[ic]
                guard let k = f.escaped ? nil : integer(f.lo, f.hi, maxDigits: 2), (1...4).contains(k) else {
                    throw fail(.badTime, "delivery interval \(shown(f)) is not 1...4")
                }
                minuteOffset = (k - 1) * 900
            }
            let ff = fields[header.flag]
            guard let isRepeated = flag(ff) else {
                throw fail(.badFlag, "repeated hour flag \(shown(ff)) is neither N nor Y")
            }
            let hourStart: Int
            if isRepeated {
                guard let r = cachedDay.repeated, r.hourEnding == he else {
                    throw fail(
                        .badFlag,
                        "repeated hour flag Y on \(CivilDate.ercotDate(dayNumber)) hour ending \(CivilDate.pad2(he)):00, "
                            + "an hour that occurs only once that day in Central Prevailing Time")
                }
                hourStart = r.start
            } else {
                hourStart = cachedDay.hourStart[he - 1]
                if hourStart == Int.min {
                    throw fail(
                        .badTime,
                        "hour ending \(CivilDate.pad2(he)):00 does not exist on \(CivilDate.ercotDate(dayNumber)) "
                            + "in Central Prevailing Time (clocks spring forward)")
                }
            }

            // How much.
            let pf = fields[header.price]
            guard let value = price(pf) else {
                throw fail(.badPrice, "settlement point price \(shown(pf)) is not a number")
            }
            buckets[bucket].rows.append(Row(t: hourStart + minuteOffset, price: value, line: line))
        }

        // Choose the rows: the requested type, else LZ over LZEW.
        let typeNames = buckets.map { String(decoding: $0.type, as: UTF8.self) }
        guard let spelling, !buckets.isEmpty else {
            var again = Parser(bytes: b, file: file, zone: zone)
            let present = try again.listPoints()
            let list = present.isEmpty ? "the file has no data rows" : "points in the file: \(present.joined(separator: ", "))"
            throw fail(.unknownSettlementPoint, "settlement point \"\(requested)\" is not in this file; \(list)", line: 0)
        }
        var rows: [Row]
        if let wantedType {
            guard let k = buckets.firstIndex(where: { $0.type == wantedType }) else {
                throw fail(
                    .unknownSettlementPoint,
                    "settlement point \(spelling) has no rows of type \(requestedType ?? ""); types present: "
                        + typeNames.joined(separator: ", "), line: 0)
            }
            rows = buckets[k].rows
        } else if buckets.count == 1 {
            rows = buckets[0].rows
        } else {
            let lzew = Array("LZEW".utf8)
            let others = buckets.filter { $0.type != lzew }
            if others.count == 1 {
                rows = others[0].rows
            } else if let lz = buckets.first(where: { $0.type == Array("LZ".utf8) }) {
                rows = lz.rows
            } else {
                throw fail(
                    .ambiguousSettlementPointType,
                    "settlement point \(spelling) appears with types \(typeNames.joined(separator: ", ")); "
                        + "pass settlementPointType to choose one", line: 0)
            }
        }
        let typeLabel = (wantedType ?? []).isEmpty ? spelling : "\(spelling) (\(requestedType ?? ""))"

        // Order by UTC, then check the grid: one row per interval, no holes.
        var sorted = true
        for i in rows.indices.dropFirst() where rows[i].t < rows[i - 1].t {
            sorted = false
            break
        }
        if !sorted { rows.sort { ($0.t, $0.line) < ($1.t, $1.line) } }
        let step = format.intervalSeconds
        for i in rows.indices.dropFirst() {
            let a = rows[i - 1], c = rows[i]
            let gap = c.t - a.t
            if gap == step { continue }
            if gap == 0 {
                throw fail(
                    .duplicateInterval,
                    "duplicate interval for \(typeLabel): \(describe(c.t, format)) is on lines \(min(a.line, c.line)) and \(max(a.line, c.line))",
                    line: max(a.line, c.line))
            }
            let missing = gap / step - 1
            var message = "missing interval for \(typeLabel): no price for \(describe(a.t + step, format))"
            if missing > 1 { message += " and \(missing - 1) more up to \(describe(c.t - step, format))" }
            message += "; the data jumps from line \(a.line) to line \(c.line)"
            throw fail(.missingInterval, message, line: c.line)
        }
        return PriceSeries(
            settlementPoint: spelling,
            start: Date(timeIntervalSince1970: Double(rows.first?.t ?? 0)),
            intervalSeconds: step,
            pricesUSDPerMWh: rows.map(\.price))
    }

    /// Delivery hour 1...24 as a plain number.
    func deliveryHour(_ f: Field) -> Int? {
        guard !f.escaped, let h = integer(f.lo, f.hi, maxDigits: 2), (1...24).contains(h) else { return nil }
        return h
    }
}

import Foundation
import GridshellCore

/// Reads price rows out of an HTTP answer, CSV or JSON, by the field names the site file gives.
/// Every problem names the row and the field.
public struct PriceRows: Sendable {
    public var settings: PriceFeedSettings
    /// Rows naming another settlement point are skipped (when `settings.pointField` is set).
    public var settlementPoint: String
    public var feed: String
    /// What a value may be, and its unit in messages (prices by default; a peak-risk feed reads
    /// load or probability rows the same way).
    public var valueRange: ClosedRange<Double>
    public var unit: String

    public init(
        settings: PriceFeedSettings, settlementPoint: String, feed: String, valueRange: ClosedRange<Double> = -10_000...100_000, unit: String = "$/MWh"
    ) {
        self.settings = settings
        self.settlementPoint = settlementPoint
        self.feed = feed
        self.valueRange = valueRange
        self.unit = unit
    }

    public func parse(_ data: Data) throws(FeedError) -> [PricePoint] {
        switch settings.format {
        case .json: return try parseJSON(data)
        case .csv: return try parseCSV(data)
        }
    }

    // MARK: JSON

    func parseJSON(_ data: Data) throws(FeedError) -> [PricePoint] {
        let document: Any
        do { document = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw FeedError(feed: feed, "the answer is not JSON (\(Self.excerpt(data)))")
        }
        var node = document
        var walked: [String] = []
        for key in settings.rowsPath.split(separator: ".").map(String.init) {
            walked.append(key)
            guard let object = node as? [String: Any] else {
                throw FeedError(feed: feed, "rows '\(settings.rowsPath)': '\(walked.dropLast().joined(separator: "."))' is not an object")
            }
            guard let next = object[key] else {
                throw FeedError(feed: feed, "rows '\(settings.rowsPath)': no key '\(key)' (keys: \(object.keys.sorted().prefix(12).joined(separator: ", ")))")
            }
            node = next
        }
        guard let rows = node as? [Any] else {
            throw FeedError(feed: feed, "rows '\(settings.rowsPath.isEmpty ? "(top level)" : settings.rowsPath)' is not a list of rows")
        }
        var points: [PricePoint] = []
        for (i, item) in rows.enumerated() {
            guard let row = item as? [String: Any] else { throw FeedError(feed: feed, "row \(i + 1) is not an object") }
            if let field = settings.pointField {
                guard let point = row[field] else { throw FeedError(feed: feed, "row \(i + 1) has no field '\(field)'") }
                if "\(point)" != settlementPoint { continue }
            }
            guard let rawTime = row[settings.timeField] else {
                throw FeedError(feed: feed, "row \(i + 1) has no field '\(settings.timeField)' (fields: \(row.keys.sorted().joined(separator: ", ")))")
            }
            guard let rawPrice = row[settings.priceField] else {
                throw FeedError(feed: feed, "row \(i + 1) has no field '\(settings.priceField)' (fields: \(row.keys.sorted().joined(separator: ", ")))")
            }
            let time = try self.time(rawTime, row: i + 1)
            let price = try self.price(rawPrice, row: i + 1)
            points.append(PricePoint(intervalStart: time, usdPerMWh: price))
        }
        return points
    }

    // MARK: CSV

    func parseCSV(_ data: Data) throws(FeedError) -> [PricePoint] {
        guard let text = String(data: data, encoding: .utf8) else { throw FeedError(feed: feed, "the answer is not UTF-8 text") }
        let lines = Self.csvRecords(text)
        guard let header = lines.first else { throw FeedError(feed: feed, "the CSV is empty; expected a header line") }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ name: String) throws(FeedError) -> Int {
            guard let i = columns.firstIndex(of: name) else {
                throw FeedError(feed: feed, "the CSV has no column '\(name)' (columns: \(columns.joined(separator: ", ")))")
            }
            return i
        }
        let iTime = try column(settings.timeField), iPrice = try column(settings.priceField)
        let iPoint: Int? = try settings.pointField.map { (f: String) throws(FeedError) -> Int in try column(f) }
        var points: [PricePoint] = []
        for (n, fields) in lines.dropFirst().enumerated() {
            let line = n + 2
            if fields.count == 1, fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard fields.count == columns.count else {
                throw FeedError(feed: feed, "line \(line): \(fields.count) fields, the header has \(columns.count)")
            }
            if let iPoint, fields[iPoint].trimmingCharacters(in: .whitespaces) != settlementPoint { continue }
            let time = try self.time(fields[iTime].trimmingCharacters(in: .whitespaces), row: line)
            let price = try self.price(fields[iPrice].trimmingCharacters(in: .whitespaces), row: line)
            points.append(PricePoint(intervalStart: time, usdPerMWh: price))
        }
        return points
    }

    /// RFC 4180 records: commas, double quotes, doubled quotes inside them.
    static func csvRecords(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = text.makeIterator()
        var pending: Character?
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": record.append(field); field = ""
            case "\n", "\r\n", "\r":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }

    // MARK: Values

    func time(_ raw: Any, row: Int) throws(FeedError) -> Date {
        if let n = raw as? NSNumber, !(raw is Bool) {
            return Date(timeIntervalSince1970: Self.unixSeconds(n.doubleValue))
        }
        let text = "\(raw)"
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: Self.unixSeconds(seconds)) }
        if let date = Self.iso8601(text) { return date }
        throw FeedError(feed: feed, "row \(row): '\(settings.timeField)' is '\(text.prefix(40))', not an ISO 8601 time or Unix seconds")
    }

    func price(_ raw: Any, row: Int) throws(FeedError) -> Double {
        var value: Double?
        if let n = raw as? NSNumber, !(raw is Bool) { value = n.doubleValue } else { value = Double("\(raw)".trimmingCharacters(in: .whitespaces)) }
        guard let value, value.isFinite else {
            throw FeedError(feed: feed, "row \(row): '\(settings.priceField)' is '\("\(raw)".prefix(40))', not a number")
        }
        guard valueRange.contains(value) else {
            throw FeedError(
                feed: feed,
                "row \(row): '\(settings.priceField)' is \(value) \(unit), outside \(valueRange.lowerBound.formatted()) to \(valueRange.upperBound.formatted())")
        }
        return value
    }

    /// Unix seconds, or milliseconds when the number is too large to be seconds.
    static func unixSeconds(_ n: Double) -> Double { n > 1e11 ? n / 1000 : n }

    static func iso8601(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: text) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(60), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        return data.isEmpty ? "empty" : "begins '\(text)'"
    }
}

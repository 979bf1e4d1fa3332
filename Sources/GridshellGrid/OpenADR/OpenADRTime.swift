import Foundation
import GridshellCore

/// The two time formats of OpenADR 2.0b: xcal date-times (`2026-11-21T22:50:05.258610Z`) and
/// RFC 5545 durations (`PT10M`, `P1DT2H`, `P2W`).
enum OpenADRTime {
    // MARK: Durations

    /// Seconds in a duration, or nil when the text is not one. Years and months are refused: they
    /// have no fixed length, and a grid obligation must not depend on a guess.
    static func parseDuration(_ text: String) -> TimeInterval? {
        var chars = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign = 1.0
        if chars.first == "+" || chars.first == "-" {
            if chars.first == "-" { sign = -1 }
            chars = chars.dropFirst()
        }
        guard chars.first == "P" else { return nil }
        chars = chars.dropFirst()
        guard !chars.isEmpty else { return nil }
        var total = 0.0
        var inTime = false
        var sawComponent = false
        var lastRank = 0  // enforces the order W, D, (T) H, M, S
        var number = ""
        for c in chars {
            if c.isASCII && (c.isNumber || c == ".") {
                number.append(c)
                continue
            }
            if c == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            guard !number.isEmpty, let value = Double(number), value.isFinite else { return nil }
            // Only seconds may carry a fraction.
            if number.contains(".") && !(inTime && c == "S") { return nil }
            let rank: Int
            let seconds: Double
            switch (inTime, c) {
            case (false, "W"): rank = 1; seconds = 604_800
            case (false, "D"): rank = 2; seconds = 86_400
            case (true, "H"): rank = 3; seconds = 3_600
            case (true, "M"): rank = 4; seconds = 60
            case (true, "S"): rank = 5; seconds = 1
            default: return nil
            }
            // Weeks stand alone (RFC 5545 dur-week).
            guard rank > lastRank, lastRank != 1 else { return nil }
            lastRank = rank
            total += value * seconds
            sawComponent = true
            number = ""
        }
        guard number.isEmpty, sawComponent else { return nil }
        // "P1DT" (a T with nothing after it) is not a duration.
        if inTime && lastRank < 3 { return nil }
        return sign * total
    }

    /// The RFC 5545 text for a whole number of seconds (the 2.0b schema allows no fractions).
    static func formatDuration(_ seconds: TimeInterval) -> String {
        var rest = Int(seconds.rounded())
        var text = rest < 0 ? "-P" : "P"
        rest = abs(rest)
        let days = rest / 86_400
        rest %= 86_400
        let hours = rest / 3_600
        rest %= 3_600
        let minutes = rest / 60
        let secs = rest % 60
        if days > 0 { text += "\(days)D" }
        if hours > 0 || minutes > 0 || secs > 0 || days == 0 {
            text += "T"
            if hours > 0 { text += "\(hours)H" }
            if minutes > 0 { text += "\(minutes)M" }
            if secs > 0 || (hours == 0 && minutes == 0) { text += "\(secs)S" }
        }
        return text
    }

    // MARK: Date-times

    /// A UTC instant from `YYYY-MM-DDThh:mm:ss[.fraction][Z]` (the 2.0b DateTimeType; without a
    /// zone it is read as UTC, as the schema has no offsets). Nil when the text is not one.
    static func parseDateTime(_ text: String) -> Date? {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var value = 0
            for k in from..<(from + count) {
                let b = s[k]
                guard b >= 0x30 && b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            return value
        }
        func byte(_ at: Int, _ expected: Character) -> Bool { at < s.count && s[at] == expected.asciiValue! }
        guard let year = digits(0, 4), byte(4, "-"), let month = digits(5, 2), byte(7, "-"), let day = digits(8, 2),
            byte(10, "T"), let hour = digits(11, 2), byte(13, ":"), let minute = digits(14, 2), byte(16, ":"),
            let second = digits(17, 2)
        else { return nil }
        var k = 19
        var fraction = 0.0
        if byte(k, ".") {
            k += 1
            var scale = 0.1
            let start = k
            while k < s.count, s[k] >= 0x30 && s[k] <= 0x39 {
                fraction += Double(s[k] - 0x30) * scale
                scale /= 10
                k += 1
            }
            guard k > start else { return nil }
        }
        if byte(k, "Z") { k += 1 }
        guard k == s.count else { return nil }
        guard (1...12).contains(month), (1...CivilDate.daysInMonth(year, month)).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        let days = CivilDate.days(year, month, day)
        let seconds = Double(days) * 86_400 + Double(hour * 3_600 + minute * 60 + second) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// `2026-11-21T22:50:05.258610Z`: UTC, microseconds (what openleadr writes and reads).
    static func formatDateTime(_ date: Date) -> String {
        let microsecondsTotal = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var seconds = Int((microsecondsTotal / 1_000_000).rounded(.down))
        let microseconds = Int(microsecondsTotal - Double(seconds) * 1_000_000)
        var days = seconds / 86_400
        seconds -= days * 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        let (year, month, day) = CivilDate.fromDays(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let text = String(v)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds % 3600 / 60, 2)):\(pad(seconds % 60, 2)).\(pad(microseconds, 6))Z"
    }
}

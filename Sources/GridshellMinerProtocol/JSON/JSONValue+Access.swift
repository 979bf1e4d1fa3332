/// Reading values the way firmware writes them: bmminer sends `"GHS 5s":"13883.81"` (a number in a
/// string), pools send `"Diff":" 69.2461"` or `"32.8K"`, S9 forks send `"chain_power":"967.50 (AB)"`,
/// and some web pages group thousands (`"1,899.35"`). The accessors accept all of these, so the
/// parsers above them ask for the meaning, not the spelling.
extension JSONValue {
    public var object: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The text of a string value only (no conversion).
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A number, or a string that holds exactly one number (spaces, thousands separators and
    /// `inf`/`nan` allowed). Empty strings and `null` have no number.
    public var double: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s): return NumberText.parse(s)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// `double` truncated to an integer; nil when it is not finite or does not fit.
    public var int: Int? {
        guard let d = double, d.isFinite, d >= -9.2e18, d <= 9.2e18 else { return nil }
        return Int(d)
    }

    /// The number at the start of a string (`"967.50 (AB)"` → 967.5, `"1600M"` → 1600), or the number.
    public var leadingDouble: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s): return NumberText.leading(s)
        default: return nil
        }
    }

    /// A number with an SI suffix (`"32.8K"` → 32800, `"1.2 M"` → 1200000), or a plain number.
    public var siDouble: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s): return NumberText.withSuffix(s)
        default: return nil
        }
    }

    /// A string, or a number written as text (`152`, `1.5`); what a field holds when firmware
    /// types it either way (`"Miner": "49.0.1.3"`, `"POOL": 0`).
    public var string: String? {
        switch self {
        case .string(let s): return s
        case .number(let d):
            if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// A boolean, or what firmware writes for one: `"Y"`/`"N"`, `"true"`, `"on"`, `1`/`0`.
    public var bool: Bool? {
        switch self {
        case .bool(let b): return b
        case .number(let d): return d.isNaN ? nil : d != 0
        case .string(let s):
            switch s.trimmingSpaces.lowercased() {
            case "true", "y", "yes", "on", "1", "enabled": return true
            case "false", "n", "no", "off", "0", "disabled": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// The member of an object under `key` (exact spelling first, then ignoring case).
    public subscript(key: String) -> JSONValue? {
        object?.value(forKeyIgnoringCase: key)
    }

    /// The element of an array at `index`, nil when out of range.
    public subscript(index: Int) -> JSONValue? {
        guard let a = array, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

extension JSONObject {
    /// `self[key]` ignoring case, read as a number (see `JSONValue.double`).
    public func double(_ key: String) -> Double? { value(forKeyIgnoringCase: key)?.double }
    public func int(_ key: String) -> Int? { value(forKeyIgnoringCase: key)?.int }
    public func string(_ key: String) -> String? { value(forKeyIgnoringCase: key)?.string }
    public func bool(_ key: String) -> Bool? { value(forKeyIgnoringCase: key)?.bool }
    public func object(_ key: String) -> JSONObject? { value(forKeyIgnoringCase: key)?.object }
    public func array(_ key: String) -> [JSONValue]? { value(forKeyIgnoringCase: key)?.array }
    /// The objects of an array member, skipping elements that are not objects.
    public func objects(_ key: String) -> [JSONObject] { array(key)?.compactMap(\.object) ?? [] }
}

/// Numbers written as text.
enum NumberText {
    /// Exactly one number, optionally surrounded by spaces; `,` between digit groups is a
    /// thousands separator when a `.` is present or every group after the first has three digits,
    /// otherwise a decimal comma.
    static func parse(_ text: String) -> Double? {
        // Most numbers in text are plain (`"13883.81"`): read them directly.
        if isPlainDecimal(text) { return Double(text) }
        let t = text.trimmingSpaces
        guard !t.isEmpty else { return nil }
        switch t.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "-nan", "+nan": return .nan
        default: break
        }
        var cleaned = t
        if t.contains(",") {
            let groups = t.split(separator: ",", omittingEmptySubsequences: false)
            let thousands = t.contains(".")
                || groups.dropFirst().allSatisfy { g in g.prefix { $0.isASCIIDigitCharacter }.count == 3 }
            if thousands {
                cleaned = t.replacingAll(",", with: "")
            } else if groups.count == 2 {
                cleaned = t.replacingAll(",", with: ".")
            } else {
                return nil
            }
        }
        // Only plain decimal notation: Double(String) would also take hex floats.
        guard cleaned.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) else { return nil }
        return Double(cleaned)
    }

    /// Only digits, signs, points and exponents, with a digit among them: text `Double` reads
    /// exactly as the general path above would.
    static func isPlainDecimal(_ text: String) -> Bool {
        var digit = false
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): continue
            default: return false
            }
        }
        return digit
    }

    /// The longest number at the start of the text (after spaces).
    static func leading(_ text: String) -> Double? {
        let t = text.trimmingSpaces
        if let whole = parse(t) { return whole }
        var end = t.startIndex
        var seenDigit = false
        var i = t.startIndex
        while i < t.endIndex {
            let c = t[i]
            if c.isASCIIDigitCharacter {
                seenDigit = true
            } else if c == "." || ((c == "-" || c == "+") && i == t.startIndex) {
            } else {
                break
            }
            i = t.index(after: i)
            if seenDigit { end = i }
        }
        guard seenDigit else { return nil }
        return Double(t[t.startIndex..<end])
    }

    /// A number followed by an SI multiplier letter (k, K, M, G, T, P).
    static func withSuffix(_ text: String) -> Double? {
        let t = text.trimmingSpaces
        if let plain = parse(t) { return plain }
        guard let last = t.last else { return nil }
        let scale: Double
        switch last {
        case "k", "K": scale = 1e3
        case "M": scale = 1e6
        case "G": scale = 1e9
        case "T": scale = 1e12
        case "P": scale = 1e15
        default: return nil
        }
        guard let base = parse(String(t.dropLast())) else { return nil }
        return base * scale
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}

extension String {
    /// Without leading and trailing spaces, tabs, line breaks and NULs (no Foundation needed).
    var trimmingSpaces: String {
        // Nothing to trim in nearly every case: no copy then.
        if let first = utf8.first, let last = utf8.last, !Self.isTrimmedByte(first), !Self.isTrimmedByte(last) { return self }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\0" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }

    private static func isTrimmedByte(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") || b == 0
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}

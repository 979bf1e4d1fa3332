import Foundation

/// JSON as firmware writes it: keys in the firmware's own order, numbers with the firmware's
/// precision. Only the simulator writes it; clients read with the lenient parser.
public indirect enum ReplyJSON: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    case string(String)
    case int(Int)
    /// A number written with a fixed count of decimals.
    case number(Double, decimals: Int)
    case bool(Bool)
    case null
    case array([ReplyJSON])
    case object([(String, ReplyJSON)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value, decimals: 2) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ReplyJSON...) { self = .array(elements) }

    public static func num(_ v: Double, _ decimals: Int = 2) -> ReplyJSON { .number(v, decimals: decimals) }
    public static func obj(_ pairs: KeyValuePairs<String, ReplyJSON>) -> ReplyJSON { .object(pairs.map { ($0.key, $0.value) }) }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out)
        return out
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): Self.writeString(s, into: &out)
        case .int(let i): Self.writeInteger(i, into: &out)
        case .number(let v, let d):
            if v.isNaN || v.isInfinite { out += Array("0".utf8); return }
            Self.writeFixed(v, decimals: d, into: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                v.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `v` with exactly `decimals` digits after the point (what `%.nf` prints), without going
    /// through a format string: a fleet of thousands writes millions of these.
    static func writeFixed(_ v: Double, decimals: Int, into out: inout [UInt8]) {
        let d = max(0, min(decimals, 9))
        var scale: Double = 1
        for _ in 0..<d { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e18 else {
            out += Array(String(format: "%.\(d)f", v).utf8)
            return
        }
        let n = UInt64(scaled)
        if v < 0 && n > 0 { out.append(UInt8(ascii: "-")) }
        var unit: UInt64 = 1
        for _ in 0..<d { unit *= 10 }
        writeDigits(n / unit, minimumCount: 1, into: &out)
        guard d > 0 else { return }
        out.append(UInt8(ascii: "."))
        writeDigits(n % unit, minimumCount: d, into: &out)
    }

    static func writeInteger(_ i: Int, into out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        writeDigits(UInt64(i.magnitude), minimumCount: 1, into: &out)
    }

    /// Decimal digits of `n`, zero-padded on the left to `minimumCount`, without a String.
    static func writeDigits(_ n: UInt64, minimumCount: Int, into out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 24 digits
        var count = 0
        var rest = n
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            while count < min(minimumCount, 24) {
                buffer[23 - count] = UInt8(ascii: "0")
                count += 1
            }
            out.append(contentsOf: buffer[(24 - count)...])
        }
    }

    /// A number as fixed-decimal text (for firmware that sends numbers as strings).
    public static func fixed(_ v: Double, _ decimals: Int) -> String {
        var out: [UInt8] = []
        writeFixed(v, decimals: decimals, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Nearly every string needs no escape: copy it whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

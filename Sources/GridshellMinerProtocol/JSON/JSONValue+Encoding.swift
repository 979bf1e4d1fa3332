extension JSONValue {
    /// How to write numbers that JSON has no spelling for.
    public enum NonFiniteNumbers: Sendable {
        /// `null`, what strict readers accept.
        case null
        /// `inf`, `-inf`, `nan`, as cgminer prints them (for a simulator that wants the quirk).
        case bare
    }

    /// Compact JSON text, object keys in their order; integral numbers without a fraction.
    public func encoded(nonFinite: NonFiniteNumbers = .null) -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out, nonFinite: nonFinite)
        return out
    }

    /// `encoded()` as a `String`.
    public func jsonText(nonFinite: NonFiniteNumbers = .null) -> String {
        String(decoding: encoded(nonFinite: nonFinite), as: UTF8.self)
    }

    func write(to out: inout [UInt8], nonFinite: NonFiniteNumbers) {
        switch self {
        case .null:
            out.append(contentsOf: Array("null".utf8))
        case .bool(let b):
            out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .number(let d):
            out.append(contentsOf: Array(Self.numberText(d, nonFinite: nonFinite).utf8))
        case .string(let s):
            Self.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out, nonFinite: nonFinite)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out, nonFinite: nonFinite)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func numberText(_ d: Double, nonFinite: NonFiniteNumbers) -> String {
        if d.isNaN { return nonFinite == .bare ? "nan" : "null" }
        if d.isInfinite { return nonFinite == .bare ? (d < 0 ? "-inf" : "inf") : "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A block of IPv4 addresses a miner group lives on: one address, a CIDR block (`10.1.0.0/22`)
/// or a last-octet range (`10.1.0.10-200`).
public struct AddressRange: Sendable, Equatable {
    public var first: UInt32
    public var count: Int

    public struct Problem: Error, Sendable, Equatable {
        public var message: String
    }

    public static func parse(_ text: String) -> Result<AddressRange, Problem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let slash = trimmed.firstIndex(of: "/") {
            guard let base = ipv4(String(trimmed[..<slash])), let bits = Int(trimmed[trimmed.index(after: slash)...]),
                (8...32).contains(bits)
            else { return .failure(Problem(message: "expected a CIDR block like 10.1.0.0/22 (prefix 8 to 32), found '\(text)'")) }
            let size = 1 << (32 - bits)
            let mask: UInt32 = bits == 32 ? .max : ~(UInt32(size) - 1)
            return .success(AddressRange(first: base & mask, count: size))
        }
        if let dash = trimmed.lastIndex(of: "-") {
            let head = String(trimmed[..<dash])
            guard let start = ipv4(head), let end = Int(trimmed[trimmed.index(after: dash)...]),
                end >= Int(start & 0xFF), end <= 255
            else { return .failure(Problem(message: "expected a range like 10.1.0.10-200 (last octet, rising), found '\(text)'")) }
            return .success(AddressRange(first: start, count: end - Int(start & 0xFF) + 1))
        }
        guard let single = ipv4(trimmed) else {
            return .failure(Problem(message: "expected an IPv4 address, CIDR block or range, found '\(text)'"))
        }
        return .success(AddressRange(first: single, count: 1))
    }

    /// The `i`-th address as dotted text.
    public func address(_ i: Int) -> String {
        let v = first &+ UInt32(i)
        return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
    }

    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part), part.count <= 3 else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }
}

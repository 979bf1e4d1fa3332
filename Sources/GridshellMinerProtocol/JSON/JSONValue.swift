/// A JSON value as miner firmware sends it, read by `LenientJSON`.
///
/// Numbers are kept as `Double`: every counter and timestamp a miner reports fits in the 53-bit
/// mantissa, and non-finite values (`inf`, `nan`) that some firmware prints survive the trip.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the kind, for messages ("object", "array", ...).
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        // Two NaNs read from the same text are the same value here.
        case (.number(let a), .number(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

/// A JSON object that remembers the order its keys first appeared in. A key given twice keeps
/// its first position and its last value, which is what firmware that repeats keys means.
///
/// Members are kept in order, in two arrays; objects with more than `indexedAbove` members also
/// get a key → position index. Most objects in a miner's reply are small (`STATUS`, each
/// command's wrapper), and a short scan finds their keys faster than hashing would.
public struct JSONObject: Sendable, Equatable, Sequence {
    /// Keys in the order they first appeared.
    public private(set) var keys: [String] = []
    /// Values, in the order of `keys`.
    private var values: [JSONValue] = []
    /// Positions by key, for objects larger than `indexedAbove`.
    private var index: [String: Int]?

    static let indexedAbove = 12

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        self.init(members: pairs)
    }

    /// Members in the order read, sized once: a key given twice keeps its first position and
    /// its last value.
    init(members: [(String, JSONValue)]) {
        keys.reserveCapacity(members.count)
        values.reserveCapacity(members.count)
        if members.count > Self.indexedAbove {
            var positions = [String: Int](minimumCapacity: members.count)
            for (key, value) in members {
                if let i = positions[key] {
                    values[i] = value
                } else {
                    positions[key] = keys.count
                    keys.append(key)
                    values.append(value)
                }
            }
            index = positions
        } else {
            for (key, value) in members {
                if let i = keys.firstIndex(of: key) {
                    values[i] = value
                } else {
                    keys.append(key)
                    values.append(value)
                }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    /// The value under exactly this key. Setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let newValue {
                if let i = position(of: key) {
                    values[i] = newValue
                    return
                }
                keys.append(key)
                values.append(newValue)
                if index != nil {
                    index![key] = keys.count - 1
                } else if keys.count > Self.indexedAbove {
                    index = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
                }
            } else if let i = position(of: key) {
                keys.remove(at: i)
                values.remove(at: i)
                if index != nil {
                    index = keys.count > Self.indexedAbove ? Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }) : nil
                }
            }
        }
    }

    /// The value under this key, or under the same key in another case (`url` finds `URL`):
    /// stock web replies spell in lower case what the RPC spells in capitals.
    public func value(forKeyIgnoringCase key: String) -> JSONValue? {
        if let i = position(of: key) { return values[i] }
        for (i, k) in keys.enumerated() where Self.equalIgnoringASCIICase(k, key) { return values[i] }
        return nil
    }

    /// Byte-wise comparison folding ASCII letters, without building lower-cased copies (this
    /// runs for every key of every reply a fleet sweep reads).
    static func equalIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<x.count {
                    let p = x[i], q = y[i]
                    if p == q { continue }
                    let lp = (p >= 65 && p <= 90) ? p | 0x20 : p
                    let lq = (q >= 65 && q <= 90) ? q | 0x20 : q
                    if lp != lq { return false }
                }
                return true
            }
        }
    }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var i = 0
        let keys = self.keys
        let values = self.values
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[i])
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

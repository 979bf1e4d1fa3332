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
public struct JSONObject: Sendable, Equatable, Sequence {
    /// Keys in the order they first appeared.
    public private(set) var keys: [String] = []
    private var storage: [String: JSONValue] = [:]

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        self.init(members: pairs)
    }

    /// Members in the order read, sized once: a key given twice keeps its first position and
    /// its last value.
    init(members: [(String, JSONValue)]) {
        keys.reserveCapacity(members.count)
        storage.reserveCapacity(members.count)
        for (key, value) in members where storage.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The value under exactly this key. Setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The value under this key, or under the same key in another case (`url` finds `URL`):
    /// stock web replies spell in lower case what the RPC spells in capitals.
    public func value(forKeyIgnoringCase key: String) -> JSONValue? {
        if let exact = storage[key] { return exact }
        for k in keys where Self.equalIgnoringASCIICase(k, key) { return storage[k] }
        return nil
    }

    /// Byte-wise comparison folding ASCII letters, without building lower-cased copies (this
    /// runs for every key of every reply a fleet sweep reads).
    static func equalIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
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
        var index = 0
        let keys = self.keys
        let storage = self.storage
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            return (keys[index], storage[keys[index]]!)
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys == rhs.keys && lhs.storage == rhs.storage
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

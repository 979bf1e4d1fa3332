/// A JSON reader for what miner firmware really sends, not just what RFC 8259 allows.
///
/// Accepted beyond the standard, each seen on real miners:
/// - a missing comma between values: `}{` and `][` (bmminer `stats`), `"a":1 "b":2`;
/// - extra commas: trailing (`[1,2,]`, `{"a":1,}`), leading (`[,{`) and doubled;
/// - `inf`, `-inf`, `nan`, `NaN`, `Infinity` as numbers; `+1`, `.5`, `007`;
/// - raw control characters and invalid UTF-8 inside strings (kept, the latter as U+FFFD);
/// - unknown escapes (`\'` reads as `'`);
/// - a byte-order mark before, and anything after, the first complete value: the NUL that ends
///   every cgminer reply, or the stray `"}` some firmware appends;
/// - a key given twice (the last value wins).
///
/// Nesting is bounded (`maxDepth`) so hostile input fails with an error instead of exhausting
/// memory; the reader keeps its own stack and never recurses.
public enum LenientJSON {
    /// Deeper than any real reply (they nest four or five levels), shallow enough to fail fast.
    public static let defaultMaxDepth = 256

    /// One value read from the start of the input.
    public struct Document: Sendable, Equatable {
        public var value: JSONValue
        /// Offset just past the value.
        public var end: Int
        /// Whether anything other than spaces and NULs follows the value.
        public var hasTrailingContent: Bool
    }

    /// Reads the first JSON value in `bytes`, ignoring whatever follows it.
    public static func parse<Bytes: Collection>(
        _ bytes: Bytes, maxDepth: Int = defaultMaxDepth
    ) throws(LenientJSONError) -> JSONValue where Bytes.Element == UInt8 {
        try parseDocument(bytes, maxDepth: maxDepth).value
    }

    /// Reads the first JSON value in `text`'s UTF-8 bytes.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(LenientJSONError) -> JSONValue {
        try parseDocument(Array(text.utf8), maxDepth: maxDepth).value
    }

    /// Reads the first JSON value and reports where it ended.
    public static func parseDocument<Bytes: Collection>(
        _ bytes: Bytes, maxDepth: Int = defaultMaxDepth
    ) throws(LenientJSONError) -> Document where Bytes.Element == UInt8 {
        let result: Result<Document, LenientJSONError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var reader = Reader(buffer: buffer, maxDepth: maxDepth)
            return reader.document()
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            var reader = Reader(buffer: buffer, maxDepth: maxDepth)
            return reader.document()
        }.get()
    }
}

private enum Byte {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0 }
    static func isDigit(_ b: UInt8) -> Bool { b >= zero && b <= nine }
    static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    static func startsNumber(_ b: UInt8) -> Bool { isDigit(b) || b == minus || b == plus || b == dot }
    static func startsValue(_ b: UInt8) -> Bool {
        b == openBrace || b == openBracket || b == quote || startsNumber(b) || isLetter(b)
    }
}

private struct Reader {
    let buffer: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var pos = 0

    init(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buffer = buffer
        self.maxDepth = max(1, maxDepth)
    }

    /// An open array or object on the reader's own stack.
    struct Frame {
        var isObject: Bool
        var array: [JSONValue] = []
        /// An object's members as read; the object is built once, at its size, when it closes.
        var members: [(String, JSONValue)] = []
        var key = ""
    }

    mutating func document() -> Result<LenientJSON.Document, LenientJSONError> {
        do throws(LenientJSONError) {
            // A UTF-8 byte-order mark.
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { pos = 3 }
            skipSpace()
            if pos >= buffer.count { throw LenientJSONError(.empty, at: pos) }
            let value = try value()
            let end = pos
            skipSpace()
            return .success(.init(value: value, end: end, hasTrailingContent: pos < buffer.count))
        } catch {
            return .failure(error)
        }
    }

    mutating func skipSpace() {
        while pos < buffer.count, Byte.isSpace(buffer[pos]) { pos += 1 }
    }

    /// Skips spaces and stray commas (leading, doubled or trailing ones).
    mutating func skipSpaceAndCommas() {
        while pos < buffer.count, Byte.isSpace(buffer[pos]) || buffer[pos] == Byte.comma { pos += 1 }
    }

    mutating func value() throws(LenientJSONError) -> JSONValue {
        var stack: [Frame] = []
        var produced = JSONValue.null
        var needValue = true
        while true {
            if needValue {
                skipSpace()
                guard pos < buffer.count else { throw LenientJSONError(.unexpectedEnd(expected: "a value"), at: pos) }
                let b = buffer[pos]
                switch b {
                case Byte.openBrace:
                    try push(&stack, isObject: true)
                    if try openMember(&stack) {
                        produced = pop(&stack)
                        needValue = false
                    }
                    continue
                case Byte.openBracket:
                    try push(&stack, isObject: false)
                    if try openElement() {
                        produced = pop(&stack)
                        needValue = false
                    }
                    continue
                case Byte.quote:
                    produced = .string(try string())
                case _ where Byte.startsNumber(b):
                    produced = try number()
                case _ where Byte.isLetter(b):
                    produced = try word()
                default:
                    throw LenientJSONError(.unexpectedByte(b, expected: "a value"), at: pos)
                }
                needValue = false
            }

            // A value is ready: hand it to the enclosing container, or return it.
            guard !stack.isEmpty else { return produced }
            let top = stack.count - 1
            if stack[top].isObject {
                stack[top].members.append((stack[top].key, produced))
            } else {
                stack[top].array.append(produced)
            }

            skipSpace()
            let isObject = stack[top].isObject
            guard pos < buffer.count else {
                throw LenientJSONError(.unexpectedEnd(expected: isObject ? "',' or '}'" : "',' or ']'"), at: pos)
            }
            let c = buffer[pos]
            if isObject {
                switch c {
                case Byte.comma:
                    if try openMember(&stack) { produced = pop(&stack) } else { needValue = true }
                case Byte.closeBrace:
                    pos += 1
                    produced = pop(&stack)
                case Byte.quote:
                    // `"a":1 "b":2`: a member without the comma before it.
                    try key(into: &stack[top])
                    needValue = true
                default:
                    throw LenientJSONError(.unexpectedByte(c, expected: "',' or '}'"), at: pos)
                }
            } else {
                switch c {
                case Byte.comma:
                    if try openElement() { produced = pop(&stack) } else { needValue = true }
                case Byte.closeBracket:
                    pos += 1
                    produced = pop(&stack)
                case _ where Byte.startsValue(c):
                    // `}{` or `][`: the next element without the comma before it.
                    needValue = true
                default:
                    throw LenientJSONError(.unexpectedByte(c, expected: "',' or ']'"), at: pos)
                }
            }
        }
    }

    mutating func push(_ stack: inout [Frame], isObject: Bool) throws(LenientJSONError) {
        guard stack.count < maxDepth else { throw LenientJSONError(.tooDeep(limit: maxDepth), at: pos) }
        stack.append(Frame(isObject: isObject))
        pos += 1
    }

    func pop(_ stack: inout [Frame]) -> JSONValue {
        let frame = stack.removeLast()
        return frame.isObject ? .object(JSONObject(members: frame.members)) : .array(frame.array)
    }

    /// After `{` or a comma in an object: reads the next key and its colon, or the closing brace
    /// (returns true then).
    mutating func openMember(_ stack: inout [Frame]) throws(LenientJSONError) -> Bool {
        if pos < buffer.count, buffer[pos] == Byte.comma { pos += 1 }
        skipSpaceAndCommas()
        guard pos < buffer.count else { throw LenientJSONError(.unexpectedEnd(expected: "a key or '}'"), at: pos) }
        switch buffer[pos] {
        case Byte.closeBrace:
            pos += 1
            return true
        case Byte.quote:
            try key(into: &stack[stack.count - 1])
            return false
        default:
            throw LenientJSONError(.unexpectedByte(buffer[pos], expected: "a key or '}'"), at: pos)
        }
    }

    /// After `[` or a comma in an array: true when the array closes here.
    mutating func openElement() throws(LenientJSONError) -> Bool {
        if pos < buffer.count, buffer[pos] == Byte.comma { pos += 1 }
        skipSpaceAndCommas()
        guard pos < buffer.count else { throw LenientJSONError(.unexpectedEnd(expected: "a value or ']'"), at: pos) }
        if buffer[pos] == Byte.closeBracket {
            pos += 1
            return true
        }
        return false
    }

    mutating func key(into frame: inout Frame) throws(LenientJSONError) {
        frame.key = try string()
        skipSpace()
        guard pos < buffer.count else { throw LenientJSONError(.unexpectedEnd(expected: "':' after a key"), at: pos) }
        guard buffer[pos] == Byte.colon else {
            throw LenientJSONError(.unexpectedByte(buffer[pos], expected: "':' after a key"), at: pos)
        }
        pos += 1
    }

    /// A string starting at the opening quote.
    mutating func string() throws(LenientJSONError) -> String {
        let open = pos
        let start = pos + 1
        var i = start
        while i < buffer.count {
            let b = buffer[i]
            if b == Byte.quote {
                pos = i + 1
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<i]), as: UTF8.self)
            }
            if b == Byte.backslash { break }
            i += 1
        }
        guard i < buffer.count else {
            throw LenientJSONError(.unexpectedEnd(expected: "the closing '\"' of the string opened at offset \(open)"), at: i)
        }
        // Escapes: copy and decode.
        var bytes = [UInt8](UnsafeBufferPointer(rebasing: buffer[start..<i]))
        while i < buffer.count {
            let b = buffer[i]
            if b == Byte.quote {
                pos = i + 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if b != Byte.backslash {
                bytes.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < buffer.count else { break }
            let e = buffer[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate joins the low one that should follow it.
                    if i + 5 < buffer.count, buffer[i] == Byte.backslash, buffer[i + 1] == UInt8(ascii: "u"),
                        let low = try? hex4(at: i + 2), (0xDC00...0xDFFF).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                bytes.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
            default:
                // `\"`, `\\`, `\/` and unknown escapes alike stand for the byte itself.
                bytes.append(e)
            }
        }
        throw LenientJSONError(.unexpectedEnd(expected: "the closing '\"' of the string opened at offset \(open)"), at: i)
    }

    func hex4(at offset: Int) throws(LenientJSONError) -> UInt32 {
        guard offset + 4 <= buffer.count else {
            throw LenientJSONError(.unexpectedEnd(expected: "four hex digits after \\u"), at: buffer.count)
        }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = buffer[offset + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default:
                let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[offset..<(offset + 4)]), as: UTF8.self)
                throw LenientJSONError(.invalidEscape("\\u" + text), at: offset - 2)
            }
            v = v << 4 | d
        }
        return v
    }

    mutating func number() throws(LenientJSONError) -> JSONValue {
        let start = pos
        var i = pos
        if buffer[i] == Byte.minus || buffer[i] == Byte.plus {
            i += 1
            // `-inf`, `-nan`, `+Infinity`.
            if i < buffer.count, Byte.isLetter(buffer[i]) {
                let negative = buffer[start] == Byte.minus
                pos = i
                let w = try word()
                guard case .number(let d) = w, !d.isFinite else {
                    throw LenientJSONError(.invalidNumber(text(start, pos)), at: start)
                }
                return .number(negative ? -d : d)
            }
        }
        var digitsOnly = true
        var digitCount = 0
        while i < buffer.count {
            let b = buffer[i]
            if Byte.isDigit(b) {
                digitCount += 1
            } else if b == Byte.dot || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                digitsOnly = false
            } else if (b == Byte.minus || b == Byte.plus), i > start,
                buffer[i - 1] == UInt8(ascii: "e") || buffer[i - 1] == UInt8(ascii: "E")
            {
                digitsOnly = false
            } else {
                break
            }
            i += 1
        }
        pos = i
        if digitsOnly, digitCount > 0, digitCount <= 15 {
            var v: Int64 = 0
            var k = start
            let negative = buffer[k] == Byte.minus
            if buffer[k] == Byte.minus || buffer[k] == Byte.plus { k += 1 }
            while k < i {
                v = v * 10 + Int64(buffer[k] - Byte.zero)
                k += 1
            }
            return .number(Double(negative ? -v : v))
        }
        let t = text(start, i)
        guard digitCount > 0, let d = Double(t) else { throw LenientJSONError(.invalidNumber(t), at: start) }
        return .number(d)
    }

    mutating func word() throws(LenientJSONError) -> JSONValue {
        let start = pos
        while pos < buffer.count, Byte.isLetter(buffer[pos]) { pos += 1 }
        let w = text(start, pos)
        switch w.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null", "none": return .null
        case "nan": return .number(.nan)
        case "inf", "infinity": return .number(.infinity)
        default: throw LenientJSONError(.unknownWord(String(w.prefix(24))), at: start)
        }
    }

    func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[from..<to]), as: UTF8.self)
    }
}

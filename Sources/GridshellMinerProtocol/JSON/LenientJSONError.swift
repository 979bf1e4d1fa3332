/// Why bytes could not be read as JSON, and where.
public struct LenientJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Equatable {
        /// Nothing but spaces and NULs.
        case empty
        /// The bytes stopped where more was needed (a truncated reply).
        case unexpectedEnd(expected: String)
        /// A byte that cannot start or continue what was expected.
        case unexpectedByte(UInt8, expected: String)
        /// Text that looks like a number but is not one (`1e`, `--3`).
        case invalidNumber(String)
        /// A `\u` escape without four hex digits.
        case invalidEscape(String)
        /// A bare word other than true/false/null/inf/nan.
        case unknownWord(String)
        /// Arrays and objects nested deeper than the limit.
        case tooDeep(limit: Int)
    }

    public var reason: Reason
    /// Byte offset into the input where the problem was found.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case .empty:
            return "no JSON value: the reply is empty"
        case .unexpectedEnd(let expected):
            return "reply ends at offset \(offset) where \(expected) was expected (truncated?)"
        case .unexpectedByte(let byte, let expected):
            return "unexpected \(Self.show(byte)) at offset \(offset), expected \(expected)"
        case .invalidNumber(let text):
            return "invalid number '\(text)' at offset \(offset)"
        case .invalidEscape(let text):
            return "invalid escape '\(text)' in a string at offset \(offset)"
        case .unknownWord(let word):
            return "unknown word '\(word)' at offset \(offset), expected a value"
        case .tooDeep(let limit):
            return "arrays and objects nested deeper than \(limit) levels at offset \(offset)"
        }
    }

    static func show(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))' (\(hex))" }
        return "byte \(hex)"
    }
}

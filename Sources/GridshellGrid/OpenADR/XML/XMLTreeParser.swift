/// A small, strict XML reader for OpenADR payloads. It reads elements, attributes, character
/// data, CDATA, comments and processing instructions, resolves namespaces, and refuses anything
/// a 2.0b message never needs and an attacker would: document type declarations (so no external
/// entities and no entity expansion), undeclared entities, documents past the size, depth,
/// element or attribute limits, and text that is not UTF-8.
///
/// It is pure Swift over bytes, so its behaviour is the same on every platform and does not
/// depend on how a system libxml2 was configured.
struct XMLTreeParser {
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    private let bytes: [UInt8]
    private let limits: XMLLimits
    private var i = 0
    private var elementCount = 0

    private init(bytes: [UInt8], limits: XMLLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses a whole document and returns its root element.
    static func parse(_ bytes: [UInt8], limits: XMLLimits = .default) throws(OpenADRMessageError) -> XMLTree {
        guard bytes.count <= limits.maxBytes else { throw OpenADRMessageError(.tooLarge(limit: limits.maxBytes)) }
        var parser = XMLTreeParser(bytes: bytes, limits: limits)
        return try parser.document()
    }

    // MARK: Document

    private mutating func document() throws(OpenADRMessageError) -> XMLTree {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        guard String(validating: bytes[i...], as: UTF8.self) != nil else { throw OpenADRMessageError(.notUTF8) }
        for (offset, byte) in bytes.enumerated() where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
            throw error(.malformed("control character 0x\(String(byte, radix: 16)) is not allowed in XML"), at: offset)
        }
        skipWhitespace()
        guard i < bytes.count else { throw OpenADRMessageError(.empty) }
        if looking(at: "<?xml") && isWhitespace(at: i + 5) {
            try declaration()
        }
        try miscellany()
        guard i < bytes.count else { throw error(.malformed("no document element")) }
        guard bytes[i] == UInt8(ascii: "<") else { throw error(.malformed("text before the document element")) }
        let root = try element(depth: 1, scope: ["xml": Self.xmlNamespace])
        try miscellany()
        guard i == bytes.count else { throw error(.malformed("content after the document element")) }
        return root
    }

    /// The XML declaration: only its encoding matters, and only UTF-8 is read.
    private mutating func declaration() throws(OpenADRMessageError) {
        let start = i
        guard let end = find("?>", from: i) else { throw error(.malformed("unterminated XML declaration")) }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        i = end + 2
        if let range = text.range(of: "encoding") {
            let rest = text[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
            guard let quote = rest.first, quote == "\"" || quote == "'" else { throw error(.malformed("bad encoding in the XML declaration"), at: start) }
            let value = rest.dropFirst().prefix { $0 != quote }
            let lower = value.lowercased()
            guard lower == "utf-8" || lower == "utf8" || lower == "us-ascii" else {
                throw error(.unsupportedEncoding(String(value)), at: start)
            }
        }
    }

    /// Whitespace, comments and processing instructions, before or after the document element.
    private mutating func miscellany() throws(OpenADRMessageError) {
        while true {
            skipWhitespace()
            if looking(at: "<!--") {
                try comment()
            } else if looking(at: "<?") {
                try processingInstruction()
            } else if looking(at: "<!") {
                throw error(.doctypeForbidden)
            } else {
                return
            }
        }
    }

    // MARK: Elements

    private mutating func element(depth: Int, scope outer: [String: String]) throws(OpenADRMessageError) -> XMLTree {
        guard depth <= limits.maxDepth else { throw error(.tooDeep(limit: limits.maxDepth)) }
        elementCount += 1
        guard elementCount <= limits.maxElements else { throw error(.tooManyElements(limit: limits.maxElements)) }
        let start = i
        i += 1  // <
        let qualifiedName = try name()
        var attributes: [String: String] = [:]
        var scope = outer
        var selfClosing = false
        while true {
            let hadSpace = skipWhitespace()
            guard i < bytes.count else { throw error(.malformed("unterminated start tag <\(qualifiedName)>"), at: start) }
            if bytes[i] == UInt8(ascii: ">") {
                i += 1
                break
            }
            if looking(at: "/>") {
                i += 2
                selfClosing = true
                break
            }
            guard hadSpace else { throw error(.malformed("expected whitespace, '>' or '/>' in <\(qualifiedName)>")) }
            let attributeStart = i
            let attributeName = try name()
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw error(.malformed("attribute \(attributeName) has no value")) }
            i += 1
            skipWhitespace()
            let value = try attributeValue()
            guard attributes[attributeName] == nil else {
                throw error(.malformed("attribute \(attributeName) appears twice in <\(qualifiedName)>"), at: attributeStart)
            }
            attributes[attributeName] = value
            guard attributes.count <= limits.maxAttributes else { throw error(.tooManyAttributes(limit: limits.maxAttributes), at: attributeStart) }
            if attributeName == "xmlns" {
                scope[""] = value
            } else if attributeName.hasPrefix("xmlns:") {
                let prefix = String(attributeName.dropFirst(6))
                guard !value.isEmpty else { throw error(.malformed("the prefix \(prefix) is bound to an empty namespace"), at: attributeStart) }
                scope[prefix] = value
            }
        }
        for attributeName in attributes.keys {
            if let colon = attributeName.firstIndex(of: ":") {
                let prefix = String(attributeName[..<colon])
                if prefix != "xmlns" && scope[prefix] == nil { throw error(.unboundPrefix(prefix), at: start) }
            }
        }
        let (prefix, local) = split(qualifiedName)
        let namespace: String?
        if let prefix {
            guard let bound = scope[prefix] else { throw error(.unboundPrefix(prefix), at: start) }
            namespace = bound
        } else {
            namespace = scope[""].flatMap { $0.isEmpty ? nil : $0 }
        }
        var node = XMLTree(namespace: namespace, name: local, attributes: attributes)
        if selfClosing { return node }

        var text: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error(.malformed("<\(qualifiedName)> is never closed"), at: start) }
            let byte = bytes[i]
            if byte == UInt8(ascii: "<") {
                if looking(at: "</") {
                    let tagStart = i
                    i += 2
                    let closing = try name()
                    guard closing == qualifiedName else {
                        throw error(.malformed("</\(closing)> closes <\(qualifiedName)>"), at: tagStart)
                    }
                    skipWhitespace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw error(.malformed("unterminated end tag </\(closing)>")) }
                    i += 1
                    node.text = String(decoding: text, as: UTF8.self)
                    return node
                } else if looking(at: "<!--") {
                    try comment()
                } else if looking(at: "<![CDATA[") {
                    let contentStart = i + 9
                    guard let end = find("]]>", from: contentStart) else { throw error(.malformed("unterminated CDATA section")) }
                    text.append(contentsOf: bytes[contentStart..<end])
                    i = end + 3
                } else if looking(at: "<?") {
                    try processingInstruction()
                } else if looking(at: "<!") {
                    throw error(.doctypeForbidden)
                } else {
                    node.children.append(try element(depth: depth + 1, scope: scope))
                }
            } else if byte == UInt8(ascii: "&") {
                text.append(contentsOf: try reference())
            } else {
                text.append(byte)
                i += 1
            }
        }
    }

    private mutating func attributeValue() throws(OpenADRMessageError) -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
            throw error(.malformed("attribute value without quotes"))
        }
        let quote = bytes[i]
        let start = i
        i += 1
        var value: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error(.malformed("unterminated attribute value"), at: start) }
            let byte = bytes[i]
            if byte == quote {
                i += 1
                return String(decoding: value, as: UTF8.self)
            } else if byte == UInt8(ascii: "<") {
                throw error(.malformed("'<' in an attribute value"))
            } else if byte == UInt8(ascii: "&") {
                value.append(contentsOf: try reference())
            } else {
                // Attribute-value normalisation: tab, newline and carriage return become spaces.
                value.append(byte == 0x09 || byte == 0x0A || byte == 0x0D ? 0x20 : byte)
                i += 1
            }
        }
    }

    /// `&lt;` and the other four predefined entities, `&#65;`, `&#x41;`. Nothing else: without a
    /// DTD no other entity can be declared, so any other name is an error.
    private mutating func reference() throws(OpenADRMessageError) -> [UInt8] {
        let start = i
        i += 1
        var nameBytes: [UInt8] = []
        while i < bytes.count, bytes[i] != UInt8(ascii: ";") {
            nameBytes.append(bytes[i])
            i += 1
            if nameBytes.count > 12 { throw error(.malformed("'&' that does not start a reference"), at: start) }
        }
        guard i < bytes.count else { throw error(.malformed("unterminated reference"), at: start) }
        i += 1
        let name = String(decoding: nameBytes, as: UTF8.self)
        switch name {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default: break
        }
        guard name.hasPrefix("#") else {
            if name.isEmpty { throw error(.malformed("empty reference '&;'"), at: start) }
            throw error(.undefinedEntity(name), at: start)
        }
        let digits = name.dropFirst()
        let code: UInt32?
        if digits.hasPrefix("x") {
            code = UInt32(digits.dropFirst(), radix: 16)
        } else {
            code = UInt32(digits, radix: 10)
        }
        guard let code, Self.isXMLCharacter(code), let scalar = Unicode.Scalar(code) else {
            throw error(.malformed("'&\(name);' is not a valid character reference"), at: start)
        }
        return Array(String(Character(scalar)).utf8)
    }

    private static func isXMLCharacter(_ c: UInt32) -> Bool {
        c == 0x9 || c == 0xA || c == 0xD || (0x20...0xD7FF).contains(c) || (0xE000...0xFFFD).contains(c) || (0x10000...0x10FFFF).contains(c)
    }

    private mutating func comment() throws(OpenADRMessageError) {
        guard let end = find("-->", from: i + 4) else { throw error(.malformed("unterminated comment")) }
        i = end + 3
    }

    private mutating func processingInstruction() throws(OpenADRMessageError) {
        let start = i
        i += 2
        let target = try name()
        if target.lowercased() == "xml" { throw error(.malformed("an XML declaration is only allowed at the start"), at: start) }
        guard let end = find("?>", from: i) else { throw error(.malformed("unterminated processing instruction"), at: start) }
        i = end + 2
    }

    // MARK: Lexing

    private mutating func name() throws(OpenADRMessageError) -> String {
        let start = i
        guard i < bytes.count, Self.isNameStart(bytes[i]) else { throw error(.malformed("expected a name")) }
        i += 1
        while i < bytes.count, Self.isNameByte(bytes[i]) {
            i += 1
            if i - start > 256 { throw error(.malformed("a name longer than 256 bytes"), at: start) }
        }
        let name = String(decoding: bytes[start..<i], as: UTF8.self)
        if name.hasPrefix(":") || name.hasSuffix(":") || name.split(separator: ":", omittingEmptySubsequences: false).count > 2 {
            throw error(.malformed("'\(name)' is not a valid qualified name"), at: start)
        }
        return name
    }

    private static func isNameStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || b >= 0x80
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    private func split(_ qualifiedName: String) -> (prefix: String?, local: String) {
        guard let colon = qualifiedName.firstIndex(of: ":") else { return (nil, qualifiedName) }
        return (String(qualifiedName[..<colon]), String(qualifiedName[qualifiedName.index(after: colon)...]))
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = i
        while i < bytes.count, isWhitespace(at: i) { i += 1 }
        return i > start
    }

    private func isWhitespace(at index: Int) -> Bool {
        guard index < bytes.count else { return false }
        let b = bytes[index]
        return b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    private func looking(at literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { literalBytes in
            for k in 0..<count where bytes[i + k] != literalBytes[k] { return false }
            return true
        }
    }

    private func find(_ literal: StaticString, from start: Int) -> Int? {
        let count = literal.utf8CodeUnitCount
        return literal.withUTF8Buffer { literalBytes -> Int? in
            var j = start
            while j + count <= bytes.count {
                var match = true
                for k in 0..<count where bytes[j + k] != literalBytes[k] {
                    match = false
                    break
                }
                if match { return j }
                j += 1
            }
            return nil
        }
    }

    private func error(_ reason: OpenADRMessageError.Reason, at offset: Int? = nil) -> OpenADRMessageError {
        let offset = min(offset ?? i, bytes.count)
        var line = 1
        var lineStart = 0
        for k in 0..<offset where bytes[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        return OpenADRMessageError(reason, at: "line \(line), column \(column)")
    }
}

/// A message from a VTN (or any OpenADR peer) that was refused, naming where and why: the line
/// and column for XML that is not well formed, the element path for a field that is missing or
/// holds a value of the wrong kind. A refused message never changes the VEN's state.
public struct OpenADRMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The body is larger than the limit, in bytes.
        case tooLarge(limit: Int)
        /// The body is empty (or only whitespace).
        case empty
        /// The bytes are not UTF-8.
        case notUTF8
        /// The XML declaration names an encoding other than UTF-8.
        case unsupportedEncoding(String)
        /// A document type declaration: DTDs, entity declarations and external references are
        /// never read (no XXE, no entity expansion).
        case doctypeForbidden
        /// An entity reference other than the five XML predefines and character references.
        case undefinedEntity(String)
        /// Elements nested deeper than the limit.
        case tooDeep(limit: Int)
        /// More elements than the limit.
        case tooManyElements(limit: Int)
        /// More attributes on one element than the limit.
        case tooManyAttributes(limit: Int)
        /// Not well-formed XML; the text says what was found.
        case malformed(String)
        /// A namespace prefix without a declaration.
        case unboundPrefix(String)
        /// The document element is not `oadr:oadrPayload` (the text is what was found).
        case wrongRoot(found: String)
        /// `oadrSignedObject` holds a message this implementation does not read.
        case unsupportedMessage(String)
        /// A required element is absent (the location names it).
        case missingElement
        /// An element holds a value that cannot be read as what is expected.
        case invalidValue(String, expected: String)
    }

    public var reason: Reason
    /// Where the problem is: `line 3, column 14` for XML syntax, or the element path
    /// (`oadrDistributeEvent/oadrEvent[2]/eiEvent/eventDescriptor/modificationNumber`).
    public var location: String?

    public init(_ reason: Reason, at location: String? = nil) {
        self.reason = reason
        self.location = location
    }

    public var description: String {
        let what: String
        switch reason {
        case .tooLarge(let limit): what = "the body is larger than the limit of \(limit) bytes"
        case .empty: what = "the body is empty"
        case .notUTF8: what = "the body is not UTF-8 text"
        case .unsupportedEncoding(let e): what = "the XML declaration names encoding '\(e)', only UTF-8 is accepted"
        case .doctypeForbidden: what = "a document type declaration (DTD) is present; DTDs and entity declarations are refused"
        case .undefinedEntity(let name): what = "the entity reference '&\(name);' is not one of the five predefined XML entities"
        case .tooDeep(let limit): what = "elements are nested deeper than \(limit) levels"
        case .tooManyElements(let limit): what = "the document has more than \(limit) elements"
        case .tooManyAttributes(let limit): what = "an element has more than \(limit) attributes"
        case .malformed(let text): what = "not well-formed XML: \(text)"
        case .unboundPrefix(let prefix): what = "the namespace prefix '\(prefix)' is not declared"
        case .wrongRoot(let found): what = "the document element is \(found), expected oadrPayload in namespace \(OpenADRNamespace.oadr)"
        case .unsupportedMessage(let name): what = "the message \(name) is not an OpenADR 2.0b message this VEN reads"
        case .missingElement: what = "a required element is missing"
        case .invalidValue(let value, let expected): what = "the value '\(Self.clip(value))' is not \(expected)"
        }
        guard let location else { return "OpenADR message refused: \(what)" }
        return "OpenADR message refused at \(location): \(what)"
    }

    /// Keeps a hostile value from flooding the logs.
    private static func clip(_ value: String) -> String {
        value.count <= 80 ? value : String(value.prefix(80)) + "…"
    }
}

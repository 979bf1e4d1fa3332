/// One element of a parsed XML document, with namespaces resolved: what the OpenADR decoder
/// walks. Only what a 2.0b message can hold is kept (no DTD, no entities beyond the five
/// predefined ones and character references, no processing instructions).
struct XMLTree: Sendable, Equatable {
    /// The namespace URI the element's prefix (or the default namespace) resolves to; nil when
    /// the element is in no namespace.
    var namespace: String?
    /// The local name, without the prefix.
    var name: String
    /// The attributes as written, keyed by their qualified name (`oadr:Id`, `ei:schemaVersion`).
    var attributes: [String: String]
    var children: [XMLTree]
    /// The character data directly inside this element (CDATA included), concatenated.
    var text: String

    init(namespace: String?, name: String, attributes: [String: String] = [:], children: [XMLTree] = [], text: String = "") {
        self.namespace = namespace
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }
}

/// Bounds on what the parser accepts, so a hostile peer cannot make the VEN spend memory or time.
public struct XMLLimits: Sendable, Equatable {
    /// The largest document, in bytes.
    public var maxBytes: Int
    /// The deepest nesting of elements.
    public var maxDepth: Int
    /// The most elements in one document.
    public var maxElements: Int
    /// The most attributes on one element (namespace declarations included).
    public var maxAttributes: Int

    public init(maxBytes: Int = 4 << 20, maxDepth: Int = 48, maxElements: Int = 200_000, maxAttributes: Int = 32) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxAttributes = maxAttributes
    }

    public static let `default` = XMLLimits()
}

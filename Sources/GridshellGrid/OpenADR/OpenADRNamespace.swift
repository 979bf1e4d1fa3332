/// The XML namespaces of OpenADR 2.0b, with the prefixes Gridshell writes them under (the ones
/// the specification's examples and openleadr use).
public enum OpenADRNamespace {
    public static let oadr = "http://openadr.org/oadr-2.0b/2012/07"
    public static let ei = "http://docs.oasis-open.org/ns/energyinterop/201110"
    public static let pyld = "http://docs.oasis-open.org/ns/energyinterop/201110/payloads"
    public static let emix = "http://docs.oasis-open.org/ns/emix/2011/06"
    public static let power = "http://docs.oasis-open.org/ns/emix/2011/06/power"
    public static let scale = "http://docs.oasis-open.org/ns/emix/2011/06/siscale"
    public static let xcal = "urn:ietf:params:xml:ns:icalendar-2.0"
    public static let strm = "urn:ietf:params:xml:ns:icalendar-2.0:stream"

    /// Prefix and URI pairs declared on every `oadrSignedObject` Gridshell writes.
    static let declarations: [(String, String)] = [
        ("xmlns:oadr", oadr), ("xmlns:ei", ei), ("xmlns:pyld", pyld), ("xmlns:emix", emix), ("xmlns:power", power),
        ("xmlns:scale", scale), ("xmlns:xcal", xcal), ("xmlns:strm", strm),
    ]
}

/// The reply to one cgminer-family command: the STATUS and the sections that follow it
/// (`SUMMARY`, `STATS`, `POOLS`, `VERSION`, LuxOS `SESSION`, ...).
public struct CGMinerReply: Sendable, Equatable {
    /// The command this answers (`summary`).
    public var command: String
    /// The whole reply object.
    public var body: JSONObject

    public init(command: String, body: JSONObject) {
        self.command = command
        self.body = body
    }

    /// Reads the bytes of a single-command reply. Only unreadable bytes throw; a reply whose
    /// STATUS says E or F is returned (see `checked()` and `error`), because its body can still
    /// carry a useful message.
    public static func parse<Bytes: Collection>(_ bytes: Bytes, command: String) throws(CGMinerError) -> CGMinerReply
    where Bytes.Element == UInt8 {
        let value = try CGMinerReply.readObject(bytes, command: command)
        return CGMinerReply(command: command, body: value)
    }

    static func readObject<Bytes: Collection>(_ bytes: Bytes, command: String) throws(CGMinerError) -> JSONObject
    where Bytes.Element == UInt8 {
        let value: JSONValue
        do {
            value = try LenientJSON.parse(bytes)
        } catch {
            if error.reason == .empty { throw CGMinerError(command: command, reason: .emptyReply) }
            throw CGMinerError(command: command, reason: .notJSON(error))
        }
        guard let object = value.object else {
            throw CGMinerError(command: command, reason: .notAnObject(found: value.kindName))
        }
        return object
    }

    /// The first STATUS entry (an array in the RPC, a bare object on stock web pages).
    public var status: CGMinerStatus? {
        guard let raw = body.value(forKeyIgnoringCase: "STATUS") else { return nil }
        if let object = raw.object { return CGMinerStatus(object) }
        if let first = raw[0]?.object { return CGMinerStatus(first) }
        return nil
    }

    /// The `id` member.
    public var id: Int? { body.int("id") }

    /// The objects of a section (`section("POOLS")`), exact spelling first, then ignoring case;
    /// a section given as a single object counts as one element.
    public func section(_ name: String) -> [JSONObject] {
        guard let raw = body.value(forKeyIgnoringCase: name) else { return [] }
        if let object = raw.object { return [object] }
        return raw.array?.compactMap(\.object) ?? []
    }

    /// The first object of a section.
    public func first(_ name: String) -> JSONObject? { section(name).first }

    /// The failure this reply reports, if its STATUS is E or F.
    public var error: CGMinerError? {
        guard let status else { return nil }
        return CGMinerError.from(status: status, command: command)
    }

    /// The reply itself when it succeeded, its error otherwise.
    public func checked() throws(CGMinerError) -> CGMinerReply {
        if let error { throw error }
        return self
    }
}

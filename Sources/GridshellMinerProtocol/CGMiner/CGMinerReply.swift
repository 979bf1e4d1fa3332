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

// MARK: writing replies (for servers such as the miner simulator)

extension CGMinerStatus {
    /// The STATUS object as cgminer writes it.
    public var json: JSONObject {
        var o = JSONObject()
        o["STATUS"] = .string(rawSeverity)
        if let when { o["When"] = .number(Double(when)) }
        if let code { o["Code"] = .number(Double(code)) }
        if let message { o["Msg"] = .string(message) }
        if let software { o["Description"] = .string(software) }
        return o
    }
}

extension CGMinerReply {
    /// A reply as a cgminer server writes it: STATUS first, then the sections, then `id`.
    public init(command: String, status: CGMinerStatus, sections: [(name: String, objects: [JSONObject])] = [], id: Int = 1) {
        var body = JSONObject()
        body["STATUS"] = .array([.object(status.json)])
        for section in sections { body[section.name] = .array(section.objects.map { .object($0) }) }
        body["id"] = .number(Double(id))
        self.init(command: command, body: body)
    }

    /// The bytes a cgminer server sends for this reply: compact JSON and the closing NUL.
    public var wireBytes: [UInt8] { JSONValue.object(body).encoded() + [0] }

    /// The bytes for a joined request: one key per command, each a one-element array.
    public static func joinedWireBytes(_ replies: [CGMinerReply], id: Int = 1) -> [UInt8] {
        var body = JSONObject()
        for reply in replies { body[reply.command] = .array([.object(reply.body)]) }
        body["id"] = .number(Double(id))
        return JSONValue.object(body).encoded() + [0]
    }
}

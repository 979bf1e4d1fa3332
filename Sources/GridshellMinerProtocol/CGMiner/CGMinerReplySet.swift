/// The replies to one request, single or joined with `+` (`summary+stats+pools+version`).
///
/// A joined request comes back as one key per command, each a one-element array:
/// `{"summary":[{"STATUS":[...],"SUMMARY":[...],"id":1}],"stats":[...],...,"id":1}`. Each command
/// succeeds or fails on its own; a failure is kept with the command's name rather than thrown, so
/// one denied command does not hide the others.
public struct CGMinerReplySet: Sendable, Equatable {
    /// The request these replies answer.
    public var request: CGMinerRequest
    /// Replies whose STATUS was not E or F, by command.
    public private(set) var replies: [String: CGMinerReply]
    /// Why each other command failed, by command.
    public private(set) var failures: [String: CGMinerError]

    public init(request: CGMinerRequest, replies: [String: CGMinerReply], failures: [String: CGMinerError] = [:]) {
        self.request = request
        self.replies = replies
        self.failures = failures
    }

    /// Reads the bytes the miner sent for `request`. Throws only when nothing can be read for
    /// any command: bytes that are not a JSON object, or a whole-request error such as an
    /// invalid command in a joined request (cgminer then answers with one STATUS for all).
    public static func parse<Bytes: Collection>(_ bytes: Bytes, request: CGMinerRequest) throws(CGMinerError) -> CGMinerReplySet
    where Bytes.Element == UInt8 {
        let body = try CGMinerReply.readObject(bytes, command: request.command)
        return try interpret(body, request: request)
    }

    static func interpret(_ body: JSONObject, request: CGMinerRequest) throws(CGMinerError) -> CGMinerReplySet {
        var set = CGMinerReplySet(request: request, replies: [:])
        if request.commands.count <= 1 {
            let reply = CGMinerReply(command: request.command, body: body)
            if let error = reply.error { throw error }
            set.replies[request.command] = reply
            return set
        }
        var foundAny = false
        for command in request.commands {
            guard let raw = body.value(forKeyIgnoringCase: command) else {
                set.failures[command] = CGMinerError(command: command, reason: .missingFromReply)
                continue
            }
            foundAny = true
            guard let object = raw.object ?? raw[0]?.object else {
                set.failures[command] = CGMinerError(command: command, reason: .notAnObject(found: raw.kindName))
                continue
            }
            let reply = CGMinerReply(command: command, body: object)
            if let error = reply.error {
                set.failures[command] = error
            } else {
                set.replies[command] = reply
            }
        }
        if !foundAny {
            // One STATUS for the whole request: cgminer's answer when a command cannot be joined.
            let whole = CGMinerReply(command: request.command, body: body)
            if let error = whole.error { throw error }
        }
        return set
    }

    /// The successful reply to `command`, if any.
    public subscript(command: String) -> CGMinerReply? { replies[command] }

    /// The reply to `command`, or why there is none.
    public func reply(_ command: String) throws(CGMinerError) -> CGMinerReply {
        if let reply = replies[command] { return reply }
        throw failures[command] ?? CGMinerError(command: command, reason: .missingFromReply)
    }
}

/// Collects the bytes of one reply as they arrive. A cgminer server ends its reply with a NUL
/// and closes the connection; either ends the reply. The size is bounded so a miner that never
/// stops talking cannot exhaust memory.
public struct CGMinerReplyBuffer: Sendable {
    /// 64 MiB: far above any real reply, low enough to stop a runaway sender.
    public static let defaultLimit = 64 << 20

    /// The command whose reply this collects (named in errors).
    public let command: String
    /// The most bytes accepted before `tooLarge`.
    public let limit: Int
    /// The reply so far, without the closing NUL.
    public private(set) var bytes: [UInt8] = []
    /// True once the NUL that ends a reply has arrived.
    public private(set) var isComplete = false

    public init(command: String, limit: Int = defaultLimit) {
        self.command = command
        self.limit = limit
    }

    /// Adds bytes that arrived; returns true when the reply is complete. Bytes after the NUL
    /// are dropped.
    @discardableResult
    public mutating func append<Bytes: Sequence>(_ chunk: Bytes) throws(CGMinerError) -> Bool where Bytes.Element == UInt8 {
        guard !isComplete else { return true }
        for byte in chunk {
            if byte == 0 {
                isComplete = true
                return true
            }
            guard bytes.count < limit else { throw CGMinerError(command: command, reason: .tooLarge(limit: limit)) }
            bytes.append(byte)
        }
        return false
    }
}

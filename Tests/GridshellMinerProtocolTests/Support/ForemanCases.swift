import GridshellCore
@testable import GridshellMinerProtocol

/// The Foreman reply sets as the bytes a miner would have sent: the parsed objects written back
/// as JSON, and the `_unparsed_raw` ones exactly as captured.
enum ForemanCases {
    struct Case {
        var name: String
        /// command → bytes
        var replies: [(command: String, bytes: [UInt8])]
        var rawCommands: [String]
    }

    static let all: [Case] = {
        let root = try! LenientJSON.parse(ForemanReplies.json)
        let cases = root["cases"]!.object!
        return cases.map { name, value in
            var replies: [(String, [UInt8])] = []
            var raw: [String] = []
            for (command, reply) in value.object! {
                if let text = reply["_unparsed_raw"]?.stringValue {
                    replies.append((command, Array(text.utf8)))
                    raw.append(command)
                } else {
                    replies.append((command, reply.encoded() + [0]))
                }
            }
            return Case(name: name, replies: replies, rawCommands: raw)
        }
    }()

    static func named(_ name: String) -> Case { all.first { $0.name == name }! }

    /// Reads every reply of a case into a telemetry reader (the Foreman keys `fans` and `temps`
    /// are the Braiins commands of those names).
    static func reader(_ name: String) throws -> TelemetryReader {
        var reader = TelemetryReader()
        for (command, bytes) in named(name).replies {
            reader.add(try CGMinerReply.parse(bytes, command: command))
        }
        return reader
    }

    static func telemetry(_ name: String) throws -> MinerTelemetry {
        try reader(name).telemetry()
    }
}

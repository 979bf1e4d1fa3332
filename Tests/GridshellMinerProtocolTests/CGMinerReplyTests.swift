import Testing
@testable import GridshellMinerProtocol

@Suite("cgminer replies")
struct CGMinerReplyTests {
    func bytes(_ text: String, nul: Bool = true) -> [UInt8] { Array(text.utf8) + (nul ? [0] : []) }

    @Test func singleCommandWithStatus() throws {
        let reply = try CGMinerReply.parse(
            bytes(#"{"STATUS":[{"STATUS":"S","When":1597187939,"Code":11,"Msg":"Summary","Description":"BOSminer+ 0.2.0"}],"SUMMARY":[{"Elapsed":3680,"MHS 5s":15740915.84}],"id":1}"#),
            command: "summary")
        let status = try #require(reply.status)
        #expect(status.severity == .success)
        #expect(status.when == 1_597_187_939)
        #expect(status.code == CGMinerStatus.Code.summary)
        #expect(status.message == "Summary")
        #expect(status.software == "BOSminer+ 0.2.0")
        #expect(reply.id == 1)
        #expect(reply.first("SUMMARY")?.int("Elapsed") == 3680)
        #expect(reply.section("summary").count == 1, "sections match ignoring case")
        #expect(reply.error == nil)
        #expect(try reply.checked() == reply)
    }

    @Test func statusLettersAndCodes() {
        for (letter, severity) in [("S", CGMinerStatus.Severity.success), ("I", .info), ("W", .warning), ("E", .error), ("F", .fatal)] {
            let s = CGMinerStatus(JSONObject([("STATUS", .string(letter)), ("Code", 7)]))
            #expect(s.severity == severity)
            #expect(s.isFailure == (letter == "E" || letter == "F"))
        }
        let odd = CGMinerStatus(JSONObject([("STATUS", "Q")]))
        #expect(odd.severity == nil)
        #expect(odd.rawSeverity == "Q")
        #expect(CGMinerStatus.Code.devdetails == 69 && CGMinerStatus.Code.stats == 70 && CGMinerStatus.Code.config == 33)
        #expect(CGMinerStatus.Code.pools == 7 && CGMinerStatus.Code.devs == 9 && CGMinerStatus.Code.version == 22)
    }

    @Test func errorsSayWhichCommandAndWhy() throws {
        let denied = try CGMinerReply.parse(
            bytes(#"{"STATUS":[{"STATUS":"E","When":1,"Code":45,"Msg":"Access denied to 'restart' command","Description":"cgminer 4.9.0"}],"id":1}"#),
            command: "restart")
        #expect(denied.error == CGMinerError(command: "restart", reason: .accessDenied(message: "Access denied to 'restart' command")))
        #expect(denied.error?.description == "restart: access denied (code 45: Access denied to 'restart' command)")
        #expect(throws: CGMinerError.self) { try denied.checked() }

        let invalid = try CGMinerReply.parse(bytes(#"{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}"#), command: "sumary")
        #expect(invalid.error?.reason == .invalidCommand(message: "Invalid command"))
        #expect(invalid.error?.description == "sumary: the miner does not know this command (code 14: Invalid command)")

        let missing = try CGMinerReply.parse(bytes(#"{"STATUS":[{"STATUS":"E","Code":24,"Msg":"Missing JSON 'command'"}]}"#), command: "")
        #expect(missing.error?.reason == .badRequest(code: 24, message: "Missing JSON 'command'"))

        let other = try CGMinerReply.parse(bytes(#"{"STATUS":[{"STATUS":"F","Code":99,"Msg":"boom"}]}"#), command: "stats")
        #expect(other.error?.description == "stats: the miner answered F (code 99: boom)")

        // Not JSON at an offset.
        do {
            _ = try CGMinerReply.parse(bytes(#"{"STATUS":[{"STATUS":"S"}]"#), command: "pools")
            Issue.record("truncated reply parsed")
        } catch {
            #expect(error.command == "pools")
            guard case .notJSON(let json) = error.reason else { Issue.record("\(error)"); return }
            #expect(json.offset == 27, "the NUL that ends the reply is read past")
            #expect(error.description == "pools: the reply is not JSON: reply ends at offset 27 where ',' or '}' was expected (truncated?)")
        }
        #expect(throws: CGMinerError(command: "version", reason: .emptyReply)) { try CGMinerReply.parse([0], command: "version") }
        #expect(throws: CGMinerError(command: "version", reason: .notAnObject(found: "array"))) {
            try CGMinerReply.parse(bytes("[1,2]"), command: "version")
        }
    }

    @Test func multiCommandReplyHasOneKeyPerCommand() throws {
        let text = #"""
        {"summary":[{"STATUS":[{"STATUS":"S","Code":11,"Msg":"Summary"}],"SUMMARY":[{"GHS 5s":"101234.56","Elapsed":10}],"id":1}],
         "stats":[{"STATUS":[{"STATUS":"S","Code":70,"Msg":"CGMiner stats"}],"STATS":[{"Type":"Antminer S19j Pro"}{"STATS":0,"GHS 5s":101234.56}],"id":1}],
         "pools":[{"STATUS":[{"STATUS":"E","Code":45,"Msg":"Access denied to 'pools' command"}],"id":1}],
         "id":1}
        """#
        let request = CGMinerRequest("summary+stats+pools+version")
        let set = try CGMinerReplySet.parse(bytes(text), request: request)
        #expect(Set(set.replies.keys) == ["summary", "stats"])
        #expect(set["summary"]?.first("SUMMARY")?.double("GHS 5s") == 101_234.56)
        #expect(set["stats"]?.section("STATS").count == 2)
        #expect(set.failures["pools"]?.reason == .accessDenied(message: "Access denied to 'pools' command"))
        #expect(set.failures["version"] == CGMinerError(command: "version", reason: .missingFromReply))
        #expect(throws: CGMinerError(command: "version", reason: .missingFromReply)) { try set.reply("version") }
        #expect(try set.reply("summary").command == "summary")

        // The failures reach the telemetry as errors, the rest as values.
        let t = try TelemetryReader(set).telemetry()
        #expect(t.hashrateTHs == 101.23456)
        #expect(t.identity?.model == "Antminer S19j Pro")
        #expect(t.errors.contains("pools: access denied (code 45: Access denied to 'pools' command)"))
        #expect(t.errors.contains("version: the reply has no section for this command"))
    }

    @Test func wholeRequestRejected() throws {
        // cgminer answers a joined request that contains an unjoinable command with one STATUS.
        let text = #"{"STATUS":[{"STATUS":"E","When":1,"Code":14,"Msg":"Invalid command"}],"id":1}"#
        #expect(throws: CGMinerError(command: "summary+restart", reason: .invalidCommand(message: "Invalid command"))) {
            try CGMinerReplySet.parse(bytes(text), request: CGMinerRequest("summary+restart"))
        }
        #expect(throws: CGMinerError(command: "summary", reason: .invalidCommand(message: "Invalid command"))) {
            try CGMinerReplySet.parse(bytes(text), request: CGMinerRequest("summary"))
        }
    }

    @Test func nothingUsableIsATelemetryError() throws {
        var reader = TelemetryReader()
        reader.add(failure: CGMinerError(command: "summary", reason: .accessDenied(message: "denied")))
        do {
            _ = try reader.telemetry()
            Issue.record("no telemetry expected")
        } catch {
            #expect(error.failures.count == 1)
            #expect(error.description == "no usable telemetry: every command failed; summary: access denied (code 45: denied)")
        }
        var statusOnly = TelemetryReader()
        statusOnly.add(try CGMinerReply.parse(bytes(#"{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[{}]}"#), command: "summary"))
        #expect(throws: TelemetryError(problem: "the replies carry no hashrate, boards, fans, pools, power or identity")) {
            try statusOnly.telemetry()
        }
        // A STATUS that names the software is enough for an identity.
        var named = TelemetryReader()
        named.add(try CGMinerReply.parse(bytes(#"{"STATUS":[{"STATUS":"S","Code":11,"Description":"LUXminer 2024.2.19"}],"SUMMARY":[{}]}"#), command: "summary"))
        #expect(try named.telemetry().identity?.firmware == .luxos)
        var nothing = TelemetryReader()
        nothing.add(CGMinerReply(command: "summary", body: JSONObject()))
        #expect(throws: TelemetryError.self) { try nothing.telemetry() }
    }

    @Test func replyBufferEndsAtNulAndBoundsSize() throws {
        let reply = bytes(#"{"STATUS":[{"STATUS":"S","Code":22}],"VERSION":[{"Type":"Antminer S21 XP"}],"id":1}"#)
        var buffer = CGMinerReplyBuffer(command: "version")
        // Fed one byte at a time, as a slow network would.
        var completedAt: Int?
        for (i, b) in reply.enumerated() {
            if try buffer.append([b]) {
                completedAt = i
                break
            }
        }
        #expect(completedAt == reply.count - 1)
        #expect(buffer.isComplete)
        #expect(try CGMinerReply.parse(buffer.bytes, command: "version").first("VERSION")?.string("Type") == "Antminer S21 XP")
        #expect(try buffer.append([1, 2, 3]))
        #expect(buffer.bytes.count == reply.count - 1)

        var small = CGMinerReplyBuffer(command: "stats", limit: 10)
        #expect(throws: CGMinerError(command: "stats", reason: .tooLarge(limit: 10))) { try small.append(Array(repeating: 65, count: 11)) }
        #expect(CGMinerError(command: "stats", reason: .tooLarge(limit: 10)).description == "stats: the reply is larger than 10 bytes")
    }

    /// A request encodes to what pyasic and cgminer send, and a simulator can read it back.
    @Test func requestRoundTrip() throws {
        let r = CGMinerRequest("curtail", parameter: "yJN2nlj1,sleep")
        let v = try LenientJSON.parse(r.encoded)
        #expect(v["command"]?.stringValue == "curtail")
        #expect(v["parameter"]?.stringValue == "yJN2nlj1,sleep")
    }

    @Test func serverReadsRequestsInBothForms() throws {
        let json = try CGMinerRequest.decode(Array(#"{"command":"summary+pools","parameter":0}"#.utf8))
        #expect(json.commands == ["summary", "pools"])
        #expect(json.parameter == "0")
        #expect(!json.newAPI)
        let newAPI = try CGMinerRequest.decode(CGMinerRequest("stats", newAPI: true).encoded)
        #expect(newAPI.newAPI)
        #expect(String(decoding: CGMinerRequest("stats", newAPI: true).encoded, as: UTF8.self) == #"{"command":"stats","new_api":true}"#)
        let text = try CGMinerRequest.decode(Array("profileset|sid,default\n".utf8))
        #expect(text.command == "profileset")
        #expect(text.parameter == "sid,default")
        #expect(throws: CGMinerError(command: "", reason: .badRequest(code: 24, message: "Missing JSON 'command'"))) {
            try CGMinerRequest.decode(Array(#"{"parameter":"x"}"#.utf8))
        }
        #expect(throws: CGMinerError.self) { try CGMinerRequest.decode(Array(#"{"command":"#.utf8)) }
        #expect(throws: CGMinerError.self) { try CGMinerRequest.decode(Array("  ".utf8)) }
    }
}

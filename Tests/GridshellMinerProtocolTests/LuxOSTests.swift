import Foundation
import GridshellCore
import Testing
@testable import GridshellMinerProtocol

@Suite("LuxOS")
struct LuxOSTests {
    func reply(_ text: String, _ command: String) throws -> CGMinerReply {
        try LuxOSReply.reply(Array(text.utf8) + [0], command: command)
    }

    @Test func commandsCarryTheSessionFirst() {
        func wire(_ r: CGMinerRequest) -> String { String(decoding: r.encoded, as: UTF8.self) }
        #expect(wire(LuxOSCommand.logon) == #"{"command":"logon"}"#)
        #expect(wire(LuxOSCommand.curtail(session: "yJN2nlj1", .sleep)) == #"{"command":"curtail","parameter":"yJN2nlj1,sleep"}"#)
        #expect(wire(LuxOSCommand.curtail(session: "yJN2nlj1", .wakeup)) == #"{"command":"curtail","parameter":"yJN2nlj1,wakeup"}"#)
        #expect(wire(LuxOSCommand.profileSet(session: "yJN2nlj1", profile: "default")) == #"{"command":"profileset","parameter":"yJN2nlj1,default"}"#)
        #expect(LuxOSCommand.profileSet(session: "s", watts: 3249.6).parameter == "s,3250W")
        #expect(wire(LuxOSCommand.atmSet(session: "tjqw4aNI", enabled: false)) == #"{"command":"atmset","parameter":"tjqw4aNI,enabled=false"}"#)
        #expect(wire(LuxOSCommand.logoff(session: "s")) == #"{"command":"logoff","parameter":"s"}"#)
        #expect(LuxOSCommand.power.command == "power" && LuxOSCommand.profiles.command == "profiles")
    }

    /// Replies as docs.luxor.tech prints them.
    @Test func readsTheSessionAndCommandReplies() throws {
        let logon = try reply(#"{"SESSION":[{"SessionID":"yJN2nlj1"}],"STATUS":[{"Code":316,"Description":"LUXminer 0.1.0-15436f7140","Msg":"Session created","STATUS":"S","When":1667917312}],"id":1}"#, "logon")
        #expect(logon.status?.code == CGMinerStatus.Code.luxSessionCreated)
        #expect(try LuxOSReply.sessionID(logon) == "yJN2nlj1")

        let none = try reply(#"{"SESSION":[{"SessionID":""}],"STATUS":[{"Code":319,"Msg":"Session information","STATUS":"S"}],"id":1}"#, "session")
        #expect(try LuxOSReply.sessionID(none) == "")

        let curtail = try reply(#"{"CURTAIL":[{"Action":"sleep mode"}],"STATUS":[{"Code":335,"Description":"LUXminer 0.1.0","Msg":"Curtailment command sent","STATUS":"S","When":1681332079}],"id":1}"#, "curtail")
        #expect(try LuxOSReply.curtail(curtail) == "sleep mode")

        let profile = try reply(#"{"PROFILE":[{"Board":0,"FrequencyStep":5,"Profile":"default","VoltageStep":0.05}],"STATUS":[{"Code":321,"Msg":"Profile Set","STATUS":"S"}],"id":1}"#, "profileset")
        #expect(try LuxOSReply.profileSet(profile) == "default")

        let power = try reply(#"{"POWER":[{"PSU":true,"Watts":3215}],"STATUS":[{"Code":330,"Msg":"Power","STATUS":"S"}],"id":1}"#, "power")
        #expect(try LuxOSReply.power(power) == 3215)

        let atm = try reply(#"{"ATM":[{"Enabled":true,"MaxProfile":"default","MinProfile":"","PostRampMinutes":15,"StartupMinutes":15,"TempWindow":5.0}],"STATUS":[{"Code":339,"Msg":"ATM configuration values","STATUS":"S"}],"id":1}"#, "atm")
        #expect(try LuxOSReply.atmEnabled(atm))

        try LuxOSReply.acknowledged(try reply(#"{"STATUS":[{"Code":340,"Msg":"Advanced Thermal Management configuration updated","STATUS":"S"}],"id":1}"#, "atmset"))

        let profiles = try reply(Self.profilesText, "profiles")
        let list = try LuxOSReply.profiles(profiles)
        #expect(list.map(\.name) == ["-1", "default", "+1"])
        #expect(list[1] == LuxOSProfile(name: "default", watts: 3250, hashrateTHs: 110, frequencyMHz: 525, voltage: 13.4, isTuned: false))
    }

    static let profilesText = #"{"PROFILES":[{"Profile Name":"-1","Watts":3050,"Hashrate":104.8,"Frequency":500,"Voltage":13.3,"IsTuned":false},{"Profile Name":"default","Watts":3250,"Hashrate":110.0,"Frequency":525,"Voltage":13.4,"IsTuned":false},{"Profile Name":"+1","Watts":3480,"Hashrate":115.2,"Frequency":550,"Voltage":13.5,"IsTuned":true}],"STATUS":[{"Code":327,"Msg":"Profiles","STATUS":"S"}],"id":1}"#

    @Test func refusalsAreNamed() throws {
        let expired = try reply(#"{"STATUS":[{"Code":313,"Msg":"Invalid session id","STATUS":"E"}],"id":1}"#, "curtail")
        #expect(throws: LuxOSError(command: "curtail", reason: .sessionExpired(message: "Invalid session id"))) { try LuxOSReply.curtail(expired) }
        let gone = try reply(#"{"STATUS":[{"Code":313,"Msg":"Session expired","STATUS":"E"}],"id":1}"#, "profileset")
        #expect(throws: LuxOSError(command: "profileset", reason: .sessionExpired(message: "Session expired"))) { try LuxOSReply.profileSet(gone) }
        let busy = try reply(#"{"STATUS":[{"Code":312,"Msg":"Another session is already active","STATUS":"E"}],"id":1}"#, "logon")
        #expect(throws: LuxOSError(command: "logon", reason: .sessionInUse(message: "Another session is already active"))) { try LuxOSReply.sessionID(busy) }
        let atm = try reply(#"{"STATUS":[{"Code":322,"Msg":"Cannot set profile while ATM is enabled","STATUS":"E"}],"id":1}"#, "profileset")
        let atmError = LuxOSError(command: "profileset", reason: .atmEnabled(message: "Cannot set profile while ATM is enabled"))
        #expect(throws: atmError) { try LuxOSReply.profileSet(atm) }
        #expect(atmError.description == "profileset: ATM is enabled, turn it off before setting a profile (Cannot set profile while ATM is enabled)")
        let other = try reply(#"{"STATUS":[{"Code":400,"Msg":"Unknown profile 'turbo'","STATUS":"E"}],"id":1}"#, "profileset")
        #expect(throws: LuxOSError.self) { try LuxOSReply.profileSet(other) }
        #expect((try? LuxOSReply.profileSet(other)) == nil)
        do {
            _ = try LuxOSReply.profileSet(other)
        } catch {
            guard case .rejected(let status) = error.reason else { Issue.record("\(error)"); return }
            #expect(status.code == 400)
        }
        #expect(throws: LuxOSError(command: "power", reason: .missingField("POWER[0].Watts"))) {
            try LuxOSReply.power(try reply(#"{"STATUS":[{"Code":330,"STATUS":"S"}]}"#, "power"))
        }
        #expect(throws: LuxOSError.self) { try LuxOSReply.reply(Array("{\"STATUS\":".utf8), command: "logon") }
    }

    /// A LuxOS S19j Pro poll: bmminer-style stats and summary plus power, profiles, config, atm.
    @Test func telemetryFromALuxOSPoll() throws {
        var reader = TelemetryReader()
        for (command, text) in Self.luxPoll { reader.add(try reply(text, command)) }
        let t = try reader.telemetry()
        #expect(t.identity?.firmware == .luxos)
        #expect(t.identity?.model == "Antminer S19j Pro")
        #expect(t.identity?.firmwareVersion == "2024.2.19.131822-ef17c0c4")
        #expect(t.identity?.macAddress == "02:00:00:AB:CD:EF")
        #expect(t.mode == .normal)
        #expect(close(t.hashrateTHs, 101.2))
        #expect(t.powerW == 3215)
        #expect(t.powerLimitW == 3250)
        #expect(t.profile == "default")
        #expect(t.boards.count == 3)
        #expect(t.boards.allSatisfy { $0.chips == 126 && $0.expectedChips == 126 && $0.alive })
        #expect(t.boards.map(\.chipTemperatureC) == [71, 70, 69])
        #expect(t.fanRPM == [4320, 4380, 4350, 4410])

        // Curtailed: hashrate zero and the config says sleep.
        var asleep = TelemetryReader()
        for (command, text) in Self.luxPoll {
            var text = text
            if command == "summary" { text = text.replacingOccurrences(of: #""GHS 5s":101200.0"#, with: #""GHS 5s":0.0"#) }
            if command == "stats" {
                text = text.replacingOccurrences(of: "\"33733.3\"", with: "\"0.00\"").replacingOccurrences(of: "\"33733.4\"", with: "\"0.00\"")
                text = text.replacingOccurrences(of: #""GHS 5s":101200.0"#, with: #""GHS 5s":0.0"#)
            }
            if command == "config" { text = text.replacingOccurrences(of: #""CurtailMode":"None""#, with: #""CurtailMode":"Sleep""#) }
            if command == "power" { text = text.replacingOccurrences(of: "3215", with: "24") }
            asleep.add(try reply(text, command))
        }
        let s = try asleep.telemetry()
        #expect(s.mode == .sleep)
        #expect(s.powerW == 24)
        #expect(s.hashrateTHs == 0)
        #expect(s.errors.isEmpty)
    }

    static let luxPoll: [(String, String)] = [
        ("version", #"{"STATUS":[{"Code":22,"Description":"LUXminer 2024.2.19.131822-ef17c0c4","Msg":"LUXminer versions","STATUS":"S","When":1672770089}],"VERSION":[{"API":"3.7","CompileTime":"Mon Feb 19 13:19:55 UTC 2024","LUXminer":"2024.2.19.131822-ef17c0c4","Miner":"2024.2.19.131822","Type":"Antminer S19j Pro"}],"id":1}"#),
        ("summary", #"{"STATUS":[{"Code":11,"Description":"LUXminer 2024.2.19","Msg":"Summary","STATUS":"S","When":1672770090}],"SUMMARY":[{"Accepted":5120,"Elapsed":86400,"GHS 5s":101200.0,"GHS av":100950.5,"Hardware Errors":12,"Rejected":3}],"id":1}"#),
        ("stats", #"{"STATUS":[{"Code":70,"Msg":"CGMiner stats","STATUS":"S"}],"STATS":[{"BMMiner":"1.0.0","Miner":"uart_trans.1.3","Type":"Antminer S19j Pro"},{"STATS":0,"Elapsed":86400,"GHS 5s":101200.0,"GHS av":100950.5,"rate_unit":"GH","total_rateideal":100000.0,"fan_num":4,"fan1":4320,"fan2":4380,"fan3":4350,"fan4":4410,"chain_acn1":126,"chain_acn2":126,"chain_acn3":126,"chain_acs1":" oooo","chain_acs2":" oooo","chain_acs3":" oooo","chain_rate1":"33733.3","chain_rate2":"33733.3","chain_rate3":"33733.4","temp_pcb1":"41-42-56-57","temp_pcb2":"40-41-55-56","temp_pcb3":"39-40-54-55","temp_chip1":"56-57-71-0","temp_chip2":"55-56-70-0","temp_chip3":"54-55-69-0"}],"id":1}"#),
        ("power", #"{"POWER":[{"PSU":true,"Watts":3215}],"STATUS":[{"Code":330,"Msg":"Power","STATUS":"S"}],"id":1}"#),
        ("profiles", profilesText),
        ("config", #"{"CONFIG":[{"Profile":"default","MACAddr":"02:00:00:AB:CD:EF","CurtailMode":"None","RedLed":"off","IsAtmEnabled":false}],"STATUS":[{"Code":328,"Msg":"Configuration","STATUS":"S"}],"id":1}"#),
        ("atm", #"{"ATM":[{"Enabled":false,"MaxProfile":"default","MinProfile":""}],"STATUS":[{"Code":339,"Msg":"ATM configuration values","STATUS":"S"}],"id":1}"#),
    ]
}

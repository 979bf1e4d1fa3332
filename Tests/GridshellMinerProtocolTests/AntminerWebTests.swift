import GridshellCore
import Testing
@testable import GridshellMinerProtocol

@Suite("Stock Antminer web API")
struct AntminerWebTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let minerConf = #"{"pools":[{"url":"stratum+tcp://btc.viabtc.io:3333","user":"site.s19jpro_042","pass":"123"},{"url":"stratum+tcp://btc.viabtc.io:443","user":"site.s19jpro_042","pass":"123"},{"url":"","user":"","pass":""}],"api-listen":true,"api-network":true,"api-groups":"A:stats:pools:devs:summary:version","api-allow":"A:0/0,W:*","bitmain-fan-ctrl":false,"bitmain-fan-pwm":"100","bitmain-use-vil":true,"bitmain-freq":"525","bitmain-voltage":"1340","bitmain-ccdelay":"0","bitmain-pwth":"0","bitmain-work-mode":"0","bitmain-freq-level":"100"}"#

    @Test func systemInfo() throws {
        let info = try AntminerSystemInfo.parse(bytes(#"{"minertype":"Antminer S19j Pro","nettype":"DHCP","netdevice":"eth0","macaddr":"30:CB:1B:49:A4:DB","hostname":"Antminer","ipaddress":"10.1.2.3","netmask":"255.255.255.0","gateway":"","dnsservers":"","system_mode":"GNU/Linux","system_kernel_version":"Linux 4.9.38","system_filesystem_version":"Wed Aug 28 11:12:11 CST 2024","firmware_type":"Release","Algorithm":"sha256d","serinum":"JYZZF1UBDJHJE01W0"}"#))
        #expect(info.minerType == "Antminer S19j Pro")
        #expect(info.model == "Antminer S19j Pro")
        #expect(info.macAddress == "30:CB:1B:49:A4:DB")
        #expect(info.hostname == "Antminer")
        #expect(info.serialNumber == "JYZZF1UBDJHJE01W0")
        #expect(info.firmwareVersion == "Wed Aug 28 11:12:11 CST 2024")
        #expect(info.firmwareType == "Release")
        #expect(info.ipAddress == "10.1.2.3")
        #expect(info.algorithm == "sha256d")
        // What a simulator serves reads back the same.
        #expect(try AntminerSystemInfo.parse(info.json.encoded()) == info)
        #expect(throws: AntminerWebError(page: .systemInfo, reason: .missingField("minertype"))) {
            try AntminerSystemInfo.parse(self.bytes(#"{"macaddr":"x"}"#))
        }
        #expect(AntminerWebError(page: .systemInfo, reason: .missingField("minertype")).description == "/cgi-bin/get_system_info.cgi: the page has no 'minertype'")
        #expect(throws: AntminerWebError.self) { try AntminerSystemInfo.parse(self.bytes("<html>401 Unauthorized</html>")) }
    }

    @Test func minerConfigAndWorkModes() throws {
        let conf = try AntminerMinerConfig.parse(bytes(Self.minerConf))
        #expect(conf.workMode == .normal)
        #expect(conf.pools.count == 3)
        #expect(conf.pools[0] == .init(url: "stratum+tcp://btc.viabtc.io:3333", user: "site.s19jpro_042", password: "123"))
        #expect(AntminerMinerConfig.WorkMode(code: "1") == .sleep)
        #expect(AntminerMinerConfig.WorkMode(code: "3") == .lowPower)
        #expect(AntminerMinerConfig.WorkMode(code: "0") == .normal)
        #expect(AntminerMinerConfig.WorkMode(code: "2") == .other("2"))
        #expect(AntminerMinerConfig.WorkMode.lowPower.code == "3")
    }

    @Test func setMinerConfigBodyChangesTheModeAndKeepsPools() throws {
        let conf = try AntminerMinerConfig.parse(bytes(Self.minerConf))
        let body = conf.setMinerConfigBody(mode: .sleep)
        #expect(body.jsonText() == #"{"bitmain-fan-ctrl":false,"bitmain-fan-pwm":"100","freq-level":"100","miner-mode":1,"pools":[{"url":"stratum+tcp://btc.viabtc.io:3333","user":"site.s19jpro_042","pass":"123"},{"url":"stratum+tcp://btc.viabtc.io:443","user":"site.s19jpro_042","pass":"123"},{"url":"","user":"","pass":""}]}"#)
        // The simulator reads the body back.
        let change = AntminerMinerConfig.change(fromBody: body.object!)
        #expect(change.mode == .sleep)
        #expect(change.pools == conf.pools)
        #expect(AntminerMinerConfig.change(fromBody: try LenientJSON.parse(#"{"miner-mode":"3"}"#).object!).mode == .lowPower)
        // One pool is padded to the firmware's three slots.
        let single = AntminerMinerConfig(pools: [.init(url: "stratum+tcp://a:1", user: "u", password: "x")], workMode: .normal)
        #expect(single.setMinerConfigBody(mode: .lowPower)["pools"]?.array?.count == 3)
        #expect(single.setMinerConfigBody(mode: .lowPower)["miner-mode"] == .number(3))
        // The simulator's own page.
        var asleep = conf
        asleep.workMode = .sleep
        #expect(try AntminerMinerConfig.parse(asleep.json.encoded()).workMode == .sleep)
        #expect(try AntminerMinerConfig.parse(asleep.json.encoded()).raw.string("bitmain-freq") == "525")
    }

    @Test func setMinerConfigReply() throws {
        let ok = try AntminerSetConfigResult.parse(bytes(#"{"stats":"success","code":"M000","msg":"OK!"}"#))
        #expect(ok == .ok)
        #expect(try AntminerSetConfigResult.parse(AntminerSetConfigResult.ok.json.encoded()) == .ok)
        #expect(throws: AntminerWebError(page: .setMinerConfig, reason: .rejected(code: "M001", message: "Invalid configuration"))) {
            try AntminerSetConfigResult.parse(self.bytes(#"{"stats":"error","code":"M001","msg":"Invalid configuration"}"#))
        }
        #expect(throws: AntminerWebError(page: .setMinerConfig, reason: .missingField("stats"))) {
            try AntminerSetConfigResult.parse(self.bytes(#"{"code":"M000"}"#))
        }
        #expect(AntminerWebPage.setMinerConfig.method == "POST" && AntminerWebPage.stats.method == "GET")
        #expect(AntminerWebPage.systemInfo.path == "/cgi-bin/get_system_info.cgi")
    }

    static let webSummary = #"{"STATUS":{"STATUS":"S","when":1763763762,"Msg":"summary","api_version":"1.0.0"},"INFO":{"miner_version":"49.0.1.3","CompileTime":"Mon Jun 10 11:12:11 CST 2024","type":"Antminer S19j Pro"},"SUMMARY":[{"elapsed":7200,"rate_5s":101234.56,"rate_avg":100950.0,"rate_30m":100800.0,"rate_ideal":100000.0,"rate_unit":"GH/s","hw_all":25,"bestshare":123456,"status":[{"type":"rate","status":"s","code":0,"msg":""},{"type":"network","status":"s","code":0,"msg":""},{"type":"fans","status":"e","code":1,"msg":"fan 3 lost"},{"type":"temp","status":"s","code":0,"msg":""}]}]}"#

    static let webStats = #"{"STATUS":{"STATUS":"S","when":1763763763,"Msg":"stats","api_version":"1.0.0"},"INFO":{"miner_version":"49.0.1.3","CompileTime":"Mon Jun 10 11:12:11 CST 2024","type":"Antminer S19j Pro"},"STATS":[{"elapsed":7200,"rate_5s":101234.56,"rate_avg":100950.0,"rate_30m":100800.0,"rate_ideal":100000.0,"rate_unit":"GH/s","chain_num":3,"fan_num":4,"fan":[5400,5460,0,5520],"hwp_total":0.0011,"chain":[{"index":0,"freq_avg":525,"rate_ideal":33333.3,"rate_real":50600.1,"asic_num":126,"temp_pic":[40,40,55,55],"temp_pcb":[41,42,56,57],"temp_chip":[56,57,71,72],"hw":10,"eeprom_loaded":true,"sn":"JYZZYRRBDJHJE023P"},{"index":1,"freq_avg":525,"rate_ideal":33333.3,"rate_real":50634.4,"asic_num":126,"temp_pic":[41,41,56,56],"temp_pcb":[42,43,57,58],"temp_chip":[57,58,72,73],"hw":15,"eeprom_loaded":true,"sn":"JYZZYRRBDJHJE033G"},{"index":2,"freq_avg":0,"rate_ideal":33333.3,"rate_real":0.0,"asic_num":0,"temp_pic":[],"temp_pcb":[0,0,0,0],"temp_chip":[0,0,0,0],"hw":0,"eeprom_loaded":true,"sn":"JYZZYRRBDJHJE047H"}]}]}"#

    static let webPools = #"{"STATUS":{"STATUS":"S","when":1763763764,"Msg":"pools","api_version":"1.0.0"},"INFO":{"type":"Antminer S19j Pro"},"POOLS":[{"index":0,"url":"stratum+tcp://btc.viabtc.io:3333","user":"site.s19jpro_042","status":"Alive","priority":0,"getworks":120,"accepted":1000,"rejected":2,"discarded":0,"stale":0,"diff":"65.5K","lsdiff":65536,"lstime":"0:00:12"},{"index":1,"url":"stratum+tcp://btc.viabtc.io:443","user":"site.s19jpro_042","status":"Alive","priority":1,"accepted":0,"rejected":0}]}"#

    static let webStatsAsleep = #"{"STATUS":{"STATUS":"S","when":1763763763,"Msg":"stats","api_version":"1.0.0"},"STATS":[{"elapsed":40,"rate_5s":0.0,"rate_avg":0.0,"rate_ideal":100000.0,"rate_unit":"GH/s","chain_num":3,"fan_num":4,"fan":[1200,1230,1200,1260],"chain":[{"index":0,"rate_real":0.0,"asic_num":0,"temp_pcb":[0,0,0,0],"temp_chip":[0,0,0,0]},{"index":1,"rate_real":0.0,"asic_num":0,"temp_pcb":[0,0,0,0],"temp_chip":[0,0,0,0]},{"index":2,"rate_real":0.0,"asic_num":0,"temp_pcb":[0,0,0,0],"temp_chip":[0,0,0,0]}]}]}"#

    /// New stock firmware's web pages (and `stats` with `new_api`): `rate_5s`, `chain[]`, `fan[]`.
    @Test func telemetryFromTheWebPages() throws {
        var reader = TelemetryReader()
        reader.add(try AntminerWebPage.summary.reply(bytes(Self.webSummary)))
        reader.add(try AntminerWebPage.stats.reply(bytes(Self.webStats)))
        reader.add(try AntminerWebPage.pools.reply(bytes(Self.webPools)))
        reader.minerConfig = try AntminerMinerConfig.parse(bytes(Self.minerConf))
        reader.systemInfo = try AntminerSystemInfo.parse(bytes(#"{"minertype":"Antminer S19j Pro","macaddr":"30:CB:1B:49:A4:DB","system_filesystem_version":"Mon Jun 10 11:12:11 CST 2024"}"#))
        let t = try reader.telemetry()
        #expect(t.identity?.model == "Antminer S19j Pro")
        #expect(t.identity?.firmware == .stock)
        #expect(t.identity?.macAddress == "30:CB:1B:49:A4:DB")
        #expect(t.identity?.firmwareVersion == "Mon Jun 10 11:12:11 CST 2024")
        #expect(t.mode == .normal)
        #expect(close(t.hashrateTHs, 101.23456))
        #expect(close(t.averageHashrateTHs, 100.95))
        #expect(close(t.expectedHashrateTHs, 100))
        #expect(t.uptimeSeconds == 7200)
        #expect(t.hardwareErrors == 25)
        #expect(t.fanRPM == [5400, 5460, 0, 5520])
        #expect(t.boards.count == 3)
        #expect(close(t.boards[0].hashrateTHs, 50.6001))
        #expect(t.boards[0].chips == 126)
        #expect(t.boards[1].boardTemperatureC == 58 && t.boards[1].chipTemperatureC == 73)
        // The third board reports no chips while the others hash: dead.
        #expect(!t.boards[2].alive)
        #expect(t.boards[2].chips == 0 && t.boards[2].expectedChips == 126)
        #expect(t.boards[2].boardTemperatureC == nil)
        #expect(t.errors.contains("board 2: no chips found"))
        #expect(t.errors.contains("fans: fan 3 lost"))
        #expect(t.pools.map(\.active) == [true, false])
        #expect(t.pools[0].accepted == 1000 && t.pools[0].user == "site.s19jpro_042")
        #expect(t.accepted == 1000 && t.rejected == 2)
    }

    @Test func workModeDecidesSleepAndLowPower() throws {
        func telemetry(mode: String, hashing: Bool) throws -> MinerTelemetry {
            var reader = TelemetryReader()
            let stats = hashing ? Self.webStats : Self.webStatsAsleep
            reader.add(try AntminerWebPage.stats.reply(bytes(stats)))
            var conf = try AntminerMinerConfig.parse(bytes(Self.minerConf))
            conf.workMode = .init(code: mode)
            reader.minerConfig = conf
            return try reader.telemetry()
        }
        #expect(try telemetry(mode: "3", hashing: true).mode == .lowPower)
        #expect(try telemetry(mode: "0", hashing: true).mode == .normal)
        #expect(try telemetry(mode: "1", hashing: true).mode == .ramping, "asked to sleep, still hashing")
        let asleep = try telemetry(mode: "1", hashing: false)
        #expect(asleep.mode == .sleep)
        #expect(asleep.fanRPM == [1200, 1230, 1200, 1260], "stock sleep keeps the fans turning")
        // Sleep explains silent boards: no dead-board errors.
        #expect(!asleep.errors.contains { $0.contains("no chips") })
    }

    /// `stats` with `new_api` over RPC has the same shape inside a cgminer STATUS array.
    @Test func newAPIStatsOverRPC() throws {
        let text = #"{"STATUS":[{"STATUS":"S","When":1700000000,"Code":70,"Msg":"CGMiner stats","Description":"cgminer 1.0.0"}],"STATS":[{"elapsed":3600,"rate_5s":270123.4,"rate_avg":269000.0,"rate_ideal":270000.0,"rate_unit":"GH","chain_num":3,"fan_num":4,"fan":[3900,3960,3900,3960],"chain":[{"index":0,"rate_real":90041.1,"asic_num":91,"temp_pcb":[45,46,60,61],"temp_chip":[60,61,75,76]},{"index":1,"rate_real":90041.1,"asic_num":91,"temp_pcb":[45,46,60,61],"temp_chip":[60,61,75,76]},{"index":2,"rate_real":90041.2,"asic_num":91,"temp_pcb":[45,46,60,61],"temp_chip":[60,61,75,76]}]}],"id":1}"#
        var reader = TelemetryReader()
        reader.add(try CGMinerReply.parse(bytes(text), command: "stats"))
        reader.add(try CGMinerReply.parse(bytes(#"{"STATUS":[{"STATUS":"S","Code":22}],"VERSION":[{"BMMiner":"1.0.0","CompileTime":"Thu Apr 10 2025","Type":"Antminer S21 XP"}],"id":1}"#), command: "version"))
        let t = try reader.telemetry()
        #expect(t.identity?.model == "Antminer S21 XP")
        #expect(close(t.hashrateTHs, 270.1234))
        #expect(close(t.expectedHashrateTHs, 270))
        #expect(t.boards.map(\.chipTemperatureC) == [76, 76, 76])
        #expect(t.boards.allSatisfy { $0.alive && $0.chips == 91 })
        #expect(t.fanRPM == [3900, 3960, 3900, 3960])
        #expect(t.uptimeSeconds == 3600)
        #expect(t.errors.isEmpty)
    }
}

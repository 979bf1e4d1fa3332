import Foundation
import GridshellCore
import Testing
@testable import GridshellMinerProtocol

func close(_ a: Double?, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance * max(1, abs(b))
}

/// Every captured reply set from real Antminers, read as a poll would read it.
@Suite("Telemetry from real Antminer replies")
struct ForemanTelemetryTests {
    @Test func theFixtureHoldsAllCasesAndTheUnparsedOnes() {
        #expect(ForemanCases.all.count == 22)
        let raw = ForemanCases.all.filter { !$0.rawCommands.isEmpty }.map(\.name).sorted()
        #expect(raw == [
            "Antminer D3", "Antminer L3", "Antminer L3 #2", "Antminer S9 (Hiveon)", "Antminer S9 (NiceHash)",
            "Antminer S9 (bad temps)", "Antminer S9 (mskminer)", "Antminer S9k", "Antminer Z11", "Antminer Z11 (chipless)",
        ])
    }

    /// A known identity (a read after identification) is taken as it is; the rest of the
    /// telemetry is what the reader gives without it.
    @Test(arguments: ForemanCases.all.map(\.name))
    func aKnownIdentityIsTakenAsItIs(name: String) throws {
        var reader = try ForemanCases.reader(name)
        let read = try reader.telemetry()
        let known = MinerIdentity(make: "Bitmain", model: "Known Model", firmware: .luxos, firmwareVersion: "known")
        reader.knownIdentity = known
        var t = try reader.telemetry()
        #expect(t.identity == known)
        t.identity = read.identity
        #expect(t == read)
    }

    /// Each case, including the replies that strict JSON parsers reject, gives telemetry with an
    /// identity, a hashrate, pools and a mode that is not unknown unless the miner is in trouble.
    @Test(arguments: ForemanCases.all.map(\.name))
    func everyCaseGivesTelemetry(name: String) throws {
        let reader = try ForemanCases.reader(name)
        #expect(reader.failures.isEmpty)
        let t = try reader.telemetry()
        let identity = try #require(t.identity)
        #expect(identity.make == "Bitmain")
        #expect(t.hashrateTHs != nil)
        #expect(!t.pools.isEmpty)
        #expect(t.uptimeSeconds != nil)
        if t.mode == .unknown { #expect(name.contains("overheating")) }
        if name.contains("sleeping") { #expect(t.mode == .sleep) }
        for b in t.boards {
            if let chips = b.chips, let expected = b.expectedChips { #expect(chips <= expected) }
        }
        // The telemetry survives a round trip through its Codable form.
        let data = try JSONEncoder().encode(t)
        #expect(try JSONDecoder().decode(MinerTelemetry.self, from: data) == t)
    }

    @Test func s19ProColdIsHashingOnThreeBoards() throws {
        let t = try ForemanCases.telemetry("Antminer S19 (really cold)")
        #expect(t.identity?.model == "Antminer S19 Pro")
        #expect(t.identity?.firmware == .stock)
        #expect(t.identity?.firmwareVersion == "Wed Oct 21 10:18:10 CST 2020")
        #expect(t.hashAlgorithm == "SHA-256")
        #expect(t.mode == .normal)
        #expect(close(t.hashrateTHs, 110.78679))
        #expect(close(t.averageHashrateTHs, 111.73011))
        #expect(close(t.expectedHashrateTHs, 111.859))
        #expect(t.fanRPM == [5520, 5400, 5040, 5040])
        #expect(t.boards.map(\.index) == [0, 1, 2])
        #expect(close(t.boards[0].hashrateTHs, 37.73524))
        #expect(close(t.boards[2].hashrateTHs, 34.94248))
        #expect(t.boards.allSatisfy { $0.chips == 114 && $0.expectedChips == 114 && $0.alive })
        // "temp_pcb1":"2--1-20-22" holds a negative reading; the hottest sensor counts.
        #expect(t.boards.map(\.boardTemperatureC) == [22, 20, 21])
        #expect(t.boards.map(\.chipTemperatureC) == [27, 25, 26])
        #expect(t.uptimeSeconds == 82852)
        #expect(t.hardwareErrors == 1527 + 2752 + 269)
        #expect(t.pools == [PoolTelemetry(url: "stratum+tcp://equihash.luxor.tech:700", user: "x.001", status: "Alive", accepted: 2848, rejected: 20, active: true)])
        #expect(t.accepted == 2848)
        #expect(t.errors.isEmpty)
    }

    @Test func s19SleepingIsAsleepWithItsFansRunning() throws {
        let t = try ForemanCases.telemetry("Antminer S19 (sleeping)")
        #expect(t.mode == .sleep)
        #expect(t.hashrateTHs == 0)
        #expect(t.fanRPM == [1560, 1560, 600, 720])
        // Two boards answer, every chip marked x; slot 1 is silent, which sleep explains.
        #expect(t.boards.map(\.index) == [1, 2])
        #expect(t.boards.allSatisfy { $0.chips == 0 && $0.expectedChips == 76 && $0.alive })
        #expect(t.boards.map(\.boardTemperatureC) == [40, 40])
        #expect(t.errors.isEmpty)
        #expect(t.identity?.model == "Antminer S19")
    }

    @Test func s19OverheatingStoppedHashingWithHotBoards() throws {
        let t = try ForemanCases.telemetry("Antminer S19 (overheating)")
        #expect(t.mode == .unknown)
        #expect(t.hashrateTHs == 0)
        #expect(close(t.averageHashrateTHs, 0.73737))
        #expect(t.fanRPM == [5160, 5280, 6240, 6120])
        #expect(t.boards.allSatisfy { !$0.alive && $0.chips == 0 && $0.expectedChips == 114 })
        #expect(t.maxChipTemperatureC == 97)
        #expect(t.errors.contains("not hashing: 0 TH/s and no sleep marker"))
        #expect(t.errors.contains("board 2: chip temperature 97 °C (overheating)"))
        #expect(t.errors.contains("board 0: board temperature 88 °C (overheating)"))
        #expect(t.errors.contains("board 1: none of its 114 chips is working"))

        let t2 = try ForemanCases.telemetry("Antminer S19 (overheating) #2")
        #expect(t2.identity?.model == "Antminer S19 Pro")
        #expect(t2.mode == .unknown)
        #expect(close(t2.averageHashrateTHs, 93.55698))
        #expect(t2.fanRPM == [6000, 5880, 6120, 6120])
        #expect(t2.errors.contains("board 0: chip temperature 96 °C (overheating)"))
        #expect(t2.errors.contains("board 1: board temperature 85 °C (overheating)"))
        #expect(!t2.errors.contains { $0.hasPrefix("board 2:") && $0.contains("overheating") })
    }

    @Test func s17AndT17SleepWithMode254() throws {
        for name in ["Antminer T17+ (sleeping)", "Antminer S17+ (sleeping)"] {
            let t = try ForemanCases.telemetry(name)
            #expect(t.mode == .sleep)
            #expect(t.hashrateTHs == 0)
            #expect(t.fanRPM.isEmpty)
            #expect(t.boards.isEmpty)
            #expect(t.errors.isEmpty)
        }
        #expect(try ForemanCases.telemetry("Antminer T17+ (sleeping)").identity?.model == "Antminer T17+")
    }

    @Test func s17ProHashingWithExpectedRate() throws {
        let t = try ForemanCases.telemetry("Antminer S17")
        #expect(t.mode == .normal)
        #expect(close(t.hashrateTHs, 54.99701))
        #expect(close(t.expectedHashrateTHs, 53.619))
        #expect(t.fanRPM == [2400, 3000, 3120, 2400])
        #expect(t.boards.map(\.chipTemperatureC) == [80, 75, 63])
        #expect(t.pools.count == 3)
        #expect(t.accepted == 86241 + 63 + 196)
    }

    @Test func s9OnHiveonFromTheUnparsedReply() throws {
        let t = try ForemanCases.telemetry("Antminer S9 (Hiveon)")
        #expect(t.identity?.model == "Antminer S9")
        #expect(close(t.hashrateTHs, 11.7814))
        #expect(t.fanRPM == [3840, 4920])
        // S9 boards sit in slots 6-8 and count from 0.
        #expect(t.boards.map(\.index) == [0, 1, 2])
        #expect(close(t.boards[1].hashrateTHs, 3.9137))
        #expect(t.boards.map(\.boardTemperatureC) == [59, 50, 57])
        #expect(t.boards.map(\.chipTemperatureC) == [74, 65, 72])
        #expect(t.powerW == 34.65)
    }

    @Test func s9ForksReportPowerTheirOwnWay() throws {
        let msk = try ForemanCases.telemetry("Antminer S9 (mskminer)")
        #expect(msk.identity?.model == "Antminer S9 Pro")
        #expect(msk.powerW == 967.5)
        // One of the two S9 fan slots reads 0.
        #expect(msk.fanRPM == [0, 5280])
        let vnish = try ForemanCases.telemetry("Antminer S9 (NiceHash)")
        #expect(vnish.identity?.model == "Antminer S9")
        #expect(vnish.powerW == 1485)
    }

    @Test func brokenTemperatureSensorIsAnErrorNotAReading() throws {
        let t = try ForemanCases.telemetry("Antminer S9 (bad temps)")
        #expect(t.boards[1].chipTemperatureC == nil)
        #expect(t.boards[1].boardTemperatureC == nil)
        #expect(t.boards[0].boardTemperatureC == 75)
        #expect(t.errors == ["board 1: chip temperature sensor reads -83 °C"])
        #expect(t.mode == .normal)
    }

    @Test func braiinsRepliesReadFromDevsTempsAndFans() throws {
        let t = try ForemanCases.telemetry("Antminer S9 (bOS+)")
        #expect(t.identity?.firmware == .braiins)
        #expect(t.identity?.firmwareVersion == "BOSminer+ 0.2.0-36c56a9363")
        // MHS: 15,740,915.84 MH/s.
        #expect(close(t.hashrateTHs, 15.740915842676325))
        #expect(close(t.averageHashrateTHs, 11.988299650652435))
        #expect(t.fanRPM == [2820, 3780, 0, 0])
        #expect(t.boards.map(\.boardTemperatureC) == [75, 63, 70])
        #expect(t.boards.allSatisfy { $0.chipTemperatureC == nil })
        #expect(close(t.boards[0].hashrateTHs, 4.68307074742169))
        #expect(t.accepted == 153)
        #expect(t.hardwareErrors == 186)
        #expect(t.pools.filter(\.active).map(\.url) == ["stratum+tcp://stratum.antpool.com:3333"])
        #expect(try ForemanCases.telemetry("Antminer S9 (bOS)").identity?.firmwareVersion == "BOSminer 0.2.0-d360818")
    }

    @Test func altcoinMinersKeepTheirAlgorithmAndUnits() throws {
        let d3 = try ForemanCases.telemetry("Antminer D3")
        #expect(d3.hashAlgorithm == "X11")
        #expect(close(d3.hashrateTHs, 16346.64e-6))  // 16.35 GH/s reported as "GHS 5s":"16346.64"
        let l3 = try ForemanCases.telemetry("Antminer L3")
        #expect(l3.hashAlgorithm == "Scrypt")
        #expect(close(l3.hashrateTHs, 504.56e-6))
        #expect(l3.boards.count == 4)
        let z11 = try ForemanCases.telemetry("Antminer Z11")
        #expect(z11.hashAlgorithm == "Equihash")
        #expect(close(z11.hashrateTHs, 141.54e-9))
        #expect(z11.errors.isEmpty)
        #expect(try ForemanCases.telemetry("Antminer E3").hashAlgorithm == "Ethash")
    }

    /// L3 #2 reports 0 for the last 5 s while every chain hashes: the boards say it is working.
    @Test func zeroFiveSecondRateWithHashingBoardsIsNormal() throws {
        let t = try ForemanCases.telemetry("Antminer L3 #2")
        #expect(t.hashrateTHs == 0)
        #expect(t.mode == .normal)
        #expect(t.boards.allSatisfy { $0.alive })
    }

    @Test func strayBytesAfterTheVersionReplyAreIgnored() throws {
        let t = try ForemanCases.telemetry("Antminer S9k")
        #expect(t.identity?.model == "Antminer S9k")
        #expect(t.identity?.firmwareVersion == "Sun Sep 29 15:25:10 CST 2019")
        #expect(close(t.hashrateTHs, 14.35919))
    }

    /// A capture with its measurement object (`STATS[1]`) edited.
    func editedStats(_ name: String, _ edit: (inout JSONObject) -> Void) throws -> MinerTelemetry {
        var reader = TelemetryReader()
        for (command, bytes) in ForemanCases.named(name).replies {
            var reply = try CGMinerReply.parse(bytes, command: command)
            if command == "stats" {
                var stats = reply.body["STATS"]!.array!
                var data = stats[1].object!
                edit(&data)
                stats[1] = .object(data)
                reply.body["STATS"] = .array(stats)
            }
            reader.add(reply)
        }
        return try reader.telemetry()
    }

    @Test func aSilentBoardOfAHashingS19IsMissing() throws {
        let t = try editedStats("Antminer S19 (really cold)") { s in
            s["chain_acn3"] = 0
            s["chain_acs3"] = ""
            s["chain_rate3"] = ""
        }
        #expect(t.mode == .normal)
        #expect(t.boards.map(\.index) == [0, 1, 2])
        #expect(t.boards.map(\.alive) == [true, true, false])
        #expect(t.boards[2].chips == 0 && t.boards[2].expectedChips == 114)
        #expect(t.errors == ["board 2: missing (reports no chips)"])
    }

    @Test func aBoardWithoutHashrateOrWithFailingChips() throws {
        let t = try editedStats("Antminer S19 (really cold)") { s in
            s["chain_rate2"] = "0.00"
            s["chain_acs1"] = .string(" ooo ooo ooo xxx" + String(repeating: " ooo", count: 34))
        }
        #expect(t.boards.map(\.alive) == [true, false, true])
        #expect(t.boards[0].chips == 111)
        #expect(t.errors.contains("board 1: no hashrate while the miner is hashing"))
        #expect(t.errors.contains("board 0: 3 of 114 chips failing"))
    }

    /// Braiins OS+ reports power through `tunerstatus`.
    @Test func braiinsTunerStatusGivesPowerAndLimit() throws {
        var reader = try ForemanCases.reader("Antminer S9 (bOS+)")
        reader.add(try CGMinerReply.parse(Array(#"{"STATUS":[{"STATUS":"S","Code":58,"Msg":"Tuner Status","Description":"BOSminer+ 0.2.0"}],"TUNERSTATUS":[{"ApproximateChainPowerConsumption":1310,"ApproximateMinerPowerConsumption":1402,"DynamicPowerScaling":"Disabled","PowerLimit":1420,"TunerChainStatus":[]}],"id":1}"#.utf8), command: "tunerstatus"))
        let t = try reader.telemetry()
        #expect(t.powerW == 1402)
        #expect(t.powerLimitW == 1420)
    }
}

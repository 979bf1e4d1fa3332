import Foundation
import GridshellCore
import PropertyBased
import Testing
@testable import GridshellMinerProtocol

/// Replies built from the keys real firmware uses but with random values and shapes: the
/// reader returns telemetry or a `TelemetryError`, and what it returns is finite and encodable.
@Suite("Telemetry fuzzing")
struct TelemetryFuzzTests {
    static let commands = ["summary", "stats", "pools", "devs", "version", "fans", "temps", "power", "profiles", "config", "atm", "tunerstatus", "devdetails"]
    static let sections = ["SUMMARY", "STATS", "POOLS", "DEVS", "VERSION", "FANS", "TEMPS", "POWER", "PROFILES", "CONFIG", "ATM", "TUNERSTATUS", "DEVDETAILS", "STATUS", "chain", "fan"]
    static let keys = [
        "GHS 5s", "GHS av", "MHS 5s", "MHS av", "rate_5s", "rate_avg", "rate_unit", "rate_ideal", "total_rateideal", "Elapsed",
        "elapsed", "Mode", "fan_num", "fan1", "fan2", "fan5", "fan999999999", "fan4000000000000000000", "chain_acn1", "chain_acn6",
        "chain_acs1", "chain_acs2", "chain_rate1", "chain_rate2", "chain_hw1", "temp1", "temp2_1", "temp_pcb1", "temp_chip1",
        "chain_power", "chain_power1", "chain_consumption1", "total_power", "Type", "Model", "LUXminer", "BOSminer+", "CompileTime",
        "URL", "User", "Status", "Accepted", "Rejected", "Stratum Active", "Priority", "Watts", "Profile", "Profile Name",
        "CurtailMode", "Enabled", "PowerLimit", "ID", "Board", "Chip", "RPM", "Chips", "Nominal MHS", "index", "rate_real",
        "asic_num", "temp_pcb", "temp_chip", "status", "STATUS", "Code", "Msg", "Description", "Hardware Errors", "hw_all",
    ]

    static func randomLeaf(_ rng: inout SeededRandom) -> JSONValue {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(Double(Int.random(in: -5...200, using: &rng)))
        case 3: return .number([Double.infinity, -.infinity, .nan, 1e308, -1e308, 9.3e18, 2e9].randomElement(using: &rng)!)
        case 4: return .number(Double.random(in: -1e6...1e6, using: &rng))
        case 5: return .string(["", "S", "E", "W", "F", "1", "254", "GH", "MH/s", "TH", "x", " ooo xx", "oooo", "Alive", "Dead"].randomElement(using: &rng)!)
        case 6: return .string(["2--1-20-22", "0-0-0-0", "-", "--", "9999999999999999999-1", "45-42-45-42", "967.50 (AB)", "1,234.5", "Sleep", "inf"].randomElement(using: &rng)!)
        case 7: return .string(["Antminer S19j Pro", "Antminer S9 Hiveon", "Antminer L3+", "Antminer Z11", "LUXminer 1", "BOSminer 0.2"].randomElement(using: &rng)!)
        default: return .number(Double(Int.random(in: 0...5000, using: &rng)))
        }
    }

    static func randomObject(_ rng: inout SeededRandom, depth: Int) -> JSONObject {
        var o = JSONObject()
        for _ in 0..<Int.random(in: 0...14, using: &rng) {
            let key = Bool.random(using: &rng) ? keys.randomElement(using: &rng)! : sections.randomElement(using: &rng)!
            if depth < 3, Int.random(in: 0..<4, using: &rng) == 0 {
                let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ -> JSONValue in
                    Bool.random(using: &rng) ? .object(randomObject(&rng, depth: depth + 1)) : randomLeaf(&rng)
                }
                o[key] = .array(items)
            } else {
                o[key] = randomLeaf(&rng)
            }
        }
        return o
    }

    @Test func randomRepliesNeverCrashAndStayFinite() async {
        await propertyCheck(count: 1500, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            var reader = TelemetryReader()
            for command in Self.commands where Bool.random(using: &rng) {
                reader.add(CGMinerReply(command: command, body: Self.randomObject(&rng, depth: 0)))
            }
            if Int.random(in: 0..<4, using: &rng) == 0 {
                reader.minerConfig = AntminerMinerConfig(Self.randomObject(&rng, depth: 1))
            }
            do {
                let t = try reader.telemetry()
                #expect(t.fanRPM.count <= 32)
                let numbers = [t.hashrateTHs, t.averageHashrateTHs, t.expectedHashrateTHs, t.powerW, t.powerLimitW, t.uptimeSeconds]
                    + t.boards.flatMap { [$0.hashrateTHs, $0.boardTemperatureC, $0.chipTemperatureC] }
                #expect(numbers.compactMap { $0 }.allSatisfy { $0.isFinite })
                _ = try JSONEncoder().encode(t)
            } catch let error as TelemetryError {
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// The real captures with random byte edits: reading them never crashes.
    @Test(arguments: 0..<200)
    func mutatedCapturesNeverCrash(seed: Int) {
        var rng = SeededRandom(seed: UInt64(seed) &+ 77)
        let c = ForemanCases.all[seed % ForemanCases.all.count]
        var reader = TelemetryReader()
        for (command, original) in c.replies {
            var bytes = original
            for _ in 0..<Int.random(in: 0...6, using: &rng) where !bytes.isEmpty {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0...2, using: &rng) {
                case 0: bytes.remove(at: i)
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                default: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            do {
                reader.add(try CGMinerReply.parse(bytes, command: command))
            } catch {
                reader.add(failure: error)
            }
        }
        _ = try? reader.telemetry()
    }
}

import Foundation
import GridshellCore
import GridshellMinerProtocol

/// The cgminer-compatible API of a simulated miner: bmminer on stock firmware, LUXminer on
/// LuxOS. Replies follow the firmware's shapes (STATUS first, `+` joined report commands, one
/// key per command) so real clients read them as they read real miners.
enum RPCResponder {
    /// True once the bytes hold a whole request: a balanced JSON object, or a text command line.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return false }
        if first != UInt8(ascii: "{") {
            return bytes.contains(0x0A) || bytes.contains(0)
        }
        var depth = 0
        var inString = false
        var escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return true }
            default: break
            }
        }
        return false
    }

    /// Splits a request into its command and parameter: JSON `{"command":..,"parameter":..}` or
    /// text `command|parameter`.
    static func parse(_ bytes: [UInt8]) -> (command: String, parameter: String?)? {
        guard let request = try? CGMinerRequest.decode(bytes.filter { $0 != 0 }), !request.command.isEmpty else { return nil }
        return (request.command, request.parameter)
    }

    static func status(_ kind: String, code: Int, msg: String, miner: SimulatedMiner) -> ReplyJSON {
        .array([
            .object([
                ("STATUS", .string(kind)), ("When", .int(Int(Date().timeIntervalSince1970))), ("Code", .int(code)),
                ("Msg", .string(msg)), ("Description", .string(softwareName(miner) + " " + softwareVersion(miner))),
            ])
        ])
    }

    static func error(code: Int, message: String, miner: SimulatedMiner) -> [UInt8] {
        ReplyJSON.object([("STATUS", status("E", code: code, msg: message, miner: miner)), ("id", 1)]).bytes
    }

    static func softwareName(_ miner: SimulatedMiner) -> String { miner.spec.firmware == .luxos ? "LUXminer" : "bmminer" }
    static func softwareVersion(_ miner: SimulatedMiner) -> String {
        miner.spec.firmware == .luxos ? "2024.10.2.130216-71c6b93d" : "1.0.0"
    }

    /// Report commands that may be joined with `+`.
    static let reports: Set<String> = [
        "version", "summary", "stats", "pools", "devs", "devdetails", "config", "coin", "fans", "temps",
        "power", "profiles", "atm", "tempctrl", "estats", "edevs", "session", "groups",
    ]

    static func reply(to request: [UInt8], miner: SimulatedMiner) -> [UInt8] {
        miner.count { $0.rpcRequests += 1 }
        guard let (command, parameter) = parse(request) else {
            return error(code: 23, message: "Invalid JSON", miner: miner)
        }
        let commands = command.split(separator: "+").map { String($0).lowercased() }
        if commands.count > 1 {
            guard commands.allSatisfy({ reports.contains($0) }) else {
                return error(code: 45, message: "Access denied to '\(command)' command", miner: miner)
            }
            let reading = miner.reading()
            var pairs: [(String, ReplyJSON)] = []
            for c in commands {
                pairs.append((c, .array([body(c, parameter: parameter, miner: miner, reading: reading)])))
            }
            pairs.append(("id", 1))
            return ReplyJSON.object(pairs).bytes
        }
        return body(commands.first ?? "", parameter: parameter, miner: miner, reading: miner.reading()).bytes
    }

    static func wrap(_ code: Int, _ msg: String, _ key: String, _ items: [ReplyJSON], miner: SimulatedMiner) -> ReplyJSON {
        .object([("STATUS", status("S", code: code, msg: msg, miner: miner)), (key, .array(items)), ("id", 1)])
    }

    static func body(_ command: String, parameter: String?, miner: SimulatedMiner, reading r: SimulatedReading) -> ReplyJSON {
        let spec = miner.spec
        let lux = spec.firmware == .luxos
        let ghs5 = r.hashrateTHs * 1_000
        switch command {
        case "version":
            var v: [(String, ReplyJSON)] = []
            if lux {
                v = [("API", "3.7"), ("LUXminer", .string(softwareVersion(miner))), ("Miner", .string(softwareVersion(miner))), ("Type", .string(spec.model.name))]
            } else {
                v = [("BMMiner", "1.0.0"), ("API", "3.1"), ("Miner", "uart_trans.1.3"), ("CompileTime", "Mon Mar 18 15:16:03 CST 2024"), ("Type", .string(spec.model.name))]
            }
            return wrap(22, lux ? "LUXminer versions" : "BMMiner versions", "VERSION", [.object(v)], miner: miner)
        case "summary":
            let s: [(String, ReplyJSON)] = [
                ("Elapsed", .int(Int(r.uptimeSeconds))),
                ("GHS 5s", lux ? .num(ghs5) : .string(ReplyJSON.fixed(ghs5, 2))),
                ("GHS av", .num(r.averageHashrateTHs * 1_000)),
                ("GHS 30m", .num(r.averageHashrateTHs * 1_000)),
                ("Found Blocks", 0), ("Getworks", .int(r.accepted / 3)), ("Accepted", .int(r.accepted)),
                ("Rejected", .int(r.rejected)), ("Hardware Errors", .int(r.hardwareErrors)),
                ("Utility", .num(r.uptimeSeconds > 0 ? Double(r.accepted) / r.uptimeSeconds * 60 : 0)),
                ("Discarded", 0), ("Stale", 0), ("Get Failures", 0), ("Local Work", .int(r.accepted * 4)),
                ("Remote Failures", 0), ("Network Blocks", .int(Int(r.uptimeSeconds / 600))),
                ("Total MH", .num(r.averageHashrateTHs * 1e6 * r.uptimeSeconds, 0)),
                ("Work Utility", .num(r.uptimeSeconds > 0 ? Double(r.accepted) * 60 / r.uptimeSeconds * 1.0 : 0)),
                ("Difficulty Accepted", .num(Double(r.accepted) * miner.shareDifficulty, 0)),
                ("Difficulty Rejected", .num(Double(r.rejected) * miner.shareDifficulty, 0)),
                ("Difficulty Stale", 0.0), ("Best Share", .int(Int(miner.shareDifficulty * 37))),
                ("Device Hardware%", .num(r.accepted > 0 ? Double(r.hardwareErrors) / Double(r.accepted) * 100 : 0, 4)),
                ("Device Rejected%", .num(r.accepted > 0 ? Double(r.rejected) / Double(r.accepted) * 100 : 0, 4)),
                ("Pool Rejected%", .num(r.accepted > 0 ? Double(r.rejected) / Double(r.accepted) * 100 : 0, 4)),
                ("Pool Stale%", 0.0), ("Last getwork", .int(Int(Date().timeIntervalSince1970))),
            ]
            return wrap(11, "Summary", "SUMMARY", [.object(s)], miner: miner)
        case "stats", "estats":
            return stats(miner: miner, reading: r)
        case "pools":
            return pools(miner: miner, reading: r)
        case "devs", "edevs":
            let devs: [ReplyJSON] = (0..<spec.boards).map { b in
                .object([
                    ("ASC", .int(b)), ("Name", "BTM_SOC"), ("ID", .int(b)), ("Enabled", "Y"),
                    ("Status", r.boardChips[b] > 0 ? "Alive" : "Dead"), ("Temperature", .num(r.boardTemperatureC[b])),
                    ("MHS av", .num(r.boardHashrateTHs[b] * 1e6)), ("MHS 5s", .num(r.boardHashrateTHs[b] * 1e6)),
                    ("Accepted", .int(r.accepted / spec.boards)), ("Rejected", .int(r.rejected / spec.boards)),
                    ("Hardware Errors", .int(r.hardwareErrors / spec.boards)),
                ])
            }
            return wrap(9, "\(spec.boards) ASC(s)", "DEVS", devs, miner: miner)
        case "devdetails":
            let d: [ReplyJSON] = (0..<spec.boards).map { b in
                .object([
                    ("DEVDETAILS", .int(b)), ("Name", "BTM_SOC"), ("ID", .int(b)), ("Driver", "bitmain"),
                    ("Kernel", ""), ("Model", .string(spec.model.name)), ("Device Path", ""),
                ])
            }
            return wrap(69, "Device Details", "DEVDETAILS", d, miner: miner)
        case "coin":
            return wrap(
                78, "BMMiner coin", "COIN",
                [.object([("Hash Method", "sha256"), ("Current Block Time", .num(Date().timeIntervalSince1970, 6)), ("Network Difficulty", .num(1.1e14, 0))])],
                miner: miner)
        case "fans":
            let f: [ReplyJSON] = r.fanRPM.enumerated().map { i, rpm in
                .object([("ID", .int(i)), ("RPM", .int(rpm)), ("Speed", .int(min(100, rpm * 100 / 6_600)))])
            }
            return .object([
                ("STATUS", status("S", code: 202, msg: "\(f.count) Fan(s)", miner: miner)), ("FANS", .array(f)),
                ("FANCTRL", .array([.object([("MinFans", .int(spec.fans)), ("Mode", "Auto")])])), ("id", 1),
            ])
        case "temps":
            let t: [ReplyJSON] = (0..<spec.boards).map { b in
                .object([
                    ("ID", .int(b)), ("Board", .num(r.boardTemperatureC[b])), ("Chip", .num(r.chipTemperatureC[b])),
                    ("TopLeft", .num(r.boardTemperatureC[b] - 1)), ("TopRight", .num(r.boardTemperatureC[b] + 1)),
                    ("BottomLeft", .num(r.chipTemperatureC[b] - 1)), ("BottomRight", .num(r.chipTemperatureC[b] + 1)),
                ])
            }
            return wrap(201, "\(t.count) Temp(s)", "TEMPS", t, miner: miner)
        default:
            guard lux else {
                return .object([("STATUS", status("E", code: 14, msg: "Invalid command", miner: miner)), ("id", 1)])
            }
            return LuxOSResponder.body(command, parameter: parameter, miner: miner, reading: r)
        }
    }

    static func stats(miner: SimulatedMiner, reading r: SimulatedReading) -> ReplyJSON {
        let spec = miner.spec
        let lux = spec.firmware == .luxos
        var head: [(String, ReplyJSON)] = lux
            ? [("LUXminer", .string(softwareVersion(miner))), ("Miner", .string(softwareVersion(miner))), ("Type", .string(spec.model.name))]
            : [("BMMiner", "1.0.0"), ("Miner", "uart_trans.1.3"), ("CompileTime", "Mon Mar 18 15:16:03 CST 2024"), ("Type", .string(spec.model.name))]
        head.append(("STATS", 0))
        let freq = Int((spec.model.stockChipMHz * max(r.frequencyRatio, 0)).rounded())
        var s: [(String, ReplyJSON)] = [
            ("STATS", 0), ("ID", "BC50"), ("Elapsed", .int(Int(r.uptimeSeconds))), ("Calls", 0), ("Wait", 0.0),
            ("Max", 0.0), ("Min", 99_999_999.0),
            ("GHS 5s", lux ? .num(r.hashrateTHs * 1_000) : .string(ReplyJSON.fixed(r.hashrateTHs * 1_000, 2))),
            ("GHS av", .num(r.averageHashrateTHs * 1_000)), ("miner_count", .int(spec.boards)),
            ("frequency", .string(String(freq))), ("fan_num", .int(spec.fans)),
        ]
        for (i, rpm) in r.fanRPM.enumerated() { s.append(("fan\(i + 1)", .int(rpm))) }
        s.append(("temp_num", .int(spec.boards)))
        for b in 0..<spec.boards { s.append(("temp\(b + 1)", .int(Int(r.boardTemperatureC[b].rounded())))) }
        for b in 0..<spec.boards { s.append(("temp2_\(b + 1)", .int(Int(r.chipTemperatureC[b].rounded())))) }
        for b in 0..<spec.boards {
            let t = Int(r.boardTemperatureC[b].rounded())
            s.append(("temp_pcb\(b + 1)", .string("\(t - 2)-\(t)-\(t + 1)-\(t - 1)")))
        }
        for b in 0..<spec.boards {
            let t = Int(r.chipTemperatureC[b].rounded())
            s.append(("temp_chip\(b + 1)", .string("\(t - 2)-\(t)-\(t + 1)-\(t - 1)")))
        }
        s.append(("total_rateideal", .num(spec.model.stockHashrateTHs * 1_000 * max(r.frequencyRatio, 0))))
        s.append(("rate_unit", "GH"))
        s.append(("total_freqavg", .int(freq)))
        s.append(("total_acn", .int(r.boardChips.reduce(0, +))))
        s.append(("total rate", .num(r.hashrateTHs * 1_000)))
        s.append(("total_power", .int(Int(r.powerW.rounded()))))
        for b in 0..<spec.boards {
            s.append(("chain_rateideal\(b + 1)", .num(spec.model.stockHashrateTHs * 1_000 / Double(spec.boards) * max(r.frequencyRatio, 0))))
        }
        for b in 0..<spec.boards { s.append(("chain_acn\(b + 1)", .int(r.boardChips[b]))) }
        for b in 0..<spec.boards {
            let chips = r.boardChips[b]
            let pattern = chips > 0 ? String(repeating: "o", count: chips) : ""
            s.append(("chain_acs\(b + 1)", .string(pattern)))
        }
        for b in 0..<spec.boards { s.append(("chain_hw\(b + 1)", .int(r.hardwareErrors / spec.boards))) }
        for b in 0..<spec.boards { s.append(("chain_rate\(b + 1)", .string(ReplyJSON.fixed(r.boardHashrateTHs[b] * 1_000, 2)))) }
        for b in 0..<spec.boards {
            s.append(("chain_power\(b + 1)", .int(Int((r.powerW / Double(spec.boards)).rounded()))))
        }
        s.append(("miner_version", .string(lux ? softwareVersion(miner) : "uart_trans.1.3")))
        s.append(("miner_id", .string(spec.serial)))
        return wrap(70, lux ? "LUXminer stats" : "BMMiner stats", "STATS", [.object(head), .object(s)], miner: miner)
    }

    static func pools(miner: SimulatedMiner, reading r: SimulatedReading) -> ReplyJSON {
        let list = miner.pools
        let items: [ReplyJSON] = list.enumerated().map { i, p in
            let active = i == 0
            return .object([
                ("POOL", .int(i)), ("URL", .string(p.url)), ("Status", "Alive"), ("Priority", .int(i)), ("Quota", 1),
                ("Long Poll", "N"), ("Getworks", .int(active ? r.accepted / 3 : 0)),
                ("Accepted", .int(active ? r.accepted : 0)), ("Rejected", .int(active ? r.rejected : 0)),
                ("Discarded", 0), ("Stale", 0), ("Get Failures", 0), ("Remote Failures", 0), ("User", .string(p.user)),
                ("Last Share Time", .int(active && r.isHashing ? Int(Date().timeIntervalSince1970) - 2 : 0)),
                ("Diff", .string(String(Int(miner.shareDifficulty)))), ("Diff1 Shares", 0), ("Proxy Type", ""), ("Proxy", ""),
                ("Difficulty Accepted", .num(active ? Double(r.accepted) * miner.shareDifficulty : 0, 0)),
                ("Difficulty Rejected", .num(active ? Double(r.rejected) * miner.shareDifficulty : 0, 0)),
                ("Difficulty Stale", 0.0), ("Last Share Difficulty", .num(miner.shareDifficulty, 0)),
                ("Has Stratum", true), ("Stratum Active", .bool(active)), ("Stratum URL", .string(active ? String(p.url.dropFirst(14)) : "")),
                ("Has GBT", false), ("Best Share", .int(active ? Int(miner.shareDifficulty * 37) : 0)),
                ("Pool Rejected%", 0.0), ("Pool Stale%", 0.0), ("GROUP", 0),
            ])
        }
        return wrap(7, "\(items.count) Pool(s)", "POOLS", items, miner: miner)
    }
}

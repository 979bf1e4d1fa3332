import Foundation
import GridshellCore
import GridshellMinerProtocol

/// The web interface of a simulated miner: stock Antminer's CGI API behind HTTP Digest
/// authentication, or LuxOS's web page.
enum WebResponder {
    static let realm = "antMiner Configuration"

    static func json(_ value: ReplyJSON, status: Int = 200) -> WebResponse {
        WebResponse(status: status, headers: [("Content-Type", "application/json")], body: value.bytes)
    }

    static func respond(to request: WebRequest, miner: SimulatedMiner) -> WebResponse {
        if miner.spec.firmware == .luxos {
            miner.count { $0.webRequests += 1 }
            return luxos(request, miner: miner)
        }
        let authorized = SimulatorAuth.authorized(request, miner: miner)
        miner.count {
            $0.webRequests += 1
            if !authorized { $0.challenges += 1 }
        }
        guard authorized else {
            return WebResponse(
                status: 401,
                headers: [
                    ("WWW-Authenticate", SimulatorAuth.challenge(miner: miner)),
                    ("Content-Type", "text/html"),
                ],
                body: Array("<html><body>401 Unauthorized</body></html>".utf8))
        }
        let r = miner.reading()
        let spec = miner.spec
        switch request.path {
        case "/", "/index.html":
            return WebResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array("<html><head><title>\(spec.model.name)</title></head><body>Antminer</body></html>".utf8))
        case "/cgi-bin/get_system_info.cgi":
            return json(.object([
                ("minertype", .string(spec.model.name)), ("nettype", "DHCP"), ("netdevice", "eth0"),
                ("macaddr", .string(spec.mac)), ("hostname", .string(spec.hostname)), ("ipaddress", .string(spec.address)),
                ("netmask", "255.0.0.0"), ("gateway", ""), ("dnsservers", ""), ("system_mode", "GNU/Linux"),
                ("system_kernel_version", "Linux 4.9.113 #1 SMP PREEMPT Mon Mar 18 15:16:03 CST 2024"),
                ("system_filesystem_version", "Mon Mar 18 15:16:03 CST 2024"), ("firmware_type", "Release"),
                ("serinum", .string(spec.serial)),
            ]))
        case "/cgi-bin/get_miner_conf.cgi":
            return json(minerConf(miner, reading: r))
        case "/cgi-bin/set_miner_conf.cgi":
            return setMinerConf(request, miner: miner)
        case "/cgi-bin/summary.cgi":
            return json(.object([
                ("STATUS", status("summary")), ("INFO", info(miner)),
                ("SUMMARY", .array([.object([
                    ("elapsed", .int(Int(r.uptimeSeconds))), ("rate_5s", .num(r.hashrateTHs * 1_000)),
                    ("rate_30m", .num(r.averageHashrateTHs * 1_000)), ("rate_avg", .num(r.averageHashrateTHs * 1_000)),
                    ("rate_ideal", .num(spec.model.stockHashrateTHs * 1_000)), ("rate_unit", "GH/s"),
                    ("hw_all", .int(r.hardwareErrors)), ("bestshare", .int(Int(miner.shareDifficulty * 37))),
                    ("status", .array([
                        .obj(["type": "rate", "status": r.isHashing || r.setting == .sleep ? "s" : "e", "code": 0, "msg": ""]),
                        .obj(["type": "network", "status": "s", "code": 0, "msg": ""]),
                        .obj(["type": "fans", "status": "s", "code": 0, "msg": ""]),
                        .obj(["type": "temp", "status": r.errors.isEmpty ? "s" : "e", "code": 0, "msg": .string(r.errors.first ?? "")]),
                    ])),
                ])])),
            ]))
        case "/cgi-bin/stats.cgi":
            let chains: [ReplyJSON] = (0..<spec.boards).map { b in
                let pcb = r.boardTemperatureC[b], chip = r.chipTemperatureC[b]
                return .object([
                    ("index", .int(b)), ("freq_avg", .int(Int(spec.model.stockChipMHz * r.frequencyRatio))),
                    ("rate_ideal", .num(spec.model.stockHashrateTHs * 1_000 / Double(spec.boards) * r.frequencyRatio)),
                    ("rate_real", .num(r.boardHashrateTHs[b] * 1_000)), ("asic_num", .int(r.boardChips[b])),
                    ("asic", .string(String(repeating: "o", count: r.boardChips[b]))),
                    ("temp_pic", .array([.int(Int(pcb)), .int(Int(pcb)), .int(Int(pcb + 1)), .int(Int(pcb + 1))])),
                    ("temp_pcb", .array([.int(Int(pcb - 2)), .int(Int(pcb)), .int(Int(pcb + 1)), .int(Int(pcb - 1))])),
                    ("temp_chip", .array([.int(Int(chip - 2)), .int(Int(chip)), .int(Int(chip + 1)), .int(Int(chip - 1))])),
                    ("hw", .int(r.hardwareErrors / spec.boards)), ("eeprom_loaded", true),
                    ("sn", .string(spec.serial + "B\(b)")), ("hwp", 0.0),
                ])
            }
            return json(.object([
                ("STATUS", status("stats")), ("INFO", info(miner)),
                ("STATS", .array([.object([
                    ("elapsed", .int(Int(r.uptimeSeconds))), ("rate_5s", .num(r.hashrateTHs * 1_000)),
                    ("rate_30m", .num(r.averageHashrateTHs * 1_000)), ("rate_avg", .num(r.averageHashrateTHs * 1_000)),
                    ("rate_ideal", .num(spec.model.stockHashrateTHs * 1_000)), ("rate_unit", "GH/s"),
                    ("chain_num", .int(spec.boards)), ("fan_num", .int(spec.fans)),
                    ("fan", .array(r.fanRPM.map { .int($0) })), ("hwp_total", 0.0),
                    ("miner-mode", .int(workMode(r.setting))), ("freq-level", 100), ("chain", .array(chains)),
                ])])),
            ]))
        case "/cgi-bin/pools.cgi":
            let items: [ReplyJSON] = miner.pools.enumerated().map { i, p in
                .object([
                    ("index", .int(i)), ("url", .string(p.url)), ("user", .string(p.user)), ("status", "Alive"),
                    ("priority", .int(i)), ("getworks", .int(i == 0 ? r.accepted / 3 : 0)),
                    ("accepted", .int(i == 0 ? r.accepted : 0)), ("rejected", .int(i == 0 ? r.rejected : 0)),
                    ("discarded", 0), ("stale", 0), ("diff", .string(String(Int(miner.shareDifficulty)))),
                    ("diff1", 0), ("diffa", .int(i == 0 ? Int(Double(r.accepted) * miner.shareDifficulty) : 0)),
                    ("diffr", 0), ("diffs", 0), ("lsdiff", .int(Int(miner.shareDifficulty))), ("lstime", "0:00:02"),
                ])
            }
            return json(.object([("STATUS", status("pools")), ("INFO", info(miner)), ("POOLS", .array(items))]))
        case "/cgi-bin/reboot.cgi":
            miner.reboot(seconds: 60)
            return json(.obj(["stats": "success", "code": "R000", "msg": "OK!"]))
        case "/cgi-bin/blink.cgi", "/cgi-bin/get_blink_status.cgi":
            return json(.obj(["blink": false]))
        default:
            return WebResponse(status: 404, headers: [("Content-Type", "text/html")], body: Array("<html><body>404 Not Found</body></html>".utf8))
        }
    }

    static func status(_ msg: String) -> ReplyJSON {
        .obj(["STATUS": "S", "when": .int(Int(Date().timeIntervalSince1970)), "Msg": .string(msg), "api_version": "1.0.0"])
    }

    static func info(_ miner: SimulatedMiner) -> ReplyJSON {
        .obj(["miner_version": "uart_trans.1.3", "CompileTime": "Mon Mar 18 15:16:03 CST 2024", "type": .string(miner.spec.model.name)])
    }

    /// Stock work modes: 0 normal, 1 sleep, 3 low power.
    static func workMode(_ setting: SimulatedSetting) -> Int {
        switch setting {
        case .sleep: return 1
        case .lowPower: return 3
        default: return 0
        }
    }

    static func minerConf(_ miner: SimulatedMiner, reading r: SimulatedReading) -> ReplyJSON {
        .object([
            ("pools", .array(miner.pools.map { .obj(["url": .string($0.url), "user": .string($0.user), "pass": "x"]) })),
            ("api-listen", true), ("api-network", true), ("api-groups", "A:stats:pools:devs:summary:version"),
            ("api-allow", "A:0/0,W:*"), ("bitmain-fan-ctrl", false), ("bitmain-fan-pwm", "100"),
            ("bitmain-use-vil", true), ("bitmain-freq", .string(String(Int(miner.spec.model.stockChipMHz)))),
            ("bitmain-voltage", "1400"), ("bitmain-ccdelay", "0"), ("bitmain-pwth", "0"),
            ("bitmain-work-mode", .string(String(workMode(r.setting)))), ("bitmain-freq-level", "100"),
        ])
    }

    /// `set_miner_conf.cgi`: the full configuration as JSON; `miner-mode` (or
    /// `bitmain-work-mode`) 0 normal, 1 sleep, 3 low power. The firmware restarts bmminer.
    static func setMinerConf(_ request: WebRequest, miner: SimulatedMiner) -> WebResponse {
        guard request.method == "POST" else {
            return json(.obj(["stats": "error", "code": "M001", "msg": "POST a JSON configuration"]), status: 405)
        }
        guard let object = (try? LenientJSON.parse(request.body))?.object else {
            return json(.obj(["stats": "error", "code": "M002", "msg": "Configuration is not JSON"]))
        }
        // What pyasic and Gridshell send (`miner-mode`), or a whole configuration (`bitmain-work-mode`).
        var change = AntminerMinerConfig.change(fromBody: object)
        if change.mode == nil, let code = object.string("bitmain-work-mode") { change.mode = AntminerMinerConfig.WorkMode(code: code) }
        let pools = change.pools.filter { !$0.url.isEmpty }
        if !pools.isEmpty { miner.setPools(pools.map { ($0.url, $0.user) }) }
        let mode = change.mode.flatMap { Int($0.code) }
        let raw = change.mode?.code
        if let raw { miner.note(command: "set_miner_conf \(raw)") }
        switch mode {
        case 0?: if miner.setting != .normal { miner.apply(.normal) }
        case 1?: if miner.setting != .sleep { miner.apply(.sleep) }
        case 3?: if miner.setting != .lowPower { miner.apply(.lowPower) }
        case nil: break
        default:
            return json(.obj(["stats": "error", "code": "M003", "msg": .string("Unknown miner-mode \(raw ?? "")")]))
        }
        return json(.obj(["stats": "success", "code": "M000", "msg": "OK!"]))
    }

    static func luxos(_ request: WebRequest, miner: SimulatedMiner) -> WebResponse {
        switch request.path {
        case "/", "/index.html":
            let page = "<!DOCTYPE html><html><head><title>Luxor Firmware</title></head><body><div id=\"app\">Luxor Firmware - \(miner.spec.model.name)</div></body></html>"
            return WebResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array(page.utf8))
        default:
            return WebResponse(status: 404, headers: [("Content-Type", "text/html")], body: Array("<html><body>404 Not Found</body></html>".utf8))
        }
    }
}

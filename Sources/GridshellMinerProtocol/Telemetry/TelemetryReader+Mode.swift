import GridshellCore

struct PowerReading {
    var watts: Double?
    var limitW: Double?
    var profile: String?
    /// LuxOS reports the miner curtailed (asleep).
    var luxSleeping = false
}

extension TelemetryReader {
    func readPools() -> [PoolTelemetry] {
        let objects = reply("pools")?.section("POOLS") ?? []
        let hasActiveFlag = objects.contains { $0.value(forKeyIgnoringCase: "Stratum Active") != nil }
        var pools: [PoolTelemetry] = []
        var priorities: [Int] = []
        for o in objects {
            guard let url = o.string("URL")?.trimmingSpaces, !url.isEmpty else { continue }
            let user = o.string("User").flatMap { $0.isEmpty ? nil : $0 }
            pools.append(
                PoolTelemetry(
                    url: url, user: user, status: o.string("Status"), accepted: o.int("Accepted"),
                    rejected: o.int("Rejected"), active: o.bool("Stratum Active") ?? false))
            priorities.append(o.int("Priority") ?? pools.count - 1)
        }
        // Web pages have no "Stratum Active": the alive pool of best priority is the one in use.
        if !hasActiveFlag {
            let alive = pools.indices.filter { pools[$0].status?.lowercased() == "alive" }
            if let best = alive.min(by: { priorities[$0] < priorities[$1] }) { pools[best].active = true }
        }
        return pools
    }

    func readPower() -> PowerReading {
        var p = PowerReading()
        let tuner = reply("tunerstatus")?.first("TUNERSTATUS")
        p.watts = reply("power")?.first("POWER")?.double("Watts")
            ?? tuner?.double("ApproximateMinerPowerConsumption")
            ?? statsPowerW
            ?? summaryObject?.double("Power")
        let config = reply("config")?.first("CONFIG")
        p.profile = config?.string("Profile")
        if let name = p.profile {
            let active = reply("profiles")?.section("PROFILES").first { $0.string("Profile Name") == name }
            p.limitW = active?.double("Watts")
        }
        let atm = reply("atm")?.first("ATM")
        p.limitW = p.limitW ?? atm?.double("PowerTarget") ?? atm?.double("PowerLimit") ?? tuner?.double("PowerLimit")
        // LuxOS names the curtailment state in `config`; the member's name has changed between
        // versions, so any member about curtailing or sleeping that says so counts.
        for (key, value) in config ?? JSONObject() {
            let k = key.lowercased()
            guard k.contains("curtail") || k.contains("sleep") else { continue }
            if value.bool == true || (value.stringValue?.lowercased().contains("sleep") ?? false) { p.luxSleeping = true }
        }
        return p
    }

    /// Wall power from bmminer forks: `total_power`, `chain_power` ("967.50 (AB)"), the sum of
    /// `chain_powerN` or of vnish's `chain_consumptionN`.
    var statsPowerW: Double? {
        guard let s = statsObject else { return nil }
        for key in ["total_power", "Power", "chain_power"] {
            if let w = s.value(forKeyIgnoringCase: key)?.leadingDouble, w.isFinite, w > 0 { return w }
        }
        for prefix in ["chain_power", "chain_consumption"] {
            let parts = numbered(s, prefix).values.compactMap(\.double).filter { $0.isFinite && $0 > 0 }
            if !parts.isEmpty { return parts.reduce(0, +) }
        }
        return nil
    }

    /// Warnings the firmware raises without failing the command: STATUS W, and the stock web
    /// summary's `status` list (`{"type":"fans","status":"e","msg":"..."}`).
    func readStatusWarnings() -> [String] {
        var out: [String] = []
        for command in replies.keys.sorted() {
            if let s = replies[command]?.status, s.severity == .warning {
                out.append("\(command): \(s.message ?? "warning")")
            }
        }
        for item in summaryObject?.objects("status") ?? [] {
            let letter = item.string("status")?.lowercased() ?? "s"
            guard letter != "s" else { continue }
            let msg = item.string("msg").flatMap { $0.isEmpty ? nil : $0 } ?? "code \(item.string("code") ?? "?")"
            out.append("\(item.string("type") ?? "status"): \(msg)")
        }
        return out
    }

    /// What the miner is doing, from its own markers first and its hashrate second.
    ///
    /// Asleep when LuxOS says it is curtailed, the stock web config has work mode 1, bmminer
    /// reports `"Mode":254` (S17/T17 stock sleep), or, on S19-class stock firmware that has no
    /// marker, every chip reads `x`, nothing was hashed since start, no share was accepted and
    /// the boards are cool (an overheated miner also shows `x` chips, but hot and after shares).
    func decideMode(
        rates: HashrateReading, boards: [BoardReading], pools: [PoolTelemetry], power: PowerReading,
        uptime: Double?, errors: inout [String]
    ) -> MinerMode {
        let boardRate = boards.compactMap(\.hashrateTHs).filter { $0.isFinite }.reduce(0, +)
        let hashing = (rates.now ?? 0) > 0 || boardRate > 0
        let knowsRate = rates.now != nil || boards.contains { $0.hashrateTHs != nil }

        var asleep = power.luxSleeping || minerConfig?.workMode == .sleep || statsObject?.int("Mode") == 254
        if !asleep, !hashing, !boards.isEmpty {
            let chipsAllDown = boards.allSatisfy { $0.okChips == 0 && ($0.badChips ?? 0) > 0 }
            let nothingHashed = (rates.average ?? 0) == 0
            let noShares = pools.allSatisfy { ($0.accepted ?? 0) == 0 }
            let cool = boards.compactMap(\.chipTemperatureC).allSatisfy { $0 < 60 }
            asleep = chipsAllDown && nothingHashed && noShares && cool
        }
        if asleep { return hashing ? .ramping : .sleep }
        if hashing { return minerConfig?.workMode == .lowPower ? .lowPower : .normal }
        guard knowsRate else { return minerConfig.map { Self.mode(for: $0.workMode) } ?? .unknown }
        if let up = uptime, up < 600 { return .ramping }
        errors.append("not hashing: 0 TH/s and no sleep marker")
        return .unknown
    }

    static func mode(for workMode: AntminerMinerConfig.WorkMode) -> MinerMode {
        switch workMode {
        case .normal: return .normal
        case .sleep: return .sleep
        case .lowPower: return .lowPower
        case .other: return .unknown
        }
    }
}

import Foundation
import GridshellCore

/// LuxOS's own commands on the cgminer API: sessions, curtail, profiles, ATM, power.
enum LuxOSResponder {
    static func ok(_ code: Int, _ msg: String, miner: SimulatedMiner, key: String? = nil, items: [ReplyJSON] = []) -> ReplyJSON {
        var pairs: [(String, ReplyJSON)] = [("STATUS", RPCResponder.status("S", code: code, msg: msg, miner: miner))]
        if let key { pairs.append((key, .array(items))) }
        pairs.append(("id", 1))
        return .object(pairs)
    }

    static func fail(_ code: Int, _ msg: String, miner: SimulatedMiner) -> ReplyJSON {
        .object([("STATUS", RPCResponder.status("E", code: code, msg: msg, miner: miner)), ("id", 1)])
    }

    /// The profiles the firmware offers: the catalog's LuxOS points, named as LuxOS names them.
    static func profiles(_ miner: SimulatedMiner) -> [OperatingPoint] {
        miner.spec.model.operatingPoints(.luxos).filter { $0.kind != .sleep }
    }

    /// Splits `"<session>,<argument>"` and checks the session.
    static func session(_ parameter: String?, miner: SimulatedMiner) -> (ok: Bool, argument: String) {
        let parts = (parameter ?? "").split(separator: ",", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard let id = parts.first, !id.isEmpty, miner.useSession(id) else { return (false, "") }
        return (true, parts.count > 1 ? parts[1] : "")
    }

    static func body(_ command: String, parameter: String?, miner: SimulatedMiner, reading r: SimulatedReading) -> ReplyJSON {
        switch command {
        case "logon":
            switch miner.logon() {
            case .success(let id): return ok(316, "Session created", miner: miner, key: "SESSION", items: [.object([("SessionID", .string(id))])])
            case .failure: return fail(317, "Another session is active", miner: miner)
            }
        case "logoff":
            let id = (parameter ?? "").split(separator: ",").first.map(String.init) ?? ""
            guard miner.useSession(id) else { return fail(318, "Invalid session id", miner: miner) }
            miner.logoff(id)
            return ok(319, "Session ended", miner: miner)
        case "session":
            // The open session, if any, so a second client can share it (LuxOS allows one).
            return ok(320, "Session", miner: miner, key: "SESSION", items: [.object([("SessionID", .string(miner.activeSession ?? ""))])])
        case "curtail":
            let (valid, argument) = session(parameter, miner: miner)
            guard valid else { return fail(318, "Invalid session id", miner: miner) }
            miner.note(command: "curtail \(argument.lowercased())")
            switch argument.lowercased() {
            case "sleep": miner.apply(.sleep)
            case "wakeup", "wake", "wake_up": miner.apply(currentProfileSetting(miner))
            default: return fail(336, "Invalid curtail mode '\(argument)': expected sleep or wakeup", miner: miner)
            }
            return ok(335, "Curtail \(argument.lowercased())", miner: miner)
        case "profiles":
            let items: [ReplyJSON] = profiles(miner).map { p in
                .object([
                    ("Profile Name", .string(p.name)), ("Frequency", .int(Int((miner.spec.model.stockChipMHz * p.frequencyRatio).rounded()))),
                    ("Hashrate", .num(p.hashrateTHs)), ("IsDynamic", false), ("IsTuned", false), ("Step", .string(stepName(p))),
                    ("Voltage", .num(12 + 2.5 * p.frequencyRatio)), ("Watts", .int(Int(p.powerW.rounded()))),
                ])
            }
            return ok(327, "Profiles", miner: miner, key: "PROFILES", items: items)
        case "profileset", "profile_set":
            let (valid, argument) = session(parameter, miner: miner)
            guard valid else { return fail(318, "Invalid session id", miner: miner) }
            if miner.atmEnabled { return fail(322, "Cannot set profile while ATM is enabled", miner: miner) }
            guard let point = resolveProfile(argument, miner: miner) else {
                return fail(323, "Unknown profile '\(argument)'", miner: miner)
            }
            let name = point.name
            miner.note(command: "profileset \(name)")
            if case .sleep = miner.setting {
                // A profile chosen while asleep applies on wake-up.
                miner.remember(profile: .profile(name: name, frequencyRatio: point.frequencyRatio))
            } else {
                miner.apply(.profile(name: name, frequencyRatio: point.frequencyRatio))
            }
            return ok(321, "Profile set to \(name)", miner: miner, key: "PROFILE", items: [.object([("Profile", .string(name))])])
        case "atm":
            return ok(
                339, "ATM configuration", miner: miner, key: "ATM",
                items: [.object([("Enabled", .bool(miner.atmEnabled)), ("MaxProfile", "default"), ("MinProfile", .string(profiles(miner).first?.name ?? "default")), ("PostRampMinutes", 15), ("StartupMinutes", 15), ("TempWindow", 5)])])
        case "atmset":
            let (valid, argument) = session(parameter, miner: miner)
            guard valid else { return fail(318, "Invalid session id", miner: miner) }
            let lowered = argument.lowercased().replacingOccurrences(of: " ", with: "")
            if lowered.contains("enabled=false") || lowered == "false" {
                miner.setATM(false)
            } else if lowered.contains("enabled=true") || lowered == "true" {
                miner.setATM(true)
            } else {
                return fail(340, "Invalid ATM setting '\(argument)': expected enabled=true or enabled=false", miner: miner)
            }
            return ok(340, "ATM configuration updated", miner: miner)
        case "power":
            return ok(
                330, "Power", miner: miner, key: "POWER",
                items: [.object([("PSU", true), ("Watts", .int(Int(r.powerW.rounded())))])])
        case "config":
            let profile: String
            switch r.setting {
            case .profile(let name, _): profile = name
            default: profile = "default"
            }
            return ok(
                33, "LUXminer config", miner: miner, key: "CONFIG",
                items: [.object([
                    ("ASC Count", .int(miner.spec.boards)), ("PGA Count", 0), ("Pool Count", .int(miner.pools.count)),
                    ("Strategy", "Failover"), ("Log Interval", 5), ("Profile", .string(profile)),
                    ("IsAtmEnabled", .bool(miner.atmEnabled)), ("IsPowerSupplyOn", true),
                    ("CurtailMode", .string(r.setting == .sleep ? "sleep" : "None")), ("RedLed", "off"),
                    ("MACAddr", .string(miner.spec.mac.lowercased())), ("SerialNumber", .string(miner.spec.serial)),
                    ("Model", .string(miner.spec.model.name)), ("SystemStatus", .string(r.setting == .sleep ? "Sleeping" : "Mining")),
                ])])
        case "groups":
            return ok(
                350, "Groups", miner: miner, key: "GROUPS",
                items: [.object([("GROUP", 0), ("Name", "Default"), ("Quota", 1)])])
        case "tempctrl":
            return ok(
                203, "Temp control", miner: miner, key: "TEMPCTRL",
                items: [.object([("Dangerous", 95), ("Hot", 85), ("Mode", "auto"), ("Target", 75)])])
        default:
            return fail(14, "Invalid command", miner: miner)
        }
    }

    static func stepName(_ p: OperatingPoint) -> String {
        let steps = Int(((p.frequencyRatio - 1) / 0.05).rounded())
        return steps == 0 ? "0" : (steps > 0 ? "+\(steps)" : "\(steps)")
    }

    /// A profile by name, `<n>W` (the highest profile at or under n watts) or `<n>THs`.
    static func resolveProfile(_ argument: String, miner: SimulatedMiner) -> OperatingPoint? {
        let list = profiles(miner)
        let text = argument.trimmingCharacters(in: .whitespaces)
        if let p = list.first(where: { $0.name.caseInsensitiveCompare(text) == .orderedSame }) { return p }
        let lowered = text.lowercased()
        if lowered.hasSuffix("w"), let w = Double(lowered.dropLast()) {
            return list.filter { $0.powerW <= w }.max { $0.powerW < $1.powerW } ?? list.first
        }
        if lowered.hasSuffix("ths"), let t = Double(lowered.dropLast(3)) {
            return list.filter { $0.hashrateTHs <= t }.max { $0.hashrateTHs < $1.hashrateTHs } ?? list.first
        }
        return nil
    }

    static func currentProfileSetting(_ miner: SimulatedMiner) -> SimulatedSetting {
        miner.rememberedProfile ?? .normal
    }
}

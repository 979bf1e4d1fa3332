import GridshellCore

struct HashrateReading {
    var now: Double?
    var average: Double?
    var expected: Double?
}

struct ShareReading {
    var accepted: Int?
    var rejected: Int?
    var hardwareErrors: Int?
}

extension TelemetryReader {
    /// The `stats` element that carries the measurements (the first one only names versions).
    static func measuringStats(_ reply: CGMinerReply) -> JSONObject? {
        let markers = ["GHS 5s", "MHS 5s", "rate_5s", "Elapsed", "chain", "fan_num", "chain_acn1", "miner_count"]
        return reply.section("STATS").first { o in markers.contains { o.value(forKeyIgnoringCase: $0) != nil } }
    }

    /// A rate in TH/s from the first of `names` present in `object`: `GHS`/`MHS`/`THS` keys
    /// carry their unit in the name (adjusted by `rate_unit` or the algorithm for `GHS`), plain
    /// `rate_*` keys take `rate_unit` (GH/s when absent).
    func rate(in object: JSONObject?, _ names: [String], algorithm: HashAlgorithm) -> Double? {
        guard let object else { return nil }
        let declared = object.string("rate_unit").flatMap { HashUnit(text: $0) }
        for name in names {
            guard let v = object.double(name) else { continue }
            let upper = name.uppercased()
            let unit: HashUnit
            if upper.hasPrefix("GHS") {
                unit = declared ?? algorithm.ghsFieldUnit
            } else if upper.hasPrefix("MHS") {
                unit = .mega
            } else if upper.hasPrefix("KHS") {
                unit = .kilo
            } else if upper.hasPrefix("THS") {
                unit = .tera
            } else {
                unit = declared ?? .giga
            }
            return v.isFinite ? unit.terahashes(v) : nil
        }
        return nil
    }

    func readHashrates(algorithm: HashAlgorithm) -> HashrateReading {
        let nowKeys = ["GHS 5s", "MHS 5s", "THS 5s", "KHS 5s", "rate_5s"]
        let averageKeys = ["GHS av", "MHS av", "THS av", "KHS av", "rate_avg"]
        var r = HashrateReading()
        r.now = rate(in: summaryObject, nowKeys, algorithm: algorithm) ?? rate(in: statsObject, nowKeys, algorithm: algorithm)
        r.average = rate(in: summaryObject, averageKeys, algorithm: algorithm)
            ?? rate(in: statsObject, averageKeys, algorithm: algorithm)
        if let stats = statsObject {
            if let ideal = stats.double("total_rateideal") ?? stats.double("rate_ideal"), ideal.isFinite {
                let unit = stats.string("rate_unit").flatMap { HashUnit(text: $0) }
                    ?? (stats.value(forKeyIgnoringCase: "total_rateideal") != nil ? algorithm.ghsFieldUnit : .giga)
                r.expected = unit.terahashes(ideal)
            }
        }
        if r.expected == nil {
            let nominal = (reply("devs")?.section("DEVS") ?? []).compactMap { $0.double("Nominal MHS") }
            if !nominal.isEmpty { r.expected = HashUnit.mega.terahashes(nominal.reduce(0, +)) }
        }
        if r.expected == nil, let ideal = summaryObject?.double("rate_ideal") {
            let unit = summaryObject?.string("rate_unit").flatMap { HashUnit(text: $0) } ?? .giga
            r.expected = unit.terahashes(ideal)
        }
        return r
    }

    func readUptime() -> Double? {
        for object in [summaryObject, statsObject] {
            if let e = object?.double("Elapsed"), e.isFinite { return e }
        }
        return nil
    }

    func readShares(pools: [PoolTelemetry], boards: [BoardReading]) -> ShareReading {
        var s = ShareReading()
        let source = summaryObject?.value(forKeyIgnoringCase: "Accepted") != nil ? summaryObject : statsObject
        s.accepted = source?.int("Accepted")
        s.rejected = source?.int("Rejected")
        s.hardwareErrors = summaryObject?.int("Hardware Errors") ?? statsObject?.int("Hardware Errors")
            ?? summaryObject?.int("hw_all") ?? statsObject?.int("hw_all")
        if s.accepted == nil, !pools.isEmpty, pools.contains(where: { $0.accepted != nil }) {
            s.accepted = pools.compactMap(\.accepted).reduce(0, +)
            s.rejected = pools.compactMap(\.rejected).reduce(0, +)
        }
        if s.hardwareErrors == nil {
            let perBoard = boards.compactMap(\.hardwareErrors)
            if !perBoard.isEmpty { s.hardwareErrors = perBoard.reduce(0, +) }
        }
        return s
    }
}

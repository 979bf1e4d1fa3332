import GridshellCore

/// One hashboard while the reader still knows how it was reported.
struct BoardReading {
    var slot: Int
    var index: Int
    var hashrateTHs: Double?
    /// Chips the firmware found (`chain_acn`, `asic_num`, Braiins `Chips`).
    var detectedChips: Int?
    /// Working and failed chips from `chain_acs` (`o`/`x` per chip), where the firmware reports
    /// per-chip status; chips it lists without a mark count as working.
    var okChips: Int?
    var badChips: Int?
    var boardTemperatureC: Double?
    var chipTemperatureC: Double?
    var hardwareErrors: Int?
    var expectedChips: Int?
    /// Whether the board showed any sign of being there (chips, chip status or hashrate).
    var present: Bool
    var alive = true
    /// Sensors reading impossible values, as messages.
    var sensorFaults: [String] = []

    var telemetry: HashboardTelemetry {
        HashboardTelemetry(
            index: index, hashrateTHs: hashrateTHs, chips: okChips ?? detectedChips, expectedChips: expectedChips,
            boardTemperatureC: boardTemperatureC, chipTemperatureC: chipTemperatureC, alive: alive)
    }
}

/// Temperatures outside this range come from a broken sensor, not a board; 0 means "no sensor".
let plausibleTemperatureC: ClosedRange<Double> = -20...150

extension TelemetryReader {
    /// Members named `prefix` + digits (`chain_acn6` → 6), by number.
    func numbered(_ object: JSONObject, _ prefix: String) -> [Int: JSONValue] {
        numbered(object, [prefix])[0]
    }

    /// `numbered` for several prefixes in one pass over the keys (a stats reply has a hundred).
    func numbered(_ object: JSONObject, _ prefixes: [String]) -> [[Int: JSONValue]] {
        var out = [[Int: JSONValue]](repeating: [:], count: prefixes.count)
        let patterns = prefixes.map { Array($0.utf8) }
        for (key, value) in object {
            var k = key
            k.withUTF8 { bytes in
                for (which, p) in patterns.enumerated() where bytes.count > p.count {
                    var matches = true
                    for i in 0..<p.count where bytes[i] != p[i] {
                        matches = false
                        break
                    }
                    guard matches else { continue }
                    var n = 0
                    var digits = 0
                    for i in p.count..<bytes.count {
                        let b = bytes[i]
                        guard b >= 48 && b <= 57, digits < 9 else {
                            digits = 0
                            break
                        }
                        n = n * 10 + Int(b - 48)
                        digits += 1
                    }
                    if digits > 0 { out[which][n] = value }
                }
            }
        }
        return out
    }

    /// Temperatures from `"45-42-45-42"` (negative readings too: `"2--1-20-22"`), an array, or
    /// a number.
    static func temperatures(_ value: JSONValue?) -> [Double] {
        guard let value else { return [] }
        if let array = value.array { return array.compactMap(\.double) }
        if case .number(let d) = value { return [d] }
        guard let text = value.stringValue else { return [] }
        var out: [Double] = []
        var token = ""
        for c in text {
            if c == "-" && !token.isEmpty && token != "-" {
                if let d = Double(token) { out.append(d) }
                token = ""
            } else if c == "-" && token.isEmpty {
                token = "-"
            } else if c.isASCIIDigitCharacter || c == "." {
                token.append(c)
            }
        }
        if let d = Double(token) { out.append(d) }
        return out
    }

    /// The highest plausible reading (zeros are empty sensors), and messages for impossible ones.
    static func hottest(_ readings: [Double], what: String) -> (Double?, [String]) {
        var faults: [String] = []
        var valid: [Double] = []
        for r in readings where r != 0 {
            if plausibleTemperatureC.contains(r) { valid.append(r) } else { faults.append("\(what) sensor reads \(format(r)) °C") }
        }
        return (valid.max(), faults)
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e9 ? String(Int(d)) : String(d)
    }

    func readBoards(algorithm: HashAlgorithm) -> [BoardReading] {
        if let stats = statsObject {
            if let chains = stats.array("chain") { return newFormBoards(chains.compactMap(\.object), stats: stats) }
            let old = oldFormBoards(stats, algorithm: algorithm)
            if !old.isEmpty { return old }
        }
        return devsBoards()
    }

    /// bmminer's flat form: `chain_acnN`, `chain_acsN`, `chain_rateN`, `temp_pcbN`/`temp_chipN`
    /// or `tempN`/`temp2_N`, with N counting from 1 (S19) or 6 (S9) and unused slots left empty.
    func oldFormBoards(_ s: JSONObject, algorithm: HashAlgorithm) -> [BoardReading] {
        let groups = numbered(s, ["chain_acn", "chain_acs", "chain_rate", "chain_hw", "temp_pcb", "temp_chip", "temp", "temp2_"])
        let acn = groups[0], acs = groups[1], rate = groups[2], hw = groups[3]
        let pcb = groups[4], chip = groups[5], board1 = groups[6], chip2 = groups[7]
        let unit = s.string("rate_unit").flatMap { HashUnit(text: $0) } ?? algorithm.ghsFieldUnit
        let slots = Set(acn.keys).union(acs.keys).union(rate.keys).sorted()
        var readings: [BoardReading] = []
        for slot in slots {
            let status = acs[slot]?.stringValue ?? ""
            let ok = status.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "o") ? 1 : 0) }
            let bad = status.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "x") || $1 == UInt8(ascii: "X") ? 1 : 0) }
            let detected = acn[slot]?.int
            let r = rate[slot]?.double.map { unit.terahashes($0) }
            let present = (detected ?? 0) > 0 || ok + bad > 0 || (r ?? 0) > 0
            guard present else { continue }
            var board = BoardReading(
                slot: slot, index: 0, hashrateTHs: r, detectedChips: detected,
                okChips: ok + bad > 0 ? max(ok, (detected ?? 0) - bad) : nil, badChips: ok + bad > 0 ? bad : nil,
                hardwareErrors: hw[slot]?.int, present: true)
            let pcbList = Self.temperatures(pcb[slot]), chipList = Self.temperatures(chip[slot])
            let (pcbMax, pcbFaults) = Self.hottest(pcbList.isEmpty ? Self.temperatures(board1[slot]) : pcbList, what: "board temperature")
            let (chipMax, chipFaults) = Self.hottest(chipList.isEmpty ? Self.temperatures(chip2[slot]) : chipList, what: "chip temperature")
            board.boardTemperatureC = pcbMax
            board.chipTemperatureC = chipMax
            board.sensorFaults = pcbFaults + chipFaults
            readings.append(board)
        }
        guard let first = readings.first?.slot else { return [] }
        let offset = ((first - 1) / 5) * 5 + 1
        for i in readings.indices { readings[i].index = readings[i].slot - offset }
        return readings
    }

    /// The `new_api` / `stats.cgi` form: `chain: [{index, rate_real, asic_num, temp_pcb[], temp_chip[]}]`.
    func newFormBoards(_ chains: [JSONObject], stats: JSONObject) -> [BoardReading] {
        let unit = stats.string("rate_unit").flatMap { HashUnit(text: $0) } ?? .giga
        return chains.enumerated().map { position, c in
            let index = c.int("index") ?? position
            let r = c.double("rate_real").map { unit.terahashes($0) }
            let chips = c.int("asic_num")
            var board = BoardReading(
                slot: index, index: index, hashrateTHs: r, detectedChips: chips,
                hardwareErrors: c.int("hw"), present: (chips ?? 0) > 0 || (r ?? 0) > 0)
            let (pcbMax, pcbFaults) = Self.hottest(Self.temperatures(c.value(forKeyIgnoringCase: "temp_pcb")), what: "board temperature")
            let (chipMax, chipFaults) = Self.hottest(Self.temperatures(c.value(forKeyIgnoringCase: "temp_chip")), what: "chip temperature")
            board.boardTemperatureC = pcbMax
            board.chipTemperatureC = chipMax
            board.sensorFaults = pcbFaults + chipFaults
            return board
        }
    }

    /// cgminer `devs` (Braiins reports one ASC per board), with Braiins `temps` and `devdetails`.
    func devsBoards() -> [BoardReading] {
        let devs = reply("devs")?.section("DEVS") ?? []
        guard !devs.isEmpty else { return [] }
        var temps: [Int: JSONObject] = [:]
        for t in reply("temps")?.section("TEMPS") ?? [] { if let id = t.int("ID") { temps[id] = t } }
        var details: [Int: JSONObject] = [:]
        for d in reply("devdetails")?.section("DEVDETAILS") ?? [] { if let id = d.int("ID") { details[id] = d } }
        return devs.enumerated().map { position, d in
            let id = d.int("ID") ?? d.int("ASC") ?? position
            let r = rate(in: d, ["MHS 5s", "GHS 5s", "THS 5s"], algorithm: .sha256)
            let chips = details[id]?.int("Chips")
            let alive = d.string("Status").map { $0.lowercased() == "alive" } ?? true
            var board = BoardReading(
                slot: id, index: position, hashrateTHs: r, detectedChips: chips,
                hardwareErrors: d.int("Hardware Errors"), present: alive || (r ?? 0) > 0)
            let (boardT, f1) = Self.hottest([temps[id]?.double("Board") ?? d.double("Temperature") ?? 0], what: "board temperature")
            let (chipT, f2) = Self.hottest([temps[id]?.double("Chip") ?? 0], what: "chip temperature")
            board.boardTemperatureC = boardT
            board.chipTemperatureC = chipT
            board.sensorFaults = f1 + f2
            return board
        }
    }

    /// Fan speeds in rpm: Braiins/LuxOS `fans`, the web `fan` array, or bmminer's `fanN` keys,
    /// where the used slots start at 1 (S19) or 5 (S9) and a stopped fan reads 0.
    func readFans() -> [Int] {
        let fans = reply("fans")?.section("FANS") ?? []
        if !fans.isEmpty { return fans.compactMap { $0.int("RPM") } }
        guard let s = statsObject else { return [] }
        if let list = s.array("fan") { return list.compactMap(\.int) }
        let numbered = numbered(s, "fan").compactMapValues(\.int)
        guard let top = numbered.keys.max() else { return [] }
        // Bounded: a miner has a handful of fans, whatever numbers a broken reply holds.
        let declared = min(max(0, s.int("fan_num") ?? 0), Self.maxFans)
        let highest = min(top, Self.maxFans)
        guard highest >= 1 else { return [] }
        let start = stride(from: 1, through: highest, by: 4).first { g in (g..<(g + 4)).contains { (numbered[$0] ?? 0) > 0 } }
        guard let start else { return declared > 0 ? (1...min(declared, highest)).map { numbered[$0] ?? 0 } : [] }
        let lastSpinning = (start..<(start + 4)).last { (numbered[$0] ?? 0) > 0 }!
        let count = max(declared, lastSpinning - start + 1)
        return (start..<(start + count)).compactMap { numbered[$0] }
    }

    static let maxFans = 32

    /// Readings that mean a board is overheating. Stock S19 firmware stops hashing with its
    /// boards at 88–92 °C and chips at 93–97 °C (the Foreman captures); S9 and Z11 chips run at
    /// 85–90 °C in normal operation, so the chip threshold sits above that.
    static let hotChipC = 95.0
    static let hotBoardC = 85.0

    /// Boards a model has; used to notice a board that reports nothing at all.
    static func expectedBoardCount(model: String) -> Int? {
        let m = model.uppercased().replacingAll(" ", with: "")
        guard m.hasPrefix("ANTMINER") else { return nil }
        let body = m.dropFirst("ANTMINER".count)
        if body.hasPrefix("L3") { return 4 }
        for family in ["S9", "S11", "S15", "S17", "S19", "S21", "T9", "T15", "T17", "T19", "T21", "D3", "Z11"] where body.hasPrefix(family) {
            return 3
        }
        return nil
    }

    /// Marks dead boards, adds the ones that are missing, and reports faults and heat.
    func judgeBoards(_ readings: [BoardReading], mode: MinerMode, model: String, errors: inout [String]) -> [BoardReading] {
        var boards = readings
        let expectedChips = boards.compactMap(\.detectedChips).max()
        let hashing = boards.contains { ($0.hashrateTHs ?? 0) > 0 } || mode == .normal || mode == .lowPower
        for i in boards.indices {
            boards[i].expectedChips = expectedChips
            let b = boards[i]
            let name = "board \(b.index)"
            for fault in b.sensorFaults { errors.append("\(name): \(fault)") }
            if mode == .sleep {
                boards[i].alive = b.present
                continue
            }
            if !b.present {
                boards[i].alive = false
                errors.append("\(name): no chips found")
            } else if b.okChips == 0, (b.badChips ?? 0) > 0 {
                boards[i].alive = false
                errors.append("\(name): none of its \(b.badChips!) chips is working")
            } else if hashing, let r = b.hashrateTHs, r <= 0 {
                boards[i].alive = false
                errors.append("\(name): no hashrate while the miner is hashing")
            } else if let ok = b.okChips, let bad = b.badChips, bad > 0 {
                errors.append("\(name): \(bad) of \(ok + bad) chips failing")
            }
            if let chip = b.chipTemperatureC, chip >= Self.hotChipC {
                errors.append("\(name): chip temperature \(Self.format(chip)) °C (overheating)")
            } else if let pcb = b.boardTemperatureC, pcb >= Self.hotBoardC {
                errors.append("\(name): board temperature \(Self.format(pcb)) °C (overheating)")
            }
        }
        // A board that reports nothing at all (old form only: slots there are positional).
        if mode != .sleep, statsObject?.array("chain") == nil, let expected = Self.expectedBoardCount(model: model),
            !boards.isEmpty, boards.count < expected
        {
            let have = Set(boards.map(\.index))
            for index in 0..<expected where !have.contains(index) {
                boards.append(BoardReading(slot: -1, index: index, detectedChips: 0, expectedChips: expectedChips, present: false, alive: false))
                errors.append("board \(index): missing (reports no chips)")
            }
            boards.sort { $0.index < $1.index }
        }
        return boards
    }
}

import Foundation
import GridshellCore

/// Which miners a simulated fleet holds: a mix of catalog models and firmware families, laid
/// out on consecutive loopback addresses, with faults assigned to a share of them.
public struct FleetPlan: Sendable {
    public struct Entry: Sendable, Equatable {
        public var model: MinerModel
        public var firmware: FirmwareFamily
        public var weight: Double
    }

    public enum FaultKind: String, Sendable, CaseIterable {
        case noAnswer = "no-answer", slow, garbage, deadBoard = "dead-board", overheating, rebooting
        case drip, huge
    }

    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public var entries: [Entry]
    public var faults: [(kind: FaultKind, share: Double)]

    /// The default mix: the five kinds the simulator must cover, in equal shares.
    public static let defaultMix = "s19jpro/stock:1,s21/stock:1,s21xp/stock:1,s19jpro/luxos:1,s21/luxos:1"

    /// Parses `model/firmware:weight,...` (`s21xp/stock:3,s19jpro/luxos:1`; the weight defaults to 1)
    /// and `kind:share,...` faults (`no-answer:0.05,slow:0.05`).
    public static func parse(mix: String, faults: String = "", catalog: MinerCatalog = .builtIn) throws -> FleetPlan {
        var entries: [Entry] = []
        for item in mix.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            let kind = parts[0].split(separator: "/", maxSplits: 1).map(String.init)
            guard kind.count == 2 else {
                throw Problem(description: "mix entry '\(item)': expected model/firmware[:weight], e.g. s21xp/stock:3")
            }
            guard let model = catalog.model(named: kind[0]) else {
                throw Problem(description: "mix entry '\(item)': unknown model '\(kind[0])'")
            }
            guard let firmware = FirmwareFamily(rawValue: kind[1].lowercased()), firmware != .braiins else {
                throw Problem(description: "mix entry '\(item)': the simulator speaks stock and luxos firmware, not '\(kind[1])'")
            }
            var weight = 1.0
            if parts.count == 2 {
                guard let w = Double(parts[1]), w > 0, w.isFinite else {
                    throw Problem(description: "mix entry '\(item)': weight must be a positive number, found '\(parts[1])'")
                }
                weight = w
            }
            entries.append(Entry(model: model, firmware: firmware, weight: weight))
        }
        guard !entries.isEmpty else { throw Problem(description: "the mix is empty; e.g. \(defaultMix)") }
        var faultList: [(FaultKind, Double)] = []
        for item in faults.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard let kind = FaultKind(rawValue: parts[0]) else {
                throw Problem(description: "fault '\(item)': unknown kind; known: " + FaultKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard parts.count == 2, let share = Double(parts[1]), share >= 0, share <= 1 else {
                throw Problem(description: "fault '\(item)': expected kind:share with a share from 0 to 1, e.g. no-answer:0.05")
            }
            faultList.append((kind, share))
        }
        let total = faultList.reduce(0) { $0 + $1.1 }
        guard total <= 1 + 1e-9 else { throw Problem(description: "fault shares add up to \(total), more than 1") }
        return FleetPlan(entries: entries, faults: faultList)
    }

    /// The miners of an `count`-miner fleet from `firstAddress` on (addresses ending in .0 or
    /// .255 are skipped), kinds in proportion to their weights and interleaved.
    public func specs(count: Int, firstAddress: String) throws -> [SimulatedMinerSpec] {
        guard count > 0 else { throw Problem(description: "a fleet needs at least one miner") }
        guard case .success(let range) = AddressRange.parse(firstAddress), range.count == 1 else {
            throw Problem(description: "first address '\(firstAddress)' is not an IPv4 address")
        }
        guard range.first >> 24 == 127 else {
            throw Problem(description: "first address \(firstAddress) is not a loopback address (127.0.0.0/8)")
        }
        // Largest-remainder apportionment, then a round-robin so kinds mix along the addresses.
        let totalWeight = entries.reduce(0) { $0 + $1.weight }
        var counts = entries.map { Int((Double(count) * $0.weight / totalWeight).rounded(.down)) }
        let remainders = entries.enumerated().map { ($0.offset, Double(count) * $0.element.weight / totalWeight - Double(counts[$0.offset])) }
        for (i, _) in remainders.sorted(by: { $0.1 > $1.1 }).prefix(count - counts.reduce(0, +)) { counts[i] += 1 }
        var order: [Int] = []
        var left = counts
        while order.count < count {
            for i in entries.indices where left[i] > 0 {
                order.append(i)
                left[i] -= 1
            }
        }
        var specs: [SimulatedMinerSpec] = []
        specs.reserveCapacity(count)
        var address = range.first
        for (n, kind) in order.enumerated() {
            while address & 0xFF == 0 || address & 0xFF == 255 { address &+= 1 }
            guard address >> 24 == 127 else { throw Problem(description: "the fleet runs past the end of 127.0.0.0/8") }
            let text = "\(address >> 24).\((address >> 16) & 0xFF).\((address >> 8) & 0xFF).\(address & 0xFF)"
            let e = entries[kind]
            let serial = String(format: "GS%02X%06X", kind, n)
            let mac = String(format: "02:47:53:%02X:%02X:%02X", (address >> 16) & 0xFF, (address >> 8) & 0xFF, address & 0xFF)
            specs.append(SimulatedMinerSpec(address: text, model: e.model, firmware: e.firmware, serial: serial, mac: mac))
            address &+= 1
        }
        return specs
    }

    /// Which miners get which fault: the first share of a shuffled order, reproducible by seed.
    public func faultAssignments(count: Int, seed: UInt64) -> [Int: FaultKind] {
        var rng = SplitMix64(seed: seed)
        var indices = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            indices.swapAt(i, j)
        }
        var out: [Int: FaultKind] = [:]
        var cursor = 0
        for (kind, share) in faults {
            let n = Int((Double(count) * share).rounded())
            for i in indices[cursor..<min(cursor + n, count)] { out[i] = kind }
            cursor = min(cursor + n, count)
        }
        return out
    }
}

/// A small seeded generator so fleets and fault choices are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SimulatedFleet {
    /// Switches the planned faults on.
    public func apply(faults: [Int: FleetPlan.FaultKind]) {
        for (i, kind) in faults where i < miners.count {
            let m = miners[i]
            switch kind {
            case .noAnswer: m.setFaults([.noAnswer])
            case .slow: m.setFaults([.slowAnswer(seconds: 5)])
            case .garbage: m.setFaults([.garbage])
            case .deadBoard: m.setFaults([.deadHashboard(index: 1)])
            case .overheating: m.setFaults([.overheating])
            case .rebooting: m.reboot(seconds: 600)
            case .drip: m.setFaults([.slowDrip(bytesPerSecond: 100)])
            case .huge: m.setFaults([.hugeReply(bytes: 8_000_000)])
            }
        }
    }
}

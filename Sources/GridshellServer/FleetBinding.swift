import Foundation
import GridshellCore
import GridshellDispatch
import GridshellMiners

/// Which miners make up each of the site's miner groups (the addresses its file lists), and
/// how a plan's "so many miners at each operating point" becomes one target per miner.
///
/// Within a group the lowest operating points go to the first addresses, so when the plan
/// moves a few miners only those few are commanded.
public struct FleetBinding: Sendable {
    public struct Group: Sendable {
        public var name: String
        public var model: MinerModel
        public var firmware: FirmwareFamily
        /// Operating points, sleep first, by rising power.
        public var points: [OperatingPoint]
        /// The group's miners, in address order.
        public var addresses: [String]
    }

    public var groups: [Group]
    private let groupOfAddress: [String: Int]

    /// Expands each group's address blocks, up to the group's miner count.
    public init(site: Site) throws {
        var groups: [Group] = []
        var owner: [String: Int] = [:]
        for (g, group) in site.minerGroups.enumerated() {
            var addresses: [String] = []
            for text in group.addresses {
                switch AddressRange.parse(text) {
                case .success(let range):
                    for i in 0..<range.count where addresses.count < group.count {
                        let address = range.address(i)
                        if let other = owner[address] {
                            throw ServeError.input("miner group '\(group.name)' lists \(address), which group '\(site.minerGroups[other].name)' already has")
                        }
                        owner[address] = g
                        addresses.append(address)
                    }
                case .failure(let problem):
                    throw ServeError.input("miner group '\(group.name)': address '\(text)': \(problem.message)")
                }
            }
            groups.append(Group(name: group.name, model: group.model, firmware: group.firmware, points: group.operatingPoints, addresses: addresses))
        }
        self.groups = groups
        self.groupOfAddress = owner
    }

    public var addresses: [String] { groups.flatMap(\.addresses) }

    public func group(of address: String) -> Int? { groupOfAddress[address] }

    public func group(named name: String) -> Int? { groups.firstIndex { $0.name == name } }

    /// The operating point each miner of the plan's groups should be at.
    public func targets(_ plan: DispatchPlan) -> [String: OperatingPoint] {
        var result: [String: OperatingPoint] = [:]
        for setting in plan.groups {
            guard let g = group(named: setting.group) else { continue }
            let group = groups[g]
            let members = group.addresses.count
            guard members > 0 else { continue }
            let planned = setting.miners.values.reduce(0, +)
            guard planned > 0 else { continue }
            // Cumulative rounding keeps the total exact when the plan's count differs from the
            // miners actually listed.
            var cumulative = 0.0
            var assigned = 0
            for point in group.points {
                cumulative += setting.miners[point.name] ?? 0
                let upTo = min(members, Int((cumulative / planned * Double(members)).rounded()))
                while assigned < upTo {
                    result[group.addresses[assigned]] = point
                    assigned += 1
                }
            }
            // Rounding never leaves a miner without a target: the rest take the top point named.
            if assigned < members, let top = group.points.last(where: { (setting.miners[$0.name] ?? 0) > 0 }) {
                for a in assigned..<members { result[group.addresses[a]] = top }
            }
        }
        return result
    }

    /// The next command that brings a miner from what its telemetry shows to `point`, or nil
    /// when it is there (or on its way: a miner ramping is left alone).
    public static func command(toward point: OperatingPoint, firmware: FirmwareFamily, from telemetry: MinerTelemetry) -> MinerCommand? {
        let mode = telemetry.mode
        if mode == .ramping { return nil }
        if point.kind == .sleep { return mode == .sleep ? nil : .sleep }
        switch firmware {
        case .stock:
            if point.name == "low-power" { return mode == .lowPower ? nil : .lowPower }
            return mode == .normal ? nil : .wake
        case .luxos:
            if mode == .sleep { return .wake }
            return telemetry.profile == point.name ? nil : .profile(point.name)
        case .braiins:
            if mode == .sleep { return .wake }
            if let limit = telemetry.powerLimitW, abs(limit - point.powerW) < 1 { return nil }
            return .powerTarget(watts: point.powerW)
        }
    }
}

/// Every miner group at every operating point, ranked by what a MWh earns there: the order in
/// which mining should be switched on as energy gets cheaper (and off as it gets dearer).
public struct MeritOrder: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        public var group: String
        public var model: String
        public var firmware: String
        public var point: String
        public var pointKind: String
        public var miners: Int
        public var hashrateTHsPerMiner: Double
        public var powerWPerMiner: Double
        public var joulesPerTH: Double
        /// Revenue per MWh of miner (IT) energy.
        public var revenueUSDPerMWh: Double
        /// The energy price at the meter where the point stops paying: revenue ÷ cooling overhead.
        public var breakEvenUSDPerMWh: Double
        /// Revenue of the whole group at this point, USD per hour.
        public var groupRevenueUSDPerHour: Double
        /// Power of the whole group at this point, with cooling, MW.
        public var groupPowerMW: Double
    }

    public var hashprice: Hashprice
    public var entries: [Entry]

    /// Ranks the hashing points of every group of `site` at `hashprice` (already net of the pool
    /// fee), best break-even first.
    public init(site: Site, hashprice: Hashprice) {
        self.hashprice = hashprice
        var entries: [Entry] = []
        for group in site.minerGroups {
            for point in group.operatingPoints where point.isHashing {
                let economics = MiningEconomics(hashrateTHs: point.hashrateTHs, powerW: point.powerW, hashprice: hashprice)
                entries.append(Entry(
                    group: group.name, model: group.model.name, firmware: group.firmware.rawValue, point: point.name,
                    pointKind: point.kind.rawValue, miners: group.count, hashrateTHsPerMiner: point.hashrateTHs,
                    powerWPerMiner: point.powerW, joulesPerTH: point.joulesPerTH,
                    revenueUSDPerMWh: economics.revenueUSDPerMWh,
                    breakEvenUSDPerMWh: economics.revenueUSDPerMWh / site.cooling.mining,
                    groupRevenueUSDPerHour: economics.revenueUSDPerHour * Double(group.count),
                    groupPowerMW: point.powerW * Double(group.count) * site.cooling.mining / 1e6))
            }
        }
        self.entries = entries.sorted { a, b in
            if a.breakEvenUSDPerMWh != b.breakEvenUSDPerMWh { return a.breakEvenUSDPerMWh > b.breakEvenUSDPerMWh }
            if a.group != b.group { return a.group < b.group }
            return a.powerWPerMiner < b.powerWPerMiner
        }
    }
}

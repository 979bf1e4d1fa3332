/// The ASIC models Gridshell knows, built in and extendable from a site file.
public struct MinerCatalog: Sendable, Equatable {
    public private(set) var models: [MinerModel]

    public init(models: [MinerModel]) { self.models = models }

    /// Looks a model up by name, ignoring case, spaces and dashes ("s19j-pro" finds
    /// "Antminer S19j Pro"; a name without its maker works when it is unambiguous).
    public func model(named name: String) -> MinerModel? {
        let key = Self.normalised(name)
        if let exact = models.first(where: { Self.normalised($0.name) == key }) { return exact }
        let bare = models.filter { Self.normalised(Self.withoutMaker($0.name)) == key }
        return bare.count == 1 ? bare[0] : nil
    }

    /// Adds or replaces a model (site files extend the catalog this way).
    public mutating func add(_ model: MinerModel) {
        if let i = models.firstIndex(where: { Self.normalised($0.name) == Self.normalised(model.name) }) {
            models[i] = model
        } else {
            models.append(model)
        }
    }

    static func normalised(_ s: String) -> String {
        s.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "+" }
    }

    static func withoutMaker(_ s: String) -> String {
        for maker in ["Antminer ", "Whatsminer ", "Avalon ", "Bitdeer "] where s.hasPrefix(maker) {
            return String(s.dropFirst(maker.count))
        }
        return s
    }

    /// Nameplate figures from FACTS.md §2 (manufacturer sheets as quoted by Hashrate Index,
    /// d-central and MineForge); the S19j Pro 96T carries the measured points of §2.
    public static let builtIn = MinerCatalog(models: [
        nameplate("Antminer S19", "Bitmain", 2020, 95, 3250),
        nameplate("Antminer S19j Pro", "Bitmain", 2021, 100, 3050),
        MinerModel(
            name: "Antminer S19j Pro 96T", manufacturer: "Bitmain", year: 2021,
            stockHashrateTHs: 96, stockPowerW: 2850, stockChipMHz: 525,
            publishedPoints: [
                .init(label: "stock", hashrateTHs: 96, powerW: 2850, source: "FACTS.md §2 (measured)"),
                .init(label: "underclocked", hashrateTHs: 74.5, powerW: 1905, source: "FACTS.md §2 (measured)"),
                .init(label: "overclocked", hashrateTHs: 105, powerW: 3100, source: "FACTS.md §2 (measured)"),
            ]),
        nameplate("Antminer S19 XP", "Bitmain", 2022, 140, 3010),
        nameplate("Antminer S21", "Bitmain", 2023, 200, 3500),
        nameplate("Antminer S21 Pro", "Bitmain", 2024, 234, 3510),
        nameplate("Antminer S21 XP", "Bitmain", 2024, 270, 3645),
        nameplate("Antminer S21+ Hydro", "Bitmain", 2025, 319, 4785, cooling: .hydro),
        nameplate("Antminer S21 XP Hyd", "Bitmain", 2024, 473, 5676, cooling: .hydro),
        nameplate("Whatsminer M50S", "MicroBT", 2022, 126, 3290),
        nameplate("Whatsminer M60S", "MicroBT", 2024, 186, 3344),
        nameplate("Whatsminer M66S", "MicroBT", 2024, 290, 5200, cooling: .immersion),
        nameplate("Avalon A1566", "Canaan", 2024, 185, 3420),
        nameplate("Avalon A16 XP", "Canaan", 2025, 300, 3850),
        nameplate("Bitdeer SealMiner A2", "Bitdeer", 2024, 226, 3730),
    ])

    private static func nameplate(
        _ name: String, _ maker: String, _ year: Int, _ ths: Double, _ watts: Double,
        cooling: MinerModel.Cooling = .air
    ) -> MinerModel {
        MinerModel(
            name: name, manufacturer: maker, year: year, cooling: cooling,
            stockHashrateTHs: ths, stockPowerW: watts,
            publishedPoints: [.init(label: "nameplate", hashrateTHs: ths, powerW: watts, source: "FACTS.md §2")])
    }
}

/// An ASIC model: its stock point, the physics behind its other points, and the published points
/// it must reproduce.
public struct MinerModel: Sendable, Equatable, Codable {
    public enum Cooling: String, Sendable, Codable { case air, hydro, immersion }

    /// A figure someone published for this model, kept so tests can hold the model to it.
    public struct PublishedPoint: Sendable, Equatable, Codable {
        public var label: String
        public var hashrateTHs: Double
        public var powerW: Double
        public var source: String
        public init(label: String, hashrateTHs: Double, powerW: Double, source: String) {
            self.label = label
            self.hashrateTHs = hashrateTHs
            self.powerW = powerW
            self.source = source
        }
    }

    public var name: String
    public var manufacturer: String
    public var year: Int
    public var cooling: Cooling
    public var physics: MinerPhysics
    /// Highest frequency ratio the firmware lets you overclock to.
    public var maxOverclockRatio: Double
    /// Lowest frequency ratio a profile or power target reaches before the firmware refuses.
    public var minUnderclockRatio: Double
    /// Chip frequency at stock, MHz, for profile names.
    public var stockChipMHz: Double
    public var publishedPoints: [PublishedPoint]

    public init(
        name: String, manufacturer: String, year: Int, cooling: Cooling = .air,
        stockHashrateTHs: Double, stockPowerW: Double,
        staticFraction: Double = MinerPhysics.defaultStaticFraction,
        voltageSlope: Double = MinerPhysics.defaultVoltageSlope,
        maxOverclockRatio: Double = 1.10, minUnderclockRatio: Double = 0.5, stockChipMHz: Double = 500,
        publishedPoints: [PublishedPoint] = []
    ) {
        self.name = name
        self.manufacturer = manufacturer
        self.year = year
        self.cooling = cooling
        self.physics = MinerPhysics(
            stockHashrateTHs: stockHashrateTHs, stockPowerW: stockPowerW,
            staticFraction: staticFraction, voltageSlope: voltageSlope)
        self.maxOverclockRatio = maxOverclockRatio
        self.minUnderclockRatio = minUnderclockRatio
        self.stockChipMHz = stockChipMHz
        self.publishedPoints = publishedPoints
    }

    public var stockHashrateTHs: Double { physics.stockHashrateTHs }
    public var stockPowerW: Double { physics.stockPowerW }
    public var stockJoulesPerTH: Double { stockPowerW / stockHashrateTHs }

    /// The point at a frequency ratio, named and classified.
    public func point(frequencyRatio f: Double, name: String) -> OperatingPoint {
        let kind: OperatingPoint.Kind = abs(f - 1) < 1e-9 ? .stock : (f < 1 ? .underclock : .overclock)
        return OperatingPoint(
            name: name, kind: kind, frequencyRatio: f,
            hashrateTHs: physics.hashrateTHs(frequencyRatio: f), powerW: physics.powerW(frequencyRatio: f))
    }

    /// The sleep point of a firmware family.
    public func sleepPoint(_ firmware: FirmwareFamily) -> OperatingPoint {
        OperatingPoint(name: "sleep", kind: .sleep, frequencyRatio: 0, hashrateTHs: 0, powerW: firmware.ramp.sleepDrawW)
    }

    /// Every point the firmware offers, sleep first, then by rising power.
    public func operatingPoints(_ firmware: FirmwareFamily) -> [OperatingPoint] {
        var points: [OperatingPoint] = []
        switch firmware {
        case .stock:
            // Stock offers three modes: sleep, low power (a flat ~25 % underclock), normal.
            points = [point(frequencyRatio: 0.75, name: "low-power"), point(frequencyRatio: 1, name: "normal")]
        case .luxos:
            // LuxOS profiles step the chip frequency; the published points become profiles too.
            var ratios: Set<Double> = [1]
            var f = 1.0
            while f - 0.05 >= minUnderclockRatio - 1e-9 { f -= 0.05; ratios.insert((f * 100).rounded() / 100) }
            f = 1.0
            while f + 0.05 <= maxOverclockRatio + 1e-9 { f += 0.05; ratios.insert((f * 100).rounded() / 100) }
            for published in publishedPoints {
                let r = published.hashrateTHs / stockHashrateTHs
                if r >= minUnderclockRatio, r <= maxOverclockRatio { ratios.insert(r) }
            }
            points = ratios.sorted().map { r in
                let name = abs(r - 1) < 1e-9 ? "default" : "\(Int((stockChipMHz * r).rounded()))MHz"
                return point(frequencyRatio: r, name: name)
            }
        case .braiins:
            // Braiins OS+ takes a power target; offer targets in 5 % steps of stock power.
            let lowest = physics.powerW(frequencyRatio: minUnderclockRatio)
            let highest = physics.powerW(frequencyRatio: maxOverclockRatio)
            var watts: [Double] = []
            var share = 0.5
            while share <= 1.2 + 1e-9 {
                let w = (stockPowerW * share / 50).rounded() * 50
                if w >= lowest, w <= highest, !watts.contains(w) { watts.append(w) }
                share += 0.05
            }
            points = watts.compactMap { w in
                physics.frequencyRatio(forPowerW: w).map { f in
                    var p = point(frequencyRatio: f, name: "\(Int(w))W")
                    p.powerW = w
                    return p
                }
            }
        }
        return [sleepPoint(firmware)] + points.sorted { $0.powerW < $1.powerW }
    }
}

/// A GPU server or rack: how many GPUs, their power range, and what a power cap costs in
/// throughput for training and for inference.
public struct GPUSystem: Sendable, Equatable, Codable {
    public var name: String
    public var gpuModel: String
    public var gpusPerSystem: Int
    /// Board power of one GPU at full clocks (its default power limit).
    public var gpuMaxPowerW: Double
    /// Lowest power limit `nvidia-smi -pl` accepts.
    public var gpuMinPowerW: Double
    /// Everything else in the box at full load: CPUs, memory, NICs, fans, switches.
    public var overheadW: Double
    /// Relative throughput against relative GPU power for compute-bound training.
    public var trainingCurve: ThroughputCurve
    /// The same for inference, whose decode is memory-bound and barely reacts to caps.
    public var inferenceCurve: ThroughputCurve

    public init(
        name: String, gpuModel: String, gpusPerSystem: Int, gpuMaxPowerW: Double, gpuMinPowerW: Double,
        overheadW: Double, trainingCurve: ThroughputCurve = .training, inferenceCurve: ThroughputCurve = .inference
    ) {
        self.name = name
        self.gpuModel = gpuModel
        self.gpusPerSystem = gpusPerSystem
        self.gpuMaxPowerW = gpuMaxPowerW
        self.gpuMinPowerW = gpuMinPowerW
        self.overheadW = overheadW
        self.trainingCurve = trainingCurve
        self.inferenceCurve = inferenceCurve
    }

    /// Power of the whole system at full GPU power.
    public var maxPowerW: Double { Double(gpusPerSystem) * gpuMaxPowerW + overheadW }
    /// Lowest cap, as a fraction of full GPU power.
    public var minCapFraction: Double { gpuMinPowerW / gpuMaxPowerW }

    /// System power with every GPU capped at `capFraction` of full power.
    public func powerW(capFraction: Double) -> Double {
        let c = min(max(capFraction, minCapFraction), 1)
        return Double(gpusPerSystem) * gpuMaxPowerW * c + overheadW
    }

    /// GPU systems from FACTS.md §5 and vendor sheets: H100 SXM settable 200–700 W, DGX H100
    /// about 10.2 kW for 8 GPUs, GB200 NVL72 rack 120–132 kW.
    public static let builtIn: [GPUSystem] = [
        GPUSystem(name: "DGX H100", gpuModel: "H100 SXM", gpusPerSystem: 8, gpuMaxPowerW: 700, gpuMinPowerW: 200, overheadW: 4_600),
        GPUSystem(name: "HGX H200", gpuModel: "H200 SXM", gpusPerSystem: 8, gpuMaxPowerW: 700, gpuMinPowerW: 200, overheadW: 4_600),
        GPUSystem(name: "DGX B200", gpuModel: "B200", gpusPerSystem: 8, gpuMaxPowerW: 1_000, gpuMinPowerW: 300, overheadW: 6_300),
        GPUSystem(name: "GB200 NVL72", gpuModel: "GB200", gpusPerSystem: 72, gpuMaxPowerW: 1_200, gpuMinPowerW: 400, overheadW: 40_000),
    ]

    public static func named(_ name: String, in systems: [GPUSystem] = builtIn) -> GPUSystem? {
        let key = MinerCatalog.normalised(name)
        return systems.first { MinerCatalog.normalised($0.name) == key || MinerCatalog.normalised($0.gpuModel) == key }
    }
}

/// Relative throughput as a piecewise-linear, non-decreasing function of relative power.
public struct ThroughputCurve: Sendable, Equatable, Codable {
    /// (power fraction, throughput fraction) pairs sorted by power; ends at (1, 1).
    public var points: [Point]

    public struct Point: Sendable, Equatable, Codable {
        public var power: Double
        public var throughput: Double
        public init(power: Double, throughput: Double) {
            self.power = power
            self.throughput = throughput
        }
    }

    public init(_ pairs: [(Double, Double)]) {
        points = pairs.map { Point(power: $0.0, throughput: $0.1) }.sorted { $0.power < $1.power }
    }

    public func throughput(atPowerFraction p: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 1 }
        if p <= first.power { return first.throughput }
        if p >= last.power { return last.throughput }
        for (a, b) in zip(points, points.dropFirst()) where p <= b.power {
            return a.throughput + (b.throughput - a.throughput) * (p - a.power) / (b.power - a.power)
        }
        return last.throughput
    }

    /// Training is compute bound: throughput ≈ power^0.83, so an H100 capped at 600 of 700 W keeps
    /// about 88 % (FACTS.md §5: −10–15 %); the curve is concave down to the 200 W floor.
    public static let training = ThroughputCurve([(0.2857, 0.354), (0.5, 0.562), (0.7, 0.744), (0.857, 0.880), (1, 1)])
    /// Decode draws 137–300 W on a 700 W H200 (FACTS.md §5), so caps above ~43 % cost nothing.
    public static let inference = ThroughputCurve([(0.2857, 0.75), (0.43, 1), (1, 1)])
}

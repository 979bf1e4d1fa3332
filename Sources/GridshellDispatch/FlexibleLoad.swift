import GridshellCore

/// A load the dispatcher can move: a miner group or a GPU job, reduced to the points it can run
/// at (meter MW, value units per hour) and the upper concave hull through them.
///
/// A load's setting is a *level* along its hull: level 2.3 means 30 % of the way from hull point
/// 2 to hull point 3 (for miners: 30 % of the group at the higher point, the rest at the lower;
/// for a job: 30 % of the interval at the higher cap). Level 0 is the lowest point (asleep,
/// paused, or the job's tier floor).
public struct FlexibleLoad: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Index into `site.minerGroups`; value units are TH/s, worth hashprice ÷ 24 per hour.
        case miners(group: Int)
        /// Indices into `site.gpuClusters` and its `jobs`; value units are USD per hour.
        case job(cluster: Int, job: Int)
    }

    public struct Point: Sendable, Equatable {
        public var name: String
        /// Power at the meter, cooling included, MW.
        public var powerMW: Double
        /// TH/s for miners; USD/h of work for jobs.
        public var units: Double
        /// Throughput relative to full (jobs) or frequency ratio (miners).
        public var relative: Double
        /// Work done per hour, GPU-hours at full throughput (throughput × GPUs; 0 for miners).
        public var work: Double = 0
    }

    public var name: String
    public var kind: Kind
    /// The hull points, by rising power; hull[0] is the floor.
    public var hull: [Point]
    /// Units per MW of each hull step (falling: the hull is concave).
    public var stepUnitsPerMW: [Double]
    /// GPU-hours of work per MWh of each hull step (falling for jobs; 0 for miners).
    public var stepWorkPerMW: [Double]
    /// Miners in the group (1 for a job).
    public var count: Int

    public var isMiner: Bool { if case .miners = kind { return true } else { return false } }
    public var steps: Int { hull.count - 1 }
    public var floorMW: Double { hull[0].powerMW }
    public var maxMW: Double { hull[hull.count - 1].powerMW }

    init(name: String, kind: Kind, points: [Point], count: Int) {
        self.name = name
        self.kind = kind
        self.count = count
        // A job's hull follows its throughput, so it keeps its shape whatever its work is worth
        // (a deadline adds value per GPU-hour; a job valued at zero still has its caps).
        if case .job = kind {
            self.hull = Self.upperHull(points) { $0.relative }
        } else {
            self.hull = Self.upperHull(points) { $0.units }
        }
        self.stepUnitsPerMW = zip(hull, hull.dropFirst()).map { ($1.units - $0.units) / ($1.powerMW - $0.powerMW) }
        self.stepWorkPerMW = zip(hull, hull.dropFirst()).map { ($1.work - $0.work) / ($1.powerMW - $0.powerMW) }
    }

    /// Power at a level, MW.
    public func powerMW(level: Double) -> Double { interpolate(level) { $0.powerMW } }
    /// Value units at a level.
    public func units(level: Double) -> Double { interpolate(level) { $0.units } }
    /// Work per hour at a level, GPU-hours (time-sharing between two caps does the mix of both).
    public func work(level: Double) -> Double { interpolate(level) { $0.work } }

    /// The level that draws `mw` (clamped to the hull's range).
    public func level(atPowerMW mw: Double) -> Double {
        guard steps > 0 else { return 0 }
        if mw <= hull[0].powerMW { return 0 }
        for s in 0..<steps where mw < hull[s + 1].powerMW {
            return Double(s) + (mw - hull[s].powerMW) / (hull[s + 1].powerMW - hull[s].powerMW)
        }
        return Double(steps)
    }

    private func interpolate(_ level: Double, _ value: (Point) -> Double) -> Double {
        let l = min(max(level, 0), Double(steps))
        let i = min(Int(l), max(steps - 1, 0))
        guard steps > 0 else { return value(hull[0]) }
        let f = l - Double(i)
        return value(hull[i]) + f * (value(hull[i + 1]) - value(hull[i]))
    }

    /// The upper concave hull of (power, `gain`) from the lowest-power point: only points that
    /// no mix of two others beats. Collinear points are dropped.
    static func upperHull(_ points: [Point], gain: (Point) -> Double = { $0.units }) -> [Point] {
        let sorted = points.sorted { $0.powerMW == $1.powerMW ? gain($0) > gain($1) : $0.powerMW < $1.powerMW }
        var hull: [Point] = []
        for p in sorted {
            if let last = hull.last, p.powerMW <= last.powerMW { continue }  // same power, less value
            if let last = hull.last, gain(p) <= gain(last) { continue }      // more power for no more value
            while hull.count >= 2 {
                let a = hull[hull.count - 2], b = hull[hull.count - 1]
                // b is under the chord a→p: drop it.
                let cross = (b.powerMW - a.powerMW) * (gain(p) - gain(a)) - (gain(b) - gain(a)) * (p.powerMW - a.powerMW)
                if cross >= 0 { hull.removeLast() } else { break }
            }
            hull.append(p)
        }
        return hull
    }
}

/// A site reduced to what dispatch needs: its flexible loads and its firm load.
public struct DispatchSite: Sendable {
    public var site: Site
    public var loads: [FlexibleLoad]
    /// Tenants and inference at the meter, MW: served in full unless the grid leaves no way.
    public var firmMW: Double
    /// Lease rent and inference value, USD per hour (earned while firm load is served).
    public var firmValueUSDPerHour: Double
    /// Tenant load whose energy and 4CP share the tenants pay for (triple-net), MW at the meter.
    public var passThroughMW: Double
    /// Site ramp-up limit, MW per minute (down is never limited).
    public var rampUpMWPerMinute: Double
    /// Idle draw of a paused GPU (and its share of the box), as a share of full power.
    public static let pausedGPUShare = 0.15

    public init(site: Site, rampUpMWPerMinute: Double? = nil) {
        self.site = site
        var loads: [FlexibleLoad] = []
        for (g, group) in site.minerGroups.enumerated() {
            let n = Double(group.count)
            let points = group.operatingPoints.map { p in
                FlexibleLoad.Point(name: p.name, powerMW: p.powerW * n * site.cooling.mining / 1e6, units: p.hashrateTHs * n, relative: p.frequencyRatio)
            }
            loads.append(FlexibleLoad(name: group.name, kind: .miners(group: g), points: points, count: group.count))
        }
        var firmMW = site.aiTenants.reduce(0) { $0 + $1.firmKW / 1000 } * site.cooling.ai
        var firmValue = site.aiTenants.reduce(0) { $0 + $1.firmKW * $1.usdPerKWMonth * 12 / 8760 }
        for (c, cluster) in site.gpuClusters.enumerated() {
            let system = cluster.system
            let perGPUOverheadW = system.overheadW / Double(system.gpusPerSystem)
            for (j, job) in cluster.jobs.enumerated() {
                let gpus = Double(job.gpus)
                func powerMW(cap: Double) -> Double { gpus * (system.gpuMaxPowerW * cap + perGPUOverheadW) * site.cooling.ai / 1e6 }
                let valuePerHour = gpus * job.valueUSDPerGPUHour
                if job.kind == .inference {
                    firmMW += powerMW(cap: 1)
                    firmValue += valuePerHour
                    continue
                }
                let curve = system.trainingCurve
                // Caps down to the tier's tolerated slowdown; tier 3 and batch may also pause.
                let minThroughput = 1 - job.toleratedSlowdown
                var points: [FlexibleLoad.Point] = []
                for step in stride(from: system.minCapFraction, through: 1.0 + 1e-9, by: 0.05) {
                    let cap = min(step, 1)
                    let t = curve.throughput(atPowerFraction: cap)
                    if t + 1e-12 >= minThroughput {
                        points.append(.init(name: "cap \(Int((cap * 100).rounded())) %", powerMW: powerMW(cap: cap), units: t * valuePerHour, relative: t, work: t * gpus))
                    }
                }
                if !points.contains(where: { $0.relative == 1 }) {
                    points.append(.init(name: "cap 100 %", powerMW: powerMW(cap: 1), units: valuePerHour, relative: 1, work: gpus))
                }
                if job.flexTier >= 3 || job.kind == .batch {
                    let idle = gpus * (system.gpuMaxPowerW + perGPUOverheadW) * Self.pausedGPUShare * site.cooling.ai / 1e6
                    points.append(.init(name: "paused", powerMW: idle, units: 0, relative: 0))
                }
                loads.append(FlexibleLoad(name: "\(cluster.name)/\(job.name)", kind: .job(cluster: c, job: j), points: points, count: 1))
            }
        }
        self.loads = loads
        self.passThroughMW = site.aiTenants.filter(\.energyPassThrough).reduce(0) { $0 + $1.firmKW / 1000 } * site.cooling.ai
        self.firmMW = firmMW
        self.firmValueUSDPerHour = firmValue
        self.rampUpMWPerMinute = rampUpMWPerMinute ?? site.interconnectMW / 10
    }
}

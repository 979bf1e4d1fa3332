import GridshellCore

/// How one path uses the site's MW month by month: the share still mining, and the tranches
/// converted to a lease or a cloud (each with its own commissioning, term and refreshes).
public struct PathLayout: Sendable, Equatable {
    public struct Tranche: Sendable, Equatable {
        /// Month the conversion (and its capex) starts.
        public var startMonth: Int
        /// Share of the site's utility MW.
        public var share: Double
    }

    public var path: StrategyPath
    /// Share of the site mining in each month.
    public var mineShare: [Double]
    public var leaseTranches: [Tranche]
    public var cloudTranches: [Tranche]

    /// The layout of `path` over `months` under the hybrid's split and conversion rate.
    public init(path: StrategyPath, months: Int, hybrid: StrategyAssumptions.Hybrid) {
        self.path = path
        switch path {
        case .mine:
            mineShare = Array(repeating: 1, count: months)
            leaseTranches = []
            cloudTranches = []
        case .lease:
            mineShare = Array(repeating: 0, count: months)
            leaseTranches = [Tranche(startMonth: 0, share: 1)]
            cloudTranches = []
        case .cloud:
            mineShare = Array(repeating: 0, count: months)
            leaseTranches = []
            cloudTranches = [Tranche(startMonth: 0, share: 1)]
        case .hybrid:
            var lease: [Tranche] = [], cloud: [Tranche] = []
            if hybrid.leaseShare > 0 { lease.append(Tranche(startMonth: 0, share: hybrid.leaseShare)) }
            if hybrid.cloudShare > 0 { cloud.append(Tranche(startMonth: 0, share: hybrid.cloudShare)) }
            var share = hybrid.mineShare
            var shares: [Double] = []
            // Conversion starts at month 0 and moves `conversionPerYear` of the site each year
            // until no mining is left.
            for month in 0..<months {
                if month % 12 == 0, hybrid.conversionPerYear > 0, share > 1e-12 {
                    let moved = min(hybrid.conversionPerYear, share)
                    share -= moved
                    let tranche = Tranche(startMonth: month, share: moved)
                    if hybrid.convertTo == .lease { lease.append(tranche) } else { cloud.append(tranche) }
                }
                shares.append(share)
            }
            mineShare = shares
            leaseTranches = lease
            cloudTranches = cloud
        }
    }
}

/// The four ways to use the site.
public typealias StrategyPath = StrategyAssumptions.Path

/// What the planner found for a site: per path the base case's yearly cash flows and
/// valuation, the Monte Carlo's distributions, the sensitivity ranking, and a recommendation.
/// The CLI's JSON and the API's answer are this value.
public struct PlanResult: Sendable, Codable, Equatable {
    public var site: String
    public var years: Int
    public var simulations: Int
    public var seed: UInt64
    public var utilityMW: Double
    public var paths: [PathResult]
    /// The BTC price in the last month across the simulations (checks the price process).
    public var btcPriceAtHorizon: Distribution
    public var sensitivity: [SensitivityRanking]
    public var recommendation: Recommendation
    /// Every assumption the run used, with its value and source.
    public var assumptions: [Assumption]
    /// Wall seconds of the Monte Carlo alone.
    public var monteCarloSeconds: Double
}

/// One path's results.
public struct PathResult: Sendable, Codable, Equatable {
    public var path: String
    public var summary: String
    /// The base case: mean BTC price path, no shocks, defaults and renewals as expected values.
    public var yearly: [YearCashFlow]
    public var npvUSD: Double
    public var irr: Double?
    public var paybackYears: Double?
    /// NOI ÷ cap rate − upfront capex, per watt of the site's grid connection.
    public var valuePerWattCapRate: Double
    /// The base case's NPV per watt of the site's grid connection.
    public var valuePerWattDCF: Double
    public var monteCarlo: MonteCarloSummary
}

/// A year of one path's base case, USD.
public struct YearCashFlow: Sendable, Codable, Equatable {
    public var year: Int
    /// Revenue less energy and operating costs (NOI for a lease).
    public var operatingUSD: Double
    /// Build-outs and first purchases.
    public var growthCapexUSD: Double
    /// Fleet and GPU refreshes.
    public var sustainingCapexUSD: Double
    /// Value at the horizon (a lease still in force, at the cap rate); last year only.
    public var terminalUSD: Double
    public var netUSD: Double
}

/// One path across the simulations.
public struct MonteCarloSummary: Sendable, Codable, Equatable {
    public var npvUSD: Distribution
    public var valuePerWattDCF: Distribution
    /// Share of simulations with a negative NPV.
    public var probabilityNegativeNPV: Double
    /// Net cash flow of each year across the simulations.
    public var yearlyNetUSD: [Distribution]
}

/// Percentiles and mean of a simulated quantity.
public struct Distribution: Sendable, Codable, Equatable {
    public var p5: Double
    public var p50: Double
    public var p95: Double
    public var mean: Double

    public init(p5: Double, p50: Double, p95: Double, mean: Double) {
        self.p5 = p5
        self.p50 = p50
        self.p95 = p95
        self.mean = mean
    }

    /// From samples (sorted in place); percentiles by linear interpolation between order statistics.
    public init(sorting values: inout [Double]) {
        values.sort()
        func q(_ p: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            let x = p * Double(values.count - 1)
            let i = Int(x), f = x - Double(i)
            return i + 1 < values.count ? values[i] * (1 - f) + values[i + 1] * f : values[i]
        }
        self.init(p5: q(0.05), p50: q(0.5), p95: q(0.95), mean: values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count))
    }
}

/// How much each input moves one path's base-case NPV, largest swing first.
public struct SensitivityRanking: Sendable, Codable, Equatable {
    public var path: String
    public var baseNPVUSD: Double
    public var inputs: [SensitivityEntry]
}

/// One input set low and high.
public struct SensitivityEntry: Sendable, Codable, Equatable {
    public var input: String
    public var low: String
    public var high: String
    public var npvLowUSD: Double
    public var npvHighUSD: Double
    public var swingUSD: Double { abs(npvHighUSD - npvLowUSD) }

    enum CodingKeys: String, CodingKey { case input, low, high, npvLowUSD, npvHighUSD, swingUSD }

    public init(input: String, low: String, high: String, npvLowUSD: Double, npvHighUSD: Double) {
        self.input = input
        self.low = low
        self.high = high
        self.npvLowUSD = npvLowUSD
        self.npvHighUSD = npvHighUSD
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            input: try c.decode(String.self, forKey: .input), low: try c.decode(String.self, forKey: .low), high: try c.decode(String.self, forKey: .high),
            npvLowUSD: try c.decode(Double.self, forKey: .npvLowUSD), npvHighUSD: try c.decode(Double.self, forKey: .npvHighUSD))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(input, forKey: .input)
        try c.encode(low, forKey: .low)
        try c.encode(high, forKey: .high)
        try c.encode(npvLowUSD, forKey: .npvLowUSD)
        try c.encode(npvHighUSD, forKey: .npvHighUSD)
        try c.encode(swingUSD, forKey: .swingUSD)
    }
}

/// The path the planner would take, and why.
public struct Recommendation: Sendable, Codable, Equatable {
    public var path: String
    public var reasons: [String]
}

/// One assumption as used.
public struct Assumption: Sendable, Codable, Equatable {
    public var name: String
    public var value: String
    public var source: String
}

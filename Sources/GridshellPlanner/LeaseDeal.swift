/// A published lease of critical IT capacity: contract value over a term. The planner's anchors
/// (FACTS.md §6); $/kW-month and $/MW-year are derived from them.
public struct LeaseDeal: Sendable, Equatable, Codable {
    public var name: String
    public var criticalITMW: Double
    public var termYears: Double
    public var contractValueUSD: Double

    public init(name: String, criticalITMW: Double, termYears: Double, contractValueUSD: Double) {
        self.name = name
        self.criticalITMW = criticalITMW
        self.termYears = termYears
        self.contractValueUSD = contractValueUSD
    }

    /// Contract value per year.
    public var usdPerYear: Double { contractValueUSD / termYears }
    /// Contract value ÷ term ÷ critical IT MW.
    public var usdPerMWYear: Double { usdPerYear / criticalITMW }
    /// The same per kW and month.
    public var usdPerKWMonth: Double { usdPerMWYear / 1000 / 12 }

    /// The deals of FACTS.md §6.
    public static let published: [LeaseDeal] = [
        LeaseDeal(name: "Core Scientific → CoreWeave", criticalITMW: 200, termYears: 12, contractValueUSD: 3.5e9),
        LeaseDeal(name: "TeraWulf → Fluidstack", criticalITMW: 200, termYears: 10, contractValueUSD: 3.7e9),
        LeaseDeal(name: "Cipher → Fluidstack", criticalITMW: 168, termYears: 10, contractValueUSD: 3.0e9),
        LeaseDeal(name: "Cipher → AWS", criticalITMW: 300, termYears: 15, contractValueUSD: 5.5e9),
        LeaseDeal(name: "Hut 8 → Fluidstack/Anthropic", criticalITMW: 245, termYears: 15, contractValueUSD: 7.0e9),
    ]
}

/// Capex per MW of a mining site and of an AI-grade facility (FACTS.md §6, CoinShares): the
/// ratio is the "up to 20×" analysts quote.
public enum CapexBenchmarks {
    /// Mining infrastructure, USD per MW (CoinShares: 0.7–1.0 M$).
    public static let miningUSDPerMW: ClosedRange<Double> = 700_000...1_000_000
    /// AI-grade facility, USD per MW (CoinShares: 8–15 M$, up to 20 M$).
    public static let aiFacilityUSDPerMW: ClosedRange<Double> = 8_000_000...20_000_000

    /// AI capex over mining capex: (the cheapest ratio, the dearest).
    public static var aiToMiningRatio: ClosedRange<Double> {
        (aiFacilityUSDPerMW.lowerBound / miningUSDPerMW.upperBound)...(aiFacilityUSDPerMW.upperBound / miningUSDPerMW.upperBound)
    }
}

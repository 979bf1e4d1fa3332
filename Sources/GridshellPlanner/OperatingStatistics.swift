/// How a mining fleet ran on the site's own prices: the dispatch engine's backtest reduced to
/// the figures the planner's mining path needs. The CLI computes them from a backtest run and
/// passes them in; without one, the strategy section's figures are used.
public struct OperatingStatistics: Sendable, Equatable, Codable {
    /// Share of hours the fleet hashed.
    public var uptime: Double
    /// Average energy price paid while hashing, USD/MWh at the meter.
    public var energyUSDPerMWh: Double
    /// Grid-program and power-credit income, USD per MW of site per year.
    public var gridIncomeUSDPerMWYear: Double
    /// Where the figures come from (the backtest's prices and period).
    public var source: String

    public init(uptime: Double, energyUSDPerMWh: Double, gridIncomeUSDPerMWYear: Double, source: String) {
        self.uptime = uptime
        self.energyUSDPerMWh = energyUSDPerMWh
        self.gridIncomeUSDPerMWYear = gridIncomeUSDPerMWYear
        self.source = source
    }
}

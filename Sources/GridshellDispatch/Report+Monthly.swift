import Foundation
import GridshellCore

/// One calendar month (Central time, as ERCOT bills) of a run, the way a fixed-price miner
/// reports its power business: energy, the credits for power resold at spot while curtailed,
/// demand-response and ancillary credits, 4CP, and the all-in cost of the power it used.
public struct MonthlyCredits: Sendable, Codable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    public var energyMWh = 0.0
    public var energyCostUSD = 0.0
    /// Fixed-price energy resold at spot while curtailed.
    public var powerCreditsUSD = 0.0
    /// Demand-response and ancillary-service income.
    public var gridCreditsUSD = 0.0
    public var fourCPChargeUSD = 0.0
    public var fourCPWindowIntervals = 0
    public var fourCPExpectedSavingUSD = 0.0
    /// Share of the transmission tag avoided in the month's known peak interval, MW.
    public var fourCPTagAvoidedMW = 0.0
    public var curtailedHours = 0.0
    public var netUSD = 0.0

    public init(month: String) { self.month = month }

    /// (energy cost − power credits − grid credits) per kWh used, in cents: negative when the
    /// credits paid for more than the power.
    public var allInCentsPerKWh: Double? {
        energyMWh > 0 ? (energyCostUSD - powerCreditsUSD - gridCreditsUSD) / (energyMWh * 1000) * 100 : nil
    }
}

extension Report {
    /// A run's ledger by calendar month.
    public static func monthly(_ run: PolicyRun) -> [MonthlyCredits] {
        let calendar = Calendar.ercot
        var months: [MonthlyCredits] = []
        var totals = LedgerTotals()
        func close() {
            guard var m = months.popLast() else { return }
            m.energyMWh = totals.energyMWh
            m.energyCostUSD = totals.energyCostUSD
            m.powerCreditsUSD = totals.powerCreditsUSD
            m.gridCreditsUSD = totals.gridCreditsUSD
            m.fourCPChargeUSD = totals.fourCPChargeUSD
            m.fourCPWindowIntervals = totals.fourCPWindowIntervals
            m.fourCPExpectedSavingUSD = totals.fourCPExpectedSavingUSD
            // The tag is the mean of four peaks: one month's peak carries a quarter of it.
            m.fourCPTagAvoidedMW = totals.fourCPTagAvoidedMW
            m.curtailedHours = totals.curtailedHours
            m.netUSD = totals.netUSD
            months.append(m)
        }
        for e in run.entries {
            let c = calendar.dateComponents([.year, .month], from: e.start)
            let key = String(format: "%04d-%02d", c.year ?? 0, c.month ?? 0)
            if months.last?.month != key {
                close()
                months.append(MonthlyCredits(month: key))
                totals = LedgerTotals()
            }
            totals.add(e)
        }
        close()
        return months
    }

    /// The monthly table as CSV.
    public static func monthlyCSV(_ runs: [PolicyRun]) -> String {
        var out = "policy,month,energy_mwh,energy_cost_usd,power_credits_usd,grid_credits_usd,all_in_cents_per_kwh,four_cp_charge_usd,four_cp_window_intervals,four_cp_expected_saving_usd,four_cp_tag_avoided_mw,curtailed_hours,net_usd\n"
        for run in runs {
            for m in monthly(run) {
                out += [
                    run.policy, m.month, f(m.energyMWh), f(m.energyCostUSD), f(m.powerCreditsUSD), f(m.gridCreditsUSD),
                    m.allInCentsPerKWh.map(f) ?? "", f(m.fourCPChargeUSD), String(m.fourCPWindowIntervals), f(m.fourCPExpectedSavingUSD),
                    f(m.fourCPTagAvoidedMW), f(m.curtailedHours), f(m.netUSD),
                ].joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// The monthly table as HTML rows inside a table.
    static func monthlyHTML(_ run: PolicyRun) -> String {
        var rows = ""
        for m in monthly(run) {
            let allIn = m.allInCentsPerKWh.map { String(format: "%.2f ¢", $0) } ?? "–"
            rows += "<tr><td>\(m.month)</td><td>\(money(m.energyMWh, unit: ""))</td><td>\(money(m.energyCostUSD))</td><td>\(money(m.powerCreditsUSD))</td>"
                + "<td>\(money(m.gridCreditsUSD))</td><td>\(allIn)</td><td>\(money(m.fourCPChargeUSD))</td><td>\(m.fourCPWindowIntervals)</td>"
                + "<td>\(String(format: "%.2f", m.fourCPTagAvoidedMW))</td><td>\(String(format: "%.1f", m.curtailedHours))</td><td>\(money(m.netUSD))</td></tr>\n"
        }
        return """
            <table><tr><th>month</th><th>MWh</th><th>energy cost</th><th>power credits</th><th>grid credits</th><th>all-in power cost /kWh</th><th>4CP charge</th><th>4CP window intervals</th><th>4CP tag avoided MW</th><th>curtailed h</th><th>net</th></tr>
            \(rows)</table>
            """
    }
}

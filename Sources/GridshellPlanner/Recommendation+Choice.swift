import Foundation

extension Planner {
    /// The path with the best median NPV, unless its P5 is negative and another path comes within
    /// 20 % of that median with a non-negative P5: then the safer one, and the reasons say so.
    static func recommend(_ paths: [PathResult], sensitivity: [SensitivityRanking]) -> Recommendation {
        guard let best = paths.max(by: { $0.monteCarlo.npvUSD.p50 < $1.monteCarlo.npvUSD.p50 }) else {
            return Recommendation(path: "", reasons: ["no path was planned"])
        }
        var chosen = best
        var reasons: [String] = []
        if best.monteCarlo.npvUSD.p5 < 0 {
            let safer = paths.filter {
                $0.path != best.path && $0.monteCarlo.npvUSD.p5 >= 0 && $0.monteCarlo.npvUSD.p50 >= 0.8 * best.monteCarlo.npvUSD.p50
            }.max { $0.monteCarlo.npvUSD.p50 < $1.monteCarlo.npvUSD.p50 }
            if let safer {
                chosen = safer
                reasons.append(String(format: "%@ has the higher median NPV (%@) but loses money in %.0f %% of simulations (P5 %@); %@ comes within 20 %% of it and its P5 stays positive",
                    best.path, musd(best.monteCarlo.npvUSD.p50), best.monteCarlo.probabilityNegativeNPV * 100, musd(best.monteCarlo.npvUSD.p5), safer.path))
            }
        }
        let d = chosen.monteCarlo.npvUSD
        if chosen.path == best.path {
            reasons.append(String(format: "%@ has the highest median NPV: %@ (P5 %@, P95 %@)", chosen.path, musd(d.p50), musd(d.p5), musd(d.p95)))
        } else {
            reasons.append(String(format: "%@: median NPV %@ (P5 %@, P95 %@)", chosen.path, musd(d.p50), musd(d.p5), musd(d.p95)))
        }
        reasons.append(String(format: "NPV below zero in %.1f %% of simulations; value %.2f USD/W by DCF (base case), %.2f USD/W at the cap rate",
            chosen.monteCarlo.probabilityNegativeNPV * 100, chosen.valuePerWattDCF, chosen.valuePerWattCapRate))
        if let irr = chosen.irr { reasons.append(String(format: "base-case IRR %.1f %%, payback %@", irr * 100, chosen.paybackYears.map { String(format: "%.1f years", $0) } ?? "not within the horizon")) }
        for other in paths where other.path != chosen.path {
            reasons.append(String(format: "%@: median NPV %@, NPV below zero in %.0f %% of simulations", other.path, musd(other.monteCarlo.npvUSD.p50), other.monteCarlo.probabilityNegativeNPV * 100))
        }
        // The discount rate moves every path; the reason names the first input about the site.
        if let top = sensitivity.first(where: { $0.path == chosen.path })?.inputs.first(where: { $0.input != "discount rate" }) {
            reasons.append(String(format: "its NPV moves most with %@: %@ at %@, %@ at %@", top.input, musd(top.npvLowUSD), top.low, musd(top.npvHighUSD), top.high))
        }
        return Recommendation(path: chosen.path, reasons: reasons)
    }

    static func musd(_ usd: Double) -> String { String(format: "%.1f M$", usd / 1e6) }
}

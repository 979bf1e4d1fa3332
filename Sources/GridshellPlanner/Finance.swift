/// Discounting arithmetic on yearly cash flows. Convention: `flows[i]` falls at the end of year
/// i + 1, so a cash flow in the first year is discounted once.
public enum Finance {
    /// Net present value at `rate` a year.
    public static func npv(rate: Double, flows: [Double]) -> Double {
        var total = 0.0, factor = 1.0
        for f in flows {
            factor /= 1 + rate
            total += f * factor
        }
        return total
    }

    /// The rate at which the NPV is zero, by bisection on [-99 %, 1,000 %]; nil when the flows
    /// never change sign or the NPV does not cross zero in that range.
    public static func irr(flows: [Double]) -> Double? {
        guard flows.contains(where: { $0 > 0 }), flows.contains(where: { $0 < 0 }) else { return nil }
        var low = -0.99, high = 10.0
        var fLow = npv(rate: low, flows: flows), fHigh = npv(rate: high, flows: flows)
        guard fLow.sign != fHigh.sign else { return nil }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            let fMid = npv(rate: mid, flows: flows)
            if fMid == 0 { return mid }
            if fMid.sign == fLow.sign {
                low = mid
                fLow = fMid
            } else {
                high = mid
                fHigh = fMid
            }
            if high - low < 1e-10 { break }
        }
        return (low + high) / 2
    }

    /// Years until the cumulative cash flow turns non-negative for good, interpolated within the
    /// year it crosses; 0 when it never goes negative, nil when it ends negative.
    public static func paybackYears(flows: [Double]) -> Double? {
        var cumulative = 0.0
        var lastNegativeEnd: Int?
        var sums: [Double] = []
        for f in flows {
            cumulative += f
            sums.append(cumulative)
        }
        for (i, s) in sums.enumerated() where s < 0 { lastNegativeEnd = i }
        guard let i = lastNegativeEnd else { return 0 }
        guard i + 1 < flows.count else { return nil }
        let before = sums[i], flow = flows[i + 1]
        return Double(i + 1) + (flow > 0 ? -before / flow : 0)
    }

    /// Value per watt by capitalisation: NOI per W ÷ cap rate − capex per W (Morgan Stanley's
    /// method, FACTS §6).
    public static func valuePerWatt(noiUSDPerYear: Double, capRate: Double, capexUSD: Double, watts: Double) -> Double {
        guard watts > 0, capRate > 0 else { return 0 }
        return (noiUSDPerYear / capRate - capexUSD) / watts
    }
}

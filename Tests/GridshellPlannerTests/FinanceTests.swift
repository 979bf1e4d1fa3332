import Testing
@testable import GridshellPlanner

@Suite("NPV, IRR, payback")
struct FinanceTests {
    @Test func npvDiscountsEachYearEndOnce() {
        // −100 then 60, 60 at 10 %: −100/1.1 + 60/1.21 + 60/1.331.
        let npv = Finance.npv(rate: 0.10, flows: [-100, 60, 60])
        #expect(abs(npv - (-90.909090909 + 49.586776860 + 45.078888054)) < 1e-6)
        #expect(Finance.npv(rate: 0, flows: [1, 2, 3]) == 6)
    }

    @Test func irrFindsTheRateOfZeroNPV() throws {
        // −100 now-ish, 110 a year later: 10 %.
        let r = try #require(Finance.irr(flows: [-100, 110]))
        #expect(abs(r - 0.10) < 1e-8)
        // −1000, then 500 for three years: the root of −1000 + 500/(1+r) … solved by hand to 23.375 %.
        let r2 = try #require(Finance.irr(flows: [-1000, 500, 500, 500]))
        #expect(abs(Finance.npv(rate: r2, flows: [-1000, 500, 500, 500])) < 1e-6)
        #expect(abs(r2 - 0.2337519) < 1e-6)
        #expect(Finance.irr(flows: [10, 20]) == nil)
    }

    @Test func paybackInterpolatesWithinTheYear() {
        // Cumulative −100, −60, −20, +20: the fourth year earns the last 20 in half its length.
        #expect(Finance.paybackYears(flows: [-100, 40, 40, 40]) == 3.5)
        #expect(Finance.paybackYears(flows: [5, 5]) == 0)
        #expect(Finance.paybackYears(flows: [-100, 10]) == nil)
    }

    @Test func valuePerWattIsNOIAtTheCapRateLessCapex() {
        // 1.2 $/W of NOI at 6 % is 20 $/W, less 12 $/W of capex: 8 $/W.
        #expect(abs(Finance.valuePerWatt(noiUSDPerYear: 1.2e6, capRate: 0.06, capexUSD: 12e6, watts: 1e6) - 8) < 1e-12)
    }
}

import Foundation
import GridshellCore
import Testing
@testable import GridshellPlanner

/// The Monte Carlo against closed forms, and its independence from how it is split.
@Suite("planner Monte Carlo")
struct MonteCarloTests {
    /// Lognormal quantile of S_T under GBM: S0 · exp((μ − σ²/2)T + σ√T z).
    static func quantile(_ z: Double, s0: Double, mu: Double, sigma: Double, years: Double) -> Double {
        s0 * exp((mu - sigma * sigma / 2) * years + sigma * years.squareRoot() * z)
    }

    @Test func btcPriceMatchesTheClosedFormGBM() throws {
        var site = Fixture.site(mw: 1)
        site.strategy.paths = [.lease]
        site.strategy.years = 5
        site.strategy.lease.termYears = 5
        site.strategy.simulations = 8_000
        site.strategy.risk.btcDriftPerYear = 0.10
        site.strategy.risk.btcVolatility = 0.50
        let r = try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 2)
        // The price after the last month has taken 60 monthly steps: five years.
        let t = 5.0, s0 = 100_000.0
        let mean = s0 * exp(0.10 * t)
        // Standard error of the mean of a lognormal: mean · √(e^{σ²T} − 1) / √N.
        let se = mean * (exp(0.25 * t) - 1).squareRoot() / (8_000.0).squareRoot()
        #expect(abs(r.btcPriceAtHorizon.mean - mean) < 4 * se, "mean \(r.btcPriceAtHorizon.mean) vs \(mean) ± \(se)")
        for (got, z) in [(r.btcPriceAtHorizon.p5, -1.6448536), (r.btcPriceAtHorizon.p50, 0), (r.btcPriceAtHorizon.p95, 1.6448536)] {
            let expected = Self.quantile(z, s0: s0, mu: 0.10, sigma: 0.50, years: t)
            #expect(abs(got / expected - 1) < 0.06, "quantile z=\(z): \(got) vs \(expected)")
        }
    }

    @Test func normalsHaveUnitMomentsAndSeedsRepeat() {
        var a = RandomSource(seed: 7, stream: 3), b = RandomSource(seed: 7, stream: 3), c = RandomSource(seed: 7, stream: 4)
        #expect(a.next() == b.next())
        #expect(a.next() != c.next())
        var sum = 0.0, squares = 0.0
        let n = 200_000
        for _ in 0..<n {
            let z = a.normal()
            sum += z
            squares += z * z
        }
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(squares / Double(n) - 1) < 0.01)
    }

    @Test func resultsDoNotDependOnTheSplit() throws {
        var site = Fixture.site(mw: 5, miners: [Fixture.s21(count: 1_400)])
        site.strategy.simulations = 300
        site.strategy.years = 5
        site.strategy.lease.termYears = 5
        site.strategy.risk.btcVolatility = 0.6
        site.strategy.risk.feeVolatility = 0.5
        site.strategy.risk.gpuPriceVolatility = 0.2
        site.strategy.lease.defaultProbabilityPerYear = 0.05
        let one = try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 1)
        let two = try Planner.run(PlanInputs(site: site, network: Fixture.network), workers: 2)
        #expect(one.paths.map(\.monteCarlo) == two.paths.map(\.monteCarlo))
        // Risk shows: mining's NPV spreads with the BTC price.
        let mine = Fixture.path(one, .mine).monteCarlo.npvUSD
        #expect(mine.p95 > mine.p50 && mine.p50 > mine.p5)
    }

    @Test func bootstrapDrawsFromTheHistory() throws {
        var site = Fixture.site(mw: 1)
        site.strategy.paths = [.lease]
        site.strategy.years = 3
        site.strategy.lease.termYears = 3
        site.strategy.risk.priceModel = .bootstrap
        site.strategy.risk.btcVolatility = 0.5
        var inputs = PlanInputs(site: site, network: Fixture.network)
        #expect(throws: PlannerError.self) { try Planner.run(inputs) }
        // A history of alternating ±10 % months: every bootstrapped path stays near the drift.
        inputs.monthlyLogReturns = (0..<48).map { $0 % 2 == 0 ? 0.1 : -0.1 }
        let r = try Planner.run(inputs, workers: 2)
        #expect(r.btcPriceAtHorizon.p95 / r.btcPriceAtHorizon.p5 < 1.5)
        // A volatile, trending history with runs: the blocks are recentred so the expected price
        // still grows at the drift (10 % a year), its spread the history's.
        inputs.monthlyLogReturns = (0..<84).map { (month: Int) -> Double in
            let wave: Double = 0.15 * sin(Double(month) * 0.7)
            let run: Double = month % 3 == 0 ? 0.1 : -0.05
            return 0.04 + wave + run
        }
        inputs.strategy.simulations = 8_000
        inputs.strategy.risk.btcDriftPerYear = 0.10
        let b = try Planner.run(inputs, workers: 2)
        let expected = 100_000 * exp(0.10 * 3)
        #expect(abs(b.btcPriceAtHorizon.mean / expected - 1) < 0.06, "\(b.btcPriceAtHorizon.mean) vs \(expected)")
        #expect(b.btcPriceAtHorizon.p95 / b.btcPriceAtHorizon.p5 > 2)
    }
}

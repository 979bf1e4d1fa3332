import Dispatch
import Foundation

/// The Monte Carlo's raw results in structure-of-arrays form: NPV per path and simulation, net
/// cash per path, year and simulation, and the final BTC price per simulation.
struct MonteCarlo {
    let simulations: Int
    let paths: Int
    let years: Int
    /// Index `p * simulations + k`.
    var npvs: [Double]
    /// Index `(p * years + y) * simulations + k`.
    var yearlyNet: [Double]
    var finalPrices: [Double]

    func npv(_ p: Int) -> [Double] { Array(npvs[(p * simulations)..<((p + 1) * simulations)]) }

    func yearly(_ p: Int, _ y: Int) -> [Double] {
        let start = (p * years + y) * simulations
        return Array(yearlyNet[start..<(start + simulations)])
    }
}

/// Raw buffers handed to the workers; each simulation writes only its own slots.
private struct Slots: @unchecked Sendable {
    let npv: UnsafeMutableBufferPointer<Double>
    let yearly: UnsafeMutableBufferPointer<Double>
    let prices: UnsafeMutableBufferPointer<Double>
}

extension Planner {
    /// Runs every simulation, split into `workers` contiguous ranges run in parallel. Simulation
    /// k draws from stream k of the seed, whoever runs it.
    static func monteCarlo(_ inputs: PlanInputs, workers: Int) -> MonteCarlo {
        let s = inputs.strategy
        let n = s.simulations, years = s.years
        let schedule = PlanSchedule(inputs: inputs)
        let layouts = s.paths.map { PathLayout(path: $0, months: schedule.months, hybrid: s.hybrid) }
        let simulator = PathSimulator(inputs: inputs, schedule: schedule, layouts: layouts)
        let paths = layouts.count
        var npvs = [Double](repeating: 0, count: paths * n)
        var yearlyNet = [Double](repeating: 0, count: paths * years * n)
        var finalPrices = [Double](repeating: 0, count: n)
        let chunks = max(1, min(workers, n))
        let scale = inputs.utilityMW
        var discount = [Double]()
        var factor = 1.0
        for _ in 0..<years {
            factor /= 1 + s.discountRate
            discount.append(factor)
        }
        let factors = discount
        npvs.withUnsafeMutableBufferPointer { npvBuffer in
            yearlyNet.withUnsafeMutableBufferPointer { yearlyBuffer in
                finalPrices.withUnsafeMutableBufferPointer { priceBuffer in
                    let slots = Slots(npv: npvBuffer, yearly: yearlyBuffer, prices: priceBuffer)
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        let from = n * chunk / chunks, to = n * (chunk + 1) / chunks
                        var out = PathSimulator.Yearly(paths: paths, years: years)
                        for k in from..<to {
                            var rng: RandomSource? = RandomSource(seed: s.seed, stream: UInt64(k))
                            simulator.run(rng: &rng, into: &out)
                            for p in 0..<paths {
                                var npv = 0.0
                                for y in 0..<years {
                                    let net = out.net(p * years + y) * scale
                                    slots.yearly[(p * years + y) * n + k] = net
                                    npv += net * factors[y]
                                }
                                slots.npv[p * n + k] = npv
                            }
                            slots.prices[k] = out.finalPriceUSD
                        }
                    }
                }
            }
        }
        return MonteCarlo(simulations: n, paths: paths, years: years, npvs: npvs, yearlyNet: yearlyNet, finalPrices: finalPrices)
    }
}

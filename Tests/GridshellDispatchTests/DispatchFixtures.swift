import Foundation
@testable import GridshellCore
@testable import GridshellDispatch

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ p: String) -> String { root.appendingPathComponent(p).path }

    /// A site from YAML text (the tests' sites are written the way users write them).
    static func site(_ yaml: String) -> Site {
        do { return try SiteLoader.parse(yaml: yaml, file: "test.yaml") } catch { fatalError("\(error)") }
    }

    /// A deterministic random generator for seeded cases.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
    }

    static let models = ["Antminer S19j Pro", "Antminer S21", "Antminer S21 XP", "Whatsminer M60S", "Antminer S19j Pro 96T"]
    static let firmwares = ["stock", "luxos", "braiins"]

    /// A random small site: a few miner groups, maybe a training cluster and a tenant, maybe an
    /// award, a real-time or fixed-price contract. With `deadlines` the cluster is always there
    /// and its training and batch jobs have work to finish by a time inside `deadlineWindow`
    /// (hours from `start`), often more than they can do while paused half the time.
    static func randomSite(
        _ rng: inout Rng, minersPerGroup: ClosedRange<Int> = 1...400, deadlines: Bool = false, start: Date = randomStart,
        deadlineWindow: ClosedRange<Double> = 3...24
    ) -> Site {
        let groups = Int.random(in: 1...4, using: &rng)
        var yaml = "name: random\n"
        var minersMW = 0.0
        var minerYAML = "miners:\n"
        for g in 0..<groups {
            let model = models.randomElement(using: &rng)!
            let count = Int.random(in: minersPerGroup, using: &rng)
            minersMW += Double(count) * 2.8e-3
            minerYAML += "  - {name: g\(g), model: \(model), firmware: \(firmwares.randomElement(using: &rng)!), count: \(count), min_on_minutes: \(Int.random(in: 0...30, using: &rng)), min_off_minutes: \(Int.random(in: 0...30, using: &rng))}\n"
        }
        let hasAI = deadlines || Bool.random(using: &rng)
        let tenantKW = hasAI ? Double(Int.random(in: 100...2000, using: &rng)) : 0
        let interconnect = (minersMW * Double.random(in: 0.5...1.3, using: &rng) + tenantKW / 1000 * 1.2 + 2).rounded(.up)
        yaml += "interconnect_mw: \(interconnect)\ncooling: {mining_pue: 1.05, ai_pue: 1.2}\n"
        if Bool.random(using: &rng) {
            yaml += "contract: {type: real_time, settlement_point: HB_WEST, adder_usd_per_mwh: 2, transmission_4cp_usd_per_kw_year: 80}\n"
        } else {
            yaml += "contract: {type: fixed_price, settlement_point: HB_WEST, fixed_price_usd_per_mwh: 30, block_mw: \(max(interconnect * 0.8, 0.1)), sell_back: \(Bool.random(using: &rng))}\n"
        }
        yaml += minerYAML
        if hasAI {
            yaml += "ai_tenants:\n  - {name: t, firm_kw: \(tenantKW), usd_per_kw_month: 120, term_years: 10}\n"
            yaml += "gpu_clusters:\n  - name: c\n    system: DGX H100\n    count: 4\n    jobs:\n"
            var trainDeadline = "", batchDeadline = ""
            if deadlines {
                func deadline(gpus: Double) -> String {
                    let hours = Double.random(in: deadlineWindow, using: &rng)
                    let work = (gpus * hours * Double.random(in: 0.6...1.05, using: &rng) * 100).rounded() / 100
                    let at = ISO8601DateFormatter().string(from: start.addingTimeInterval(hours * 3600))
                    let penalty = Bool.random(using: &rng) ? ", deadline_penalty_usd_per_gpu_hour: \(Double.random(in: 1...40, using: &rng))" : ""
                    return ", work_gpu_hours: \(work), deadline: \(at)\(penalty)"
                }
                trainDeadline = deadline(gpus: 16)
                if Bool.random(using: &rng) { batchDeadline = deadline(gpus: 8) }
            }
            yaml += "      - {name: train, kind: training, gpus: 16, flex_tier: \(Int.random(in: 0...3, using: &rng)), value_usd_per_gpu_hour: \(Double.random(in: 0.5...3, using: &rng) * (deadlines ? 0.3 : 1)), checkpoint_cost_usd: 50\(trainDeadline)}\n"
            yaml += "      - {name: batch, kind: batch, gpus: 8, value_usd_per_gpu_hour: 0.3\(batchDeadline)}\n"
            yaml += "      - {name: serve, kind: inference, gpus: 8, value_usd_per_gpu_hour: 3}\n"
        }
        if Bool.random(using: &rng) {
            yaml += "grid_programs:\n  ancillary:\n    - {product: ECRS, mw: \(max(0.001, (minersMW * 0.15 * 1000).rounded(.down) / 1000)), price_usd_per_mw_hour: 5}\n"
        }
        return site(yaml)
    }

    /// Random prices with spikes and negative hours, starting on a summer weekday so 4CP matters.
    static func randomPrices(_ rng: inout Rng, count: Int, intervalSeconds: Int = 900) -> PriceSeries {
        var prices: [Double] = []
        var p = Double.random(in: 10...60, using: &rng)
        for _ in 0..<count {
            p = max(-30, p + Double.random(in: -15...15, using: &rng))
            let r = Double.random(in: 0...1, using: &rng)
            prices.append(r < 0.05 ? Double.random(in: 300...9000, using: &rng) : (r < 0.08 ? -Double.random(in: 0...40, using: &rng) : p))
        }
        return PriceSeries(settlementPoint: "HB_WEST", start: randomStart, intervalSeconds: intervalSeconds, pricesUSDPerMWh: prices)
    }

    /// 2020-07-15 20:00 UTC = 15:00 CDT, a Wednesday.
    static let randomStart = Date(timeIntervalSince1970: 1_594_843_200)

    static func randomInputs(_ rng: inout Rng, intervals: Int = 96, deadlines: Bool = false) -> BacktestInputs {
        let site = randomSite(&rng, deadlines: deadlines, deadlineWindow: 1...(Double(intervals) * 0.25 + 2))
        var prices = randomPrices(&rng, count: intervals)
        if deadlines {
            // Dearer power, so jobs would rather pause and their deadlines bind.
            let scale = Double.random(in: 4...16, using: &rng)
            prices = PriceSeries(
                settlementPoint: prices.settlementPoint, start: prices.start, intervalSeconds: prices.intervalSeconds,
                pricesUSDPerMWh: prices.pricesUSDPerMWh.map { $0 * scale })
        }
        let hp = Double.random(in: 20...120, using: &rng) / 1000 / 24
        var events: [DemandResponseEvent] = []
        if Bool.random(using: &rng) {
            let start = prices.date(at: Int.random(in: 0..<intervals / 2, using: &rng))
            events.append(DemandResponseEvent(
                start: start, end: start.addingTimeInterval(3600 * 2), targetMW: site.interconnectMW * Double.random(in: 0.2...0.9, using: &rng),
                creditUSDPerMWh: Double.random(in: 0...200, using: &rng)))
        }
        return BacktestInputs(
            site: DispatchSite(site: site), prices: prices, minerUSDPerTHHour: Array(repeating: hp, count: intervals),
            events: events, fourCPIntervals: BacktestSetup.fourCPProxy(prices))
    }
}

import Yams

/// The `strategy:` section: the planner's assumptions, each optional with its default.
extension SiteReader {
    func readStrategy(_ node: Node) -> StrategyAssumptions {
        var s = StrategyAssumptions()
        let path = "strategy"
        guard let m = fields.entries(node, path: path, allowed: [
            "years", "paths", "simulations", "seed", "discount_rate_percent", "cap_rate_percent", "start_year", "energy_usd_per_mwh",
            "mine", "lease", "cloud", "hybrid", "risk",
        ]) else { return s }
        s.years = fields.integer(m, "years", path: path, parent: node, required: false, range: 1...50) ?? s.years
        if let list = m["paths"] { s.paths = readPaths(list) ?? s.paths }
        s.simulations = fields.integer(m, "simulations", path: path, parent: node, required: false, range: 1...1_000_000) ?? s.simulations
        s.seed = fields.integer(m, "seed", path: path, parent: node, required: false, range: 0...Int.max).map { UInt64($0) } ?? s.seed
        s.discountRate = percent(m, "discount_rate_percent", path, node, 0...100) ?? s.discountRate
        s.capRate = percent(m, "cap_rate_percent", path, node, 0.1...100) ?? s.capRate
        s.startYear = fields.integer(m, "start_year", path: path, parent: node, required: false, range: 2009...2200) ?? s.startYear
        s.energyUSDPerMWh = fields.number(m, "energy_usd_per_mwh", path: path, parent: node, required: false, range: -1000...10_000, unit: " USD/MWh")
        if let n = m["mine"] { s.mine = readMine(n) }
        if let n = m["lease"] { s.lease = readLease(n) }
        if let n = m["cloud"] { s.cloud = readCloud(n) }
        if let n = m["hybrid"] { s.hybrid = readHybrid(n) }
        if let n = m["risk"] { s.risk = readRisk(n) }

        if s.lease.termYears > Double(s.years), s.lease.renewal == .none {
            fields.report(
                m["lease"].flatMap { child($0, "term_years") } ?? m["lease"] ?? node,
                "strategy.lease.term_years",
                "the \(format(s.lease.termYears))-year lease is longer than the \(s.years)-year horizon and renewal is none; say what the years past the horizon are worth (renewal: renew) or shorten the term")
        }
        return s
    }

    /// A mapping's value by key, without reporting anything (the readers already have).
    private func child(_ node: Node, _ key: String) -> Node? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping.first { $0.key.scalar?.string == key }?.value
    }

    private func readPaths(_ node: Node) -> [StrategyAssumptions.Path]? {
        let key = "strategy.paths"
        let items: [Node]
        if case .sequence(let seq) = node {
            items = Array(seq)
        } else if let text = node.scalar?.string {
            items = text.split(separator: ",").map { Node(String($0).trimmingCharacters(in: .whitespaces)) }
        } else {
            fields.report(node, key, "expected a list of mine, lease, cloud, hybrid")
            return nil
        }
        var paths: [StrategyAssumptions.Path] = []
        for item in items {
            guard let text = item.scalar?.string, let p = StrategyAssumptions.Path(rawValue: text.lowercased()) else {
                fields.report(item.mark == nil ? node : item, key, "unknown path '\(item.scalar?.string ?? fields.describe(item))'; expected mine, lease, cloud or hybrid")
                continue
            }
            if !paths.contains(p) { paths.append(p) }
        }
        if paths.isEmpty, !items.isEmpty { return nil }
        if items.isEmpty { fields.report(node, key, "expected at least one of mine, lease, cloud, hybrid") }
        return paths.isEmpty ? nil : paths
    }

    private func readMine(_ node: Node) -> StrategyAssumptions.Mine {
        var x = StrategyAssumptions.Mine()
        let path = "strategy.mine"
        guard let m = fields.entries(node, path: path, allowed: [
            "uptime_percent", "grid_income_usd_per_mw_year", "opex_usd_per_mw_year", "machines_usd_per_mw", "infrastructure_usd_per_mw",
            "refresh_years", "fleet_age_years", "efficiency_gain_percent_per_year", "difficulty", "hashrate_growth_percent_per_year",
            "hashrate_response_percent_per_month", "network_efficiency_gain_percent_per_year",
        ]) else { return x }
        x.uptime = percent(m, "uptime_percent", path, node, 0...100) ?? x.uptime
        x.gridIncomeUSDPerMWYear = money(m, "grid_income_usd_per_mw_year", path, node) ?? x.gridIncomeUSDPerMWYear
        x.opexUSDPerMWYear = money(m, "opex_usd_per_mw_year", path, node) ?? x.opexUSDPerMWYear
        x.machinesUSDPerMW = money(m, "machines_usd_per_mw", path, node) ?? x.machinesUSDPerMW
        x.infrastructureUSDPerMW = money(m, "infrastructure_usd_per_mw", path, node) ?? x.infrastructureUSDPerMW
        x.refreshYears = fields.integer(m, "refresh_years", path: path, parent: node, required: false, range: 1...20) ?? x.refreshYears
        x.fleetAgeYears = fields.number(m, "fleet_age_years", path: path, parent: node, required: false, range: 0...20) ?? x.fleetAgeYears
        x.efficiencyGainPerYear = percent(m, "efficiency_gain_percent_per_year", path, node, 0...50) ?? x.efficiencyGainPerYear
        x.difficulty = fields.choice(m, "difficulty", path: path, parent: node, required: false,
            options: StrategyAssumptions.Mine.DifficultyModel.allCases.map { ($0.rawValue, $0) }) ?? x.difficulty
        x.hashrateGrowthPerYear = percent(m, "hashrate_growth_percent_per_year", path, node, -90...500) ?? x.hashrateGrowthPerYear
        x.hashrateResponsePerMonth = percent(m, "hashrate_response_percent_per_month", path, node, 0...100) ?? x.hashrateResponsePerMonth
        x.networkEfficiencyGainPerYear = percent(m, "network_efficiency_gain_percent_per_year", path, node, 0...50) ?? x.networkEfficiencyGainPerYear
        if x.fleetAgeYears > Double(x.refreshYears), let n = m["fleet_age_years"] {
            fields.report(n, "\(path).fleet_age_years", "a fleet \(format(x.fleetAgeYears)) years old is past its \(x.refreshYears)-year refresh; expected at most refresh_years")
        }
        return x
    }

    static let leaseKeys = [
        "utility_per_it_mw", "capex_usd_per_mw_it", "commissioning_months", "term_years", "usd_per_kw_month", "escalator_percent", "structure",
        "noi_margin_percent", "renewal", "renewal_options", "renewal_years", "renewal_probability_percent", "default_percent_per_year", "re_let_months",
    ]

    private func readLease(_ node: Node) -> StrategyAssumptions.Lease {
        var x = StrategyAssumptions.Lease()
        let path = "strategy.lease"
        guard let m = fields.entries(node, path: path, allowed: Self.leaseKeys) else { return x }
        x.utilityPerITMW = fields.number(m, "utility_per_it_mw", path: path, parent: node, required: false, range: 1...3) ?? x.utilityPerITMW
        x.capexUSDPerMWIT = money(m, "capex_usd_per_mw_it", path, node) ?? x.capexUSDPerMWIT
        x.commissioningMonths = fields.integer(m, "commissioning_months", path: path, parent: node, required: false, range: 0...120) ?? x.commissioningMonths
        x.termYears = fields.number(m, "term_years", path: path, parent: node, required: false, range: 1...99) ?? x.termYears
        x.usdPerKWMonth = fields.number(m, "usd_per_kw_month", path: path, parent: node, required: false, range: 0...10_000, unit: " USD/kW-month") ?? x.usdPerKWMonth
        x.escalator = percent(m, "escalator_percent", path, node, -10...50) ?? x.escalator
        x.structure = fields.choice(m, "structure", path: path, parent: node, required: false,
            options: StrategyAssumptions.Lease.Structure.allCases.map { ($0.rawValue, $0) }) ?? x.structure
        x.noiMargin = percent(m, "noi_margin_percent", path, node, 0...100)
        x.renewal = fields.choice(m, "renewal", path: path, parent: node, required: false,
            options: StrategyAssumptions.Lease.Renewal.allCases.map { ($0.rawValue, $0) }) ?? x.renewal
        x.renewalOptions = fields.integer(m, "renewal_options", path: path, parent: node, required: false, range: 0...10) ?? x.renewalOptions
        x.renewalYears = fields.number(m, "renewal_years", path: path, parent: node, required: false, range: 1...30) ?? x.renewalYears
        x.renewalProbability = percent(m, "renewal_probability_percent", path, node, 0...100) ?? x.renewalProbability
        x.defaultProbabilityPerYear = percent(m, "default_percent_per_year", path, node, 0...100) ?? x.defaultProbabilityPerYear
        x.reLetMonths = fields.integer(m, "re_let_months", path: path, parent: node, required: false, range: 0...240) ?? x.reLetMonths
        return x
    }

    private func readCloud(_ node: Node) -> StrategyAssumptions.Cloud {
        var x = StrategyAssumptions.Cloud()
        let path = "strategy.cloud"
        guard let m = fields.entries(node, path: path, allowed: [
            "system", "pue", "usd_per_gpu", "refresh_years", "utilisation_percent", "usd_per_gpu_hour", "price_decline_percent_per_year",
            "opex_percent_of_revenue",
        ]) else { return x }
        if let name = fields.string(m, "system", path: path, parent: node, required: false) {
            if GPUSystem.named(name) == nil {
                fields.report(m["system"], "\(path).system", "unknown GPU system '\(name)'; expected one of: " + GPUSystem.builtIn.map(\.name).joined(separator: ", "))
            } else {
                x.system = name
            }
        }
        x.pue = fields.number(m, "pue", path: path, parent: node, required: false, range: 1...3)
        x.usdPerGPU = money(m, "usd_per_gpu", path, node) ?? x.usdPerGPU
        x.refreshYears = fields.integer(m, "refresh_years", path: path, parent: node, required: false, range: 1...20) ?? x.refreshYears
        x.utilisation = percent(m, "utilisation_percent", path, node, 0...100) ?? x.utilisation
        x.usdPerGPUHour = fields.number(m, "usd_per_gpu_hour", path: path, parent: node, required: false, range: 0...1000, unit: " USD/GPU-hour") ?? x.usdPerGPUHour
        x.priceDeclinePerYear = percent(m, "price_decline_percent_per_year", path, node, 0...99) ?? x.priceDeclinePerYear
        x.opexShareOfRevenue = percent(m, "opex_percent_of_revenue", path, node, 0...100) ?? x.opexShareOfRevenue
        return x
    }

    private func readHybrid(_ node: Node) -> StrategyAssumptions.Hybrid {
        var x = StrategyAssumptions.Hybrid()
        let path = "strategy.hybrid"
        guard let m = fields.entries(node, path: path, allowed: [
            "mine_percent", "lease_percent", "cloud_percent", "conversion_percent_per_year", "convert_to",
        ]) else { return x }
        // Shares are read without a range so a negative one gets its own message.
        func share(_ key: String) -> Double? {
            guard let v = fields.number(m, key, path: path, parent: node, required: false, unit: " %") else { return nil }
            if v < 0 { fields.report(m[key], "\(path).\(key)", "a share of the site cannot be negative; found \(format(v)) %") }
            return v / 100
        }
        let given = [share("mine_percent"), share("lease_percent"), share("cloud_percent")]
        if given.contains(where: { $0 != nil }) {
            x.mineShare = given[0] ?? 0
            x.leaseShare = given[1] ?? 0
            x.cloudShare = given[2] ?? 0
        }
        let total = x.mineShare + x.leaseShare + x.cloudShare
        if total > 1 + 1e-9 {
            fields.report(m["mine_percent"] ?? m["lease_percent"] ?? m["cloud_percent"] ?? node, "\(path).mine_percent",
                "mine, lease and cloud shares add up to \(format((total * 100 * 1e6).rounded() / 1e6)) % of the site; expected at most 100 %")
        }
        x.conversionPerYear = percent(m, "conversion_percent_per_year", path, node, 0...100) ?? x.conversionPerYear
        x.convertTo = fields.choice(m, "convert_to", path: path, parent: node, required: false,
            options: StrategyAssumptions.Hybrid.Target.allCases.map { ($0.rawValue, $0) }) ?? x.convertTo
        return x
    }

    private func readRisk(_ node: Node) -> StrategyAssumptions.Risk {
        var x = StrategyAssumptions.Risk()
        let path = "strategy.risk"
        guard let m = fields.entries(node, path: path, allowed: [
            "price_model", "btc_drift_percent_per_year", "btc_volatility_percent", "bootstrap_block_months", "fee_volatility_percent",
            "gpu_price_volatility_percent",
        ]) else { return x }
        x.priceModel = fields.choice(m, "price_model", path: path, parent: node, required: false,
            options: StrategyAssumptions.Risk.PriceModel.allCases.map { ($0.rawValue, $0) }) ?? x.priceModel
        x.btcDriftPerYear = percent(m, "btc_drift_percent_per_year", path, node, -100...200) ?? x.btcDriftPerYear
        x.btcVolatility = percent(m, "btc_volatility_percent", path, node, 0...300) ?? x.btcVolatility
        x.bootstrapBlockMonths = fields.integer(m, "bootstrap_block_months", path: path, parent: node, required: false, range: 1...60) ?? x.bootstrapBlockMonths
        x.feeVolatility = percent(m, "fee_volatility_percent", path, node, 0...300) ?? x.feeVolatility
        x.gpuPriceVolatility = percent(m, "gpu_price_volatility_percent", path, node, 0...300) ?? x.gpuPriceVolatility
        return x
    }

    private func percent(_ m: [String: Node], _ key: String, _ path: String, _ node: Node, _ range: ClosedRange<Double>) -> Double? {
        fields.number(m, key, path: path, parent: node, required: false, range: range, unit: " %").map { $0 / 100 }
    }

    /// A capex or cost in USD: negative amounts are refused with a message that says so.
    private func money(_ m: [String: Node], _ key: String, _ path: String, _ node: Node) -> Double? {
        guard let v = fields.number(m, key, path: path, parent: node, required: false, unit: " USD") else { return nil }
        if v < 0 {
            fields.report(m[key], "\(path).\(key)", "a cost cannot be negative; found \(format(v)) USD")
            return nil
        }
        return v
    }

    private func format(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
}

import Foundation
import Yams

/// Reads a site from its YAML file and checks it, reporting every problem at once.
public enum SiteLoader {
    /// Loads and validates the site file at `path`.
    public static func load(path: String) throws(SiteFileError) -> Site {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SiteFileError(issues: [SiteFileIssue(file: path, line: 0, key: "", message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SiteFileError(issues: [SiteFileIssue(file: path, line: 0, key: "", message: "the file is not UTF-8 text")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses and validates site YAML; `file` names it in messages.
    public static func parse(yaml: String, file: String = "<site>") throws(SiteFileError) -> Site {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw SiteFileError(issues: [SiteFileIssue(file: file, line: 1, key: "", message: "the file is empty; expected a site mapping")])
            }
            root = node
        } catch let error as SiteFileError {
            throw error
        } catch {
            throw SiteFileError(issues: [syntaxIssue(error, file: file)])
        }
        let fields = YAMLFields(file: file)
        let site = SiteReader(fields: fields).site(root)
        if let site, fields.issues.isEmpty { return site }
        throw SiteFileError(issues: fields.issues.sorted { ($0.line, $0.key) < ($1.line, $1.key) })
    }

    static func syntaxIssue(_ error: any Error, file: String) -> SiteFileIssue {
        guard let yamlError = error as? YamlError else {
            return SiteFileIssue(file: file, line: 1, key: "", message: "not valid YAML: \(error)")
        }
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return SiteFileIssue(file: file, line: mark.line, key: "", message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SiteFileIssue(
                file: file, line: context.mark.line, key: duplicates.joined(separator: ", "),
                message: "key appears twice in one mapping")
        case .reader(let problem, _, _, _):
            return SiteFileIssue(file: file, line: 1, key: "", message: "not readable as YAML text: \(problem)")
        default:
            return SiteFileIssue(file: file, line: 1, key: "", message: "not valid YAML: \(yamlError)")
        }
    }
}

/// Walks the site tree. Every reader returns what it could read and leaves problems in `fields`.
struct SiteReader {
    let fields: YAMLFields

    static let topKeys = [
        "name", "interconnect_mw", "cooling", "contract", "pool", "bitcoin", "miners", "gpu_clusters",
        "ai_tenants", "grid_programs", "catalog", "feeds", "strategy",
    ]

    func site(_ root: Node) -> Site? {
        guard let top = fields.entries(root, path: "", allowed: Self.topKeys) else { return nil }
        let name = fields.string(top, "name", path: "", parent: root, required: true)
        let interconnect = fields.number(top, "interconnect_mw", path: "", parent: root, required: true, range: 0.001...100_000, unit: " MW")

        var catalog = MinerCatalog.builtIn
        if let node = top["catalog"] { readCatalog(node, into: &catalog) }

        let cooling = top["cooling"].flatMap { readCooling($0) } ?? CoolingOverhead()
        let contract = top["contract"].flatMap { readContract($0, interconnectMW: interconnect) }
        if top["contract"] == nil { fields.report(root, "contract", "missing; expected the energy contract (type, settlement_point, …)") }

        var poolFee = 0.0
        if let node = top["pool"], let pool = fields.entries(node, path: "pool", allowed: ["fee_percent"]) {
            poolFee = (fields.number(pool, "fee_percent", path: "pool", parent: node, required: false, range: 0...20, unit: " %") ?? 0) / 100
        }
        let bitcoin = top["bitcoin"].flatMap { readBitcoin($0) } ?? BitcoinInputs()

        let miners = fields.list(top, "miners", path: "", parent: root, required: false).enumerated().compactMap {
            readMinerGroup($0.element, path: "miners[\($0.offset)]", catalog: catalog)
        }
        checkUnique(miners.map(\.name), nodes: fields.list(top, "miners", path: "", parent: root, required: false), what: "miners")
        let clusters = fields.list(top, "gpu_clusters", path: "", parent: root, required: false).enumerated().compactMap {
            readCluster($0.element, path: "gpu_clusters[\($0.offset)]")
        }
        let tenants = fields.list(top, "ai_tenants", path: "", parent: root, required: false).enumerated().compactMap {
            readTenant($0.element, path: "ai_tenants[\($0.offset)]")
        }
        let programs = top["grid_programs"].flatMap { readGridPrograms($0) } ?? GridPrograms()
        let feeds = top["feeds"].flatMap { readFeeds($0) } ?? FeedSettings()
        let strategy = top["strategy"].map { readStrategy($0) } ?? StrategyAssumptions()

        guard let name, let interconnect, let contract else { return nil }
        let site = Site(
            name: name, interconnectMW: interconnect, cooling: cooling, contract: contract, poolFeeFraction: poolFee,
            bitcoin: bitcoin, minerGroups: miners, gpuClusters: clusters, aiTenants: tenants, gridPrograms: programs,
            catalog: catalog, feeds: feeds, strategy: strategy)

        // Whole-site checks.
        if site.firmLoadMW > interconnect + 1e-9 {
            fields.report(
                top["ai_tenants"] ?? top["gpu_clusters"] ?? root, "interconnect_mw",
                String(format: "firm AI load with cooling is %.3f MW, above the %.3f MW interconnect; the site could never serve it", site.firmLoadMW, interconnect))
        }
        let awarded = programs.ancillary.reduce(0) { $0 + $1.mw }
        let inferenceMW = site.gpuClusters.reduce(0) { $0 + $1.firmPowerW / 1e6 } * site.cooling.ai
        let droppable = site.minerStockLoadMW + site.gpuFullLoadMW - inferenceMW
        if awarded > droppable + 1e-9 {
            fields.report(
                top["grid_programs"] ?? root, "grid_programs.ancillary",
                String(format: "%.3f MW of awards but only %.3f MW of load can be dropped", awarded, max(droppable, 0)))
        }
        return site
    }

    private func checkUnique(_ names: [String], nodes: [Node], what: String) {
        var seen = Set<String>()
        for (i, name) in names.enumerated() where !seen.insert(name).inserted {
            fields.report(i < nodes.count ? nodes[i] : nil, "\(what)[\(i)].name", "name '\(name)' is used twice; names must be unique")
        }
    }

    private func readCooling(_ node: Node) -> CoolingOverhead? {
        guard let map = fields.entries(node, path: "cooling", allowed: ["mining_pue", "ai_pue"]) else { return nil }
        let mining = fields.number(map, "mining_pue", path: "cooling", parent: node, required: false, range: 1...3)
        let ai = fields.number(map, "ai_pue", path: "cooling", parent: node, required: false, range: 1...3)
        return CoolingOverhead(mining: mining ?? 1, ai: ai ?? 1)
    }

    private func readContract(_ node: Node, interconnectMW: Double?) -> EnergyContract? {
        let path = "contract"
        guard let map = fields.entries(node, path: path, allowed: [
            "type", "settlement_point", "fixed_price_usd_per_mwh", "block_mw", "sell_back", "adder_usd_per_mwh",
            "transmission_4cp_usd_per_kw_year",
        ]) else { return nil }
        enum ContractType { case realTime, fixed }
        let type = fields.choice(map, "type", path: path, parent: node, required: true, options: [
            ("real_time", ContractType.realTime), ("fixed_price", ContractType.fixed),
        ])
        let point = fields.string(map, "settlement_point", path: path, parent: node, required: true)
        if let point, !SettlementPoints.ercot.contains(point) {
            fields.report(map["settlement_point"], "contract.settlement_point",
                "unknown ERCOT settlement point '\(point)'; expected one of: " + SettlementPoints.ercot.joined(separator: ", "))
        }
        let adder = fields.number(map, "adder_usd_per_mwh", path: path, parent: node, required: false, range: -1000...1000) ?? 0
        let tcp = fields.number(map, "transmission_4cp_usd_per_kw_year", path: path, parent: node, required: false, range: 0...1000)
        var kind: EnergyContract.Kind?
        switch type {
        case .fixed:
            let price = fields.number(map, "fixed_price_usd_per_mwh", path: path, parent: node, required: true, range: -1000...10_000, unit: " USD/MWh")
            let block = fields.number(map, "block_mw", path: path, parent: node, required: false, range: 0.001...100_000, unit: " MW")
            let sellBack = fields.bool(map, "sell_back", path: path, parent: node, required: false) ?? true
            if let block, let interconnectMW, block > interconnectMW {
                fields.report(map["block_mw"], "contract.block_mw", "block of \(block) MW is above the \(interconnectMW) MW interconnect")
            }
            if let price { kind = .fixedPrice(priceUSDPerMWh: price, blockMW: block ?? interconnectMW ?? 0, sellBack: sellBack) }
        case .realTime:
            for key in ["fixed_price_usd_per_mwh", "block_mw", "sell_back"] where map[key] != nil {
                fields.report(map[key], "contract.\(key)", "only applies to type fixed_price")
            }
            kind = .realTimeIndex
        case nil:
            break
        }
        guard let kind, let point else { return nil }
        return EnergyContract(kind: kind, settlementPoint: point, adderUSDPerMWh: adder, transmission4CPUSDPerKWYear: tcp)
    }

    private func readBitcoin(_ node: Node) -> BitcoinInputs? {
        let path = "bitcoin"
        guard let map = fields.entries(node, path: path, allowed: [
            "price_usd", "difficulty", "height", "fees_per_block_btc", "hashprice_usd_per_ph_day",
        ]) else { return nil }
        return BitcoinInputs(
            priceUSD: fields.number(map, "price_usd", path: path, parent: node, required: false, range: 0.01...1e9),
            difficulty: fields.number(map, "difficulty", path: path, parent: node, required: false, range: 1...1e30),
            height: fields.integer(map, "height", path: path, parent: node, required: false, range: 0...100_000_000),
            feesPerBlockBTC: fields.number(map, "fees_per_block_btc", path: path, parent: node, required: false, range: 0...1000),
            hashpriceUSDPerPHsDay: fields.number(map, "hashprice_usd_per_ph_day", path: path, parent: node, required: false, range: 0...1e6))
    }

    private func readMinerGroup(_ node: Node, path: String, catalog: MinerCatalog) -> MinerGroup? {
        guard let map = fields.entries(node, path: path, allowed: [
            "name", "model", "firmware", "count", "addresses", "min_on_minutes", "min_off_minutes",
        ]) else { return nil }
        let name = fields.string(map, "name", path: path, parent: node, required: true)
        let modelName = fields.string(map, "model", path: path, parent: node, required: true)
        var model: MinerModel?
        if let modelName {
            model = catalog.model(named: modelName)
            if model == nil {
                fields.report(map["model"], "\(path).model",
                    "unknown miner model '\(modelName)'; expected one of: " + catalog.models.map(\.name).joined(separator: ", ")
                        + " (or add it under catalog.miners)")
            }
        }
        let firmware = fields.choice(map, "firmware", path: path, parent: node, required: true,
            options: FirmwareFamily.allCases.map { ($0.rawValue, $0) })
        let count = fields.integer(map, "count", path: path, parent: node, required: true, range: 1...10_000_000)
        var addresses: [String] = []
        if let a = map["addresses"] {
            let items: [Node]
            if case .sequence(let seq) = a { items = Array(seq) } else { items = [a] }
            for (i, item) in items.enumerated() {
                let key = "\(path).addresses[\(i)]"
                guard let text = item.scalar?.string else {
                    fields.report(item, key, "expected an IPv4 address, CIDR block or range, found \(fields.describe(item))")
                    continue
                }
                switch AddressRange.parse(text) {
                case .success(let range): addresses.append(text); _ = range
                case .failure(let problem): fields.report(item, key, problem.message)
                }
            }
            if let count {
                let total = addresses.compactMap { try? AddressRange.parse($0).get().count }.reduce(0, +)
                if total > 0, total < count {
                    fields.report(a, "\(path).addresses", "\(total) addresses for \(count) miners; every miner needs its own address")
                }
            }
        }
        let minOn = fields.number(map, "min_on_minutes", path: path, parent: node, required: false, range: 0...1440) ?? 15
        let minOff = fields.number(map, "min_off_minutes", path: path, parent: node, required: false, range: 0...1440) ?? 15
        guard let name, let model, let firmware, let count else { return nil }
        return MinerGroup(name: name, model: model, firmware: firmware, count: count, addresses: addresses, minOnMinutes: minOn, minOffMinutes: minOff)
    }

    private func readCluster(_ node: Node, path: String) -> GPUCluster? {
        guard let map = fields.entries(node, path: path, allowed: ["name", "system", "count", "jobs"]) else { return nil }
        let name = fields.string(map, "name", path: path, parent: node, required: true)
        let systemName = fields.string(map, "system", path: path, parent: node, required: true)
        var system: GPUSystem?
        if let systemName {
            system = GPUSystem.named(systemName)
            if system == nil {
                fields.report(map["system"], "\(path).system",
                    "unknown GPU system '\(systemName)'; expected one of: " + GPUSystem.builtIn.map(\.name).joined(separator: ", "))
            }
        }
        let count = fields.integer(map, "count", path: path, parent: node, required: true, range: 1...1_000_000)
        let jobs = fields.list(map, "jobs", path: path, parent: node, required: false).enumerated().compactMap {
            readJob($0.element, path: "\(path).jobs[\($0.offset)]")
        }
        guard let name, let system, let count else { return nil }
        let cluster = GPUCluster(name: name, system: system, count: count, jobs: jobs)
        let used = jobs.reduce(0) { $0 + $1.gpus }
        if used > cluster.gpuCount {
            fields.report(map["jobs"], "\(path).jobs", "jobs ask for \(used) GPUs but the cluster has \(cluster.gpuCount) (\(count) × \(system.gpusPerSystem))")
        }
        return cluster
    }

    private func readJob(_ node: Node, path: String) -> AIJob? {
        guard let map = fields.entries(node, path: path, allowed: [
            "name", "kind", "gpus", "flex_tier", "checkpoint_cost_usd", "value_usd_per_gpu_hour", "work_gpu_hours", "deadline",
            "deadline_penalty_usd_per_gpu_hour",
        ]) else { return nil }
        let name = fields.string(map, "name", path: path, parent: node, required: true)
        let kind = fields.choice(map, "kind", path: path, parent: node, required: true, options: AIJob.Kind.allCases.map { ($0.rawValue, $0) })
        let gpus = fields.integer(map, "gpus", path: path, parent: node, required: true, range: 1...10_000_000)
        let tier = fields.integer(map, "flex_tier", path: path, parent: node, required: false, range: 0...3)
        if kind == .inference, let tier, tier > 0 {
            fields.report(map["flex_tier"], "\(path).flex_tier", "inference is firm load; expected flex_tier 0, found \(tier)")
        }
        let checkpoint = fields.number(map, "checkpoint_cost_usd", path: path, parent: node, required: false, range: 0...1e9) ?? 0
        let value = fields.number(map, "value_usd_per_gpu_hour", path: path, parent: node, required: false, range: 0...10_000) ?? 0
        let work = fields.number(map, "work_gpu_hours", path: path, parent: node, required: false, range: 0...1e12, unit: " GPU-hours")
        let deadline = fields.dateTime(map, "deadline", path: path, parent: node, required: false)
        let penalty = fields.number(map, "deadline_penalty_usd_per_gpu_hour", path: path, parent: node, required: false, range: 0...1e6)
        checkDeadline(map, path: path, kind: kind)
        guard let name, let kind, let gpus else { return nil }
        return AIJob(
            name: name, kind: kind, gpus: gpus, flexTier: tier ?? (kind == .batch ? 3 : 0),
            checkpointCostUSD: checkpoint, valueUSDPerGPUHour: value, workGPUHours: work, deadline: deadline,
            deadlinePenaltyUSDPerGPUHour: penalty)
    }

    /// The work left and the deadline come together, on jobs that can be moved; the penalty
    /// only means something with them.
    private func checkDeadline(_ map: [String: Node], path: String, kind: AIJob.Kind?) {
        let work = map["work_gpu_hours"].flatMap { fields.isNull($0) ? nil : $0 }
        let deadline = map["deadline"].flatMap { fields.isNull($0) ? nil : $0 }
        let penalty = map["deadline_penalty_usd_per_gpu_hour"].flatMap { fields.isNull($0) ? nil : $0 }
        if kind == .inference {
            for (key, node) in [("work_gpu_hours", work), ("deadline", deadline), ("deadline_penalty_usd_per_gpu_hour", penalty)] {
                if let node { fields.report(node, "\(path).\(key)", "inference is firm load with no end; deadlines apply to training and batch jobs") }
            }
            return
        }
        if let work, deadline == nil {
            fields.report(work, "\(path).deadline", "missing; work_gpu_hours needs the deadline it must be done by (YYYY-MM-DD, or a time such as 2021-02-15T18:00:00-06:00)")
        }
        if let deadline, work == nil {
            fields.report(deadline, "\(path).work_gpu_hours", "missing; a deadline needs the work left at the start of the run, in GPU-hours at full throughput")
        }
        if let penalty, work == nil || deadline == nil {
            fields.report(penalty, "\(path).deadline_penalty_usd_per_gpu_hour", "only applies to a job with work_gpu_hours and a deadline")
        }
    }

    private func readTenant(_ node: Node, path: String) -> AITenant? {
        guard let map = fields.entries(node, path: path, allowed: [
            "name", "firm_kw", "usd_per_kw_month", "term_years", "escalator_percent", "start", "energy_pass_through",
        ]) else { return nil }
        let name = fields.string(map, "name", path: path, parent: node, required: true)
        let firm = fields.number(map, "firm_kw", path: path, parent: node, required: true, range: 0.001...1e8, unit: " kW")
        let rate = fields.number(map, "usd_per_kw_month", path: path, parent: node, required: true, range: 0...10_000, unit: " USD/kW-month")
        let term = fields.number(map, "term_years", path: path, parent: node, required: true, range: 0.1...99)
        let escalator = fields.number(map, "escalator_percent", path: path, parent: node, required: false, range: -10...50) ?? 0
        let start = fields.date(map, "start", path: path, parent: node, required: false)
        let passThrough = fields.bool(map, "energy_pass_through", path: path, parent: node, required: false) ?? true
        guard let name, let firm, let rate, let term else { return nil }
        return AITenant(
            name: name, firmKW: firm, usdPerKWMonth: rate, termYears: term, escalatorFraction: escalator / 100, start: start,
            energyPassThrough: passThrough)
    }

    private func readGridPrograms(_ node: Node) -> GridPrograms? {
        let path = "grid_programs"
        guard let map = fields.entries(node, path: path, allowed: ["ancillary", "demand_response", "openadr", "four_cp"]) else { return nil }
        let awards = fields.list(map, "ancillary", path: path, parent: node, required: false).enumerated().compactMap { item -> AncillaryAward? in
            let p = "\(path).ancillary[\(item.offset)]"
            guard let m = fields.entries(item.element, path: p, allowed: ["product", "mw", "price_usd_per_mw_hour", "response_seconds"]) else { return nil }
            let product = fields.choice(m, "product", path: p, parent: item.element, required: true,
                options: AncillaryAward.Product.allCases.map { ($0.rawValue, $0) })
            let mw = fields.number(m, "mw", path: p, parent: item.element, required: true, range: 0.001...100_000, unit: " MW")
            let price = fields.number(m, "price_usd_per_mw_hour", path: p, parent: item.element, required: false, range: 0...100_000) ?? 0
            let response = fields.number(m, "response_seconds", path: p, parent: item.element, required: false, range: 0.01...86_400)
            guard let product, let mw else { return nil }
            return AncillaryAward(product: product, mw: mw, priceUSDPerMWHour: price, responseSeconds: response)
        }
        let dr = fields.list(map, "demand_response", path: path, parent: node, required: false).enumerated().compactMap { item -> DemandResponseEnrolment? in
            let p = "\(path).demand_response[\(item.offset)]"
            guard let m = fields.entries(item.element, path: p, allowed: ["name", "max_reduction_mw", "credit_usd_per_mwh", "notice_minutes"]) else { return nil }
            let name = fields.string(m, "name", path: p, parent: item.element, required: true)
            let mw = fields.number(m, "max_reduction_mw", path: p, parent: item.element, required: true, range: 0.001...100_000, unit: " MW")
            let credit = fields.number(m, "credit_usd_per_mwh", path: p, parent: item.element, required: false, range: 0...100_000) ?? 0
            let notice = fields.number(m, "notice_minutes", path: p, parent: item.element, required: false, range: 0...10_080) ?? 10
            guard let name, let mw else { return nil }
            return DemandResponseEnrolment(name: name, maxReductionMW: mw, creditUSDPerMWh: credit, noticeMinutes: notice)
        }
        let openADR = map["openadr"].flatMap { readOpenADR($0) }
        let fourCP = map["four_cp"].flatMap { readFourCP($0) }
        return GridPrograms(ancillary: awards, demandResponse: dr, openADR: openADR, fourCP: fourCP)
    }

    private func readOpenADR(_ node: Node) -> OpenADRSettings? {
        let path = "grid_programs.openadr"
        guard let m = fields.entries(node, path: path, allowed: [
            "vtn_url", "ven_name", "credit_usd_per_mwh", "simple_levels", "poll_seconds", "certificate", "key", "ca",
        ]) else { return nil }
        let url = fields.string(m, "vtn_url", path: path, parent: node, required: true)
        if let url { checkURL(url, key: "\(path).vtn_url", node: m["vtn_url"]) }
        let name = fields.string(m, "ven_name", path: path, parent: node, required: true)
        var s = OpenADRSettings(vtnURL: url ?? "", venName: name ?? "")
        s.creditUSDPerMWh = fields.number(m, "credit_usd_per_mwh", path: path, parent: node, required: false, range: 0...100_000) ?? 0
        s.pollSeconds = fields.number(m, "poll_seconds", path: path, parent: node, required: false, range: 0.1...3600, unit: " s") ?? s.pollSeconds
        s.certificatePath = fields.string(m, "certificate", path: path, parent: node, required: false)
        s.keyPath = fields.string(m, "key", path: path, parent: node, required: false)
        s.caPath = fields.string(m, "ca", path: path, parent: node, required: false)
        if (s.certificatePath == nil) != (s.keyPath == nil) {
            fields.report(node, "\(path).certificate", "give both certificate and key (PEM files), or neither")
        }
        if let levelsNode = m["simple_levels"] {
            let levelsPath = "\(path).simple_levels"
            if case .mapping(let mapping) = levelsNode {
                var levels: [Int: OpenADRSettings.Level] = [:]
                for (k, v) in mapping {
                    guard let key = k.scalar?.string, let level = Int(key), (1...3).contains(level) else {
                        fields.report(k, levelsPath, "levels are 1, 2 or 3; found '\(k.scalar?.string ?? fields.describe(k))'")
                        continue
                    }
                    let text = (v.scalar?.string ?? "").trimmingCharacters(in: .whitespaces)
                    if text.hasSuffix("%"), let share = Double(text.dropLast()), (0...100).contains(share) {
                        levels[level] = .fractionOfBaseline(share / 100)
                    } else if let mw = Double(text), mw >= 0, mw.isFinite {
                        levels[level] = .megawatts(mw)
                    } else {
                        fields.report(v, "\(levelsPath).\(level)", "expected MW (e.g. 2.5) or a share of the baseline (e.g. 50%), found '\(text)'")
                    }
                }
                s.simpleLevels = levels
            } else {
                fields.report(levelsNode, levelsPath, "expected a mapping of level to MW or share, e.g. {1: 75%, 2: 50%, 3: 1.0}")
            }
        }
        guard url != nil, name != nil else { return nil }
        return s
    }

    private func readFeeds(_ node: Node) -> FeedSettings? {
        let path = "feeds"
        guard let map = fields.entries(node, path: path, allowed: ["prices", "bitcoin", "stale_price_usd_per_mwh", "stale_hashprice_discount_percent"])
        else { return nil }
        var settings = FeedSettings()
        if let n = map["prices"], let p = readPriceFeed(n) { settings.prices = p }
        if let n = map["bitcoin"], let b = readBitcoinFeed(n) { settings.bitcoin = b }
        if let v = fields.number(map, "stale_price_usd_per_mwh", path: path, parent: node, required: false, range: -1000...100_000) {
            settings.stalePriceUSDPerMWh = v
        }
        if let v = fields.number(map, "stale_hashprice_discount_percent", path: path, parent: node, required: false, range: 0...100, unit: " %") {
            settings.staleHashpriceDiscount = v / 100
        }
        return settings
    }

    private func readPriceFeed(_ node: Node) -> PriceFeedSettings? {
        let path = "feeds.prices"
        guard let m = fields.entries(node, path: path, allowed: [
            "source", "path", "url", "format", "rows", "time_field", "price_field", "point_field", "headers", "every_seconds",
            "stale_after_minutes", "publish_delay_minutes", "price_usd_per_mwh",
        ]) else { return nil }
        var s = PriceFeedSettings()
        guard let source = fields.choice(m, "source", path: path, parent: node, required: true, options: PriceFeedSettings.Source.allCases.map { ($0.rawValue, $0) })
        else { return nil }
        s.source = source
        s.path = fields.string(m, "path", path: path, parent: node, required: false)
        s.url = fields.string(m, "url", path: path, parent: node, required: source == .http)
        if let url = s.url { checkURL(url, key: "\(path).url", node: m["url"]) }
        s.format = fields.choice(m, "format", path: path, parent: node, required: false, options: PriceFeedSettings.Format.allCases.map { ($0.rawValue, $0) }) ?? .json
        s.rowsPath = fields.string(m, "rows", path: path, parent: node, required: false) ?? ""
        s.timeField = fields.string(m, "time_field", path: path, parent: node, required: false) ?? s.timeField
        s.priceField = fields.string(m, "price_field", path: path, parent: node, required: false) ?? s.priceField
        s.pointField = fields.string(m, "point_field", path: path, parent: node, required: false)
        if let h = m["headers"] { s.headers = readHeaders(h, path: "\(path).headers") }
        s.everySeconds = fields.number(m, "every_seconds", path: path, parent: node, required: false, range: 0.05...86_400, unit: " s") ?? s.everySeconds
        s.staleAfterMinutes = fields.number(m, "stale_after_minutes", path: path, parent: node, required: false, range: 1...10_080) ?? s.staleAfterMinutes
        s.publishDelayMinutes = fields.number(m, "publish_delay_minutes", path: path, parent: node, required: false, range: 0...1440) ?? 0
        s.manualUSDPerMWh = fields.number(m, "price_usd_per_mwh", path: path, parent: node, required: source == .manual, range: -1000...100_000)
        return s
    }

    private func readBitcoinFeed(_ node: Node) -> BitcoinFeedSettings? {
        let path = "feeds.bitcoin"
        guard let m = fields.entries(node, path: path, allowed: ["source", "path", "url", "every_seconds", "stale_after_minutes"]) else { return nil }
        var s = BitcoinFeedSettings()
        guard let source = fields.choice(m, "source", path: path, parent: node, required: true, options: BitcoinFeedSettings.Source.allCases.map { ($0.rawValue, $0) })
        else { return nil }
        s.source = source
        s.path = fields.string(m, "path", path: path, parent: node, required: false)
        s.url = fields.string(m, "url", path: path, parent: node, required: source == .explorer)
        if let url = s.url { checkURL(url, key: "\(path).url", node: m["url"]) }
        s.everySeconds = fields.number(m, "every_seconds", path: path, parent: node, required: false, range: 0.05...86_400, unit: " s") ?? s.everySeconds
        s.staleAfterMinutes = fields.number(m, "stale_after_minutes", path: path, parent: node, required: false, range: 1...100_000) ?? s.staleAfterMinutes
        return s
    }

    func checkURL(_ text: String, key: String, node: Node?) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            fields.report(node, key, "expected an http:// or https:// URL, found '\(text)'")
            return
        }
    }

    func readHeaders(_ node: Node, path: String) -> [String: String] {
        guard case .mapping(let mapping) = node else {
            fields.report(node, path, "expected a mapping of header names to values, found \(fields.describe(node))")
            return [:]
        }
        var headers: [String: String] = [:]
        for (k, v) in mapping {
            guard let name = k.scalar?.string, let value = v.scalar?.string else {
                fields.report(k, path, "header names and values must be plain text")
                continue
            }
            headers[name] = value
        }
        return headers
    }

    private func readCatalog(_ node: Node, into catalog: inout MinerCatalog) {
        guard let map = fields.entries(node, path: "catalog", allowed: ["miners"]) else { return }
        for (i, item) in fields.list(map, "miners", path: "catalog", parent: node, required: false).enumerated() {
            let p = "catalog.miners[\(i)]"
            guard let m = fields.entries(item, path: p, allowed: [
                "name", "manufacturer", "year", "hashrate_ths", "power_w", "cooling", "max_overclock_ratio",
            ]) else { continue }
            let name = fields.string(m, "name", path: p, parent: item, required: true)
            let maker = fields.string(m, "manufacturer", path: p, parent: item, required: false) ?? "unknown"
            let year = fields.integer(m, "year", path: p, parent: item, required: false, range: 2009...2100) ?? 2025
            let ths = fields.number(m, "hashrate_ths", path: p, parent: item, required: true, range: 0.001...100_000, unit: " TH/s")
            let watts = fields.number(m, "power_w", path: p, parent: item, required: true, range: 1...1_000_000, unit: " W")
            let cooling = fields.choice(m, "cooling", path: p, parent: item, required: false,
                options: [("air", MinerModel.Cooling.air), ("hydro", .hydro), ("immersion", .immersion)]) ?? .air
            let oc = fields.number(m, "max_overclock_ratio", path: p, parent: item, required: false, range: 1...1.5) ?? 1.10
            if let ths, let watts, watts / ths < 5 || watts / ths > 500 {
                fields.report(m["power_w"], "\(p).power_w", String(format: "%.1f J/TH is not a plausible SHA-256 miner (expected 5 to 500 J/TH)", watts / ths))
                continue
            }
            guard let name, let ths, let watts else { continue }
            catalog.add(MinerModel(name: name, manufacturer: maker, year: year, cooling: cooling,
                stockHashrateTHs: ths, stockPowerW: watts, maxOverclockRatio: oc))
        }
    }
}

/// ERCOT's hubs and load zones (../shared/data/README.md).
public enum SettlementPoints {
    public static let ercot = [
        "HB_HOUSTON", "HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_PAN", "HB_BUSAVG", "HB_HUBAVG",
        "LZ_HOUSTON", "LZ_NORTH", "LZ_SOUTH", "LZ_WEST", "LZ_AEN", "LZ_CPS", "LZ_LCRA", "LZ_RAYBN",
    ]
}

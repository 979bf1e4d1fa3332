import Foundation
import PropertyBased
import Testing
@testable import GridshellCore

@Suite("Site files")
struct SiteLoaderTests {
    static let minimal = """
        name: Test site
        interconnect_mw: 50
        contract:
          type: real_time
          settlement_point: HB_WEST
        miners:
          - name: a
            model: Antminer S21
            firmware: luxos
            count: 1000

        """

    func issues(_ yaml: String) -> [SiteFileIssue] {
        do {
            _ = try SiteLoader.parse(yaml: yaml, file: "site.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test(arguments: ["examples/west-texas-100mw.yaml", "examples/hybrid-300mw.yaml", "examples/hybrid-300mw-scaled-deadlines.yaml"])
    func examplesAreValid(path: String) throws {
        let site = try SiteLoader.load(path: TestData.path(path))
        #expect(site.interconnectMW >= 100)
        #expect(!site.minerGroups.isEmpty)
        #expect(site.firmLoadMW <= site.interconnectMW)
    }

    @Test func westTexasIsAFixedPriceMiningSiteWith4CP() throws {
        let site = try SiteLoader.load(path: TestData.path("examples/west-texas-100mw.yaml"))
        #expect(site.interconnectMW == 100)
        guard case .fixedPrice(let price, let block, let sellBack) = site.contract.kind else {
            Issue.record("expected a fixed-price contract")
            return
        }
        #expect(price > 0 && block == 95 && sellBack)
        #expect(site.contract.transmission4CPUSDPerKWYear == 90)
        #expect(site.minerStockLoadMW <= 100)
        #expect(site.aiTenants.isEmpty)
    }

    @Test func hybridHasTheTenantTheClusterAndMiners() throws {
        let site = try SiteLoader.load(path: TestData.path("examples/hybrid-300mw.yaml"))
        #expect(site.interconnectMW == 300)
        let tenant = try #require(site.aiTenants.first)
        #expect(tenant.firmKW * site.cooling.ai / 1000 == 240)
        #expect(tenant.termYears == 12)
        #expect(site.gpuClusters.first?.jobs.contains { $0.kind == .training } == true)
        // Miners use the rest: everything at full power fits the interconnect.
        let total = site.firmLoadMW + site.minerStockLoadMW + site.gpuFullLoadMW - site.gpuClusters[0].firmPowerW * site.cooling.ai / 1e6
        #expect(total <= 300 && total > 290)
    }

    @Test func minimalSiteParses() throws {
        let site = try SiteLoader.parse(yaml: Self.minimal)
        #expect(site.minerGroups[0].model.name == "Antminer S21")
        #expect(site.minerGroups[0].firmware == .luxos)
        #expect(site.cooling.mining == 1)
    }

    @Test func unknownKeySuggestsTheRightOne() {
        let found = issues(Self.minimal.replacingOccurrences(of: "interconnect_mw", with: "interconect_mw"))
        #expect(found.contains { $0.line == 2 && $0.key == "interconect_mw" && $0.message.contains("did you mean 'interconnect_mw'") })
        #expect(found.contains { $0.key == "interconnect_mw" && $0.message.hasPrefix("missing") })
    }

    @Test func wrongTypeNegativeAndMissingAreAllReportedAtOnce() {
        let yaml = """
            name: Bad
            interconnect_mw: lots
            contract:
              type: fixed_price
              settlement_point: HB_WEST
            miners:
              - name: a
                model: Antminer S21
                firmware: luxos
                count: -5
              - name: b
                model: Antminer S99
                firmware: windows
                count: 10
                addresses: [10.0.0.1-300]
            """
        let found = issues(yaml)
        let text = found.map(\.description)
        #expect(text.contains("site.yaml:2: interconnect_mw: expected a number MW, found 'lots'"))
        #expect(text.contains { $0.hasPrefix("site.yaml:4: contract.fixed_price_usd_per_mwh: missing") })
        #expect(text.contains("site.yaml:10: miners[0].count: expected a whole number from 1 to 10000000, found -5"))
        #expect(text.contains { $0.hasPrefix("site.yaml:12: miners[1].model: unknown miner model 'Antminer S99'") })
        #expect(text.contains { $0.hasPrefix("site.yaml:13: miners[1].firmware: expected one of stock, luxos, braiins, found 'windows'") })
        #expect(text.contains { $0.hasPrefix("site.yaml:15: miners[1].addresses[0]: expected a range") })
        #expect(found.count == 6)
        // Sorted by line, so a person can walk down the file.
        #expect(found.map(\.line) == found.map(\.line).sorted())
    }

    @Test func firmLoadAboveTheInterconnectIsAnError() {
        let yaml = """
            name: Too small
            interconnect_mw: 100
            cooling: {ai_pue: 1.3}
            contract: {type: real_time, settlement_point: HB_NORTH}
            ai_tenants:
              - {name: t, firm_kw: 80000, usd_per_kw_month: 120, term_years: 10}
            """
        let found = issues(yaml)
        #expect(found.count == 1)
        #expect(found[0].key == "interconnect_mw")
        #expect(found[0].message.contains("104.000 MW"))
    }

    @Test func awardsNeedDroppableLoad() {
        let yaml = Self.minimal + "grid_programs:\n  ancillary:\n    - {product: ECRS, mw: 10}\n"
        let found = issues(yaml)
        #expect(found.map(\.key) == ["grid_programs.ancillary"])
        #expect(found.first?.message.contains("3.500 MW of load can be dropped") == true)
    }

    @Test func syntaxErrorsHaveALine() {
        let found = issues("name: x\ninterconnect_mw: [1, 2\ncontract: {}\n")
        #expect(found.count == 1)
        #expect(found[0].line >= 2)
        #expect(found[0].message.hasPrefix("not valid YAML"))
    }

    @Test func duplicateKeysAndEmptyFiles() {
        #expect(issues("name: a\nname: b\n").first?.message.contains("twice") == true)
        #expect(issues("").first?.message.contains("empty") == true)
        #expect(issues("- a\n- b\n").first?.message.contains("expected a mapping") == true)
    }

    @Test func catalogExtensionAddsAModel() throws {
        let yaml = Self.minimal.replacingOccurrences(of: "Antminer S21\n", with: "Custom X1\n") + """
            catalog:
              miners:
                - {name: Custom X1, hashrate_ths: 150, power_w: 2400}
            """
        let site = try SiteLoader.parse(yaml: yaml)
        #expect(site.minerGroups[0].model.stockJoulesPerTH == 16)
        let bad = issues(yaml.replacingOccurrences(of: "power_w: 2400", with: "power_w: 24"))
        #expect(bad.contains { $0.message.contains("not a plausible") })
    }

    // MARK: deadlines

    static func withJob(_ job: String) -> String {
        minimal + """
            gpu_clusters:
              - name: c
                system: DGX H100
                count: 4
                jobs:
            \(job)
            """
    }

    @Test func deadlineJobReadsWorkTimeAndPenalty() throws {
        let site = try SiteLoader.parse(yaml: Self.withJob("""
                  - name: train
                    kind: training
                    gpus: 16
                    value_usd_per_gpu_hour: 2
                    work_gpu_hours: 1_200
                    deadline: 2021-02-15T18:00:00-06:00
                  - {name: batch, kind: batch, gpus: 8, value_usd_per_gpu_hour: 1.5, work_gpu_hours: 40, deadline: 2021-02-16, deadline_penalty_usd_per_gpu_hour: 10}
                  - {name: plain, kind: training, gpus: 8, value_usd_per_gpu_hour: 1}
            """))
        let jobs = site.gpuClusters[0].jobs
        #expect(jobs[0].workGPUHours == 1200)
        // 18:00 Central standard time is midnight UTC the next day.
        #expect(jobs[0].deadline == Date(timeIntervalSince1970: 1_613_433_600))
        #expect(jobs[0].deadlinePenaltyUSDPerGPUHour == nil)
        #expect(jobs[0].shortfallPenaltyUSDPerGPUHour == 2 * AIJob.defaultDeadlinePenaltyMultiple)
        #expect(jobs[1].deadline == Date(timeIntervalSince1970: 1_613_433_600))
        #expect(jobs[1].shortfallPenaltyUSDPerGPUHour == 10)
        #expect(jobs[2].workGPUHours == nil && jobs[2].deadline == nil)
    }

    @Test func timesWithoutSecondsOrInUTCAreRead() throws {
        for (text, seconds) in [("2021-02-16T00:00Z", 1_613_433_600.0), ("2021-02-15T18:30-06:00", 1_613_435_400), ("2021-02-16T00:00:00Z", 1_613_433_600)] {
            let site = try SiteLoader.parse(yaml: Self.withJob("      - {name: t, kind: training, gpus: 8, work_gpu_hours: 5, deadline: \(text)}"))
            #expect(site.gpuClusters[0].jobs[0].deadline == Date(timeIntervalSince1970: seconds), "\(text)")
        }
    }

    @Test func workWithoutDeadlineAndTheReverseAreLocated() {
        let found = issues(Self.withJob("""
                  - name: a
                    kind: training
                    gpus: 8
                    work_gpu_hours: 100
                  - name: b
                    kind: batch
                    gpus: 8
                    deadline: 2021-02-16
                  - {name: c, kind: training, gpus: 8, deadline_penalty_usd_per_gpu_hour: 4}
            """)).map(\.description)
        #expect(found == [
            "site.yaml:19: gpu_clusters[0].jobs[0].deadline: missing; work_gpu_hours needs the deadline it must be done by (YYYY-MM-DD, or a time such as 2021-02-15T18:00:00-06:00)",
            "site.yaml:23: gpu_clusters[0].jobs[1].work_gpu_hours: missing; a deadline needs the work left at the start of the run, in GPU-hours at full throughput",
            "site.yaml:24: gpu_clusters[0].jobs[2].deadline_penalty_usd_per_gpu_hour: only applies to a job with work_gpu_hours and a deadline",
        ])
    }

    @Test func badDeadlineValuesAndInferenceDeadlinesAreErrors() {
        let found = issues(Self.withJob("""
                  - {name: a, kind: training, gpus: 8, work_gpu_hours: -3, deadline: tomorrow}
                  - {name: b, kind: training, gpus: 8, work_gpu_hours: 3, deadline: 2021-02-15T18:00:00}
                  - {name: c, kind: inference, gpus: 8, work_gpu_hours: 3, deadline: 2021-02-15}
                  - {name: d, kind: training, gpus: 8, work_gpu_hours: 3, deadline: 2021-02-15, deadline_penalty_usd_per_gpu_hour: -1}
            """))
        let text = found.map(\.description)
        #expect(text.contains("site.yaml:16: gpu_clusters[0].jobs[0].work_gpu_hours: expected a number from 0 to 1000000000000 GPU-hours, found -3"))
        #expect(text.contains("site.yaml:16: gpu_clusters[0].jobs[0].deadline: expected a date (YYYY-MM-DD) or a time with its UTC offset (2021-02-15T18:00:00-06:00), found 'tomorrow'"))
        #expect(text.contains { $0.hasPrefix("site.yaml:17: gpu_clusters[0].jobs[1].deadline: expected a date") && $0.hasSuffix("found '2021-02-15T18:00:00'") })
        #expect(text.contains("site.yaml:18: gpu_clusters[0].jobs[2].work_gpu_hours: inference is firm load with no end; deadlines apply to training and batch jobs"))
        #expect(text.contains("site.yaml:18: gpu_clusters[0].jobs[2].deadline: inference is firm load with no end; deadlines apply to training and batch jobs"))
        #expect(text.contains("site.yaml:19: gpu_clusters[0].jobs[3].deadline_penalty_usd_per_gpu_hour: expected a number from 0 to 1000000, found -1"))
        #expect(found.count == 6)
    }

    @Test func unknownJobKeyListsTheDeadlineKeys() {
        let found = issues(Self.withJob("      - {name: a, kind: training, gpus: 8, work_gpu_hour: 5, deadline: 2021-02-15}"))
        let typo = found.first { $0.key == "gpu_clusters[0].jobs[0].work_gpu_hour" }
        #expect(typo?.message.hasPrefix("unknown key (did you mean 'work_gpu_hours'?); expected one of:") == true)
        #expect(typo?.message.contains("work_gpu_hours, deadline, deadline_penalty_usd_per_gpu_hour") == true)
    }

    @Test func hybridExampleDeadlineIsComplete() throws {
        let site = try SiteLoader.load(path: TestData.path("examples/hybrid-300mw.yaml"))
        let job = try #require(site.gpuClusters[0].jobs.first { $0.name == "llm-pretrain" })
        #expect(job.workGPUHours == 400_000)
        #expect(job.deadline != nil)
    }

    @Test func missingFileIsAClearError() {
        #expect { try SiteLoader.load(path: "/nonexistent/site.yaml") } throws: { error in
            "\(error)" == "/nonexistent/site.yaml:0: cannot read the file"
        }
    }

    // MARK: properties: no input crashes, every failure is located

    static let tokens: [String] = [
        "name", "interconnect_mw", "contract", "type", "fixed_price", "real_time", "settlement_point", "HB_WEST",
        "miners", "model", "firmware", "count", "luxos", "Antminer S21", "ai_tenants", "firm_kw", "gpu_clusters",
        "jobs", "kind", "training", "grid_programs", "ancillary", "catalog", ":", ": ", " ", "  ", "\n", "\n  ", "- ",
        "-", "100", "-1", "0", "1e400", "nan", ".inf", "~", "null", "\"", "'", "{", "}", "[", "]", ",", "&a ", "*a",
        "!!str ", "!!int ", "#", "? ", "|", ">", "\t", "%YAML 1.2\n", "---\n", "...\n", "@", "`", "ü", "\u{0}", "\r",
        "10.0.0.0/8", "2026-13-40", "yes", "<<: *a", "work_gpu_hours", "deadline", "2021-02-15T18:00:00-06:00",
    ]

    func checkNeverCrashes(_ yaml: String) {
        let lineCount = yaml.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
        do {
            let site = try SiteLoader.parse(yaml: yaml, file: "random.yaml")
            #expect(site.interconnectMW > 0)
        } catch {
            #expect(!error.issues.isEmpty)
            for issue in error.issues {
                #expect(issue.file == "random.yaml")
                #expect(issue.line >= 0 && issue.line <= lineCount + 1, "\(issue)")
                #expect(!issue.message.isEmpty)
            }
        }
    }

    @Test func randomTokenSoupNeverCrashes() async {
        let gen = Gen<String?>.element(of: Self.tokens).map { $0! }.array(of: 0...80).map { $0.joined() }
        await propertyCheck(count: 400, input: gen) { yaml in checkNeverCrashes(yaml) }
    }

    @Test func randomBytesNeverCrash() async {
        await propertyCheck(count: 300, input: Gen.latin1.string(of: 0...300)) { yaml in checkNeverCrashes(yaml) }
    }

    @Test func mutatedExamplesNeverCrash() async throws {
        let original = try String(contentsOfFile: TestData.path("examples/hybrid-300mw.yaml"), encoding: .utf8)
        let chars = Array(original)
        let edits = PropertyBased.zip(Gen.int(in: 0...(chars.count - 1)), Gen.int(in: 0...2), Gen.ascii).array(of: 1...6)
        await propertyCheck(count: 300, input: edits) { edits in
            var text = chars
            for (position, op, c) in edits {
                let i = min(position, text.count - 1)
                guard i >= 0 else { continue }
                switch op {
                case 0: text.remove(at: i)
                case 1: text.insert(c, at: i)
                default: text[i] = c
                }
            }
            checkNeverCrashes(String(text))
        }
    }
}

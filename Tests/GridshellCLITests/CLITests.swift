import Foundation
import GridshellCore
import GridshellTestSupport
import Testing

/// Runs the built `gridshell` binary as a user would and checks its output and exit codes.
@Suite("gridshell command line")
struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary to its end off the cooperative pool: a run may take seconds.
    func run(_ arguments: [String]) async throws -> Run {
        let r = try await runToEnd(try gridshellBinary(), arguments, in: Self.root)
        return Run(status: r.status, stdout: r.stdoutText, stderr: r.stderrText)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func validateAcceptsTheExamples() async throws {
        for file in ["examples/west-texas-100mw.yaml", "examples/hybrid-300mw.yaml"] {
            let r = try await run(["validate", file])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("valid site"))
            let j = try json(try await run(["validate", file, "--json"]).stdout)
            #expect(j["valid"] as? Bool == true)
        }
    }

    @Test func validateReportsEveryProblemWithExit65() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml")
        try "name: x\ninterconnect_mw: -3\ncontract: {type: real_time, settlement_point: HB_NOWHERE}\ncolour: red\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try await run(["validate", file.path])
        #expect(r.status == 65)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.contains { $0.hasPrefix("\(file.path):2: interconnect_mw: expected a number from") })
        #expect(lines.contains { $0.hasPrefix("\(file.path):3: contract.settlement_point: unknown ERCOT settlement point 'HB_NOWHERE'") })
        #expect(lines.contains { $0.hasPrefix("\(file.path):4: colour: unknown key") })
        #expect(r.stdout.isEmpty)
    }

    @Test func missingFileExits66AndBadUsage64() async throws {
        let missing = try await run(["validate", "/no/such/site.yaml"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("/no/such/site.yaml:0: cannot read the file"))
        let usage = try await run(["hashprice", "--price=-5"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--price must be a positive number"))
        #expect(try await run(["no-such-command"]).status == 64)
    }

    /// Bad options of the demo and the compute commands are refused before anything starts.
    @Test func demoAndComputeOptionsAreChecked() async throws {
        let date = try await run(["demo", "--from", "2021-13-01"])
        #expect(date.status == 64 && date.stderr.contains("--from must be YYYY-MM-DD or ISO 8601; got '2021-13-01'"), "\(date.stderr)")
        let root = try await run(["demo", "--root", "/no/such/folder"])
        #expect(root.status == 64 && root.stderr.contains("--root: /no/such/folder has no examples/demo-hybrid.yaml"), "\(root.stderr)")
        // Without the check, squeue retries the missing file for a minute.
        let conf = try await run(["compute", "jobs", "--slurm-conf", "/no/such/slurm.conf"])
        #expect(conf.status == 64 && conf.stderr.contains("--slurm-conf: cannot read /no/such/slurm.conf"), "\(conf.stderr)")
    }

    @Test func hashpriceFromOptions() async throws {
        // 1 April 2024 from the shipped history: published 108.6 $/PH/day.
        let r = try await run(["hashprice", "--price", "69653.16", "--difficulty", "83126997340024.72", "--height", "837000",
            "--fees", "0.1816581640", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try json(r.stdout)
        let hp = try #require(j["usdPerPHDay"] as? Double)
        #expect(abs(hp / 108.6 - 1) < 0.015)
        let halvings = try #require(j["halvings"] as? [[String: Any]])
        #expect(halvings.first?["height"] as? Int == 840_000)
        // Pool fee and observed hashrate are honoured.
        let net = try json(try await run(["hashprice", "--price", "69653.16", "--difficulty", "83126997340024.72", "--height", "837000",
            "--fees", "0.1816581640", "--pool-fee", "2", "--json"]).stdout)
        #expect(abs((net["usdPerPHDay"] as? Double ?? 0) / hp - 0.98) < 1e-9)
        let table = try await run(["hashprice"])
        #expect(table.stdout.contains("embedded snapshot"))
        #expect(table.stdout.contains("1,050,000"))
    }

    @Test func breakevenIsTheMeritOrderBestFirst() async throws {
        let r = try await run(["breakeven", "--site", "examples/west-texas-100mw.yaml", "--hashprice", "50", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try json(r.stdout)
        let entries = try #require(j["meritOrder"] as? [[String: Any]])
        let breakEvens = entries.compactMap { $0["breakEvenUSDPerMWh"] as? Double }
        #expect(breakEvens.count == entries.count && entries.count > 10)
        #expect(breakEvens == breakEvens.sorted(by: >))
        // Every group appears at every hashing point of its firmware; stock S19j Pro at 50 $/PH/day
        // (net of the 2 % pool fee) and 30.5 J/TH breaks even at 49 × 10^3 / (24 × 30.5) / 1.04.
        let stock = try #require(entries.first { $0["group"] as? String == "s19jpro-stock" && $0["point"] as? String == "normal" })
        let expected = 0.049 * 1e6 / (24 * 3050.0 / 100) / 1.04
        #expect(abs((stock["breakEvenUSDPerMWh"] as? Double ?? 0) - expected) < 1e-6)
        let table = try await run(["breakeven", "--site", "examples/hybrid-300mw.yaml", "--energy-price", "80"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("break-even $/MWh"))
        #expect(table.stdout.contains("earns") || table.stdout.contains("loses"))
    }

    @Test func catalogListsModelsAndPoints() async throws {
        let all = try await run(["catalog"])
        #expect(all.status == 0)
        #expect(all.stdout.contains("Antminer S21 XP Hyd") && all.stdout.contains("GB200 NVL72"))
        let one = try await run(["catalog", "--model", "S19j Pro 96T", "--firmware", "stock"])
        #expect(one.stdout.contains("low-power") && one.stdout.contains("sleep"))
        #expect(try await run(["catalog", "--model", "nope"]).status == 64)
    }

    @Test func backtestComparesPoliciesAndWritesReports() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-bt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run(["backtest", "--site", "examples/west-texas-100mw.yaml", "--prices", "data/ercot/ercot_RTM-2021-02.csv",
            "--day-ahead", "data/ercot/ercot_DAM_LZHB_SPP_2021.csv", "--from", "2021-02-10", "--to", "2021-02-20", "--out", dir.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try json(r.stdout)
        #expect(j["intervals"] as? Int == 960)
        let rows = try #require(j["rows"] as? [[String: Any]])
        #expect(rows.map { $0["policy"] as? String ?? "" } == ["always-on", "strike", "gridshell", "hindsight"])
        let net = rows.map { $0["netMarginUSD"] as? Double ?? .nan }
        #expect(net[3] >= net[2] && net[2] > net[0])
        #expect(rows[3]["percentOfHindsight"] as? Double == 100)
        for file in ["backtest.json", "ledger.csv", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path))
        }
        let csv = try String(contentsOf: dir.appendingPathComponent("ledger.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 4 * 960)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("Cumulative net margin") && !html.contains("<script"))
    }

    @Test func backtestBadInputIsNamed() async throws {
        let point = try await run(["backtest", "--site", "examples/west-texas-100mw.yaml", "--prices", "data/ercot/ercot_RTM-2021-02.csv", "--settlement-point", "HB_MOON"])
        #expect(point.status == 65)
        #expect(point.stderr.contains("HB_MOON"))
        let missing = try await run(["backtest", "--site", "examples/west-texas-100mw.yaml", "--prices", "/no/prices.csv"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("/no/prices.csv"))
        let wrongFile = try await run(["backtest", "--site", "examples/west-texas-100mw.yaml", "--prices", "data/btc/btc_daily_2019_2025.csv"])
        #expect(wrongFile.status == 65)
        #expect(wrongFile.stderr.contains("btc_daily_2019_2025.csv:1"))
        let policy = try await run(["backtest", "--site", "examples/west-texas-100mw.yaml", "--prices", "data/ercot/ercot_RTM-2021-02.csv", "--policy", "magic"])
        #expect(policy.status == 64)
    }

    @Test func dispatchPrintsThePlanAndItsReasons() async throws {
        let r = try await run(["dispatch", "--site", "examples/hybrid-300mw.yaml", "--price", "3000", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try json(r.stdout)
        let groups = try #require(j["groups"] as? [[String: Any]])
        #expect(groups.count == 2)
        let reasons = try #require(j["reasons"] as? [String])
        #expect(reasons.count >= 2)
        #expect((j["siteMW"] as? Double ?? 999) <= 300)
        let table = try await run(["dispatch", "--site", "examples/west-texas-100mw.yaml", "--price", "20"])
        #expect(table.stdout.contains("Why:"))
        #expect(try await run(["dispatch", "--site", "examples/west-texas-100mw.yaml", "--price=-5", "--cap=-1"]).status == 64)
    }

    /// The hybrid example's pretraining run has 400,000 GPU-hours to do on 768 GPUs by
    /// 2027-03-31: 520.8 h at full power. 521.5 h before the deadline its slack is 0.7 h, under
    /// the 1 h margin, so it is held at full power whatever the price; a day earlier it is not
    /// held (the 25 MW award keeps it running at 3,000 $/MWh anyway, but not for its deadline).
    @Test func dispatchHoldsAJobShortOfSlackAtFullPower() async throws {
        let held = try await run(["dispatch", "--site", "examples/hybrid-300mw.yaml", "--price", "3000", "--at", "2027-03-09T06:30:00Z", "--json"])
        #expect(held.status == 0, "\(held.stderr)")
        let j = try json(held.stdout)
        let reasons = try #require(j["reasons"] as? [String])
        #expect(reasons.contains("kept train-a/llm-pretrain at full power: 400,000 GPU-hours left, deadline in 521.5 h"))
        let jobs = try #require(j["jobs"] as? [[String: Any]])
        let pretrain = try #require(jobs.first { $0["job"] as? String == "train-a/llm-pretrain" })
        #expect(pretrain["throughput"] as? Double == 1)
        let earlier = try json(try await run(["dispatch", "--site", "examples/hybrid-300mw.yaml", "--price", "3000", "--at", "2027-03-08T06:30:00Z", "--json"]).stdout)
        #expect((earlier["reasons"] as? [String] ?? []).allSatisfy { !$0.hasPrefix("kept") })
        let status = try #require((earlier["deadlines"] as? [[String: Any]])?.first)
        #expect(status["keepAtFullPower"] as? Bool == false)
        #expect(abs((status["slackHours"] as? Double ?? 0) - (545.5 - 400_000.0 / 768)) < 1e-6)
        let text = try await run(["dispatch", "--site", "examples/hybrid-300mw.yaml", "--price", "3000", "--at", "2027-03-09T06:30:00Z"])
        #expect(text.stdout.contains("Deadline of train-a/llm-pretrain: 400,000 GPU-hours left, 521.5 h to go, 0.7 h of slack at full power"))
        #expect(try await run(["dispatch", "--site", "examples/hybrid-300mw.yaml", "--price", "30", "--at", "next tuesday"]).status == 64)
    }
}

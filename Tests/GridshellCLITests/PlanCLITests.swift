import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `gridshell plan` as a user runs it: the table, the three files, and errors with exit 65.
@Suite("gridshell plan")
struct PlanCLITests {
    let cli = CLITests()

    @Test func writesJSONCSVAndHTML() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await cli.run(["plan", "--site", "examples/demo-hybrid.yaml", "--years", "6", "--paths", "mine,lease,cloud,hybrid", "--simulations", "300", "--seed", "5", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Recommendation:"))
        for path in ["mine", "lease", "cloud", "hybrid"] { #expect(r.stdout.contains("\n\(path) ")) }

        let plan = try cli.json(String(decoding: try Data(contentsOf: dir.appendingPathComponent("plan.json")), as: UTF8.self))
        #expect(plan["simulations"] as? Int == 300)
        #expect((plan["paths"] as? [Any])?.count == 4)
        let csv = try String(contentsOf: dir.appendingPathComponent("plan.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first?.hasPrefix("path,year,operating_usd") == true)
        #expect(csv.count == 1 + 4 * 6)
        #expect(csv.dropFirst().allSatisfy { $0.split(separator: ",").count == 10 && $0.split(separator: ",").dropFirst().allSatisfy { Double($0) != nil } })
        let html = try String(contentsOf: dir.appendingPathComponent("plan.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>") && html.contains("</html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        // Well-formed enough for an XML parser: the charts and tables close what they open.
        let body = html.replacingOccurrences(of: "<!doctype html>", with: "").replacingOccurrences(of: "<meta charset=\"utf-8\">", with: "<meta charset=\"utf-8\"/>")
        #expect(XMLParser(data: Data(body.utf8)).parse())

        // The same seed gives the same plan.
        let json = try await cli.run(["plan", "--site", "examples/demo-hybrid.yaml", "--years", "6", "--simulations", "300", "--seed", "5", "--json"])
        let again = try cli.json(json.stdout)
        #expect((again["recommendation"] as? [String: Any])?["path"] as? String == (plan["recommendation"] as? [String: Any])?["path"] as? String)
    }

    @Test func backtestStatisticsFeedTheMiningPath() async throws {
        let r = try await cli.run([
            "plan", "--site", "examples/demo-hybrid.yaml", "--prices", "data/ercot/ercot_RTM-2021-02.csv", "--paths", "mine", "--years", "3",
            "--simulations", "50", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let assumptions = try #require(try cli.json(r.stdout)["assumptions"] as? [[String: Any]])
        let uptime = try #require(assumptions.first { $0["name"] as? String == "mining uptime" })
        #expect((uptime["source"] as? String)?.hasPrefix("gridshell-policy backtest on ercot_RTM-2021-02.csv, HB_WEST") == true)
        // Winter Storm Uri: the fleet sat out the days at the price cap.
        let value = Double(((uptime["value"] as? String) ?? "").split(separator: " ").first ?? "") ?? 100
        #expect(value < 95)
    }

    @Test func badStrategyIsExit65NamingKeyAndLine() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml")
        try """
            name: x
            interconnect_mw: 10
            contract: {type: real_time, settlement_point: HB_WEST}
            strategy:
              lease: {capex_usd_per_mw_it: -1}
              hybrid: {mine_percent: 90, cloud_percent: 20}
            """.write(to: file, atomically: true, encoding: .utf8)
        let r = try await cli.run(["plan", "--site", file.path])
        #expect(r.status == 65)
        #expect(r.stderr.contains("bad.yaml:5: strategy.lease.capex_usd_per_mw_it: a cost cannot be negative"))
        #expect(r.stderr.contains("bad.yaml:6: strategy.hybrid.mine_percent: mine, lease and cloud shares add up to 110 %"))
        let paths = try await cli.run(["plan", "--site", "examples/demo-hybrid.yaml", "--paths", "mine,moon"])
        #expect(paths.status == 64)
        #expect(paths.stderr.contains("moon"))
    }
}

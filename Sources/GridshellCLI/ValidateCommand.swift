import ArgumentParser
import GridshellCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a site file and summarise it; every problem is reported as file:line: key: message.")

    @Argument(help: "The site's YAML file.")
    var file: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Summary: Encodable {
        var file: String
        var valid: Bool
        var site: String
        var interconnectMW: Double
        var firmLoadMW: Double
        var minerGroups: Int
        var miners: Int
        var minerStockLoadMW: Double
        var gpuClusters: Int
        var gpus: Int
        var aiTenants: Int
        var ancillaryAwardsMW: Double
    }

    func run() throws {
        let site = try loadSite(file)
        let summary = Summary(
            file: file, valid: true, site: site.name, interconnectMW: site.interconnectMW, firmLoadMW: site.firmLoadMW,
            minerGroups: site.minerGroups.count, miners: site.minerGroups.reduce(0) { $0 + $1.count },
            minerStockLoadMW: site.minerStockLoadMW, gpuClusters: site.gpuClusters.count,
            gpus: site.gpuClusters.reduce(0) { $0 + $1.gpuCount }, aiTenants: site.aiTenants.count,
            ancillaryAwardsMW: site.gridPrograms.ancillary.reduce(0) { $0 + $1.mw })
        if json {
            print(try Format.json(summary))
            return
        }
        print("\(file): valid site '\(site.name)'")
        print("  interconnect      \(Format.number(site.interconnectMW, 1)) MW")
        print("  firm AI load      \(Format.number(site.firmLoadMW, 1)) MW (with cooling)")
        print("  miners            \(Format.number(Double(summary.miners))) in \(summary.minerGroups) groups, \(Format.number(site.minerStockLoadMW, 1)) MW at stock (with cooling)")
        print("  GPU clusters      \(summary.gpuClusters) with \(Format.number(Double(summary.gpus))) GPUs, \(Format.number(site.gpuFullLoadMW, 1)) MW at full power")
        print("  AI tenants        \(summary.aiTenants)")
        print("  ancillary awards  \(Format.number(summary.ancillaryAwardsMW, 1)) MW")
    }
}

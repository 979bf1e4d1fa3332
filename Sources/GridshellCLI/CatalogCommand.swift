import ArgumentParser
import GridshellCore

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "The built-in hardware catalog: ASIC models with their operating points, and GPU systems.")

    @Option(help: "Show the operating points of one model (e.g. \"S19j Pro 96T\").")
    var model: String?

    @Option(help: "Firmware family for the operating points: stock, luxos or braiins.")
    var firmware: String = "luxos"

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct ModelOutput: Encodable {
        var model: MinerModel
        var firmware: String
        var ramp: RampBehaviour
        var points: [OperatingPoint]
    }

    func run() throws {
        guard let family = FirmwareFamily(rawValue: firmware.lowercased()) else {
            throw ValidationError("--firmware must be one of stock, luxos, braiins; got '\(firmware)'")
        }
        let catalog = MinerCatalog.builtIn
        if let model {
            guard let m = catalog.model(named: model) else {
                throw ValidationError("unknown model '\(model)'; known: " + catalog.models.map(\.name).joined(separator: ", "))
            }
            let points = m.operatingPoints(family)
            if json {
                print(try Format.json(ModelOutput(model: m, firmware: family.rawValue, ramp: family.ramp, points: points)))
                return
            }
            print("\(m.name) on \(family.rawValue): sleep \(Format.number(family.ramp.sleepDrawW)) W, down in \(Format.number(family.ramp.rampDownSeconds)) s, up in \(Format.number(family.ramp.rampUpSeconds)) s")
            var table = TextTable(["point", "kind", "frequency", "TH/s", "W", "J/TH"], rightAligned: [2, 3, 4, 5])
            for p in points {
                table.add([p.name, p.kind.rawValue, Format.number(p.frequencyRatio * 100, 0) + " %", Format.number(p.hashrateTHs, 1),
                    Format.number(p.powerW), p.isHashing ? Format.number(p.joulesPerTH, 2) : "-"])
            }
            print(table.render())
            return
        }
        if json {
            struct All: Encodable { var miners: [MinerModel]; var gpuSystems: [GPUSystem] }
            print(try Format.json(All(miners: catalog.models, gpuSystems: GPUSystem.builtIn)))
            return
        }
        var table = TextTable(["model", "maker", "year", "cooling", "TH/s", "W", "J/TH"], rightAligned: [2, 4, 5, 6])
        for m in catalog.models {
            table.add([m.name, m.manufacturer, String(m.year), m.cooling.rawValue, Format.number(m.stockHashrateTHs, 1),
                Format.number(m.stockPowerW), Format.number(m.stockJoulesPerTH, 2)])
        }
        print(table.render())
        print("")
        var gpus = TextTable(["GPU system", "GPUs", "GPU W (settable)", "system kW"], rightAligned: [1, 3])
        for g in GPUSystem.builtIn {
            gpus.add([g.name, String(g.gpusPerSystem), "\(Format.number(g.gpuMinPowerW))–\(Format.number(g.gpuMaxPowerW))", Format.number(g.maxPowerW / 1000, 1)])
        }
        print(gpus.render())
    }
}

import ArgumentParser
import GridshellCore

struct BreakevenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakeven",
        abstract: "The site's merit order: every miner group and operating point with J/TH, revenue per MWh and break-even price, best first.")

    @Option(help: "The site's YAML file.")
    var site: String

    @OptionGroup var network: NetworkOptions

    @Option(name: .customLong("energy-price"), help: "An energy price, USD/MWh, to show which points pay at it.")
    var energyPrice: Double?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let energyPrice, !energyPrice.isFinite { throw ValidationError("--energy-price must be a number of USD/MWh") }
    }

    struct Output: Encodable {
        var site: String
        var inputs: NetworkOptions.Resolved
        var usdPerPHDay: Double
        var coolingPUE: Double
        var energyPriceUSDPerMWh: Double?
        var meritOrder: [MeritOrder.Entry]
    }

    func run() throws {
        let site = try loadSite(self.site)
        let resolved = network.resolve(site: site.bitcoin, sitePoolFee: site.poolFeeFraction)
        let order = MeritOrder(site: site, hashprice: resolved.hashprice)
        if json {
            print(try Format.json(Output(
                site: site.name, inputs: resolved, usdPerPHDay: resolved.hashprice.usdPerPHsDay, coolingPUE: site.cooling.mining,
                energyPriceUSDPerMWh: energyPrice, meritOrder: order.entries)))
            return
        }
        print("\(site.name): merit order at hashprice \(Format.usd(resolved.hashprice.usdPerPHsDay)) per PH/s per day (net of \(Format.number(resolved.poolFeePercent, 1)) % pool fee)")
        print("Inputs from \(resolved.source); mining cooling PUE \(Format.number(site.cooling.mining, 2)).")
        guard !order.entries.isEmpty else {
            print("The site has no miners.")
            return
        }
        var headers = ["#", "group", "model", "firmware", "point", "miners", "TH/s each", "W each", "J/TH", "revenue $/MWh", "break-even $/MWh", "group MW", "group $/h"]
        if energyPrice != nil { headers.append("at price") }
        var table = TextTable(headers, rightAligned: [0, 5, 6, 7, 8, 9, 10, 11, 12])
        for (i, e) in order.entries.enumerated() {
            var row = [
                String(i + 1), e.group, e.model, e.firmware, e.point, Format.number(Double(e.miners)),
                Format.number(e.hashrateTHsPerMiner, 1), Format.number(e.powerWPerMiner), Format.number(e.joulesPerTH, 2),
                Format.number(e.revenueUSDPerMWh, 2), Format.number(e.breakEvenUSDPerMWh, 2), Format.number(e.groupPowerMW, 2),
                Format.number(e.groupRevenueUSDPerHour, 0),
            ]
            if let energyPrice {
                let margin = (e.breakEvenUSDPerMWh - energyPrice) * e.groupPowerMW
                row.append(margin >= 0 ? "earns \(Format.usd(margin, 0))/h" : "loses \(Format.usd(-margin, 0))/h")
            }
            table.add(row)
        }
        print(table.render())
    }
}

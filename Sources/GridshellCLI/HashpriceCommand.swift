import ArgumentParser
import Foundation
import GridshellCore

struct HashpriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashprice",
        abstract: "Hashprice from price, difficulty, subsidy and fees, with the next halvings.",
        discussion: "Without options it uses the embedded snapshot of the shipped Bitcoin history.")

    @OptionGroup var network: NetworkOptions

    @Option(help: "Date of the height, YYYY-MM-DD, to date the next halvings (default: the snapshot's date when no height is given, else today).")
    var date: String?

    @Option(name: .customLong("seconds-per-block"), help: "Block rate used to date the halvings.")
    var secondsPerBlock: Double = 600

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Output: Encodable {
        var inputs: NetworkOptions.Resolved
        var usdPerPHDay: Double
        var usdPerTHDay: Double
        var satsPerTHDay: Double
        var impliedNetworkHashrateEHs: Double
        var halvings: [HalvingEstimate]
    }

    func validate() throws {
        if let date, Self.parseDate(date) == nil { throw ValidationError("--date must be YYYY-MM-DD, got '\(date)'") }
        if !(secondsPerBlock > 0 && secondsPerBlock.isFinite) { throw ValidationError("--seconds-per-block must be positive, got \(secondsPerBlock)") }
    }

    static func parseDate(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f.date(from: text)
    }

    func run() throws {
        let resolved = network.resolve()
        let when = date.flatMap(Self.parseDate)
            ?? (network.height == nil ? Self.parseDate(NetworkSnapshot.embedded.date)! : Date())
        let output = Output(
            inputs: resolved, usdPerPHDay: resolved.hashprice.usdPerPHsDay, usdPerTHDay: resolved.hashprice.usdPerTHsDay,
            satsPerTHDay: resolved.hashprice.satsPerTHsDay,
            impliedNetworkHashrateEHs: Difficulty.impliedHashrateTHs(difficulty: resolved.difficulty) / 1e6,
            halvings: HalvingEstimate.upcoming(fromHeight: resolved.height, at: when, secondsPerBlock: secondsPerBlock))
        if json {
            print(try Format.json(output))
            return
        }
        print("Hashprice  \(Format.usd(output.usdPerPHDay)) per PH/s per day  (\(Format.usd(output.usdPerTHDay, 4)) per TH/s, \(Format.number(output.satsPerTHDay, 1)) sats per TH/s)")
        print("Inputs     BTC \(Format.usd(resolved.priceUSD)), difficulty \(Format.number(resolved.difficulty / 1e12, 2)) T, height \(Format.number(Double(resolved.height))) (subsidy \(resolved.subsidyBTC) BTC), fees \(Format.number(resolved.feesPerBlockBTC, 4)) BTC/block, pool fee \(Format.number(resolved.poolFeePercent, 2)) %")
        print("Network    \(Format.number(output.impliedNetworkHashrateEHs, 1)) EH/s implied by difficulty; hashprice mode: \(resolved.mode)")
        print("Source     \(resolved.source)")
        var table = TextTable(["next halving", "height", "subsidy BTC", "blocks away", "estimated date"], rightAligned: [1, 2, 3])
        for h in output.halvings {
            table.add(["#\(BlockSubsidy.halvings(atHeight: h.height))", Format.number(Double(h.height)),
                String(format: "%.8f", Double(h.subsidySatoshis) / 1e8), Format.number(Double(h.blocksAway)), Format.date(h.estimatedDate)])
        }
        print("")
        print(table.render())
    }
}

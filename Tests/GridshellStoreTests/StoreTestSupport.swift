import Foundation
import GridshellCore
@testable import GridshellStore

/// A folder of its own for one test's store file, removed when the test ends.
final class TemporaryStoreFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Path of the site's store file in the folder.
    var storePath: String { url.appendingPathComponent("site.sqlite").path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A start aligned to 300 s since 1970, so buckets are easy to reckon.
let t0 = Date(timeIntervalSince1970: 1_750_000_200)

func minutes(_ m: Double) -> TimeInterval { m * 60 }

func ledgerEntry(start: Date, miningRevenueUSD: Double, energyCostUSD: Double) -> LedgerEntry {
    var entry = LedgerEntry(start: start, hours: 0.25, priceUSDPerMWh: 42.5)
    entry.energyMWh = 12.5
    entry.siteMW = 50
    entry.minerMW = 40
    entry.aiMW = 10
    entry.miningRevenueUSD = miningRevenueUSD
    entry.energyCostUSD = energyCostUSD
    entry.deadlinesMet = 2
    entry.curtailedShare = 0.125
    return entry
}

func command(_ address: String, _ command: MinerCommand, interval: Date, createdAt: Date) -> CommandRecord {
    CommandRecord(
        key: CommandRecord.key(intervalStart: interval, address: address, command: command), intervalStart: interval, address: address,
        command: command, createdAt: createdAt)
}

func sample(
    _ address: String, _ at: Date, reachable: Bool = true, mode: MinerMode = .normal, powerW: Double? = nil, hashrateTHs: Double? = nil,
    temperatureC: Double? = nil
) -> TelemetrySample {
    TelemetrySample(address: address, at: at, reachable: reachable, mode: mode, powerW: powerW, hashrateTHs: hashrateTHs, maxChipTemperatureC: temperatureC)
}

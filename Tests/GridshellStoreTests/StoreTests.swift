import Foundation
import GRDB
import GridshellCore
import Testing
@testable import GridshellStore

@Suite("The store's file: migrations, WAL, reopening")
struct StoreFileTests {
    @Test func migrationsRunOnAFreshFileAndAgainOnReopen() throws {
        let folder = try TemporaryStoreFolder()
        let first = try SQLiteStore(path: folder.storePath)
        let applied = try first.database.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied == ["v1-site-record", "v2-gpu-power"])
        #expect(SQLiteStore.migrationNames == ["v1-site-record", "v2-gpu-power"])
        let tables = try first.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")
        }
        #expect(Set(tables) == [
            "site_configuration", "controller_state", "price", "plan", "ledger", "command", "telemetry_raw", "telemetry_bucket", "grid_event",
            "override", "token", "audit", "gpu_power",
        ])
        try first.setControllerValue("clock", Data("1".utf8))

        let second = try SQLiteStore(path: folder.storePath)
        let appliedAgain = try second.database.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(appliedAgain == ["v1-site-record", "v2-gpu-power"])
        #expect(try second.controllerValue("clock") == Data("1".utf8))
    }

    @Test func gpuPowerIsKeptAndReadBackByTime() throws {
        let store = try SQLiteStore.inMemory()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        try store.recordGPUPower([
            GPUPowerRecord(at: t0, node: "node1", drawW: 2_800),
            GPUPowerRecord(at: t0, node: "node1", job: "12", jobName: "pretrain", drawW: 2_100, capFraction: 0.75),
            GPUPowerRecord(at: t0.addingTimeInterval(5), node: "node1", job: "12", jobName: "pretrain", drawW: 2_050, capFraction: 0.75),
        ])
        let all = try store.gpuPower(from: t0, to: t0.addingTimeInterval(10), limit: 100)
        #expect(all.count == 3 && all.last?.drawW == 2_050 && all.first { $0.job == "12" }?.capFraction == 0.75)
        #expect(try store.gpuPower(from: t0, to: t0.addingTimeInterval(10), limit: 1).map(\.drawW) == [2_050])
        #expect(try store.gpuPower(from: t0.addingTimeInterval(1), to: t0.addingTimeInterval(10), limit: 100).count == 1)
    }

    @Test func theFileIsInWALModeWithForeignKeysOn() throws {
        let folder = try TemporaryStoreFolder()
        let store = try SQLiteStore(path: folder.storePath)
        let (journalMode, foreignKeys) = try store.database.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Bool.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journalMode == "wal")
        #expect(foreignKeys == true)
    }

    @Test func aMissingFolderIsCannotOpenNamingThePath() throws {
        let path = "/nonexistent-gridshell-\(UUID().uuidString)/site.sqlite"
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            guard case .cannotOpen(let failedPath, let reason)? = error as? StoreError else { return false }
            return failedPath == path && !reason.isEmpty
        }
    }

    @Test func aFileFromANewerGridshellIsRefused() throws {
        let folder = try TemporaryStoreFolder()
        let store = try SQLiteStore(path: folder.storePath)
        try store.database.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        #expect {
            _ = try SQLiteStore(path: folder.storePath)
        } throws: { error in
            guard case .cannotOpen(_, let reason)? = error as? StoreError else { return false }
            return reason.contains("newer Gridshell")
        }
    }

    @Test func everythingWrittenIsThereAfterARestart() throws {
        let folder = try TemporaryStoreFolder()
        let interval = t0
        do {
            let store = try SQLiteStore(path: folder.storePath)
            _ = try store.saveSiteConfiguration(yaml: "site: west\n", author: "ops", at: t0)
            try store.recordPrice(PriceRecord(intervalStart: interval, priceUSDPerMWh: 31.25, source: "ercot-replay:HB_WEST"))
            try store.recordPlan(PlanRecord(intervalStart: interval, decidedAt: t0, policy: "merit", trigger: "interval", siteMW: 48, json: Data("{}".utf8)))
            try store.settle(ledgerEntry(start: interval, miningRevenueUSD: 900, energyCostUSD: 400), controllerState: ["clock": Data("7".utf8)])
            _ = try store.journal([command("10.0.0.1", .sleep, interval: interval, createdAt: t0)])
            try store.recordTelemetry([sample("10.0.0.1", t0, powerW: 3000)])
            _ = try store.addOverride(OverrideRecord(kind: .capSite, valueMW: 40, start: t0, end: t0 + 3600, createdBy: "ops", reason: "test", createdAt: t0))
            try store.addToken(TokenRecord(name: "ops", role: .operator, sha256: "ab", createdAt: t0))
            try store.audit(AuditRecord(at: t0, actor: "ops", role: "operator", action: "cap", target: "site", reason: "test", detail: "{}"))
            try store.recordGridEvent(GridEventRecord(id: "dr-1", kind: "demand-response", start: t0, end: t0 + 900, targetMW: 20, source: "test", receivedAt: t0, detail: ""))
        }
        let reopened = try SQLiteStore(path: folder.storePath)
        #expect(try reopened.siteConfigurations().map(\.yaml) == ["site: west\n"])
        #expect(try reopened.prices(from: t0, to: t0 + 1).map(\.priceUSDPerMWh) == [31.25])
        #expect(try reopened.latestPlan()?.policy == "merit")
        #expect(try reopened.ledger(from: t0, to: t0 + 1) == [ledgerEntry(start: interval, miningRevenueUSD: 900, energyCostUSD: 400)])
        #expect(try reopened.lastSettledInterval() == interval)
        #expect(try reopened.controllerValue("clock") == Data("7".utf8))
        #expect(try reopened.unfinishedCommands().map(\.address) == ["10.0.0.1"])
        #expect(try reopened.telemetry(address: "10.0.0.1", from: t0, to: t0 + 1).map(\.powerW) == [3000])
        #expect(try reopened.activeOverrides(at: t0 + 60).map(\.valueMW) == [40])
        #expect(try reopened.token(hash: "ab")?.name == "ops")
        #expect(try reopened.auditLog(limit: 10).map(\.action) == ["cap"])
        #expect(try reopened.gridEvents(from: t0, to: t0 + 60).map(\.id) == ["dr-1"])
    }

    @Test func aLedgerRowThatIsNotJSONIsCorruptNamingTheTable() throws {
        let store = try SQLiteStore.inMemory()
        try store.settle(ledgerEntry(start: t0, miningRevenueUSD: 1, energyCostUSD: 1), controllerState: [:])
        try store.database.write { try $0.execute(sql: "UPDATE ledger SET entry_json = '{not json'") }
        #expect {
            _ = try store.ledger(from: t0, to: t0 + 1)
        } throws: { error in
            guard case .corrupt(let table, let reason)? = error as? StoreError else { return false }
            return table == "ledger" && reason.contains("entry_json")
        }
    }

    @Test func anUnknownEnumValueIsCorruptNamingTheTable() throws {
        let store = try SQLiteStore.inMemory()
        try store.recordTelemetry([sample("10.0.0.1", t0)])
        try store.database.write { try $0.execute(sql: "UPDATE telemetry_raw SET mode = 'dancing'") }
        #expect(throws: StoreError.corrupt(table: "telemetry_raw", reason: "column mode: unknown value 'dancing'")) {
            _ = try store.telemetry(address: "10.0.0.1", from: t0, to: t0 + 1)
        }
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256Digest.hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256Digest.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}

import Foundation
import GridshellCore
import Testing
@testable import GridshellStore

@Suite("Settling the ledger and journalling commands")
struct LedgerAndCommandTests {
    @Test func anIntervalIsSettledOnceWithItsControllerState() throws {
        let store = try SQLiteStore.inMemory()
        let first = ledgerEntry(start: t0, miningRevenueUSD: 900, energyCostUSD: 400)
        try store.settle(first, controllerState: ["clock": Data("1".utf8), "dispatcher": Data("{\"held\":false}".utf8)])
        #expect(try store.controllerValue("clock") == Data("1".utf8))
        #expect(try store.controllerValue("dispatcher") == Data("{\"held\":false}".utf8))

        let again = ledgerEntry(start: t0, miningRevenueUSD: 5, energyCostUSD: 5)
        #expect(throws: StoreError.intervalAlreadySettled(t0)) {
            try store.settle(again, controllerState: ["clock": Data("2".utf8), "new-key": Data("x".utf8)])
        }
        #expect(try store.ledger(from: t0 - 3600, to: t0 + 3600) == [first])
        #expect(try store.controllerValue("clock") == Data("1".utf8), "a settle that fails writes no controller state")
        #expect(try store.controllerValue("new-key") == nil)
    }

    @Test func theLedgerIsReadByRangeInOrderWithMoneyColumns() throws {
        let store = try SQLiteStore.inMemory()
        #expect(try store.lastSettledInterval() == nil)
        for i in [2, 0, 3, 1] {
            let start = t0 + minutes(15) * Double(i)
            try store.settle(ledgerEntry(start: start, miningRevenueUSD: Double(100 * i), energyCostUSD: 10), controllerState: [:])
        }
        let middle = try store.ledger(from: t0 + minutes(15), to: t0 + minutes(45))
        #expect(middle.map(\.start) == [t0 + minutes(15), t0 + minutes(30)], "start in [from, to)")
        #expect(middle.map(\.miningRevenueUSD) == [100, 200])
        #expect(try store.lastSettledInterval() == t0 + minutes(45))
        let net = try store.database.read { try Double.fetchOne($0, sql: "SELECT net_usd FROM ledger WHERE interval_start = ?", arguments: [t0.timeIntervalSince1970 + 900]) }
        #expect(net == 90)
    }

    @Test func datesComeBackToTheMillisecond() throws {
        let store = try SQLiteStore.inMemory()
        let start = Date(timeIntervalSince1970: 1_750_000_200.123)
        try store.settle(ledgerEntry(start: start, miningRevenueUSD: 1, energyCostUSD: 1), controllerState: [:])
        try store.recordPrice(PriceRecord(intervalStart: start, priceUSDPerMWh: 1, source: "test"))
        let ledgerStart = try #require(store.ledger(from: start, to: start + 1).first?.start)
        let priceStart = try #require(store.prices(from: start, to: start + 1).first?.intervalStart)
        #expect(abs(ledgerStart.timeIntervalSince(start)) < 0.001)
        #expect(abs(priceStart.timeIntervalSince(start)) < 0.001)
        #expect(try store.lastSettledInterval() == start)
    }

    @Test func journallingTheSameKeysAgainReturnsNothingNew() throws {
        let store = try SQLiteStore.inMemory()
        let batch = [
            command("10.0.0.1", .sleep, interval: t0, createdAt: t0),
            command("10.0.0.2", .powerTarget(watts: 2500), interval: t0, createdAt: t0),
        ]
        #expect(try store.journal(batch) == batch)
        #expect(try store.journal(batch).isEmpty)
        let third = command("10.0.0.3", .profile("eco"), interval: t0, createdAt: t0 + 1)
        #expect(try store.journal(batch + [third, third]) == [third], "only the new key, once")
        #expect(try store.unfinishedCommands().map(\.address) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        #expect(try store.unfinishedCommands()[1].command == .powerTarget(watts: 2500))
    }

    @Test func finishUpdatesAndUnfinishedListsOnlyPending() throws {
        let store = try SQLiteStore.inMemory()
        let sleep = command("10.0.0.1", .sleep, interval: t0, createdAt: t0)
        let wake = command("10.0.0.2", .wake, interval: t0, createdAt: t0)
        let low = command("10.0.0.3", .lowPower, interval: t0 + minutes(15), createdAt: t0)
        _ = try store.journal([sleep, wake, low])
        try store.finish(key: sleep.key, state: .acknowledged, attempts: 1, error: nil, at: t0 + 3)
        try store.finish(key: wake.key, state: .failed, attempts: 3, error: "connection refused", at: t0 + 9)
        #expect(try store.unfinishedCommands().map(\.key) == [low.key])

        let all = try store.commands(from: t0, to: t0 + minutes(30), address: nil, limit: 10)
        #expect(all.map(\.key) == [sleep.key, wake.key, low.key])
        let failed = try #require(all.first { $0.key == wake.key })
        #expect(failed.state == .failed)
        #expect(failed.attempts == 3)
        #expect(failed.error == "connection refused")
        #expect(failed.finishedAt == t0 + 9)
        #expect(try store.commands(from: t0, to: t0 + minutes(30), address: "10.0.0.1", limit: 10).map(\.state) == [.acknowledged])
        #expect(try store.commands(from: t0, to: t0 + minutes(30), address: nil, limit: 1).map(\.key) == [low.key], "the newest, when limited")
        #expect(try store.commands(from: t0, to: t0 + minutes(15), address: nil, limit: 10).count == 2)
    }

    @Test func pricesAndPlansByRange() throws {
        let store = try SQLiteStore.inMemory()
        for i in 0..<4 {
            let start = t0 + minutes(15) * Double(i)
            try store.recordPrice(PriceRecord(intervalStart: start, priceUSDPerMWh: Double(20 + i), source: "ercot-live"))
            try store.recordPlan(PlanRecord(intervalStart: start, decidedAt: start, policy: "merit", trigger: "interval", siteMW: Double(i), json: Data("[\(i)]".utf8)))
        }
        try store.recordPrice(PriceRecord(intervalStart: t0, priceUSDPerMWh: 99, source: "ercot-live"))
        #expect(try store.prices(from: t0, to: t0 + minutes(30)).map(\.priceUSDPerMWh) == [99, 21])

        let remade = PlanRecord(intervalStart: t0 + minutes(45), decidedAt: t0 + minutes(50), policy: "merit", trigger: "operator", siteMW: 7, json: Data("[7]".utf8))
        try store.recordPlan(remade)
        #expect(try store.latestPlan() == remade)
        #expect(try store.plans(from: t0, to: t0 + minutes(60), limit: 10).map(\.siteMW) == [0, 1, 2, 7])
        #expect(try store.plans(from: t0, to: t0 + minutes(60), limit: 2).map(\.siteMW) == [2, 7], "the newest two, oldest first")
        #expect(try store.plans(from: t0 + minutes(15), to: t0 + minutes(30), limit: 10).map(\.json) == [Data("[1]".utf8)])
    }

    @Test func pruneDeletesOldFinishedCommandsAuditAndPlans() throws {
        let retention = Retention(rawTelemetryWindow: 60, bucket: 300, bucketKeep: 3600, auditKeep: 3600, commandsKeep: 3600, planKeep: 3600)
        let store = try SQLiteStore.inMemory(retention: retention)
        let now = t0 + 7200
        let oldDone = command("10.0.0.1", .sleep, interval: t0, createdAt: t0)
        let oldPending = command("10.0.0.2", .sleep, interval: t0, createdAt: t0)
        let recent = command("10.0.0.3", .sleep, interval: now - 60, createdAt: now - 60)
        _ = try store.journal([oldDone, oldPending, recent])
        try store.finish(key: oldDone.key, state: .confirmed, attempts: 1, error: nil, at: t0 + 5)
        try store.finish(key: recent.key, state: .confirmed, attempts: 1, error: nil, at: now - 50)
        for at in [t0, now - 60] {
            try store.audit(AuditRecord(at: at, actor: "ops", role: "admin", action: "a", target: "t", reason: "", detail: "{}"))
            try store.recordPlan(PlanRecord(intervalStart: at, decidedAt: at, policy: "p", trigger: "interval", siteMW: 1, json: Data()))
        }
        try store.recordTelemetry([sample("10.0.0.1", t0, powerW: 1), sample("10.0.0.1", now - 10, powerW: 2)])

        let counts = try store.prune(now: now)
        #expect(counts == PruneCounts(rawTelemetryFolded: 1, telemetryBucketsDeleted: 1, commandsDeleted: 1, auditDeleted: 1, plansDeleted: 1))
        #expect(try store.unfinishedCommands().map(\.key) == [oldPending.key], "pending commands wait to be reconciled")
        #expect(try store.auditLog(limit: 10).map(\.at) == [now - 60])
        #expect(try store.plans(from: t0, to: now, limit: 10).map(\.intervalStart) == [now - 60])
    }
}

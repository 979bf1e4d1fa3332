import Foundation
import GridshellCore
import Testing
@testable import GridshellStore

@Suite("Site configuration, overrides, tokens, audit, grid events")
struct OperatorRecordTests {
    @Test func siteConfigurationVersions() throws {
        let store = try SQLiteStore.inMemory()
        let first = try store.saveSiteConfiguration(yaml: "site: west\n", author: "ops", at: t0)
        let same = try store.saveSiteConfiguration(yaml: "site: west\n", author: "someone-else", at: t0 + 60)
        #expect(same == first, "the same text is the same version")
        let changed = try store.saveSiteConfiguration(yaml: "site: west\ncap: 40\n", author: "ops", at: t0 + 120)
        #expect(changed.version > first.version)
        #expect(changed.sha256 != first.sha256)
        #expect(first.sha256 == SHA256Digest.hex(of: Data("site: west\n".utf8)))
        let back = try store.saveSiteConfiguration(yaml: "site: west\n", author: "ops", at: t0 + 180)
        #expect(back.version > changed.version, "returning to an older text is a new version")
        #expect(try store.siteConfigurations().map(\.version) == [first.version, changed.version, back.version])
        #expect(try store.siteConfigurations()[1] == changed)
    }

    @Test func overridesAreActiveInTheirWindowUntilCancelled() throws {
        let store = try SQLiteStore.inMemory()
        let curtail = try store.addOverride(OverrideRecord(
            kind: .curtailGroup, group: "row-a", start: t0, end: t0 + 3600, createdBy: "ops", reason: "heat", createdAt: t0))
        let cap = try store.addOverride(OverrideRecord(
            kind: .capSite, valueMW: 30, start: t0 + 1800, end: t0 + 7200, createdBy: "ops", reason: "grid", createdAt: t0))
        let curtailID = try #require(curtail.id)
        #expect(cap.id != nil && cap.id != curtail.id)

        #expect(try store.activeOverrides(at: t0 - 1).isEmpty)
        #expect(try store.activeOverrides(at: t0).map(\.id) == [curtail.id], "start is inside the window")
        #expect(try store.activeOverrides(at: t0 + 1800).map(\.id) == [curtail.id, cap.id])
        #expect(try store.activeOverrides(at: t0 + 3600).map(\.id) == [cap.id], "end is outside the window")

        let cancelled = try #require(try store.cancelOverride(id: curtailID, at: t0 + 600))
        #expect(cancelled.cancelledAt == t0 + 600)
        #expect(try store.cancelOverride(id: curtailID, at: t0 + 900)?.cancelledAt == t0 + 600, "the first cancellation stands")
        #expect(try store.activeOverrides(at: t0 + 700).isEmpty)
        #expect(try store.activeOverrides(at: t0 + 300).map(\.id) == [curtail.id], "it was active before it was cancelled")
        #expect(try store.cancelOverride(id: 9999, at: t0) == nil)
        #expect(try store.overrides(limit: 10).map(\.id) == [cap.id, curtail.id])
        #expect(try store.overrides(limit: 1) == [cap])
    }

    @Test func tokensByHashWithRevocation() throws {
        let store = try SQLiteStore.inMemory()
        let admin = TokenRecord(name: "alice", role: .admin, sha256: "aa11", createdAt: t0)
        let viewer = TokenRecord(name: "board", role: .viewer, sha256: "bb22", createdAt: t0 + 1)
        try store.addToken(viewer)
        try store.addToken(admin)
        #expect(try store.token(hash: "aa11") == admin)
        #expect(try store.token(hash: "cc33") == nil)
        #expect(try store.tokens().map(\.name) == ["alice", "board"])

        #expect(throws: StoreConflict(table: "token", column: "name", value: "alice")) {
            try store.addToken(TokenRecord(name: "alice", role: .viewer, sha256: "dd44", createdAt: t0))
        }
        #expect {
            try store.addToken(TokenRecord(name: "carol", role: .viewer, sha256: "aa11", createdAt: t0))
        } throws: { ($0 as? StoreConflict)?.column == "sha256" }

        #expect(try store.revokeToken(name: "board", at: t0 + 60)?.revokedAt == t0 + 60)
        #expect(try store.token(hash: "bb22")?.revokedAt == t0 + 60, "a revoked token comes back with its revocation")
        #expect(try store.revokeToken(name: "nobody", at: t0) == nil)
    }

    @Test func theAuditLogIsNewestFirst() throws {
        let store = try SQLiteStore.inMemory()
        for (i, action) in ["cap", "curtail", "resume"].enumerated() {
            try store.audit(AuditRecord(at: t0 + Double(i), actor: "ops", role: "operator", action: action, target: "site", reason: "r\(i)", detail: "{}"))
        }
        try store.audit(AuditRecord(at: t0 + 2, actor: "gridshell", role: "admin", action: "pause", target: "policy", reason: "", detail: "{}"))
        let log = try store.auditLog(limit: 3)
        #expect(log.map(\.action) == ["pause", "resume", "curtail"])
        #expect(log.allSatisfy { $0.id != nil })
        #expect(log[1] == AuditRecord(id: log[1].id, at: t0 + 2, actor: "ops", role: "operator", action: "resume", target: "site", reason: "r2", detail: "{}"))
    }

    @Test func gridEventsOverlappingARange() throws {
        let store = try SQLiteStore.inMemory()
        let early = GridEventRecord(id: "dr-1", kind: "demand-response", start: t0, end: t0 + 900, targetMW: 20, source: "ercot", receivedAt: t0 - 60, detail: "")
        let late = GridEventRecord(id: "4cp-1", kind: "4cp-alert", start: t0 + 3600, end: t0 + 7200, targetMW: nil, source: "ercot", receivedAt: t0, detail: "peak")
        try store.recordGridEvent(early)
        try store.recordGridEvent(late)
        #expect(try store.gridEvents(from: t0 + 600, to: t0 + 1200) == [early])
        #expect(try store.gridEvents(from: t0 + 900, to: t0 + 3600).isEmpty, "windows are [start, end)")
        var extended = early
        extended.end = t0 + 1800
        try store.recordGridEvent(extended)
        #expect(try store.gridEvents(from: t0, to: t0 + 7200) == [extended, late])
    }
}

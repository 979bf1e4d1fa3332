import Foundation
import GRDB
import GridshellCore

/// Grid events, operator overrides, access tokens and the audit log.
extension SQLiteStore {
    // MARK: Grid events

    /// Saves a grid event, replacing an earlier record with the same id (an event may be
    /// amended or extended by its source).
    public func recordGridEvent(_ event: GridEventRecord) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO grid_event (id, kind, start, "end", target_mw, source, received_at, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.id, event.kind, event.start.storeSeconds, event.end.storeSeconds, event.targetMW, event.source,
                    event.receivedAt.storeSeconds, event.detail,
                ])
        }
    }

    /// Grid events whose window [start, end) overlaps [from, to), by start.
    public func gridEvents(from: Date, to: Date) throws -> [GridEventRecord] {
        try read { db in
            try db.fetch(
                "grid_event", #"SELECT * FROM grid_event WHERE start < ? AND "end" > ? ORDER BY start, id"#,
                [to.storeSeconds, from.storeSeconds]
            ) { row in
                GridEventRecord(
                    id: try row.value("id"), kind: try row.value("kind"), start: try row.date("start"), end: try row.date("end"),
                    targetMW: try row.value("target_mw"), source: try row.value("source"), receivedAt: try row.date("received_at"),
                    detail: try row.value("detail"))
            }
        }
    }

    // MARK: Overrides

    /// Saves an override; returns it with the id the store assigned (any id given is ignored).
    public func addOverride(_ override: OverrideRecord) throws -> OverrideRecord {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO override (kind, "group", value_mw, start, "end", created_by, reason, created_at, cancelled_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    override.kind.rawValue, override.group, override.valueMW, override.start.storeSeconds, override.end.storeSeconds,
                    override.createdBy, override.reason, override.createdAt.storeSeconds, override.cancelledAt?.storeSeconds,
                ])
            var saved = override
            saved.id = db.lastInsertedRowID
            return saved
        }
    }

    /// Cancels the override `id` at `at` and returns it; one cancelled already keeps its first
    /// cancellation time. Returns nil when there is no such override.
    public func cancelOverride(id: Int64, at: Date) throws -> OverrideRecord? {
        try write { db in
            try db.execute(
                sql: "UPDATE override SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL", arguments: [at.storeSeconds, id])
            return try db.fetchOne("override", "SELECT * FROM override WHERE id = ?", [id], Self.override)
        }
    }

    /// Overrides whose window contains `at` (start ≤ at < end) and that were not cancelled by
    /// then, oldest first.
    public func activeOverrides(at: Date) throws -> [OverrideRecord] {
        try read { db in
            try db.fetch(
                "override", """
                SELECT * FROM override WHERE start <= ?1 AND ?1 < "end" AND (cancelled_at IS NULL OR cancelled_at > ?1) ORDER BY id
                """, [at.storeSeconds], Self.override)
        }
    }

    /// The newest `limit` overrides, newest first.
    public func overrides(limit: Int) throws -> [OverrideRecord] {
        try read { db in try db.fetch("override", "SELECT * FROM override ORDER BY id DESC LIMIT ?", [limit], Self.override) }
    }

    static func override(_ row: Row) throws -> OverrideRecord {
        OverrideRecord(
            id: try row.value("id"), kind: try row.enumeration("kind"), group: try row.value("group"), valueMW: try row.value("value_mw"),
            start: try row.date("start"), end: try row.date("end"), createdBy: try row.value("created_by"), reason: try row.value("reason"),
            createdAt: try row.date("created_at"), cancelledAt: try row.optionalDate("cancelled_at"))
    }

    // MARK: Tokens

    /// Saves a token. Names and hashes are unique: a second token with either throws
    /// `StoreConflict` naming the column.
    public func addToken(_ token: TokenRecord) throws {
        try write { db in
            do {
                try db.execute(
                    sql: "INSERT INTO token (name, role, sha256, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [token.name, token.role.rawValue, token.sha256, token.createdAt.storeSeconds, token.revokedAt?.storeSeconds])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                let column = (error.message ?? "").contains("token.name") ? "name" : "sha256"
                throw StoreConflict(table: "token", column: column, value: column == "name" ? token.name : "(the secret's hash)")
            }
        }
    }

    /// The token with this SHA-256, revoked or not: a revoked token comes back with its
    /// `revokedAt` set, and the caller refuses it. Nil when no token has this hash.
    public func token(hash: String) throws -> TokenRecord? {
        try read { db in try db.fetchOne("token", "SELECT * FROM token WHERE sha256 = ?", [hash], Self.token) }
    }

    /// Every token, revoked ones included, by name.
    public func tokens() throws -> [TokenRecord] {
        try read { db in try db.fetch("token", "SELECT * FROM token ORDER BY name", [], Self.token) }
    }

    /// Revokes the token `name` at `at` (one revoked already keeps its first time) and returns
    /// it; nil when there is no such token.
    public func revokeToken(name: String, at: Date) throws -> TokenRecord? {
        try write { db in
            try db.execute(sql: "UPDATE token SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [at.storeSeconds, name])
            return try db.fetchOne("token", "SELECT * FROM token WHERE name = ?", [name], Self.token)
        }
    }

    static func token(_ row: Row) throws -> TokenRecord {
        TokenRecord(
            name: try row.value("name"), role: try row.enumeration("role"), sha256: try row.value("sha256"),
            createdAt: try row.date("created_at"), revokedAt: try row.optionalDate("revoked_at"))
    }

    // MARK: Audit

    /// Appends one entry to the audit log (any id given is ignored).
    public func audit(_ entry: AuditRecord) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO audit (at, actor, role, action, target, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [entry.at.storeSeconds, entry.actor, entry.role, entry.action, entry.target, entry.reason, entry.detail])
        }
    }

    /// The newest `limit` entries, newest first (by time, then by order of writing).
    public func auditLog(limit: Int) throws -> [AuditRecord] {
        try read { db in
            try db.fetch("audit", "SELECT * FROM audit ORDER BY at DESC, id DESC LIMIT ?", [limit]) { row in
                AuditRecord(
                    id: try row.value("id"), at: try row.date("at"), actor: try row.value("actor"), role: try row.value("role"),
                    action: try row.value("action"), target: try row.value("target"), reason: try row.value("reason"),
                    detail: try row.value("detail"))
            }
        }
    }
}

/// A record that would repeat a value its table keeps unique (a token's name or hash).
public struct StoreConflict: Error, Sendable, Equatable, CustomStringConvertible {
    /// The table written to.
    public var table: String
    /// The column whose value is taken.
    public var column: String
    /// The value, or a stand-in when it is a secret's hash.
    public var value: String

    /// A conflict on `table.column`.
    public init(table: String, column: String, value: String) {
        self.table = table
        self.column = column
        self.value = value
    }

    /// The conflict in words, naming the table and column.
    public var description: String { "the store's \(table) table already has \(column) \(value)" }
}

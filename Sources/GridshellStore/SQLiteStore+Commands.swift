import Foundation
import GRDB
import GridshellCore

/// The command journal: a command is written before it is sent, under a key that names its
/// interval, miner and command, so a restart never sends it twice.
extension SQLiteStore {
    /// Journals `commands` in one transaction. A key journalled already (earlier, or earlier in
    /// the same batch) is left as it is; returns only the records that are new, in input order.
    public func journal(_ commands: [CommandRecord]) throws -> [CommandRecord] {
        let encoded = try commands.map { ($0, try storeJSON($0.command)) }
        return try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO command
                    (key, interval_start, address, command_json, command_text, state, attempts, created_at, finished_at, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var journalled: [CommandRecord] = []
            for (record, json) in encoded {
                try insert.execute(arguments: [
                    record.key, record.intervalStart.storeSeconds, record.address, json, record.command.description, record.state.rawValue,
                    record.attempts, record.createdAt.storeSeconds, record.finishedAt?.storeSeconds, record.error,
                ])
                if db.changesCount > 0 { journalled.append(record) }
            }
            return journalled
        }
    }

    /// Records how the command under `key` ended: its state, attempts and error. `at` is saved
    /// as its finish time unless the state is still `pending`. An unknown key changes nothing.
    public func finish(key: String, state: CommandRecord.State, attempts: Int, error: String?, at: Date) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE command SET state = ?, attempts = ?, error = ?, finished_at = ? WHERE key = ?",
                arguments: [state.rawValue, attempts, error, state == .pending ? nil : at.storeSeconds, key])
        }
    }

    /// Several commands' ends in one transaction (a fleet-wide curtailment is thousands).
    public func finish(_ ends: [CommandEnd]) throws {
        guard !ends.isEmpty else { return }
        try write { db in
            let statement = try db.makeStatement(sql: "UPDATE command SET state = ?, attempts = ?, error = ?, finished_at = ? WHERE key = ?")
            for e in ends {
                try statement.execute(arguments: [e.state.rawValue, e.attempts, e.error, e.state == .pending ? nil : e.at.storeSeconds, e.key])
            }
        }
    }

    /// Commands still `pending`, in the order they were journalled.
    public func unfinishedCommands() throws -> [CommandRecord] {
        try read { db in
            try db.fetch("command", "SELECT * FROM command WHERE state = 'pending' ORDER BY id", [], Self.command)
        }
    }

    /// Commands of the intervals starting in [from, to), of one miner when `address` is given,
    /// oldest first; when more than `limit` match, the newest `limit` of them.
    public func commands(from: Date, to: Date, address: String?, limit: Int) throws -> [CommandRecord] {
        try read { db in
            try db.fetch(
                "command", """
                SELECT * FROM (
                    SELECT * FROM command WHERE interval_start >= ? AND interval_start < ? AND (?3 IS NULL OR address = ?3)
                    ORDER BY interval_start DESC, id DESC LIMIT ?4)
                ORDER BY interval_start, id
                """, [from.storeSeconds, to.storeSeconds, address, limit], Self.command)
        }
    }

    static func command(_ row: Row) throws -> CommandRecord {
        CommandRecord(
            key: try row.value("key"), intervalStart: try row.date("interval_start"), address: try row.value("address"),
            command: try row.json("command_json", as: MinerCommand.self), state: try row.enumeration("state"),
            attempts: try row.value("attempts"), createdAt: try row.date("created_at"), finishedAt: try row.optionalDate("finished_at"),
            error: try row.value("error"))
    }
}

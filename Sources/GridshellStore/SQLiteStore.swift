import Foundation
import GRDB
import GridshellCore

/// The site's record in one SQLite file, through GRDB.
///
/// A file store opens a `DatabasePool` in WAL mode (readers never wait for the writer), with
/// foreign keys on and a busy timeout, and runs the schema migrations before it is used. Dates
/// are stored as `REAL` seconds since 1970, lossless well below the millisecond.
///
/// The class holds no mutable state of its own: every call is one GRDB read or write, so one
/// store may be shared by every task of the process.
public final class SQLiteStore: SiteStore {
    /// The file the store lives in, or `:memory:`.
    public let path: String
    /// How long each kind of record is kept; `prune(now:)` applies it.
    public let retention: Retention
    let database: any DatabaseWriter

    /// How long a write waits for another connection's lock before it fails, seconds.
    public static let busyTimeoutSeconds: TimeInterval = 5

    /// Opens (creating it when missing) the store at `path` and brings its schema up to date.
    ///
    /// - Throws: `StoreError.cannotOpen` naming the path and SQLite's reason (a missing folder,
    ///   a file that is not a database, a schema written by a newer Gridshell).
    public init(path: String, retention: Retention = .init()) throws {
        self.path = path
        self.retention = retention
        do {
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrate(pool)
            database = pool
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.reason(error))
        }
    }

    private init(memory: DatabaseQueue, retention: Retention) {
        path = ":memory:"
        self.retention = retention
        database = memory
    }

    /// A store in memory, gone with the process: for tests and dry runs.
    public static func inMemory(retention: Retention = .init()) throws -> SQLiteStore {
        do {
            let queue = try DatabaseQueue(configuration: configuration())
            try migrate(queue)
            return SQLiteStore(memory: queue, retention: retention)
        } catch {
            throw StoreError.cannotOpen(path: ":memory:", reason: reason(error))
        }
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.label = "gridshell-store"
        return configuration
    }

    static func migrate(_ writer: some DatabaseWriter) throws {
        let migrator = Self.migrator
        if try writer.read({ try migrator.hasBeenSuperseded($0) }) {
            throw SchemaTooNew()
        }
        try migrator.migrate(writer)
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error)" }
        return "\(error)"
    }

    struct SchemaTooNew: Error, CustomStringConvertible {
        var description: String { "the file was written by a newer Gridshell (its schema has migrations this one does not know)" }
    }

    // MARK: Access

    func read<T>(_ body: (Database) throws -> T) throws -> T { try database.read(body) }
    func write<T>(_ body: (Database) throws -> T) throws -> T { try database.write(body) }
}

// MARK: - Dates and row decoding

extension Date {
    /// Seconds since 1970, as the store keeps every date.
    var storeSeconds: Double { timeIntervalSince1970 }
    init(storeSeconds: Double) { self.init(timeIntervalSince1970: storeSeconds) }
}

/// A value in a row that does not fit its column's meaning.
struct UnreadableValue: Error, CustomStringConvertible {
    var column: String
    var detail: String
    var description: String { "column \(column): \(detail)" }
}

extension Row {
    /// Decodes `body` from this row; any failure becomes `StoreError.corrupt` naming `table`.
    func decoded<T>(in table: String, _ body: (Row) throws -> T) throws -> T {
        do {
            return try body(self)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt(table: table, reason: "\(error)")
        }
    }

    func value<T: DatabaseValueConvertible>(_ column: String) throws -> T {
        do {
            return try decode(T.self, forColumn: column)
        } catch {
            throw UnreadableValue(column: column, detail: "\(error)")
        }
    }

    func date(_ column: String) throws -> Date { Date(storeSeconds: try value(column) as Double) }

    func optionalDate(_ column: String) throws -> Date? { (try value(column) as Double?).map(Date.init(storeSeconds:)) }

    func enumeration<E: RawRepresentable>(_ column: String) throws -> E where E.RawValue == String {
        let text: String = try value(column)
        guard let value = E(rawValue: text) else { throw UnreadableValue(column: column, detail: "unknown value '\(text)'") }
        return value
    }

    func json<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        let data: Data = try value(column)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw UnreadableValue(column: column, detail: "not the JSON of \(T.self): \(error)")
        }
    }
}

extension Database {
    /// Every row of `sql`, decoded with `body`; a row that cannot be read throws
    /// `StoreError.corrupt(table:…)`.
    func fetch<T>(_ table: String, _ sql: String, _ arguments: StatementArguments = [], _ body: (Row) throws -> T) throws -> [T] {
        try Row.fetchAll(self, sql: sql, arguments: arguments).map { try $0.decoded(in: table, body) }
    }

    func fetchOne<T>(_ table: String, _ sql: String, _ arguments: StatementArguments = [], _ body: (Row) throws -> T) throws -> T? {
        try Row.fetchOne(self, sql: sql, arguments: arguments).map { try $0.decoded(in: table, body) }
    }
}

/// JSON the store writes: sorted keys, so the same value is the same text.
func storeJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

import Foundation
import GRDB
import GridshellCore

/// Telemetry: raw samples for a day, then time buckets.
extension SQLiteStore {
    /// Writes `samples` in one transaction, through cached prepared statements that insert
    /// `telemetryRowsPerStatement` rows each (binding is most of the cost; one statement a row
    /// would step and reset SQLite a thousand times for a thousand miners).
    public func recordTelemetry(_ samples: [TelemetrySample]) throws {
        guard !samples.isEmpty else { return }
        try write { db in
            var start = samples.startIndex
            while start < samples.endIndex {
                let end = min(start + Self.telemetryRowsPerStatement, samples.endIndex)
                let insert = try db.cachedStatement(sql: Self.telemetryInsertSQL(rows: end - start))
                var values: [(any DatabaseValueConvertible)?] = []
                values.reserveCapacity((end - start) * 8)
                for s in samples[start..<end] {
                    values += [s.address, s.at.storeSeconds, s.reachable, s.mode.rawValue, s.powerW, s.hashrateTHs, s.maxChipTemperatureC, s.error]
                }
                insert.setUncheckedArguments(StatementArguments(values))
                try insert.execute()
                start = end
            }
        }
    }

    /// Rows one telemetry insert carries at most (8 parameters each, far under SQLite's limit).
    static let telemetryRowsPerStatement = 100

    static func telemetryInsertSQL(rows: Int) -> String {
        "INSERT INTO telemetry_raw (address, at, reachable, mode, power_w, hashrate_ths, max_chip_temperature_c, error) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    /// Raw samples of one miner taken in [from, to), oldest first (newest last).
    public func telemetry(address: String, from: Date, to: Date) throws -> [TelemetrySample] {
        try read { db in
            try db.fetch(
                "telemetry_raw", "SELECT * FROM telemetry_raw WHERE address = ? AND at >= ? AND at < ? ORDER BY at, rowid",
                [address, from.storeSeconds, to.storeSeconds]
            ) { row in
                TelemetrySample(
                    address: try row.value("address"), at: try row.date("at"), reachable: try row.value("reachable"),
                    mode: try row.enumeration("mode"), powerW: try row.value("power_w"), hashrateTHs: try row.value("hashrate_ths"),
                    maxChipTemperatureC: try row.value("max_chip_temperature_c"), error: try row.value("error"))
            }
        }
    }

    /// Folds raw samples taken before `now - rawWindow` into buckets of `bucket` seconds
    /// (aligned to multiples of `bucket` since 1970) and deletes them, then deletes buckets
    /// starting before `now - keep`. A bucket folded into again merges: counts add up, means
    /// are weighted by the samples that had the figure, the maximum is the larger, and the mode
    /// is the newest sample's. Returns how many raw rows were folded.
    @discardableResult
    public func downsample(now: Date, rawWindow: TimeInterval, bucket: TimeInterval, keep: TimeInterval) throws -> Int {
        try write { db in try Self.downsample(db, now: now, rawWindow: rawWindow, bucket: bucket, keep: keep) }.rawRowsFolded
    }

    struct DownsampleCounts {
        var rawRowsFolded: Int
        var bucketsDeleted: Int
    }

    static func downsample(_ db: Database, now: Date, rawWindow: TimeInterval, bucket: TimeInterval, keep: TimeInterval) throws -> DownsampleCounts {
        precondition(bucket > 0, "a telemetry bucket lasts a positive number of seconds")
        let rawCutoff = now.storeSeconds - rawWindow
        try db.execute(sql: foldSQL, arguments: ["cutoff": rawCutoff, "bucket": bucket])
        try db.execute(sql: "DELETE FROM telemetry_raw WHERE at < ?", arguments: [rawCutoff])
        let folded = db.changesCount
        try db.execute(sql: "DELETE FROM telemetry_bucket WHERE bucket_start < ?", arguments: [now.storeSeconds - keep])
        return DownsampleCounts(rawRowsFolded: folded, bucketsDeleted: db.changesCount)
    }

    /// One pass over the raw rows to fold: group by miner and bucket, then merge into the
    /// bucket rows already there. In an upsert's SET, column names are the old row's values.
    static let foldSQL = """
        WITH folded AS (
            SELECT address, CAST(at / :bucket AS INTEGER) * :bucket AS bucket_start,
                COUNT(*) AS samples, SUM(reachable) AS reachable_samples,
                COUNT(power_w) AS power_samples, AVG(power_w) AS mean_power_w,
                COUNT(hashrate_ths) AS hashrate_samples, AVG(hashrate_ths) AS mean_hashrate_ths,
                MAX(max_chip_temperature_c) AS max_chip_temperature_c, MAX(at) AS last_at
            FROM telemetry_raw WHERE at < :cutoff
            GROUP BY address, bucket_start
        )
        INSERT INTO telemetry_bucket (address, bucket_start, samples, reachable_samples, power_samples, mean_power_w,
            hashrate_samples, mean_hashrate_ths, max_chip_temperature_c, last_at, last_mode)
        SELECT f.address, f.bucket_start, f.samples, f.reachable_samples, f.power_samples, f.mean_power_w,
            f.hashrate_samples, f.mean_hashrate_ths, f.max_chip_temperature_c, f.last_at,
            (SELECT r.mode FROM telemetry_raw r WHERE r.address = f.address AND r.at = f.last_at ORDER BY r.rowid DESC LIMIT 1)
        FROM folded f WHERE true
        ON CONFLICT (address, bucket_start) DO UPDATE SET
            samples = samples + excluded.samples,
            reachable_samples = reachable_samples + excluded.reachable_samples,
            power_samples = power_samples + excluded.power_samples,
            mean_power_w = CASE WHEN power_samples + excluded.power_samples = 0 THEN NULL ELSE
                (IFNULL(mean_power_w, 0) * power_samples + IFNULL(excluded.mean_power_w, 0) * excluded.power_samples)
                    / (power_samples + excluded.power_samples) END,
            hashrate_samples = hashrate_samples + excluded.hashrate_samples,
            mean_hashrate_ths = CASE WHEN hashrate_samples + excluded.hashrate_samples = 0 THEN NULL ELSE
                (IFNULL(mean_hashrate_ths, 0) * hashrate_samples + IFNULL(excluded.mean_hashrate_ths, 0) * excluded.hashrate_samples)
                    / (hashrate_samples + excluded.hashrate_samples) END,
            max_chip_temperature_c = CASE WHEN max_chip_temperature_c IS NULL THEN excluded.max_chip_temperature_c
                WHEN excluded.max_chip_temperature_c IS NULL THEN max_chip_temperature_c
                ELSE MAX(max_chip_temperature_c, excluded.max_chip_temperature_c) END,
            last_mode = CASE WHEN excluded.last_at >= last_at THEN excluded.last_mode ELSE last_mode END,
            last_at = MAX(last_at, excluded.last_at)
        """

    /// Buckets of one miner starting in [from, to), oldest first.
    public func telemetryBuckets(address: String, from: Date, to: Date) throws -> [TelemetryBucket] {
        try read { db in
            try db.fetch(
                "telemetry_bucket",
                "SELECT * FROM telemetry_bucket WHERE address = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start",
                [address, from.storeSeconds, to.storeSeconds]
            ) { row in
                let samples: Int = try row.value("samples")
                let reachable: Int = try row.value("reachable_samples")
                return TelemetryBucket(
                    address: try row.value("address"), bucketStart: try row.date("bucket_start"), samples: samples,
                    reachableShare: samples > 0 ? Double(reachable) / Double(samples) : 0,
                    meanPowerW: try row.value("mean_power_w"), meanHashrateTHs: try row.value("mean_hashrate_ths"),
                    maxChipTemperatureC: try row.value("max_chip_temperature_c"), lastMode: try row.enumeration("last_mode"))
            }
        }
    }
}

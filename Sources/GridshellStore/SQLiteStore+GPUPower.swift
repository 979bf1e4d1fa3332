import Foundation
import GRDB

/// GPU power per node and per job, as the power agents read it.
public struct GPUPowerRecord: Sendable, Codable, Equatable {
    public var at: Date
    public var node: String
    /// The scheduler's job id; empty for the node's total.
    public var job: String
    public var jobName: String
    public var drawW: Double
    /// The cap Gridshell held the job to, as a fraction of full power (nil: none).
    public var capFraction: Double?

    public init(at: Date, node: String, job: String = "", jobName: String = "", drawW: Double, capFraction: Double? = nil) {
        self.at = at
        self.node = node
        self.job = job
        self.jobName = jobName
        self.drawW = drawW
        self.capFraction = capFraction
    }
}

extension SQLiteStore {
    public func recordGPUPower(_ rows: [GPUPowerRecord]) throws {
        guard !rows.isEmpty else { return }
        try write { db in
            let statement = try db.makeStatement(sql: "INSERT INTO gpu_power (at, node, job, job_name, draw_w, cap_fraction) VALUES (?, ?, ?, ?, ?, ?)")
            for r in rows {
                try statement.execute(arguments: [r.at.storeSeconds, r.node, r.job, r.jobName, r.drawW, r.capFraction])
            }
        }
    }

    public func gpuPower(from: Date, to: Date, limit: Int) throws -> [GPUPowerRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (SELECT * FROM gpu_power WHERE at >= ? AND at < ? ORDER BY at DESC, rowid DESC LIMIT ?) ORDER BY at, node, job
                    """,
                arguments: [from.storeSeconds, to.storeSeconds, limit]
            ).map { row in
                GPUPowerRecord(
                    at: Date(storeSeconds: row["at"]), node: row["node"], job: row["job"], jobName: row["job_name"], drawW: row["draw_w"],
                    capFraction: row["cap_fraction"])
            }
        }
    }
}

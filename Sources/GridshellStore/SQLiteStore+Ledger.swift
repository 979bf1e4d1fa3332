import Foundation
import GRDB
import GridshellCore

/// Site configuration, controller state, prices, plans and the ledger.
extension SQLiteStore {
    // MARK: Site configuration

    /// Saves `yaml` as a new version unless the newest version has the same text (compared by
    /// SHA-256, then by text); returns the version in force.
    public func saveSiteConfiguration(yaml: String, author: String, at: Date) throws -> SiteConfigurationVersion {
        let digest = SHA256Digest.hex(of: Data(yaml.utf8))
        return try write { db in
            if let newest = try Self.newestSiteConfiguration(db), newest.sha256 == digest, newest.yaml == yaml {
                return newest
            }
            try db.execute(
                sql: "INSERT INTO site_configuration (saved_at, author, sha256, yaml) VALUES (?, ?, ?, ?)",
                arguments: [at.storeSeconds, author, digest, yaml])
            return SiteConfigurationVersion(version: db.lastInsertedRowID, savedAt: at, author: author, sha256: digest, yaml: yaml)
        }
    }

    /// Every saved version, oldest first.
    public func siteConfigurations() throws -> [SiteConfigurationVersion] {
        try read { db in
            try db.fetch("site_configuration", "SELECT * FROM site_configuration ORDER BY version", [], Self.siteConfiguration)
        }
    }

    static func newestSiteConfiguration(_ db: Database) throws -> SiteConfigurationVersion? {
        try db.fetchOne("site_configuration", "SELECT * FROM site_configuration ORDER BY version DESC LIMIT 1", [], siteConfiguration)
    }

    static func siteConfiguration(_ row: Row) throws -> SiteConfigurationVersion {
        SiteConfigurationVersion(
            version: try row.value("version"), savedAt: try row.date("saved_at"), author: try row.value("author"),
            sha256: try row.value("sha256"), yaml: try row.value("yaml"))
    }

    // MARK: Controller state

    /// The value saved under `key`, or nil.
    public func controllerValue(_ key: String) throws -> Data? {
        try read { db in
            try db.fetchOne("controller_state", "SELECT value FROM controller_state WHERE key = ?", [key]) { try $0.value("value") as Data }
        }
    }

    /// Saves `value` under `key`, replacing the earlier value.
    public func setControllerValue(_ key: String, _ value: Data) throws {
        try write { db in try Self.upsertControllerValue(db, key, value) }
    }

    static func upsertControllerValue(_ db: Database, _ key: String, _ value: Data) throws {
        try db.cachedStatement(sql: """
            INSERT INTO controller_state (key, value) VALUES (?, ?)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value
            """).execute(arguments: [key, value])
    }

    // MARK: Prices

    /// Saves the price of one interval, replacing an earlier price of the same interval.
    public func recordPrice(_ price: PriceRecord) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO price (interval_start, price_usd_per_mwh, source) VALUES (?, ?, ?)",
                arguments: [price.intervalStart.storeSeconds, price.priceUSDPerMWh, price.source])
        }
    }

    /// Prices of the intervals starting in [from, to), oldest first.
    public func prices(from: Date, to: Date) throws -> [PriceRecord] {
        try read { db in
            try db.fetch(
                "price", "SELECT * FROM price WHERE interval_start >= ? AND interval_start < ? ORDER BY interval_start",
                [from.storeSeconds, to.storeSeconds]
            ) { row in
                PriceRecord(intervalStart: try row.date("interval_start"), priceUSDPerMWh: try row.value("price_usd_per_mwh"), source: try row.value("source"))
            }
        }
    }

    // MARK: Plans

    /// Writes the plan of its interval, replacing an earlier plan of the same interval.
    public func recordPlan(_ plan: PlanRecord) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO plan (interval_start, decided_at, policy, trigger, site_mw, json) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [plan.intervalStart.storeSeconds, plan.decidedAt.storeSeconds, plan.policy, plan.trigger, plan.siteMW, plan.json])
        }
    }

    /// The plan of the latest interval.
    public func latestPlan() throws -> PlanRecord? {
        try read { db in try db.fetchOne("plan", "SELECT * FROM plan ORDER BY interval_start DESC LIMIT 1", [], Self.plan) }
    }

    /// Plans of the intervals starting in [from, to), oldest first; when more than `limit` match,
    /// the newest `limit` of them.
    public func plans(from: Date, to: Date, limit: Int) throws -> [PlanRecord] {
        try read { db in
            try db.fetch(
                "plan", """
                SELECT * FROM (SELECT * FROM plan WHERE interval_start >= ? AND interval_start < ? ORDER BY interval_start DESC LIMIT ?)
                ORDER BY interval_start
                """, [from.storeSeconds, to.storeSeconds, limit], Self.plan)
        }
    }

    static func plan(_ row: Row) throws -> PlanRecord {
        PlanRecord(
            intervalStart: try row.date("interval_start"), decidedAt: try row.date("decided_at"), policy: try row.value("policy"),
            trigger: try row.value("trigger"), siteMW: try row.value("site_mw"), json: try row.value("json"))
    }

    // MARK: Ledger

    /// Writes the ledger line of `entry.start` and every key of `controllerState` in one
    /// transaction. When the interval is settled already, throws
    /// `StoreError.intervalAlreadySettled` and writes nothing.
    public func settle(_ entry: LedgerEntry, controllerState: [String: Data]) throws {
        let json = try storeJSON(entry)
        try write { db in
            let start = entry.start.storeSeconds
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ledger WHERE interval_start = ?)", arguments: [start]) == true {
                throw StoreError.intervalAlreadySettled(entry.start)
            }
            try db.execute(
                sql: """
                    INSERT INTO ledger (interval_start, hours, price_usd_per_mwh, energy_mwh, site_mw, mining_revenue_usd, ai_revenue_usd,
                        energy_cost_usd, power_credits_usd, grid_credits_usd, penalties_usd, net_usd, curtailed_share, entry_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    start, entry.hours, entry.priceUSDPerMWh, entry.energyMWh, entry.siteMW, entry.miningRevenueUSD, entry.aiRevenueUSD,
                    entry.energyCostUSD, entry.powerCreditsUSD, entry.gridCreditsUSD, entry.penaltiesUSD, entry.netUSD, entry.curtailedShare, json,
                ])
            for (key, value) in controllerState.sorted(by: { $0.key < $1.key }) {
                try Self.upsertControllerValue(db, key, value)
            }
        }
    }

    /// Ledger lines of the intervals starting in [from, to), oldest first.
    public func ledger(from: Date, to: Date) throws -> [LedgerEntry] {
        try read { db in
            try db.fetch(
                "ledger", "SELECT entry_json FROM ledger WHERE interval_start >= ? AND interval_start < ? ORDER BY interval_start",
                [from.storeSeconds, to.storeSeconds]
            ) { try $0.json("entry_json", as: LedgerEntry.self) }
        }
    }

    /// Start of the newest settled interval, or nil before the first settlement.
    public func lastSettledInterval() throws -> Date? {
        try read { db in
            try Double.fetchOne(db, sql: "SELECT MAX(interval_start) FROM ledger").map(Date.init(storeSeconds:))
        }
    }
}

import GRDB

extension SQLiteStore {
    /// The schema's history. A migration, once shipped, is never edited: a change is a new,
    /// named migration appended here, so a file of any age opens on a newer Gridshell.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-site-record") { db in
            try db.execute(sql: schemaV1)
        }
        migrator.registerMigration("v2-gpu-power") { db in
            try db.execute(sql: schemaV2)
        }
        return migrator
    }

    /// Names of the migrations this build knows, oldest first.
    public static var migrationNames: [String] { migrator.migrations }

    /// Every table of the site's record. Dates are `REAL` seconds since 1970.
    static let schemaV1 = """
        CREATE TABLE site_configuration (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            saved_at REAL NOT NULL,
            author TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            yaml TEXT NOT NULL
        );
        CREATE TABLE controller_state (
            key TEXT PRIMARY KEY NOT NULL,
            value BLOB NOT NULL
        );
        CREATE TABLE price (
            interval_start REAL PRIMARY KEY NOT NULL,
            price_usd_per_mwh REAL NOT NULL,
            source TEXT NOT NULL
        );
        CREATE TABLE plan (
            interval_start REAL PRIMARY KEY NOT NULL,
            decided_at REAL NOT NULL,
            policy TEXT NOT NULL,
            trigger TEXT NOT NULL,
            site_mw REAL NOT NULL,
            json BLOB NOT NULL
        );
        CREATE TABLE ledger (
            interval_start REAL PRIMARY KEY NOT NULL,
            hours REAL NOT NULL,
            price_usd_per_mwh REAL NOT NULL,
            energy_mwh REAL NOT NULL,
            site_mw REAL NOT NULL,
            mining_revenue_usd REAL NOT NULL,
            ai_revenue_usd REAL NOT NULL,
            energy_cost_usd REAL NOT NULL,
            power_credits_usd REAL NOT NULL,
            grid_credits_usd REAL NOT NULL,
            penalties_usd REAL NOT NULL,
            net_usd REAL NOT NULL,
            curtailed_share REAL NOT NULL,
            entry_json TEXT NOT NULL
        );
        CREATE TABLE command (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            interval_start REAL NOT NULL,
            address TEXT NOT NULL,
            command_json TEXT NOT NULL,
            command_text TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            created_at REAL NOT NULL,
            finished_at REAL,
            error TEXT
        );
        CREATE INDEX command_interval_start ON command(interval_start);
        CREATE INDEX command_address ON command(address, interval_start);
        CREATE INDEX command_pending ON command(state) WHERE state = 'pending';
        CREATE TABLE telemetry_raw (
            address TEXT NOT NULL,
            at REAL NOT NULL,
            reachable INTEGER NOT NULL,
            mode TEXT NOT NULL,
            power_w REAL,
            hashrate_ths REAL,
            max_chip_temperature_c REAL,
            error TEXT
        );
        CREATE INDEX telemetry_raw_address_at ON telemetry_raw(address, at);
        CREATE INDEX telemetry_raw_at ON telemetry_raw(at);
        CREATE TABLE telemetry_bucket (
            address TEXT NOT NULL,
            bucket_start REAL NOT NULL,
            samples INTEGER NOT NULL,
            reachable_samples INTEGER NOT NULL,
            power_samples INTEGER NOT NULL,
            mean_power_w REAL,
            hashrate_samples INTEGER NOT NULL,
            mean_hashrate_ths REAL,
            max_chip_temperature_c REAL,
            last_at REAL NOT NULL,
            last_mode TEXT NOT NULL,
            PRIMARY KEY (address, bucket_start)
        ) WITHOUT ROWID;
        CREATE INDEX telemetry_bucket_start ON telemetry_bucket(bucket_start);
        CREATE TABLE grid_event (
            id TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL,
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            target_mw REAL,
            source TEXT NOT NULL,
            received_at REAL NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX grid_event_start ON grid_event(start);
        CREATE TABLE override (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            "group" TEXT,
            value_mw REAL,
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            created_by TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at REAL NOT NULL,
            cancelled_at REAL
        );
        CREATE TABLE token (
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL,
            revoked_at REAL
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX audit_at ON audit(at);
        """

    /// The AI side's GPU power, per node (job empty) and per job on a node, as the power agents
    /// read it.
    static let schemaV2 = """
        CREATE TABLE gpu_power (
            at REAL NOT NULL,
            node TEXT NOT NULL,
            job TEXT NOT NULL,
            job_name TEXT NOT NULL,
            draw_w REAL NOT NULL,
            cap_fraction REAL
        );
        CREATE INDEX gpu_power_at ON gpu_power(at);
        """
}

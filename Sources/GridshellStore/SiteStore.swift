import Foundation
import GridshellCore

/// The site's record, as `gridshell serve` needs it: what the site was told, what it did, what it
/// earned, and who changed what. `SQLiteStore` keeps it in one SQLite file through GRDB.
///
/// Two promises carry a restart: a ledger interval is written once (with the controller state
/// that settled it, in one transaction), and a command is journalled before it is sent, under a
/// key that names its interval, miner and command, so it is never sent twice.
public protocol SiteStore: Sendable {
    // MARK: Site configuration
    /// Saves the site file's text as a new version unless it equals the newest; returns the
    /// version in force.
    func saveSiteConfiguration(yaml: String, author: String, at: Date) throws -> SiteConfigurationVersion
    func siteConfigurations() throws -> [SiteConfigurationVersion]

    // MARK: Controller state (small JSON values under a key: the site clock, the dispatcher's memory)
    func controllerValue(_ key: String) throws -> Data?
    func setControllerValue(_ key: String, _ value: Data) throws

    // MARK: Prices
    func recordPrice(_ price: PriceRecord) throws
    func prices(from: Date, to: Date) throws -> [PriceRecord]

    // MARK: Plans and the ledger
    /// Writes the plan of the interval starting at `plan.intervalStart` (replacing an earlier one
    /// of the same interval: a plan may be remade on an event or an operator action).
    func recordPlan(_ plan: PlanRecord) throws
    func latestPlan() throws -> PlanRecord?
    func plans(from: Date, to: Date, limit: Int) throws -> [PlanRecord]
    /// Settles one interval: writes its ledger line and the controller state in one transaction.
    /// Throws `StoreError.intervalAlreadySettled` when the interval has a ledger line already.
    func settle(_ entry: LedgerEntry, controllerState: [String: Data]) throws
    func ledger(from: Date, to: Date) throws -> [LedgerEntry]
    /// Start of the newest settled interval.
    func lastSettledInterval() throws -> Date?

    // MARK: Commands
    /// Journals commands before they are sent. A key already journalled is not journalled again;
    /// the returned records are only those that are new (the ones to send).
    func journal(_ commands: [CommandRecord]) throws -> [CommandRecord]
    /// Records how a journalled command ended.
    func finish(key: String, state: CommandRecord.State, attempts: Int, error: String?, at: Date) throws
    func finish(_ ends: [CommandEnd]) throws
    /// Commands journalled but never finished (the process stopped between send and reply).
    func unfinishedCommands() throws -> [CommandRecord]
    func commands(from: Date, to: Date, address: String?, limit: Int) throws -> [CommandRecord]

    // MARK: Telemetry
    func recordTelemetry(_ samples: [TelemetrySample]) throws
    /// Raw samples of one miner, newest last.
    func telemetry(address: String, from: Date, to: Date) throws -> [TelemetrySample]
    /// Folds raw samples older than `rawWindow` into buckets of `bucket` and deletes them;
    /// deletes buckets older than `keep`. Returns how many raw rows were folded.
    @discardableResult
    func downsample(now: Date, rawWindow: TimeInterval, bucket: TimeInterval, keep: TimeInterval) throws -> Int
    func telemetryBuckets(address: String, from: Date, to: Date) throws -> [TelemetryBucket]

    // MARK: GPU power (the AI side)
    func recordGPUPower(_ rows: [GPUPowerRecord]) throws
    /// Rows in [from, to), oldest first; the newest `limit` when more match.
    func gpuPower(from: Date, to: Date, limit: Int) throws -> [GPUPowerRecord]

    // MARK: Grid events
    func recordGridEvent(_ event: GridEventRecord) throws
    func gridEvents(from: Date, to: Date) throws -> [GridEventRecord]

    // MARK: Operator overrides (curtail or resume a group, cap the site for a window, pause a policy)
    func addOverride(_ override: OverrideRecord) throws -> OverrideRecord
    func cancelOverride(id: Int64, at: Date) throws -> OverrideRecord?
    /// Overrides not cancelled whose window contains `at`.
    func activeOverrides(at: Date) throws -> [OverrideRecord]
    func overrides(limit: Int) throws -> [OverrideRecord]

    // MARK: Access tokens (stored as SHA-256 of the secret, never the secret)
    func addToken(_ token: TokenRecord) throws
    func token(hash: String) throws -> TokenRecord?
    func tokens() throws -> [TokenRecord]

    // MARK: Audit
    func audit(_ entry: AuditRecord) throws
    func auditLog(limit: Int) throws -> [AuditRecord]
}

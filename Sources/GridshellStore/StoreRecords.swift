import Foundation
import GridshellCore

/// One saved version of the site file.
public struct SiteConfigurationVersion: Sendable, Codable, Equatable {
    public var version: Int64
    public var savedAt: Date
    public var author: String
    public var sha256: String
    public var yaml: String

    public init(version: Int64, savedAt: Date, author: String, sha256: String, yaml: String) {
        self.version = version
        self.savedAt = savedAt
        self.author = author
        self.sha256 = sha256
        self.yaml = yaml
    }
}

/// The energy price of one interval as the site saw it.
public struct PriceRecord: Sendable, Codable, Equatable {
    public var intervalStart: Date
    public var priceUSDPerMWh: Double
    /// Where it came from: `ercot-replay:HB_WEST`, `ercot-live`, …
    public var source: String

    public init(intervalStart: Date, priceUSDPerMWh: Double, source: String) {
        self.intervalStart = intervalStart
        self.priceUSDPerMWh = priceUSDPerMWh
        self.source = source
    }
}

/// A dispatch plan as made for one interval; the plan itself is kept as its JSON.
public struct PlanRecord: Sendable, Codable, Equatable {
    public var intervalStart: Date
    public var decidedAt: Date
    public var policy: String
    /// Why it was made: `interval`, `event`, `operator`.
    public var trigger: String
    public var siteMW: Double
    public var json: Data

    public init(intervalStart: Date, decidedAt: Date, policy: String, trigger: String, siteMW: Double, json: Data) {
        self.intervalStart = intervalStart
        self.decidedAt = decidedAt
        self.policy = policy
        self.trigger = trigger
        self.siteMW = siteMW
        self.json = json
    }
}

/// A command to one miner, journalled before it is sent.
public struct CommandRecord: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Journalled; maybe sent, no answer recorded yet.
        case pending
        /// The miner accepted it.
        case acknowledged
        /// The miner's telemetry shows it.
        case confirmed
        case failed
        /// Found unfinished after a restart and settled by reading the miner, not by sending again.
        case reconciled
    }

    /// `interval-start-epoch|address|command`: the same command for the same interval is one record.
    public var key: String
    public var intervalStart: Date
    public var address: String
    public var command: MinerCommand
    public var state: State
    public var attempts: Int
    public var createdAt: Date
    public var finishedAt: Date?
    public var error: String?

    public init(
        key: String, intervalStart: Date, address: String, command: MinerCommand, state: State = .pending, attempts: Int = 0,
        createdAt: Date, finishedAt: Date? = nil, error: String? = nil
    ) {
        self.key = key
        self.intervalStart = intervalStart
        self.address = address
        self.command = command
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.error = error
    }

    public static func key(intervalStart: Date, address: String, command: MinerCommand) -> String {
        "\(Int64(intervalStart.timeIntervalSince1970))|\(address)|\(command)"
    }
}

/// One miner as one poll saw it.
public struct TelemetrySample: Sendable, Codable, Equatable {
    public var address: String
    public var at: Date
    public var reachable: Bool
    public var mode: MinerMode
    public var powerW: Double?
    public var hashrateTHs: Double?
    public var maxChipTemperatureC: Double?
    public var error: String?

    public init(
        address: String, at: Date, reachable: Bool, mode: MinerMode, powerW: Double? = nil, hashrateTHs: Double? = nil,
        maxChipTemperatureC: Double? = nil, error: String? = nil
    ) {
        self.address = address
        self.at = at
        self.reachable = reachable
        self.mode = mode
        self.powerW = powerW
        self.hashrateTHs = hashrateTHs
        self.maxChipTemperatureC = maxChipTemperatureC
        self.error = error
    }
}

/// Raw samples of one miner folded into one time bucket.
public struct TelemetryBucket: Sendable, Codable, Equatable {
    public var address: String
    public var bucketStart: Date
    public var samples: Int
    /// Share of samples that reached the miner, 0…1.
    public var reachableShare: Double
    public var meanPowerW: Double?
    public var meanHashrateTHs: Double?
    public var maxChipTemperatureC: Double?
    /// Mode of the newest sample in the bucket.
    public var lastMode: MinerMode

    public init(
        address: String, bucketStart: Date, samples: Int, reachableShare: Double, meanPowerW: Double?, meanHashrateTHs: Double?,
        maxChipTemperatureC: Double?, lastMode: MinerMode
    ) {
        self.address = address
        self.bucketStart = bucketStart
        self.samples = samples
        self.reachableShare = reachableShare
        self.meanPowerW = meanPowerW
        self.meanHashrateTHs = meanHashrateTHs
        self.maxChipTemperatureC = maxChipTemperatureC
        self.lastMode = lastMode
    }
}

/// A grid event: a demand-response event, an award deployment, a 4CP alert.
public struct GridEventRecord: Sendable, Codable, Equatable {
    public var id: String
    /// `demand-response`, `ancillary-deployment`, `4cp-alert`, `price-spike`.
    public var kind: String
    public var start: Date
    public var end: Date
    public var targetMW: Double?
    public var source: String
    public var receivedAt: Date
    public var detail: String

    public init(id: String, kind: String, start: Date, end: Date, targetMW: Double?, source: String, receivedAt: Date, detail: String) {
        self.id = id
        self.kind = kind
        self.start = start
        self.end = end
        self.targetMW = targetMW
        self.source = source
        self.receivedAt = receivedAt
        self.detail = detail
    }
}

/// An operator's action that bends the plan for a while.
public struct OverrideRecord: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Put a miner group to sleep.
        case curtailGroup = "curtail-group"
        /// Let a curtailed group run again (cancels curtailment overrides of it).
        case resumeGroup = "resume-group"
        /// Hold the site under `valueMW`.
        case capSite = "cap-site"
        /// Stop deciding: hold the last plan.
        case pausePolicy = "pause-policy"
    }

    /// Assigned by the store.
    public var id: Int64?
    public var kind: Kind
    public var group: String?
    public var valueMW: Double?
    public var start: Date
    public var end: Date
    public var createdBy: String
    public var reason: String
    public var createdAt: Date
    public var cancelledAt: Date?

    public init(
        id: Int64? = nil, kind: Kind, group: String? = nil, valueMW: Double? = nil, start: Date, end: Date, createdBy: String, reason: String,
        createdAt: Date, cancelledAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.group = group
        self.valueMW = valueMW
        self.start = start
        self.end = end
        self.createdBy = createdBy
        self.reason = reason
        self.createdAt = createdAt
        self.cancelledAt = cancelledAt
    }
}

/// Who may do what through the API.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, `operator`, admin

    public var rank: Int {
        switch self {
        case .viewer: return 0
        case .operator: return 1
        case .admin: return 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// A bearer token; the secret itself is never stored, only its SHA-256 (hex).
public struct TokenRecord: Sendable, Codable, Equatable {
    public var name: String
    public var role: Role
    public var sha256: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(name: String, role: Role, sha256: String, createdAt: Date, revokedAt: Date? = nil) {
        self.name = name
        self.role = role
        self.sha256 = sha256
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// Who changed what, when and why.
public struct AuditRecord: Sendable, Codable, Equatable {
    public var id: Int64?
    public var at: Date
    /// Token name, or `gridshell` for the controller itself.
    public var actor: String
    public var role: String
    public var action: String
    public var target: String
    public var reason: String
    /// The request body or the change, as JSON text.
    public var detail: String

    public init(id: Int64? = nil, at: Date, actor: String, role: String, action: String, target: String, reason: String, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.role = role
        self.action = action
        self.target = target
        self.reason = reason
        self.detail = detail
    }
}

/// What a user of the store can meet.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case intervalAlreadySettled(Date)
    case cannotOpen(path: String, reason: String)
    case corrupt(table: String, reason: String)

    public var description: String {
        switch self {
        case .intervalAlreadySettled(let d):
            return "the ledger already has the interval starting \(ISO8601DateFormatter().string(from: d)); it is not counted twice"
        case .cannotOpen(let path, let reason): return "cannot open the store at \(path): \(reason)"
        case .corrupt(let table, let reason): return "the store's \(table) table holds a row Gridshell cannot read: \(reason)"
        }
    }
}

/// How one journalled command ended.
public struct CommandEnd: Sendable, Equatable {
    public var key: String
    public var state: CommandRecord.State
    public var attempts: Int
    public var error: String?
    public var at: Date

    public init(key: String, state: CommandRecord.State, attempts: Int, error: String?, at: Date) {
        self.key = key
        self.state = state
        self.attempts = attempts
        self.error = error
        self.at = at
    }
}

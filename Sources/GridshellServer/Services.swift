import Foundation
import GridshellCore
import GridshellMiners
import GridshellStore
import Logging
import ServiceLifecycle

/// Sleeps `seconds`, returning early (false) when the service group shuts down.
func pause(_ seconds: Double) async -> Bool {
    do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
        return true
    } catch {
        return false
    }
}

/// The dispatch loop: settles and decides on interval boundaries, checked every `tickSeconds`
/// of wall time. A tick under way is finished before shutdown, so commands it sent are recorded.
public struct ControlLoopService: Service {
    public let controller: SiteController
    public let tickSeconds: Double

    public init(controller: SiteController, tickSeconds: Double) {
        self.controller = controller
        self.tickSeconds = tickSeconds
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await controller.tick()
            if !(await pause(tickSeconds)) { break }
        }
    }
}

/// The telemetry poller: one sweep of the fleet every `intervalSeconds`, recorded in the store
/// and handed to the controller.
public struct TelemetryService: Service {
    public let controller: SiteController
    public let poller: FleetPoller
    public let store: any SiteStore
    public let metrics: SiteMetrics
    public let intervalSeconds: Double
    let logger: Logger

    public init(controller: SiteController, poller: FleetPoller, store: any SiteStore, metrics: SiteMetrics, intervalSeconds: Double, logger: Logger) {
        self.controller = controller
        self.poller = poller
        self.store = store
        self.metrics = metrics
        self.intervalSeconds = intervalSeconds
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let began = Date()
            let states = await poller.poll()
            let seconds = Date().timeIntervalSince(began)
            metrics.polled(seconds: seconds, reachable: states.filter(\.reachable).count)
            await controller.ingest(states, began: began)
            if !(await pause(max(0.05, intervalSeconds - seconds))) { break }
        }
    }
}

/// Keeps the store to its retention: raw telemetry folded into buckets, old buckets dropped.
public struct RetentionService: Service {
    public let store: any SiteStore
    public let rawWindowSeconds: Double
    public let bucketSeconds: Double
    public let keepSeconds: Double
    public let everySeconds: Double
    let logger: Logger

    public init(store: any SiteStore, rawWindowSeconds: Double, bucketSeconds: Double, keepSeconds: Double, everySeconds: Double, logger: Logger) {
        self.store = store
        self.rawWindowSeconds = rawWindowSeconds
        self.bucketSeconds = bucketSeconds
        self.keepSeconds = keepSeconds
        self.everySeconds = everySeconds
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let folded = try store.downsample(now: Date(), rawWindow: rawWindowSeconds, bucket: bucketSeconds, keep: keepSeconds)
                if folded > 0 { logger.debug("telemetry downsampled", metadata: ["gridshell.rows": "\(folded)"]) }
            } catch {
                logger.error("could not downsample telemetry", metadata: ["gridshell.error": "\(error)"])
            }
            if !(await pause(everySeconds)) { break }
        }
    }
}

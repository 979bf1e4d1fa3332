import Foundation
import GridshellCore
import GridshellDispatch
import GridshellMiners
import GridshellSimulator
import GridshellStore
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// How `gridshell serve` runs.
public struct ServeOptions: Sendable {
    public var sitePath: String
    public var databasePath: String
    public var host = "127.0.0.1"
    public var port = 8080
    public var pricesPath: String
    public var dayAheadPath: String?
    public var bitcoinPath: String
    public var policy: Policy = .gridshell(GridshellSettings())
    /// Replay window of the price series (UTC); the run starts at `from`.
    public var from: Date?
    public var to: Date?
    /// Site seconds per wall second.
    public var speed: Double = 1
    public var tickSeconds: Double = 0.25
    public var pollSeconds: Double = 5
    public var rpcPort = 4028
    public var webPort = 80
    public var webUser = "root"
    public var webPassword = "root"
    public var minerTimeoutSeconds: Double = 2
    /// Miners read at once in a sweep: enough to finish a sweep in a second or two, few enough
    /// that the API keeps answering while it runs.
    public var pollConcurrency = 128
    /// Run a simulated miner at every address of the site's groups (the demo, the tests).
    public var simulateFleet = false
    public var rawTelemetryHours: Double = 24
    public var bucketSeconds: Double = 300
    public var keepDays: Double = 90
    /// Written with `{"url": …}` once the HTTP server listens.
    public var readyFile: String?
    /// Wall seconds over which rises in power are spread.
    public var rampUpWallSeconds: Double = 2

    public init(sitePath: String, databasePath: String, pricesPath: String, bitcoinPath: String) {
        self.sitePath = sitePath
        self.databasePath = databasePath
        self.pricesPath = pricesPath
        self.bitcoinPath = bitcoinPath
    }
}

/// `gridshell serve`: the store, the fleet (simulated or real), the control loop, the poller,
/// retention and the HTTP server, as one `ServiceGroup` that shuts down on SIGTERM or SIGINT.
public enum SiteServer {
    public static func run(_ options: ServeOptions, logger: Logger = Logger(label: "gridshell.serve"), onListening: (@Sendable (String) -> Void)? = nil) async throws {
        let store: SQLiteStore
        do { store = try SQLiteStore(path: options.databasePath) } catch { throw ServeError.store("\(error)") }
        let live = try LiveSite.load(
            sitePath: options.sitePath, pricesPath: options.pricesPath, dayAheadPath: options.dayAheadPath, bitcoinPath: options.bitcoinPath,
            policy: options.policy, from: options.from, to: options.to)
        let binding = try FleetBinding(site: live.site)
        guard !binding.addresses.isEmpty else {
            throw ServeError.input("the site file lists no miner addresses: give each miner group 'addresses' (e.g. [10.20.0.0/22])")
        }

        var simulated: SimulatedFleet?
        if options.simulateFleet {
            var specs: [SimulatedMinerSpec] = []
            for group in binding.groups {
                guard group.firmware != .braiins else {
                    throw ServeError.fleet("miner group '\(group.name)': the simulator speaks stock and LuxOS firmware, not Braiins OS")
                }
                for (i, address) in group.addresses.enumerated() {
                    let octets = address.split(separator: ".").compactMap { UInt8($0) }
                    let mac = (["02", "47"] + octets.map { String(format: "%02X", $0) }).joined(separator: ":")
                    specs.append(SimulatedMinerSpec(address: address, model: group.model, firmware: group.firmware, serial: "GS\(group.name.prefix(4).uppercased())\(i)", mac: mac))
                }
            }
            do {
                simulated = try await SimulatedFleet.start(
                    specs: specs, clock: SimulatorClock(scale: options.speed), rpcPort: options.rpcPort, webPort: options.webPort, threads: 1)
            } catch { throw ServeError.fleet("cannot start the simulated fleet: \(error)") }
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let limits = TransportLimits(connectTimeout: .milliseconds(Int64(options.minerTimeoutSeconds * 500)), replyTimeout: .milliseconds(Int64(options.minerTimeoutSeconds * 1000)))
        let driver = ProtocolDriver(group: group, limits: limits, webUser: options.webUser, webPassword: options.webPassword)
        let poller = FleetPoller(
            driver: driver, settings: FleetSettings(concurrency: options.pollConcurrency),
            endpoints: binding.addresses.map { MinerEndpoint(address: $0, rpcPort: options.rpcPort, webPort: options.webPort) })

        let metrics = SiteMetrics()
        let clock = SiteClock(wallStart: Date(), siteStart: options.from ?? live.prices.start, speed: options.speed)
        let controller = try SiteController(
            live: live, binding: binding, store: store, fleet: poller, clock: clock, metrics: metrics, logger: logger,
            rampUpWallSeconds: options.rampUpWallSeconds)
        let board = controller.board
        let api = SiteAPI(controller: controller, store: store, board: board, metrics: metrics)
        let ready = options.readyFile
        let app = Application(
            router: api.router(), configuration: .init(address: .hostname(options.host, port: options.port), serverName: "gridshell"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let url = "http://\(options.host):\(port)/"
                // Atomic, so a reader never sees half a file.
                if let ready { try? Data("{\"url\": \"\(url)\"}\n".utf8).write(to: URL(fileURLWithPath: ready), options: .atomic) }
                onListening?(url)
            },
            logger: logger)
        let services: [any Service] = [
            TelemetryService(controller: controller, poller: poller, store: store, metrics: metrics, intervalSeconds: options.pollSeconds, logger: logger),
            ControlLoopService(controller: controller, tickSeconds: options.tickSeconds),
            RetentionService(
                store: store, rawWindowSeconds: options.rawTelemetryHours * 3600, bucketSeconds: options.bucketSeconds,
                keepSeconds: options.keepDays * 86_400, everySeconds: 60, logger: logger),
            app,
        ]
        let serviceGroup = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await serviceGroup.run()
        } catch {
            await simulated?.stop()
            try? await group.shutdownGracefully()
            throw error
        }
        await simulated?.stop()
        try? await group.shutdownGracefully()
    }
}

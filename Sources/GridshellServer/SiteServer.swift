import Foundation
import GridshellCompute
import GridshellCore
import GridshellDispatch
import GridshellGrid
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
    /// Live: site time is wall time, prices come only from the site file's price feed.
    public var live = false
    /// A VTN to listen to instead of the site file's `grid_programs.openadr` (the demo's own).
    public var openADR: OpenADRSettings?
    /// The AI side: the Slurm cluster's `slurm.conf` (nil: the scheduler is not driven).
    public var slurmConf: String?
    /// This machine's Slurm node name, whose GPUs a power agent here holds to their caps.
    public var gpuNode: String?
    public var nvidiaSMI = "nvidia-smi"
    /// Seconds between two passes of the GPU power agent (caps revert, so they are re-applied).
    public var gpuAgentSeconds: Double = 5

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
        let live = options.live
            ? try LiveSite.live(sitePath: options.sitePath, policy: options.policy)
            : try LiveSite.load(
                sitePath: options.sitePath, pricesPath: options.pricesPath, dayAheadPath: options.dayAheadPath, bitcoinPath: options.bitcoinPath,
                policy: options.policy, from: options.from, to: options.to)
        let feeds = try Feeds.make(live: live, options: options)
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
            await simulated?.lowerPriority(niceness: 10)
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let limits = TransportLimits(connectTimeout: .milliseconds(Int64(options.minerTimeoutSeconds * 500)), replyTimeout: .milliseconds(Int64(options.minerTimeoutSeconds * 1000)))
        // The controller holds its LuxOS sessions open, so a curtailment is one request per miner.
        let driver = ProtocolDriver(group: group, limits: limits, webUser: options.webUser, webPassword: options.webPassword, holdsLuxOSSessions: true)
        let poller = FleetPoller(
            driver: driver, settings: FleetSettings(concurrency: options.pollConcurrency),
            endpoints: binding.addresses.map { MinerEndpoint(address: $0, rpcPort: options.rpcPort, webPort: options.webPort) })

        let metrics = SiteMetrics()
        let now = Date()
        let clock = SiteClock(wallStart: now, siteStart: options.live ? now : (options.from ?? live.prices.start), speed: options.live ? 1 : options.speed)
        let controller = try SiteController(
            live: live, binding: binding, store: store, fleet: poller, clock: clock, metrics: metrics, logger: logger,
            rampUpWallSeconds: options.rampUpWallSeconds, feeds: (feeds.prices.name, feeds.bitcoin.name), peakRiskFeed: feeds.peakRisk?.name)
        let board = controller.board
        var ven: OpenADRVEN?
        if let adr = options.openADR ?? live.site.gridPrograms.openADR {
            let tls = adr.certificatePath != nil || adr.caPath != nil
                ? OpenADRTLS(certificateChainPath: adr.certificatePath, privateKeyPath: adr.keyPath, trustRootsPath: adr.caPath) : nil
            let configuration = OpenADRVENConfiguration(vtnURL: adr.vtnURL, venName: adr.venName, tls: tls, defaultPollInterval: adr.pollSeconds)
            do {
                ven = try OpenADRVEN(configuration: configuration, delegate: SiteVENDelegate(controller: controller, settings: adr, logger: logger), logger: logger)
            } catch { throw ServeError.input("grid_programs.openadr: \(error)") }
        }
        var computeServices: [any Service] = []
        var actuator: ComputeActuator?
        if let conf = options.slurmConf {
            guard FileManager.default.isReadableFile(atPath: conf) else { throw ServeError.input("--slurm-conf: cannot read \(conf)") }
            let slurm = SlurmCLI(slurmConf: conf, tagger: JobTagger(siteJobs: live.site.gpuClusters.flatMap(\.jobs)), logger: logger)
            var agents: [GPUPowerAgent] = []
            if let node = options.gpuNode {
                let agent = GPUPowerAgent(node: node, gpus: NvidiaSMI(executable: options.nvidiaSMI), cluster: slurm, intervalSeconds: options.gpuAgentSeconds, logger: logger)
                agents.append(agent)
                computeServices.append(agent)
            }
            let a = ComputeActuator(cluster: slurm, agents: agents, site: live.dispatchSite, logger: logger)
            computeServices.append(ComputeService(controller: controller, actuator: a, store: store))
            actuator = a
        }
        let api = SiteAPI(controller: controller, store: store, board: board, metrics: metrics, feeds: feeds, ven: ven, compute: actuator)
        // A replay polls its feeds several times an interval; a live site at the site file's rate.
        let intervalWall = clock.wallSeconds(siteSeconds: live.intervalSeconds)
        let priceEvery = options.live ? live.site.feeds.prices.everySeconds : min(live.site.feeds.prices.everySeconds, max(0.1, intervalWall / 4))
        let bitcoinEvery = options.live ? live.site.feeds.bitcoin.everySeconds : min(live.site.feeds.bitcoin.everySeconds, max(0.1, intervalWall))
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
        var services: [any Service] = [
            FeedService.prices(controller: controller, feed: feeds.prices, everySeconds: priceEvery),
            FeedService.bitcoin(controller: controller, feed: feeds.bitcoin, everySeconds: bitcoinEvery),
            TelemetryService(controller: controller, poller: poller, store: store, metrics: metrics, intervalSeconds: options.pollSeconds, logger: logger),
            ControlLoopService(controller: controller, tickSeconds: options.tickSeconds),
            RetentionService(
                store: store, rawWindowSeconds: options.rawTelemetryHours * 3600, bucketSeconds: options.bucketSeconds,
                keepSeconds: options.keepDays * 86_400, everySeconds: 60, logger: logger),
            app,
        ]
        if let ven { services.insert(GridChannelService(ven: ven), at: 0) }
        services.insert(contentsOf: computeServices, at: 0)
        if let peak = feeds.peakRisk, let settings = live.site.gridPrograms.fourCP {
            let every = options.live ? settings.everySeconds : min(settings.everySeconds, max(0.1, intervalWall / 4))
            services.insert(FeedService.peakRisk(controller: controller, feed: peak, everySeconds: every), at: 0)
        }
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

/// The site's feeds, made from its `feeds:` settings and the command line.
public struct Feeds: Sendable {
    public var prices: any PriceFeed
    public var bitcoin: any BitcoinFeed
    /// Set when the source is manual: what an operator's value goes to.
    public var manualPrice: ManualPriceFeed?
    public var manualBitcoin: ManualBitcoinFeed?
    /// The 4CP peak-risk signal, when the site file names a load or probability feed.
    public var peakRisk: (any PeakRiskFeed)?
    public var manualPeakRisk: ManualPeakRiskFeed?

    public init(
        prices: any PriceFeed, bitcoin: any BitcoinFeed, manualPrice: ManualPriceFeed? = nil, manualBitcoin: ManualBitcoinFeed? = nil,
        peakRisk: (any PeakRiskFeed)? = nil, manualPeakRisk: ManualPeakRiskFeed? = nil
    ) {
        self.prices = prices
        self.bitcoin = bitcoin
        self.manualPrice = manualPrice
        self.manualBitcoin = manualBitcoin
        self.peakRisk = peakRisk
        self.manualPeakRisk = manualPeakRisk
    }

    static func make(live: LiveSite, options: ServeOptions) throws -> Feeds {
        let settings = live.site.feeds
        let point = live.site.contract.settlementPoint
        var feeds = Feeds(prices: ManualPriceFeed(usdPerMWh: nil, intervalSeconds: 900), bitcoin: ManualBitcoinFeed(snapshot: .embedded))
        switch settings.prices.source {
        case .ercotFile:
            // The whole file, not the replay's window: the price before the window's first
            // interval is what the first decision sees.
            let path = settings.prices.path ?? options.pricesPath
            guard FileManager.default.isReadableFile(atPath: path) else { throw ServeError.input("feeds.prices.path: cannot read \(path)") }
            let whole: PriceSeries
            do { whole = try ERCOTPriceFile.read(path: path, settlementPoint: point) } catch { throw ServeError.input("feeds.prices: \(error)") }
            feeds.prices = ERCOTFilePriceFeed(path: path, settlementPoint: point, publishDelaySeconds: settings.prices.publishDelayMinutes * 60, series: whole)
        case .http:
            feeds.prices = HTTPPriceFeed(settings: settings.prices, settlementPoint: point)
        case .manual:
            let manual = ManualPriceFeed(usdPerMWh: settings.prices.manualUSDPerMWh, intervalSeconds: live.prices.intervalSeconds)
            feeds.prices = manual
            feeds.manualPrice = manual
        }
        switch settings.bitcoin.source {
        case .history:
            let path = settings.bitcoin.path ?? options.bitcoinPath
            do { feeds.bitcoin = HistoryBitcoinFeed(history: try BitcoinHistory.read(path: path), path: path) } catch {
                throw ServeError.input("feeds.bitcoin: \(error)")
            }
        case .explorer:
            feeds.bitcoin = ExplorerBitcoinFeed(baseURL: settings.bitcoin.url ?? "")
        case .manual:
            let manual = ManualBitcoinFeed(snapshot: live.site.bitcoin.over(.embedded, source: "manual"))
            feeds.bitcoin = manual
            feeds.manualBitcoin = manual
        }
        if let fourCP = live.site.gridPrograms.fourCP, fourCP.signal != .price {
            switch fourCP.source {
            case .http:
                feeds.peakRisk = HTTPPeakRiskFeed(settings: fourCP)
            case .file:
                let path = fourCP.path ?? ""
                guard FileManager.default.isReadableFile(atPath: path) else { throw ServeError.input("grid_programs.four_cp.path: cannot read \(path)") }
                feeds.peakRisk = FilePeakRiskFeed(settings: fourCP, path: path)
            case .manual:
                let manual = ManualPeakRiskFeed()
                feeds.peakRisk = manual
                feeds.manualPeakRisk = manual
            }
        }
        return feeds
    }
}

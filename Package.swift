// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Gridshell",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gridshell", targets: ["gridshell"]),
        .library(name: "GridshellCore", targets: ["GridshellCore"]),
        .library(name: "GridshellDispatch", targets: ["GridshellDispatch"]),
        .library(name: "GridshellPlanner", targets: ["GridshellPlanner"]),
        .library(name: "GridshellCLI", targets: ["GridshellCLI"]),
        .library(name: "GridshellCompute", targets: ["GridshellCompute"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "GridshellCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(name: "GridshellDispatch", dependencies: ["GridshellCore"]),
        // The AI side: Slurm through its command-line tools, and the GPU power-cap agent.
        .target(
            name: "GridshellCompute",
            dependencies: [
                "GridshellCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Strategy paths (mine, lease, cloud, hybrid), cash flows, valuation, Monte Carlo.
        .target(name: "GridshellPlanner", dependencies: ["GridshellCore"]),
        // Pure protocol code shared by the clients and the simulator: lenient cgminer JSON,
        // reply parsing into telemetry, identification, HTTP Digest.
        .target(
            name: "GridshellMinerProtocol",
            dependencies: ["GridshellCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "GridshellMiners",
            dependencies: [
                "GridshellCore", "GridshellMinerProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "GridshellSimulator",
            dependencies: [
                "GridshellCore", "GridshellMinerProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The site's record: SQLite through GRDB in WAL mode, with migrations from day one.
        .target(
            name: "GridshellStore",
            dependencies: [
                "GridshellCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What the site hears from outside: the OpenADR 2.0b VEN, the price and Bitcoin feeds.
        .target(
            name: "GridshellGrid",
            dependencies: [
                "GridshellCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `gridshell serve`: the services of the live loop, the HTTP API, metrics, the dashboard.
        .target(
            name: "GridshellServer",
            dependencies: [
                "GridshellCore", "GridshellDispatch", "GridshellPlanner", "GridshellMiners", "GridshellSimulator", "GridshellStore", "GridshellGrid", "GridshellCompute",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "GridshellCLI",
            dependencies: [
                "GridshellCore",
                "GridshellDispatch",
                "GridshellPlanner",
                "GridshellMiners",
                "GridshellSimulator",
                "GridshellStore",
                "GridshellGrid",
                "GridshellServer",
                "GridshellCompute",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "gridshell", dependencies: ["GridshellCLI"]),
        // What several test targets share (child processes, the built binary); not a product.
        .target(name: "GridshellTestSupport", dependencies: ["GridshellCore"], path: "Tests/Support/GridshellTestSupport"),
        .testTarget(
            name: "GridshellCoreTests",
            dependencies: [
                "GridshellCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "GridshellDispatchTests",
            dependencies: [
                "GridshellDispatch",
                "GridshellCore",
                "GridshellTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "GridshellPlannerTests",
            dependencies: ["GridshellPlanner", "GridshellCore"]
        ),
        .testTarget(
            name: "GridshellMinerProtocolTests",
            dependencies: [
                "GridshellMinerProtocol",
                "GridshellCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "GridshellMinersTests",
            dependencies: ["GridshellMiners", "GridshellSimulator", "GridshellMinerProtocol", "GridshellCore"]
        ),
        .testTarget(
            name: "GridshellStoreTests",
            dependencies: ["GridshellStore", "GridshellCore"]
        ),
        .testTarget(
            name: "GridshellServerTests",
            dependencies: [
                "GridshellServer", "GridshellStore", "GridshellCore", "GridshellSimulator", "GridshellMiners", "GridshellGrid", "GridshellCompute",
                "GridshellTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "GridshellGridTests",
            dependencies: [
                "GridshellGrid", "GridshellCore", "GridshellTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures/OpenADR"]
        ),
        .testTarget(
            name: "GridshellComputeTests",
            dependencies: [
                "GridshellCompute", "GridshellCore", "GridshellTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GridshellCLITests",
            dependencies: ["GridshellCLI", "GridshellCore", "GridshellPlanner", "GridshellTestSupport"]
        ),
    ]
)

// Settings every target shares, applied once (as swift-log does).
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}

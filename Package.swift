// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "voxworks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "voxworks", targets: ["voxworks"]),
        // benchmarks/run's framework reference; not part of the service.
        .executable(name: "voxworks-http-floor", targets: ["HTTPFloor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Pure domain: no I/O.
        .target(
            name: "VoxworksCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        // In-process machinery that is neither storage nor HTTP: batching
        // queues, the work signal, rate limiting, the service's metrics.
        .target(
            name: "VoxworksRuntime",
            dependencies: [
                "VoxworksCore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VoxworksStore",
            dependencies: [
                "VoxworksCore",
                "VoxworksRuntime",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the engine's hot statements (see `SQLiteValue`).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Webhook ingestion as a use case: the group commit behind every 202.
        .target(
            name: "VoxworksIngest",
            dependencies: ["VoxworksCore", "VoxworksRuntime", "VoxworksStore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VoxworksEngine",
            dependencies: [
                "VoxworksCore",
                "VoxworksRuntime",
                "VoxworksStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                // `NIOConnectionError`: which connection failure an attempt met.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VoxworksServer",
            dependencies: [
                "VoxworksCore",
                "VoxworksRuntime",
                "VoxworksStore",
                "VoxworksIngest",
                "VoxworksEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                // The HTTP/1 child channel, wrapped by `GuardedHTTP1Channel`.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "voxworks",
            dependencies: [
                "VoxworksCore",
                "VoxworksRuntime",
                "VoxworksStore",
                "VoxworksServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: which stores to run against, and how to make one.
        .target(
            name: "VoxworksTestSupport",
            dependencies: [
                "VoxworksCore", "VoxworksRuntime", "VoxworksStore", "VoxworksEngine", .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxworksCoreTests",
            dependencies: ["VoxworksCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxworksEngineTests",
            dependencies: [
                "VoxworksCore", "VoxworksRuntime", "VoxworksStore", "VoxworksEngine", "VoxworksTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxworksRuntimeTests",
            dependencies: ["VoxworksCore", "VoxworksRuntime"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxworksIngestTests",
            dependencies: ["VoxworksCore", "VoxworksRuntime", "VoxworksStore", "VoxworksIngest", "VoxworksTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxworksStoreTests",
            dependencies: [
                "VoxworksCore", "VoxworksRuntime", "VoxworksStore", "VoxworksTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // A static 202 through Hummingbird alone (benchmarks/run's second reference).
        .executableTarget(
            name: "HTTPFloor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "benchmarks/HTTPFloor",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxworksServerTests",
            dependencies: [
                "VoxworksCore",
                "VoxworksRuntime",
                "VoxworksStore",
                "VoxworksIngest",
                "VoxworksServer",
                "VoxworksEngine",
                "VoxworksTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

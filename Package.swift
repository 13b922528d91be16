// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "meterline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meterline", targets: ["meterline"]),
        .library(name: "Web", targets: ["Web"]),
        .library(name: "MeterProtocol", targets: ["MeterProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        // The layers, lowest first. Domain targets (one per SPEC area) hold types, actions and
        // SQL; they never import Hummingbird or Mustache. Web is the only HTTP front door.
        .target(
            name: "Platform",
            dependencies: [
                "CLibPQ", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Notifications",
            dependencies: [
                "Platform",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "Identity",
            dependencies: ["Platform", "Notifications", "CArgon2", .product(name: "NIOPosix", package: "swift-nio")],
            resources: [.copy("Passwords/Resources/common-passwords.txt")]
        ),
        .target(name: "Accounts", dependencies: ["Platform", "Notifications", "Identity"]),
        .target(name: "Metering", dependencies: ["Platform", "Notifications", "Identity", "Accounts", "MeterProtocol"]),
        .target(name: "Billing", dependencies: ["Platform", "Notifications", "Identity", "Accounts", "Metering"]),
        .target(
            name: "Payments",
            dependencies: [
                "Platform", "Notifications", "Identity", "Accounts", "Billing", "Prepaid",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(name: "Prepaid", dependencies: ["Platform", "Identity", "Metering", "MeterProtocol"]),
        .target(name: "Tickets", dependencies: ["Platform", "Notifications", "Identity", "Accounts", "Billing"]),
        .target(
            name: "Web",
            dependencies: [
                "Platform", "Notifications", "Identity", "Accounts", "Metering", "Billing", "Payments", "Prepaid", "Tickets", "MeterProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Shared by the portal, the meter bridge and the meter simulator (BR-1).
        .target(name: "MeterProtocol", dependencies: ["Platform", "CSecp256k1", "COpenSSL"]),
        .executableTarget(
            name: "meterline",
            dependencies: [
                "Web", "Platform", "Identity", "Accounts", "Metering", "Billing", "Payments", "Prepaid", "Tickets", "MeterProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "meter-protocol-bench", dependencies: ["MeterProtocol", "Platform"]),
        .executableTarget(
            name: "device-bench",
            dependencies: [
                "Web", "Metering", "MeterBridge", "MeterProtocol", "MeterSimulator", "Platform",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The device bridge (BR-1, BR-2): meters connect to it; it forwards what they sign to the portal.
        .target(
            name: "MeterBridge",
            dependencies: [
                "MeterProtocol", "Platform",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "meter-bridge",
            dependencies: ["MeterBridge", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Simulated smart meters (BR-4), for the demo, tests and load tests.
        .target(
            name: "MeterSimulator",
            dependencies: [
                "MeterProtocol", "Platform",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "meter-sim",
            dependencies: ["MeterSimulator", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "MeterlineTests",
            dependencies: [
                "Web", "Platform", "Notifications", "Identity", "Accounts", "Metering", "Billing", "Payments", "Prepaid", "Tickets", "MeterProtocol",
                "MeterBridge", "MeterSimulator",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "clubsh",
    // macOS 15: `Mutex` (the Synchronization module) guards the loader's progress count.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "clubsh", targets: ["clubsh"]),
        .library(name: "ClubKit", targets: ["ClubKit"]),
    ],
    targets: [
        // The engine: store, loading, language, evaluation, rendering. No terminal code.
        .target(name: "ClubKit"),
        // The shell: arguments, REPL, libedit (loaded at run time), terminal.
        .executableTarget(name: "clubsh", dependencies: ["ClubKit"]),
        // The deterministic generator behind Samples/data, shared by the generator and the benchmark
        // (it writes Jalali dates with ClubKit's calendar).
        .target(name: "SampleData", dependencies: ["ClubKit"]),
        .executableTarget(name: "clubsh-sample-data", dependencies: ["SampleData", "ClubKit"]),
        .executableTarget(name: "clubsh-bench", dependencies: ["ClubKit", "SampleData"]),
        .testTarget(name: "ClubKitTests", dependencies: ["ClubKit", "SampleData"], exclude: ["Fixtures"]),
        .testTarget(name: "clubshTests", dependencies: ["clubsh"], exclude: ["Fixtures", "Golden"]),
    ]
)

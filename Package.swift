// swift-tools-version:6.0
import PackageDescription

/// Release builds on Linux: the shell is linked with the static Swift runtime, position-dependent
/// (see the target).
let staticRelease = BuildSettingCondition.when(platforms: [.linux], configuration: .release)

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
        // On Linux its release build links the Swift standard library and Foundation statically
        // (`-static-stdlib`, to the compiler as well as the linker, so that the shell's objects
        // name the archives Foundation needs: CoreFoundation, ICU) into a position-dependent
        // executable (`-no-pie`: nothing to relocate at start). Each run then starts without
        // the dynamic loader mapping and relocating the Swift libraries: 6–7 ms of CPU less
        // (docs/architecture.md, "The release binary"). Debug builds, and so `swift test`, stay
        // as they were.
        .executableTarget(
            name: "clubsh", dependencies: ["ClubKit"],
            swiftSettings: [.unsafeFlags(["-static-stdlib"], staticRelease)],
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie"], staticRelease)]),
        // The deterministic generator behind Samples/data, shared by the generator and the benchmark
        // (it writes Jalali dates with ClubKit's calendar).
        .target(name: "SampleData", dependencies: ["ClubKit"]),
        .executableTarget(name: "clubsh-sample-data", dependencies: ["SampleData", "ClubKit"]),
        .executableTarget(name: "clubsh-bench", dependencies: ["ClubKit", "SampleData"]),
        .testTarget(name: "ClubKitTests", dependencies: ["ClubKit", "SampleData"], exclude: ["Fixtures"]),
        .testTarget(name: "clubshTests", dependencies: ["clubsh"], exclude: ["Fixtures", "Golden"]),
    ]
)

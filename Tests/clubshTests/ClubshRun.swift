import Foundation

/// What one run of the built `clubsh` binary printed and returned.
///
/// Every run happens in a temporary folder of its own, with HOME pointed at another: nothing a
/// test runs can read or write the repository's working files or the user's. The folder holds
/// copies of this folder's `Fixtures/` and of `Samples/` (data, lessons, tour), so the relative
/// paths the tests use (`Fixtures/orders.csv`, `Samples/data/orders.csv`) read the same bytes as
/// in the repository.
struct ClubshRun {
    var stdout: String
    var stderr: String
    var status: Int32
    /// `.uncaughtSignal` when clubsh crashed (`status` is then the signal).
    var reason: Process.TerminationReason = .exit

    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        var candidates = [Bundle.main.bundleURL.appendingPathComponent("clubsh")]
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("clubsh"))
        }
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/clubsh"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// A fresh temporary folder with copies of `Fixtures/` and `Samples/`, for a test that runs
    /// clubsh several times in one place or looks at the files it wrote. It is removed when the
    /// test process ends.
    static func workspace() throws -> URL {
        let folder = try temporaryFolder("work")
        let fm = FileManager.default
        try fm.copyItem(at: testsDirectory.appendingPathComponent("Fixtures"), to: folder.appendingPathComponent("Fixtures"))
        let samples = folder.appendingPathComponent("Samples")
        try fm.createDirectory(at: samples, withIntermediateDirectories: true)
        for item in ["data", "lessons", "tour.club"] {
            try fm.copyItem(at: repositoryRoot.appendingPathComponent("Samples/\(item)"), to: samples.appendingPathComponent(item))
        }
        return folder
    }

    /// A fresh, empty temporary folder, removed when the test process ends.
    static func temporaryFolder(_ name: String = "tmp") throws -> URL {
        let folder = root.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// One parent for every folder the tests make, removed at exit.
    private static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-tests-\(getpid())-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ClubshRun.root) }
        return url
    }()

    /// Runs clubsh with `arguments` and `stdin`. The working directory is `directory` when it is
    /// a folder outside the repository (one from `workspace()` or `temporaryFolder()`), else a
    /// fresh `workspace()`; HOME is always a fresh empty folder. With `mergingStandardError`,
    /// stderr goes into the same pipe as stdout, so `stdout` holds both in the order a terminal
    /// shows them (clubsh flushes stdout before each write to stderr) and `stderr` is empty.
    static func run(_ arguments: [String], stdin: String = "", directory: URL? = nil, environment: [String: String] = [:],
                    mergingStandardError: Bool = false) throws -> ClubshRun {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = arguments
        if let directory, !isInsideRepository(directory) {
            p.currentDirectoryURL = directory
        } else {
            p.currentDirectoryURL = try workspace()
        }
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = try temporaryFolder("home").path
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let input = Pipe(), output = Pipe(), error = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = mergingStandardError ? output : error
        try p.run()
        input.fileHandleForWriting.write(stdin.data(using: .utf8)!)
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        if mergingStandardError { try error.fileHandleForWriting.close() }
        let err = error.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ClubshRun(stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                         status: p.terminationStatus, reason: p.terminationReason)
    }

    /// Tests never run clubsh in the repository: a write there would change the user's files.
    private static func isInsideRepository(_ url: URL) -> Bool {
        let folder = url.standardizedFileURL.resolvingSymlinksInPath().path
        let repository = repositoryRoot.standardizedFileURL.resolvingSymlinksInPath().path
        return folder == repository || folder.hasPrefix(repository + "/")
    }
}

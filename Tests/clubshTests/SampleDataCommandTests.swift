import Foundation
import XCTest

/// `clubsh-sample-data` refuses a command line it cannot honour, in one line, and writes nothing.
final class SampleDataCommandTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = ClubshRun.binary.deletingLastPathComponent().appendingPathComponent("clubsh-sample-data")
        guard FileManager.default.isExecutableFile(atPath: p.executableURL!.path) else { throw XCTSkip("clubsh-sample-data is not built; `swift build` builds it") }
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testBadArgumentsAreRefused() throws {
        let out = try ClubshRun.temporaryFolder().appendingPathComponent("club").path
        let cases: [([String], String)] = [
            (["--customers", "0"], "clubsh-sample-data: --customers takes a whole number from 1 to 10,000,000, not 0\n"),
            (["--customers", "abc"], "clubsh-sample-data: --customers takes a whole number from 1 to 10,000,000, not abc\n"),
            (["--customers", "99999999999"], "clubsh-sample-data: --customers takes a whole number from 1 to 10,000,000, not 99999999999\n"),
            (["--customers", "5", "--orders", "10"], "clubsh-sample-data: --customers and --orders are alternatives: --orders makes its own customers\n"),
            (["--locale", "de"], "clubsh-sample-data: --locale takes en or fa, not de\n"),
        ]
        for (arguments, message) in cases {
            let r = try run(arguments + ["--out", out])
            XCTAssertEqual(r.status, 2, "\(arguments)")
            XCTAssertEqual(r.stderr, message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}

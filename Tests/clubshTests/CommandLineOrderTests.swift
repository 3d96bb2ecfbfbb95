import Foundation
import XCTest

/// Script files and `-c` statements run in the order they are given on the command line, so a
/// setup script can come before the statement that uses it.
final class CommandLineOrderTests: XCTestCase {
    private func script(_ text: String) throws -> (folder: URL, path: String) {
        let folder = try ClubshRun.workspace()
        let path = folder.appendingPathComponent("setup.club").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (folder, path)
    }

    func testAFileBeforeACommandRunsFirst() throws {
        let (folder, path) = try script("let z = 41\n")
        let r = try ClubshRun.run([path, "-c", "z + 1"], directory: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        // 41 + 1, by hand.
        XCTAssertEqual(r.stdout, "value\n42\n")
    }

    func testCommandsAndFilesInterleave() throws {
        // z = 1, then the file makes it 1 + 40 = 41, then 41 + 1 = 42. Commands first would
        // print 1 + 1 = 2 and leave z at 41 unused.
        let (folder, path) = try script("let z = z + 40\n")
        let r = try ClubshRun.run(["-c", "let z = 1", path, "-c", "z + 1"], directory: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "value\n42\n")
    }

    func testAnErrorStopsTheRestInOrderAndNamesItsCommand() throws {
        // The file fails, so the command after it never runs; the one before it did.
        let (folder, path) = try script("let y = nope\n")
        let r = try ClubshRun.run(["-c", "1 + 1", path, "-c", "2 + 2"], directory: folder)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "value\n2\n")
        XCTAssertTrue(r.stderr.hasPrefix("\(path):1:9: "), r.stderr)
        // `-c` statements are numbered among themselves: the second is `-c#2` with a file before it.
        let (other, ok) = try script("let w = 2\n")
        let numbered = try ClubshRun.run(["--keep-going", "-c", "1", ok, "-c", "nope"], directory: other)
        XCTAssertEqual(numbered.status, 1)
        XCTAssertEqual(numbered.stderr, "w = 2\n-c#2:1:1: unknown name `nope`\n")
    }
}

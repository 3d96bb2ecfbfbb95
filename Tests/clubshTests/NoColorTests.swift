import Foundation
import XCTest

/// NO_COLOR (https://no-color.org) set to anything turns colours off for good: the README says
/// never, so neither `--color` nor `.color on` brings them back. Empty counts as unset.
final class NoColorTests: XCTestCase {
    private let statements = ["-c", "load \"Fixtures/orders.csv\"", "-c", "orders | count"]

    func testColorFlagDoesNotOverrideNoColor() throws {
        let r = try ClubshRun.run(["--mode", "table", "--color"] + statements, environment: ["NO_COLOR": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("\u{1B}["), r.stdout)
        XCTAssertFalse(r.stderr.contains("\u{1B}["), r.stderr)
    }

    func testColorOnSaysWhyColoursStayOff() throws {
        let r = try ClubshRun.run(["--mode", "table", "-c", ".color on"] + statements, environment: ["NO_COLOR": "yes"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("\u{1B}["), r.stdout)
        XCTAssertEqual(r.stderr, "NO_COLOR is set, so colours stay off\nloaded orders: 5 rows × 5 columns from Fixtures/orders.csv\n")
    }

    func testColorOnWithoutNoColor() throws {
        let r = try ClubshRun.run(["--mode", "table", "-c", ".color on"] + statements, environment: ["NO_COLOR": ""])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\u{1B}[1mcount"), r.stdout)
    }
}

import Foundation
import XCTest

/// `--mode table` off a terminal is for reading whole results (a pager, a file): every row and
/// every column, unless `.maxrows` or `.maxwidth` say otherwise.
final class TableModeInAPipeTests: XCTestCase {
    /// The order ids of the data rows of a box.
    private func ids(_ box: String) -> [String] {
        box.split(separator: "\n").dropFirst(4).filter { $0.hasPrefix("│") }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) }
    }

    func testEveryRowInAPipe() throws {
        let r = try ClubshRun.run(["--mode", "table", "-c", "load \"Samples/data/orders.csv\"", "-c", "orders | take 45 | select order_id"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // The sample orders are numbered from 1 in file order.
        XCTAssertEqual(ids(r.stdout), (1...45).map(String.init), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("45 rows\n"), r.stdout)
    }

    func testMaxrowsLimitsThemAgain() throws {
        let r = try ClubshRun.run(["--mode", "table", "-c", "load \"Samples/data/orders.csv\"", "-c", ".maxrows 6",
                                   "-c", "orders | take 45 | select order_id"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(ids(r.stdout), ["1", "2", "3", "…", "43", "44", "45"], r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("45 rows (6 shown)\n"), r.stdout)
    }

    func testAnOutputFileGetsEveryRow() throws {
        let folder = try ClubshRun.workspace()
        let r = try ClubshRun.run([], stdin: ".mode table\n.output all.txt\nload \"Samples/data/orders.csv\"\norders | take 30 | select order_id\n.output\n",
                                  directory: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOf: folder.appendingPathComponent("all.txt"), encoding: .utf8)
        XCTAssertEqual(ids(text), (1...30).map(String.init), text)
    }
}

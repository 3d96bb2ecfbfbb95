import Foundation
import XCTest

/// Dot commands and flags that change how results are shown. `.mode`, `.echo`, `.help` and
/// `.limit` output is pinned in Golden/dot-commands.club; here what a golden script cannot hold:
/// files written by `.output`, times, flags and colour.
final class DotCommandTests: XCTestCase {
    func testOutputSendsResultsToAFileAndBack() throws {
        let path = try ClubshRun.temporaryFolder("output").appendingPathComponent("o.csv").path
        let r = try ClubshRun.run([], stdin: ".output \(path)\n1 + 1\n.output\n3\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "value\n3\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "value\n2\n")
    }

    func testAFailedOutputKeepsTheCurrentTarget() throws {
        let folder = try ClubshRun.temporaryFolder("output")
        let path = folder.appendingPathComponent("o.csv").path
        // A file where a folder would have to be: nothing can be written below it.
        let notAFolder = folder.appendingPathComponent("file.txt").path
        try "text\n".write(toFile: notAFolder, atomically: true, encoding: .utf8)
        let r = try ClubshRun.run(["--keep-going"], stdin: ".output \(path)\n.output \(notAFolder)/x.csv\n1 + 1\n")
        XCTAssertTrue(r.stderr.contains("<stdin>:2:1: cannot write \(notAFolder)/x.csv: \(notAFolder) is not a folder"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "value\n2\n")
    }

    func testTimerReportsEachStatement() throws {
        let r = try ClubshRun.run([], stdin: ".timer on\n1 + 1\n")
        XCTAssertNotNil(r.stderr.range(of: #"time: \d+\.\d{3} s"#, options: .regularExpression), r.stderr)
        // The time covers running the statement, not only showing its output: reading 16,405
        // orders and grouping them takes more than a millisecond.
        let orders = ClubshRun.repositoryRoot.appendingPathComponent("Samples/data/orders.csv").path
        let load = try ClubshRun.run(["-c", ".timer on", "-c", "load \"\(orders)\"", "-c", "orders | agg n = count() by customer_id, channel | count"])
        let times = load.stderr.split(separator: "\n").filter { $0.hasPrefix("time: ") }
        XCTAssertEqual(times.count, 3, "`.timer on` itself, the load and the query: \(load.stderr)")
        XCTAssertFalse(times.dropFirst().contains("time: 0.000 s"), load.stderr)
    }

    func testAsOfSetsTheDateDaysSinceCountsTo() throws {
        // 2024-03-01 to 2024-03-31 is 30 days.
        let r = try ClubshRun.run(["--as-of", "2024-03-31", "-c", "days_since(2024-03-01)"])
        XCTAssertEqual(r.stdout, "value\n30\n")
        let bad = try ClubshRun.run(["--as-of", "soon"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr, "clubsh: --as-of takes a date like 2024-06-30, not soon\nTry clubsh --help.\n")
    }

    func testTheCommandListInUsage() throws {
        let usage = try ClubshRun.run(["--help"]).stdout
        for name in ["segment", "bgnbd", "chart", "days_since", "percentile", ".save", ".output"] {
            XCTAssertTrue(usage.contains(name), "clubsh --help does not mention \(name)")
        }
    }

    func testColorOnlyWhenAskedOnAPipe() throws {
        let plain = try ClubshRun.run(["--mode", "table", "-c", "1 + 1"])
        XCTAssertFalse(plain.stdout.contains("\u{1B}["))
        let forced = try ClubshRun.run(["--mode", "table", "--color", "-c", "load \"Fixtures/orders.csv\"", "-c", "orders | count"],
                                       environment: ["NO_COLOR": ""])
        XCTAssertTrue(forced.stdout.contains("\u{1B}[1mcount"), forced.stdout)
        let noColor = try ClubshRun.run(["--mode", "table", "-c", ".color off", "-c", "load \"Fixtures/orders.csv\"", "-c", "orders | count"],
                                        environment: ["NO_COLOR": "1"])
        XCTAssertFalse(noColor.stdout.contains("\u{1B}["))
    }
}

import Foundation
import XCTest

/// The inputs that once crashed, hung or printed a wrong number, piped into the built binary:
/// each gives the right answer, or one clear error with its line and column and exit code 1 —
/// never a signal — and without hanging (a run past two minutes is a hang, not a slow machine:
/// these inputs take a few seconds even in a debug build on a busy machine).
final class HostileInputTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "customer_id,date,amount\n1,0001-01-01,5\n2,5000-06-01,6\n3,9999-12-01,7\n"
            .write(to: folder.appendingPathComponent("epoch.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `script` on stdin in the test's folder; checks that it ended (no hang).
    private func run(_ script: String, file: StaticString = #filePath, line: UInt = #line) throws -> ClubshRun {
        let started = Date()
        let r = try ClubshRun.run([], stdin: script, directory: folder)
        XCTAssertLessThan(Date().timeIntervalSince(started), 120, "a hang: \(script.prefix(80))", file: file, line: line)
        return r
    }

    /// A script whose last statement fails: exit 1 and `<stdin>:line:column: message`.
    private func assertError(_ script: String, at place: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(script, file: file, line: line)
        XCTAssertEqual(r.status, 1, "\(script)\n\(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains("<stdin>:\(place): \(message)"), "\(script)\n\(r.stderr)", file: file, line: line)
    }

    /// A script that succeeds with `stdout`.
    private func assertOutput(_ script: String, _ stdout: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(script, file: file, line: line)
        XCTAssertEqual(r.status, 0, "\(script)\n\(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stdout, stdout, script, file: file, line: line)
    }

    func testIntegerEdges() throws {
        try assertOutput("(-9223372036854775807 - 1) % -1\n", "value\n0\n")
        try assertOutput("abs(-9223372036854775807 - 1)\n", "value\n\n")
        try assertOutput("abs(9223372036854775807 + 1)\n", "value\n\n")
        try assertError("1\n12345678901234567890\n", at: "2:1", "`12345678901234567890` does not fit in a 64-bit integer")
    }

    func testDurationsAndDates() throws {
        try assertError("2000000000000000000w\n", at: "1:1", "a duration can be at most 10,000 years")
        try assertError("900000000000000000mo > 5\n", at: "1:1", "a duration can be at most 10,000 years")
        try assertError("2024-01-01T00:00 + 99999999999d\n", at: "1:20", "a duration can be at most 10,000 years")
        try assertOutput("2024-01-01 + 9223372036854775807\n", "value\n\n")
        try assertOutput("2024-01-01 + 3000000000\n", "value\n\n")
        try assertOutput("month_start(2024-01-01 + 9223372036854775807)\n", "value\n\n")
    }

    func testAnalyticsOptionsOutOfRange() throws {
        let use = "load \"epoch.csv\"\nuse epoch\n"
        try assertError(use + "kpi days 99999999999\n", at: "3:10", "`days` takes a whole number from 1 to 36,500")
        try assertError(use + "types with new_days 3000000000\n", at: "3:21", "`new_days` takes a whole number from 1 to 36,500")
        try assertError(use + "types with loyal_orders 1e300\n", at: "3:25", "`loyal_orders` takes a whole number from 1 to 1,000,000,000")
        try assertError(use + "rfm bins 1e300\n", at: "3:10", "`bins` takes a whole number from 2 to 10")
        try assertError(use + "clv model horizon 999999999999mo\n", at: "3:19", "a duration can be at most 10,000 years")
        try assertError(use + "bgnbd horizon 99999999999w\n", at: "3:15", "a duration can be at most 10,000 years")
        try assertError(use + "cohort monthly\n", at: "3:1", "a cohort table of 119,988 months by 119,988 would need about 244.8 GB")
    }

    func testChartsOfExtremeValues() throws {
        try "k,v\na,9.3e18\nb,-1e308\nc,1e308\n".write(to: folder.appendingPathComponent("big.csv"), atomically: true, encoding: .utf8)
        for kind in ["bar", "line", "heatmap", "hist v"] {
            let r = try run("load \"big.csv\"\nbig | derive v = v * 10 | chart \(kind)\n")
            XCTAssertEqual(r.status, 0, kind + r.stderr)
            XCTAssertTrue(r.stdout.contains("(2 infinite values left out)"), kind + r.stdout)
        }
    }

    func testDeepAndLongExpressions() throws {
        try assertError(String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000) + "\n",
                        at: "1:1002", "the expression nests more than 1,000 levels deep")
        try assertError(String(repeating: "not ", count: 20_000) + "true\n", at: "1:4005", "the expression nests more than 1,000 levels deep")
        try assertOutput(Array(repeating: "1", count: 100_000).joined(separator: "+") + "\n", "value\n100000\n")
    }

    func testNoNaNAndValidJSON() throws {
        try assertOutput("exp(1000)\n", "value\ninf\n")
        try assertOutput("round(1.5, 400)\n", "value\n1.5\n")
        let r = try ClubshRun.run(["--mode", "json"], stdin: "pow(10, 400)\npow(10, 400) - pow(10, 400)\n", directory: folder)
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "[\n{\"value\":null}\n]\n[\n{\"value\":null}\n]\n")
        XCTAssertTrue(r.stderr.contains("warning: 1 infinite value written as null (JSON has no infinity)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: 1 row had no defined value (such as inf − inf or 0 × inf) and gave null"), r.stderr)
    }
}

import Foundation
import XCTest

/// `clubsh run`, `run --update`, `check` and `.save` on real files.
final class NotebookEndToEndTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = try ClubshRun.temporaryFolder("nb")
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testUpdateThenCheckThenCatchAChange() throws {
        let path = try write("lesson.md", "# Retention\n\nThe textbook rate:\n\n```clubsh\nretention start 100 remaining 90\n```\n\nThat is all.\n")
        let update = try ClubshRun.run(["run", "--update", path])
        XCTAssertEqual(update.status, 0, update.stderr)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(written.hasPrefix("# Retention\n\nThe textbook rate:\n\n```clubsh\nretention start 100 remaining 90\n```\n\n```output\nretention = (remaining / start) × 100 = (90 / 100) × 100 = 90.0%\n"), written)
        XCTAssertTrue(written.hasSuffix("```\n\nThat is all.\n"), written)
        XCTAssertEqual(try ClubshRun.run(["check", path]).status, 0)

        try written.replacingOccurrences(of: "remaining 90", with: "remaining 80").write(toFile: path, atomically: true, encoding: .utf8)
        let check = try ClubshRun.run(["check", path])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stdout.contains("-retention = (remaining / start) × 100 = (90 / 100) × 100 = 90.0%\n"), check.stdout)
        XCTAssertTrue(check.stdout.contains("+retention = (remaining / start) × 100 = (80 / 100) × 100 = 80.0%\n"), check.stdout)
        // One hunk over the whole output: the working (lines 1 and 2) and the row (line 7) changed,
        // the 9 lines of the output (2 of working, 6 of box, the count) within 3 lines of a change.
        XCTAssertTrue(check.stdout.contains("--- \(path) (stored)\n+++ fresh\n@@ -1,9 +1,9 @@\n-retention"), check.stdout)
    }

    func testAFailedRunLeavesTheFileIntact() throws {
        let text = "```clubsh\n1 + 1\n```\n\n```clubsh\norders | count\n```\n"
        let path = try write("broken.md", text)
        let r = try ClubshRun.run(["run", "--update", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(path):6:1: unknown table `orders`"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text)
    }

    func testSaveWritesANotebookThatChecks() throws {
        let saved = dir.appendingPathComponent("session.md").path
        let work = try ClubshRun.workspace()
        let r = try ClubshRun.run([], stdin: "load \"Samples/data/orders.csv\"\norders | agg n = count() by channel\nlet x = 3\nx * 2\n.save \(saved)\n", directory: work)
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: saved, encoding: .utf8)
        XCTAssertTrue(text.contains("```clubsh\nx * 2\n```\n\n```output\nvalue\n6\n```\n"), text)
        let check = try ClubshRun.run(["check", saved], directory: work)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }

    /// A session with `.timer on` and `.mode` changes, in a pipe (CSV), saved: the notebook
    /// starts with the session's mode, holds each output in the mode it was shown in, and no
    /// timings, so `clubsh check` passes at once.
    func testSaveAfterTimerAndModeChangesStillChecks() throws {
        let saved = dir.appendingPathComponent("timed.md").path
        let work = try ClubshRun.workspace()
        let r = try ClubshRun.run([], stdin: "load \"Samples/data/orders.csv\"\n.timer on\n.tables\n.show\n.mode\n.echo on\norders | count\n.echo off\n.mode table\norders | count\n.mode csv\n.timer off\n.save \(saved)\n", directory: work)
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: saved, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# clubsh session\n\n```clubsh\n.mode csv\n```\n"), text)
        XCTAssertTrue(text.contains("```clubsh\norders | count\n```\n\n```output\ncount\n16405\n```\n"), text)
        XCTAssertTrue(text.contains("│ 16405 │"), text)
        XCTAssertFalse(text.contains("time:"), text)
        XCTAssertFalse(text.contains(".show") || text.contains(".tables") || text.contains("```clubsh\n.mode\n```"), text)
        let check = try ClubshRun.run(["check", saved], directory: work)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }

    func testNumberedResults() throws {
        let r = try ClubshRun.run([], stdin: "(90 / 100) * 100\n_ * 2\n_1 + _2\n")
        XCTAssertEqual(r.stdout, "value\n90\nvalue\n180\nvalue\n270\n")
    }
}

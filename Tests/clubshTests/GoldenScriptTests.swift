import Foundation
import XCTest

/// Runs every golden script in Golden/ through the built clubsh, each in a workspace of its own
/// (copies of Fixtures/, Samples/ and Golden/), and checks the harness itself on scripts that must
/// fail. `swift test --filter Golden` runs just these; `GOLDEN=numbers swift test --filter Golden`
/// runs the scripts whose names contain `numbers`.
final class GoldenScriptTests: XCTestCase {
    static let folder = ClubshRun.testsDirectory.appendingPathComponent("Golden")

    func testEveryGoldenScript() throws {
        let only = ProcessInfo.processInfo.environment["GOLDEN"] ?? ""
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".club") && (only.isEmpty || $0.contains(only)) }.sorted()
        XCTAssertFalse(names.isEmpty, "no golden script in \(Self.folder.path)\(only.isEmpty ? "" : " whose name contains \(only)")")
        for name in names {
            let path = "Tests/clubshTests/Golden/\(name)"
            let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
            for failure in try Self.check(text) { XCTFail("\(path):\(failure.line): \(failure.message)") }
        }
    }

    /// The failures of one script: its format's, or the differences between it and clubsh.
    static func check(_ text: String) throws -> [GoldenScript.Failure] {
        let script: GoldenScript
        do { script = try GoldenScript(text) } catch { return [GoldenScript.Failure(line: error.line, message: error.message)] }
        let work = try ClubshRun.workspace()
        try FileManager.default.copyItem(at: folder, to: work.appendingPathComponent("Golden"))
        let r = try ClubshRun.run(GoldenScript.arguments, stdin: script.markedSource, directory: work, mergingStandardError: true)
        return script.compare(output: r.stdout, status: r.status, crashed: r.reason == .uncaughtSignal)
    }

    // MARK: The harness fails where it should

    private func failures(_ text: String) throws -> [String] {
        try Self.check(text).map { "\($0.line): \($0.message)" }
    }

    func testAScriptThatHoldsPasses() throws {
        let text = """
        load "Fixtures/orders.csv"
        # expect:
        # loaded orders: 5 rows × 5 columns from Fixtures/orders.csv

        orders | where amout > 1
        # error: 5:16 unknown column `amout`; did you mean `amount`?

        orders | count
        # expect:
        # count
        # 5

        """
        XCTAssertEqual(try failures(text), [])
    }

    func testAnErrorLineWhoseStatementSucceedsFails() throws {
        let f = try failures("1 + 1\n# error: 1:1 no such thing\n")
        XCTAssertEqual(f.count, 3, "the missing error, the unexpected output, the exit status: \(f)")
        XCTAssertTrue(f[0].hasPrefix("2: the statement at line 1 (`1 + 1`) succeeded, but the block expects it to fail"), f[0])
        XCTAssertTrue(f[0].contains(" - # error: 1:1 no such thing"), f[0])
        XCTAssertTrue(f[1].contains(" + # value\n + # 2"), f[1])
        XCTAssertEqual(f[2], "2: clubsh exited with status 0, but a script with `# error:` lines ends with 1")
    }

    func testAnErrorWithoutAnErrorLineFails() throws {
        let f = try failures("orders | count\n# expect:\n# count\n# 5\n")
        XCTAssertEqual(f.count, 3, "\(f)")
        XCTAssertTrue(f[0].hasPrefix("2: the statement at line 1 (`orders | count`) failed, but the block has no `# error:` line"), f[0])
        XCTAssertTrue(f[0].contains(" + # error: 1:1 unknown table `orders`"), f[0])
        XCTAssertTrue(f[1].contains(" - # count\n - # 5"), f[1])
        XCTAssertEqual(f[2], "1: clubsh exited with status 1, but a script without `# error:` lines ends with 0")
    }

    func testAnErrorAtAnotherPlaceFails() throws {
        let f = try failures("let x = 1 +\n# error: 1:11 the statement ends where a value was expected\n")
        XCTAssertEqual(f, ["2: the statement at line 1 (`let x = 1 +`) failed differently (- expected, + actual):\n"
                           + " - # error: 1:11 the statement ends where a value was expected\n"
                           + " + # error: 1:12 the statement ends where a value was expected"])
    }

    func testAWrongOutputShowsWhereAndTheDifference() throws {
        let f = try failures("# Sums.\n1 + 1\n# expect:\n# value\n# 3\n\n2 + 2\n# expect:\n# value\n# 4\n")
        XCTAssertEqual(f, ["3: the output of the statement at line 2 (`1 + 1`) differs (- expected, + actual):\n   # value\n - # 3\n + # 2"])
    }

    func testALongDiffKeepsTheChangeAndCutsTheRest() {
        let expected = (1...12).map(String.init), actual = expected.map { $0 == "11" ? "eleven" : $0 }
        XCTAssertEqual(GoldenScript.diff(expected, actual, prefix: "# "), """
           # 1
           # 2
           # 3
           … 4 equal lines
           # 8
           # 9
           # 10
         - # 11
         + # eleven
           # 12
        """)
        XCTAssertEqual(GoldenScript.diff(["a", ""], ["a ", ""], prefix: "# "), " - # a\n + # a    ← ends in 1 blank\n   #")
    }

    func testOutputOfAStatementWithoutABlockFails() throws {
        // Output of a statement without a block lands in the next block's, or after the end.
        let f = try failures("1 + 1\n2 + 2\n# expect:\n# value\n# 4\n\n3 + 3\n")
        XCTAssertEqual(f.count, 2, "\(f)")
        XCTAssertTrue(f[0].hasPrefix("3: the output of the statements at lines 1–2 (`1 + 1`) differs"), f[0])
        XCTAssertTrue(f[1].hasPrefix("7: the statements from this line to the end have no `# expect:` block but printed:\n  value\n  6"), f[1])
    }

    func testAScriptThatExpectsNothingFails() throws {
        XCTAssertEqual(try failures("1 + 1\n# just a comment\n"),
                       ["1: the script has no `# expect:` or `# error:` block: a script that expects nothing tests nothing"])
    }

    func testFormatMistakesAreNamed() throws {
        XCTAssertEqual(try failures("1 + 1\n# error: somewhere\n"), ["2: an error line reads `# error: LINE:COL message`, not `# error: somewhere`"])
        XCTAssertEqual(try failures("1 / 0\n# error: 1:1 x\n# because\n"), ["3: `# because` follows `# error:` lines but is not one; leave a blank line before a comment"])
        XCTAssertEqual(try failures("# expect:\n# value\n"), ["1: there is no statement above this block (the previous block ends at a blank line or a statement)"])
        XCTAssertEqual(try failures("1 + 1 |\n# expect:\n"), ["1: this line ends with `|`, so its statement goes on past the block below it"])
        XCTAssertEqual(try failures("1 + 1\n# expect:\n#value\n"), ["3: an output line starts with `# ` (or is `#` alone for an empty line), not `#value`"])
    }

    func testEchoedMarkersAreNotOutput() throws {
        XCTAssertEqual(try failures(".echo on\n1 + 1\n# expect:\n# 1 + 1\n# value\n# 2\n"), [])
    }

    func testAStopBeforeTheEndIsReported() throws {
        let f = try failures("1 + 1\n# expect:\n# value\n# 2\n.quit\n3\n# expect:\n# value\n# 3\n")
        XCTAssertEqual(f, ["5: clubsh stopped (exit status 0) before it reached line 7 (or a `.output` to a file took the rest of its output)"])
    }
}

import XCTest
@testable import ClubKit

final class LineDiffTests: XCTestCase {
    /// The longest common subsequence by the textbook table, as the oracle for small cases.
    private func lcsLength(_ a: [String], _ b: [String]) -> Int {
        var l = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : max(l[i + 1][j], l[i][j + 1])
            }
        }
        return l[0][0]
    }

    func testEveryLineOnceAndTheFewestChanges() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let a = (0..<Int.random(in: 0...10, using: &generator)).map { _ in String(Int.random(in: 0...3, using: &generator)) }
            let b = (0..<Int.random(in: 0...10, using: &generator)).map { _ in String(Int.random(in: 0...3, using: &generator)) }
            let script = LineDiff.script(a, b)
            XCTAssertEqual(script.filter { $0.0 != "+" }.map(\.1), a, "the old text, in order")
            XCTAssertEqual(script.filter { $0.0 != "-" }.map(\.1), b, "the new text, in order")
            XCTAssertEqual(script.filter { $0.0 == " " }.count, lcsLength(a, b), "\(a) → \(b): as many kept lines as can be")
        }
    }

    /// Hunks and their headers as GNU `diff -u` (diffutils 3.8) prints them for the same two
    /// files, copied from its output: three lines of context, changes six or fewer lines apart
    /// in one hunk, a count of one left out, an empty side at the line before it.
    func testHunksAsDiffPrintsThem() {
        func diff(_ a: [String], _ b: [String]) -> String {
            let old = a.map { $0 + "\n" }.joined(), new = b.map { $0 + "\n" }.joined()
            return String(LineDiff.unified(old, new, oldName: "a", newName: "b").dropFirst("--- a\n+++ b\n".count))
        }
        let twenty = (1...20).map(String.init)
        var changed = twenty
        changed[1] = "two"
        changed[8] = "nine"
        changed.remove(at: 16)
        changed.append("21")
        XCTAssertEqual(diff(twenty, changed), """
            @@ -1,12 +1,12 @@
             1
            -2
            +two
             3
             4
             5
             6
             7
             8
            -9
            +nine
             10
             11
             12
            @@ -14,7 +14,7 @@
             14
             15
             16
            -17
             18
             19
             20
            +21

            """)
        let eleven = (1...11).map(String.init)
        // Six unchanged lines between: one hunk. Seven: two.
        XCTAssertTrue(diff(eleven, eleven.map { $0 == "2" ? "B" : $0 == "9" ? "I" : $0 }).hasPrefix("@@ -1,11 +1,11 @@\n"))
        XCTAssertEqual(diff(eleven, eleven.map { $0 == "2" ? "B" : $0 == "10" ? "J" : $0 }), """
            @@ -1,5 +1,5 @@
             1
            -2
            +B
             3
             4
             5
            @@ -7,5 +7,5 @@
             7
             8
             9
            -10
            +J
             11

            """)
        XCTAssertEqual(diff(["a"], ["b"]), "@@ -1 +1 @@\n-a\n+b\n")
        XCTAssertEqual(diff([], ["p", "q"]), "@@ -0,0 +1,2 @@\n+p\n+q\n")
        XCTAssertEqual(diff(["p", "q"], []), "@@ -1,2 +0,0 @@\n-p\n-q\n")
        XCTAssertEqual(diff(["1", "2", "3", "4", "5"], ["1", "2", "3", "4", "5", "6"]), "@@ -3,3 +3,4 @@\n 3\n 4\n 5\n+6\n")
        XCTAssertEqual(diff(["1", "2"], ["1", "2"]), "", "nothing differs: no hunk")
        // `diff -U0`: no context; a side with no lines starts at the line before.
        XCTAssertEqual(LineDiff.unified("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\n6\n7\n8\n", context: 0),
                       "--- stored\n+++ fresh\n@@ -5 +4,0 @@\n-5\n")
    }

    func testAMissingNewlineAtTheEndIsADifference() {
        // `diff -u` of "x\ny" and "x\ny\n".
        XCTAssertEqual(LineDiff.unified("x\ny", "x\ny\n"), "--- stored\n+++ fresh\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n")
    }

    func testLongOutputsDiffInBoundedTimeAndMemory() {
        // 30,000 lines, every 100th changed: 300 lines out and 300 in, the rest kept.
        let old = (0..<30_000).map { "row \($0)" }
        let new = old.enumerated().map { $0.offset % 100 == 0 ? "changed \($0.offset)" : $0.element }
        let script = LineDiff.script(old, new)
        XCTAssertEqual(script.filter { $0.0 == "-" }.count, 300)
        XCTAssertEqual(script.filter { $0.0 == "+" }.count, 300)
        // Nothing in common: every line out, every line in (past the edit bound, shown whole).
        let other = (0..<30_000).map { "other \($0)" }
        let replaced = LineDiff.script(old, other)
        XCTAssertEqual(replaced.count, 60_000)
        XCTAssertEqual(replaced.filter { $0.0 == "-" }.map(\.1), old)
    }
}

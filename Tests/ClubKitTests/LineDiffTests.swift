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

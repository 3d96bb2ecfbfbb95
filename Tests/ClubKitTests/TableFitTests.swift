import Foundation
import XCTest
@testable import ClubKit

/// Table mode within a width: control characters as escapes, long text shortened, middle
/// columns left out with a `…` column and a footer that counts them, `.columns`' list, and every
/// row when asked. Every expected box is drawn by hand from the widths: a box is one bar, then
/// per column its text width plus a space on either side and a bar.
final class TableFitTests: XCTestCase {
    private func ints(_ name: String, _ values: [Int64]) -> (String, Column) { (name, Column(.int(values))) }
    private func texts(_ name: String, _ values: [String]) -> (String, Column) { (name, stringColumn(values)) }
    private func table(_ columns: [(String, Column)]) -> Table { Table(columnNames: columns.map(\.0), columns: columns.map(\.1)) }

    func testNewlinesTabsAndControlCharactersInCellsKeepTheBox() {
        let t = table([texts("x\ny", ["a\nb", "c\rd", "e\tf", "g\u{1}h"])])
        // `g\u{1}h` is the widest text, 7 characters: dashes 7 + 2.
        XCTAssertEqual(TableRenderer(mode: .table).render(t), """
        ┌─────────┐
        │ x\\ny    │
        │ string  │
        ├─────────┤
        │ a\\nb    │
        │ c\\rd    │
        │ e\\tf    │
        │ g\\u{1}h │
        └─────────┘
        4 rows

        """)
    }

    /// Nine columns of seven digits are 1 + 9 × 10 = 91 wide.
    private var nine: Table { table((1...9).map { ints("c\($0)", [Int64($0) * 1_111_111]) }) }

    func testAWideTableLeavesOutMiddleColumns() {
        // In 60: the `…` column takes 1 + 4, each column 10; five fit (55), taken from both ends
        // in turn: c1, c9, c2, c8, c3.
        XCTAssertEqual(TableRenderer(mode: .table, maxWidth: 60).render(nine), """
        ┌─────────┬─────────┬─────────┬───┬─────────┬─────────┐
        │ c1      │ c2      │ c3      │ … │ c8      │ c9      │
        │ int     │ int     │ int     │ … │ int     │ int     │
        ├─────────┼─────────┼─────────┼───┼─────────┼─────────┤
        │ 1111111 │ 2222222 │ 3333333 │ … │ 8888888 │ 9999999 │
        └─────────┴─────────┴─────────┴───┴─────────┴─────────┘
        1 row, 9 columns (5 shown)

        """)
    }

    func testTheWidthIsABoundary() {
        // 91 holds all nine; 90 holds eight beside the `…` (5 + 80 = 85), all but the middle c5.
        let all = TableRenderer(mode: .table, maxWidth: 91).render(nine)
        XCTAssertTrue(all.hasSuffix("└─────────┴─────────┴─────────┴─────────┴─────────┴─────────┴─────────┴─────────┴─────────┘\n1 row\n"), all)
        let eight = TableRenderer(mode: .table, maxWidth: 90).render(nine)
        XCTAssertTrue(eight.contains("│ c1      │ c2      │ c3      │ c4      │ … │ c6      │ c7      │ c8      │ c9      │\n"), eight)
        XCTAssertTrue(eight.hasSuffix("1 row, 9 columns (8 shown)\n"), eight)
        XCTAssertEqual(TableRenderer(mode: .table).render(nine), all, "no width: every column")
    }

    func testLongTextIsShortenedBeforeColumnsAreLeftOut() {
        let t = table([ints("id", [1]), texts("note", ["abcdefghijklmnopqrstuvwxyz"])])
        // Whole: 1 + (3 + 3) + (26 + 3) = 36. In 30 the note gets 30 − 1 − 6 − 3 = 20 columns:
        // 19 letters and `…`.
        XCTAssertEqual(TableRenderer(mode: .table, maxWidth: 30).render(t), """
        ┌─────┬──────────────────────┐
        │ id  │ note                 │
        │ int │ string               │
        ├─────┼──────────────────────┤
        │   1 │ abcdefghijklmnopqrs… │
        └─────┴──────────────────────┘
        1 row

        """)
    }

    func testWideCharactersAreShortenedByDisplayWidth() {
        // Five CJK characters are 10 columns: a box of 1 + 10 + 3 = 14 fits in 15. In 9 the one
        // column gets 9 − 4 = 5: two characters (4 columns) and `…`.
        let t = table([texts("s", ["中文字符串"])])
        XCTAssertTrue(TableRenderer(mode: .table, maxWidth: 15).render(t).contains("│ 中文字符串 │"))
        let cut = TableRenderer(mode: .table, maxWidth: 9).render(t)
        XCTAssertTrue(cut.contains("│ 中文… │\n"), cut)
        let widths = Set(cut.split(separator: "\n").dropLast().map { DisplayWidth.of(String($0)) })
        XCTAssertEqual(widths, [9], cut)
    }

    func testColumnsListsEveryColumnAndWrapsLongValues() {
        let t = table([ints("id", [1, 2]), texts("note", ["the quick brown fox jumps", "short"])])
        // Names 4 wide, types 6 ("string"): a value gets 30 − 4 − 2 − 6 − 3 = 15 columns. The
        // note breaks after "quick " (the space that keeps the next word whole).
        let out = TableRenderer(mode: .table, maxWidth: 30, wide: .list).render(t)
        XCTAssertEqual(out, """
        ─[ row 1 ]────────────────────
        id    int    │ 1
        note  string │ the quick\u{20}
                     │ brown fox jumps
        ─[ row 2 ]────────────────────
        id    int    │ 2
        note  string │ short
        2 rows

        """)
        // A table that fits stays a box.
        XCTAssertTrue(TableRenderer(mode: .table, maxWidth: 80, wide: .list).render(t).hasPrefix("┌"))
    }

    func testListsElideRowsToo() {
        let t = table([ints("i", (1...5).map { $0 }), texts("s", Array(repeating: "0123456789", count: 5))])
        let out = TableRenderer(mode: .table, maxRows: 2, maxWidth: 12, wide: .list).render(t)
        XCTAssertTrue(out.contains("─[ row 1 ]"), out)
        XCTAssertTrue(out.contains("\n…\n─[ row 5 ]"), out)
        XCTAssertFalse(out.contains("row 2 ]"), out)
        XCTAssertTrue(out.hasSuffix("5 rows (2 shown)\n"), out)
    }

    func testEveryRowWhenAsked() {
        let t = table([ints("i", (1...100).map { $0 })])
        let out = TableRenderer(mode: .table, maxRows: Int.max).render(t)
        XCTAssertEqual(out.split(separator: "\n").count, 4 + 100 + 2, "top, name, type, rule; 100 rows; bottom and footer")
        XCTAssertTrue(out.hasSuffix("│ 100 │\n└─────┘\n100 rows\n"), out)
    }

    /// Random tables in random widths of 20 or more: no line is wider than the width, whatever
    /// the mix of text and numbers, and the footer counts what is shown.
    func testNoLineIsWiderThanTheWidth() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let n = Int.random(in: 1...15, using: &generator)
            let columns: [(String, Column)] = (0..<n).map { k in
                if Bool.random(using: &generator) {
                    return ints("n\(k)", (0..<3).map { _ in Int64.random(in: -99_999...999_999, using: &generator) })
                }
                return texts("t\(k)", (0..<3).map { _ in String(repeating: "ab ", count: Int.random(in: 0...30, using: &generator)) })
            }
            let limit = Int.random(in: 20...120, using: &generator)
            let out = TableRenderer(mode: .table, maxWidth: limit).render(table(columns))
            let lines = out.split(separator: "\n").map(String.init)
            for line in lines.dropLast() { XCTAssertLessThanOrEqual(DisplayWidth.of(line), limit, "\(limit):\n\(out)") }
            let boxWidths = Set(lines.dropLast().map(DisplayWidth.of))
            XCTAssertEqual(boxWidths.count, 1, out)
            let shown = lines[1].components(separatedBy: "│").count - 2 - (lines[1].contains(" … ") ? 1 : 0)
            XCTAssertEqual(lines.last, shown == n ? "3 rows" : "3 rows, \(n) columns (\(shown) shown)", out)
        }
    }

    /// Hostile widths: none at all, one column, and no columns to show; nothing crashes and
    /// something is always shown.
    func testTinyWidthsNeverCrash() {
        let t = table([texts("a", ["xxxxxxxxxxxxxxxxxxxx"]), ints("b", [123456]), texts("c", [""])])
        for limit in 0...12 {
            for wide in [TableRenderer.WideTables.elide, .list] {
                let out = TableRenderer(mode: .table, maxWidth: limit, wide: wide).render(t)
                XCTAssertTrue(out.hasSuffix(wide == .list ? "1 row\n" : "1 row, 3 columns (1 shown)\n"), "\(limit):\n\(out)")
            }
        }
        XCTAssertEqual(TableRenderer(mode: .table, maxWidth: 1).render(Table(columnNames: [], columns: [])), "┌┐\n││\n││\n├┤\n└┘\n0 rows\n")
    }
}

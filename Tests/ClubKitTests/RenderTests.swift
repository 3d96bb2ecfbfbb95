import Foundation
import XCTest
@testable import ClubKit

final class RenderTests: XCTestCase {
    private let table = Table(columnNames: ["name", "spend"],
                              columns: [stringColumn(["سارا", "Ali, Jr", "\"Q\""]), Column(.double([1.5, 0.1 + 0.2, 0]), validity: {
                                  var v = Bitmap(count: 3); v.set(2, false); return v }())])

    func testTableModeAlignsByDisplayWidth() {
        let out = TableRenderer(mode: .table).render(table)
        let lines = out.split(separator: "\n").map(String.init)
        // Every box line has the same display width, Persian text included.
        let widths = Set(lines.dropLast().map(DisplayWidth.of))
        XCTAssertEqual(widths.count, 1, out)
        XCTAssertTrue(out.contains("│ سارا    │"), out)
        XCTAssertTrue(out.contains("   0.3 │"), "numbers right-aligned and shown to 10 significant digits\n\(out)")
        XCTAssertTrue(out.contains(" null │"), out)
        XCTAssertEqual(lines.last, "3 rows")
    }

    /// People see money exactly and float noise rounded: at most four decimals shows the exact
    /// value, anything longer ten significant digits.
    func testDoublesForPeople() {
        let cases: [(Double, String)] = [
            (119_816_561.85, "119816561.85"), (123_456_789_012.5, "123456789012.5"), (1_073_741_828.5, "1073741828.5"),
            (0.1 + 0.2, "0.3"), (1.0 / 3, "0.3333333333"), (200.0 / 3, "66.66666667"), (-52.5, "-52.5"),
            (0.000123, "0.000123"), (1.5e-7, "1.5e-07"), (1e20, "1e+20"), (42, "42"),
        ]
        for (x, text) in cases { XCTAssertEqual(ValueFormat.displayDouble(x), text, "\(x)") }
    }

    /// Every column type in JSON and JSON lines, with escapes and nulls, written by hand.
    func testJSONOfEveryType() {
        var v = Bitmap(count: 2)
        v.set(1, false)
        let t = Table(columnNames: ["i", "n", "x", "b", "d", "t", "s \"q\""], columns: [
            Column(.int([-12, 9_000_000_000])), Column(.int32([7, 0]), validity: v), Column(.double([2.5, 0.1 + 0.2])),
            Column(.bool([true, false])), Column(.date([19723, 0])), Column(.dateTime([1_704_103_200, 0]), validity: v),
            stringColumn(["a\"b\\c\n", "سارا"]),
        ])
        let row1 = #"{"i":-12,"n":7,"x":2.5,"b":true,"d":"2024-01-01","t":"2024-01-01 10:00:00","s \"q\"":"a\"b\\c\n"}"#
        let row2 = #"{"i":9000000000,"n":null,"x":0.30000000000000004,"b":false,"d":"1970-01-01","t":null,"s \"q\"":"سارا"}"#
        XCTAssertEqual(TableRenderer(mode: .json).render(t), "[\n" + row1 + ",\n" + row2 + "\n]\n")
        XCTAssertEqual(TableRenderer(mode: .jsonl).render(t), row1 + "\n" + row2 + "\n")
        XCTAssertEqual(TableRenderer(mode: .json).render(Table(columnNames: ["a"], columns: [Column(.int([]))])), "[]\n")
    }

    func testLongTablesElideTheMiddle() {
        let t = Table(columnNames: ["i"], columns: [Column(.int((1...100).map { Int64($0) }))])
        let out = TableRenderer(mode: .table, maxRows: 4).render(t)
        let shown = out.split(separator: "\n").dropFirst(4).dropLast(2).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) }
        XCTAssertEqual(shown, ["1", "2", "…", "99", "100"], out)
        XCTAssertTrue(out.hasSuffix("100 rows (4 shown)\n"))
    }

    func testCSVQuotesWhatNeedsIt() {
        XCTAssertEqual(TableRenderer(mode: .csv).render(table), "name,spend\nسارا,1.5\n\"Ali, Jr\",0.30000000000000004\n\"\"\"Q\"\"\",\n")
    }

    func testJSONAndJSONLines() {
        XCTAssertEqual(TableRenderer(mode: .json).render(table),
                       "[\n{\"name\":\"سارا\",\"spend\":1.5},\n{\"name\":\"Ali, Jr\",\"spend\":0.30000000000000004},\n{\"name\":\"\\\"Q\\\"\",\"spend\":null}\n]\n")
        XCTAssertEqual(TableRenderer(mode: .jsonl).render(table).split(separator: "\n").count, 3)
    }

    func testMarkdownAndLineModes() {
        XCTAssertEqual(TableRenderer(mode: .markdown).render(table), "| name | spend |\n| --- | ---: |\n| سارا | 1.5 |\n| Ali, Jr | 0.3 |\n| \"Q\" |  |\n")
        XCTAssertTrue(TableRenderer(mode: .line).render(table).hasPrefix(" name = سارا\nspend = 1.5\n"))
    }

    func testDisplayWidth() {
        XCTAssertEqual(DisplayWidth.of("abc"), 3)
        XCTAssertEqual(DisplayWidth.of("日本"), 4)
        XCTAssertEqual(DisplayWidth.of("می\u{200C}خواهم"), 7, "the zero-width non-joiner takes no column")
    }

    func testValueFormats() {
        XCTAssertEqual(ValueFormat.display(.double(90)), "90")
        XCTAssertEqual(ValueFormat.plain(.double(0.1 + 0.2)), "0.30000000000000004")
        XCTAssertEqual(ValueFormat.display(.double(1234.5678)), "1234.5678")
        XCTAssertEqual(ValueFormat.display(.dateTime(86400 + 3661)), "1970-01-02 01:01:01")
    }
}

final class DelimitedWriterTests: XCTestCase {
    /// The column-wise writer gives, cell for cell, what `ValueFormat.plain` gives — in one part
    /// and, from 131,072 rows, in parts written side by side.
    func testMatchesCellByCellFormatting() {
        for n in [400, 140_000] { check(rows: n) }
    }

    private func check(rows n: Int) {
        var rng = SystemRandomNumberGenerator()
        var v = Bitmap(count: n)
        for i in stride(from: 0, to: n, by: 7) { v.set(i, false) }
        var ints = (0..<n).map { _ in Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng) }
        ints[1] = .max
        ints[2] = .min
        let doubles = (0..<n).map { i in i % 3 == 0 ? Double(i) : Double.random(in: -1e6...1e6, using: &rng) }
        let days = (0..<n).map { _ in Int32.random(in: -800_000...800_000, using: &rng) }
        let words = ["plain", "with, comma", "with \"quote\"", "line\nbreak", "سارا", ""]
        let table = Table(columnNames: ["i", "d", "day", "s", "b", "t", "n"], columns: [
            Column(.int(ints), validity: v),
            Column(.double(doubles)),
            Column(.date(days)),
            stringColumn((0..<n).map { words[$0 % words.count] }),
            Column(.bool((0..<n).map { $0 % 2 == 0 })),
            Column(.dateTime((0..<n).map { Int64($0) * 86_399 - 5_000_000 })),
            Column(.int32((0..<n).map { Int32($0) - 70_000 }), validity: v),
        ])
        var expected = "i,d,day,s,b,t,n\n"
        for r in 0..<n {
            expected += table.columns.map { c -> String in
                let s = ValueFormat.plain(c.value(at: r))
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }.joined(separator: ",") + "\n"
        }
        XCTAssertEqual(TableRenderer(mode: .csv).render(table), expected, "rows: \(n)")
    }
}

/// A table as wide as the loader allows prints in every mode: the writers open one buffer per
/// column, nested, and a wide table does that on the deep stack.
final class WideTableWriterTests: XCTestCase {
    func testTenThousandColumnsPrintAsCSVAndJSON() throws {
        let n = 10_000
        let table = Table(columnNames: (0..<n).map { "c\($0)" }, columns: (0..<n).map { Column(.int([Int64($0)])) })
        let csv = TableRenderer(mode: .csv).render(table)
        XCTAssertEqual(csv, (0..<n).map { "c\($0)" }.joined(separator: ",") + "\n" + (0..<n).map(String.init).joined(separator: ",") + "\n")
        let json = TableRenderer(mode: .jsonl).render(table)
        XCTAssertTrue(json.hasPrefix("{\"c0\":0,\"c1\":1,"), String(json.prefix(40)))
        XCTAssertTrue(json.hasSuffix("\"c9999\":9999}\n"), String(json.suffix(40)))
    }
}

/// Whole-number doubles print without `.0` as far as every whole number is exact (2^53); past
/// that a double's shortest exact form is the exponent one.
final class WholeDoubleFormatTests: XCTestCase {
    func testWholeDoublesUpToTwoToTheFiftyThird() {
        XCTAssertEqual(ValueFormat.plainDouble(1e15), "1000000000000000")
        XCTAssertEqual(ValueFormat.plainDouble(9_007_199_254_740_992), "9007199254740992")
        XCTAssertEqual(ValueFormat.plainDouble(-9_007_199_254_740_992), "-9007199254740992")
        XCTAssertEqual(ValueFormat.plainDouble(1e16), "1e+16")
        XCTAssertEqual(ValueFormat.displayDouble(1e15), "1000000000000000")
    }
}

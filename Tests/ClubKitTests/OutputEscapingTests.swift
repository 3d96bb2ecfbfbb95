import Foundation
import XCTest
@testable import ClubKit
#if canImport(FoundationXML)
import FoundationXML
#endif

/// SVG and JSON escape every character their format forbids; the table shows control
/// characters as escapes. Each output is read back with a real parser.
final class OutputEscapingTests: XCTestCase {
    /// Every C0 control character, DEL, a C1 control, markup characters and a line separator.
    static let hostile = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar($0)! })) + "\u{7F}\u{85}<&>\"'\\\u{2028}é"

    /// A table whose column name, labels and values carry the hostile text.
    private func table() -> Table {
        Table(columnNames: ["name" + Self.hostile, "spend"],
              columns: [Column(.string([0, 1], StringDictionary(values: ["a" + Self.hostile, "b\u{1B}[31m\r\n"])), validity: nil),
                        Column(.double([1.5, 2]), validity: nil)],
              rowCount: 2)
    }

    func testSVGIsWellFormedXMLWhateverTheLabels() throws {
        let spec = ChartSpec(kind: .bar, label: 0, series: [1], path: nil)
        for kind in [ChartKind.bar, .line, .heatmap] {
            var s = spec
            s.kind = kind
            let svg = Chart(spec: s, table: table()).svg
            for u in svg.unicodeScalars where u.value < 0x20 {
                XCTAssertTrue(u == "\n" || u == "\t" || u == "\r", "\(kind): U+\(String(u.value, radix: 16)) is not allowed in XML 1.0")
            }
            let parser = XMLParser(data: Data(svg.utf8))
            XCTAssertTrue(parser.parse(), "\(kind): \(parser.parserError.map { "\($0)" } ?? "")\n\(svg)")
        }
    }

    func testJSONEscapesEveryControlCharacter() throws {
        let t = table()
        let json = TableRenderer(mode: .json).render(t)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0]["name" + Self.hostile] as? String, "a" + Self.hostile)
        XCTAssertEqual(rows[1]["name" + Self.hostile] as? String, "b\u{1B}[31m\r\n")
        for u in json.unicodeScalars where u.value < 0x20 { XCTAssertEqual(u, "\n", "a raw control character in JSON") }
        for line in TableRenderer(mode: .jsonl).render(t).split(separator: "\n") {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)))
        }
    }

    func testTableModeShowsControlCharactersAsEscapes() {
        let text = TableRenderer(mode: .table).render(table())
        for u in text.unicodeScalars { XCTAssertFalse(ValueFormat.isControl(u) && u != "\n", "raw U+\(String(u.value, radix: 16)) in the table") }
        XCTAssertTrue(text.contains("│ b\\u{1b}[31m\\r\\n "), text)
        XCTAssertEqual(text.split(separator: "\n").count, 8, "one line per row: \(text)")
    }
}

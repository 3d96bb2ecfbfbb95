import Foundation
import XCTest
@testable import ClubKit

/// `export … to "x.xlsx"`: a workbook that loads back to the same table, and that openpyxl
/// 3.1.5, an independent reader, reads as the values below
/// (Fixtures/xlsx/read-export.py on the file this test exports; its output is recorded here).
final class XLSXWriterTests: XCTestCase {
    /// Text with XML's special characters, a newline, a Markdown fence, a control character,
    /// a tab and something shaped like an OOXML escape; every type; nulls.
    static let csv = "id,name,amount,vip,day,at\n"
        + "1,\"a<b & c\",120.5,true,2024-01-05,2024-01-05 09:30:00\n"
        + "2,\"line\nbreak _x0041_ ```md\",-3,false,1900-01-02,1999-12-31 23:59:59\n"
        + "3,\"bell\u{1} tab\t\",0.00001,,1900-03-01,\n"
        + "4,,1000000,true,,2024-03-20 00:00:00\n"

    private func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-xlsx-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testRoundTrip() throws {
        let dir = try folder()
        let csv = dir.appendingPathComponent("rt.csv").path
        try Self.csv.write(toFile: csv, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("rt.xlsx").path
        let session = Session()
        try session.runAll("load \"\(csv)\" as rt")
        try session.runAll("export rt to \"\(out)\"")
        try session.runAll("load \"\(out)\" as back")
        func table(_ name: String) throws -> Table {
            guard case .table(let t)? = try session.runAll(name).last else { throw XCTSkip("no table") }
            return t
        }
        let original = try table("rt"), back = try table("back")
        XCTAssertEqual(back.schema, original.schema)
        for name in original.columnNames { XCTAssertEqual(back.values(name), original.values(name), name) }

        // What openpyxl read from the same file (cell: value, data type, number format).
        XCTAssertEqual(back.strings("id"), ["1", "2", "3", "4"])                     // A2…A5: 1, 2, 3, 4 'n'
        XCTAssertEqual(back.values("name"), [.string("a<b & c"), .string("line\nbreak _x0041_ ```md"),
                                             .string("bell\u{1} tab\t"), .null])
        // openpyxl leaves the OOXML escapes as they are: B3 'line\nbreak _x005F_x0041_ ```md',
        // B4 'bell_x0001_ tab\t'; Excel reads them as the text above.
        XCTAssertEqual(back.values("amount"), [.double(120.5), .double(-3), .double(1e-05), .double(1000000)])  // 'n'
        XCTAssertEqual(back.values("vip"), [.bool(true), .bool(false), .null, .bool(true)])                      // 'b'
        XCTAssertEqual(back.strings("day"), ["2024-01-05", "1900-01-02", "1900-03-01", "null"])                 // 'd', yyyy-mm-dd
        XCTAssertEqual(back.strings("at"), ["2024-01-05 09:30:00", "1999-12-31 23:59:59", "null", "2024-03-20 00:00:00"])  // 'd', yyyy-mm-dd hh:mm:ss

        // Stored entries whose CRC-32 the reader checked; the same table gives the same bytes.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
        let zip = try bytes.withUnsafeBufferPointer { try ZipArchive($0) }
        XCTAssertEqual(Set(zip.entries.keys), ["[content_types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                               "xl/styles.xml", "xl/worksheets/sheet1.xml"])
        XCTAssertTrue(zip.entries.values.allSatisfy { $0.method == 0 })
        XCTAssertEqual(try XLSXWriter.workbook(original, sheet: "rt"), bytes)
        let sheet = String(decoding: try bytes.withUnsafeBufferPointer { p in
            try ZipArchive(p).extract("xl/worksheets/sheet1.xml", limit: 1 << 20)
        }, as: UTF8.self)
        XCTAssertTrue(sheet.contains(#"<c r="B2" t="inlineStr"><is><t xml:space="preserve">a&lt;b &amp; c</t></is></c>"#))
        XCTAssertTrue(sheet.contains("bell_x0001_ tab\t"))
        XCTAssertTrue(sheet.contains("break _x005F_x0041_ ```md"))
        XCTAssertTrue(sheet.contains(#"<c r="E2" s="1"><v>45296</v></c>"#))   // 2024-01-05 is serial 45296 in Excel
        XCTAssertTrue(sheet.contains(#"<c r="D2" t="b"><v>1</v></c>"#))
    }

    /// A date before 1900, which the 1900 date system cannot hold, is written as its text;
    /// infinities, which a sheet cannot hold as numbers, likewise.
    func testWhatASheetCannotHoldIsText() throws {
        let table = Table(columnNames: ["d", "x"], columns: [Column(.date([Int32(CivilDate.days(year: 1899, month: 12, day: 31))])),
                                                             Column(.double([.infinity]))])
        let sheet = String(decoding: try XLSXWriter.sheetXML(table), as: UTF8.self)
        XCTAssertTrue(sheet.contains(#"<c r="A2" t="inlineStr"><is><t xml:space="preserve">1899-12-31</t></is></c>"#), sheet)
        XCTAssertTrue(sheet.contains(#"<t xml:space="preserve">inf</t>"#), sheet)
    }

    func testSheetNames() {
        XCTAssertEqual(XLSXWriter.sheetName("vip"), "vip")
        XCTAssertEqual(XLSXWriter.sheetName("a/b:c*?[d]"), "abcd")
        XCTAssertEqual(XLSXWriter.sheetName(String(repeating: "x", count: 40)), String(repeating: "x", count: 31))
        XCTAssertEqual(XLSXWriter.sheetName("''"), "Sheet1")
    }

    /// The writer follows OutputFile's rules: an existing file needs `overwrite`; an unknown
    /// extension is refused.
    func testExportRefusesAnExistingWorkbook() throws {
        let dir = try folder()
        let out = dir.appendingPathComponent("x.xlsx").path
        try "keep".write(toFile: out, atomically: true, encoding: .utf8)
        let session = try makeSession(["t": "a,b\n1,x\n"])
        XCTAssertEqual(session.error("export t to \"\(out)\"")?.hint, "add `overwrite` to replace it")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "keep")
        try session.runAll("export t to \"\(out)\" overwrite")
        XCTAssertEqual(try XLSXReader.read(path: out).table.strings("b"), ["x"])
        XCTAssertEqual(session.error("export t to \"\(dir.appendingPathComponent("x.xls").path)\"")?.message, "export does not write .xls files")
    }
}

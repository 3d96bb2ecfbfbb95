import Foundation
import XCTest
@testable import ClubKit

/// Loading .xlsx workbooks. The fixtures in Fixtures/xlsx were written by openpyxl 3.1.5 and
/// XlsxWriter 3.3.1 (Fixtures/xlsx/make-fixtures.py), and the expected values are the ones
/// that script gave each cell (Fixtures/xlsx/expected.json), never clubsh's own output.
final class XLSXReaderTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/xlsx")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// expected.json, as the generator wrote it.
    nonisolated(unsafe) static let expected: [String: Any] = {
        let data = try! Data(contentsOf: fixtures.appendingPathComponent("expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    private func load(_ name: String, sheet: String? = nil, _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> LoadResult {
        var o = CSVOptions()
        configure(&o)
        return try XLSXReader.read(path: Self.fixture(name), sheet: sheet, options: o)
    }

    private func failure(_ path: String, sheet: String? = nil, _ configure: (inout CSVOptions) -> Void = { _ in }) -> LoadError? {
        var o = CSVOptions()
        configure(&o)
        do { _ = try XLSXReader.read(path: path, sheet: sheet, options: o); return nil } catch { return error as? LoadError }
    }

    /// A folder of its own for files the test writes.
    private func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// A JSON value of expected.json as clubsh shows the same value in a table.
    private func shown(_ v: Any) -> String {
        switch v {
        case is NSNull: return "null"
        case let b as Bool where type(of: v) == type(of: NSNumber(value: true)): return b ? "true" : "false"
        case let n as NSNumber: return n.doubleValue == n.doubleValue.rounded() ? String(Int64(n.doubleValue)) : "\(n.doubleValue)"
        case let s as String: return ValueFormat.visible(s)
        default: return "\(v)"
        }
    }

    private func assertRows(_ table: Table, _ sheet: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
        let columns = sheet["columns"] as! [String]
        let rows = sheet["rows"] as! [[Any]]
        XCTAssertEqual(table.columnNames, columns, file: file, line: line)
        XCTAssertEqual(table.rowCount, rows.count, file: file, line: line)
        for (c, name) in columns.enumerated() {
            XCTAssertEqual(table.strings(name), rows.map { shown($0[c]) }, "column \(name)", file: file, line: line)
        }
    }

    // MARK: - Values and types

    /// XlsxWriter's shared strings, numbers, booleans, dates in a custom format, date-times and
    /// empty cells; the blank row is skipped, as a blank line is in CSV.
    func testSharedStringsNumbersBooleansDatesAndEmptyCells() throws {
        let result = try load("orders.xlsx")
        let t = result.table
        XCTAssertEqual(result.sheet, "Orders")
        assertRows(t, (Self.expected["orders.xlsx"] as! [String: Any])["Orders"] as! [String: Any])
        XCTAssertEqual(t.schema.fields.map(\.type), [.int, .string, .double, .bool, .date, .datetime, .string])
        // 1900-01-02, 1900-02-28 and 1900-03-01 straddle Excel's 29 February 1900 (serial 60).
        XCTAssertEqual(t.strings("ordered"), ["2024-01-05", "2024-02-29", "1900-01-02", "1900-03-01", "1900-02-28"])
    }

    /// A second sheet chosen by name; its dates use the built-in format 14 (m/d/yyyy).
    func testSecondSheetByNameWithBuiltInDateFormat() throws {
        let t = try load("orders.xlsx", sheet: "Customers").table
        assertRows(t, (Self.expected["orders.xlsx"] as! [String: Any])["Customers"] as! [String: Any])
        XCTAssertEqual(t.column("joined")?.type, .date)
        // A name that differs only in case finds the sheet; so does one with XML's special characters.
        XCTAssertEqual(try load("orders.xlsx", sheet: "customers").table.rowCount, 3)
        XCTAssertEqual(try load("orders.xlsx", sheet: "Notes & <Misc>").table.strings("k"), ["v"])
    }

    func testUnknownSheetListsTheSheets() {
        XCTAssertEqual(failure(Self.fixture("orders.xlsx"), sheet: "Custmers")?.description,
                       "\(Self.fixture("orders.xlsx")): has no sheet \"Custmers\"; did you mean \"Customers\"? its sheets are \"Orders\", \"Customers\", \"Notes & <Misc>\"")
    }

    /// openpyxl writes every string inline (`t="inlineStr"`), rich text as runs; a row with one
    /// value leaves the other cells null.
    func testInlineStringsRichTextAndSparseRows() throws {
        let t = try load("inline.xlsx").table
        assertRows(t, Self.expected["inline.xlsx"] as! [String: Any])
        XCTAssertEqual(t.schema.fields.map(\.type), [.string, .int, .double, .bool, .date, .string])
    }

    /// The 1904 date system (`date1904="1"`): the same day has a serial 1,462 smaller.
    func testDatesIn1904System() throws {
        let t = try load("epoch1904.xlsx").table
        assertRows(t, Self.expected["epoch1904.xlsx"] as! [String: Any])
        XCTAssertEqual(t.column("day")?.type, .date)
    }

    /// Jalali dates and amounts typed as text in Persian digits load as dates and numbers, as
    /// in CSV; `with calendar gregorian` keeps the dates as text.
    func testJalaliDatesAndPersianDigitAmountsAsText() throws {
        let e = Self.expected["jalali.xlsx"] as! [String: Any]
        let result = try load("jalali.xlsx")
        XCTAssertEqual(result.sheet, e["sheet"] as? String)
        XCTAssertEqual(result.table.strings("date"), e["dates"] as! [String])
        XCTAssertEqual(result.table.strings("latin"), e["dates"] as! [String])
        XCTAssertEqual(result.table.values("amount"), (e["amounts"] as! [NSNumber]).map { .double($0.doubleValue) })
        XCTAssertEqual(result.notes, ["columns date, latin: Jalali dates, as their years are all 1300–1499 (`with calendar gregorian` reads them as Gregorian)"])
        let jalali = try load("jalali.xlsx") { $0.calendar = .jalali }
        XCTAssertEqual(jalali.table.strings("date"), e["dates"] as! [String])
        XCTAssertEqual(jalali.notes, [])
        let gregorian = try load("jalali.xlsx") { $0.calendar = .gregorian }.table
        XCTAssertEqual(gregorian.column("date")?.type, .string)
        XCTAssertEqual(gregorian.strings("date").first, "۱۴۰۲/۰۷/۱۵")
    }

    /// A cell that breaks a declared type is an error at its cell, with CSV's text; `lenient`
    /// skips its row. Without `types` the column is text, as a CSV column would be.
    func testBadCellInATypedColumnNamesItsCell() throws {
        let e = Self.expected["bad-cell.xlsx"] as! [String: Any]
        let path = Self.fixture("bad-cell.xlsx")
        XCTAssertEqual(failure(path) { $0.types = ["amount": .double] }?.description,
                       "\(path):\(e["bad"] as! String): `\(e["text"] as! String)` is not a valid double for column `amount` (declared in types)")
        let lenient = try load("bad-cell.xlsx") { $0.types = ["amount": .double]; $0.lenient = true }
        XCTAssertEqual(lenient.table.rowCount, (e["rows"] as! Int) - 1)
        XCTAssertEqual(lenient.skipped.map(\.cell), [e["bad"] as? String])
        let inferred = try load("bad-cell.xlsx").table
        XCTAssertEqual(inferred.column("amount")?.type, .string)
        XCTAssertEqual(inferred.rowCount, e["rows"] as! Int)
    }

    /// `header false`, `names (…)` and a `types (…)` column that is not there behave as for CSV.
    func testHeaderNamesAndTypesOptions() throws {
        let t = try load("epoch1904.xlsx") { $0.header = false }.table
        XCTAssertEqual(t.columnNames, ["column1", "column2"])
        XCTAssertEqual(t.rowCount, 4)
        XCTAssertEqual(try load("epoch1904.xlsx") { $0.names = ["d", "k"] }.table.columnNames, ["d", "k"])
        XCTAssertEqual(failure(Self.fixture("epoch1904.xlsx")) { $0.types = ["nope": .int] }?.message,
                       "types (…) names a column `nope` that the sheet \"Sheet1\" does not have; its columns are day, n")
    }

    // MARK: - Damaged and hostile files: one line, never a crash or a hang

    func testTruncatedAndCorruptFilesAreOneLineErrors() {
        for (name, message) in [("truncated.xlsx", "is damaged or cut short: the zip directory at its end is missing"),
                                ("corrupt.xlsx", "is damaged: the zip entry xl/worksheets/sheet1.xml does not inflate")] {
            let e = failure(Self.fixture(name))
            XCTAssertEqual(e?.kind, .unreadable, name)
            XCTAssertTrue(e?.message.hasPrefix(message) == true, "\(name): \(e?.message ?? "loaded")")
            XCTAssertFalse(e?.description.contains("\n") ?? true)
        }
    }

    func testNotAWorkbook() throws {
        let dir = try temporaryFolder()
        let cases: [(String, [UInt8], String)] = [
            ("empty.xlsx", [], "no such file"),
            ("text.xlsx", Array("id,amount\n1,2\n".utf8), "is not an .xlsx workbook (not a zip file)"),
            ("old.xlsx", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 600),
             "is an Excel 97–2003 (.xls) workbook; save it as .xlsx or CSV"),
        ]
        for (name, bytes, message) in cases {
            let path = dir.appendingPathComponent(name).path
            if !bytes.isEmpty || name == "empty.xlsx" { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes))) }
            let e = failure(path)
            XCTAssertNotNil(e, name)
            if name != "empty.xlsx" { XCTAssertEqual(e?.message, message, name) }
        }
        // A folder, a missing file, a dangling link and a link loop.
        XCTAssertEqual(failure(dir.path)?.message, "is a directory, not a file")
        XCTAssertEqual(failure(dir.appendingPathComponent("missing.xlsx").path)?.kind, .noSuchFile)
        let dangling = dir.appendingPathComponent("dangling.xlsx").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: dir.appendingPathComponent("gone.xlsx").path)
        XCTAssertEqual(failure(dangling)?.kind, .noSuchFile)
        let loop = dir.appendingPathComponent("loop.xlsx").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        XCTAssertEqual(failure(loop)?.kind, .unreadable)
        // A link to a workbook is followed.
        let link = dir.appendingPathComponent("link.xlsx").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: Self.fixture("orders.xlsx"))
        XCTAssertEqual(try XLSXReader.read(path: link).table.rowCount, 5)
    }

    /// A FIFO is read as a stream, as for CSV: a workbook through it loads, garbage is an error.
    func testFIFO() throws {
        let dir = try temporaryFolder()
        for (name, bytes) in [("good", try Data(contentsOf: Self.fixtures.appendingPathComponent("orders.xlsx"))), ("bad", Data(repeating: 0x50, count: 100_000))] {
            let fifo = dir.appendingPathComponent("\(name).xlsx").path
            XCTAssertEqual(mkfifo(fifo, 0o600), 0)
            let writer = Thread {
                if let h = FileHandle(forWritingAtPath: fifo) { h.write(bytes); try? h.close() }
            }
            writer.start()
            if name == "good" {
                XCTAssertEqual(try XLSXReader.read(path: fifo).table.rowCount, 5)
            } else {
                XCTAssertEqual(failure(fifo)?.message, "is not an .xlsx workbook (not a zip file)")
            }
        }
    }

    /// Zip bombs: a part that claims more than deflate can give, a part larger than the memory
    /// limit, and a part whose stream inflates to more than it claims are all refused before
    /// (or while) inflating, never by running out of memory.
    func testZipBombsAreRefused() throws {
        let dir = try temporaryFolder()
        let original = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("orders.xlsx")))
        // The central directory entry of the sheet: its uncompressed size is at offset 24.
        func patched(_ size: UInt32) -> String {
            var b = original
            let name = Array("xl/worksheets/sheet1.xml".utf8)
            var p = 0
            while p + 46 < b.count {
                if b[p] == 0x50, b[p + 1] == 0x4B, b[p + 2] == 1, b[p + 3] == 2, Array(b[(p + 46)..<(p + 46 + name.count)]) == name { break }
                p += 1
            }
            for k in 0..<4 { b[p + 24 + k] = UInt8((size >> (8 * UInt32(k))) & 0xFF) }
            let path = dir.appendingPathComponent("bomb-\(size).xlsx").path
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(b)))
            return path
        }
        XCTAssertTrue(failure(patched(4_000_000_000))?.message.contains("more than deflate can; it is not a real workbook") == true)
        let small = failure(patched(10)) // claims fewer bytes than the stream gives
        XCTAssertEqual(small?.message, "is damaged: the zip entry xl/worksheets/sheet1.xml does not inflate (inflates to more than the size its directory states)")
        var o = CSVOptions()
        o.isCancelled = { false }
        XCTAssertThrowsError(try XLSXReader.read(path: Self.fixture("orders.xlsx"), options: o, memoryLimit: 1000)) {
            XCTAssertTrue(($0 as? LoadError)?.message.contains("more than the memory limit of") == true, "\($0)")
        }
    }

    /// A workbook of one sheet "S" written here, with `sheet` as the sheet's XML (wrapped in
    /// `<worksheet><sheetData>` unless `raw`) and `shared` as its shared strings; a stored zip
    /// made by clubsh's own `ZipWriter`, so each case is a few lines of XML.
    private func workbook(_ sheet: String, raw: Bool = false, shared: [String] = ["id"], sharedXML: String? = nil) throws -> String {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        var zip = ZipWriter()
        zip.add("xl/workbook.xml", Array("<?xml version=\"1.0\"?><workbook xmlns=\"\(main)\"><sheets><sheet name=\"S\" sheetId=\"1\"/></sheets></workbook>".utf8))
        zip.add("xl/sharedStrings.xml", Array((sharedXML ?? "<sst xmlns=\"\(main)\">" + shared.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>").utf8))
        zip.add("xl/worksheets/sheet1.xml", Array((raw ? sheet : "<?xml version=\"1.0\"?><worksheet xmlns=\"\(main)\"><sheetData>\(sheet)</sheetData></worksheet>").utf8))
        let path = try temporaryFolder().appendingPathComponent("w.xlsx").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(zip.finish())))
        return path
    }

    /// A sheet or part whose XML is cut short, or whose tags do not match, is a one-line error
    /// naming the part, never a table that silently holds fewer rows.
    func testDamagedSheetXMLIsAnError() throws {
        let head = "<?xml version=\"1.0\"?><worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"2\"><c r=\"A2\"><v>1</v></c></row>"
        let sheet = "is damaged: its sheet \"S\" (xl/worksheets/sheet1.xml) "
        let cases: [(String, String)] = [
            (head + "<row r=\"3\"><c r=\"A3\"><v>2", "ends inside <v>, in row 3"),
            (head + "<row r=\"3\"><c r=\"A3", "ends inside a tag, in row 3"),
            (head, "ends inside <sheetData>, after row 2"),
            (head + "</sheetData>", "ends inside <worksheet>"),
            (head + "<row r=\"3\"><c r=\"A3\"><v>2</v></row></sheetData></worksheet>", "closes <c> with </row>"),
            ("<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</sheetData></worksheet>", "closes <v> with </sheetData>"),
            (head + "</sheetData></worksheet></worksheet>", "has </worksheet> with no element open"),
            (head + "</sheetData></worksheet><worksheet/>", "has a second root element <worksheet>"),
            ("<?xml version=\"1.0\"?>", "holds no XML element"),
            ("", "holds no XML element"),
        ]
        for (xml, message) in cases {
            let e = failure(try workbook(xml, raw: true))
            XCTAssertEqual(e?.kind, .unreadable, message)
            XCTAssertEqual(e?.message, sheet + message)
            XCTAssertFalse(e?.description.contains("\n") ?? true)
        }
        // Another part cut short names that part.
        let e = failure(try workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>", sharedXML: "<sst><si><t>id</t></si><si><t>na"))
        XCTAssertEqual(e?.message, "is damaged: its part xl/sharedStrings.xml ends inside <t>")
        // Well-formed XML with prefixed names, comments and self-closed elements still loads.
        let fine = try XLSXReader.read(path: try workbook(
            "<x:worksheet xmlns:x=\"m\"><!-- c --><x:sheetData><x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"B1\"/></x:row>"
                + "<x:row r=\"2\"><x:c r=\"A2\"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>", raw: true)).table
        XCTAssertEqual(fine.columnNames, ["id"])
        XCTAssertEqual(fine.strings("id"), ["7"])
    }

    /// A shared-string index that is not an index of the table — negative, a fraction, too
    /// large for any workbook — is an error naming the cell, as one past the end is.
    func testSharedStringIndexThatIsNotAnIndex() throws {
        for (v, message) in [("99", "refers to shared string 99, but the workbook has 1"),
                             ("-1", "refers to shared string -1, but the workbook has 1"),
                             ("99999999999999999999999", "refers to shared string 99999999999999999999999, but the workbook has 1"),
                             ("0.5", "refers to shared string 0.5, which is not a whole number"),
                             ("x", "refers to shared string x, which is not a whole number")] {
            let path = try workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>\(v)</v></c></row>")
            XCTAssertEqual(failure(path)?.message, "is damaged: cell S!A2 \(message)", v)
        }
        // An index written with spaces or in CDATA is still an index.
        for v in [" 0 ", "<![CDATA[0]]>"] {
            let path = try workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>\(v)</v></c></row>")
            XCTAssertEqual(try XLSXReader.read(path: path).table.strings("id"), ["id"], v)
        }
    }

    /// A cell reference or row number beyond Excel's limits (column XFD, row 1,048,576) is an
    /// error naming the reference, never a cell moved to column A; the last cell loads.
    func testCellReferenceBeyondTheSheetsLimits() throws {
        let sheet = "is damaged: its sheet \"S\" "
        for (row, ref, message) in [("999999999999", "ZZZZZZZZZZ999999999999", "has a cell \"ZZZZZZZZZZ999999999999\", beyond column XFD, the last a sheet has"),
                                    ("2", "XFE2", "has a cell \"XFE2\", beyond column XFD, the last a sheet has"),
                                    ("2", "A1048577", "has a cell \"A1048577\", beyond row 1,048,576, the last a sheet has"),
                                    ("2", "B0", "has a cell \"B0\", in row 0; a sheet's rows start at 1"),
                                    ("2", "2B", "has a cell \"2B\", which is not a cell reference like C42"),
                                    ("2", "B", "has a cell \"B\", which is not a cell reference like C42")] {
            let path = try workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"\(row)\"><c r=\"\(ref)\"><v>1</v></c></row>")
            XCTAssertEqual(failure(path)?.message, sheet + message, ref)
        }
        let far = try workbook("<row r=\"1048577\"><c><v>1</v></c></row>")
        XCTAssertEqual(failure(far)?.message, sheet + "has a row numbered 1048577; a sheet's rows are 1 to 1,048,576")
        let last = try XLSXReader.read(path: try workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"XFD1\" t=\"inlineStr\"><is><t>z</t></is></c></row>"
            + "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>")).table
        XCTAssertEqual(last.columnNames, ["id", "z"])
        XCTAssertEqual(last.strings("z"), ["1"])
    }

    /// Random damage to a workbook — flipped bytes, cuts, bad offsets — gives an error or a
    /// table, never a crash or a hang.
    func testDamagedWorkbooksNeverCrash() throws {
        let dir = try temporaryFolder()
        let original = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("orders.xlsx")))
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) }
        let path = dir.appendingPathComponent("damaged.xlsx").path
        for round in 0..<300 {
            var b = original
            switch round % 3 {
            case 0: for _ in 0..<(1 + next() % 8) { b[next() % b.count] ^= UInt8(1 + next() % 255) }
            case 1: b = Array(b[0..<(next() % b.count)])
            default: let at = next() % (b.count - 4); for k in 0..<4 { b[at + k] = 0xFF }
            }
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(b)))
            if let e = failure(path) { XCTAssertFalse(e.description.contains("\n"), e.description) }
        }
    }

    // MARK: - Inflate and CRC-32 on their own

    func testCRC32KnownValues() {
        // The check value of CRC-32/ISO-HDLC for "123456789".
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        let long = [UInt8]((0..<1000).map { UInt8($0 & 0xFF) })
        XCTAssertEqual(CRC32.checksum(long), long.withUnsafeBufferPointer { p in
            CRC32.checksum(UnsafeBufferPointer(rebasing: p[500...]), continuing: CRC32.checksum(UnsafeBufferPointer(rebasing: p[..<500])))
        })
    }

    /// Streams made by Python's zlib (`zlib.compressobj(9, zlib.DEFLATED, -15)`): a fixed-Huffman
    /// block and a stored block. Dynamic blocks are in every fixture part, which the CRC-32 checks.
    func testInflateKnownStreams() throws {
        func inflate(_ hex: String, _ size: Int) throws -> [UInt8] {
            var bytes: [UInt8] = []
            var it = hex.makeIterator()
            while let a = it.next(), let b = it.next() { bytes.append(UInt8(String([a, b]), radix: 16)!) }
            return try bytes.withUnsafeBufferPointer { try Inflate.decode($0, expected: size) }
        }
        // zlib.compress(b"hello hello hello hello", wbits=-15)
        XCTAssertEqual(String(decoding: try inflate("cb48cdc9c957c8402701", 23), as: UTF8.self), "hello hello hello hello")
        // A stored block: 01 0500 faff "abcde"
        XCTAssertEqual(String(decoding: try inflate("010500faff6162636465", 5), as: UTF8.self), "abcde")
        XCTAssertThrowsError(try inflate("010500faff616263", 5))   // cut short
        XCTAssertThrowsError(try inflate("010500fbff6162636465", 5))   // damaged length
        XCTAssertThrowsError(try inflate("07", 5))   // reserved block type
    }
}

import Foundation
import XCTest
@testable import ClubKit

/// Every file of `Fixtures/Malformed` (and a few generated ones: huge fields, 10,000 columns,
/// random bytes, a directory, a missing file) loaded into a session that already holds a table.
/// Each gives the exact table it holds or a one-line error naming file:line:column, and the
/// session's table is untouched either way. Expected outcomes are worked out by hand from the
/// bytes (day numbers with Python's `datetime.date`); the reasoning for the less obvious ones
/// is beside them.
final class MalformedCorpusTests: XCTestCase {
    /// What loading a file must give.
    enum Outcome {
        /// A table: its column names and types, its row count, the full values of some columns,
        /// and a warning the load must print.
        case table(names: [String], types: [DataType], rows: Int, values: [String: [Value]] = [:], warning: String? = nil)
        /// An error: `line:column: message` after the file's path (or `: message` for the file as
        /// a whole).
        case error(String)
    }

    struct Case {
        var file: String
        /// `with` options of the load statement, if any.
        var with: String?
        var outcome: Outcome
        init(_ file: String, with: String? = nil, _ outcome: Outcome) {
            self.file = file
            self.with = with
            self.outcome = outcome
        }
    }

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Malformed")

    static let cases: [Case] = [
        // Ragged rows. The column of a long row is its first extra field; of a short row, just
        // after its last field.
        Case("ragged-long-row.csv", .error("3:7: row has 4 fields but the header has 3")),
        Case("ragged-short-row.csv", .error("2:4: row has 2 fields but the header has 3")),
        Case("ragged-no-header.csv", .error("2:5: row has 3 fields but the first row has 2")),
        Case("ragged-lenient.csv", with: "lenient", .table(names: ["a", "b"], types: [.int, .int], rows: 2, values: ["a": [.int(1), .int(4)]],
            warning: "skipped 2 rows that did not parse (line 3: row has 1 field but the header has 2; line 5: row has 3 fields but the header has 2)")),
        Case("trailing-delimiter.csv", .table(names: ["a", "b", "column3"], types: [.int, .int, .string], rows: 2, values: ["column3": [.null, .null]])),
        Case("blank-lines.csv", .table(names: ["a"], types: [.int], rows: 2, values: ["a": [.int(1), .int(2)]])),
        // Quotes.
        Case("quote-unterminated.csv", .error("2:3: unterminated quoted field (the quote opened here is never closed)")),
        Case("quote-unterminated-at-eof.csv", .error("2:1: unterminated quoted field (the quote opened here is never closed)")),
        Case("quote-text-after-closing.csv", .error("2:4: unexpected character after a closing quote (a quote inside a field must be doubled: \"\")")),
        Case("quote-stray-in-plain-field.csv", .table(names: ["id", "note"], types: [.int, .string], rows: 2, values: ["note": [.string("5\" screen"), .string("ok")]])),
        Case("quote-doubled.csv", .table(names: ["a"], types: [.string], rows: 2, values: ["a": [.string("say \"hi\""), .string("\"")]])),
        Case("quote-embedded-crlf.csv", .table(names: ["a", "b"], types: [.string, .int], rows: 1, values: ["a": [.string("line1\r\nline2")]])),
        Case("quote-empty-in-number-column.csv", .table(names: ["a", "b"], types: [.int, .int], rows: 2, values: ["b": [.null, .int(3)]])),
        Case("quote-padded.csv", .table(names: ["a", "b"], types: [.string, .int], rows: 1, values: ["a": [.string("x, y")]])),
        Case("markdown-fence-cell.csv", .table(names: ["a", "b"], types: [.int, .string], rows: 1, values: ["b": [.string("```clubsh\norders | count\n```")]])),
        // Byte-order marks. A second BOM is dropped from the header name; UTF-16 is not UTF-8
        // (its header is the first row: every field is text).
        Case("bom.csv", .table(names: ["id", "v"], types: [.int, .string], rows: 1, values: ["v": [.string("a")]])),
        Case("bom-only.csv", .table(names: [], types: [], rows: 0)),
        Case("bom-twice.csv", .table(names: ["id", "v"], types: [.string, .int], rows: 1, values: ["id": [.string("x")]])),
        Case("bom-utf16le.csv", .error("1:1: is UTF-16 text; save it as UTF-8 CSV")),
        // Line ends: CRLF, LF and lone CR in any mixture. A lone CR ends a line for positions too.
        Case("crlf.csv", .table(names: ["a", "b"], types: [.int, .string], rows: 2, values: ["b": [.string("x"), .string("y")]])),
        Case("crlf-and-lf-mixed.csv", .table(names: ["a", "b"], types: [.int, .string], rows: 3, values: ["b": [.string("x"), .string("y"), .string("z")]])),
        Case("lone-cr.csv", .table(names: ["a", "b"], types: [.int, .string], rows: 2, values: ["b": [.string("x"), .string("y")]])),
        Case("lone-cr-and-lf-mixed.csv", .table(names: ["a", "b"], types: [.int, .string], rows: 3, values: ["a": [.int(1), .int(2), .int(3)]])),
        Case("lone-cr-blank-lines.csv", .table(names: ["a"], types: [.int], rows: 2, values: ["a": [.int(1), .int(2)]])),
        Case("lone-cr-ragged.csv", .error("3:2: row has 1 field but the header has 2")),
        Case("no-final-newline.csv", .table(names: ["a", "b"], types: [.int, .int], rows: 1, values: ["b": [.int(2)]])),
        // NUL bytes are valid UTF-8 and kept; in a header name they become `_`.
        // A NUL byte among the first 64 KiB: a binary file, refused where the NUL stands.
        Case("nul-in-text.csv", .error("2:4: a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")),
        Case("nul-in-number.csv", .error("3:2: a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")),
        Case("nul-only.csv", .error("1:1: a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")),
        Case("nul-in-header.csv", .error("1:2: a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")),
        // Invalid UTF-8: the first bad byte, its line and its character column.
        Case("utf8-invalid-in-text.csv", .error("3:3: invalid UTF-8 (byte 0xC3); save the file as UTF-8")),
        Case("utf8-invalid-in-header.csv", .error("1:2: invalid UTF-8 (byte 0xFF); save the file as UTF-8")),
        Case("utf8-overlong.csv", .error("2:1: invalid UTF-8 (byte 0xC0); save the file as UTF-8")),
        Case("utf8-surrogate.csv", .error("2:1: invalid UTF-8 (byte 0xED); save the file as UTF-8")),
        Case("utf8-truncated-at-eof.csv", .error("2:2: invalid UTF-8 (byte 0xE2); save the file as UTF-8")),
        Case("utf8-invalid-in-number-column.csv", .error("3:1: invalid UTF-8 (byte 0xFF); save the file as UTF-8")),
        Case("utf8-multibyte.csv", .table(names: ["name", "city"], types: [.string, .string], rows: 2, values: ["city": [.string("تهران"), .string("Zürich")]])),
        Case("utf8-error-after-multibyte.csv", .error("2:4: invalid UTF-8 (byte 0xFF); save the file as UTF-8")),
        // Integers beyond 64 bits stay text, with a warning; the limits themselves are integers.
        Case("int-beyond-64-bits.csv", .table(names: ["id", "n"], types: [.string, .int], rows: 2,
            values: ["id": [.string("12345678901234567890"), .string("12345678901234567891")]], warning: "column id: integers beyond 64 bits kept as text")),
        Case("int-beyond-64-bits-negative.csv", .table(names: ["v"], types: [.string], rows: 2,
            values: ["v": [.string("1"), .string("-99999999999999999999")]], warning: "column v: integers beyond 64 bits kept as text")),
        Case("int-beyond-64-bits-declared-double.csv", with: "types (id: double)", .table(names: ["id"], types: [.double], rows: 1, values: ["id": [.double(12345678901234567890.0)]])),
        Case("int-beyond-64-bits-declared-int.csv", with: "types (id: int)", .error("3:1: `12345678901234567890` is not a valid int for column `id` (declared in types)")),
        Case("int64-limits.csv", .table(names: ["v"], types: [.int], rows: 2, values: ["v": [.int(-9223372036854775807 - 1), .int(9223372036854775807)]])),
        Case("int-leading-zeros.csv", .table(names: ["v"], types: [.int], rows: 2, values: ["v": [.int(7), .int(1)]])),
        Case("int32-limits.csv", .table(names: ["v"], types: [.int], rows: 3, values: ["v": [.int(2147483647), .int(-2147483648), .int(2147483648)]])),
        // Floats: overflow is ±infinity, NaN text is text (an error when declared double).
        Case("float-overflow.csv", .table(names: ["x"], types: [.double], rows: 3, values: ["x": [.double(1.5), .double(.infinity), .double(-.infinity)]])),
        Case("float-underflow.csv", .table(names: ["x"], types: [.double], rows: 2, values: ["x": [.double(0), .double(2.5)]])),
        Case("float-inf-text.csv", .table(names: ["x"], types: [.double], rows: 3, values: ["x": [.double(.infinity), .double(-.infinity), .double(3)]])),
        Case("float-nan-text.csv", .table(names: ["x"], types: [.string], rows: 2, values: ["x": [.string("1.5"), .string("nan")]])),
        Case("float-nan-declared.csv", with: "types (x: double)", .error("3:1: `NaN` is not a valid double for column `x` (declared in types)")),
        Case("float-huge-exponent.csv", .table(names: ["x"], types: [.double], rows: 2, values: ["x": [.double(.infinity), .double(-2)]])),
        Case("float-long-mantissa.csv", .table(names: ["x"], types: [.double], rows: 1, values: ["x": [.double(0.1)]])),
        Case("float-hex.csv", .table(names: ["x"], types: [.string], rows: 2, values: ["x": [.string("0x1p3"), .string("1")]])),
        // `;` splits every line the same way, `,` does not: the comma is part of the value.
        Case("decimal-comma-semicolon.csv", .table(names: ["a", "b"], types: [.string, .int], rows: 1, values: ["a": [.string("1,5")]])),
        // Dates: no day that does not exist, years 0001–9999, the POSIX pivot for `yy`.
        Case("date-feb-30.csv", .table(names: ["d"], types: [.string], rows: 2, values: ["d": [.string("2024-01-31"), .string("2023-02-30")]])),
        Case("date-month-13.csv", .table(names: ["d", "n"], types: [.string, .int], rows: 1)),
        Case("date-declared-impossible.csv", with: "types (d: date)", .error("3:1: `2023-02-29` is not a valid date for column `d` (declared in types)")),
        // The value in an error is shown on one line.
        Case("declared-multiline-value.csv", with: "types (d: date)", .error("2:2: `2024-01-01\\nlater` is not a valid date for column `d` (declared in types)")),
        Case("date-years-0001-9999.csv", .table(names: ["d"], types: [.date], rows: 2, values: ["d": [.date(2932896), .date(-719162)]])),
        Case("date-year-0000.csv", .table(names: ["d", "n"], types: [.string, .int], rows: 1)),
        Case("date-1900-not-leap.csv", .table(names: ["d"], types: [.string], rows: 2, values: ["d": [.string("2000-02-29"), .string("1900-02-29")]])),
        Case("datetime-hour-24.csv", .table(names: ["t"], types: [.string], rows: 2)),
        Case("yy-pivot.csv", with: "date_format \"dd/MM/yy\"", .table(names: ["d"], types: [.date], rows: 4, values: ["d": [.date(10956), .date(10957), .date(35960), .date(-200)]])),
        Case("yy-not-leap.csv", with: "date_format \"dd/MM/yy\"", .table(names: ["d"], types: [.string], rows: 2)),
        // 20240230 is no day, so the column is not a date column: both values are integers.
        Case("yyyymmdd-impossible.csv", with: "date_format \"yyyyMMdd\"", .table(names: ["d"], types: [.int], rows: 2, values: ["d": [.int(20240131), .int(20240230)]])),
        // Header names: unique, reachable.
        Case("header-duplicates.csv", .table(names: ["a", "a_3", "a_2"], types: [.int, .int, .int], rows: 1, values: ["a_3": [.int(2)], "a_2": [.int(3)]])),
        Case("header-empty-names.csv", with: "header true", .table(names: ["column1", "column2", "column3"], types: [.int, .int, .int], rows: 1)),
        Case("header-duplicates-and-empty.csv", .table(names: ["x", "column2", "x_2", "column4"], types: [.string, .string, .string, .string], rows: 1,
            values: ["x_2": [.string("s")]])),
        Case("header-backquote-newline.csv", .table(names: ["a_b", "c'd"], types: [.string, .string], rows: 1, values: ["c'd": [.string("y")]])),
        Case("header-only.csv", .table(names: ["a", "b", "c"], types: [.string, .string, .string], rows: 0)),
        Case("header-only-no-newline.csv", .table(names: ["a", "b", "c"], types: [.string, .string, .string], rows: 0)),
        // Empty and odd files. A line of spaces is one empty field: one row, null.
        Case("empty.csv", .table(names: [], types: [], rows: 0)),
        Case("only-newlines.csv", .table(names: [], types: [], rows: 0)),
        Case("only-spaces.csv", .table(names: ["column1"], types: [.string], rows: 1, values: ["column1": [.null]])),
        // Found by the fuzzer (read in three chunks, it leaked each chunk's outcome; see
        // LoaderHazardTests.testAChunkedLoadReleasesItsChunks).
        Case("fuzz-leak-quoted-newlines.csv", .table(names: ["id", "note"], types: [.int, .string], rows: 4,
            values: ["note": [.string("a\nb"), .string("c\"d"), .string("x"), .string("")]])),
        Case("png-header.bin", .error("3:1: a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")),
        Case("tab-quoted.tsv", .table(names: ["name", "note"], types: [.string, .string], rows: 2, values: ["note": [.string("a, b"), .null]])),
    ]

    /// Five orders, the table every load must leave as it was.
    private func sessionWithOrders() throws -> Session {
        try makeSession(["orders": smallOrders])
    }

    /// Loads `path` into a session holding `orders` and checks `outcome`: a failed load is
    /// tried under the name `orders` (which it must not replace), a good one under `loaded`.
    private func check(_ path: String, with: String?, _ outcome: Outcome, file: StaticString = #filePath, line: UInt = #line) throws {
        let session = try sessionWithOrders()
        let before = session.catalog.tables["orders"]!
        let options = with.map { " with \($0)" } ?? ""
        let label = (path as NSString).lastPathComponent
        switch outcome {
        case .error(let expected):
            let d = session.error("load \"\(path)\" as orders\(options)")
            XCTAssertEqual(d?.message, "cannot load \(path)\(expected.hasPrefix(":") ? "" : ":")\(expected)", label, file: file, line: line)
        case .table(let names, let types, let rows, let values, let warning):
            var outputs: [Output] = []
            do { outputs = try session.runAll("load \"\(path)\" as loaded\(options)") } catch {
                return XCTFail("\(label): \((error as? Diagnostic)?.message ?? "\(error)")", file: file, line: line)
            }
            guard let t = session.catalog.tables["loaded"] else { return XCTFail("\(label): no table", file: file, line: line) }
            XCTAssertEqual(t.columnNames, names, label, file: file, line: line)
            XCTAssertEqual(t.columns.map(\.type), types, label, file: file, line: line)
            XCTAssertEqual(t.rowCount, rows, label, file: file, line: line)
            for (name, expected) in values { XCTAssertEqual(t.column(name)?.values, expected, "\(label): \(name)", file: file, line: line) }
            let warnings = outputs.compactMap { if case .warning(let w) = $0 { return w } else { return nil } }
            XCTAssertEqual(warnings, warning.map { [$0] } ?? [], label, file: file, line: line)
            // No float column of any file holds NaN.
            for c in t.columns where c.type == .double {
                XCTAssertFalse(c.values.contains { if case .double(let d) = $0 { return d.isNaN } else { return false } }, label, file: file, line: line)
            }
        }
        XCTAssertEqual(session.catalog.tableOrder.first, "orders", label, file: file, line: line)
        let after = session.catalog.tables["orders"]
        XCTAssertEqual(after?.columnNames, before.columnNames, label, file: file, line: line)
        XCTAssertEqual(after?.rowCount, 5, label, file: file, line: line)
        for name in before.columnNames { XCTAssertEqual(after?.column(name)?.values, before.column(name)?.values, label, file: file, line: line) }
    }

    /// Every file of the corpus, each with its expected outcome; every file has one.
    func testEveryMalformedFileLoadsRightOrFailsClearly() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 60)
        XCTAssertEqual(files, Self.cases.map(\.file).sorted(), "every corpus file has an expectation, and the other way round")
        for c in Self.cases {
            try check(Self.corpus.appendingPathComponent(c.file).path, with: c.with, c.outcome)
        }
    }

    /// A folder of its own for generated files.
    private func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-malformed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Files too large to commit, generated here: huge fields, 10,000 columns, random bytes,
    /// and things that are not files.
    func testGeneratedMalformedInputs() throws {
        let dir = try temporaryFolder()
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = dir.appendingPathComponent(name).path
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw CocoaError(.fileWriteUnknown) }
            return path
        }
        // A 16 MiB quoted field with commas and newlines, and a 16 MiB plain one.
        let big = 16 << 20
        var quoted = Array("id,blob\n1,\"".utf8)
        quoted += (0..<big).map { (i: Int) -> UInt8 in
            if i % 1000 == 999 { return 10 }
            return i % 7 == 0 ? 44 : 97 + UInt8(i % 26)
        }
        quoted += Array("\"\n2,x\n".utf8)
        try check(try write("huge-quoted.csv", quoted), with: nil, .table(names: ["id", "blob"], types: [.int, .string], rows: 2, values: ["id": [.int(1), .int(2)]]))
        let plain = Array("id,blob\n1,".utf8) + [UInt8](repeating: 98, count: big) + Array("\n".utf8)
        try check(try write("huge-plain.csv", plain), with: nil, .table(names: ["id", "blob"], types: [.int, .string], rows: 1))
        // A million digits: an integer beyond 64 bits, kept as text; 300 digits and a
        // fraction: a finite float; 400 nines with an exponent: infinity.
        let digits = Array("n\n".utf8) + [UInt8](repeating: 55, count: 1_000_000) + Array("\n1\n".utf8)
        try check(try write("huge-integer.csv", digits), with: nil, .table(names: ["n"], types: [.string], rows: 2, warning: "column n: integers beyond 64 bits kept as text"))
        let longFloat = "x\n" + String(repeating: "1", count: 300) + ".5\n" + String(repeating: "9", count: 400) + "e9\n"
        try check(try write("long-float.csv", Array(longFloat.utf8)), with: nil,
                  .table(names: ["x"], types: [.double], rows: 2, values: ["x": [.double(1.1111111111111111e299), .double(.infinity)]]))
        // 10,000 columns with a header, and 10,000 empty fields without one.
        let width = 10_000
        var wide = (1...width).map { "c\($0)" }.joined(separator: ",") + "\n"
        wide += (1...width).map { "\($0)" }.joined(separator: ",") + "\n"
        try check(try write("wide.csv", Array(wide.utf8)), with: nil,
                  .table(names: (1...width).map { "c\($0)" }, types: [DataType](repeating: .int, count: width), rows: 1, values: ["c10000": [.int(10_000)]]))
        let commas = [UInt8](repeating: 44, count: width - 1) + [10]
        try check(try write("commas.csv", commas), with: nil,
                  .table(names: (1...width).map { "column\($0)" }, types: [DataType](repeating: .string, count: width), rows: 1, values: ["column1": [.null]]))
        // A header of 10,000 copies of one name.
        let same = [String](repeating: "a", count: width).joined(separator: ",") + "\n" + [String](repeating: "x", count: width).joined(separator: ",") + "\n"
        let names = ["a"] + (2...width).map { "a_\($0)" }
        try check(try write("same-names.csv", Array(same.utf8)), with: "header true",
                  .table(names: names, types: [DataType](repeating: .string, count: width), rows: 1))
        // Random bytes (a fixed seed): invalid UTF-8, reported where it is.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let random = (0..<65_536).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let path = try write("random.bin", random)
        let session = try sessionWithOrders()
        let message = session.error("load \"\(path)\" as orders")?.message ?? ""
        XCTAssertNotNil(message.range(of: #"^cannot load \S+/random\.bin:[0-9]+:[0-9]+: (invalid UTF-8 \(byte 0x[0-9A-F]{2}\); save the file as UTF-8|.+)$"#, options: .regularExpression), message)
        XCTAssertFalse(message.contains("\n"))
        XCTAssertEqual(session.catalog.tables["orders"]?.rowCount, 5)
        // Not files.
        try check(dir.path, with: nil, .error(": is a directory, not a file"))
        try check(dir.appendingPathComponent("missing.csv").path, with: nil, .error(": no such file"))
    }
}

/// Files that are not regular (FIFOs, /proc) are read as streams: their table, and the
/// session's other tables untouched.
final class NonRegularFileLoadTests: XCTestCase {
    func testProcFile() throws {
        guard FileManager.default.fileExists(atPath: "/proc/cpuinfo") else { throw XCTSkip("no /proc") }
        let session = try makeSession(["orders": smallOrders])
        // /proc/cpuinfo reports a size of 0 but holds a "processor : N" line per core.
        try session.runAll("load \"/proc/cpuinfo\" as cpu with delim \":\", header false, lenient")
        let cpu = try XCTUnwrap(session.catalog.tables["cpu"])
        let processors = cpu.strings("column1").filter { $0.hasPrefix("processor") }.count
        XCTAssertEqual(processors, ProcessInfo.processInfo.processorCount)
        XCTAssertEqual(session.catalog.tables["orders"]?.rowCount, 5)
    }

    func testFIFO() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.csv").path
        guard mkfifo(fifo, 0o600) == 0 else { throw XCTSkip("no FIFOs here") }
        // The writer opens when the loader does, writes and closes; a loader that closes early
        // must not end the test with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let text = Array("a,b\n1,x\n2,y\n".utf8)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("load \"\(fifo)\" as piped")
        XCTAssertEqual(session.catalog.tables["piped"]?.strings("b"), ["x", "y"])
        XCTAssertEqual(session.catalog.tables["orders"]?.rowCount, 5)
    }
}

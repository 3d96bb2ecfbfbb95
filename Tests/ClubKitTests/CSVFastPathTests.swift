import XCTest
@testable import ClubKit

/// The loader's fast paths — separators 64 bytes at a time, plain records stored a batch and a
/// column at a time, short numbers, ISO dates and short texts read as words — give exactly what
/// the general paths give, at the edges where a word or a block ends.
final class CSVFastPathTests: XCTestCase {
    private func load(_ text: String, _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> LoadResult {
        var o = CSVOptions()
        configure(&o)
        return try CSVReader.read(text: text, path: "f.csv", options: o)
    }

    private func isoDay(_ s: String) -> Int32? {
        var s = s
        return s.withUTF8 { FieldParsing.isoDay($0) }
    }

    /// Day numbers from Python: `(date(y, m, d) - date(1970, 1, 1)).days`.
    func testISODateFastPathEdges() {
        XCTAssertEqual(isoDay("9999-12-31"), 2_932_896)
        XCTAssertEqual(isoDay("0001-01-01"), -719_162)
        XCTAssertEqual(isoDay("2024-02-29"), 19782)
        XCTAssertEqual(isoDay("2000-02-29"), 11016)
        XCTAssertEqual(isoDay("2023-01-13"), 19370)
        XCTAssertEqual(isoDay("1900-02-28"), -25509)
        for notADay in ["2024-02-30", "0000-01-01", "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10",
                        "2024-01-00", "2024-01-32", "2024/01/01", "2024-1-011", "2024-01-1", "2024-01-011", "2024-01-0:",
                        "2024-01-0/", "2024-0a-01", "+024-01-01", "2024-01-01 ", "۲۰۲۴-۰۱-۰۱", ""] {
            XCTAssertNil(isoDay(notADay), notADay)
        }
    }

    /// Every year of a few, every month 0–13 and day 0–32, and every byte in every position of
    /// one date: the word-at-a-time reading agrees with `DateParser.isoDate`.
    func testISODateFastPathAgreesWithTheGeneralParser() {
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        for y in [0, 1, 4, 100, 400, 1582, 1900, 1970, 2000, 2023, 2024, 2100, 9996, 9999] {
            for m in 0...13 {
                for d in 0...32 {
                    let s = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
                    XCTAssertEqual(isoDay(s), DateParser.isoDate(s), s)
                }
            }
        }
        let base = Array("2024-06-15".utf8)
        for at in 0..<10 {
            for b in 0...255 {
                var bytes = base
                bytes[at] = UInt8(b)
                bytes.withUnsafeBufferPointer { p in
                    XCTAssertEqual(FieldParsing.isoDay(p), DateParser.isoDate(p), "byte \(b) at \(at)")
                }
            }
        }
    }

    /// Short fields read as one word give what `parseInt` and `parseDouble` give, bit for bit,
    /// or nothing; a field too near the buffer's end for a word is left to them.
    func testShortNumbersAgreeWithTheGeneralParsers() {
        let alphabet = Array("0123456789.+-e x".utf8)
        var seed: UInt64 = 0x2545F4914F6CDD1D
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        var readFast = 0
        for _ in 0..<200_000 {
            let n = 1 + next(9)
            var bytes = (0..<n).map { _ in next(3) == 0 ? alphabet[next(alphabet.count)] : alphabet[next(11)] }
            let tail = next(10)
            bytes += [UInt8](repeating: 0x2C, count: tail)
            bytes.withUnsafeBufferPointer { file in
                let field = UnsafeBufferPointer(rebasing: file[0..<n])
                let text = String(decoding: field, as: UTF8.self)
                if let v = FieldParsing.shortInt(file, 0, n) {
                    XCTAssertEqual(v, FieldParsing.parseInt(field), text)
                    readFast += 1
                }
                if let v = FieldParsing.shortDecimal(file, 0, n) {
                    XCTAssertEqual(v.bitPattern, FieldParsing.parseDouble(field)?.bitPattern, text)
                }
                // Room for a word and only digits (and one dot): the fast path must read it.
                if n <= 8 && file.count >= 8 && field.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                    XCTAssertNotNil(FieldParsing.shortInt(file, 0, n), text)
                }
            }
        }
        XCTAssertGreaterThan(readFast, 1000)

        func decimal(_ s: String, room: Int = 8) -> Double? {
            let bytes = Array(s.utf8) + [UInt8](repeating: 10, count: room)
            return bytes.withUnsafeBufferPointer { FieldParsing.shortDecimal($0, 0, s.utf8.count) }
        }
        XCTAssertEqual(decimal("52.59"), 5259.0 / 100)
        XCTAssertEqual(decimal(".5"), 0.5)
        XCTAssertEqual(decimal("7."), 7)
        XCTAssertEqual(decimal("16248.27"), 1624827.0 / 100)
        XCTAssertEqual(decimal("00000000"), 0)
        XCTAssertEqual(decimal("99999999"), 99_999_999)
        XCTAssertNil(decimal("1.2.3"))
        XCTAssertNil(decimal("."))
        XCTAssertNil(decimal("123456789"), "nine bytes are the general parser's")
        XCTAssertNil(decimal("52.59", room: 0), "a field at the file's end is the general parser's")
        XCTAssertNil(decimal("-5.5"))
    }

    /// Records longer than a 64-byte block, with fields of exactly 8, 16 and 32 bytes starting
    /// at every offset across a block edge, and quotes and line ends on the edge.
    func testFieldsAcrossBlockEdges() throws {
        for width in [8, 16, 32] {
            var text = "lead,value,n\n"
            var expected: [(String, String, Int)] = []
            for k in 0..<72 {
                let lead = String(repeating: "a", count: k)
                let value = String((0..<width).map { i in Character(UnicodeScalar(UInt8(98 + (i + k) % 24))) })
                text += "\(lead),\(value),\(k)\(k % 3 == 0 ? "\r\n" : "\n")"
                expected.append((lead, value, k))
            }
            // A quoted field whose quote sits on each byte around the first block edge.
            for k in 60..<68 {
                let lead = String(repeating: "q", count: k)
                text += "\(lead),\"x,\(width)\",\(k)\n"
                expected.append((lead, "x,\(width)", k))
            }
            let t = try load(text).table
            XCTAssertEqual(t.rowCount, expected.count)
            for (r, e) in expected.enumerated() {
                XCTAssertEqual(t.column("lead")?.value(at: r), e.0.isEmpty ? .null : .string(e.0), "width \(width) row \(r)")
                XCTAssertEqual(t.column("value")?.value(at: r), .string(e.1), "width \(width) row \(r)")
                XCTAssertEqual(t.column("n")?.value(at: r), .int(Int64(e.2)), "width \(width) row \(r)")
            }
        }
    }

    /// Integers, decimals, dates and texts over several batches, with a misfit, an empty field
    /// and Persian digits in the middle of one: the values, types and nulls of the whole column.
    func testBatchesWithMisfitsAndNulls() throws {
        var text = "id,amount,day,channel,late\n"
        for i in 0..<1000 {
            let amount = i == 333 ? "" : "\(i).\(i % 100 < 10 ? "0" : "")\(i % 100)"
            let id = i == 517 ? "۵۱۷" : "\(i)"
            let late = i == 700 ? "7.5" : (i == 900 ? "n/a" : "\(i)")
            text += "\(id),\(amount),2024-01-\(i % 28 + 1 < 10 ? "0" : "")\(i % 28 + 1),\(["web", "app", "store"][i / 7 % 3]),\(late)\n"
        }
        let t = try load(text).table
        XCTAssertEqual(t.columns.map(\.type), [.int, .double, .date, .string, .string])
        XCTAssertEqual(t.column("id")?.value(at: 517), .int(517))
        XCTAssertEqual(t.column("amount")?.value(at: 333), .null)
        XCTAssertEqual(t.column("amount")?.nullCount, 1)
        XCTAssertEqual(t.column("amount")?.value(at: 334), .double(33434.0 / 100))
        XCTAssertEqual(t.column("amount")?.value(at: 5), .double(505.0 / 100))
        XCTAssertEqual(t.column("day")?.value(at: 29), .date(Int32(19723 + 1)))  // 2024-01-02: Python's date(2024, 1, 2)
        XCTAssertEqual(t.column("channel")?.value(at: 20), .string("store"))
        XCTAssertEqual(t.column("late")?.value(at: 700), .string("7.5"))
        XCTAssertEqual(t.column("late")?.value(at: 699), .string("699"))
        for r in stride(from: 0, to: 1000, by: 37) {
            XCTAssertEqual(t.column("id")?.value(at: r), .int(Int64(r)))
            XCTAssertEqual(t.column("channel")?.value(at: r), .string(["web", "app", "store"][r / 7 % 3]))
        }
    }

    /// A declared column's bad rows in the middle of a batch are skipped when lenient (the rows
    /// after them keep their own nulls), and name their line when not.
    func testBadRowsInsideABatch() throws {
        var text = "n,note\n"
        for i in 0..<300 { text += "\(i == 150 || i == 151 ? "x\(i)" : "\(i)"),\(i % 2 == 0 ? "" : "odd")\n" }
        let r = try load(text) { $0.types = ["n": .int]; $0.lenient = true }
        XCTAssertEqual(r.skippedRows, 2)
        XCTAssertEqual(r.skipped.map(\.line), [152, 153])
        XCTAssertEqual(r.table.rowCount, 298)
        let n = try XCTUnwrap(r.table.column("n")), note = try XCTUnwrap(r.table.column("note"))
        for row in 0..<298 {
            let i = row < 150 ? row : row + 2
            XCTAssertEqual(n.value(at: row), .int(Int64(i)))
            XCTAssertEqual(note.value(at: row), i % 2 == 0 ? .null : .string("odd"), "row \(row)")
        }
        XCTAssertEqual(note.nullCount, 149)
        XCTAssertThrowsError(try load(text) { $0.types = ["n": .int] }) {
            XCTAssertEqual(($0 as? LoadError)?.description, "f.csv:152:1: `x150` is not a valid int for column `n` (declared in types)")
        }
        // Invalid UTF-8 in a text column after another text column, inside a batch.
        var bytes = Array("a,b,c\n".utf8)
        for i in 0..<200 { bytes += Array("a\(i % 5),\(i),b\(i % 3)\n".utf8) }
        bytes += Array("a1,7,b".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        for i in 0..<50 { bytes += Array("a\(i),\(i),b\n".utf8) }
        let e = bytes.withUnsafeBufferPointer { p -> LoadError? in
            do { _ = try CSVReader.read(bytes: p, path: "u.csv", options: CSVOptions()); return nil } catch { return error as? LoadError }
        }
        XCTAssertEqual(e?.description, "u.csv:202:7: invalid UTF-8 (byte 0xC3); save the file as UTF-8")
    }

    /// Texts that share their first or last eight bytes, differ only in length, or repeat in runs
    /// across chunk cuts: each chunk's last-value check and table keep them apart, in parallel.
    func testShortTextsAcrossChunksAndThreads() throws {
        let values = ["web", "app", "", "abcdefgh", "abcdefghi", "xabcdefgh", "abcdefgh12345678", "abcdefgh02345678",
                      "abcdefgh123456789", "abcdefgh123456788", "a", "aa", "aaaa", "aaaaa", "aaaaaaaa", "aaaaaaaaa",
                      "مشهد", "تبریز", "Zoë"]
        var text = "k,v\n"
        var expected: [String] = []
        for i in 0..<6000 {
            let v = values[(i / (1 + i % 4)) % values.count]
            expected.append(v)
            text += "\(i),\(v.isEmpty ? "\"\"" : v)\n"
        }
        for chunks in [1, 3, 7] {
            let t = try load(text) { $0.chunks = chunks }.table
            let v = try XCTUnwrap(t.column("v"))
            for (r, e) in expected.enumerated() { XCTAssertEqual(v.value(at: r), .string(e), "chunks \(chunks) row \(r)") }
        }
    }
}

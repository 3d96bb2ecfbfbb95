import XCTest
@testable import ClubKit

final class CSVReaderTests: XCTestCase {
    private func read(_ text: String, _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> Table {
        var o = CSVOptions()
        configure(&o)
        return try CSVReader.read(text: text, path: "t.csv", options: o).table
    }

    private func failure(_ text: String, _ configure: (inout CSVOptions) -> Void = { _ in }) -> LoadError? {
        do { _ = try read(text, configure); return nil } catch { return error as? LoadError }
    }

    func testTypeInferenceOverTheWholeColumn() throws {
        let t = try read("i,f,b,d,dt,s,late\n1,1.5,true,2024-01-31,2024-01-31T09:30,x,1\n2,2,false,2024-02-01,2024-02-01 10:00:05,y,1.5\n")
        XCTAssertEqual(t.columns.map(\.type), [.int, .double, .bool, .date, .datetime, .string, .double])
        // A float appearing late makes the whole column a double, read exactly.
        XCTAssertEqual(t.column("late")?.value(at: 0), .double(1))
        XCTAssertEqual(t.column("f")?.value(at: 0), .double(1.5))
    }

    func testEmptyFieldIsNullAndQuotedEmptyIsText() throws {
        let t = try read("a,b\n1,\"\"\n,x\n")
        XCTAssertEqual(t.column("a")?.value(at: 1), .null)
        XCTAssertEqual(t.column("b")?.value(at: 0), .string(""))
    }

    func testQuotingDoubledQuotesEmbeddedDelimitersAndNewlines() throws {
        let t = try read("name,note\n\"Noor & Sons, Ltd\",\"said \"\"hi\"\"\nthen left\"\n")
        XCTAssertEqual(t.column("name")?.value(at: 0), .string("Noor & Sons, Ltd"))
        XCTAssertEqual(t.column("note")?.value(at: 0), .string("said \"hi\"\nthen left"))
    }

    func testCRLFAndBOM() throws {
        let t = try read("\u{FEFF}id,v\r\n1,a\r\n2,b\r\n")
        XCTAssertEqual(t.columnNames, ["id", "v"])
        XCTAssertEqual(t.rowCount, 2)
        XCTAssertEqual(t.column("v")?.value(at: 1), .string("b"))
    }

    /// Lines ending in a lone carriage return (old Mac files) are records too.
    func testLoneCarriageReturns() throws {
        for chunks in [1, 2] {
            var o = CSVOptions()
            o.chunks = chunks
            let t = try CSVReader.read(text: "a,b\r1,x\r2,y\r3,z", path: "cr.csv", options: o).table
            XCTAssertEqual(t.rowCount, 3)
            XCTAssertEqual(t.column("b")?.value(at: 2), .string("z"))
        }
    }

    func testDelimiterSniffing() throws {
        XCTAssertEqual(try read("a;b\n1;2\n").columnNames, ["a", "b"])
        XCTAssertEqual(try read("a\tb\n1\t2\n").columnNames, ["a", "b"])
        XCTAssertEqual(try read("a|b\n1|2\n").columnNames, ["a", "b"])
    }

    func testWhitespaceDelimiterWithoutHeaderAndDateFormat() throws {
        // The CDNOW layout: customer, id, yyyyMMdd date, CDs, dollars.
        let t = try read("   00001 00001 19970101 1  11.77\n   00002 00002 19970112 1  12.00\n") {
            $0.delimiter = .whitespace
            $0.header = false
            $0.dateFormat = "yyyyMMdd"
        }
        XCTAssertEqual(t.columnNames, ["column1", "column2", "column3", "column4", "column5"])
        XCTAssertEqual(t.columns[2].type, .date)
        XCTAssertEqual(t.columns[2].value(at: 0), .date(Int32(CivilDate.days(year: 1997, month: 1, day: 1))))
        XCTAssertEqual(t.columns[0].value(at: 1), .int(2))
    }

    func testNamesReplaceTheGeneratedOnes() throws {
        let t = try read("1,2\n3,4\n") { $0.header = false; $0.names = ["x", "y"] }
        XCTAssertEqual(t.columnNames, ["x", "y"])
        XCTAssertEqual(t.rowCount, 2)
    }

    func testHeaderDetection() throws {
        XCTAssertEqual(try read("id,amount\n1,2.5\n").rowCount, 1, "a text first row over numbers is a header")
        XCTAssertEqual(try read("1,2.5\n3,4\n").rowCount, 2, "numbers in the first row are data")
        XCTAssertEqual(try read("1,2.5\n3,4\n").columnNames, ["column1", "column2"])
    }

    func testDeclaredTypes() throws {
        let t = try read("code,when\n007,2024-01-01\n") { $0.types = ["code": .string, "when": .datetime] }
        XCTAssertEqual(t.column("code")?.value(at: 0), .string("007"))
        XCTAssertEqual(t.column("when")?.type, .datetime)
    }

    func testDuplicateAndEmptyHeaderNames() throws {
        XCTAssertEqual(try read("a,a,\nx,y,z\n").columnNames, ["a", "a_2", "column3"])
    }

    func testStringsAreDictionaryEncoded() throws {
        let t = try read("c\nweb\napp\nweb\nweb\n")
        guard case .string(let codes, let dict) = t.columns[0].storage else { return XCTFail() }
        XCTAssertEqual(dict.values, ["web", "app"])
        XCTAssertEqual(codes, [0, 1, 0, 0])
    }

    // MARK: - One case per bad input

    func testMissingFile() {
        XCTAssertThrowsError(try CSVReader.read(path: "/nonexistent/orders.csv")) {
            XCTAssertEqual(($0 as? LoadError)?.description, "/nonexistent/orders.csv: no such file")
            XCTAssertEqual(($0 as? LoadError)?.kind, .noSuchFile)
        }
    }

    func testRaggedRow() {
        let e = failure("a,b,c\n1,2,3\n4,5,6,7\n")
        XCTAssertEqual(e?.description, "t.csv:3:7: row has 4 fields but the header has 3")
        let short = failure("a,b,c\n1,2\n")
        XCTAssertEqual(short?.line, 2)
        XCTAssertEqual(short?.message, "row has 2 fields but the header has 3")
    }

    func testUnterminatedQuote() {
        let e = failure("a,b\n1,\"open\n2,3\n")
        XCTAssertEqual(e?.line, 2)
        XCTAssertEqual(e?.column, 3)
        XCTAssertTrue(e?.message.contains("unterminated quoted field") ?? false)
    }

    func testInvalidUTF8() throws {
        var bytes = Array("a,b\n1,ok\n2,".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("x\n".utf8)
        let e = bytes.withUnsafeBufferPointer { p -> LoadError? in
            do { _ = try CSVReader.read(bytes: p, path: "u.csv", options: CSVOptions()); return nil } catch { return error as? LoadError }
        }
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.column, 3)
        XCTAssertTrue(e?.message.hasPrefix("invalid UTF-8") ?? false)
    }

    func testValueBreakingADeclaredType() {
        let e = failure("id,joined\n1,2024-01-01\n2,soon\n") { $0.types = ["joined": .date] }
        XCTAssertEqual(e?.description, "t.csv:3:3: `soon` is not a valid date for column `joined` (declared in types)")
    }

    func testTextAfterClosingQuote() {
        XCTAssertEqual(failure("a\n\"x\"y\n")?.line, 2)
    }

    /// A failed load says what kind of failure it is; the session acts on the kind, not the text.
    func testEachBadInputHasItsKind() {
        let cases: [(String, (inout CSVOptions) -> Void, LoadError.Kind)] = [
            ("a,b,c\n1,2,3\n4,5,6,7\n", { _ in }, .malformed),
            ("a,b\n1,\"open\n2,3\n", { _ in }, .malformed),
            ("id,joined\n1,2024-01-01\n2,soon\n", { $0.types = ["joined": .date] }, .malformed),
            ("a,b\n1,2\n", { $0.types = ["c": .int] }, .badOption),
            ("a,b\n1,2\n", { $0.names = ["x"] }, .badOption),
            ("a,b\n1,2\n", { $0.dateFormat = "nonsense" }, .badOption),
        ]
        for (text, configure, kind) in cases {
            XCTAssertEqual(failure(text, configure)?.kind, kind, text)
        }
    }

    func testLenientSkipsBadRowsAndReportsThem() throws {
        var o = CSVOptions()
        o.lenient = true
        let r = try CSVReader.read(text: "a,b\n1,2\n3\n4,5\n6,7,8\n", path: "t.csv", options: o)
        XCTAssertEqual(r.table.rowCount, 2)
        XCTAssertEqual(r.skippedRows, 2)
        XCTAssertEqual(r.skipped.map(\.line), [3, 5])
        XCTAssertEqual(r.table.column("a")?.type, .int)
    }
}

final class ParallelLoadTests: XCTestCase {
    /// A file read in several chunks gives exactly the table read in one: values, nulls, types,
    /// string dictionaries merged, and quoted newlines never split.
    func testChunkedLoadEqualsSingleThreaded() throws {
        var text = "id,name,note,amount,day\n"
        for i in 0..<2000 {
            let note = i % 7 == 0 ? "\"line one\nline two, \"\"quoted\"\"\"" : (i % 5 == 0 ? "" : "n\(i % 13)")
            let amount = i % 11 == 0 ? "" : "\(Double(i) / 4)"
            text += "\(i),name\(i % 17),\(note),\(amount),2024-01-\(String(format: "%02d", i % 28 + 1))\n"
        }
        XCTAssertEqual(try chunkedLoadsAgree(text, chunks: [2, 3, 8]).rowCount, 2000)
    }

    /// Reads `text` in one chunk and then in each of `chunks`, checks that every column has the
    /// same type and values, and returns the one-chunk table.
    private func chunkedLoadsAgree(_ text: String, chunks: [Int], file: StaticString = #filePath, line: UInt = #line) throws -> Table {
        let single = try load(text, chunks: 1).table
        for n in chunks {
            let t = try load(text, chunks: n).table
            XCTAssertEqual(t.rowCount, single.rowCount, "chunks: \(n)", file: file, line: line)
            XCTAssertEqual(t.columnNames, single.columnNames, file: file, line: line)
            for (a, b) in zip(t.columns, single.columns) {
                XCTAssertEqual(a.type, b.type, "chunks: \(n)", file: file, line: line)
                XCTAssertEqual((0..<t.rowCount).map { a.value(at: $0) }, (0..<single.rowCount).map { b.value(at: $0) }, "chunks: \(n)", file: file, line: line)
            }
        }
        return single
    }

    private func load(_ text: String, chunks: Int, _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> LoadResult {
        var o = CSVOptions()
        o.chunks = chunks
        configure(&o)
        return try CSVReader.read(text: text, path: "p.csv", options: o)
    }

    private func values(_ t: Table, _ name: String) -> [Value] {
        let c = t.column(name)!
        return (0..<t.rowCount).map { c.value(at: $0) }
    }

    /// Types are guessed from the first thousand rows; a later value that does not fit narrows
    /// the column and the file is read again, so the result is the one a whole-column look gives:
    /// text keeps its exact spelling, an integer column meeting a fraction becomes a double.
    func testALateValueWidensTheColumnInEveryChunk() throws {
        var text = "id,code,amount,flag,day,empty,quoted\n"
        for i in 0..<3000 {
            let code = i == 2500 ? "n/a" : String(format: "%03d", i % 50)
            let amount = i == 2999 ? "2.5" : "\(i)"
            let flag = i % 2 == 0 ? "true" : "false"
            let day = i == 1800 ? "2024-02-30" : "2024-01-0\(i % 9 + 1)"
            text += "\(i),\(code),\(amount),\(flag),\(day),,\"\"\n"
        }
        for chunks in [1, 2, 5] {
            let t = try load(text, chunks: chunks).table
            XCTAssertEqual(t.columns.map(\.type), [.int, .string, .double, .bool, .string, .string, .string], "chunks: \(chunks)")
            XCTAssertEqual(t.column("code")?.value(at: 7), .string("007"))
            XCTAssertEqual(t.column("code")?.value(at: 2500), .string("n/a"))
            XCTAssertEqual(t.column("amount")?.value(at: 10), .double(10))
            XCTAssertEqual(t.column("amount")?.value(at: 2999), .double(2.5))
            XCTAssertEqual(t.column("day")?.value(at: 1800), .string("2024-02-30"))
            XCTAssertEqual(t.column("day")?.value(at: 0), .string("2024-01-01"))
            // A column with no value at all is text, all null; one of only "" holds empty strings.
            XCTAssertEqual(t.column("empty")?.nullCount, 3000)
            XCTAssertEqual(t.column("quoted")?.value(at: 2999), .string(""))
        }
    }

    /// Errors and skipped rows found by a later chunk name the line in the whole file.
    func testLaterChunksReportFileLines() throws {
        var text = "id,day\n"
        for i in 0..<4000 { text += i == 3100 ? "\(i),someday\n" : (i == 3500 ? "\(i)\n" : "\(i),2024-01-01\n") }
        XCTAssertThrowsError(try load(text, chunks: 4) { $0.types = ["day": .date] }) {
            XCTAssertEqual(($0 as? LoadError)?.description, "p.csv:3102:6: `someday` is not a valid date for column `day` (declared in types)")
        }
        let r = try load(text, chunks: 4) { $0.types = ["day": .date]; $0.lenient = true }
        XCTAssertEqual(r.table.rowCount, 3998)
        XCTAssertEqual(r.skipped.map(\.line), [3102, 3502])
        XCTAssertEqual(r.table.column("id")?.value(at: 3100), .int(3101))

        var bytes = Array("name,n\n".utf8)
        for i in 0..<3000 { bytes += Array("x\(i % 7),\(i)\n".utf8) }
        bytes += [0x61, 0xFF, 0x2C, 0x31, 0x0A]
        let e = bytes.withUnsafeBufferPointer { p -> LoadError? in
            var o = CSVOptions()
            o.chunks = 3
            do { _ = try CSVReader.read(bytes: p, path: "u.csv", options: o); return nil } catch { return error as? LoadError }
        }
        XCTAssertEqual(e?.description, "u.csv:3002:2: invalid UTF-8 (byte 0xFF); save the file as UTF-8")
    }

    /// A quote inside an unquoted field is an ordinary character; it throws off the quote count
    /// that places chunk cuts, and the loader falls back to one chunk with the same answer.
    func testStrayQuotesInPlainFieldsAtChunkCuts() throws {
        var text = "id,note,n\n"
        for i in 0..<900 { text += "\(i),\(i % 50 == 7 ? "5\" screen" : "n\(i % 4)"),\(i * 3)\n" }
        text += "900,\"quoted\nover two lines\",2700\n"
        let single = try chunkedLoadsAgree(text, chunks: [2, 3, 6])
        XCTAssertEqual(single.rowCount, 901)
        XCTAssertEqual(single.column("note")?.value(at: 7), .string("5\" screen"))
    }

    /// Ctrl-C during a load (polled every 65,536 records in every chunk) stops it with `interrupted`.
    func testACancelledLoadStops() {
        var text = "id,v\n"
        for i in 0..<140_000 { text += "\(i),\(i % 9)\n" }
        for chunks in [1, 2] {
            XCTAssertThrowsError(try load(text, chunks: chunks) { $0.isCancelled = { true } }) {
                XCTAssertEqual(($0 as? LoadError)?.message, "interrupted")
                XCTAssertEqual(($0 as? LoadError)?.kind, .interrupted)
            }
        }
    }

    /// Blank lines anywhere, including where a chunk is cut, are skipped and never read twice.
    func testBlankLinesAtChunkCuts() throws {
        var text = "a,b\n"
        for i in 0..<500 { text += "\(i),x\(i % 3)\n" + (i % 3 == 0 ? "\n\n" : "") }
        XCTAssertEqual(try chunkedLoadsAgree(text, chunks: [2, 3, 7, 16]).rowCount, 500)
    }

    /// A file read from disk hands pages back as its chunks finish and reads them again where
    /// needed (a late misfit re-reads the whole file); the table is the one the text gives.
    func testAMappedFileReadsAsItsText() throws {
        var text = "id,code,amount\n"
        for i in 0..<60_000 { text += "\(i),\(i == 59_000 ? "x9" : String(i % 97)),\(Double(i % 1000) / 8)\n" }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-mapped-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var o = CSVOptions()
        o.chunks = 3
        let mapped = try CSVReader.read(path: path, options: o).table
        let inMemory = try load(text, chunks: 1).table
        XCTAssertEqual(mapped.columns.map(\.type), [.int, .string, .double])
        for name in mapped.columnNames { XCTAssertEqual(values(mapped, name), values(inMemory, name), name) }
    }

    func testChunkedLoadReportsTheRightLine() {
        var text = "a,b\n"
        for i in 0..<1000 { text += "\(i),\(i)\n" }
        text += "1000,1000,extra\n"
        var o = CSVOptions()
        o.chunks = 4
        XCTAssertThrowsError(try CSVReader.read(text: text, path: "p.csv", options: o)) {
            XCTAssertEqual(($0 as? LoadError)?.description, "p.csv:1002:11: row has 3 fields but the header has 2")
        }
    }
}

final class LoadProgressTests: XCTestCase {
    /// The loader reports its progress every 65,536 records and once at the end: shares of the
    /// bytes that grow to 1, with the rows read so far.
    func testProgressGrowsToTheEnd() throws {
        var text = "id,amount\n"
        for i in 0..<200_000 { text += "\(i),\(i % 97).5\n" }
        final class Seen: @unchecked Sendable { var reports: [(Double, Int)] = [] }
        let seen = Seen()
        var o = CSVOptions()
        o.chunks = 1
        o.progress = { done, rows in seen.reports.append((done, rows)) }
        XCTAssertEqual(try CSVReader.read(text: text, path: "p.csv", options: o).table.rowCount, 200_000)
        let shares = seen.reports.map(\.0)
        XCTAssertEqual(shares.count, 4, "3 reports for 200,000 records, and the last")
        XCTAssertEqual(shares, shares.sorted())
        XCTAssertTrue(shares.prefix(3).allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertEqual(shares.last, 1)
        XCTAssertEqual(seen.reports.map(\.1), [65_536, 131_072, 196_608, 200_000])
    }
}

final class PlainRecordTests: XCTestCase {
    /// The fast path for records of plain fields reads exactly what the general tokenizer reads
    /// (fields, record lines, where the next record starts) or declines and consumes nothing.
    func testPlainRecordsReadAsTheGeneralPath() throws {
        let inputs = [
            "1,2,3\n4,5,6\n", "1,2,3\r\n4,5,6\r\n", "1,2,3\r4,5,6", " 1 , 2\t,3 \n", "1,2,\n", "1,2,",
            "1,2,3\n\n4,5,6\n", "1,\"a,b\",3\n4,5,6\n", "1,2\n3,4,5\n", "1,2,3,4\n5,6,7\n", ",,\n,,\n", "1,x\"y,3\n",
            // Fields longer than the eight bytes scanned at a time, ending on and off word edges.
            "abcdefgh,ijklmnopqrstuvw,xyz0123456789\r\n12345678,1234567,123456789\nlast field,  padded  ,\u{00E9}t\u{00E9}\u{00E9}\u{00E9}\u{00E9}\u{00E9}",
            "aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbbbb,cccccccc\rdddddddddddddddd,\"quoted but long enough\",e\n",
        ] + (0..<70).map { k in
            // Separators, line ends and quotes on every byte around the 64-byte blocks' edges.
            let lead = String(repeating: "a", count: k)
            return "\(lead),bcdefghi,\(k)\r\n\(lead)\(lead),12345678901234567890123456789012,x\n\(lead),\"q\",\(k)\n\(lead),, \n"
        }
        for text in inputs {
            var bytes = Array(text.utf8)
            bytes.withUnsafeMutableBufferPointer { raw in
                let p = UnsafeBufferPointer(raw)
                var general = CSVTokenizer(p, start: 0, delimiter: .byte(44))
                var fast = CSVTokenizer(p, start: 0, delimiter: .byte(44))
                let cells = UnsafeMutableBufferPointer<CSVField>.allocate(capacity: 3)
                defer { cells.deallocate() }
                var a: [CSVField] = [], b: [CSVField] = []
                while true {
                    let more = (try? general.next(&a)) ?? false
                    let before = fast.pos
                    if fast.nextPlain(cells) {
                        b = Array(cells)
                    } else {
                        XCTAssertEqual(fast.pos, before, "declining consumes nothing: \(text.debugDescription)")
                        guard (try? fast.next(&b)) ?? false else { XCTAssertFalse(more, text.debugDescription); break }
                    }
                    XCTAssertTrue(more, text.debugDescription)
                    XCTAssertEqual(a.map { [$0.start, $0.end] }, b.map { [$0.start, $0.end] }, text.debugDescription)
                    XCTAssertEqual(a.map(\.quoted), b.map(\.quoted), text.debugDescription)
                    XCTAssertEqual(general.recordLine, fast.recordLine, text.debugDescription)
                    XCTAssertEqual(general.line, fast.line, text.debugDescription)
                    XCTAssertEqual(general.pos, fast.pos, text.debugDescription)
                }
            }
        }
    }
}

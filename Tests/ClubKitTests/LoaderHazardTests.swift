import Foundation
import XCTest
@testable import ClubKit

/// One test per class of input that used to crash, hang or give a silent wrong answer. Expected
/// values are worked out by hand (day numbers with Python's `datetime.date`).
final class LoaderHazardTests: XCTestCase {
    private func load(_ text: String, chunks: Int? = nil, _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> LoadResult {
        var o = CSVOptions()
        o.chunks = chunks
        configure(&o)
        return try CSVReader.read(text: text, path: "h.csv", options: o)
    }

    private func failure(_ text: String, _ configure: (inout CSVOptions) -> Void = { _ in }) -> LoadError? {
        do { _ = try load(text, configure); return nil } catch { return error as? LoadError }
    }

    /// A folder of its own for files the test writes.
    private func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-hazard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    // MARK: - 1. Many columns

    /// Column buffers used to be allocated one nested closure per column, so about 7,000
    /// columns overflowed the stack. 10,000 (and 20,000) load, in one chunk and in several.
    func testManyColumnsLoadWithoutDeepRecursion() throws {
        for width in [10_000, 20_000] {
            var text = (1...width).map { "c\($0)" }.joined(separator: ",") + "\n"
            for r in 0..<3 { text += (1...width).map { $0 % 3 == 0 ? "x\(r)" : ($0 % 3 == 1 ? "\($0 + r)" : "\(r).5") }.joined(separator: ",") + "\n" }
            for chunks in [1, 2] {
                let t = try load(text, chunks: chunks).table
                XCTAssertEqual(t.columns.count, width)
                XCTAssertEqual(t.rowCount, 3)
                XCTAssertEqual(t.column("c1")?.value(at: 2), .int(3))
                XCTAssertEqual(t.column("c2")?.value(at: 1), .double(1.5))
                XCTAssertEqual(t.column("c\(width - width % 3)")?.value(at: 0), .string("x0"))
                XCTAssertEqual(t.columns.last?.type, width % 3 == 1 ? .int : (width % 3 == 2 ? .double : .string))
            }
        }
    }

    /// A first row of more than 100,000 fields (a wrong delimiter, a binary file) is a clear
    /// error instead of gigabytes of empty columns.
    func testTooManyColumnsIsAClearError() throws {
        XCTAssertEqual(failure(String(repeating: ",", count: 100_000) + "\n")?.description,
                       "h.csv:1:100001: the first row has 100001 fields; clubsh loads at most 100000 columns (is the delimiter right?)")
        XCTAssertEqual(failure(String(repeating: "1;", count: 4_000_000) + "\n")?.line, 1)
    }

    // MARK: - 2. Narrowing is bounded and interruptible

    /// `n` columns: 1,000 rows of integers (the rows types are guessed from), then `n` rows
    /// where row j puts text in column j.
    private func diagonal(_ n: Int) -> String {
        var text = (0..<n).map { "c\($0)" }.joined(separator: ",") + "\n"
        for i in 0..<1000 { text += (0..<n).map { "\($0 + i)" }.joined(separator: ",") + "\n" }
        for j in 0..<n { text += (0..<n).map { $0 == j ? "t\(j)" : "\($0 * 7 + j)" }.joined(separator: ",") + "\n" }
        return text
    }

    /// Row j puts text in column j after the sampled rows: the loader used to re-read the file
    /// once per misfit row (1,000 columns: 23 s for 4 MB, 24 GB of memory for 12 MB). All
    /// misfits of an attempt are collected, so the whole file takes two attempts.
    func testNarrowingManyMisfitsIsBounded() throws {
        let n = 200
        let text = diagonal(n)
        for chunks in [1, 3] {
            let r = try load(text, chunks: chunks)
            XCTAssertEqual(r.attempts, 2, "chunks: \(chunks)")
            XCTAssertTrue(r.table.columns.allSatisfy { $0.type == .string })
            XCTAssertEqual(r.table.rowCount, 1000 + n)
            XCTAssertEqual(r.table.column("c5")?.value(at: 1005), .string("t5"))
            XCTAssertEqual(r.table.column("c5")?.value(at: 1006), .string("41"))
            XCTAssertEqual(r.table.column("c5")?.value(at: 2), .string("7"))
        }
        // Misfits that lead through several kinds: int → float → text in one column, int → text
        // in another, each found in the same attempt as the others.
        var mixed = "a,b,c\n"
        for i in 0..<2000 { mixed += "\(i),\(i == 1500 ? "2.5" : (i == 1900 ? "n/a" : "\(i)")),\(i == 1999 ? "x" : "1")\n" }
        let r = try load(mixed, chunks: 2)
        XCTAssertLessThanOrEqual(r.attempts, 3)
        XCTAssertEqual(r.table.columns.map(\.type), [.int, .string, .string])
        XCTAssertEqual(r.table.column("b")?.value(at: 1500), .string("2.5"))
    }

    /// Ctrl-C is polled by bytes read (every MiB), so a file of few but wide records — which
    /// never reached the old poll every 65,536 records — is polled, in every attempt; stopping
    /// at any poll ends the load with `interrupted`.
    func testInterruptionIsPolledWhileNarrowing() throws {
        let text = diagonal(120)  // 0.6 MB, 32,768 fields between polls: about 4 per attempt
        final class Polls: @unchecked Sendable { var count = 0; let lock = NSLock() }
        let polls = Polls()
        let r = try load(text, chunks: 1) { o in o.isCancelled = { polls.lock.withLock { polls.count += 1 }; return false } }
        XCTAssertEqual(r.attempts, 2)
        XCTAssertGreaterThanOrEqual(polls.count, 2 * 3 + 1, "the sample, and each attempt at its start and every 32,768 fields")
        // The first polls (sample, first attempt) and a spread up to the last (the re-read).
        let stops = Set([1, 2, 3, polls.count - 1, polls.count] + stride(from: 4, to: polls.count, by: max(1, polls.count / 3)))
        for stopAt in stops.sorted() {
            let seen = Polls()
            XCTAssertThrowsError(try load(text, chunks: 1) { o in
                o.isCancelled = { seen.lock.withLock { seen.count += 1; return seen.count >= stopAt } }
            }) {
                XCTAssertEqual(($0 as? LoadError)?.message, "interrupted", "stop at poll \(stopAt)")
                XCTAssertEqual(($0 as? LoadError)?.kind, .interrupted, "stop at poll \(stopAt)")
            }
        }
    }

    /// An interrupted load keeps nothing: the session's tables are the ones it had.
    func testAnInterruptedLoadKeepsNothing() throws {
        let dir = try temporaryFolder()
        let path = dir.appendingPathComponent("wide.csv").path
        try diagonal(200).write(toFile: path, atomically: true, encoding: .utf8)
        let session = try makeSession(["orders": smallOrders])
        final class Count: @unchecked Sendable { var n = 0; let lock = NSLock() }
        // Stopped in the sample, in the first attempt and in the re-read.
        for stopAt in [1, 3, 5] {
            let count = Count()
            session.isCancelled = { count.lock.withLock { count.n += 1; return count.n >= stopAt } }
            XCTAssertEqual(session.error("load \"\(path)\" as orders"), Diagnostic.interrupted)
            XCTAssertEqual(session.error("load \"\(path)\" as wide"), Diagnostic.interrupted)
            XCTAssertEqual(session.catalog.tableOrder, ["orders"])
            XCTAssertEqual(session.catalog.tables["orders"]?.rowCount, 5)
            XCTAssertEqual(session.catalog.tables["orders"]?.columnNames, ["order_id", "customer_id", "date", "amount", "channel"])
        }
    }

    /// Every parallel load leaked its chunks' outcomes (null bitmaps, string interners): the
    /// results of `Parallel.map` were never released. Found by the fuzzer's leak check on
    /// `fuzz-leak-quoted-newlines.csv` read in three chunks.
    func testAChunkedLoadReleasesItsChunks() throws {
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var value = 0
            func add(_ d: Int) { lock.withLock { value += d } }
        }
        final class Tracked { let live: Counter; init(_ c: Counter) { live = c; c.add(1) }; deinit { live.add(-1) } }
        let live = Counter()
        do {
            let results = Parallel.map(4) { _ in Tracked(live) }
            XCTAssertEqual(results.count, 4)
            XCTAssertEqual(live.value, 4)
        }
        XCTAssertEqual(live.value, 0, "every result is released with the array it was returned in")
        // The load itself, in three chunks, reads the file right.
        let text = try String(contentsOf: MalformedCorpusTests.corpus.appendingPathComponent("fuzz-leak-quoted-newlines.csv"), encoding: .utf8)
        for chunks in [1, 3] {
            XCTAssertEqual(try load(text, chunks: chunks).table.column("note")?.values, [.string("a\nb"), .string("c\"d"), .string("x"), .string("")])
        }
    }

    // MARK: - 3. Integers beyond 64 bits

    /// A 20-digit identifier used to become a double, merging customers whose ids differ in
    /// the last digits. Such a column is text, every digit kept, and the load says so.
    func testIntegersBeyond64BitsStayText() throws {
        let ids = "id,n\n12345678901234567890,1\n12345678901234567891,2\n7,3\n"
        let r = try load(ids)
        XCTAssertEqual(r.table.column("id")?.type, .string)
        XCTAssertEqual(r.table.column("id")?.values, [.string("12345678901234567890"), .string("12345678901234567891"), .string("7")])
        XCTAssertEqual(r.notes, ["column id: integers beyond 64 bits kept as text"])
        XCTAssertEqual(r.table.column("n")?.type, .int)

        // Found after the sample, in a float column, negative, in a later chunk: still text.
        var late = "amount,code\n"
        for i in 0..<3000 { late += i == 2500 ? "-99999999999999999999,\(i)\n" : "\(i).25,\(i)\n" }
        for chunks in [1, 3] {
            let t = try load(late, chunks: chunks)
            XCTAssertEqual(t.table.column("amount")?.type, .string)
            XCTAssertEqual(t.table.column("amount")?.value(at: 2500), .string("-99999999999999999999"))
            XCTAssertEqual(t.table.column("amount")?.value(at: 1), .string("1.25"))
            XCTAssertEqual(t.notes, ["column amount: integers beyond 64 bits kept as text"])
        }
        // Within the sample, after floats: text, and the load says so.
        let early = try load("amount\n0.5\n99999999999999999999\n")
        XCTAssertEqual(early.table.column("amount")?.values, [.string("0.5"), .string("99999999999999999999")])
        XCTAssertEqual(early.notes, ["column amount: integers beyond 64 bits kept as text"])
        // A column that is text anyway says nothing of integers.
        XCTAssertEqual(try load("name\nabc\n99999999999999999999\n").notes, [])
        // A float written with a point or an exponent is still a float; declared double takes
        // the wide integer as the user asked; declared int refuses it with its place.
        XCTAssertEqual(try load("x\n12345678901234567890.0\n1e20\n").table.column("x")?.values, [.double(12345678901234567890.0), .double(1e20)])
        XCTAssertEqual(try load("x\n123456789012345678901\n") { $0.types = ["x": .double] }.table.column("x")?.value(at: 0), .double(1.2345678901234568e20))
        XCTAssertEqual(failure("x\n1\n123456789012345678901\n") { $0.types = ["x": .int] }?.description,
                       "h.csv:3:1: `123456789012345678901` is not a valid int for column `x` (declared in types)")
        // The session shows the note as a warning.
        let session = try makeSession([:])
        let dir = try temporaryFolder()
        let path = dir.appendingPathComponent("ids.csv").path
        try ids.write(toFile: path, atomically: true, encoding: .utf8)
        let outputs = try session.runAll("load \"\(path)\"")
        XCTAssertTrue(outputs.contains { if case .warning(let w) = $0 { return w == "column id: integers beyond 64 bits kept as text" } else { return false } })
    }

    /// The 64-bit limits themselves are integers: -9223372036854775808 used to overflow while
    /// its digits were read and turned its whole column into doubles.
    func testInt64LimitsAreIntegers() throws {
        let t = try load("v\n-9223372036854775808\n9223372036854775807\n0\n-0000000000000000000000042\n").table
        XCTAssertEqual(t.column("v")?.type, .int)
        XCTAssertEqual(t.column("v")?.values, [.int(Int64.min), .int(Int64.max), .int(0), .int(-42)])
        // One past either limit is text.
        XCTAssertEqual(try load("v\n-9223372036854775809\n1\n").table.column("v")?.type, .string)
        XCTAssertEqual(try load("v\n9223372036854775808\n1\n").table.column("v")?.type, .string)
    }

    // MARK: - 4. Header names

    /// `a,a,a_2` used to give `a, a_2, a_2`. A repeat takes the first suffix no column has.
    func testDuplicateHeaderNamesAreUnique() throws {
        XCTAssertEqual(try load("a,a,a_2\n1,2,3\n").table.columnNames, ["a", "a_3", "a_2"])
        XCTAssertEqual(try load("a_2,a,a,a\n1,2,3,4\n").table.columnNames, ["a_2", "a", "a_3", "a_4"])
        XCTAssertEqual(try load("x,,column2,\nq,r,s,t\n").table.columnNames, ["x", "column2", "column2_2", "column4"])
        XCTAssertEqual(try load("b,b,b_2,b_2\n1,2,3,4\n").table.columnNames, ["b", "b_3", "b_2", "b_2_2"])
        let t = try load("k,k,k,k_2,k_3\n1,2,3,4,5\n").table
        XCTAssertEqual(Set(t.columnNames).count, 5)
        XCTAssertEqual(t.columnNames, ["k", "k_4", "k_5", "k_2", "k_3"])
        XCTAssertEqual(try load("1,2\n3,4\n") { $0.header = false; $0.names = ["p", "p"] }.table.columnNames, ["p", "p_2"])
        // Names that could not be typed or shown on one line.
        XCTAssertEqual(try load("\"a\nb\",\"c`d\",\"e\tf\"\n1,2,3\n").table.columnNames, ["a_b", "c'd", "e_f"])
    }

    // MARK: - 5. Tab-delimited quoted fields

    /// A tab after a closing quote was skipped as padding, so the field ran into the next one.
    func testTabDelimitedQuotedFields() throws {
        let text = "name\tnote\tn\n\"Sara\"\t\"a, b\"\t1\n\"Reza\"\t\t2\n\t\"x\"\t3\n"
        for delimiter: CSVOptions.Delimiter? in [nil, .byte(9)] {
            let t = try load(text) { $0.delimiter = delimiter }.table
            XCTAssertEqual(t.columnNames, ["name", "note", "n"])
            XCTAssertEqual(t.column("name")?.values, [.string("Sara"), .string("Reza"), .null])
            XCTAssertEqual(t.column("note")?.values, [.string("a, b"), .null, .string("x")])
            XCTAssertEqual(t.column("n")?.values, [.int(1), .int(2), .int(3)])
        }
        // Spaces around a quoted field are still padding in a tab-delimited file; with a space
        // delimiter, tabs are.
        XCTAssertEqual(try load("a\tb\n  \"x\"  \t1\n").table.column("a")?.value(at: 0), .string("x"))
        XCTAssertEqual(try load("a b\n\t\"x\"\t 1\n") { $0.delimiter = .byte(32) }.table.column("b")?.value(at: 0), .int(1))
    }

    // MARK: - 6. Two-digit years

    /// `yy` read 99 as 2099. The POSIX pivot: 69–99 are 19xx, 00–68 are 20xx.
    func testTwoDigitYearPivot() throws {
        let t = try load("d\n31/12/99\n01/01/00\n15/06/68\n15/06/69\n") { $0.dateFormat = "dd/MM/yy" }.table
        XCTAssertEqual(t.column("d")?.type, .date)
        XCTAssertEqual(t.column("d")?.values, [.date(10956), .date(10957), .date(35960), .date(-200)])
    }

    // MARK: - 7. Overflow, infinity and NaN

    /// `1e400` is +infinity in a float column (the overflow policy); `inf`, `-Infinity` are
    /// infinities; `nan` is text, never NaN, and a declared double refuses it with its place.
    func testOverflowInfinityAndNaNText() throws {
        let t = try load("x,y,z\n1e400,inf,1.5\n-1e400,-Infinity,nan\n1e-400,INF,2\n").table
        XCTAssertEqual(t.column("x")?.type, .double)
        XCTAssertEqual(t.column("x")?.values, [.double(.infinity), .double(-.infinity), .double(0)])
        XCTAssertEqual(t.column("y")?.values, [.double(.infinity), .double(-.infinity), .double(.infinity)])
        XCTAssertEqual(t.column("z")?.type, .string)
        XCTAssertEqual(t.column("z")?.value(at: 1), .string("nan"))
        // An integer column meeting infinity becomes a float column.
        XCTAssertEqual(try load("n\n1\n2\ninf\n").table.column("n")?.values, [.double(1), .double(2), .double(.infinity)])
        for spelling in ["nan", "NaN", "-nan", "+NAN"] {
            XCTAssertEqual(try load("v\n1.5\n\(spelling)\n").table.column("v")?.value(at: 1), .string(spelling))
            XCTAssertEqual(failure("v\n1.5\n\(spelling)\n") { $0.types = ["v": .double] }?.description,
                           "h.csv:3:1: `\(spelling)` is not a valid double for column `v` (declared in types)")
        }
        // Exponents far beyond any double, and long mantissas, are read without overflow.
        XCTAssertEqual(try load("v\n1e99999999999999999999\n-0.5e-99999999999\n").table.column("v")?.values, [.double(.infinity), .double(-0.0)])
        // No value of a loaded float column is NaN, whatever the text.
        let odd = ["1e400", "-1e400", "inf", "-inf", "infinity", "+Infinity", "0e400", "1e-400", "nan", "NaN(1)", "0x1p3", "1.7976931348623159e308"]
        let r = try load("v\n" + odd.joined(separator: "\n") + "\n") { $0.types = ["v": .double]; $0.lenient = true }
        XCTAssertFalse(r.table.column("v")!.values.contains { if case .double(let d) = $0 { return d.isNaN } else { return false } })
        XCTAssertEqual(r.skippedRows, 3, "nan, NaN(1) and 0x1p3 are not decimals")
        XCTAssertEqual(r.table.column("v")?.value(at: 8), .double(.infinity), "a decimal just past the largest double rounds to infinity")
    }

    /// Past eighteen digits a number goes to the standard library's parser, which stops at a NUL:
    /// `12345678901234567890<NUL>x` was the double 1.2345678901234567e19. (A NUL in a file's first
    /// 64 KiB refuses the file; later ones reach the parser.) It is text.
    func testANULDoesNotEndALongNumber() throws {
        let t = try load("v\n1.5\n12345678901234567890\u{0}x\n").table
        XCTAssertEqual(t.column("v")?.values, [.string("1.5"), .string("12345678901234567890\u{0}x")])
        XCTAssertEqual(failure("v\n12345678901234567890\u{0}\n") { $0.types = ["v": .double] }?.line, 2)
    }

    // MARK: - 8. Dates

    /// Impossible dates are text, never a neighbouring day; the years 0001 and 9999 are dates;
    /// year 0000 is not.
    func testImpossibleAndExtremeDates() throws {
        let t = try load("a,b,c\n2024-02-29,9999-12-31,2023-02-30\n2024-02-29,0001-01-01,2023-13-01\n").table
        XCTAssertEqual(t.columns.map(\.type), [.date, .date, .string])
        XCTAssertEqual(t.column("b")?.values, [.date(2932896), .date(-719162)])
        XCTAssertEqual(t.column("a")?.value(at: 0), .date(19782))
        XCTAssertEqual(t.column("c")?.value(at: 0), .string("2023-02-30"))
        XCTAssertEqual(try load("d\n0000-01-01\n2024-01-01\n").table.column("d")?.type, .string)
        XCTAssertEqual(try load("d\n9999-12-31 23:59:59\n").table.column("d")?.value(at: 0), .dateTime(Int64(2932896) * 86400 + 86399))
        for bad in ["2023-02-29", "2023-00-10", "2023-04-31", "2023-01-32", "2023-01-00", "2023-1-1"] {
            XCTAssertEqual(failure("d\n\(bad)\n") { $0.types = ["d": .date] }?.description,
                           "h.csv:2:1: `\(bad)` is not a valid date for column `d` (declared in types)")
        }
        // A pattern with long runs of digits reads them without overflow and finds no date.
        let long = String(repeating: "9", count: 30)
        XCTAssertEqual(try load("d\n\(long)\n") { $0.dateFormat = "yyyyMM" + String(repeating: "d", count: 24) }.table.column("d")?.type, .string)
        XCTAssertEqual(try load("d\n00001231\n") { $0.dateFormat = "yyyyMMdd" }.table.column("d")?.type, .int, "year 0000 is not a date")
    }
}

extension Column {
    /// Every value, in row order.
    var values: [Value] { (0..<count).map { value(at: $0) } }
}

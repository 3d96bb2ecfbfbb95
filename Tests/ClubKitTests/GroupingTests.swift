import XCTest
@testable import ClubKit
import SampleData

/// Grouping gives each row the number of its group, in order of first appearance, with nulls
/// as a group of their own; the one-column integer paths must agree with the general one.
final class GroupingTests: XCTestCase {
    private func general(_ c: Column) -> Grouping {
        // A second, constant key sends the rows through the general path.
        Grouping(columns: [c, Column(.int([Int64](repeating: 7, count: c.count)))], n: c.count)
    }

    func testIntegerKeysNumberGroupsInOrderOfFirstAppearance() {
        var v = Bitmap(count: 8)
        v.set(2, false)
        v.set(6, false)
        let narrow = Column(.int([30, 10, 0, 30, 20, 10, 0, 40]), validity: v)
        let g = Grouping(columns: [narrow], n: 8)
        // 30 → 0, 10 → 1, null → 2, 20 → 3, 40 → 4
        XCTAssertEqual(g.ids, [0, 1, 2, 0, 3, 1, 2, 4])
        XCTAssertEqual(g.count, 5)
        XCTAssertEqual(g.firstRow, [0, 1, 2, 4, 7])
        XCTAssertEqual(general(narrow).ids, g.ids)

        // Values too far apart for a table go through the hash map, with the same numbering.
        let wide = Column(.int([Int64.max, 5, 0, Int64.max, -Int64.max, 5, 0, 1]), validity: v)
        let h = Grouping(columns: [wide], n: 8)
        XCTAssertEqual(h.ids, [0, 1, 2, 0, 3, 1, 2, 4])
        XCTAssertEqual(h.firstRow, [0, 1, 2, 4, 7])
        XCTAssertEqual(general(wide).ids, h.ids)

        let days = Column(.date([19000, 19001, 19000]))
        XCTAssertEqual(Grouping(columns: [days], n: 3).ids, [0, 1, 0])
    }

    func testMinAndMaxSkipNullsAndLeaveEmptyGroupsNull() {
        // Groups: a = rows 0, 2; b = rows 1, 3 (row 3 null); c = row 4 (null).
        let key = Column(.int([1, 2, 1, 2, 3]))
        var v = Bitmap(count: 5)
        v.set(3, false)
        v.set(4, false)
        let amount = Column(.double([2.5, -1, 7.25, 99, 99]), validity: v)
        let g = Grouping(columns: [key], n: 5)
        let min = Aggregates.compute(AggregateCall(function: .min, argument: nil, fraction: 0, type: .double), input: amount, grouping: g)
        let max = Aggregates.compute(AggregateCall(function: .max, argument: nil, fraction: 0, type: .double), input: amount, grouping: g)
        XCTAssertEqual((0..<3).map { min.value(at: $0) }, [.double(2.5), .double(-1), .null])
        XCTAssertEqual((0..<3).map { max.value(at: $0) }, [.double(7.25), .double(-1), .null])
        let days = Column(.date([19005, 19001, 19003, 19009, 19000]))
        let last = Aggregates.compute(AggregateCall(function: .max, argument: nil, fraction: 0, type: .date), input: days, grouping: g)
        XCTAssertEqual((0..<3).map { last.value(at: $0) }, [.date(19005), .date(19009), .date(19000)])
    }
}

final class ByteCountTests: XCTestCase {
    /// The loader bounds each chunk's rows by its newlines, counted eight bytes at a time.
    func testOccurrencesCountsEveryMatchingByte() {
        let text = Array("a\nbb\n\"c\"\n\n\u{00E9}\n\"\"".utf8) + [UInt8](repeating: 10, count: 13) + [0x8A, 0x0A, 0xFF]
        text.withUnsafeBufferPointer { p in
            for start in 0..<9 {
                let slice = UnsafeBufferPointer(rebasing: p[start...])
                XCTAssertEqual(CSVReader.occurrences(of: 10, in: slice.baseAddress!, count: slice.count), slice.filter { $0 == 10 }.count)
                XCTAssertEqual(CSVReader.occurrences(of: 34, in: slice.baseAddress!, count: slice.count), slice.filter { $0 == 34 }.count)
            }
        }
    }
}

final class ParallelAggregateTests: XCTestCase {
    /// On a table of a million rows or more the aggregates of one `agg` run side by side; each
    /// gives exactly what it gives alone on one thread.
    func testAggregatesSideBySideEqualEachAlone() throws {
        let n = 1 << 20 + 123
        var rng = SplitMix64(seed: 42)
        let keys = (0..<n).map { _ in Int64(rng.next() % 5000) }
        let amounts = (0..<n).map { _ in Double(rng.next() % 100_000) / 100 }
        let days = (0..<n).map { _ in Int32(19000 + rng.next() % 500) }
        var validity = Bitmap(count: n)
        for i in stride(from: 0, to: n, by: 17) { validity.set(i, false) }
        let table = Table(columnNames: ["k", "amount", "day"],
                          columns: [Column(.int(keys)), Column(.double(amounts), validity: validity), Column(.date(days))], rowCount: n)
        let session = Session()
        session.catalog.tables["t"] = table
        let result = try session.query("t | agg n = count(), spend = sum(amount), mean = avg(amount), last = max(day), low = min(amount), spread = stddev(amount) by k")
        let grouping = Grouping(columns: [table.columns[0]], n: n)
        XCTAssertEqual(result.rowCount, grouping.count)
        let alone: [(String, AggregateFunction, Column?, DataType)] = [
            ("n", .count, nil, .int), ("spend", .sum, table.columns[1], .double), ("mean", .avg, table.columns[1], .double),
            ("last", .max, table.columns[2], .date), ("low", .min, table.columns[1], .double), ("spread", .stddev, table.columns[1], .double),
        ]
        for (name, function, input, type) in alone {
            let expected = Aggregates.compute(AggregateCall(function: function, argument: nil, fraction: 0, type: type), input: input, grouping: grouping)
            XCTAssertEqual(result.values(name), (0..<grouping.count).map { expected.value(at: $0) }, name)
        }
    }
}


final class QuantileTests: XCTestCase {
    /// Selection finds what sorting finds: every rank of random data with many ties, and the
    /// interpolated quantiles of groups of every size.
    func testSelectionAgreesWithSorting() {
        var rng = SplitMix64(seed: 7)
        for n in [1, 2, 3, 5, 16, 17, 100, 1000, 5000] {
            let data = (0..<n).map { _ in Double(rng.next() % 50) - 25 }
            let sorted = data.sorted()
            for k in Set([0, n / 3, n / 2, n - 1]) {
                var copy = data
                let got = copy.withUnsafeMutableBufferPointer { Aggregates.select($0, k) }
                XCTAssertEqual(got, sorted[k], "n \(n) k \(k)")
            }
            for p in [0.0, 0.1, 0.25, 0.5, 0.9, 1.0] {
                var copy = data
                let got = copy.withUnsafeMutableBufferPointer { Aggregates.quantile(selecting: $0, p) }
                XCTAssertEqual(got, Aggregates.quantile(sorted, p), accuracy: 1e-12, "n \(n) p \(p)")
            }
        }
        // Already sorted and reversed input, the classic bad cases for a naive pivot.
        var ascending = (0..<10_000).map(Double.init)
        XCTAssertEqual(ascending.withUnsafeMutableBufferPointer { Aggregates.quantile(selecting: $0, 0.5) }, 4999.5)
        var descending = Array((0..<10_000).map(Double.init).reversed())
        XCTAssertEqual(descending.withUnsafeMutableBufferPointer { Aggregates.select($0, 1234) }, 1234)
    }
}

final class CountDistinctTests: XCTestCase {
    /// Distinct non-null values per group, for integers, strings and dates.
    func testCountDistinctPerGroupSkipsNulls() throws {
        let s = try makeSession(["t": "g,n,s,d\n1,5,a,2024-01-01\n1,5,b,2024-01-01\n2,,a,\n1,7,,2024-01-02\n2,9,a,2024-01-03\n2,9,a,2024-01-03\n"])
        let t = try s.query("t | agg n = count_distinct(n), s = count_distinct(s), d = count_distinct(d) by g")
        // g 1: n {5, 7}, s {a, b}, d {01-01, 01-02}; g 2: n {9} (one null), s {a}, d {01-03} (one null).
        XCTAssertEqual(t.strings("g"), ["1", "2"])
        XCTAssertEqual(t.strings("n"), ["2", "1"])
        XCTAssertEqual(t.strings("s"), ["2", "1"])
        XCTAssertEqual(t.strings("d"), ["2", "1"])
    }
}

/// Ctrl-C inside a grouping or an aggregate.
final class GroupingCancellationTests: XCTestCase {
    /// Stopped by Ctrl-C part way, every path still gives a consistent grouping (every id below
    /// the count, a first row per group), so what reads it cannot index out of range before the
    /// executor throws the result away.
    func testAGroupingStoppedByCtrlCIsConsistent() {
        let n = 300_000
        var v = Bitmap(count: n)
        for i in stride(from: 0, to: n, by: 7) { v.set(i, false) }
        let narrow = Column(.int((0..<n).map { Int64($0 % 1_000) }), validity: v)
        let wide = Column(.int((0..<n).map { Int64($0) &* 1_000_003 &* 7_919 }))
        let doubles = Column(.double((0..<n).map { Double($0 % 5_000) / 3 }))
        let texts = stringColumn((0..<n).map { "c\($0 % 97)" })
        for columns in [[narrow], [wide], [narrow, texts], [doubles, wide], [texts, doubles, narrow]] {
            // Stops at the second poll: after 65,536 rows of the first pass.
            var polls = 0
            let g = Grouping(columns: columns, n: n, isCancelled: { polls += 1; return polls > 1 })
            XCTAssertEqual(g.ids.count, n)
            XCTAssertGreaterThanOrEqual(g.count, 1)
            XCTAssertTrue(g.ids.allSatisfy { $0 >= 0 && Int($0) < g.count }, "an id past the count")
            XCTAssertEqual(g.firstRow.count, g.count)
            XCTAssertTrue(g.firstRow.allSatisfy { $0 >= 0 && Int($0) < n }, "a first row out of range")
        }
    }

    /// A statement stopped by Ctrl-C throws `interrupted` and keeps nothing.
    func testAnInterruptedAggregateThrowsAndKeepsNothing() throws {
        let session = try makeSession(["t": "k,v\n" + (0..<200_000).map { "\($0 % 3_000),\($0)" }.joined(separator: "\n") + "\n"])
        nonisolated(unsafe) var polls = 0
        session.isCancelled = { polls += 1; return polls > 3 }
        XCTAssertEqual(session.error("x = t | agg s = sum(v) by k"), .interrupted)
        session.isCancelled = { false }
        XCTAssertNotNil(session.error("x | count"), "the interrupted definition was not kept")
        XCTAssertEqual(try session.query("t | agg n = count() by k | count").strings("count"), ["3000"])
    }
}

import Foundation
import XCTest
@testable import ClubKit

/// The pieces of the transactions' shared build that work on both cores or without sorting:
/// the grouping of customer ids (`Grouping.inParallel`), the revenue kept by the summary, the
/// spends read back from their sort keys (`pareto`), the key at a rank (`Radix.select`, for
/// `rfm`), and the gather of a left join's unmatched rows. Each against an oracle written here.
final class SharedBuildTests: XCTestCase {
    private struct Numbers {
        var state: UInt64
        mutating func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
    }

    /// The oracle: each distinct value numbered in order of first appearance, by a dictionary.
    private func firstAppearance<T: Hashable>(_ values: [T]) -> (ids: [Int32], firstRow: [Int32]) {
        var number: [T: Int32] = [:], ids: [Int32] = [], firstRow: [Int32] = []
        for (i, v) in values.enumerated() {
            if let id = number[v] { ids.append(id); continue }
            number[v] = Int32(firstRow.count)
            ids.append(Int32(firstRow.count))
            firstRow.append(Int32(i))
        }
        return (ids, firstRow)
    }

    private func assertGroups<T: Hashable>(_ column: Column, _ values: [T], parts: Int, _ message: String, line: UInt = #line) {
        let expected = firstAppearance(values)
        guard let g = Grouping.inParallel(column, parts: parts) else { return XCTFail("no grouping: \(message)", line: line) }
        XCTAssertEqual(g.ids, expected.ids, message, line: line)
        XCTAssertEqual(g.firstRow, expected.firstRow, message, line: line)
        XCTAssertEqual(g.count, expected.firstRow.count, message, line: line)
    }

    func testSpendsPastSixtyFourBitsOfUnitsAreExact() {
        // Whole amounts of 9e15 (scale 0, within 2^53): customer 0 has 3,000 of them, 2.7e19 in
        // all, past Int64's 9.22e18, so its sum of units wraps twice; customer 1 has 2,000 of
        // 9e15 then 1,000 of -9e15, 9e18, wrapping once on the way up and once back; customer 2
        // has 2 and 3, 5. The rows alternate between the customers. By hand:
        // 3,000 × 9e15 = 2.7e19 and 2,000 × 9e15 − 1,000 × 9e15 = 9e18, both exact doubles, and
        // the total 2.7e19 + 9e18 + 5 = 36,000,000,000,000,000,005, whose nearest double is 3.6e19.
        var customer: [Int32] = [], day: [Int32] = [], amount: [Double] = []
        for i in 0..<3000 {
            customer.append(0); day.append(Int32(19_000 + i % 7)); amount.append(9e15)
            customer.append(1); day.append(19_000); amount.append(i < 2000 ? 9e15 : -9e15)
        }
        customer += [2, 2]; day += [19_001, 19_002]; amount += [2, 3]
        for parts in [1, 2] {
            let (s, scale, total) = TransactionData.summaryAndScale(customer, day, amount, 3, parts: parts)
            XCTAssertEqual(scale, 0)
            XCTAssertEqual(s.spend, [2.7e19, 9e18, 5], "\(parts) parts")
            XCTAssertEqual(s.transactions, [3000, 3000, 2])
            XCTAssertEqual(s.first, [19_000, 19_000, 19_001])
            XCTAssertEqual(s.last, [19_006, 19_000, 19_002])
            XCTAssertEqual(total, 3.6e19)
        }
    }

    func testGroupingOnSeveralCoresNumbersValuesInOrderOfFirstAppearance() {
        var numbers = Numbers(state: 5)
        for n in [2, 3, 7, 64, 1000] {
            let shuffled = (0..<n).map { _ in Int64(numbers.next(UInt64(max(n / 3, 1)))) - 40 }
            let sorted = shuffled.sorted(), descending = Array(sorted.reversed())
            let same = [Int64](repeating: 9, count: n)
            for parts in [2, 3, 4] where n >= parts {
                for (name, values) in [("shuffled", shuffled), ("sorted", sorted), ("descending", descending), ("one value", same)] {
                    assertGroups(Column(.int(values)), values, parts: parts, "\(name), \(n) rows, \(parts) parts")
                    let small = values.map { Int32($0) }
                    assertGroups(Column(.int32(small)), small, parts: parts, "int32 \(name), \(n) rows, \(parts) parts")
                    assertGroups(Column(.date(small.map { $0 + 19_000 })), small, parts: parts, "dates \(name), \(n) rows, \(parts) parts")
                }
                // Text ids group by their dictionary codes.
                let texts = shuffled.map { "C\($0)" }
                assertGroups(stringColumn(texts), texts, parts: parts, "text, \(n) rows, \(parts) parts")
            }
        }
    }

    func testManyRowsAreGroupedOnBothCoresAsOnOne() {
        // Past `parallelRows`, `Grouping(columns:n:)` takes the parallel path: the same ids as
        // the oracle, for values that first appear in either half.
        var numbers = Numbers(state: 17)
        let n = Grouping.parallelRows + 5
        let values = (0..<n).map { i in Int64(i < n / 2 ? numbers.next(200_000) : numbers.next(400_000)) + 1 }
        let expected = firstAppearance(values)
        let g = Grouping(columns: [Column(.int(values))], n: n)
        XCTAssertEqual(g.count, expected.firstRow.count)
        XCTAssertEqual(g.firstRow, expected.firstRow)
        XCTAssertTrue(g.ids == expected.ids)
        XCTAssertGreaterThan(g.count, 200_000)
    }

    func testGroupingOnSeveralCoresLeavesTheRestToOneCore() {
        // Nulls, values spread wider than the row count, numbers that are not whole, or fewer
        // rows than parts: nil, and `Grouping(columns:n:)` groups them as before.
        var validity = Bitmap(count: 4)
        validity.set(2, false)
        XCTAssertNil(Grouping.inParallel(Column(.int([1, 2, 3, 1]), validity: validity), parts: 2))
        XCTAssertNil(Grouping.inParallel(Column(.int([1, 1_000_000, 3, 1])), parts: 2))
        XCTAssertNil(Grouping.inParallel(Column(.int([.min, .max, 0, 1])), parts: 2))
        XCTAssertNil(Grouping.inParallel(Column(.double([1, 2, 1, 2])), parts: 2))
        XCTAssertNil(Grouping.inParallel(Column(.int([4])), parts: 2))
        let g = Grouping(columns: [Column(.int([5, 1_000_000, 5, .min]))], n: 4)
        XCTAssertEqual(g.ids, [0, 1, 0, 2])
    }

    func testTheKeptTransactionsAreTheSameWhicheverWayTheIdsAreGrouped() throws {
        // Ids that are not dense (so the one-core path), text ids, and rows without a customer:
        // each gives the customers in order of first appearance, keys and spends as written.
        //     customer   rows              spend
        //     900000001  1, 4              10.10 + 0.20 = 10.30
        //     7          2                 5.00
        //     (null)     3                 left out
        //     C3         (text file only)
        for (ids, keys) in [(["900000001", "7", "", "900000001"], ["900000001", "7"]), (["C1", "7", "", "C1"], ["C1", "7"])] {
            let rows = zip(ids, ["10.10", "5.00", "1.00", "0.20"]).enumerated().map { i, pair in "\(pair.0),2024-01-0\(i + 1),\(pair.1)" }
            let s = try makeSession(["tx": (["c,day,value"] + rows).joined(separator: "\n") + "\n"])
            try s.runAll("use tx (customer = c, date = day, amount = value)")
            let (data, _) = try s.catalog.transactionData(for: "test", at: SourceLocation(line: 1, column: 1))
            XCTAssertEqual((0..<data.customerCount).map { ValueFormat.display(data.keys.value(at: $0)) }, keys)
            XCTAssertEqual(data.customer, [0, 1, 0])
            XCTAssertEqual(data.summary().spend, [10.3, 5])
            XCTAssertEqual(data.revenue(), 15.3)
            XCTAssertEqual(data.dayRange()?.low, 19_723)  // 2024-01-01
            XCTAssertEqual(data.dayRange()?.high, 19_726)  // 2024-01-04
        }
    }

    func testRevenueIsTheSumOfTheAmountsInCents() throws {
        // 3,000 amounts of whole cents, added here as integers: the revenue `kpi` and `clv`
        // read (kept by the summary) is that many cents, as `Money` gives a sum of money.
        var numbers = Numbers(state: 3)
        var rows = ["c,day,value"], cents = 0
        for _ in 0..<3000 {
            let amount = Int(numbers.next(100_000))
            cents += amount
            rows.append("C\(numbers.next(400)),2024-0\(1 + numbers.next(6))-1\(numbers.next(10)),\(amount / 100).\(String(format: "%02d", amount % 100))")
        }
        let s = try makeSession(["tx": rows.joined(separator: "\n") + "\n"])
        try s.runAll("use tx (customer = c, date = day, amount = value)")
        let (data, _) = try s.catalog.transactionData(for: "test", at: SourceLocation(line: 1, column: 1))
        XCTAssertEqual(data.moneyScale, 2)
        XCTAssertEqual(data.revenue(), Double(cents) / 100)
        // A segment's transactions keep their own total.
        let firstTwo = data.filtered { $0 < 2 }
        let expected = (0..<firstTwo.count).reduce(0) { $0 + Int((firstTwo.amount[$1] * 100).rounded()) }
        XCTAssertEqual(firstTwo.revenue(), Double(expected) / 100)
    }

    func testSpendsComeBackFromTheirSortKeys() {
        for x in [0.0, 1e-300, 5e-324, 0.06, 0.060000000000000005, 123.55, 1e300, .infinity, -2.5, -.infinity] {
            XCTAssertEqual(Radix.double(Radix.key(x)).bitPattern, x.bitPattern, "\(x)")
        }
        // -0 sorts as 0 and comes back as 0.
        XCTAssertEqual(Radix.double(Radix.key(-0.0)).bitPattern, 0.0.bitPattern)
        var numbers = Numbers(state: 21)
        let keys = (0..<5000).map { _ in Radix.key(-Double(numbers.next(100_000)) / 100) }
        let (order, sorted) = Radix.sorted(keys)
        XCTAssertEqual(sorted, keys.sorted())
        XCTAssertEqual(order.map { keys[Int($0)] }, sorted)
    }

    func testTheKeyAtARankIsTheSortedKeysKey() {
        var numbers = Numbers(state: 8)
        for spread in [UInt64(1), 5, 70_000, 1 << 40, .max] {
            let keys = (0..<3000).map { _ in spread == .max ? numbers.next(.max) &* 0x9E37_79B9_7F4A_7C15 : numbers.next(spread) }
            let sorted = keys.sorted()
            for rank in [0, 1, 1499, 2998, 2999] {
                let (key, less) = Radix.select(keys[...], rank)
                XCTAssertEqual(key, sorted[rank], "spread \(spread), rank \(rank)")
                XCTAssertEqual(less, sorted.firstIndex(of: sorted[rank]), "spread \(spread), rank \(rank)")
            }
        }
    }

    func testParetoRanksEqualSpendsByCustomer() throws {
        // bench/README's file: customers 1 and 2 both spend 0.06 (2's as 0.01 + 0.05), so 1
        // comes first; 4 spends 0 and is last, with a spend of 0 (not -0).
        let s = try makeSession(["o": "customer_id,date,amount\n2,2024-01-01,0.01\n2,2024-01-02,0.05\n1,2024-01-03,0.06\n3,2024-01-03,0.02\n4,2024-01-04,0\n"])
        try s.runAll("use o")
        let r = try s.query("pareto")
        XCTAssertEqual(r.strings("customer_id"), ["1", "2", "3", "4"])
        XCTAssertEqual(r.strings("spend"), ["0.06", "0.06", "0.02", "0"])
        XCTAssertEqual(r.column("spend").map { c in (0..<4).map { c.value(at: $0) } }, [.double(0.06), .double(0.06), .double(0.02), .double(0)])
        if case .double(let last) = r.values("spend")[3] { XCTAssertEqual(last.sign, .plus) }
        // Cumulative spend over the total 0.14, × 100 (python: 0.06 / 0.14 * 100, 0.12 / 0.14 * 100).
        XCTAssertEqual(r.values("cumulative_share"), [.double(42.85714285714285), .double(85.7142857142857), .double(100), .double(100)])
        XCTAssertEqual(r.strings("class"), ["A", "B", "C", "C"])
    }

    func testALeftJoinsUnmatchedRowsAndNullValuesAreNull() throws {
        var validity = Bitmap(count: 4)
        validity.set(1, false)
        let column = Column(.int([10, 20, 30, 40]), validity: validity)
        // Rows -1 (no match), 0, 1 (a null value), 3, 3.
        let picked = column.gatherOptional([-1, 0, 1, 3, 3])
        XCTAssertEqual((0..<5).map { picked.value(at: $0) }, [.null, .int(10), .null, .int(40), .int(40)])
        XCTAssertEqual(picked.nullCount, 2)
        let texts = stringColumn(["a", "b"]).gatherOptional([1, -1, 0])
        XCTAssertEqual((0..<3).map { texts.value(at: $0) }, [.string("b"), .null, .string("a")])
        // 70 rows: more than one word of the bitmap.
        let many = Column(.int((0..<70).map(Int64.init))).gatherOptional((0..<70).map { $0 % 3 == 0 ? -1 : Int32(69 - $0) })
        XCTAssertEqual((0..<70).map { many.value(at: $0) }, (0..<70).map { $0 % 3 == 0 ? .null : .int(Int64(69 - $0)) })
        XCTAssertNil(Column(.int([1, 2])).gatherOptional([1, 0]).validity)
    }
}

import XCTest
@testable import ClubKit

/// Filters, projections and joins into an `agg` run a block of rows at a time on a large table
/// (`BlockedAggregate`). With blocks of 128 rows, small tables take that road: every answer must
/// be the one pass's, value for value and in the same group order, with the same warnings.
final class BlockedAggregateTests: XCTestCase {
    private struct NotAPipeline: Error {}

    /// 300 orders (blocks of rows 0–127, 128–255, 256–299): customer i % 7 (customer 6 has no
    /// row in `customers`), channel by i % 3, amounts that are multiples of 1/4 (their sums are
    /// exact in any order) with a null every 11th row, and `x`, the amount but for infinities:
    /// +inf at row 20 and -inf at row 160 (another block) for customer 20 % 7 = 6 = 160 % 7, both
    /// +inf (row 200) and -inf (row 228) in the second block for customer 4.
    private func session() throws -> Session {
        var orders = "order_id,customer_id,channel,amount,x,day\n"
        for i in 0..<300 {
            let amount = i % 11 == 0 ? "" : String(Double(i * 37 % 101) / 4)
            let x: String
            switch i {
            case 20, 200: x = "inf"
            case 160, 228: x = "-inf"
            default: x = amount
            }
            orders += "\(i),\(i % 7),\(["web", "app", "store"][i % 3]),\(amount),\(x),2024-0\(1 + i % 6)-1\(i % 10)\n"
        }
        var customers = "id,city\n"
        for c in 0..<6 { customers += "\(c),\(["Tehran", "Shiraz", "Rasht"][c % 3])\n" }
        return try makeSession(["orders": orders, "customers": customers])
    }

    private func plan(_ s: Session, _ text: String) throws -> Plan {
        var parser = Parser(text)
        guard case .pipeline(let p)? = try parser.next()?.kind else { throw NotAPipeline() }
        return try Checker(catalog: s.catalog).check(p)
    }

    private func executor(_ s: Session, blockRows: Int) -> Executor {
        var executor = Executor(table: { s.catalog.tables[$0] }, notes: EvaluationNotes())
        executor.blockRows = blockRows
        return executor
    }

    private func run(_ s: Session, _ text: String, blockRows: Int) throws -> (Table, EvaluationNotes) {
        let e = executor(s, blockRows: blockRows)
        return (try e.run(plan(s, text)), e.notes)
    }

    /// The pipeline (orders and its steps) goes by blocks, not back to one pass.
    private func assertBlocked(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try session()
        var steps = try plan(s, text).steps
        let table = Pruning.prune(s.catalog.tables["orders"]!, &steps, from: 0)
        XCTAssertEqual(BlockedAggregate.run(table, steps, from: 0, blockRows: 128), steps.count - 1, text, file: file, line: line)
        XCTAssertNotNil(try BlockedAggregate.evaluate(table, steps: steps, in: executor(s, blockRows: 128)), text, file: file, line: line)
    }

    private func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try session()
        let (blocked, blockedNotes) = try run(s, text, blockRows: 128)
        let (whole, wholeNotes) = try run(s, text, blockRows: Int.max / 4)
        XCTAssertEqual(blocked.columnNames, whole.columnNames, file: file, line: line)
        XCTAssertEqual(blocked.rowCount, whole.rowCount, text, file: file, line: line)
        for name in whole.columnNames {
            XCTAssertEqual(blocked.values(name), whole.values(name), "\(text): \(name)", file: file, line: line)
        }
        XCTAssertEqual(blockedNotes.messages, wholeNotes.messages, text, file: file, line: line)
    }

    func testFilterAndAggregateGiveTheOnePassAnswer() throws {
        let queries = [
            "orders | where amount > 3 and channel != \"app\" | agg n = count(), c = count(amount), s = sum(amount), a = avg(amount), lo = min(amount), hi = max(day), f = first(channel), l = last(amount) by channel",
            "orders | agg n = count(), s = sum(amount), a = avg(amount) by month = month_start(day)",
            "orders | derive big = amount >= 10 | where order_id % 2 == 0 | agg n = count(), s = sum(amount), first_day = min(day) by big",
            // No keys: one row, even when no row passes the filter.
            "orders | agg n = count(), s = sum(amount), lo = min(channel)",
            "orders | where amount > 1000 | agg n = count(), s = sum(amount), a = avg(amount)",
        ]
        for q in queries {
            try assertBlocked(q)
            try assertSame(q)
        }
    }

    /// Amounts in cents (0.01 … 0.10, whose doubles are not the decimals) add exactly in each
    /// block and across blocks: every sum is the double nearest to its decimal sum, counted here
    /// in whole cents, so blocks and one pass agree to the last bit.
    func testSumsOfCentsAreExactAcrossBlocks() throws {
        var orders = "order_id,customer_id,amount\n", cents = [Int](repeating: 0, count: 3)
        for i in 0..<300 {
            orders += "\(i),\(i % 3),0.\(String(format: "%02d", i % 10 + 1))\n"
            cents[i % 3] += i % 10 + 1
        }
        let s = try makeSession(["orders": orders])
        let q = "orders | where order_id >= 0 | agg s = sum(amount) by customer_id"
        var steps = try plan(s, q).steps
        XCTAssertEqual(BlockedAggregate.run(Pruning.prune(s.catalog.tables["orders"]!, &steps, from: 0), steps, from: 0, blockRows: 128), steps.count - 1)
        for blockRows in [128, Int.max / 4] {
            let (t, _) = try run(s, q, blockRows: blockRows)
            XCTAssertEqual(t.values("s"), cents.map { .double(Double($0) / 100) }, "blocks of \(blockRows)")
        }
    }

    func testSumsWithInfinitiesAreNullWhereOnePassHasNoValue() throws {
        // Customer 6 meets +inf and -inf in different blocks, customer 4 inside one block: both
        // sums and means have no value, and the warning counts each group once.
        try assertSame("orders | agg s = sum(x), a = avg(x), n = count(x) by customer_id")
        let s = try session()
        let (t, _) = try run(s, "orders | agg s = sum(x) by customer_id | where customer_id == 4 or customer_id == 6", blockRows: 128)
        XCTAssertEqual(t.strings("s"), ["null", "null"])
    }

    func testJoinIntoAggregateGivesTheOnePassAnswer() throws {
        let queries = [
            "orders | join customers on customer_id == id | agg n = count(), s = sum(amount), lo = min(amount) by city",
            "orders | left join customers on customer_id == id | where order_id > 10 | agg n = count(), s = sum(amount) by city",
        ]
        for q in queries {
            try assertBlocked(q)
            try assertSame(q)
        }
        // The orders of customers 0–5: all 300 but the 42 of customer 6 (rows 6, 13, …, 293).
        let s = try session()
        let (t, _) = try run(s, "orders | join customers on customer_id == id | agg n = count()", blockRows: 128)
        XCTAssertEqual(t.strings("n"), ["258"])
    }

    func testKeysOfManyValuesAndOtherAggregatesTakeTheOnePassRoad() throws {
        // A group per order: the first block does not reduce, and the rest runs in one pass.
        try assertSame("orders | where amount > 0 | agg s = sum(amount), n = count() by order_id")
        // Aggregates that do not combine from partials, and integer sums.
        try assertSame("orders | agg m = median(amount), d = count_distinct(customer_id), t = sum(order_id) by channel")
    }
}

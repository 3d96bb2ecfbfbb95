import XCTest
@testable import ClubKit

/// Filters, projections and joins into an `agg` run a block of rows at a time on a large table
/// (`BlockedAggregate`). With blocks of 64 rows, small tables take that road: every answer must
/// be the one pass's, value for value and in the same group order, with the same warnings.
final class BlockedAggregateTests: XCTestCase {
    private struct NotAPipeline: Error {}

    /// 300 orders: customer i % 7 (customer 6 has no row in `customers`), channel by i % 3,
    /// amounts that are multiples of 1/4 (their sums are exact in any order), a null amount
    /// every 11th row, and the infinities: +inf at row 20, -inf at row 150 (another block)
    /// for customer 20 % 7 = 6 = 150 % 7, and both +inf and -inf inside the block of rows
    /// 192–255 for customer 200 % 7 = 4 = 228 % 7.
    private func session() throws -> Session {
        var orders = "order_id,customer_id,channel,amount,day\n"
        for i in 0..<300 {
            let amount: String
            switch i {
            case 20, 200: amount = "inf"
            case 150, 228: amount = "-inf"
            case let k where k % 11 == 0: amount = ""
            default: amount = String(Double(i * 37 % 101) / 4)
            }
            orders += "\(i),\(i % 7),\(["web", "app", "store"][i % 3]),\(amount),2024-0\(1 + i % 6)-1\(i % 10)\n"
        }
        var customers = "id,city\n"
        for c in 0..<6 { customers += "\(c),\(["Tehran", "Shiraz", "Rasht"][c % 3])\n" }
        return try makeSession(["orders": orders, "customers": customers])
    }

    private func run(_ s: Session, _ text: String, blockRows: Int) throws -> (Table, EvaluationNotes) {
        var parser = Parser(text)
        guard case .pipeline(let p)? = try parser.next()?.kind else { throw NotAPipeline() }
        let plan = try Checker(catalog: s.catalog).check(p)
        let notes = EvaluationNotes()
        var executor = Executor(table: { s.catalog.tables[$0] }, notes: notes)
        executor.blockRows = blockRows
        return (try executor.run(plan), notes)
    }

    private func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try session()
        let (blocked, blockedNotes) = try run(s, text, blockRows: 64)
        let (whole, wholeNotes) = try run(s, text, blockRows: Int.max / 4)
        XCTAssertEqual(blocked.columnNames, whole.columnNames, file: file, line: line)
        XCTAssertEqual(blocked.rowCount, whole.rowCount, text, file: file, line: line)
        for name in whole.columnNames {
            XCTAssertEqual(blocked.values(name), whole.values(name), "\(text): \(name)", file: file, line: line)
        }
        XCTAssertEqual(blockedNotes.messages, wholeNotes.messages, text, file: file, line: line)
    }

    func testFilterAndAggregateGiveTheOnePassAnswer() throws {
        try assertSame("orders | where amount > 3 and channel != \"app\" | agg n = count(), c = count(amount), s = sum(amount), a = avg(amount), lo = min(amount), hi = max(day), f = first(channel), l = last(amount) by channel")
        try assertSame("orders | agg n = count(), s = sum(amount), a = avg(amount) by month = month_start(day)")
        try assertSame("orders | derive big = amount >= 10 | where order_id % 2 == 0 | agg n = count(), s = sum(amount), first_day = min(day) by big, channel")
        // No keys: one row, even when no row passes the filter.
        try assertSame("orders | agg n = count(), s = sum(amount), lo = min(channel)")
        try assertSame("orders | where amount > 1000 | agg n = count(), s = sum(amount), a = avg(amount)")
    }

    func testSumsWithInfinitiesAreNullWhereOnePassHasNoValue() throws {
        // Customer 6 meets +inf and -inf in different blocks, customer 4 inside one block: both
        // sums and means have no value, and the warning counts each group once.
        try assertSame("orders | agg s = sum(amount), a = avg(amount), n = count(amount) by customer_id")
        let s = try session()
        let (t, _) = try run(s, "orders | agg s = sum(amount) by customer_id | where customer_id == 4 or customer_id == 6", blockRows: 64)
        XCTAssertEqual(t.strings("s"), ["null", "null"])
    }

    func testJoinIntoAggregateGivesTheOnePassAnswer() throws {
        try assertSame("orders | join customers on customer_id == id | agg n = count(), s = sum(amount), lo = min(amount) by city")
        try assertSame("orders | left join customers on customer_id == id | where order_id > 10 | agg n = count(), s = sum(amount) by city")
        // The orders of customers 0–5: every customer but 6 (300 orders, 42 or 43 each).
        let s = try session()
        let (t, _) = try run(s, "orders | join customers on customer_id == id | agg n = count()", blockRows: 64)
        XCTAssertEqual(t.strings("n"), ["257"])
    }

    func testKeysOfManyValuesAndOtherAggregatesTakeTheOnePassRoad() throws {
        // A group per order: the first block does not reduce, and the rest runs in one pass.
        try assertSame("orders | where amount > 0 | agg s = sum(amount), n = count() by order_id")
        // Aggregates that do not combine from partials, and integer sums.
        try assertSame("orders | agg m = median(amount), d = count_distinct(customer_id), t = sum(order_id) by channel")
    }
}

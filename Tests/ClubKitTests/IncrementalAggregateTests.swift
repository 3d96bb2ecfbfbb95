import XCTest
@testable import ClubKit

/// `agg` of many groups by one key over a large table goes a block at a time into arrays per
/// group (`IncrementalAggregate`). With blocks of 32 rows, small tables take that road: the
/// answers are checked against sqlite3 (the groups in order of first appearance, as
/// `ORDER BY min(rowid)` gives them) and against the one pass, value for value, with the same
/// warnings.
final class IncrementalAggregateTests: XCTestCase {
    private struct NotAPipeline: Error {}

    /// 400 orders: customer (i × 7919) % 97 with a null every 37th row (97 customers, most met
    /// in the first block), the same customer as text (`c12`) and as a sparse id
    /// (× 1,000,000,007, too wide for a table by value), amounts in cents from −50.00 to 149.99
    /// with a null every 13th row, whole quantities, and days with a null every 17th row.
    private static let rows: [(cid: Int?, amount: Int?, qty: Int, day: String?)] = (0..<400).map { i in
        let cid = i % 37 == 5 ? nil : (i * 7919) % 97
        let cents = i % 13 == 4 ? nil : (i * 31337) % 20000 - 5000
        let day = i % 17 == 3 ? nil : CivilDate.format(Int32(19000 + (i * 53) % 700))
        return (cid, cents, (i * 17) % 23 - 5, day)
    }

    private static func cents(_ c: Int) -> String {
        (c < 0 ? "-" : "") + "\(abs(c) / 100).\(String(format: "%02d", abs(c) % 100))"
    }

    private func session() throws -> Session {
        var orders = "order_id,cid,name,sparse,amount,qty,day\n"
        for (i, r) in Self.rows.enumerated() {
            let cid = r.cid.map(String.init) ?? "", name = r.cid.map { "c\($0)" } ?? "", sparse = r.cid.map { String($0 * 1_000_000_007) } ?? ""
            orders += "\(i),\(cid),\(name),\(sparse),\(r.amount.map(Self.cents) ?? ""),\(r.qty),\(r.day ?? "")\n"
        }
        return try makeSession(["orders": orders])
    }

    private func plan(_ s: Session, _ text: String) throws -> Plan {
        var parser = Parser(text)
        guard case .pipeline(let p)? = try parser.next()?.kind else { throw NotAPipeline() }
        return try Checker(catalog: s.catalog).check(p)
    }

    private func run(_ s: Session, _ text: String, blockRows: Int) throws -> (Table, EvaluationNotes) {
        var executor = Executor(table: { s.catalog.tables[$0] }, notes: EvaluationNotes())
        executor.blockRows = blockRows
        return (try executor.run(plan(s, text)), executor.notes)
    }

    /// Whether `agg` over `table` takes the blocks (not back to the one pass).
    private func incremental(_ table: Table, key: String, _ calls: [(AggregateFunction, String?)], blockRows: Int = 32) throws -> [Column]? {
        var warnings = AggregateWarnings()
        let made = calls.map { f, name -> (AggregateCall, Column?) in
            let input = name.flatMap { table.column($0) }
            return (AggregateCall(function: f, argument: input.map { .column(0, $0.type) }, fraction: 0, type: input?.type ?? .int), input)
        }
        return try IncrementalAggregate.evaluate(key: table.column(key)!, calls: made.map(\.0), inputs: made.map(\.1), blockRows: blockRows,
                                                 isCancelled: { false }, warnings: &warnings)
    }

    private static let aggregates = "n = count(), c = count(amount), s = sum(amount), a = avg(amount), q = sum(qty), lo = min(day), hi = max(day), least = min(amount), most = max(amount), big = max(qty)"

    /// The same aggregates in sqlite3, money summed in whole cents and divided once (the
    /// double nearest the decimal sum, as `Money` gives it), the mean that sum over the count.
    private static func sqliteQuery(key: String) -> String {
        "SELECT \(key), count(*), count(amount), sum(cents) / 100.0, (sum(cents) / 100.0) / count(amount), sum(qty), min(day), max(day), "
            + "min(amount), max(amount), max(qty) FROM orders GROUP BY \(key) ORDER BY min(rowid);"
    }

    private static var sqliteSetup: String {
        var sql = "CREATE TABLE orders(cid INTEGER, name TEXT, sparse INTEGER, cents INTEGER, amount REAL, qty INTEGER, day TEXT);\n"
        for r in rows {
            let cid = r.cid.map(String.init) ?? "NULL", name = r.cid.map { "'c\($0)'" } ?? "NULL", sparse = r.cid.map { String($0 * 1_000_000_007) } ?? "NULL"
            let cents = r.amount.map(String.init) ?? "NULL", amount = r.amount.map(Self.cents) ?? "NULL", day = r.day.map { "'\($0)'" } ?? "NULL"
            sql += "INSERT INTO orders VALUES(\(cid), \(name), \(sparse), \(cents), \(amount), \(r.qty), \(day));\n"
        }
        return sql
    }

    /// clubsh's cell as sqlite3 would write it.
    private func scalar(_ v: Value) -> SQLite3Shell.Scalar {
        switch v {
        case .null: return .null
        case .int(let x): return .integer(x)
        case .double(let x): return .real(x)
        case .date(let d): return .text(CivilDate.format(d))
        case .string(let s): return .text(s)
        default: return .text("\(v)")
        }
    }

    func testManyGroupsMatchSQLiteAndTheOnePass() throws {
        let s = try session()
        let orders = s.catalog.tables["orders"]!
        let keys = ["cid", "name", "sparse"]
        for key in keys {
            XCTAssertNotNil(try incremental(orders, key: key, [(.count, nil), (.sum, "amount"), (.avg, "amount"), (.sum, "qty"), (.min, "day"), (.max, "amount")]), key)
        }
        guard let sqlite = SQLite3Shell.find() else { throw XCTSkip("needs sqlite3") }
        let expected = try sqlite.results(setup: Self.sqliteSetup, queries: keys.map { Self.sqliteQuery(key: $0) })
        for (key, result) in zip(keys, expected) {
            let text = "orders | agg \(Self.aggregates) by \(key)"
            let (blocked, blockedNotes) = try run(s, text, blockRows: 32)
            let (whole, wholeNotes) = try run(s, text, blockRows: Int.max / 4)
            let want = try result.get()
            XCTAssertEqual(blocked.rowCount, 98, key)  // 97 customers and the null one
            XCTAssertEqual(blocked.rowCount, want.count, key)
            for (c, name) in blocked.columnNames.enumerated() {
                XCTAssertEqual(blocked.values(name).map(scalar), want.map { $0[c] }, "\(key): \(name) against sqlite3")
                XCTAssertEqual(blocked.values(name), whole.values(name), "\(key): \(name) against the one pass")
            }
            XCTAssertEqual(blockedNotes.messages, wholeNotes.messages, key)
        }
    }

    /// Exact integer sums by hand: customer 1 passes 2^63 − 1 and comes back
    /// (9223372036854775807 + 1 − 2 = 9223372036854775806); customer 2 has 5 − 3 = 2; customer 3
    /// ends at 2^64 − 2, past 64 bits: null and one warning, as one pass gives.
    func testIntegerSumsLeave64BitsAndComeBack() throws {
        let values: [(Int, Int64)] = [(1, .max), (2, 5), (1, 1), (2, -3), (1, -2), (3, .max), (3, .max), (4, 0)]
        let s = try makeSession(["t": "k,v\n" + values.map { "\($0.0),\($0.1)\n" }.joined()])
        for blockRows in [2, Int.max / 4] {
            let (t, notes) = try run(s, "t | agg total = sum(v), n = count() by k", blockRows: blockRows)
            XCTAssertEqual(t.values("k"), [.int(1), .int(2), .int(3), .int(4)])
            XCTAssertEqual(t.values("total"), [.int(9_223_372_036_854_775_806), .int(2), .null, .int(0)], "blocks of \(blockRows)")
            XCTAssertEqual(t.values("n"), [.int(3), .int(2), .int(2), .int(1)])
            XCTAssertEqual(notes.messages, ["integer overflow in 1 row gave null (integers hold at most ±9223372036854775807)"])
        }
        XCTAssertNotNil(try incremental(s.catalog.tables["t"]!, key: "k", [(.sum, "v")], blockRows: 2))
    }

    /// Keys at both ends of 64 bits (their span leaves 64 bits: the hash map numbers them) and
    /// null, in order of first appearance; counts and maxima by hand.
    func testKeysAtTheEndsOf64Bits() throws {
        let csv = "k,v\n9223372036854775807,1\n-9223372036854775808,2\n,3\n0,4\n-9223372036854775808,5\n,6\n9223372036854775807,7\n0,8\n"
        let s = try makeSession(["t": csv])
        XCTAssertNotNil(try incremental(s.catalog.tables["t"]!, key: "k", [(.count, nil), (.max, "v")], blockRows: 2))
        let (t, _) = try run(s, "t | agg n = count(), hi = max(v) by k", blockRows: 2)
        XCTAssertEqual(t.values("k"), [.int(.max), .int(.min), .null, .int(0)])
        XCTAssertEqual(t.values("n"), [.int(2), .int(2), .int(2), .int(2)])
        XCTAssertEqual(t.values("hi"), [.int(7), .int(5), .int(6), .int(8)])
    }

    /// Money by hand: 0.01 + 0.05 is 0.06 exactly (the sum of the doubles is
    /// 0.060000000000000005), −0.10 + 0.30 is 0.2, and their means 0.03 and 0.1; a customer
    /// whose amounts are all null has a null sum and mean, and a count of 0.
    func testMoneySumsAreExactPerGroup() throws {
        let csv = "k,amount\n1,0.01\n2,-0.10\n1,0.05\n2,0.30\n3,\n3,\n4,7\n5,1.5\n"
        let s = try makeSession(["t": csv])
        XCTAssertNotNil(try incremental(s.catalog.tables["t"]!, key: "k", [(.sum, "amount"), (.avg, "amount")], blockRows: 2))
        let (t, _) = try run(s, "t | agg s = sum(amount), a = avg(amount), c = count(amount), hi = max(amount) by k", blockRows: 2)
        XCTAssertEqual(t.values("s"), [.double(0.06), .double(0.2), .null, .double(7), .double(1.5)])
        XCTAssertEqual(t.values("a"), [.double(0.03), .double(0.1), .null, .double(7), .double(1.5)])
        XCTAssertEqual(t.values("c"), [.int(2), .int(2), .int(0), .int(1), .int(1)])
        XCTAssertEqual(t.values("hi"), [.double(0.05), .double(0.3), .null, .double(7), .double(1.5)])
    }

    /// What does not accumulate exactly, or has few groups, goes back to the one pass.
    func testOtherAggregatesAndFewGroupsTakeTheOnePass() throws {
        let s = try session()
        let orders = s.catalog.tables["orders"]!
        // Two groups in a first block of 32 rows: no more than one per 16 rows.
        let few = try makeSession(["t": "k,v\n" + (0..<100).map { "\($0 % 2),\($0)\n" }.joined()])
        XCTAssertNil(try incremental(few.catalog.tables["t"]!, key: "k", [(.count, nil)]))
        XCTAssertNil(try incremental(orders, key: "cid", [(.median, "amount")]))
        XCTAssertNil(try incremental(orders, key: "cid", [(.count, nil), (.avg, "qty")]))
        XCTAssertNil(try incremental(orders, key: "cid", [(.max, "name")]))
        XCTAssertNil(try incremental(orders, key: "amount", [(.count, nil)]))
        // Seven places: no money scale, so the compensated sums of the one pass.
        let fine = try makeSession(["t": "k,v\n" + (0..<100).map { "\($0),0.\(1234567 + $0)\n" }.joined()])
        XCTAssertNil(try incremental(fine.catalog.tables["t"]!, key: "k", [(.sum, "v")]))
    }

    /// Ctrl-C is polled once a block: the aggregate stops with the interruption.
    func testCtrlCStopsBetweenBlocks() throws {
        let s = try session()
        let orders = s.catalog.tables["orders"]!
        var polls = 0
        var warnings = AggregateWarnings()
        let call = AggregateCall(function: .count, argument: nil, fraction: 0, type: .int)
        XCTAssertThrowsError(try IncrementalAggregate.evaluate(key: orders.column("cid")!, calls: [call], inputs: [nil], blockRows: 32,
                                                               isCancelled: { polls += 1; return polls > 3 }, warnings: &warnings)) {
            XCTAssertEqual(($0 as? Diagnostic)?.message, Diagnostic.interrupted.message)
        }
        XCTAssertEqual(polls, 4)
    }
}

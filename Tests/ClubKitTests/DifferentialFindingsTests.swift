import XCTest
@testable import ClubKit

/// Regressions for bugs found while building the differential test against sqlite3 (most by
/// the test itself), one per class of bug.
/// Expected values are worked out by hand from docs/language.md.
final class DifferentialFindingsTests: XCTestCase {
    /// A text column declared in `types` whose every value is null: comparing, sorting, grouping
    /// and joining on it read code 0 of an empty dictionary and crashed.
    func testDeclaredTextColumnWithoutValues() throws {
        let session = Session()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-empty-text-\(UUID().uuidString).csv").path
        try "k,note\n1,\n2,\n1,\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try session.runAll("load \"\(path)\" as t with types (k: int, note: string)")
        // null >= null is null, so no row passes; null == "x" likewise.
        XCTAssertEqual(try session.query("t | where note >= note | count").strings("count"), ["0"])
        XCTAssertEqual(try session.query("t | where note == \"x\" or note < \"x\" | count").strings("count"), ["0"])
        // Sorting keeps the file order (all keys null, the sort is stable).
        XCTAssertEqual(try session.query("t | sort note desc").strings("k"), ["1", "2", "1"])
        // One group of nulls; min of nothing is null; the null keys meet nothing in a join.
        let g = try session.query("t | agg n = count(), lo = min(note), m = first(note) by note")
        XCTAssertEqual(g.strings("n"), ["3"])
        XCTAssertEqual(g.strings("lo"), ["null"])
        XCTAssertEqual(g.strings("m"), ["null"])
        XCTAssertEqual(try session.query("t | join t on note | count").strings("count"), ["0"])
        XCTAssertEqual(try session.query("t | left join t on note | count").strings("count"), ["3"])
        XCTAssertEqual(try session.query("t | derive both = note + note | where both is null | count").strings("count"), ["3"])
    }

    /// Text computed over no rows (`+`, `if`, `coalesce`) has an empty dictionary; when it then
    /// became null with no row to take it from — the right side of a left join, `first`/`min` of
    /// an empty group — its null slots named no string, and comparing, sorting or grouping on it
    /// crashed.
    func testNullTextFromNoRows() throws {
        let session = try makeSession(["orders": smallOrders, "customers": smallCustomers])
        try session.runAll("nobody = customers | where id < 0 | select id, name = name + \"!\"")
        // Every order keeps its row, with a null name; null == "Sara" is null, so none pass.
        let joined = try session.query("orders | left join nobody on customer_id == id | where name == \"Sara\" or name < \"x\" | count")
        XCTAssertEqual(joined.strings("count"), ["0"])
        XCTAssertEqual(try session.query("orders | left join nobody on customer_id == id | sort name desc | select order_id").strings("order_id"),
                       ["1", "2", "3", "4", "5"], "all names null: the stable sort keeps the order")
        // No rows: agg without keys gives one row whose first and min are null.
        try session.runAll("none = orders | where amount > 1000 | derive ch = if(amount > 0, channel, \"-\") | agg f = first(ch), lo = min(ch)")
        let grouped = try session.query("none | agg n = count() by f, lo | where f == \"web\" or f is null")
        XCTAssertEqual(grouped.strings("n"), ["1"])
        XCTAssertEqual(grouped.strings("f"), ["null"])
        XCTAssertEqual(try session.query("none | where lo >= \"app\" | count").strings("count"), ["0"])
    }

    /// Every text contains the empty text, as every text starts with it; `contains` said no
    /// (Foundation finds no empty range), so `contains(s, s)` was false for an empty `s`.
    func testContainsTheEmptyText() throws {
        let session = try makeSession(["orders": smallOrders])
        XCTAssertEqual(try session.query("orders | where contains(channel, \"\") | count").strings("count"), ["5"])
        XCTAssertEqual(try session.query("orders | where starts_with(channel, \"\") | count").strings("count"), ["5"])
        XCTAssertEqual(try session.query("orders | derive e = \"\" | where contains(e, e) and contains(channel, e) | count").strings("count"), ["5"])
        XCTAssertEqual(try session.query("contains(\"\", \"\")").values("value"), [.bool(true)])
        XCTAssertEqual(try session.query("contains(\"web\", \"\")").values("value"), [.bool(true)])
        XCTAssertEqual(try session.query("contains(\"web\", \"x\")").values("value"), [.bool(false)])
    }

    /// `x in [a, null]` means `x == a or x == null`, so for any x but a it is null, not false;
    /// `not in [a, null]` is then null too, and `where` keeps no such row. A null in the list was
    /// ignored, so `not in [a, null]` kept every other row.
    func testInListWithNullIsThreeValued() throws {
        let session = try makeSession(["orders": smallOrders])
        // channels: web, app, web, store, web
        XCTAssertEqual(try session.query("orders | where channel in [\"app\", null] | select order_id").strings("order_id"), ["2"])
        XCTAssertEqual(try session.query("orders | where channel not in [\"app\", null] | count").strings("count"), ["0"])
        XCTAssertEqual(try session.query("orders | select b = channel in [\"app\", null]").strings("b"), ["null", "true", "null", "null", "null"])
        XCTAssertEqual(try session.query("orders | select b = channel not in [\"app\", null]").strings("b"), ["null", "false", "null", "null", "null"])
        // Numbers and dates alike; null or true is true, null and false is false.
        XCTAssertEqual(try session.query("orders | select b = (order_id in [2, null]) or order_id == 5").strings("b"), ["null", "true", "null", "null", "true"])
        XCTAssertEqual(try session.query("orders | select b = (date not in [2024-01-05, null]) and false").strings("b"), ["false", "false", "false", "false", "false"])
        XCTAssertEqual(try session.query("orders | where amount in [80.0, null] | select order_id").strings("order_id"), ["2"])
        // Without a null in the list, absent values are plainly false.
        XCTAssertEqual(try session.query("orders | where channel not in [\"app\"] | count").strings("count"), ["4"])
    }

    /// A whole number too large for 64 bits in the list of an integer column's `in` crashed
    /// converting it; it equals no integer.
    func testInListOfIntegersWithAHugeNumber() throws {
        let session = try makeSession(["orders": smallOrders])
        XCTAssertEqual(try session.query("orders | where order_id in [1e19, 2] | select order_id").strings("order_id"), ["2"])
        XCTAssertEqual(try session.query("orders | where order_id not in [-1e300, 1e19] | count").strings("count"), ["5"])
        XCTAssertEqual(try session.query("orders | where order_id in [2.5, 3.0] | select order_id").strings("order_id"), ["3"])
    }

    /// A join probe polls Ctrl-C every 4,096 left rows (docs/language.md); it polled every
    /// 65,536, so a join of fewer left rows that each meet thousands could not be stopped.
    func testJoinProbePollsForCtrlCEvery4096LeftRows() {
        let left = Column(.string([Int32](repeating: 0, count: 10_000), StringDictionary(values: ["web"])))
        let right = Column(.string([Int32](repeating: 0, count: 3), StringDictionary(values: ["web"])))
        var polls = 0
        // Pressed after the first poll: the probe stops at its next one (row 4,096) and gives back nothing.
        let cancelled = Join.match(leftKeys: [left], rightKeys: [right], leftCount: 10_000, rightCount: 3, keepUnmatched: false,
                                   isCancelled: { polls += 1; return polls > 1 })
        XCTAssertEqual(cancelled?.left.count, 0)
        XCTAssertEqual(polls, 2)
        let whole = Join.match(leftKeys: [left], rightKeys: [right], leftCount: 10_000, rightCount: 3, keepUnmatched: false)
        XCTAssertEqual(whole?.left.count, 30_000)
    }
}

import XCTest
@testable import ClubKit

/// The catalog keeps its promises: chains of results cost time in proportion to their length,
/// customers360 honours the as-of date, a reload or `let` that would break what reads it is
/// refused, numbered results stay within a memory budget, and a broken dependency is reported
/// where the statement names it. Each test is named after the class of problem it guards.
final class CatalogTrustTests: XCTestCase {
    // MARK: - 1. Chains of named results

    /// r0 = o | take 100, r1 = r0 | take 100, …: each link is checked and computed once when
    /// defined; using and listing the chain checks nothing again; a change below checks and
    /// computes each link once more. Counts, not time: the bound is algorithmic.
    func testChainsOfNamedResultsStayLinear() throws {
        let n = 1000
        let session = try makeSession(["o": smallOrders])
        var script = "r0 = o | take 100\n"
        for k in 1...n { script += "r\(k) = r\(k - 1) | take 100\n" }
        try session.runAll(script)
        let links = (0...n).map { "r\($0)" }
        XCTAssertEqual(links.map { session.catalog.checks[$0] ?? 0 }, Array(repeating: 1, count: n + 1), "each link checked once when defined")
        XCTAssertEqual(links.map { session.catalog.computations[$0] ?? 0 }, Array(repeating: 1, count: n + 1), "each link computed once when defined")

        // smallOrders has 5 rows; take 100 keeps them all.
        XCTAssertEqual(try session.query("r\(n) | count").strings("count"), ["5"])
        XCTAssertEqual(try session.query("tables | count").strings("count"), ["\(n + 2)"], "o and r0…r\(n)")
        _ = try session.runAll("params\nsegments\ndescribe r\(n)")
        XCTAssertEqual(session.catalog.checks.values.reduce(0, +), n + 1, "using and listing the chain checks nothing again")
        XCTAssertEqual(session.catalog.computations.values.reduce(0, +), n + 1, "nor computes anything again")

        // A redefinition below is checked against every link above it, each once; then
        // querying the top computes each link once.
        try session.runAll("r0 = o | take 3")
        XCTAssertEqual(links.map { session.catalog.checks[$0] ?? 0 }, Array(repeating: 2, count: n + 1))
        XCTAssertEqual(try session.query("r\(n) | count").strings("count"), ["3"])
        XCTAssertEqual(links.map { session.catalog.computations[$0] ?? 0 }, Array(repeating: 2, count: n + 1))

        // A cycle through the whole chain is refused, naming its ends; each link is tried at
        // most once more, and the chain is left exactly as it was: nothing to check or compute.
        let d = session.error("r0 = r990 | take 1")
        XCTAssertEqual(d?.message, "`r0` cannot be defined in terms of itself (r0 → r990 → r989 → r988 → … 985 more → r2 → r1 → r0)")
        XCTAssertEqual(d?.location, SourceLocation(line: 1, column: 6, length: 4), "at `r990` in the statement")
        XCTAssertLessThanOrEqual(session.catalog.checks.values.reduce(0, +), 3 * (n + 1))
        let checksBefore = session.catalog.checks, computedBefore = session.catalog.computations
        XCTAssertEqual(try session.query("r\(n) | count").strings("count"), ["3"])
        XCTAssertEqual(session.catalog.checks, checksBefore, "the refused statement undid everything, kept plans included")
        XCTAssertEqual(session.catalog.computations, computedBefore)

        try session.runAll("drop r0 cascade")
        XCTAssertEqual(session.catalog.definitionOrder, [])
        XCTAssertEqual(session.catalog.readers, [:], "nothing left reading anything")
    }

    // MARK: - 2. customers360 and the as-of date

    /// Worked by hand, as of 2023-06-30 (orders after it take no part):
    ///
    ///     customer  orders up to 2023-06-30       n  spend  avg  first       last        days_since_last
    ///     10        01-05: 100, 05-01: 50         2  150    75   2023-01-05  2023-05-01  30 (May) + 30 (June) = 60
    ///     11        06-30: 20                     1  20     20   2023-06-30  2023-06-30  0
    ///     12        none (09-15 is after)         —
    static let asOfOrders = """
    order_id,customer_id,date,amount
    1,10,2023-01-05,100
    2,10,2023-05-01,50
    3,10,2023-07-04,999
    4,11,2023-06-30,20
    5,11,2023-08-01,70
    6,12,2023-09-15,30
    """

    func testCustomers360HonoursAsOf() throws {
        let session = try makeSession(["o": Self.asOfOrders])
        try session.runAll("use o as_of 2023-06-30")
        let t = try session.query("customers360")
        XCTAssertEqual(t.strings("customer_id"), ["10", "11"])
        XCTAssertEqual(t.strings("orders"), ["2", "1"])
        XCTAssertEqual(t.strings("spend"), ["150", "20"])
        XCTAssertEqual(t.strings("avg_order"), ["75", "20"])
        XCTAssertEqual(t.strings("first_order"), ["2023-01-05", "2023-06-30"])
        XCTAssertEqual(t.strings("last_order"), ["2023-05-01", "2023-06-30"])
        XCTAssertEqual(t.strings("days_since_last"), ["60", "0"])
        // rfm reads the same transactions: the two agree customer by customer.
        let rfm = try session.query("rfm")
        XCTAssertEqual(rfm.strings("recency"), ["60", "0"])
        XCTAssertEqual(rfm.strings("frequency"), ["2", "1"])
        XCTAssertEqual(rfm.strings("monetary"), ["150", "20"])
        // What is built on customers360 follows: only 10 has two orders by 2023-06-30 (counting
        // every order in the file, 11 would have two as well).
        try session.runAll("segment repeaters = customers360 where orders >= 2")
        XCTAssertEqual(try session.query("repeaters").strings("customer_id"), ["10"])
        guard case .table(let value) = try session.runAll("value by segments repeaters").last else { return XCTFail() }
        XCTAssertEqual(value.strings("revenue"), ["150"])
        XCTAssertEqual(value.values("share_of_revenue").first?.doubleValue ?? 0, 150.0 / 170 * 100, accuracy: 1e-9, "150 of the 170 spent by 2023-06-30")

        // Moving the as-of date moves everything built on customers360.
        try session.runAll("use o as_of 2023-08-01")
        XCTAssertEqual(try session.query("repeaters").strings("customer_id"), ["10", "11"], "10: 3 orders, 11: 2 orders by 2023-08-01")
        XCTAssertEqual(try session.query("customers360 | where days_since_last < 0 | count").strings("count"), ["0"])
    }

    /// A date-time on the as-of day counts; one at midnight after it does not.
    func testCustomers360HonoursAsOfWithDateTimes() throws {
        let session = try makeSession(["t": "customer_id,ts,amount\n1,2023-06-30T23:59:00,5\n1,2023-07-01T00:00:00,7\n2,2023-07-02T10:00:00,9\n"])
        try session.runAll("use t (date = ts) as_of 2023-06-30")
        let t = try session.query("customers360")
        XCTAssertEqual(t.strings("customer_id"), ["1"])
        XCTAssertEqual(t.strings("orders"), ["1"])
        XCTAssertEqual(t.strings("spend"), ["5"])
        XCTAssertEqual(t.strings("days_since_last"), ["0"])
    }

    // MARK: - 3. Reloading a table with other column types

    private func write(_ text: String, _ file: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(file).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The `use` roles are checked again whenever their table changes: a reload whose date
    /// column is text, or numbers, or whose amount column is text, is refused, naming what it
    /// would break, and the old table stays (rfm still counts days from real dates).
    func testReloadWithOtherColumnTypesIsRefused() throws {
        let session = try makeSession(["o": Self.asOfOrders])
        try session.runAll("use o as_of 2023-06-30\nsegment vip = customers360 where spend > 100")
        // Every date written day first: 2023-01-05 → 05/01/2023.
        let dayFirst = Self.asOfOrders.replacingOccurrences(of: #"(\d{4})-(\d\d)-(\d\d)"#, with: "$3/$2/$1", options: .regularExpression)
        let asText = try write(dayFirst, "o.csv")
        let statement = "load \"\(asText)\" as o"
        let d = session.error(statement)
        XCTAssertEqual(d?.message, "reloading `o` would break `use o`, `customers360`, `vip`: the date column `date` holds text, not dates")
        XCTAssertEqual(d?.hint, "the old `o` is kept; load the file under another name with `as`, or `drop o cascade` first")
        XCTAssertEqual(d?.location.column, statement.count, "at `o`, the table being replaced")
        XCTAssertEqual(try session.query("describe o").strings("type")[2], "date")
        XCTAssertEqual(try session.query("rfm").strings("recency"), ["60", "0"], "as of 2023-06-30, from real dates")
        XCTAssertEqual(try session.query("vip").strings("customer_id"), ["10"])

        let asNumbers = try write(Self.asOfOrders.replacingOccurrences(of: "-", with: ""), "o.csv")
        XCTAssertEqual(session.error("load \"\(asNumbers)\" as o")?.message,
                       "reloading `o` would break `use o`, `customers360`, `vip`: the date column `date` holds a number, not dates")
        let amountsAsText = try write(Self.asOfOrders.replacingOccurrences(of: ",100\n", with: ",n/a\n"), "o.csv")
        XCTAssertEqual(session.error("load \"\(amountsAsText)\" as o")?.message,
                       "reloading `o` would break `use o`, `customers360`, `vip`: the amount column `amount` holds text, not numbers")
        let noAmount = try write("order_id,customer_id,date\n1,10,2023-01-05\n", "o.csv")
        XCTAssertEqual(session.error("load \"\(noAmount)\" as o")?.message,
                       "reloading `o` would break `use o`, `customers360`, `vip`: `o` has no column `amount` for the amount")

        // Read with its date format, the same file loads, and everything follows it.
        try session.runAll("load \"\(asText)\" as o with date_format \"dd/MM/yyyy\"")
        XCTAssertEqual(try session.query("customers360").strings("first_order"), ["2023-01-05", "2023-06-30"])
        XCTAssertEqual(session.catalog.asOf, Int32(CivilDate.days(year: 2023, month: 6, day: 30)), "an as-of date given to `use` stays")
    }

    /// A reload that would break a segment (or a result it reads) is refused naming them; then
    /// `segments` still lists the segment from the old table. One that breaks nothing loads.
    func testReloadThatBreaksASegmentIsRefused() throws {
        let session = try makeSession(["o": smallOrders])
        try session.runAll("big = o | where amount > 60\nsegment web = big where channel == \"web\"")
        let noChannel = try write("order_id,customer_id,date,amount\n1,10,2024-01-05,120.5\n", "o.csv")
        let d = session.error("load \"\(noChannel)\" as o")
        XCTAssertEqual(d?.message, "reloading `o` would break `web`: unknown column `channel`; the columns are order_id, customer_id, date, amount")
        let amountsAsText = try write(smallOrders.replacingOccurrences(of: "120.5", with: "lots"), "o.csv")
        XCTAssertEqual(session.error("load \"\(amountsAsText)\" as o")?.message,
                       "reloading `o` would break `big`, `web`: cannot compare text with a number")
        let listing = try session.query("segments")
        XCTAssertEqual(listing.strings("name"), ["web"])
        XCTAssertEqual(listing.strings("members"), ["2"], "orders 1 (120.5, web) and 3 (300, web) of the old table")
        let more = try write(smallOrders + "\n6,13,2024-03-10,70,web\n", "o.csv")
        try session.runAll("load \"\(more)\" as o")
        XCTAssertEqual(try session.query("web | count").strings("count"), ["3"], "70 > 60 on the web")
    }

    /// Without an as-of date, `use` counts to the latest transaction: a reload with later
    /// transactions moves it, and says so.
    func testAsOfFollowsTheLatestTransactionWhenNotGiven() throws {
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("use orders")
        XCTAssertEqual(session.catalog.asOf, Int32(CivilDate.days(year: 2024, month: 3, day: 9)))
        let later = try write(smallOrders + "\n6,12,2024-03-10,500,web\n", "orders.csv")
        let outputs = try session.runAll("load \"\(later)\" as orders")
        XCTAssertEqual(session.catalog.asOf, Int32(CivilDate.days(year: 2024, month: 3, day: 10)))
        XCTAssertTrue(outputs.contains { if case .message("as of 2024-03-10, the latest transaction date now") = $0 { true } else { false } }, "\(outputs)")
        XCTAssertEqual(try session.query("customers360 | where customer_id == 12").strings("spend"), ["500"])
    }

    /// `let`, `use` and `formula` are refused, like a reload, when they would break what reads them.
    func testLetUseAndFormulaThatWouldBreakADependentAreRefused() throws {
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("use orders\nlet p = 100\nsegment vip = customers360 where spend >= p and customer_id > 9")
        let d = session.error("let p = \"many\"")
        XCTAssertEqual(d?.message, "setting `p` to \"many\" would break `vip`: cannot compare a number with text")
        XCTAssertEqual(d?.location, SourceLocation(line: 1, column: 5))
        XCTAssertEqual(session.catalog.parameter("p"), .int(100))
        let other = "client_id,date,amount\n10,2024-01-05,10\n"
        try session.runAll("load \"\(try write(other, "other.csv"))\"")
        XCTAssertEqual(session.error("use other")?.message, "this `use` would break `vip`: unknown column `customer_id`; the columns are client_id, first_order, last_order, orders, spend, avg_order, days_since_last")
        XCTAssertEqual(session.catalog.transactions?.table, "orders", "the previous `use` stays")
        XCTAssertEqual(try session.query("vip").strings("customer_id"), ["10", "11"])

        try session.runAll("formula twice(v) = v * 2\ndoubled = orders | derive t = twice(amount)")
        let f = session.error("formula twice(a, b) = a * b")
        XCTAssertEqual(f?.message, "redefining the formula `twice` would break `doubled`: `twice` takes 2 arguments (a, b), not 1")
        XCTAssertEqual(f?.location.column, 9)
        XCTAssertEqual(session.catalog.formulas["twice"]?.parameters, ["v"])
        // 2 × (120.5 + 80 + 300 + 45.25); the null amount stays null.
        XCTAssertEqual(try session.query("doubled | agg s = sum(t)").strings("s"), ["1091.5"])
    }

    // MARK: - 4. Numbered results

    /// Earlier tables are kept, newest first, while together they fit the budget; the last
    /// result, values, and tables a named result reads are always kept. A released one is a
    /// clear error that shows the statement to run again.
    func testNumberedResultsStayWithinAMemoryBudget() throws {
        let session = try makeSession(["orders": smallOrders])
        session.catalog.numbered.budget = 0
        try session.runAll("orders | where amount > 50\n1 + 1\norders | where amount > 100\nkeep = _3 | take 1\norders | take 2")
        // _1 table, _2 value 2, _3 table (read by `keep`), _4 table (the last).
        XCTAssertEqual(session.numbered.count, 4)
        let d = session.error("  _1 | count")
        XCTAssertEqual(d?.message, "result _1 was released to save memory; re-run its statement")
        XCTAssertEqual(d?.hint, "it was `orders | where amount > 50`")
        XCTAssertEqual(d?.location, SourceLocation(line: 1, column: 3, length: 2))
        XCTAssertEqual(session.error("_1")?.message, "result _1 was released to save memory; re-run its statement")
        XCTAssertEqual(session.error("x = _1 | take 1")?.message, "result _1 was released to save memory; re-run its statement")
        XCTAssertEqual(try session.query("_2 * 3").strings("value"), ["6"], "values are kept")
        XCTAssertEqual(try session.query("_3 | count").strings("count"), ["2"], "read by `keep`: kept")

        // With room for about two tables of this size, a hundred statements keep at most that.
        let one = try session.query("orders | where amount > 50").bytes
        session.catalog.numbered.budget = 2 * one
        for k in 0..<100 { try session.runAll("orders | where amount > \(50 + k % 3)") }
        let earlier = session.numbered.entries.dropLast().enumerated().compactMap { k, r -> Int? in
            guard case .table(let t)? = r.output, session.catalog.readers["_\(k + 1)"] == nil else { return nil }
            return t.bytes
        }
        XCTAssertLessThanOrEqual(earlier.reduce(0, +), 2 * one)
        XCTAssertGreaterThanOrEqual(earlier.count, 1, "small enough ones are kept")
        XCTAssertEqual(try session.query("_ | count").strings("count"), ["3"], "the last is always kept: amounts > 50, 51 or 52 are 120.5, 80, 300")
    }

    /// Only the newest `NumberedResults.kept` results keep their output, values too, so a script of
    /// many statements costs the same per statement; one a named result reads stays.
    func testOnlyTheNewestNumberedResultsAreKept() throws {
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("orders | take 2\nkeep = _1 | count")
        let n = NumberedResults.kept + 5
        try session.runAll((0..<n).map { "\($0) * 2" }.joined(separator: "\n"))
        // _1 is a table of 2 rows (read by `keep`), then _2 … are 0 * 2, 1 * 2, …: the last is (n − 1) * 2.
        XCTAssertEqual(try session.query("_").strings("value"), ["\((n - 1) * 2)"])
        XCTAssertEqual(try session.query("_1 | count").strings("count"), ["2"], "read by `keep`: kept")
        XCTAssertEqual(session.error("_2")?.message, "result _2 was released to save memory; re-run its statement")
        let newestKept = session.numbered.count - NumberedResults.kept + 1  // the oldest of the newest numberedKept
        XCTAssertEqual(try session.query("_\(newestKept)").strings("value"), ["\((newestKept - 2) * 2)"])
        XCTAssertEqual(session.numbered.entries.filter { $0.output != nil }.count, NumberedResults.kept + 1, "the newest, and _1")
    }

    // MARK: - 5. Listings and segment views after a failing dependency

    /// A dependency that fails (here the transactions table swapped behind the catalog's back,
    /// as no statement can) leaves out the broken entries of `segments` and `tables` with a
    /// note, and every statement that names a broken result says so at that name.
    func testListingsAfterAFailingDependency() throws {
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("use orders\nlet p = 100\nsegment vip = customers360 where spend >= p\nsegment rest = customers360 where spend < p")
        let broken = try CSVReader.read(path: try write(smallOrders.replacingOccurrences(of: "2024-01-05", with: "Jan 5"), "orders.csv")).table
        session.catalog.tables["orders"] = broken
        session.catalog.touch("orders")
        let reason = "in `customers360`: `days_since` needs a date, but this is text"

        let segments = try session.runAll("segments")
        XCTAssertTrue(segments.contains { if case .warning("left out `vip`: \(reason)") = $0 { true } else { false } }, "\(segments)")
        guard case .table(let listing)? = segments.last else { return XCTFail() }
        XCTAssertEqual(listing.rowCount, 0)
        let tables = try session.runAll("tables")
        guard case .table(let t)? = tables.last else { return XCTFail() }
        XCTAssertEqual(t.strings("name"), ["orders"])
        XCTAssertEqual(tables.filter { if case .warning = $0 { true } else { false } }.count, 3, "customers360, vip and rest left out")
        XCTAssertEqual(try session.query("params").strings("used_by"), ["vip, rest"])

        for (statement, column) in [("  vip | count", 3), ("profile vip", 9), ("compare rest, vip", 9), ("overlap vip, rest", 9),
                                    ("x = vip | take 1", 5), ("value by segments vip", 1), ("describe vip", 10)] {
            let d = session.error(statement)
            XCTAssertEqual(d?.message, reason, statement)
            XCTAssertEqual(d?.location.line, 1, statement)
            XCTAssertEqual(d?.location.column, column, statement)
        }
        let rfm = session.error("  rfm")
        XCTAssertEqual(rfm?.message, "the date column `date` holds text, not dates; run `use` again")
        XCTAssertEqual(rfm?.location.column, 3)
    }
}

import XCTest
@testable import ClubKit

final class EvaluationTests: XCTestCase {
    private var session: Session!

    override func setUpWithError() throws {
        session = try makeSession(["orders": smallOrders, "customers": smallCustomers], asOf: Int32(CivilDate.days(year: 2024, month: 3, day: 31)))
    }

    func testWhereTreatsNullAsFalse() throws {
        let t = try session.query("orders | where amount > 50")
        XCTAssertEqual(t.strings("order_id"), ["1", "2", "3"])
        let negated = try session.query("orders | where not (amount > 50)")
        XCTAssertEqual(negated.strings("order_id"), ["5"], "null > 50 is null, and not null is null too")
    }

    func testThreeValuedLogic() throws {
        // Row 4 has a null amount: (null > 0) or true = true; (null > 0) and false = false.
        XCTAssertEqual(try session.query("orders | where amount > 0 or channel == \"store\" | count").strings("count"), ["5"])
        XCTAssertEqual(try session.query("orders | where amount is null | select order_id").strings("order_id"), ["4"])
        XCTAssertEqual(try session.query("orders | where amount is not null | count").strings("count"), ["4"])
    }

    func testIntegerDivisionGivesAFloatAndScalarsPrint() throws {
        XCTAssertEqual(try session.query("(90 / 100) * 100").values("value"), [.double(90)])
        XCTAssertEqual(try session.query("7 / 2").values("value"), [.double(3.5)])
        XCTAssertEqual(try session.query("7 % 2").values("value"), [.int(1)])
        XCTAssertEqual(try session.query("30% * 200").values("value"), [.double(60)])
    }

    func testDivisionByZeroIsNullWithAWarning() throws {
        let outputs = try session.runAll("orders | select order_id, r = order_id / (customer_id - 10)")
        guard case .warning(let w) = outputs[0], case .table(let t) = outputs[1] else { return XCTFail("\(outputs)") }
        XCTAssertEqual(w, "division by zero in 2 rows gave null")
        XCTAssertEqual(t.strings("r"), ["null", "2", "null", "2", "5"])
    }

    func testSelectDeriveAndPercent() throws {
        let t = try session.query("orders | where order_id == 1 | select customer_id, vat = amount * 9% | derive total = vat + 1, customer_id = customer_id * 2")
        XCTAssertEqual(t.columnNames, ["customer_id", "vat", "total"])
        XCTAssertEqual(t.strings("customer_id"), ["20"])
        // 120.5 * 0.09 = 10.845
        XCTAssertEqual(t.strings("vat"), ["10.845"])
    }

    func testAggregatesByKey() throws {
        let t = try session.query("orders | agg n = count(), spend = sum(amount), paid = count(amount), last = max(date), avg = avg(amount) by customer_id")
        XCTAssertEqual(t.strings("customer_id"), ["10", "11", "12"], "groups come in first-seen order")
        XCTAssertEqual(t.strings("n"), ["2", "2", "1"])
        // 120.5 + 300 = 420.5; 80 + 45.25 = 125.25; customer 12 has only a null amount.
        XCTAssertEqual(t.strings("spend"), ["420.5", "125.25", "null"])
        XCTAssertEqual(t.strings("paid"), ["2", "2", "0"])
        XCTAssertEqual(t.strings("last"), ["2024-02-01", "2024-03-09", "2024-02-03"])
        XCTAssertEqual(t.strings("avg"), ["210.25", "62.625", "null"])
    }

    func testWholeTableAggregatesAndStatistics() throws {
        // amounts: 45.25, 80, 120.5, 300 → median (80 + 120.5) / 2 = 100.25;
        // percentile 0.9 at rank 0.9 * 3 = 2.7 → 120.5 + 0.7 * (300 - 120.5) = 246.15.
        // mean 136.4375; squared deviations 8315.97..., sample sd = sqrt(35346.05729 / 3)... checked below to 6 digits.
        let t = try session.query("orders | agg n = count(), med = median(amount), p90 = percentile(amount, 0.9), sd = stddev(amount), cd = count_distinct(channel), f = first(amount), l = last(amount), lo = min(channel)")
        XCTAssertEqual(t.strings("n"), ["5"])
        XCTAssertEqual(t.strings("med"), ["100.25"])
        XCTAssertEqual(t.strings("p90"), ["246.15"])
        guard case .double(let sd) = t.values("sd")[0] else { return XCTFail() }
        // Deviations from 136.4375: -91.1875, -56.4375, -15.9375, 163.5625; squares sum 8315.16015625 + 3185.19140625 + 254.00390625 + 26752.69140625 = 38507.046875;
        // / 3 = 12835.68229...; sqrt = 113.2946...
        XCTAssertEqual(sd, (38507.046875 / 3).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(t.strings("cd"), ["3"])
        XCTAssertEqual(t.strings("f"), ["120.5"])
        XCTAssertEqual(t.strings("l"), ["45.25"])
        XCTAssertEqual(t.strings("lo"), ["app"])
    }

    /// `mode`: the most frequent non-null value per group; a tie goes to the value met first.
    func testModeIsTheMostFrequentValue() throws {
        // Channels in row order: web, app, web, store, web → web (3 of 5).
        XCTAssertEqual(try session.query("orders | agg m = mode(channel)").strings("m"), ["web"])
        // Customer 10: web, web; 11: app, web (a tie: app is met first); 12: store; amounts of
        // 12 are all null → null.
        let t = try session.query("orders | agg ch = mode(channel), amt = mode(amount) by customer_id")
        XCTAssertEqual(t.strings("ch"), ["web", "app", "store"])
        XCTAssertEqual(t.strings("amt"), ["120.5", "80", "null"])
        XCTAssertEqual(try session.query("orders | where order_id > 99 | agg m = mode(channel)").strings("m"), ["null"])
    }

    func testAggregateExpressionsCombineAggregates() throws {
        let t = try session.query("orders | agg avg_order = sum(amount) / count(amount) by channel")
        XCTAssertEqual(t.strings("channel"), ["web", "app", "store"])
        // web: (120.5 + 300 + 45.25) / 3 = 155.25
        XCTAssertEqual(t.strings("avg_order"), ["155.25", "80", "null"])
    }

    func testSortIsStableWithNullsLast() throws {
        let t = try session.query("orders | sort amount desc")
        XCTAssertEqual(t.strings("order_id"), ["3", "1", "2", "5", "4"])
        let byChannel = try session.query("orders | sort channel, amount")
        XCTAssertEqual(byChannel.strings("order_id"), ["2", "4", "5", "1", "3"])
    }

    func testTopTakeDistinctCount() throws {
        XCTAssertEqual(try session.query("orders | top 2 by amount").strings("order_id"), ["3", "1"])
        XCTAssertEqual(try session.query("orders | take 2").strings("order_id"), ["1", "2"])
        XCTAssertEqual(try session.query("orders | distinct channel").strings("channel"), ["web", "app", "store"])
        XCTAssertEqual(try session.query("orders | distinct customer_id, channel").rowCount, 4)
        XCTAssertEqual(try session.query("orders | count").strings("count"), ["5"])
    }

    func testInnerAndLeftJoin() throws {
        let inner = try session.query("orders | join customers on customer_id == id")
        XCTAssertEqual(inner.strings("order_id"), ["1", "2", "3", "5"])
        XCTAssertEqual(inner.strings("name"), ["Sara", "Reza", "Sara", "Reza"])
        let left = try session.query("orders | left join customers on customer_id == id")
        XCTAssertEqual(left.strings("order_id"), ["1", "2", "3", "4", "5"])
        XCTAssertEqual(left.strings("city"), ["Tehran", "Shiraz", "Tehran", "null", "Shiraz"])
        // The condition may name the right table's column first.
        XCTAssertEqual(try session.query("orders | join customers on id == customer_id | count").strings("count"), ["4"])
    }

    func testInBetweenCoalesceIf() throws {
        XCTAssertEqual(try session.query("orders | where channel in [\"app\", \"store\"] | count").strings("count"), ["2"])
        XCTAssertEqual(try session.query("orders | where amount between 80 and 120.5 | count").strings("count"), ["2"])
        XCTAssertEqual(try session.query("orders | select a = coalesce(amount, 0) | where a == 0 | count").strings("count"), ["1"])
        XCTAssertEqual(try session.query("orders | select big = if(amount > 100, \"big\", \"small\")").strings("big"),
                       ["big", "small", "big", "small", "small"], "a null condition takes the else branch")
    }

    func testDatesAndDurations() throws {
        XCTAssertEqual(try session.query("2024-03-31 - 2024-01-31").values("value"), [.int(60)])
        XCTAssertEqual(try session.query("2024-01-31 + 1mo").values("value"), [.date(Int32(CivilDate.days(year: 2024, month: 2, day: 29)))])
        XCTAssertEqual(try session.query("orders | where date >= 2024-03-31 - 60d | count").strings("count"), ["3"])
        // as of 2024-03-31: 2024-03-09 is 22 days before.
        XCTAssertEqual(try session.query("orders | where order_id == 5 | select d = days_since(date)").strings("d"), ["22"])
        XCTAssertEqual(try session.query("orders | where days_since(date) > 8w | count").strings("count"), ["4"])
        let parts = try session.query("orders | where order_id == 3 | select y = year(date), m = month(date), d = day(date), w = weekday(date), s = month_start(2024-02-29)")
        // 2024-02-01 was a Thursday (ISO weekday 4).
        XCTAssertEqual([parts.strings("y")[0], parts.strings("m")[0], parts.strings("d")[0], parts.strings("w")[0], parts.strings("s")[0]], ["2024", "2", "1", "4", "2024-02-01"])
    }

    func testStringFunctions() throws {
        let t = try session.query("customers | select u = upper(name), l = len(city), c = contains(city, \"e\"), s = starts_with(name, \"S\")")
        XCTAssertEqual(t.strings("u"), ["SARA", "REZA", "MINA"])
        XCTAssertEqual(t.strings("l"), ["6", "6", "6"])
        XCTAssertEqual(t.strings("c"), ["true", "false", "false"])
        XCTAssertEqual(t.strings("s"), ["true", "false", "false"])
    }

    func testMathFunctionsOutOfDomainGiveNull() throws {
        let outputs = try session.runAll("sqrt(-1)")
        guard case .warning = outputs[0], case .value(.null) = outputs[1] else { return XCTFail("\(outputs)") }
        XCTAssertEqual(try session.query("round(2.345, 2)").values("value"), [.double(2.35)])
        XCTAssertEqual(try session.query("pow(2, 10)").values("value"), [.double(1024)])
        XCTAssertEqual(try session.query("abs(-3)").values("value"), [.int(3)])
    }

    func testParametersInPipelinesAndLiveResults() throws {
        try session.runAll("let threshold = 100\nbig = orders | where amount > threshold")
        XCTAssertEqual(try session.query("big | count").strings("count"), ["2"])
        try session.runAll("let threshold = 50")
        XCTAssertEqual(try session.query("big | count").strings("count"), ["3"], "a named result follows its parameter")
    }

    func testPersianIdentifiersAndBackQuotes() throws {
        try session.runAll("let مشتری = 10")
        XCTAssertEqual(try session.query("orders | where customer_id == مشتری | count").strings("count"), ["2"])
        XCTAssertEqual(try session.query("orders | select `order id` = order_id | take 1").columnNames, ["order id"])
    }
}

final class TopTests: XCTestCase {
    /// A sort polls the cancellation flag and gives up with nil once it is set.
    func testACancelledSortGivesUp() {
        let column = Column(.int((0..<300_000).map { Int64(($0 * 7919) % 300_000) }))
        XCTAssertNil(Sorting.permutation([(column: column, descending: false)], n: 300_000, isCancelled: { true }))
        XCTAssertEqual(Sorting.permutation([(column: column, descending: false)], n: 300_000)?.count, 300_000)
    }

    /// The heap that serves `top n by …` agrees with a full stable sort, ties and nulls included.
    func testTopAgreesWithAFullSort() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let n = 500
            var values = (0..<n).map { _ in Int64.random(in: 0..<40, using: &rng) }
            var validity = Bitmap(count: n)
            for i in 0..<n where values[i] == 0 { validity.set(i, false); values[i] = 0 }
            let column = Column(.int(values), validity: validity)
            for descending in [true, false] {
                let keys = [(column: column, descending: descending)]
                let full = Array(Sorting.permutation(keys, n: n)!.prefix(17))
                XCTAssertEqual(Sorting.top(keys, limit: 17, n: n), full)
            }
        }
    }

    /// Without nulls in the first key, rows that cannot beat the heap's root are turned away by
    /// value; the answer stays that of a full sort, ties broken by the second key and row order.
    func testTopWithPlainFirstKeysAgreesWithAFullSort() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let n = 600
            let ints = Column(.int((0..<n).map { _ in Int64.random(in: 0..<30, using: &rng) }))
            let doubles = Column(.double((0..<n).map { _ in Double(Int.random(in: 0..<50, using: &rng)) / 4 }))
            let days = Column(.date((0..<n).map { _ in Int32.random(in: 19000..<19020, using: &rng) }))
            for first in [ints, doubles, days] {
                for descending in [true, false] {
                    for keys in [[(column: first, descending: descending)], [(column: first, descending: descending), (column: ints, descending: !descending)]] {
                        let full = Array(Sorting.permutation(keys, n: n)!.prefix(25))
                        XCTAssertEqual(Sorting.top(keys, limit: 25, n: n), full)
                    }
                }
            }
        }
    }

}

final class JoinAndPruningTests: XCTestCase {
    /// One integer key joins through a table indexed by value (or a hash map for keys spread
    /// wide): left order, each left row's matches in right order, nulls never match.
    func testIntegerKeyJoinKeepsOrderAndNulls() throws {
        for (leftKeys, rightKeys) in [("5,1,,7,5,9", "5,1,5,,3"), ("5000000000000,1,,7,5000000000000,9", "5000000000000,1,5000000000000,,-3")] {
            let l = leftKeys.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let r = rightKeys.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let s = try makeSession([
                "a": "row,k\n" + l.enumerated().map { "\($0.offset),\($0.element)" }.joined(separator: "\n") + "\n",
                "b": "k2,tag\n" + r.enumerated().map { "\($0.element),t\($0.offset)" }.joined(separator: "\n") + "\n",
            ])
            let inner = try s.query("a | join b on k == k2")
            // Left rows 0 and 4 (key 5) match right rows 0 and 2; left row 1 matches right row 1.
            XCTAssertEqual(inner.strings("row"), ["0", "0", "1", "4", "4"])
            XCTAssertEqual(inner.strings("tag"), ["t0", "t2", "t1", "t0", "t2"])
            let left = try s.query("a | left join b on k == k2")
            XCTAssertEqual(left.strings("row"), ["0", "0", "1", "2", "3", "4", "4", "5"])
            XCTAssertEqual(left.strings("tag"), ["t0", "t2", "t1", "null", "null", "t0", "t2", "null"])
        }
    }

    /// Filters, sorts and joins copy only the columns later steps read; what a pipeline shows
    /// at its end still has every column.
    func testStepsCarryTheColumnsLaterStepsRead() throws {
        let session = try makeSession(["orders": smallOrders, "customers": smallCustomers])
        let filtered = try session.query("orders | where amount > 50 | sort date desc | take 2 | join customers on customer_id == id | agg spend = sum(amount) by city")
        // amount > 50: orders 1 (120.5), 2 (80), 3 (300); latest two by date: 3 (Feb 1, customer 10), 2 (Jan 6, customer 11).
        XCTAssertEqual(filtered.strings("city"), ["Tehran", "Shiraz"])
        XCTAssertEqual(filtered.strings("spend"), ["300", "80"])
        let whole = try session.query("orders | where amount > 50 | join customers on customer_id == id")
        XCTAssertEqual(whole.columnNames, ["order_id", "customer_id", "date", "amount", "channel", "id", "name", "city"])
        XCTAssertEqual(whole.strings("channel"), ["web", "app", "web"])
        XCTAssertEqual(whole.strings("name"), ["Sara", "Reza", "Sara"])
        XCTAssertEqual(try session.query("orders | where amount > 50 | select channel").strings("channel"), ["web", "app", "web"])
        XCTAssertEqual(try session.query("orders | top 1 by amount | select order_id").strings("order_id"), ["3"])
    }

    /// Date parts come from a table of the column's days when its span is short, and day by day
    /// when it is not; both give the calendar's answer, and nulls stay null.
    func testDatePartsOverShortAndLongSpans() throws {
        let s = try makeSession([
            "short": "d,k\n2024-02-29,1\n,2\n2024-03-01,3\n",
            "long": "d,k\n1800-03-15,1\n2150-12-31,2\n,3\n2024-02-29,4\n",
        ])
        let short = try s.query("short | derive m = month_start(d), w = weekday(d), y = year(d), day = day(d)")
        // 2024-02-29 was a Thursday (ISO 4), 2024-03-01 a Friday (5).
        XCTAssertEqual(short.strings("m"), ["2024-02-01", "null", "2024-03-01"])
        XCTAssertEqual(short.strings("w"), ["4", "null", "5"])
        XCTAssertEqual(short.strings("day"), ["29", "null", "1"])
        let long = try s.query("long | derive m = month_start(d), y = year(d), mo = month(d)")
        XCTAssertEqual(long.strings("m"), ["1800-03-01", "2150-12-01", "null", "2024-02-01"])
        XCTAssertEqual(long.strings("y"), ["1800", "2150", "null", "2024"])
        XCTAssertEqual(long.strings("mo"), ["3", "12", "null", "2"])
    }
}

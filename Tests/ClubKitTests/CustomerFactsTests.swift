import XCTest
@testable import ClubKit

/// The transactions the analytics share (`TransactionData` kept by the catalog, with its
/// `CustomerFacts`): worked out once, worked out again whenever the `use` table, its roles or
/// the as-of date change, and the kernels that read them in customer order.
final class CustomerFactsTests: XCTestCase {
    /// Rows out of day order within each customer, on purpose.
    ///
    ///     customer  days (in row order)                        months with a purchase
    ///     A         03-05, 01-10, 01-20, 02-01                 Jan, Feb, Mar
    ///     B         04-02, 01-15                               Jan, Apr (back after a gap)
    ///     C         02-28, 03-01                               Feb, Mar
    ///     D         04-30                                      Apr
    static let tx = """
    c,day,value,net
    A,2024-03-05,30,3
    B,2024-04-02,20,2
    A,2024-01-10,100,10
    C,2024-02-28,80,8
    D,2024-04-30,10,1
    A,2024-01-20,50,5
    B,2024-01-15,200,20
    C,2024-03-01,40,4
    A,2024-02-01,60,6
    """

    private func session() throws -> Session {
        let s = try makeSession(["tx": Self.tx])
        try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-04-30")
        return s
    }

    func testRetentionByMonthFromRowsOutOfOrder() throws {
        // By hand, from the months above:
        //   Feb against Jan: start {A, B} = 2, retained {A} = 1, end {A, C} = 2, new {C} = 1,
        //                    reactivated 2 − 1 − 1 = 0, lost 1; retention 50, CRR (2 − 1) / 2 = 50.
        //   Mar against Feb: start {A, C} = 2, retained {A, C} = 2, end 2, new 0, lost 0;
        //                    retention 100, CRR 100.
        //   Apr against Mar: start {A, C} = 2, retained 0, end {B, D} = 2, new {D} = 1,
        //                    reactivated {B} = 1, lost 2; retention 0, CRR (2 − 1) / 2 = 50.
        let t = try session().query("retention by month")
        XCTAssertEqual(t.strings("month"), ["2024-02-01", "2024-03-01", "2024-04-01"])
        XCTAssertEqual(t.strings("start"), ["2", "2", "2"])
        XCTAssertEqual(t.strings("retained"), ["1", "2", "0"])
        XCTAssertEqual(t.strings("lost"), ["1", "0", "2"])
        XCTAssertEqual(t.strings("end"), ["2", "2", "2"])
        XCTAssertEqual(t.strings("new"), ["1", "0", "1"])
        XCTAssertEqual(t.strings("reactivated"), ["0", "0", "1"])
        XCTAssertEqual(t.values("retention"), [.double(50), .double(100), .double(0)])
        XCTAssertEqual(t.values("crr"), [.double(50), .double(100), .double(50)])
    }

    func testLongestGapReadsEachCustomerInDayOrder() throws {
        // A's days in order: 01-10, 01-20, 02-01, 03-05; as of 04-30 the longest gap is to the
        // as-of date, 56 days (03-05 → 04-30); 4 purchases. With loyal_orders 4 and loyal_gap 56
        // A is loyal; with loyal_gap 55 A is not. The gaps inside the window: 10, 12 and 33 days.
        let s = try session()
        let loyal = try s.query("types with loyal_orders 4, loyal_gap 56, inactive_days 365 | members | where type == \"loyal\"")
        XCTAssertEqual(loyal.strings("c"), ["A"])
        XCTAssertEqual(loyal.strings("evidence"), ["4 purchases, longest gap 56 days in the last 365"])
        XCTAssertEqual(try s.query("types with loyal_orders 4, loyal_gap 55, inactive_days 365 | members | where type == \"loyal\"").rowCount, 0)
    }

    func testOneBuildIsSharedByTheCommands() throws {
        let s = try session()
        _ = try s.query("rfm")
        guard let first = s.catalog.transactionDataCache else { return XCTFail("no transactions kept") }
        XCTAssertNotNil(first.data.facts.summary)
        XCTAssertNotNil(first.data.facts.keyOrder)
        _ = try s.query("pareto")
        _ = try s.query("kpi")
        _ = try s.query("retention by month")
        XCTAssertNotNil(first.data.facts.months[.gregorian] ?? nil)
        _ = try s.query("types")
        XCTAssertTrue(s.catalog.transactionDataCache?.data.facts === first.data.facts, "the commands worked on one build of the transactions")
        XCTAssertNotNil(first.data.facts.byCustomer)
    }

    func testTheKeptTransactionsFollowTheUseTableItsRolesAndTheAsOfDate() throws {
        let s = try session()
        // Spend by customer in key order: A 100 + 50 + 60 + 30 = 240, B 220, C 120, D 10.
        XCTAssertEqual(try s.query("rfm").strings("monetary"), ["240", "220", "120", "10"])
        let kept = s.catalog.transactionDataCache?.data.facts
        // Another amount column: net is a tenth of value.
        try s.runAll("use tx (customer = c, date = day, amount = net) as_of 2024-04-30")
        XCTAssertEqual(try s.query("rfm").strings("monetary"), ["24", "22", "12", "1"])
        XCTAssertFalse(s.catalog.transactionDataCache?.data.facts === kept)
        // An earlier as-of date: only January to March (A 240, B 200, C 120; D not yet).
        try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        XCTAssertEqual(try s.query("rfm").strings("monetary"), ["240", "200", "120"])
        // The same table loaded again with other rows.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-facts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tx.csv").path
        try "c,day,value,net\nA,2024-01-10,7,1\nE,2024-02-01,5,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        try s.runAll("load \"\(path)\" as tx")
        XCTAssertEqual(try s.query("rfm").strings("monetary"), ["7", "5"])
        XCTAssertEqual(try s.query("rfm").strings("c"), ["A", "E"])
    }

    func testTheKeptTransactionsFollowANamedResultsParameters() throws {
        // `use` over a named result: a parameter it reads renews its version.
        let s = try makeSession(["tx": Self.tx])
        try s.runAll("let cut = 45")
        try s.runAll("big = tx | where value > cut")
        try s.runAll("use big (customer = c, date = day, amount = value) as_of 2024-04-30")
        // value > 45: A 100 + 50 + 60 = 210, B 200, C 80.
        XCTAssertEqual(try s.query("pareto").strings("spend"), ["210", "200", "80"])
        try s.runAll("let cut = 90")
        // value > 90: A 100, B 200.
        XCTAssertEqual(try s.query("pareto").strings("spend"), ["200", "100"])
    }

    func testRadixOrderIsAStableSortByKey() {
        // Checked against the standard library's sort of (key, position) pairs.
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 17, 1000] {
            for spread in [UInt64(1), 3, 70_000, .max] {
                let keys = (0..<count).map { _ in UInt64.random(in: 0...spread, using: &generator) &* (spread == .max ? 1 : 0x1_0001) }
                let expected = keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
                XCTAssertEqual(Radix.order(keys).map(Int.init), expected, "count \(count), spread \(spread)")
            }
        }
        XCTAssertLessThan(Radix.key(-2.5), Radix.key(-0.0))
        XCTAssertEqual(Radix.key(-0.0), Radix.key(0.0))
        XCTAssertLessThan(Radix.key(0.0), Radix.key(1e-300))
        XCTAssertLessThan(Radix.key(Int64.min), Radix.key(Int64(-1)))
        XCTAssertLessThan(Radix.key(Int64(-1)), Radix.key(Int64(0)))
    }

    func testCustomers360FromTheSummaryIsItsPipelinesTable() throws {
        // customers360's own pipeline, written out as a named result, is the oracle: the
        // summary must give the same rows, in the same order, with the same values.
        // Amounts with cents (whole amounts sum as integers, which the pipeline keeps).
        let s = try makeSession(["tx": Self.tx.replacingOccurrences(of: ",3\n", with: ".25,3\n").replacingOccurrences(of: ",8\n", with: ".5,8\n"),
                                 "customers": "id,name\nA,Ali\nB,Sara\nE,Omid\n"])
        try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        let fast = try s.query("customers360")
        XCTAssertNotNil(s.catalog.transactionDataCache, "customers360 came from the shared summary")
        try s.runAll("slow = `tx` | where days_since(`day`) >= 0 | agg first_order = min(`day`), last_order = max(`day`), orders = count(), "
                     + "spend = sum(`value`), avg_order = avg(`value`) by `c` | derive days_since_last = days_since(last_order) "
                     + "| left join customers on `c` == `id` | select `c`, first_order, last_order, orders, spend, avg_order, days_since_last, name")
        let slow = try s.query("slow")
        XCTAssertEqual(fast.columnNames, slow.columnNames)
        for name in slow.columnNames { XCTAssertEqual(fast.values(name), slow.values(name), name) }
        // By hand: A 30.25 + 100 + 50 + 60 = 240.25 (03-05 last, 26 days before 03-31),
        // C 80.5 + 40 = 120.5, B 200 (04-02 is after the as-of date); D not yet.
        XCTAssertEqual(fast.strings("c"), ["A", "C", "B"])
        XCTAssertEqual(fast.values("spend"), [.double(240.25), .double(120.5), .double(200)])
        XCTAssertEqual(fast.values("avg_order"), [.double(240.25 / 4), .double(120.5 / 2), .double(200)])
        XCTAssertEqual(fast.strings("days_since_last"), ["26", "30", "76"])
        XCTAssertEqual(fast.strings("name"), ["Ali", "null", "Sara"])
    }

    func testBothCoresGiveTheFiguresOneGives() throws {
        // 3,000 transactions of 300 customers over 2023 and 2024, from a fixed generator: enough
        // for each core's share of the customers to hold many of them.
        var state: UInt64 = 12_345
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        var rows = ["c,day,value"], buyers = Set<String>(), expected = [String: Double](), orderPoints = 0.0
        for _ in 0..<3000 {
            let c = "C\(next(300))", value = Double(next(20_000)) / 100
            // 19,358 is 2023-01-01.
            rows.append("\(c),\(CivilDate.format(Int32(19_358 + next(730)))),\(value)")
            if value > 0 { buyers.insert(c) }
            orderPoints += (value / 10).rounded(.down)
            expected[c, default: 0] += value
        }
        let s = try makeSession(["tx": rows.joined(separator: "\n") + "\n"])
        try s.runAll("use tx (customer = c, date = day, amount = value)")
        try s.runAll("program club = earn 1 per 10, expire 180d, tiers (silver 50, gold 200) over 90d, redeem 30%")
        let at = SourceLocation(line: 1, column: 1)
        let (data, _) = try s.catalog.transactionData(for: "test", at: at)
        let one = TransactionData.summary(data.customer, data.day, data.amount, data.customerCount, parts: 1)
        let two = TransactionData.summary(data.customer, data.day, data.amount, data.customerCount, parts: 2)
        XCTAssertEqual(one.first, two.first)
        XCTAssertEqual(one.last, two.last)
        XCTAssertEqual(one.transactions, two.transactions)
        XCTAssertEqual(one.spend, two.spend)
        XCTAssertEqual(one.transactions.reduce(0, +), 3000)
        for c in 0..<data.customerCount {
            XCTAssertEqual(two.spend[c], expected[ValueFormat.display(data.keys.value(at: c))]!, accuracy: 1e-9)
        }
        let (_, rules) = try s.catalog.program("club", at: at)
        let serial = try data.pointsLedger(rules, multiplier: nil, customers: .none(data.customerCount), parts: 1, at: at)
        let split = try data.pointsLedger(rules, multiplier: nil, customers: .none(data.customerCount), parts: 2, at: at)
        let serialMonths = try data.pointsMonths(rules, multiplier: nil, customers: .none(data.customerCount), parts: 1, at: at).months
        let splitMonths = try data.pointsMonths(rules, multiplier: nil, customers: .none(data.customerCount), parts: 2, at: at).months
        XCTAssertEqual(serialMonths.count, 24)
        XCTAssertEqual(serialMonths.map(\.members), splitMonths.map(\.members))
        XCTAssertEqual(serialMonths.map(\.newMembers), splitMonths.map(\.newMembers))
        XCTAssertEqual(serialMonths.map(\.tierCounts), splitMonths.map(\.tierCounts))
        XCTAssertEqual(serialMonths.map(\.outstanding), splitMonths.map(\.outstanding))
        XCTAssertEqual(serial.issued, split.issued)
        XCTAssertEqual(serial.redeemed, split.redeemed)
        XCTAssertEqual(serial.expired, split.expired)
        XCTAssertEqual(serial.windowPoints, split.windowPoints)
        XCTAssertEqual(serial.tier, split.tier)
        // Order points by hand: floor(value / 10) for each purchase, all customers together.
        XCTAssertEqual(split.issued.reduce(0, +), orderPoints)
        // Every customer with a purchase over 0 is a member by the end.
        XCTAssertEqual(splitMonths.last?.members, buyers.count)
        XCTAssertGreaterThan(splitMonths.flatMap(\.tierCounts).max() ?? 0, 0)
    }

    /// A fixed generator for the checks below.
    private struct Numbers {
        var state: UInt64
        mutating func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
    }

    func testRadixOrderOnManyKeysIsTheStableSort() {
        // Few distinct keys, whole numbers of either sign, doubles of money, and keys that
        // differ in the top and the bottom bytes.
        var numbers = Numbers(state: 99)
        let sets: [[UInt64]] = [
            (0..<20_000).map { _ in Radix.key(Int64(numbers.next(7))) },
            (0..<20_000).map { _ in Radix.key(Int64(numbers.next(3_000_000)) - 1_000_000) },
            (0..<20_000).map { _ in Radix.key(-Double(numbers.next(1_000_000)) / 100) },
            (0..<20_000).map { _ in numbers.next(10) == 0 ? UInt64.max - numbers.next(3) : numbers.next(1 << 40) },
        ]
        for keys in sets {
            let expected = keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
            XCTAssertEqual(Radix.order(keys).map(Int.init), expected)
        }
    }

    func testScoresWithoutSortingAreTheRanksScores() {
        // The oracle: rank i of the stable sort scores ⌊i × bins / n⌋ + 1.
        var numbers = Numbers(state: 7)
        for count in [0, 1, 2, 3, 4, 17, 5_000] {
            for spread in [UInt64(1), 3, 600, 1 << 20, 1 << 50] {
                let keys = (0..<count).map { _ in numbers.next(spread) &* 977 }
                for bins in [2, 3, 5, 10] {
                    var expected = [Int](repeating: 0, count: count)
                    for (i, p) in keys.indices.sorted(by: { (keys[$0], $0) < (keys[$1], $1) }).enumerated() { expected[p] = i * bins / count + 1 }
                    XCTAssertEqual(Radix.scores(keys, bins: bins), expected, "count \(count), spread \(spread), bins \(bins)")
                }
            }
        }
    }

    func testEachCustomersMonthsAreTheMonthsOfTheirRows() throws {
        // Seven years (84 months: two words a customer), rows in no order, against the set of
        // (customer, month) pairs read off the rows; on one core and on two.
        var numbers = Numbers(state: 5)
        var rows = ["c,day,value"], pairs = Set<String>()
        for _ in 0..<4000 {
            let c = "C\(numbers.next(150))", day = Int32(17_532 + numbers.next(2_556))  // 2018-01-01 … 2024-12-31
            rows.append("\(c),\(CivilDate.format(day)),1")
            pairs.insert("\(c) \(CalendarKind.gregorian.monthIndex(day))")
        }
        let s = try makeSession(["tx": rows.joined(separator: "\n") + "\n"])
        try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-12-31")
        let (data, _) = try s.catalog.transactionData(for: "test", at: SourceLocation(line: 1, column: 1))
        for parts in [1, 2] {
            guard let months = CustomerMonths(data, calendar: .gregorian, parts: parts) else { return XCTFail("no months") }
            XCTAssertEqual(months.words, 2)
            var found = Set<String>()
            for c in 0..<data.customerCount {
                months.forEachMonth(of: c) { m in found.insert("\(ValueFormat.display(data.keys.value(at: c))) \(months.first + m)") }
            }
            XCTAssertEqual(found, pairs)
        }
        // The customers' periods from one pass, against the rows read one at a time.
        let periods: [(from: Int32, to: Int32)] = [(17_532, 17_600), (18_000, 19_000), (19_500, 20_088), (-5_000_000, 5_000_000)]
        for given in [Array(periods.prefix(3)), periods] {
            var expected = [UInt8](repeating: 0, count: data.customerCount)
            for i in 0..<data.count {
                for (b, p) in given.enumerated() where data.day[i] >= p.from && data.day[i] <= p.to { expected[Int(data.customer[i])] |= 1 << UInt8(b) }
            }
            XCTAssertEqual(data.active(given), expected)
        }
    }

    func testTheLaterAnswerOfADayIsTheLatest() throws {
        // A answers twice on 04-20: first a complaint (negative), then NPS 10 and rating 5. The
        // negative one makes A dissatisfied (within 90 days of 04-30); the later row is A's last
        // answer. B's complaint column says "No": none; B's rating is empty.
        let s = try makeSession(["tx": Self.tx, "feedback": "c,date,nps,rating,complaint\nA,2024-04-20,3,1,broken box\nA,2024-04-20,10,5,\nB,2024-04-01,9,,No\n"])
        try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-04-30")
        let t = try s.query("types | members")
        XCTAssertEqual(t.strings("c"), ["A", "B", "C", "D"])
        XCTAssertEqual(t.strings("type")[0], "dissatisfied")
        XCTAssertEqual(t.strings("evidence")[0], "complaint \"broken box\", rating 1, NPS 3 on 2024-04-20")
        XCTAssertEqual(t.strings("last_feedback")[0], "NPS 10, rating 5 on 2024-04-20")
        XCTAssertEqual(t.strings("type")[1], "regular")
        XCTAssertEqual(t.strings("last_feedback")[1], "NPS 9 on 2024-04-01")
        XCTAssertEqual(t.values("last_feedback")[2], .null)
    }
}

import XCTest
@testable import ClubKit

/// `types` with whole-number customer ids, which it reads through `CustomerLookup` (no grouping
/// of the customers and feedback tables with the buyers), and `rfm` on enough customers that its
/// scores are written on both cores, with ties across the two halves.
final class TypesAndRFMLookupTests: XCTestCase {
    private func table(_ session: Session, _ statement: String) throws -> Table {
        for output in try session.runAll(statement) { if case .table(let t) = output { return t } }
        throw Diagnostic("no table", at: SourceLocation(line: 1, column: 1))
    }

    /// AnalyticsTests' five buyers as ids 101–105 (A–E).
    static let tx = """
    c,day,value
    101,2024-01-10,100
    101,2024-02-15,50
    101,2024-03-20,30
    102,2024-01-05,200
    102,2024-03-02,20
    103,2024-02-10,80
    104,2024-03-25,10
    104,2024-03-25,40
    105,2024-01-20,60
    """

    private func session(customers: String, feedback: String) throws -> Session {
        let s = try makeSession(["tx": Self.tx, "customers": customers, "feedback": feedback])
        try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        return s
    }

    func testLookupKeepsEachIdOnceInOrderOfFirstRow() {
        // Keys 10, 12, 11 are buyers 0, 1, 2; the ids 12 (a buyer), 40, null, 7, 40 again, 11, 7
        // again: the others are 40 (row 1) and 7 (row 3), each once.
        let keys = Column(.int([10, 12, 11]))
        var v = Bitmap(count: 7)
        v.set(2, false)
        let ids = Column(.int32([12, 40, 0, 7, 40, 11, 7]), validity: v)
        var lookup = CustomerLookup(keys: keys, others: [ids])!
        XCTAssertEqual([10, 11, 12, 13, 7, -5].map { lookup.customer($0) }, [0, 2, 1, -1, -1, -1])
        XCTAssertEqual(lookup.firstRowsOfOthers(ids), [1, 3])
        // A range far wider than the ids (here 2^62 values) is not looked up.
        XCTAssertNil(CustomerLookup(keys: Column(.int([0, 1 << 62])), others: []))
        XCTAssertNil(CustomerLookup(keys: Column(.int([.min, .max])), others: []))
        XCTAssertNil(CustomerLookup(keys: stringColumn(["A"]), others: []))
    }

    /// The same people as AnalyticsTests' testTypesPrecedence, by number, with the customers
    /// table naming some twice, a null id, and two people outside the buyers' range of ids, and
    /// feedback from people who never bought.
    func testTypesWithWholeNumberIds() throws {
        // Customers: A–E (101–105), F (106) twice, a null id, 7 and 300: three people who never
        // bought (106, 7, 300), each potential (no `contacted` column).
        let people = "id,name\n101,Ali\n102,Sara\n106,Neda\n103,Reza\n,Nobody\n104,Mina\n7,Far\n105,Omid\n106,Neda again\n300,Farther\n"
        // AnalyticsTests' answers, and a negative answer from 106 and from a null id, which
        // count for no buyer.
        let answers = """
        c,date,nps,rating,complaint
        103,2024-03-15,3,2,late delivery
        105,2024-03-01,9,5,
        101,2024-03-21,10,5,
        106,2024-03-20,0,1,rude
        102,2024-01-10,7,4,
        ,2024-03-20,0,1,rude
        104,2024-03-26,6,3,
        """
        let s = try session(customers: people, feedback: answers)
        // As in testTypesPrecedence: A loyal, B regular, C and D dissatisfied, E regular; and
        // the three who never bought, in key order 7, …, 106, 300.
        let members = try table(s, "types with loyal_orders 3 | members")
        XCTAssertEqual(members.strings("c"), ["7", "101", "102", "103", "104", "105", "106", "300"])
        XCTAssertEqual(members.strings("type"), ["potential", "loyal", "regular", "dissatisfied", "dissatisfied", "regular", "potential", "potential"])
        XCTAssertEqual(members.strings("evidence")[4], "NPS 6 on 2024-03-26")
        XCTAssertEqual(members.strings("last_feedback")[6], "null")
        let summary = try table(s, "types with loyal_orders 3")
        XCTAssertEqual(summary.strings("customers"), ["0", "1", "3", "2", "0", "0", "0", "2"])
        // loyal: A's 180 of 590; dissatisfied: C 80 + D 50 = 130; regular: B 220 + E 60 = 280.
        XCTAssertEqual(summary.strings("revenue"), ["0", "180", "0", "130", "0", "0", "0", "280"])
        XCTAssertEqual(summary.values("share")[2].doubleValue!, 3.0 / 8 * 100, accuracy: 1e-9)
    }

    /// Among answers of the same day the later row is the latest, with or without `| members`.
    func testTheLaterRowOfTheSameDayIsTheLatestAnswer() throws {
        // A (101) answers twice on 03-21: positive (NPS 10) and passive (NPS 8, rating 4, not
        // positive). Passive last: A is not loyal (regular); positive last: loyal. No one else
        // answered.
        for (order, type) in [(["10,5", "8,4"], "regular"), (["8,4", "10,5"], "loyal")] {
            let answers = "c,date,nps,rating\n" + order.map { "101,2024-03-21,\($0)\n" }.joined()
            let s = try session(customers: "id\n101\n", feedback: answers)
            XCTAssertEqual(try table(s, "types with loyal_orders 3 | members").strings("type")[0], type)
            let summary = try table(s, "types with loyal_orders 3")
            XCTAssertEqual(summary.strings("customers")[1], type == "loyal" ? "1" : "0")
            // D (first purchase 6 days before) is new; B, C, E regular, and A when not loyal.
            XCTAssertEqual(summary.strings("customers")[0], "1")
            XCTAssertEqual(summary.strings("customers")[7], type == "loyal" ? "3" : "4")
        }
    }

    /// The longest gap is the same whether the rows come customer by customer in day order,
    /// customer by customer out of day order, or interleaved (through the customer index).
    func testTheLongestGapWhateverTheRowOrder() throws {
        // A (101): 01-10, 02-15, 03-20 → gaps 36 and 33 days, and 11 to the as-of date 03-31.
        // B (102): 01-05, 03-02 → 57 days, then 29.
        let orders = [
            "101,2024-01-10,100\n101,2024-02-15,50\n101,2024-03-20,30\n102,2024-01-05,200\n102,2024-03-02,20\n",
            "101,2024-03-20,30\n101,2024-01-10,100\n101,2024-02-15,50\n102,2024-03-02,20\n102,2024-01-05,200\n",
            "102,2024-03-02,20\n101,2024-02-15,50\n102,2024-01-05,200\n101,2024-03-20,30\n101,2024-01-10,100\n",
        ]
        for rows in orders {
            let s = try makeSession(["tx": "c,day,value\n" + rows])
            try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
            let members = try table(s, "types with loyal_orders 2 | members")
            XCTAssertEqual(members.strings("evidence"), ["3 purchases, longest gap 36 days in the last 365", "2 purchases, longest gap 57 days in the last 365"])
            XCTAssertEqual(try table(s, "types with loyal_orders 2, loyal_gap 56").strings("customers")[1], "1")
            XCTAssertEqual(try table(s, "types with loyal_orders 2, loyal_gap 57").strings("customers")[1], "2")
            XCTAssertEqual(try table(s, "types with loyal_orders 2, loyal_gap 35").strings("customers")[1], "0")
        }
    }

    /// 100,000 customers (ids 1, 4, 7, …), 257,143 orders of 2023 in a scrambled order, so the
    /// scores are found on both cores and many customers tie. The expected figures are DuckDB's,
    /// from bench/compare's W8 definition over the same rows (row_number() over (order by
    /// recency desc, c), (… frequency, c), (… monetary, c), monetary as DECIMAL(18, 2)).
    func testRFMOnBothCoresMatchesTheSQLDefinition() throws {
        var rows: [(UInt64, String)] = []
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
        func date(_ d: Int) -> String {
            let m = cumulative.lastIndex { $0 <= d }!
            return "2023-" + (m + 1 < 10 ? "0" : "") + "\(m + 1)-" + (d - cumulative[m] + 1 < 10 ? "0" : "") + "\(d - cumulative[m] + 1)"
        }
        for k in 0..<100_000 {
            let count = k % 7 == 0 ? 6 : 1 + k % 3
            for t in 0..<count {
                let a = (k * 53 + t * 17) % 2000
                let order = (UInt64(k) * 2_654_435_761 + UInt64(t) * 40503) % (1 << 32)
                rows.append((order, "\(k * 3 + 1),\(date((k * 37 + t * 91) % 365)),\(a / 100).\(a % 100 < 10 ? "0" : "")\(a % 100)"))
            }
        }
        let scrambled = rows.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.map(\.1)
        // The same rows customer by customer (ids ascending): the scores in place, no reordering.
        for lines in [scrambled, rows.map(\.1)] {
            let s = try makeSession(["tx": "c,day,value\n" + lines.joined(separator: "\n") + "\n"])
            try s.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-01-31")
            let t = try table(s, "rfm")
            let c = t.strings("c").map { Int($0)! }
            func column(_ name: String) -> [Int] { t.strings(name).map { Int($0)! } }
            let (r, f, m, recency, frequency) = (column("r"), column("f"), column("m"), column("recency"), column("frequency"))
            func sum(_ x: [Int]) -> Int { zip(c, x).reduce(0) { $0 + $1.0 * $1.1 } }
            XCTAssertEqual(c.count, 100_000)
            XCTAssertEqual(c, c.sorted())
            XCTAssertEqual([sum(r), sum(f), sum(m)], [45_044_232_333, 47_999_399_985, 45_005_498_343])
            XCTAssertEqual(sum(c.indices.map { r[$0] * 100 + f[$0] * 10 + m[$0] }), 5_029_422_731_493)
            XCTAssertEqual([sum(recency), sum(frequency)], [2_119_511_865_227, 38_570_828_560])
            XCTAssertEqual(t.strings("segment").filter { $0 == "Champions" }.count, 11801)
            XCTAssertEqual(t.strings("rfm"), c.indices.map { "\(r[$0])\(f[$0])\(m[$0])" })
            let three = try table(s, "rfm bins 3")
            let (r3, f3, m3) = (three.strings("r").map { Int($0)! }, three.strings("f").map { Int($0)! }, three.strings("m").map { Int($0)! })
            XCTAssertEqual([sum(r3), sum(f3), sum(m3)], [30_010_579_852, 31_547_130_946, 30_003_440_731])
            // The columns are whole numbers to every step after rfm.
            XCTAssertEqual(try table(s, "rfm | agg n = sum(frequency), top = max(r)").strings("n"), ["257143"])
        }
    }
}

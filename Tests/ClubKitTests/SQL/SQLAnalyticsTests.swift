import Foundation
import XCTest
@testable import ClubKit

/// customers360, a segment over it, rfm and pareto compiled to SQL and run by sqlite3 (and
/// DuckDB when present) over the sample data give the in-memory kernels' answers.
final class SQLAnalyticsTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let cases = [
        "customers360",
        "big",
        "customers360 | agg n = count(), spend = sum(spend) by city | sort spend desc",
        "rfm",
        "rfm bins 3",
        "rfm | agg n = count() by segment",
        "pareto",
        "pareto | where class == \"A\" | count",
        "pareto in big",
        "retention from 2024-04-01 to 2024-06-30",
        "churn from 2024-01-01 to 2024-03-31",
        "retention from 2023-02-01 to 2023-02-28",
        "retention start 100 remaining 90",
        "retention start 200 end 180 new 30",
        "churn start 100 lost 10",
        "churn retention 80%",
        "retention by month",
        "churn by month | where month >= 2024-01-01",
        "cohort monthly",
        "cohort monthly counts",
        "kpi by month",
        "kpi by quarter | where orders > 0",
        "kpi",
        "kpi days 30",
        "types",
        "types with new_days 60, inactive_days 90, loyal_orders 3, loyal_days 200, loyal_gap 60, feedback_days 180",
        "types | where customers > 0 | agg n = sum(customers)",
        "types | members",
        "types with new_days 60, inactive_days 90, loyal_orders 3, loyal_days 200, loyal_gap 60, feedback_days 180 | members",
    ]

    /// The sample club: orders as the transactions, customers joined to customers360, the
    /// feedback read by `types` and `kpi`.
    static let sampleClub = """
        load "\(root.path)/Samples/data/orders.csv"
        load "\(root.path)/Samples/data/customers.csv"
        load "\(root.path)/Samples/data/feedback.csv"
        """

    /// A made-up club with the awkward parts the sample lacks: transactions without a customer,
    /// a date or an amount, and after the as-of date; people listed twice, without an id, first
    /// seen after the as-of date, with text in `joined`; answers without a customer or a date,
    /// complaints written "No", " no " or "yes", missing scores.
    static func generatedClub(seed: UInt64 = 20261203) -> [String: String] {
        var rng = SeededGenerator(seed: seed)
        func maybe(_ percent: Int, _ text: String) -> String { rng.int(1...100) <= percent ? "" : text }
        func date(_ from: Int, _ to: Int) -> String { CivilDate.format(Int32(rng.int(from...to))) }
        let first = DCivil.days(2023, 1, 1), asOf = DCivil.days(2024, 6, 30)
        var orders = "order_id,customer_id,date,amount,channel\n"
        for i in 1...900 {
            let customer = maybe(3, String(rng.int(1...160)))
            let day = maybe(3, date(first, asOf + 20))
            let amount = maybe(5, String(format: "%.2f", Double(rng.int(-500...40_000)) / 100))
            orders += "\(i),\(customer),\(day),\(amount),\(["web", "store", "app"][rng.int(0...2)])\n"
        }
        var customers = "id,city,joined,contacted,first_seen,member\n"
        for i in 1...220 {
            // Ids 196–205 twice (people who never bought: the first row counts), some none.
            let id = i % 37 == 0 ? "" : String(i > 210 ? i - 15 : i)
            customers += "\(id),\(["Tehran", "Shiraz", ""][rng.int(0...2)]),\(maybe(60, date(first - 200, asOf + 30))),\(maybe(50, date(first - 200, asOf + 30))),"
                + "\(maybe(70, date(first - 300, asOf + 60))),\(["true", "false", ""][rng.int(0...2)])\n"
        }
        var feedback = "customer_id,date,nps,rating,complaint\n"
        for _ in 1...300 {
            let complaint = ["", "", "", "No", " no ", "yes", "late delivery", "0"][rng.int(0...7)]
            feedback += "\(maybe(3, String(rng.int(1...170)))),\(maybe(3, date(first, asOf + 10))),\(maybe(20, String(rng.int(0...10)))),\(maybe(20, String(rng.int(1...5)))),\(complaint)\n"
        }
        return ["orders": orders, "customers": customers, "feedback": feedback]
    }

    /// The sample club, or the generated one, as a session with `use orders` and a segment.
    static func session(generated: Bool) throws -> Session {
        let session: Session
        if generated {
            session = try makeSession(generatedClub(), asOf: Int32(DCivil.days(2024, 6, 30)))
        } else {
            session = Session(asOf: Int32(DCivil.days(2024, 6, 30)))
            try session.runAll(sampleClub)
        }
        try session.runAll("""
            use orders (customer = customer_id, date = date, amount = amount)
            segment big = customers360 where spend > 1000 and orders >= 3
            """)
        return session
    }

    func testAnalyticsAgreeInSQLite() throws {
        let (engine, why) = SQLEngine.sqlite()
        guard let engine else { throw XCTSkip(why) }
        try check(engine, generated: false)
        try check(engine, generated: true)
    }

    func testAnalyticsAgreeInDuckDB() throws {
        let (engine, why) = SQLEngine.duckdb()
        guard let engine else { throw XCTSkip(why) }
        try check(engine, generated: false)
        try check(engine, generated: true)
    }

    private func check(_ engine: SQLEngine, generated: Bool) throws {
        let session = try Self.session(generated: generated)
        let tables = try ["orders", "customers", "feedback"].map { try Self.table($0, session.query($0)) }
        let sql = try Self.cases.map { try session.compileSQL($0, dialect: engine.dialect, tableName: engine.tableName) }
        let answers = try engine.run(tables, sql)
        for (text, answer) in zip(Self.cases, answers) {
            let expected = try session.query(text)
            XCTAssertGreaterThan(expected.rowCount, 0, text)
            switch answer {
            case .failure(let e): XCTFail("\(text): \(engine.name) refused: \(e.message)")
            case .success(let rows): XCTAssertNil(sqlProblem(expected, rows), "\(text) in \(engine.name)\(generated ? ", generated club" : "")")
            }
        }
    }

    /// `types`' revenue per type and its share are sums of money in the engines too, exact to
    /// the last bit as in memory (a plain SQL SUM of the spends gave 25727.849999999973 for the
    /// sample's new customers, whose orders add up to 25727.85).
    func testTypesRevenueIsExactMoneyInTheEngines() throws {
        let engines = [SQLEngine.sqlite(), SQLEngine.duckdb()].compactMap(\.0)
        guard !engines.isEmpty else { throw XCTSkip("needs sqlite3 or DuckDB") }
        let session = try Self.session(generated: false)
        let text = "types | select type, revenue, revenue_share"
        let expected = try session.query(text)
        XCTAssertEqual(expected.column("revenue")?.value(at: 0), .double(25727.85))
        let tables = try ["orders", "customers", "feedback"].map { try Self.table($0, session.query($0)) }
        for engine in engines {
            let sql = try session.compileSQL(text, dialect: engine.dialect, tableName: engine.tableName)
            guard case .success(let rows)? = try engine.run(tables, [sql]).first else { XCTFail("\(engine.name) refused `types`"); continue }
            XCTAssertEqual(rows.count, expected.rowCount)
            for (i, row) in rows.enumerated() {
                for (j, name) in ["revenue", "revenue_share"].enumerated() {
                    guard case .double(let mine)? = expected.column(name)?.value(at: i) else { XCTFail(name); continue }
                    let theirs: Double
                    switch row[j + 1] { case .real(let x): theirs = x; case .integer(let x): theirs = Double(x); default: theirs = .nan }
                    XCTAssertEqual(theirs, mine, "\(engine.name): \(name) of row \(i)")
                }
            }
        }
    }

    /// Customers who spent the same to the cent tie in the engines too, broken by customer, as
    /// in memory: A and C spend 0.01 + 0.05, B 0.06 in one order; D's 3.77 + 202.7 + 293.53 is
    /// 500 (the doubles' exact sum 499.99999999999994), as E's one order.
    func testEqualSpendsTieInTheEngines() throws {
        let session = try makeSession(["tx": "c,day,amount\nA,2024-03-01,0.01\nB,2024-03-01,0.06\nA,2024-03-01,0.05\nC,2024-03-01,0.05\n"
                                           + "C,2024-03-01,0.01\nD,2024-03-02,3.77\nD,2024-03-03,202.7\nD,2024-03-04,293.53\nE,2024-03-04,500\n"])
        try session.runAll("use tx (customer = c, date = day, amount = amount) as_of 2024-03-31")
        XCTAssertTrue(try session.compileSQL("pareto", dialect: .duckdb) { $0 }.contains("SUM(CAST(round(amount * 100) AS BIGINT))"))
        let tables = [try Self.table("tx", session.query("tx"))]
        var ran = 0
        for (engine, _) in [SQLEngine.sqlite(), SQLEngine.duckdb()] {
            guard let engine else { continue }
            ran += 1
            let cases = ["pareto", "rfm bins 5"]
            let answers = try engine.run(tables, try cases.map { try session.compileSQL($0, dialect: engine.dialect, tableName: engine.tableName) })
            guard case .success(let pareto) = answers[0], case .success(let rfm) = answers[1] else { XCTFail("\(engine.name): \(answers)"); continue }
            // pareto: D and E, then A, B, C, each tie by customer.
            XCTAssertEqual(pareto.map { $0[1] }, ["D", "E", "A", "B", "C"].map { .text($0) }, engine.name)
            // rfm's monetary score, 5 bins, by rank of spend then customer: A 1, B 2, C 3, D 4, E 5.
            XCTAssertEqual(rfm.map { $0[6] }, (1...5).map { .integer($0) }, engine.name)
            for (text, rows) in zip(cases, [pareto, rfm]) { XCTAssertNil(sqlProblem(try session.query(text), rows), "\(text) in \(engine.name)") }
        }
        if ran == 0 { throw XCTSkip("neither sqlite3 nor DuckDB is here") }
        // In memory, the same.
        XCTAssertEqual(try session.query("pareto").strings("c"), ["D", "E", "A", "B", "C"])
        XCTAssertEqual(try session.query("rfm bins 5").strings("m"), ["1", "2", "3", "4", "5"])
    }

    /// Amounts with 7 places have no decimal scale: the per-customer spend is compiled in the
    /// compensated form.
    func testAmountsWithoutAScaleCompileCompensated() throws {
        let session = try makeSession(["tx": "c,day,amount\nA,2024-03-01,0.0000001\nB,2024-03-01,0.06\n"])
        try session.runAll("use tx (customer = c, date = day, amount = amount) as_of 2024-03-31")
        let sql = try session.compileSQL("pareto", dialect: .postgres) { $0 }
        XCTAssertTrue(sql.contains("1048576"), sql)
        XCTAssertFalse(sql.contains("units"), sql)
    }

    /// The commands not compiled yet say so by name, at `explain sql`.
    func testCommandsNotCompiledYetAreNamed() throws {
        let session = try Self.session(generated: false)
        let named = [("lifecycle from 2024-01-01 to 2024-06-30", "lifecycle")]
        for (command, name) in named {
            let error = session.error("explain sql \(command)")
            XCTAssertEqual(error?.message.hasPrefix("`\(name)` cannot be compiled to SQL yet"), true, "\(command): \(error?.message ?? "no error")")
        }
        XCTAssertEqual(session.error("explain sql retention from 2024-06-01 to 2024-07-10")?.message,
                       "the period runs to 2024-07-10, past the as-of date 2024-06-30: its last 10 days have no data")
        XCTAssertEqual(session.error("explain sql pareto in nothing")?.message.hasPrefix("unknown"), true)
    }

    /// A loaded table as a differential table: its values as literals (amounts are cents).
    static func table(_ name: String, _ t: Table) throws -> DTable {
        // The two type enums share their names.
        let types = t.columns.map { DType(rawValue: $0.type.rawValue) ?? .string }
        let rows: [[DLit]] = try (0..<t.rowCount).map { i in
            try t.columns.map { c -> DLit in
                switch c.value(at: i) {
                case .null: return .null
                case .int(let v): return .int(v)
                case .double(let v):
                    let cents = (v * 100).rounded()
                    guard cents / 100 == v else { throw XCTSkip("\(name) holds \(v), not a whole number of cents") }
                    return .cents(Int64(cents))
                case .bool(let b): return .bool(b)
                case .date(let d): return .date(Int(d))
                case .dateTime(let s): return .datetime(s)
                case .string(let s): return .string(s)
                case .duration: return .null
                }
            }
        }
        return DTable(name: name, columns: zip(t.columnNames, types).map { DCol(name: $0, type: $1, bound: 0) }, rows: rows)
    }
}

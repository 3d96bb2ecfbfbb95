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
    ]

    /// The sample club: orders as the transactions, customers joined to customers360.
    private func session() throws -> (Session, [DTable]) {
        let session = Session(asOf: Int32(DCivil.days(2024, 6, 30)))
        let data = Self.root.appendingPathComponent("Samples/data")
        try session.runAll("""
            load "\(data.path)/orders.csv"
            load "\(data.path)/customers.csv"
            use orders
            segment big = customers360 where spend > 1000 and orders >= 3
            """)
        return (session, try ["orders", "customers"].map { try Self.table($0, session.query($0)) })
    }

    func testAnalyticsAgreeInSQLite() throws {
        let (engine, why) = SQLEngine.sqlite()
        guard let engine else { throw XCTSkip(why) }
        try check(engine)
    }

    func testAnalyticsAgreeInDuckDB() throws {
        let (engine, why) = SQLEngine.duckdb()
        guard let engine else { throw XCTSkip(why) }
        try check(engine)
    }

    private func check(_ engine: SQLEngine) throws {
        let (session, tables) = try session()
        let sql = try Self.cases.map { try session.compileSQL($0, dialect: engine.dialect, tableName: engine.tableName) }
        let answers = try engine.run(tables, sql)
        for (text, answer) in zip(Self.cases, answers) {
            let expected = try session.query(text)
            XCTAssertGreaterThan(expected.rowCount, 0, text)
            switch answer {
            case .failure(let e): XCTFail("\(text): \(engine.name) refused: \(e.message)")
            case .success(let rows): XCTAssertNil(sqlProblem(expected, rows), "\(text) in \(engine.name)")
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
        let (session, _) = try session()
        let named = [("types", "types"), ("lifecycle from 2024-01-01 to 2024-06-30", "lifecycle")]
        for (command, name) in named {
            let error = session.error("explain sql \(command)")
            XCTAssertEqual(error?.message.hasPrefix("`\(name)` cannot be compiled to SQL yet"), true, "\(command): \(error?.message ?? "no error")")
        }
        XCTAssertEqual(session.error("explain sql retention from 2024-06-01 to 2024-07-10")?.message,
                       "the period runs to 2024-07-10, past the as-of date 2024-06-30: its last 10 days have no data")
        XCTAssertEqual(session.error("explain sql kpi days 30")?.message, "`kpi` (the board) cannot be compiled to SQL yet; `kpi by month` and `kpi by quarter` can")
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

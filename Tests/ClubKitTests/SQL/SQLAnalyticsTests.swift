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

import Foundation
import XCTest
@testable import ClubKit

/// Every analytics command the SQL compiler knows, end to end through `attach`: the sample club
/// and a generated club with nulls uploaded with `export … to pg.…`, then every case of
/// `SQLAnalyticsTests` (customers360 and a segment, retention, churn, cohort, rfm, pareto, kpi,
/// types) run with `use orders` in memory and with `use pg.orders` in the engine: the same tables.
final class EngineAnalyticsTests: XCTestCase {
    func testAnalyticsAgreeInPostgreSQL() throws {
        guard let server = EngineTestEnvironment.postgres else { throw EngineTestEnvironment.skip("PostgreSQL", variable: "CLUBSH_PG") }
        for generated in [false, true] {
            let conninfo = try EngineTestEnvironment.freshSchema(server)
            try check(attach: "attach postgres \"\(conninfo.replacingOccurrences(of: "\"", with: "\\\""))\" as pg", generated: generated)
        }
    }

    /// One `spark-sql` process per club: each JVM takes half a minute to start.
    func testAnalyticsAgreeInSpark() throws {
        guard let master = EngineTestEnvironment.spark else { throw EngineTestEnvironment.skip("Spark", variable: "CLUBSH_SPARK") }
        for generated in [false, true] {
            try check(attach: "attach spark \"\(master)\" as pg", generated: generated)
        }
    }

    private func check(attach: String, generated: Bool) throws {
        let club = generated ? " (generated club)" : ""
        let session = try SQLAnalyticsTests.session(generated: generated)
        let cases = SQLAnalyticsTests.cases
        let expected = try cases.map { try session.query($0) }
        try session.runAll("""
            \(attach)
            export orders to pg.orders
            use pg.orders (customer = customer_id, date = date, amount = amount)
            """)
        // `types` reads the customers and feedback where the transactions are: refused, with
        // the way to put them there, while they are only here.
        let refused = try XCTUnwrap(session.error("types"), club)
        XCTAssertEqual(refused.message, "cannot run in pg: `customers` is a table here, not in pg", club)
        XCTAssertEqual(refused.hint, "export it there first: export customers to pg.customers", club)
        try session.runAll("export customers to pg.customers\nexport feedback to pg.feedback")
        for (text, want) in zip(cases, expected) {
            XCTAssertGreaterThan(want.rowCount, 0, text + club)
            let got: Table
            do { got = try session.query(text) } catch {
                XCTFail("\(text)\(club): \(error.message)")
                continue
            }
            XCTAssertEqual(got.columnNames, want.columnNames, text + club)
            XCTAssertEqual(got.rowCount, want.rowCount, text + club)
            cells: for i in 0..<min(got.rowCount, want.rowCount) {
                for (j, c) in want.columns.enumerated() where j < got.columns.count {
                    let mine = DComparison.Cell(c.value(at: i)), theirs = DComparison.Cell(got.columns[j].value(at: i))
                    if !mine.matches(theirs) {
                        XCTFail("\(text)\(club): row \(i), column \(want.columnNames[j]): in memory \(mine), in the engine \(theirs)")
                        break cells
                    }
                }
            }
        }
        // What computes only in clubsh is refused by name, with the way to copy the data here.
        let lifecycle = try XCTUnwrap(session.error("lifecycle from 2024-01-01 to 2024-06-30"), club)
        XCTAssertTrue(lifecycle.message.contains("`lifecycle` cannot be compiled to SQL yet"), lifecycle.message)
        // Nothing of the transactions came here: the in-memory kernels never ran on them.
        XCTAssertNil(session.catalog.tables["pg.orders"])
        XCTAssertEqual(session.error("detach pg")?.message.hasPrefix("pg is read by"), true)
    }
}

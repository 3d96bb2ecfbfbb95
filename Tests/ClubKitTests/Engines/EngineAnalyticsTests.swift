import Foundation
import XCTest
@testable import ClubKit

/// The analytics commands the SQL compiler knows, end to end through `attach`: the sample club
/// uploaded with `export … to pg.…`, then every case of `SQLAnalyticsTests` run with `use
/// orders` in memory and with `use pg.orders` in the engine: the same tables.
final class EngineAnalyticsTests: XCTestCase {
    func testAnalyticsAgreeInPostgreSQL() throws {
        guard let server = EngineTestEnvironment.postgres else { throw EngineTestEnvironment.skip("PostgreSQL", variable: "CLUBSH_PG") }
        let conninfo = try EngineTestEnvironment.freshSchema(server)
        try check(attach: "attach postgres \"\(conninfo.replacingOccurrences(of: "\"", with: "\\\""))\" as pg")
    }

    func testAnalyticsAgreeInSpark() throws {
        guard let master = EngineTestEnvironment.spark else { throw EngineTestEnvironment.skip("Spark", variable: "CLUBSH_SPARK") }
        try check(attach: "attach spark \"\(master)\" as pg")
    }

    private func check(attach: String) throws {
        let session = Session(asOf: Int32(DCivil.days(2024, 6, 30)))
        let data = SQLAnalyticsTests.root.appendingPathComponent("Samples/data")
        try session.runAll("""
            load "\(data.path)/orders.csv"
            load "\(data.path)/customers.csv"
            \(attach)
            export orders to pg.orders
            export customers to pg.customers
            use orders
            segment big = customers360 where spend > 1000 and orders >= 3
            """)
        // `cohort` finds its columns (one per month) in the data while binding, which needs the
        // transactions here: over an engine it is refused by name (below).
        let cases = SQLAnalyticsTests.cases.filter { !$0.hasPrefix("cohort") }
        let expected = try cases.map { try session.query($0) }
        try session.runAll("use pg.orders")
        XCTAssertEqual(session.error("cohort monthly")?.message.contains("pg.orders"), true)
        for (text, want) in zip(cases, expected) {
            XCTAssertGreaterThan(want.rowCount, 0, text)
            let got: Table
            do { got = try session.query(text) } catch {
                XCTFail("\(text): \(error.message)")
                continue
            }
            XCTAssertEqual(got.columnNames, want.columnNames, text)
            XCTAssertEqual(got.rowCount, want.rowCount, text)
            cells: for i in 0..<min(got.rowCount, want.rowCount) {
                for (j, c) in want.columns.enumerated() where j < got.columns.count {
                    let mine = DComparison.Cell(c.value(at: i)), theirs = DComparison.Cell(got.columns[j].value(at: i))
                    if !mine.matches(theirs) {
                        XCTFail("\(text): row \(i), column \(want.columnNames[j]): in memory \(mine), in the engine \(theirs)")
                        break cells
                    }
                }
            }
        }
        // Nothing of the transactions came here: the in-memory kernels never ran on them.
        XCTAssertNil(session.catalog.tables["pg.orders"])
        XCTAssertEqual(session.error("detach pg")?.message.hasPrefix("pg is read by"), true)
    }
}

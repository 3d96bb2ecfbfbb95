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
        // The amounts' scale, asked of the engine: cents.
        XCTAssertEqual(session.catalog.sqlMoneyScale(attach.hasPrefix("attach spark") ? .spark : .postgres), 2)
        try equalSpendsTie(session, attach: attach)
    }

    /// As `SQLAnalyticsTests.testEqualSpendsTieInTheEngines`, in the engine: customers 1 and 3
    /// spend 0.01 + 0.05, 2 spends 0.06; 4 spends 3.77 + 202.7 + 293.53 = 500, 5 spends 500.
    /// Ties go by customer. (The columns are the orders', so `big` still reads them.)
    private func equalSpendsTie(_ session: Session, attach: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-money-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("ties.csv")
        try ("customer_id,date,amount\n1,2024-03-01,0.01\n2,2024-03-01,0.06\n1,2024-03-01,0.05\n3,2024-03-01,0.05\n3,2024-03-01,0.01\n"
             + "4,2024-03-02,3.77\n4,2024-03-03,202.7\n4,2024-03-04,293.53\n5,2024-03-04,500\n").write(to: file, atomically: true, encoding: .utf8)
        try session.runAll("load \"\(file.path)\"\nexport ties to pg.ties\nuse pg.ties as_of 2024-03-31")
        XCTAssertEqual(try session.query("pareto").strings("customer_id"), ["4", "5", "1", "2", "3"])
        XCTAssertEqual(try session.query("rfm bins 5").strings("m"), ["1", "2", "3", "4", "5"])
        // customers360's spend is an `agg sum` of the engine's column, at the scale found there:
        // 1, 2 and 3 spent exactly 0.06 (a plain SUM gives 1 and 3 0.060000000000000005).
        XCTAssertEqual(try session.query("customers360 | where spend == 0.06 | count").values("count"), [.int(3)])
        XCTAssertEqual(session.catalog.remoteColumnMoneyScale("pg.ties", "amount", attach.hasPrefix("attach spark") ? .spark : .postgres), 2)
        XCTAssertNil(session.catalog.tables["pg.ties"])
    }
}

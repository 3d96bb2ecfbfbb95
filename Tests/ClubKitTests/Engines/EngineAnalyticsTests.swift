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
        // The amounts' scale, asked of the engine: cents.
        XCTAssertEqual(session.catalog.sqlMoneyScale(attach.hasPrefix("attach spark") ? .spark : .postgres), 2)
        try equalSpendsTie(session)
    }

    /// As `SQLAnalyticsTests.testEqualSpendsTieInTheEngines`, in the engine: customers 1 and 3
    /// spend 0.01 + 0.05, 2 spends 0.06; 4 spends 3.77 + 202.7 + 293.53 = 500, 5 spends 500.
    /// Ties go by customer. (The columns are the orders', so `big` still reads them.)
    private func equalSpendsTie(_ session: Session) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-money-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("ties.csv")
        try ("customer_id,date,amount\n1,2024-03-01,0.01\n2,2024-03-01,0.06\n1,2024-03-01,0.05\n3,2024-03-01,0.05\n3,2024-03-01,0.01\n"
             + "4,2024-03-02,3.77\n4,2024-03-03,202.7\n4,2024-03-04,293.53\n5,2024-03-04,500\n").write(to: file, atomically: true, encoding: .utf8)
        try session.runAll("load \"\(file.path)\"\nexport ties to pg.ties\nuse pg.ties as_of 2024-03-31")
        XCTAssertEqual(try session.query("pareto").strings("customer_id"), ["4", "5", "1", "2", "3"])
        XCTAssertEqual(try session.query("rfm bins 5").strings("m"), ["1", "2", "3", "4", "5"])
        XCTAssertNil(session.catalog.tables["pg.ties"])
    }
}

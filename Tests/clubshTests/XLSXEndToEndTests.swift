import Foundation
import XCTest

/// .xlsx workbooks through the built binary: `load … sheet …`, errors at a cell, damaged files,
/// and `export … to "x.xlsx"` loaded back. The workbooks are ClubKitTests' fixtures, written by
/// openpyxl and XlsxWriter (Tests/ClubKitTests/Fixtures/xlsx/make-fixtures.py).
final class XLSXEndToEndTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = try ClubshRun.workspace()
        try FileManager.default.copyItem(at: ClubshRun.repositoryRoot.appendingPathComponent("Tests/ClubKitTests/Fixtures/xlsx"),
                                         to: work.appendingPathComponent("Fixtures/xlsx"))
    }

    private func clubsh(_ script: String, _ arguments: [String] = []) throws -> ClubshRun {
        try ClubshRun.run(arguments, stdin: script, directory: work)
    }

    func testLoadASheetByName() throws {
        let run = try clubsh("""
            load "Fixtures/xlsx/orders.xlsx" sheet "Customers" as customers
            customers | select id, joined
            load "Fixtures/xlsx/orders.xlsx" as orders
            orders | agg n = count(), spend = sum(amount), first = min(ordered)
            """)
        XCTAssertEqual(run.status, 0, run.stderr)
        // Values as make-fixtures.py wrote them: 120.5 + 80 + 99.99 - 3 + 1e6 = 1000297.49.
        XCTAssertEqual(run.stdout, "id,joined\n10,2023-05-01\n11,2023-06-15\n12,2023-07-30\nn,spend,first\n5,1000297.49,1900-01-02\n")
        XCTAssertEqual(run.stderr, """
            loaded customers: 3 rows × 3 columns from Fixtures/xlsx/orders.xlsx, sheet "Customers"
            loaded orders: 5 rows × 7 columns from Fixtures/xlsx/orders.xlsx, sheet "Orders"

            """)
    }

    func testErrorsAreOneLineAtTheCell() throws {
        let bad = try clubsh("load \"Fixtures/xlsx/bad-cell.xlsx\" with types (amount: double)\n")
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "<stdin>:1:1: cannot load Fixtures/xlsx/bad-cell.xlsx:Sheet1!C42: `abc` is not a valid double for column `amount` (declared in types)\n")
        let sheet = try clubsh("load \"Fixtures/xlsx/orders.xlsx\" sheet \"Nope\"\n")
        XCTAssertEqual(sheet.stderr, "<stdin>:1:1: cannot load Fixtures/xlsx/orders.xlsx: has no sheet \"Nope\"; its sheets are \"Orders\", \"Customers\", \"Notes & <Misc>\"\n")
        for name in ["truncated", "corrupt"] {
            let run = try clubsh("load \"Fixtures/xlsx/\(name).xlsx\"\n")
            XCTAssertEqual(run.reason, .exit)
            XCTAssertEqual(run.status, 1)
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, run.stderr)
            XCTAssertTrue(run.stderr.hasPrefix("<stdin>:1:1: cannot load Fixtures/xlsx/\(name).xlsx: is damaged"), run.stderr)
        }
        let csvSheet = try clubsh("load \"Fixtures/orders.csv\" sheet \"x\"\n")
        XCTAssertEqual(csvSheet.stderr, "<stdin>:1:28: `sheet` picks a sheet of an .xlsx workbook, and orders.csv is not one\n")
    }

    /// The CSV fixture exported to a workbook and loaded back answers the same questions.
    func testExportAndLoadBack() throws {
        let question = "| agg n = count(), spend = sum(amount), first = min(date), last = max(date) by channel | sort channel"
        let run = try clubsh("""
            load "Fixtures/orders.csv" as orders
            export orders to "out/orders.xlsx"
            load "out/orders.xlsx" as back
            orders \(question)
            back \(question)
            export orders to "out/orders.xlsx"
            """)
        XCTAssertEqual(run.status, 1)
        let halves = run.stdout.components(separatedBy: "channel,n,spend,first,last\n").filter { !$0.isEmpty }
        XCTAssertEqual(halves.count, 2, run.stdout)
        XCTAssertEqual(halves.first, halves.last)
        XCTAssertTrue(run.stderr.contains("exported "), run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("<stdin>:6:1: out/orders.xlsx already exists; add `overwrite` to replace it\n"), run.stderr)
    }
}

import XCTest
@testable import ClubKit

final class SessionTests: XCTestCase {
    func testAFailedStatementChangesNothing() throws {
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("let threshold = 100\nbig = orders | where amount > threshold")
        XCTAssertNotNil(session.error("big = orders | where nope > 1"))
        XCTAssertNotNil(session.error("let threshold = threshold + \"x\""))
        XCTAssertNotNil(session.error("load \"/nonexistent.csv\" as orders"))
        XCTAssertEqual(session.catalog.parameter("threshold"), .int(100))
        XCTAssertEqual(try session.query("big | count").strings("count"), ["2"])
        XCTAssertEqual(try session.query("orders | count").strings("count"), ["5"])
    }

    func testReloadingAFileUpdatesResults() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("t.csv").path
        try "x\n1\n2\n".write(toFile: path, atomically: true, encoding: .utf8)
        let session = Session()
        try session.runAll("load \"\(path)\"\nbig = t | where x > 1")
        XCTAssertEqual(try session.query("big | count").strings("count"), ["1"])
        try "x\n1\n2\n3\n".write(toFile: path, atomically: true, encoding: .utf8)
        try session.runAll("load \"\(path)\"")
        XCTAssertEqual(try session.query("big | count").strings("count"), ["2"])
    }

    func testExportRefusesToOverwrite() throws {
        let session = try makeSession(["orders": smallOrders])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-export-\(UUID().uuidString)/o.csv").path
        try session.runAll("export orders | where amount > 100 to \"\(path)\"")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       "order_id,customer_id,date,amount,channel\n1,10,2024-01-05,120.5,web\n3,10,2024-02-01,300,web\n")
        let d = session.error("export orders to \"\(path)\"")
        XCTAssertEqual(d?.message, "\(path) already exists")
        XCTAssertEqual(d?.hint, "add `overwrite` to replace it")
        try session.runAll("export orders to \"\(path)\" overwrite")
        XCTAssertEqual(try CSVReader.read(path: path).table.rowCount, 5)
    }

    func testDropAndNameCollisions() throws {
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("big = orders | take 1\ndrop big")
        XCTAssertEqual(session.error("big | count")?.message, "unknown table `big`")
        XCTAssertEqual(session.error("drop nothing_here")?.message, "nothing is named `nothing_here`")
        XCTAssertEqual(session.error("orders = orders | take 1")?.message, "`orders` is a loaded table")
        XCTAssertEqual(session.error("let orders = 1")?.message, "`orders` is already a table")
    }

    func testTablesAndDescribe() throws {
        let session = try makeSession(["orders": smallOrders])
        let tables = try session.query("tables")
        XCTAssertEqual(tables.strings("name"), ["orders"])
        XCTAssertEqual(tables.strings("rows"), ["5"])
        let d = try session.query("describe orders")
        XCTAssertEqual(d.strings("column"), ["order_id", "customer_id", "date", "amount", "channel"])
        XCTAssertEqual(d.strings("type"), ["int", "int", "date", "double", "string"])
        XCTAssertEqual(d.strings("nulls"), ["0", "0", "0", "1", "0"])
        XCTAssertEqual(d.strings("distinct"), ["5", "3", "5", "4", "3"])
        XCTAssertEqual(d.strings("min"), ["1", "10", "2024-01-05", "45.25", "app"])
        XCTAssertEqual(d.strings("max"), ["5", "12", "2024-03-09", "300", "web"])
    }

    func testLoadOptionsFromTheLanguage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-opts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("legacy.txt").path
        try "  7 3 19970102 2 29.33\n  7 3 19970315 1 9.00\n".write(toFile: path, atomically: true, encoding: .utf8)
        let session = Session()
        try session.runAll("load \"\(path)\" as tx with delim whitespace, header false, date_format \"yyyyMMdd\", names (customer, store, date, items, amount)")
        let t = try session.query("tx | agg n = count(), spend = sum(amount), first = min(date) by customer")
        XCTAssertEqual(t.strings("n"), ["2"])
        XCTAssertEqual(t.strings("spend"), ["38.33"])
        XCTAssertEqual(t.strings("first"), ["1997-01-02"])
        XCTAssertEqual(session.error("load \"\(path)\" with delim whitespace, typs (a: int)")?.hint, "did you mean `types`?")
        XCTAssertEqual(session.error("load \"\(path)\" with delim whitespace, header false, types (column3: dat)")?.hint, "did you mean `date`?")
    }

    func testMissingFileSuggestsANearbyName() throws {
        let session = try makeSession(["orders": smallOrders])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-near-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "a\n1\n".write(toFile: dir.appendingPathComponent("orders.csv").path, atomically: true, encoding: .utf8)
        let d = session.error("load \"\(dir.path)/ordrs.csv\"")
        XCTAssertEqual(d?.message, "cannot load \(dir.path)/ordrs.csv: no such file")
        XCTAssertEqual(d?.hint, "did you mean \"\(dir.path)/orders.csv\"?")
    }

    func testTableNameFromPath() {
        XCTAssertEqual(Session.tableName(forPath: "Samples/data/orders.csv"), "orders")
        XCTAssertEqual(Session.tableName(forPath: "2024 sales-export.csv"), "_2024_sales_export")
    }
}

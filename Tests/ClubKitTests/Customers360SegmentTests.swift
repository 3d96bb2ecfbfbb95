import XCTest
@testable import ClubKit

/// A segment of customers360 whose condition reads the per-customer summary's columns is
/// filtered before the join with `customers`, without making customers360 whole, and gives what
/// the join then the filter give. The data, worked out by hand: customer 1 spent 120.50 + 300 =
/// 420.50 in 2 orders, 2 spent 80 + 45.25 = 125.25 in 2, 3 spent 50 + 60 = 110 in 2 and has no
/// row in `customers`, 4 spent 900 in 1 and has two rows in `customers` (Mina in Tabriz, Mina B
/// in Tehran). customers360 is the left join: 1, 2, 3, 4 (Mina), 4 (Mina B), five rows.
final class Customers360SegmentTests: XCTestCase {
    private static let orders = """
    order_id,customer_id,date,amount
    1,1,2024-01-05,120.50
    2,2,2024-01-06,80.00
    3,1,2024-02-01,300.00
    4,3,2024-02-03,50.00
    5,2,2024-03-09,45.25
    6,4,2024-03-10,900.00
    7,3,2024-03-11,60.00

    """
    private static let customers = """
    id,name,city
    1,Sara,Tehran
    2,Reza,Tehran
    4,Mina,Tabriz
    4,Mina B,Tehran

    """

    private func session() throws -> Session {
        let s = try makeSession(["orders": Self.orders, "customers": Self.customers])
        try s.runAll("use orders")
        return s
    }

    private func messages(_ outputs: [Output]) -> [String] {
        outputs.compactMap { if case .message(let m) = $0 { return m } else { return nil } }
    }

    func testASegmentOnTheSummarysColumnsIsFilteredBeforeTheJoin() throws {
        let s = try session()
        let said = messages(try s.runAll("segment vip = customers360 where spend >= 100 and orders >= 2 and city == \"Tehran\""))
        // 1 (420.50, 2 orders, Tehran) and 2 (125.25, 2, Tehran); 3 has no city, 4 one order.
        XCTAssertEqual(said, ["segment vip: 2 of 5 customers360 rows (40%)"])
        XCTAssertNil(s.catalog.computations["customers360"], "customers360 was not made whole")
        let vip = try s.query("vip")
        XCTAssertEqual(vip.strings("customer_id"), ["1", "2"])
        XCTAssertEqual(vip.strings("spend"), ["420.5", "125.25"])
        XCTAssertEqual(vip.strings("name"), ["Sara", "Reza"])
        XCTAssertEqual(vip.columnNames, ["customer_id", "first_order", "last_order", "orders", "spend", "avg_order", "days_since_last", "name", "city"])
        XCTAssertEqual(try s.query("vip | count").strings("count"), ["2"])
        XCTAssertNil(s.catalog.computations["customers360"])
        // customers360 itself, whole, has the five rows the caption counted.
        XCTAssertEqual(try s.query("customers360").strings("customer_id"), ["1", "2", "3", "4", "4"])
    }

    func testEveryMatchOfACustomerIsKept() throws {
        let s = try session()
        let said = messages(try s.runAll("segment big = customers360 where spend >= 500 and city == \"Tehran\""))
        XCTAssertEqual(said, ["segment big: 1 of 5 customers360 rows (20%)"])
        XCTAssertEqual(try s.query("big").strings("name"), ["Mina B"])
        // `not` and `in` over the summary's columns go first too; 3 and 4 have 2 and 1 orders.
        try s.runAll("segment few = customers360 where not (orders > 1) and customer_id in [3, 4]")
        XCTAssertEqual(try s.query("few").strings("name"), ["Mina", "Mina B"])
        XCTAssertNil(s.catalog.computations["customers360"])
    }

    func testOtherConditionsReadCustomers360Whole() throws {
        let s = try session()
        // One condition that reads `city`: nothing to filter first. spend > 200: 1 and both rows
        // of 4; city Tehran: 2; customer 3 (110, no city) is `false or null`, not kept.
        try s.runAll("segment wide = customers360 where spend > 200 or city == \"Tehran\"")
        XCTAssertEqual(try s.query("wide").strings("customer_id"), ["1", "2", "4", "4"])
        XCTAssertEqual(s.catalog.computations["customers360"], 1)
        // customers360 kept: a new segment filters it as it is, with the same answer as above.
        try s.runAll("segment vip = customers360 where spend >= 100 and orders >= 2 and city == \"Tehran\"")
        XCTAssertEqual(try s.query("vip").strings("customer_id"), ["1", "2"])
        XCTAssertEqual(s.catalog.computations["customers360"], 1)
    }

    func testAConditionThatCanWarnIsNotSplit() throws {
        let s = try session()
        // spend / (orders - 2) divides by zero for 1, 2 and 3 (2 orders each): those rows are
        // null, and the warning counts them after the join, as without the split.
        let out = try s.runAll("segment odd = customers360 where spend / (orders - 2) < 0 and city == \"Tehran\"")
        XCTAssertEqual(try s.query("odd").strings("name"), ["Mina B"])
        XCTAssertEqual(s.catalog.computations["customers360"], 1)
        XCTAssertFalse(out.isEmpty)
    }

    func testLiveAfterAReload() throws {
        let s = try session()
        try s.runAll("segment vip = customers360 where spend >= 100 and orders >= 2 and city == \"Tehran\"")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-c360-\(UUID().uuidString).csv").path
        try (Self.customers.replacingOccurrences(of: "2,Reza,Tehran", with: "2,Reza,Shiraz")).write(toFile: path, atomically: true, encoding: .utf8)
        try s.runAll("load \"\(path)\" as customers")
        XCTAssertEqual(try s.query("vip").strings("customer_id"), ["1"], "Reza moved to Shiraz")
        let caption = try SegmentReports(catalog: s.catalog).segmentCaption("vip")
        XCTAssertTrue(caption.hasPrefix("vip: 1 of 5 customers360 rows (20%)"), caption)
    }
}

import XCTest
@testable import ClubKit

/// Segments and live results (brief §5). The small data: customer 10 spent 120.5 + 300 = 420.5
/// in 2 orders, customer 11 spent 80 + 45.25 = 125.25 in 2, customer 12 has 1 order with no
/// amount (spend null). customers: 10 Sara/Tehran, 11 Reza/Shiraz, 13 Mina/Tabriz.
final class SegmentTests: XCTestCase {
    private var session: Session!

    override func setUpWithError() throws {
        session = try makeSession(["orders": smallOrders, "customers": smallCustomers])
        try session.runAll("use orders\nlet p = 100\nsegment vip = customers360 where spend >= p")
    }

    func testCustomers360() throws {
        let t = try session.query("customers360")
        XCTAssertEqual(t.columnNames.prefix(7), ["customer_id", "first_order", "last_order", "orders", "spend", "avg_order", "days_since_last"])
        XCTAssertEqual(t.strings("customer_id"), ["10", "11", "12"])
        XCTAssertEqual(t.strings("spend"), ["420.5", "125.25", "null"])
        XCTAssertEqual(t.strings("avg_order"), ["210.25", "62.625", "null"])
        // as of the latest order, 2024-03-09: customer 10 last bought 2024-02-01, 37 days before.
        XCTAssertEqual(t.strings("days_since_last"), ["37", "0", "35"])
        XCTAssertEqual(t.strings("city"), ["Tehran", "Shiraz", "null"], "joined to the customers table")
    }

    func testUseGuessesRolesAndNamesWhatItLookedFor() throws {
        XCTAssertEqual(session.catalog.transactions, TransactionRoles(table: "orders", customer: "customer_id", date: "date", amount: "amount", asOfGiven: false))
        let d = session.error("use customers")
        XCTAssertEqual(d?.message, "`customers` has no customer column; looked for customer_id, customer, client_id, cust_id, cust, member_id, user_id")
    }

    func testLetInvalidatesExactlyWhatDependsOnIt() throws {
        XCTAssertEqual(try session.query("vip | count").strings("count"), ["2"])
        let base = session.catalog.computations["customers360"]
        try session.runAll("let p = 200")
        XCTAssertEqual(try session.query("vip | count").strings("count"), ["1"])
        XCTAssertEqual(session.catalog.computations["customers360"], base, "customers360 does not read p")
    }

    func testASecondUseComesFromTheCache() throws {
        _ = try session.query("vip | count")
        let before = session.catalog.computations["vip"]
        _ = try session.query("vip | count")
        _ = try session.query("segments")
        XCTAssertEqual(session.catalog.computations["vip"], before)
    }

    func testReloadInvalidates() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-seg-\(UUID().uuidString).csv").path
        try (smallOrders + "\n6,12,2024-03-10,500,web\n").write(toFile: path, atomically: true, encoding: .utf8)
        let before = session.catalog.computations["vip"] ?? 0
        try session.runAll("load \"\(path)\" as orders")
        XCTAssertEqual(try session.query("vip | count").strings("count"), ["3"], "customer 12 now spent 500")
        XCTAssertEqual(session.catalog.computations["vip"], before + 1)
    }

    func testSegmentsOfSegmentsFollowARedefinition() throws {
        try session.runAll("segment tehran = vip where city == \"Tehran\"")
        XCTAssertEqual(try session.query("tehran").strings("customer_id"), ["10"])
        try session.runAll("segment vip = customers360 where spend < 200")
        XCTAssertEqual(try session.query("tehran | count").strings("count"), ["0"])
        let listing = try session.query("segments")
        XCTAssertEqual(listing.strings("name"), ["vip", "tehran"])
        XCTAssertEqual(listing.strings("base"), ["customers360", "vip"])
        XCTAssertEqual(listing.strings("members"), ["1", "0"])
        XCTAssertEqual(listing.strings("share_of_base"), ["33.3", "0"])
        XCTAssertEqual(listing.strings("definition"), ["customers360 where spend < 200", "vip where city == \"Tehran\""])
    }

    func testCyclesAreRefusedAndTheOldDefinitionStays() throws {
        try session.runAll("a = orders | take 1\nb = a | take 1")
        let d = session.error("a = b | take 2")
        XCTAssertEqual(d?.message, "`a` cannot be defined in terms of itself (a → b → a)")
        XCTAssertEqual(try session.query("a | count").strings("count"), ["1"])
    }

    func testAnErrorInADefinitionLeavesTheOldOne() throws {
        let d = session.error("segment vip = customers360 where spnd > 1")
        XCTAssertEqual(d?.hint, "did you mean `spend`?")
        XCTAssertEqual(try session.query("vip | count").strings("count"), ["2"])
        XCTAssertEqual(session.catalog.definitions["vip"]?.text, "customers360 where spend >= p")
    }

    func testDropOfADependedOnNameIsRefusedUnlessCascade() throws {
        let d = session.error("drop p")
        XCTAssertEqual(d?.message, "cannot drop `p`: `vip` uses it")
        XCTAssertEqual(d?.hint, "drop it first, or write `drop p cascade` to drop it too")
        try session.runAll("drop p cascade")
        XCTAssertNil(session.catalog.parameter("p"))
        XCTAssertNil(session.catalog.definitions["vip"])
    }

    func testProfile() throws {
        try session.runAll("let p = 200")
        let outputs = try session.runAll("profile vip")
        guard case .caption(let caption) = outputs[0], case .table(let t) = outputs[1] else { return XCTFail("\(outputs)") }
        XCTAssertTrue(caption.hasPrefix("profile of vip: 1 of 3 customers360 rows (33.3%) · customers360 where spend >= p · as of 2024-03-09"), caption)
        XCTAssertEqual(t.strings("measure").prefix(4), ["members", "share_of_base_%", "share_of_revenue_% (spend)", "mean orders"])
        // revenue share 420.5 / 545.75 = 77.0499…% → 77; mean orders 2 in the segment, (2 + 2 + 1) / 3 = 1.67 in the base;
        // index 2 / (5 / 3) = 1.2 → 120.
        XCTAssertEqual(t.strings("vip").prefix(4), ["1", "33.3", "77", "2"])
        XCTAssertEqual(t.strings("customers360").prefix(4), ["3", "100", "100", "1.67"])
        XCTAssertEqual(t.strings("index")[3], "120")
    }

    func testCompareAndOverlap() throws {
        try session.runAll("segment shiraz = customers360 where city == \"Shiraz\"")
        guard case .table(let o) = try session.runAll("overlap vip, shiraz")[1] else { return XCTFail() }
        XCTAssertEqual(o.strings("part"), ["both", "only vip", "only shiraz"])
        XCTAssertEqual(o.strings("members"), ["1", "1", "0"])
        guard case .table(let c) = try session.runAll("compare vip, shiraz")[1] else { return XCTFail() }
        XCTAssertEqual(c.columnNames, ["measure", "vip", "shiraz", "rest", "customers360"])
        XCTAssertEqual(c.strings("rest")[0], "1", "only customer 12 is in neither")
    }

    func testParamsListsWhatUsesThem() throws {
        let t = try session.query("params")
        XCTAssertEqual(t.strings("name"), ["p"])
        XCTAssertEqual(t.strings("value"), ["100"])
        XCTAssertEqual(t.strings("used_by"), ["vip"])
    }

    func testDurationsInDefinitions() throws {
        try session.runAll("let inactive_after = 5w\nsegment quiet = customers360 where days_since(last_order) > inactive_after")
        XCTAssertEqual(try session.query("quiet").strings("customer_id"), ["10"], "37 days > 35 days; customer 12 is at exactly 35")
    }
}

final class InterruptTests: XCTestCase {
    /// Ctrl-C while a new definition is computed leaves the session as it was.
    func testAnInterruptedDefinitionChangesNothing() throws {
        let session = try makeSession(["orders": smallOrders])
        try session.runAll("big = orders | where amount > 100")
        session.isCancelled = { true }
        XCTAssertEqual(session.error("big = orders | sort amount"), .interrupted)
        XCTAssertEqual(session.error("fresh = orders | sort amount"), .interrupted)
        session.isCancelled = { false }
        XCTAssertEqual(try session.query("big | count").strings("count"), ["2"], "the old definition stays")
        XCTAssertEqual(session.error("fresh | count")?.message, "unknown table `fresh`")
    }

    /// Ctrl-C during a model fit stops it; the fit's result is not defined.
    func testAnInterruptedModelFitChangesNothing() throws {
        let session = try makeSession(["orders": smallOrders], asOf: Int32(CivilDate.days(year: 2024, month: 3, day: 31)))
        try session.runAll("use orders")
        session.isCancelled = { true }
        XCTAssertEqual(session.error("m = bgnbd"), .interrupted)
        XCTAssertEqual(session.error("v = clv model"), .interrupted)
        session.isCancelled = { false }
        XCTAssertEqual(session.error("m | count")?.message, "unknown table `m`")
    }
}

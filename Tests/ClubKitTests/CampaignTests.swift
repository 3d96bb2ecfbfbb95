import Foundation
import XCTest
@testable import ClubKit

/// Campaigns measured against their control group, on contacts small enough to work out by
/// hand (docs/language.md, "Campaigns"). Every contact is on 2024-03-01, so with `window 30d`
/// an order counts as a response on 03-02 … 03-31 (the contact's own day excluded):
///
///     customer  group               orders                               responds (30d)
///     1         treatment           03-01 50 (that day) · 03-02 100      yes, 100
///     2         Treatment           03-31 30 (day 30, the last)          yes, 30
///     3         TEST                04-01 20 (day 31)                    no (yes with 31d)
///     7         treatment           never bought                         no
///     4         control             03-10 70                             yes, 70
///     5         holdout             02-01 10 (before the contact)        no
///     1         control, 03-15      a repeated contact: 1's first (treatment) counts
///
/// treatment 2 of 4 = 50%, revenue 130 / 4 = 32.5 per contact, cost 2 × 4 + 1 = 9;
/// control 1 of 2 = 50%, revenue 70 / 2 = 35 per contact, cost 0.
final class CampaignTests: XCTestCase {
    static let orders = """
    customer_id,date,amount
    1,2024-03-01,50
    1,2024-03-02,100
    2,2024-03-31,30
    3,2024-04-01,20
    4,2024-03-10,70
    5,2024-02-01,10
    6,2024-06-30,1
    """
    static let contacts = """
    customer_id,date,group,cost
    1,2024-03-01,treatment,2
    2,2024-03-01,Treatment,2
    3,2024-03-01,TEST,2
    7,2024-03-01,treatment,2
    4,2024-03-01,control,0
    5,2024-03-01,holdout,0
    1,2024-03-15,control,1
    """
    static let customers = """
    id,city
    1,Tehran
    2,Shiraz
    3,Tehran
    4,Tehran
    5,Shiraz
    """

    private func session(contacts: String = CampaignTests.contacts) throws -> Session {
        let s = try makeSession(["orders": Self.orders, "contacts": contacts, "customers": Self.customers])
        try s.runAll("use orders")
        return s
    }

    /// The table and the working of one statement.
    private func run(_ s: Session, _ statement: String) throws -> (table: Table, work: [String]) {
        var table: Table?, work: [String] = []
        for o in try s.runAll(statement) {
            if case .table(let t) = o { table = t }
            if case .caption(let c) = o { work.append(c) }
        }
        return (try XCTUnwrap(table, "no table from \(statement)"), work)
    }

    private func figure(_ t: Table, _ column: String, row: Int = 0) -> Double? {
        t.column(column).flatMap { $0.isNull(row) ? nil : $0.value(at: row).doubleValue }
    }

    func testTheTinyCampaignByHand() throws {
        let s = try session()
        try s.runAll("campaign spring = contacts window 30d")
        let (t, work) = try run(s, "campaign spring")
        XCTAssertEqual(t.rowCount, 1)
        XCTAssertEqual(t.strings("treatment_contacts"), ["4"])
        XCTAssertEqual(t.strings("treatment_responders"), ["2"])
        XCTAssertEqual(t.strings("control_contacts"), ["2"])
        XCTAssertEqual(t.strings("control_responders"), ["1"])
        XCTAssertEqual(figure(t, "treatment_rate"), 50)
        XCTAssertEqual(figure(t, "control_rate"), 50)
        XCTAssertEqual(figure(t, "treatment_revenue_per_contact"), 32.5)
        XCTAssertEqual(figure(t, "control_revenue_per_contact"), 35)
        XCTAssertEqual(figure(t, "uplift"), 0)
        // Pooled p = 3/6; se = √(0.25 × (1/4 + 1/2)) = √0.1875; z = 0, so p = 1. The unpooled
        // se is √(0.25/4 + 0.25/2) = √0.1875 too: ± 1.959964 × 0.4330127 = ± 0.8486893.
        XCTAssertEqual(figure(t, "p_value"), 1)
        XCTAssertEqual(figure(t, "uplift_low")!, -84.86893, accuracy: 1e-5)
        XCTAssertEqual(figure(t, "uplift_high")!, 84.86893, accuracy: 1e-5)
        // (32.5 − 35) × 4 = −10; ROI = (−10 × 100% − 9) / 9 = −211.1%.
        XCTAssertEqual(figure(t, "incremental_revenue"), -10)
        XCTAssertEqual(figure(t, "cost"), 9)
        XCTAssertEqual(figure(t, "roi")!, -19.0 / 9 * 100, accuracy: 1e-9)
        XCTAssertTrue(work.contains("1 repeated contact of the same customers: each customer's first contact counts (its day and group), the cost of every contact is kept"), "\(work)")
        XCTAssertTrue(work.contains("treatment: 2 of 4 responded = 50.0%; revenue 130 / 4 = 32.5 per contact"), "\(work)")
        XCTAssertTrue(work.contains("no margin given: the ROI counts the incremental revenue whole (margin 100%)"), "\(work)")
    }

    /// With 31 days customer 3's order on 04-01 counts: treatment 3 of 4 = 75%, revenue 150,
    /// 37.5 per contact; uplift 25 points; (37.5 − 35) × 4 = 10; ROI (10 × 50% − 9) / 9.
    func testTheCampaignIsLive() throws {
        let s = try session()
        try s.runAll("let w = 30d; campaign spring = contacts (customer = customer_id, group = group) window w margin 50%")
        XCTAssertTrue(Completer(s).completions(for: "campaign spring | where up").contains("uplift"))
        XCTAssertEqual(Completer(s).completions(for: "campaign "), ["spring"])
        XCTAssertEqual(Completer(s).completions(for: "campaign spring "), ["by"])
        XCTAssertTrue(s.catalog.analyticsCache.isEmpty, "a campaign was measured while completing")
        try s.runAll("lift = campaign spring | select uplift")
        XCTAssertEqual(try s.query("lift").values("uplift"), [.double(0)])
        try s.runAll("let w = 31d")
        let t = try run(s, "campaign spring").table
        XCTAssertEqual(figure(t, "treatment_rate"), 75)
        XCTAssertEqual(figure(t, "incremental_revenue"), 10)
        XCTAssertEqual(figure(t, "roi")!, (10 * 0.5 - 9) / 9 * 100, accuracy: 1e-9)
        XCTAssertEqual(try s.query("lift").values("uplift"), [.double(25)])
        XCTAssertEqual(try s.query("params").strings("used_by"), ["lift, spring"])
        XCTAssertEqual(try s.query("campaigns").strings("used_by"), ["lift"])
        // Reloading the contacts recomputes: without customer 7 the treatment is 2 of 3.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-campaign-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.contacts.split(separator: "\n").filter { !$0.hasPrefix("7,") }.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try s.runAll("let w = 30d; load \"\(path)\" as contacts")
        XCTAssertEqual(try run(s, "campaign spring").table.strings("treatment_contacts"), ["3"])
        // So does a reload of the orders (through `use`): a second order of 7 in the window.
        let orders = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-campaign-orders-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: orders) }
        try (Self.orders + "\n3,2024-03-05,8").write(toFile: orders, atomically: true, encoding: .utf8)
        try s.runAll("load \"\(orders)\" as orders")
        XCTAssertEqual(try run(s, "campaign spring").table.strings("treatment_responders"), ["3"])
    }

    func testRedefiningOrDroppingWhatOthersReadIsRefused() throws {
        let s = try session()
        try s.runAll("let w = 30d; campaign spring = contacts window w; lift = campaign spring | select uplift")
        XCTAssertEqual(s.error("drop spring")?.message, "cannot drop `spring`: `lift` uses it")
        XCTAssertEqual(s.error("drop contacts")?.message, "cannot drop `contacts`: `lift`, `spring` use it")
        XCTAssertEqual(s.error("spring = orders")?.message, "`spring` is a campaign")
        XCTAssertEqual(s.error("let spring = 1")?.message, "`spring` is already a campaign")
        XCTAssertEqual(s.error("program spring = earn 1 per 10")?.message, "`spring` is a campaign")
        XCTAssertEqual(s.error("campaign orders = contacts window 30d")?.message, "`orders` is a loaded table")
        XCTAssertEqual(s.error("let w = 0d")?.message.hasPrefix("setting `w` to 0 would break `spring`, `lift`: `window` takes a time from 1 day to 100 years"), true)
        try s.runAll("drop spring cascade")
        XCTAssertEqual(try s.query("campaigns").rowCount, 0)
        XCTAssertNil(s.catalog.definitions["lift"])
    }

    /// `by city`: customers360's city per contacted customer; 7 never bought, so has none.
    /// Shiraz: treatment 2 (1 of 1), control 5 (0 of 1); Tehran: treatment 1, 3 (1 of 2),
    /// control 4 (1 of 1); null: treatment 7 (0 of 1), no control.
    func testByACustomers360Column() throws {
        let s = try session()
        try s.runAll("campaign spring = contacts window 30d")
        let (t, work) = try run(s, "campaign spring by city")
        XCTAssertEqual(t.strings("city"), ["Shiraz", "Tehran", "null"])
        XCTAssertEqual(t.strings("treatment_responders"), ["1", "1", "0"])
        XCTAssertEqual(t.strings("treatment_contacts"), ["1", "2", "1"])
        XCTAssertEqual(t.strings("control_contacts"), ["1", "1", "0"])
        XCTAssertEqual(t.strings("uplift"), ["100", "-50", "null"])
        XCTAssertTrue(work.contains("1 contacted customer not in customers360 (no orders by the as-of date): their value of the `by` column is null"), "\(work)")
        XCTAssertTrue(work.contains("city = null: no control group: no uplift can be claimed, only the treatment's response rate is shown"), "\(work)")
        XCTAssertEqual(s.error("campaign spring by town")?.message, "customers360 has no column `town`")
    }

    // MARK: - The statistics, against an independent computation

    /// Constants from python 3 (`statistics.NormalDist`: z = d / pooled se, p = 2(1 − Φ(|z|)),
    /// interval d ± Φ⁻¹(0.975) × unpooled se) and checked with scipy 1.17.1
    /// (`2 * scipy.stats.norm.sf(abs(z))`, `norm.ppf(0.975)` = 1.959963984540054); the script
    /// is in the comment of `testTheStatisticsAgreeWithPython`'s cases below.
    ///
    ///     from math import sqrt; from scipy.stats import norm
    ///     p1, p2, p = x1/n1, x2/n2, (x1+x2)/(n1+n2)
    ///     z = (p1-p2)/sqrt(p*(1-p)*(1/n1+1/n2)); pv = 2*norm.sf(abs(z))
    ///     se = sqrt(p1*(1-p1)/n1 + p2*(1-p2)/n2); lo, hi = p1-p2 -/+ norm.ppf(0.975)*se
    func testTheStatisticsAgreeWithPython() {
        let cases: [(x1: Int, n1: Int, x2: Int, n2: Int, d: Double, z: Double?, p: Double?, low: Double?, high: Double?)] = [
            (3, 3, 1, 3, 0.6666666666666667, 1.7320508075688774, 0.0832645166635504, 0.13323203596052136, 1.2001012973728122),
            (120, 1000, 90, 1000, 0.03, 2.1882658846227234, 0.028650240398448473, 0.003162087844242649, 0.05683791215575735),
            (45, 400, 30, 380, 0.033552631578947376, 1.5888046173089012, 0.11210451051805687, -0.007604922752119644, 0.0747101859100144),
            // A group of one each: the unpooled se is 0, so there is no interval.
            (1, 1, 0, 1, 1.0, 1.414213562373095, 0.15729920705028516, nil, nil),
            (7, 50, 7, 50, 0.0, 0.0, 1.0, -0.1360164169520095, 0.1360164169520095),
            // Far in the tail: scipy's norm.sf gives 5.998e-16 (1 − Φ would round to 4.4e-16).
            (2, 2000, 1, 10, -0.099, -8.089355237683346, 5.998139574946287e-16, -0.28494366941342225, 0.08694366941342224),
            // Everyone responded: no spread at all, so no p-value and no interval.
            (5, 5, 3, 3, 0, nil, nil, nil, nil),
        ]
        for c in cases {
            let s = CampaignStatistics.twoProportions(c.x1, c.n1, c.x2, c.n2)
            let what = "\(c.x1)/\(c.n1) vs \(c.x2)/\(c.n2)"
            XCTAssertEqual(s.difference, c.d, accuracy: 1e-12, what)
            func near(_ a: Double?, _ b: Double?, _ relative: Double, _ name: String) {
                guard let a, let b else { return XCTAssertTrue(a == nil && b == nil, "\(what) \(name): \(String(describing: a)) vs \(String(describing: b))") }
                XCTAssertEqual(a, b, accuracy: max(abs(b) * relative, 1e-15), "\(what) \(name)")
            }
            near(s.z, c.z, 1e-12, "z")
            near(s.pValue, c.p, 1e-9, "p")
            near(s.low, c.low, 1e-12, "low")
            near(s.high, c.high, 1e-12, "high")
        }
        XCTAssertEqual(CampaignStatistics.z95, 1.959963984540054)
    }

    // MARK: - Hostile input

    func testNoControlGroupClaimsNoUplift() throws {
        let s = try session(contacts: "customer_id,date,group\n1,2024-03-01,treatment\n2,2024-03-01,treatment")
        try s.runAll("campaign c = contacts window 30d")
        let (t, work) = try run(s, "campaign c")
        XCTAssertEqual(figure(t, "treatment_rate"), 100)
        for column in ["control_rate", "uplift", "uplift_low", "uplift_high", "p_value", "incremental_revenue", "roi"] {
            XCTAssertNil(figure(t, column), column)
        }
        XCTAssertTrue(work.contains("no control group: no uplift can be claimed, only the treatment's response rate is shown"), "\(work)")
        XCTAssertTrue(work.contains("the contacts have no cost column: each contact costs 0, so there is no ROI"), "\(work)")
    }

    func testEmptyContactsAndEmptyGroupsGiveNullsNeverNaN() throws {
        let s = try session(contacts: "customer_id,date,group,cost\n9,2024-03-01,pilot,1")
        try s.runAll("campaign c = contacts window 30d")
        let (t, work) = try run(s, "campaign c")
        XCTAssertEqual(t.strings("treatment_contacts"), ["0"])
        XCTAssertEqual(t.strings("control_contacts"), ["0"])
        for (name, column) in zip(t.columnNames, t.columns) {
            if case .double(let values) = column.storage {
                XCTAssertTrue(values.allSatisfy(\.isFinite), name)
            }
        }
        XCTAssertNil(figure(t, "treatment_rate"))
        XCTAssertTrue(work.contains("1 contact in groups that are neither treatment nor control left out: `pilot` (1); the groups are treatment (or test) and control (or holdout)"), "\(work)")
    }

    /// A group of one each, and every contact responding.
    func testAGroupOfOneAndAllResponders() throws {
        let one = try session(contacts: "customer_id,date,group\n1,2024-03-01,treatment\n5,2024-03-01,control")
        try one.runAll("campaign c = contacts window 30d")
        let (t, work) = try run(one, "campaign c")
        XCTAssertEqual(figure(t, "uplift"), 100)
        XCTAssertEqual(figure(t, "p_value")!, 0.15729920705028516, accuracy: 1e-12)
        XCTAssertNil(figure(t, "uplift_low"))
        XCTAssertTrue(work.contains("each group's rate is 0% or 100%: the unpooled standard error is 0, so there is no interval"), "\(work)")
        XCTAssertTrue(work.contains("a group has fewer than 5 responders or non-responders: the normal approximation behind the interval and the p-value is rough"))
        let all = try session(contacts: "customer_id,date,group\n1,2024-03-01,treatment\n4,2024-03-01,control")
        try all.runAll("campaign c = contacts window 30d")
        let (u, allWork) = try run(all, "campaign c")
        XCTAssertEqual(figure(u, "uplift"), 0)
        XCTAssertNil(figure(u, "p_value"))
        XCTAssertTrue(allWork.contains("every contact of both groups responded: the pooled standard error is 0, so there is no p-value"), "\(allWork)")
    }

    /// A cost of 1e400 loads as inf; with it the total cost and the ROI would be undefined.
    func testAnInfiniteOrNegativeCostNamesItsRow() throws {
        for (cost, shown) in [("1e400", "inf"), ("-3", "-3")] {
            let s = try session(contacts: "customer_id,date,group,cost\n1,2024-03-01,treatment,2\n4,2024-03-01,control,\(cost)")
            try s.runAll("campaign c = contacts window 30d")
            XCTAssertEqual(s.error("campaign c")?.message,
                           "the contacts `contacts` have a cost of \(shown) in row 2; a contact's cost is a finite amount of 0 or more")
        }
    }

    func testHostileDefinitionsAreRefusedWhereTheyAreWritten() throws {
        let s = try session()
        let cases: [(String, String)] = [
            ("campaign c = contacts window 0d", "`window` takes a time from 1 day to 100 years, like 30d or 8w, not 0"),
            ("campaign c = contacts window -3", "`window` takes a time from 1 day to 100 years, like 30d or 8w, not -3"),
            ("campaign c = contacts", "a campaign needs `window D`, the days after a contact that an order counts as a response"),
            ("campaign c = contacts window 30d window 10d", "`window` is given twice"),
            ("campaign c = contacts window 30d margin 30", "`margin` takes a share from 0% to 100%, like 30%, not 30"),
            ("campaign c = contacts window 30d budget 5", "unknown campaign clause `budget`"),
            ("campaign c = contacts (grp = group) window 30d", "unknown role `grp`"),
            ("campaign c = contacts (group = cost) window 30d", "the group column `cost` holds a number, not text: treatment or control"),
            ("campaign c = contacts (date = group) window 30d", "the contact date column `group` holds text, not dates"),
            ("campaign c = nowhere window 30d", "unknown table `nowhere`"),
            ("campaign c = orders window 30d", "`orders` has no group column; looked for group, variant, arm, cell, test_group, treatment"),
            ("campaign nothing", "unknown campaign `nothing`"),
            ("campaign", "`campaign` takes a campaign's name"),
        ]
        for (statement, message) in cases {
            XCTAssertEqual(s.error(statement)?.message, message, statement)
        }
        XCTAssertEqual(try s.query("campaigns").rowCount, 0, "a refused campaign was kept")
    }

    /// Many contacts take time in proportion to their number: 1,000,000 contacts over
    /// 1,000,000 orders, each customer contacted twice (the second dropped), in a few seconds
    /// even in a debug build; a quadratic pass would take hours.
    func testAMillionContactsAreLinear() throws {
        let n = 1_000_000
        let s = try session()
        let customers = (0..<Int64(n)).map { $0 / 2 }
        let days = (0..<n).map { Int32(19_700 + $0 % 40) }
        let groups = stringColumn((0..<n).map { $0 % 5 == 0 ? "control" : "treatment" })
        s.catalog.tables["contacts"] = Table(columnNames: ["customer_id", "date", "group"],
                                            columns: [Column(.int(customers)), Column(.date(days)), groups], rowCount: n)
        s.catalog.tables["orders"] = Table(columnNames: ["customer_id", "date", "amount"],
                                          columns: [Column(.int((0..<Int64(n)).map { $0 % 700_000 })), Column(.date((0..<n).map { Int32(19_710 + $0 % 50) })),
                                                    Column(.double((0..<n).map { Double($0 % 100) }))], rowCount: n)
        s.catalog.touch(["contacts", "orders"])
        try s.runAll("use orders; campaign big = contacts window 30d")
        let start = Date()
        let t = try run(s, "campaign big").table
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        XCTAssertEqual(figure(t, "treatment_contacts")! + figure(t, "control_contacts")!, Double(n / 2))
    }
}

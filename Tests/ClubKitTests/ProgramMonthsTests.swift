import Foundation
import XCTest
@testable import ClubKit

/// `simulate P by month` (docs/language.md, "Points programs"): the months are worked out
/// account by account (`TransactionData.pointsMonths`), so these check them by hand on a few
/// orders and against a plain day-by-day recount on many.
final class ProgramMonthsTests: XCTestCase {
    /// The table of one statement.
    private func table(_ s: Session, _ statement: String) throws -> Table {
        var table: Table?
        for o in try s.runAll(statement) { if case .table(let t) = o { table = t } }
        return try XCTUnwrap(table, "no table from \(statement)")
    }

    /// earn 1 per 10, first_bonus 50, referral_bonus 100, birthday_bonus 20, expire 30d,
    /// tiers (silver 100, gold 200) over 30d, redeem 50%, as of 2024-03-31. Day numbers of
    /// 2024 from 0 (01-01): 01-20 = 19, 01-31 = 30, 02-01 = 31, 02-05 = 35, 02-10 = 40,
    /// 02-29 = 59, 03-01 = 60, 03-31 = 90. Given in a shuffled order, with a refund.
    ///
    ///     1: 01-20 300 → 30 + first 50 = 80 on 19; birthday (month 2) 20 on 31;
    ///        02-10 1000 → 100 on 40; referral for 2 → 100 on 35
    ///     2: 02-05 80 → 8 + first 50 = 58 on 35; birthday (month 3) 20 on 60; referred by 1
    ///     3: 03-15 −10, a refund only: never a member; birthday month 1 gives nothing
    ///
    /// Tiers over 30 days (a credit counts on its day and the 29 after it; it leaves on day
    /// d + 30): 1 is base on 19 (80), silver on 31 (100), gold on 35 (200) and 40 (300), 220
    /// on 49, 200 on 61 (gold), 100 on 65 (silver), 0 on 70 (base); 2 is base throughout (58,
    /// 78, 20). Members at the month ends: January 1 (base), February 2 (base 1, gold 1),
    /// March 2 (base 2).
    ///
    /// Redeemed by the end of day t: 0.5 × p × min(t − d + 1, 30) / 30. End of January (30):
    /// 0.5 × 80 × 12 / 30 = 16. End of February (59): 40 (80, all 30 days) + 0.5 × 20 × 29 / 30
    /// (9.666…) + 0.5 × 58 × 25 / 30 (24.166…) + 0.5 × 100 × 25 / 30 (41.666…) + 0.5 × 100 ×
    /// 20 / 30 (33.333…) = 148.8333…; by the end of March every credit has lived 30 days:
    /// 0.5 × 378 = 189. So redeemed within each month: 16, 132.83, 40.17. Expired (0.5 × p on day
    /// d + 30): the 80 of day 19 on 49 (February: 40); the rest on 61–90 (March: 189 − 40 =
    /// 149), the birthday 20 of February 1 crossing into March on March 2. Outstanding at the
    /// ends: 80 − 16 = 64; 358 − 148.83 − 40 = 169.17; 378 − 189 − 189 = 0.
    func testByMonthWorkedByHand() throws {
        let orders = """
        customer_id,date,amount
        1,2024-02-10,1000
        3,2024-03-15,-10
        2,2024-02-05,80
        1,2024-01-20,300
        """
        let customers = "id,referred_by,birth_month\n1,,2\n2,1,3\n3,,1\n"
        let s = try makeSession(["orders": orders, "customers": customers])
        try s.runAll("""
        use orders as_of 2024-03-31
        program p = earn 1 per 10, first_bonus 50, referral_bonus 100, birthday_bonus 20, expire 30d, point_value 0.01, tiers (silver 100, gold 200) over 30d, redeem 50%
        """)
        let t = try table(s, "simulate p by month")
        XCTAssertEqual(t.strings("month"), ["2024-01-01", "2024-02-01", "2024-03-01"])
        XCTAssertEqual(t.strings("members"), ["1", "2", "2"])
        XCTAssertEqual(t.strings("new_members"), ["1", "1", "0"])
        XCTAssertEqual(t.strings("members_base"), ["1", "1", "2"])
        XCTAssertEqual(t.strings("members_silver"), ["0", "0", "0"])
        XCTAssertEqual(t.strings("members_gold"), ["0", "1", "0"])
        XCTAssertEqual(t.strings("revenue"), ["300", "1080", "-10"])
        XCTAssertEqual(t.strings("points_issued"), ["80", "278", "20"])
        XCTAssertEqual(t.strings("points_redeemed"), ["16", "132.83", "40.17"])
        XCTAssertEqual(t.strings("points_expired"), ["0", "40", "149"])
        XCTAssertEqual(t.strings("points_outstanding"), ["64", "169.17", "0"])
        // liability = outstanding × 0.01; reward cost = (issued − expired) × 0.01; cost share = cost / revenue × 100.
        XCTAssertEqual(t.strings("liability"), ["0.64", "1.69", "0"])
        XCTAssertEqual(t.strings("reward_cost"), ["0.8", "2.38", "-1.29"])
        XCTAssertEqual(t.strings("cost_share"), ["0.27", "0.22", "null"])
        // The summary agrees with the last month: both members base, nothing outstanding.
        let summary = try table(s, "simulate p")
        XCTAssertEqual(summary.strings("members"), ["2", "0", "0"])
        XCTAssertEqual(summary.strings("points_outstanding"), ["0", "0", "0"])
        // As of 02-29 the month ends on the as-of date: 1 is gold with 300 in the window.
        try s.runAll("use orders as_of 2024-02-29")
        let february = try table(s, "simulate p by month")
        XCTAssertEqual(february.strings("members_gold"), ["0", "1"])
        XCTAssertEqual(february.strings("points_outstanding"), ["64", "169.17"])
        // Without a window every point counts: 1 ends with 300 (gold), 2 with 78.
        try s.runAll("use orders as_of 2024-03-31; program q = earn 1 per 10, first_bonus 50, referral_bonus 100, birthday_bonus 20, tiers (silver 100, gold 200)")
        let allTime = try table(s, "simulate q by month")
        XCTAssertEqual(allTime.strings("members_silver"), ["0", "0", "0"])
        XCTAssertEqual(allTime.strings("members_gold"), ["0", "1", "1"])
    }

    /// A referrer who never bought has an account from the first referral credit, and counts
    /// as a member (and new member) from that month; points past 2^53 are refused by month as
    /// in the summary.
    func testByMonthReferrerWhoNeverBoughtAndRefusals() throws {
        let orders = "customer_id,date,amount,channel\n2,2024-01-15,50,web\n3,2024-02-20,400,app\n"
        let customers = "id,referred_by\n2,9\n3,9\n9,\n"
        let s = try makeSession(["orders": orders, "customers": customers])
        try s.runAll("use orders as_of 2024-02-29; program p = earn 1 per 10, referral_bonus 100, tiers (silver 150)")
        let t = try table(s, "simulate p by month")
        // January: 2 (5 points) and 9 (100); February: 3 (40) joins and 9 reaches 200 (silver).
        XCTAssertEqual(t.strings("members"), ["2", "3"])
        XCTAssertEqual(t.strings("new_members"), ["2", "1"])
        XCTAssertEqual(t.strings("members_silver"), ["0", "1"])
        XCTAssertEqual(t.strings("points_issued"), ["105", "140"])
        // In the app at 1.25x: floor(40 × 1.25) = 50; on the web at 1x the 5 stays.
        try s.runAll("program q = earn 1 per 10, referral_bonus 100, channel_bonus (app 1.25x, web 1x)")
        XCTAssertEqual(try table(s, "simulate q by month").strings("points_issued"), ["105", "150"])
        try s.runAll("program huge = earn 1 per 10, channel_bonus (app 1000000000000000x)")
        XCTAssertEqual(s.error("simulate huge by month")?.message,
                       "an order of 400 would earn more than 9,007,199,254,740,992 points (2^53), past which points cannot be counted exactly")
        // 5e14 and 4e15 for the orders, each below 2^53, and 9e15 to 9 twice.
        try s.runAll("program big = earn 100000000000000 per 10, referral_bonus 9000000000000000")
        XCTAssertEqual(s.error("simulate big by month")?.message,
                       "the program would earn more than 9,007,199,254,740,992 points (2^53), past which points cannot be counted exactly")
    }

    /// Many customers, rows in no order, every kind of credit: each month's figures against a
    /// recount done here day by day from the rules (docs/language.md), on one core and on two.
    func testByMonthAgreesWithADayByDayRecount() throws {
        var seed: UInt64 = 12345
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        // Day 0 is 2023-01-01 (19,358 days after 1970-01-01); the as-of date is day 700.
        let base = 19_358, asOf = 700
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func date(_ d: Int) -> DateComponents {
            calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(base + d) * 86_400))
        }
        func text(_ d: Int) -> String {
            let c = date(d)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        let customers = 120
        var rows = ["customer_id,date,amount,channel"]
        var orders: [(c: Int, day: Int, amount: Double, app: Bool)] = []
        for _ in 0..<1500 {
            let c = 1 + next(customers), d = next(asOf + 1), amount = Double(next(40_000) - 2_000) / 100, app = next(3) == 0
            orders.append((c, d, amount, app))
            rows.append("\(c),\(text(d)),\(amount),\(app ? "app" : "web")")
        }
        // Referrers among the customers and 10 who never buy (ids 1001–1010); birth months for most.
        var referrer: [Int: Int] = [:], birthMonth: [Int: Int] = [:]
        var people = ["id,referred_by,birth_month"]
        for c in 1...customers {
            if next(3) == 0 { referrer[c] = next(2) == 0 ? 1 + next(customers) : 1001 + next(10) }
            if referrer[c] == c { referrer[c] = nil }
            if next(5) > 0 { birthMonth[c] = 1 + next(12) }
            people.append("\(c),\(referrer[c].map(String.init) ?? ""),\(birthMonth[c].map(String.init) ?? "")")
        }
        for x in 1001...1010 { people.append("\(x),,") }
        let s = try makeSession(["orders": rows.joined(separator: "\n") + "\n", "customers": people.joined(separator: "\n") + "\n"])
        try s.runAll("use orders as_of \(text(asOf))")
        try s.runAll("program p = earn 1 per 10, first_bonus 50, referral_bonus 100, birthday_bonus 20, channel_bonus (app 2x), expire 90d, tiers (silver 80, gold 200) over 120d, redeem 40%")

        // The recount: every credit (account, day, points) by the rules.
        var credits: [(account: Int, day: Int, points: Double)] = []
        var firstPurchase: [Int: Int] = [:]
        for o in orders where o.amount > 0 {
            firstPurchase[o.c] = min(firstPurchase[o.c] ?? .max, o.day)
            let points = ((o.amount / 10).rounded(.down) * (o.app ? 2 : 1)).rounded(.down)
            if points > 0 { credits.append((o.c, o.day, points)) }
        }
        var opened = firstPurchase
        for (c, f) in firstPurchase {
            credits.append((c, f, 50))
            if let x = referrer[c] {
                credits.append((x, f, 100))
                opened[x] = min(opened[x] ?? .max, f)
            }
            if let m = birthMonth[c] {
                for d in f...asOf where date(d).month == m && date(d).day == 1 { credits.append((c, d, 20)) }
            }
        }
        // Month ends from the first order's month (January 2023) to the as-of date.
        var ends: [Int] = [], starts: [Int] = [0]
        for d in 0..<asOf where date(d + 1).day == 1 {
            ends.append(d)
            starts.append(d + 1)
        }
        ends.append(asOf)
        func redeemed(_ t: Int) -> Double { credits.filter { $0.day <= t }.reduce(0) { $0 + 0.4 * $1.points * Double(min(t - $1.day + 1, 90)) / 90 } }
        func expired(_ t: Int) -> Double { credits.filter { $0.day + 90 <= t }.reduce(0) { $0 + 0.6 * $1.points } }
        var expected: [String: [String]] = [:]
        for (m, end) in ends.enumerated() {
            let members = opened.filter { $0.value <= end }
            var window: [Int: Double] = [:]
            for x in credits where x.day <= end && x.day > end - 120 { window[x.account, default: 0] += x.points }
            let tiers = members.keys.map { c -> Int in
                let points = window[c] ?? 0
                return points >= 200 ? 2 : points >= 80 ? 1 : 0
            }
            let issued = credits.filter { $0.day >= starts[m] && $0.day <= end }.reduce(0) { $0 + $1.points }
            let before = starts[m] - 1
            let all = credits.filter { $0.day <= end }.reduce(0) { $0 + $1.points }
            for (name, value) in [("members", "\(members.count)"), ("new_members", "\(opened.values.filter { $0 >= starts[m] && $0 <= end }.count)"),
                                  ("members_base", "\(tiers.filter { $0 == 0 }.count)"), ("members_silver", "\(tiers.filter { $0 == 1 }.count)"),
                                  ("members_gold", "\(tiers.filter { $0 == 2 }.count)"), ("points_issued", String(format: "%.0f", issued)),
                                  ("points_redeemed", String(format: "%.2f", redeemed(end) - redeemed(before))),
                                  ("points_expired", String(format: "%.2f", expired(end) - expired(before))),
                                  ("points_outstanding", String(format: "%.2f", all - redeemed(end) - expired(end)))] {
                expected[name, default: []].append(value)
            }
        }
        XCTAssertEqual(ends.count, 24)
        XCTAssertGreaterThan(expected["members_silver"]!.compactMap { Int($0) }.max() ?? 0, 0)
        XCTAssertGreaterThan(expected["members_gold"]!.compactMap { Int($0) }.max() ?? 0, 0)
        let t = try table(s, "simulate p by month")
        for (name, values) in expected.sorted(by: { $0.key < $1.key }) {
            if name.hasPrefix("points_") && name != "points_issued" {
                // Rounded to 2 decimals by both; the recount adds in another order.
                let got = t.values(name).map { $0.doubleValue ?? .nan }
                for (g, e) in zip(got, values) { XCTAssertEqual(g, Double(e)!, accuracy: 0.0101, name) }
                XCTAssertEqual(got.count, values.count, name)
            } else {
                XCTAssertEqual(t.strings(name), values, name)
            }
        }

        // The same months on one core and on two.
        let at = SourceLocation(line: 1, column: 1)
        let (data, _) = try s.catalog.transactionData(for: "test", at: at)
        let (_, rules) = try s.catalog.program("p", at: at)
        var notes: [String] = []
        let multiplier = try SimulateCommand.channelMultipliers(rules, data, in: s.catalog, notes: &notes, at: at)
        let program = ProgramCustomers.read(s.catalog.tables["customers"], data: data, rules: rules)
        let one = try data.pointsMonths(rules, multiplier: multiplier, customers: program, parts: 1, at: at)
        let two = try data.pointsMonths(rules, multiplier: multiplier, customers: program, parts: 2, at: at)
        XCTAssertEqual(one.months.map(\.tierCounts), two.months.map(\.tierCounts))
        XCTAssertEqual(one.months.map(\.members), two.months.map(\.members))
        XCTAssertEqual(one.months.map(\.outstanding), two.months.map(\.outstanding))
        XCTAssertEqual(one.months.map(\.revenue), two.months.map(\.revenue))
        XCTAssertEqual(one.months.map(\.members).last, opened.count)
    }
}

import Foundation
import XCTest
@testable import ClubKit
@testable import SampleData

/// The birthday bonus over customers with birth months, worked by hand, in both calendars; the
/// sample's `birth_month` column; and the sample spring campaign, measured here with a loop of
/// our own (not clubsh's campaign code), against the 6-point uplift it was generated with.
final class BirthdayAndSpringSampleTests: XCTestCase {
    /// Three customers, as of 2024-06-30 (1403/04/10), birthday_bonus 20, earn 1 per 100 (so
    /// the orders below earn 0 or 1 point and the bonus stands out):
    ///
    ///     customer  first purchase             birth_month  Gregorian month 1st   Jalali month 1st (jdatetime)
    ///     1         2024-01-10 (1402/10/20)    1            2024-01-01 < first: 0  1403/01/01 = 2024-03-20: 20
    ///     2         2024-01-10                 4            2024-04-01: 20         1403/04/01 = 2024-06-21: 20
    ///     3         2023-12-22 (1402/10/01)    10           2023-10-01 < first,    1402/10/01 = 2023-12-22, the
    ///                                                       2024-10-01 > as-of: 0  first purchase's own day: 20
    ///     4         2023-03-01                 3            2023-03-01 (its own    1402/03/01 = 2023-05-22 and
    ///                                                       day) and 2024-03-01: 40  1403/03/01 = 2024-05-21: 40
    ///
    /// Customer 4's 1401/03/01 (2022-05-22) came before the first purchase, and 2025's months
    /// after the as-of date, so none gets more.
    static let orders = """
    order_id,customer_id,date,amount
    1,1,2024-01-10,50
    2,2,2024-01-10,50
    3,3,2023-12-22,50
    4,4,2023-03-01,150
    """
    static let customers = """
    id,birth_month
    1,1
    2,4
    3,10
    4,3
    """

    private func birthdayPoints(_ s: Session) throws -> [String] {
        var table: Table?
        for o in try s.runAll("simulate p | members") { if case .table(let t) = o { table = t } }
        return try XCTUnwrap(table).strings("birthday_points")
    }

    func testTheBirthdayBonusIsCreditedOnTheFirstOfTheBirthMonthInEitherCalendar() throws {
        let s = try makeSession(["orders": Self.orders, "customers": Self.customers])
        try s.runAll("use orders as_of 2024-06-30; program p = earn 1 per 100, birthday_bonus 20")
        XCTAssertEqual(try birthdayPoints(s), ["0", "20", "0", "40"])
        // The same program under .calendar jalali: a birth month is a Jalali month, and the
        // simulation follows the calendar as it changes.
        s.calendar = .jalali
        XCTAssertEqual(try birthdayPoints(s), ["20", "20", "20", "40"])
        s.calendar = .gregorian
        XCTAssertEqual(try birthdayPoints(s), ["0", "20", "0", "40"])
    }

    /// A `birthday` date column gives its month in the calendar in force: 1990-03-25 is
    /// 1369/01/05 (Farvardin) and 1985-12-30 is 1364/10/09 (Dey), by jdatetime. Customer 1
    /// (first purchase 2024-01-10) gets 2024-03-01 in Gregorian (20) and 1403/01/01 =
    /// 2024-03-20 in Jalali (20). Customer 3 (first purchase 2023-12-22) gets nothing in
    /// Gregorian (2023-12-01 is before the first purchase, 2024-12-01 after the as-of date)
    /// and 20 in Jalali (1402/10/01 = 2023-12-22, the first purchase's own day).
    func testABirthdayDateGivesItsMonthInTheCalendar() throws {
        let s = try makeSession(["orders": Self.orders, "customers": "id,birthday\n1,1990-03-25\n3,1985-12-30\n"])
        try s.runAll("use orders as_of 2024-06-30; program p = earn 1 per 100, birthday_bonus 20")
        XCTAssertEqual(try birthdayPoints(s), ["20", "0", "0", "0"])
        s.calendar = .jalali
        XCTAssertEqual(try birthdayPoints(s), ["20", "0", "20", "0"])
    }

    // MARK: - The generated sample

    /// Rows of a generated CSV file without quoted commas (the columns read here have none),
    /// Persian digits turned into ASCII ones.
    private func rows(_ path: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let digits = Array("۰۱۲۳۴۵۶۷۸۹")
        return lines.map { line in
            // Names may hold a quoted comma; only the columns after `name` matter below, so a
            // quoted field is skipped whole.
            var fields: [String] = [], field = "", quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { fields.append(field); field = "" } else {
                    field.append(digits.firstIndex(of: ch).map { Character(String($0)) } ?? ch)
                }
            }
            fields.append(field)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    private func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-spring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.path
    }

    /// Every customer with a birth year has a birth month 1–12, and only they; the Persian
    /// file's month is the Jalali month of the same day, so it is the Gregorian month − 3 or − 2
    /// (mod 12): Farvardin (1) runs from March 21 to April 20.
    func testTheSampleCustomersHaveBirthMonths() throws {
        let dir = try temporaryFolder()
        _ = try SampleGenerator(customers: 400, seed: 11).write(to: dir + "/en")
        _ = try SampleGenerator(customers: 400, seed: 11, locale: .persian).write(to: dir + "/fa")
        let en = try rows(dir + "/en/customers.csv"), fa = try rows(dir + "/fa/customers.csv")
        XCTAssertEqual(en.count, 400)
        var months = Set<Int>()
        for (e, f) in zip(en, fa) {
            XCTAssertEqual(e["birth_year"]!.isEmpty, e["birth_month"]!.isEmpty, "\(e)")
            XCTAssertEqual(f["birth_month"]!.isEmpty, e["birth_month"]!.isEmpty, "\(f)")
            guard let g = Int(e["birth_month"]!) else { continue }
            let j = try XCTUnwrap(Int(f["birth_month"]!), "\(f)")
            XCTAssertTrue((1...12).contains(g))
            XCTAssertTrue([(g + 8) % 12 + 1, (g + 9) % 12 + 1].contains(j), "Gregorian month \(g), Jalali month \(j)")
            months.insert(g)
        }
        XCTAssertEqual(months.count, 12)
    }

    /// The spring club's campaign, measured by hand over the CSV files: each customer counts
    /// once, by their first contact; a responder has an order within 30 days after it (the
    /// contact's own day excluded). The generator gave the treatment group exactly 6 points
    /// more chance to buy, so the measured uplift must be positive and its 95% interval must
    /// leave out 0 (and, being an interval around the truth, hold 6 at this seed).
    func testTheSpringCampaignShowsItsTrueUplift() throws {
        let dir = try temporaryFolder()
        let summary = try SampleGenerator(customers: 50, seed: 20240630).write(to: dir)
        XCTAssertEqual(summary.springCustomers, 10_000)
        let folder = dir + "/spring"
        var ordersOf: [String: [Int]] = [:]
        for o in try rows(folder + "/orders.csv") { ordersOf[o["customer_id"]!, default: []].append(dayNumber(o["date"]!)) }
        var first: [String: (day: Int, group: String)] = [:]
        for c in try rows(folder + "/contacts.csv") {
            let day = dayNumber(c["date"]!)
            if let f = first[c["customer_id"]!], f.day <= day { continue }
            first[c["customer_id"]!] = (day, c["group"]!)
        }
        var n = ["treatment": 0, "control": 0], x = n
        for (customer, contact) in first {
            n[contact.group, default: 0] += 1
            if ordersOf[customer, default: []].contains(where: { $0 > contact.day && $0 <= contact.day + 30 }) { x[contact.group, default: 0] += 1 }
        }
        let nt = Double(n["treatment"]!), nc = Double(n["control"]!)
        XCTAssertEqual(nc / (nt + nc), 0.1, accuracy: 0.01, "one in ten is held out")
        let pt = Double(x["treatment"]!) / nt, pc = Double(x["control"]!) / nc
        let se = (pt * (1 - pt) / nt + pc * (1 - pc) / nc).squareRoot()
        let uplift = pt - pc, low = uplift - 1.959964 * se, high = uplift + 1.959964 * se
        XCTAssertGreaterThan(uplift, 0)
        XCTAssertGreaterThan(low, 0, "the interval \(low)…\(high) should leave out 0")
        XCTAssertTrue((low...high).contains(0.06), "the interval \(low)…\(high) should hold the true 6 points")
        // The checked-in sample is this one.
        let root = HelpAndCompletionTests.repositoryRoot.appendingPathComponent("Samples/data/spring").path
        for name in ["customers", "orders", "contacts"] {
            XCTAssertEqual(FileManager.default.contents(atPath: folder + "/\(name).csv"), FileManager.default.contents(atPath: root + "/\(name).csv"),
                           "Samples/data/spring/\(name).csv is not what clubsh-sample-data writes")
        }
    }
}

/// The day number (days since 1970-01-01) of an ISO date `yyyy-mm-dd`, by Foundation.
private func dayNumber(_ text: String) -> Int {
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    let p = text.split(separator: "-").map { Int($0)! }
    let date = utc.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))!
    return Int((date.timeIntervalSince1970 / 86400).rounded())
}

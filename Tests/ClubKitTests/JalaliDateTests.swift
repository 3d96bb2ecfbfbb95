import Foundation
import XCTest
@testable import ClubKit

/// Jalali dates ⇄ day numbers. Expected values come from jdatetime 6.1.1
/// (`jdatetime.date(y, m, d).togregorian()`, and the day number as
/// `(date - datetime.date(1970, 1, 1)).days`), never from clubsh.
final class JalaliDateTests: XCTestCase {
    /// Known days, each checked both ways.
    func testKnownDays() {
        let known: [(jalali: (Int, Int, Int), day: Int, gregorian: String)] = [
            ((1402, 7, 15), 19637, "2023-10-07"),
            ((1402, 6, 31), 19622, "2023-09-22"),   // the last 31-day month's last day
            ((1402, 7, 1), 19623, "2023-09-23"),    // … and the first 30-day month's first
            ((1402, 12, 29), 19801, "2024-03-19"),  // the last day of a common year
            ((1403, 1, 1), 19802, "2024-03-20"),
            ((1403, 12, 30), 20167, "2025-03-20"),  // 1403 is leap
            ((1399, 12, 30), 18706, "2021-03-20"),  // 1399 is leap
            ((1348, 10, 11), 0, "1970-01-01"),
            ((1300, 1, 1), -17818, "1921-03-21"),
            ((1499, 12, 29), 55230, "2121-03-20"),
            ((1178, 1, 1), -62377, "1799-03-21"),   // the first day clubsh converts
            ((1501, 12, 29), 55960, "2123-03-20"),  // … and the last
        ]
        for k in known {
            let (y, m, d) = k.jalali
            XCTAssertEqual(JalaliDate.days(year: y, month: m, day: d), k.day, "\(y)/\(m)/\(d)")
            XCTAssertEqual(CivilDate.format(Int32(k.day)), k.gregorian)
            let back = JalaliDate.jalali(k.day)
            XCTAssertEqual(back.map { [$0.year, $0.month, $0.day] }, [y, m, d], "\(k.day)")
        }
    }

    /// Days that do not exist, and years outside 1178–1501, are refused rather than wrapped.
    func testImpossibleDaysAreRefused() {
        for (y, m, d) in [(1402, 12, 30), (1402, 13, 1), (1402, 0, 10), (1402, 1, 0), (1402, 1, 32), (1402, 7, 31),
                          (1402, 11, 31), (1177, 12, 29), (1502, 1, 1), (0, 1, 1), (-5, 1, 1), (99_999, 1, 1)] {
            XCTAssertNil(JalaliDate.days(year: y, month: m, day: d), "\(y)/\(m)/\(d)")
        }
        XCTAssertNil(JalaliDate.jalali(-62377 - 1), "the day before 1 Farvardin 1178")
        XCTAssertNil(JalaliDate.jalali(55960 + 1), "the day after 29 Esfand 1501")
        XCTAssertNil(JalaliDate.jalali(Int.min))
        XCTAssertNil(JalaliDate.jalali(Int.max))
    }

    func testWhyADayIsRefused() {
        XCTAssertEqual(JalaliDate.problem(year: 1402, month: 12, day: 30), "1402 is not a leap year, so Esfand has 29 days")
        XCTAssertEqual(JalaliDate.problem(year: 1402, month: 13, day: 1), "there is no month 13")
        XCTAssertEqual(JalaliDate.problem(year: 1402, month: 7, day: 31), "Mehr has 30 days")
        XCTAssertEqual(JalaliDate.problem(year: 1402, month: 1, day: 32), "Farvardin has 31 days")
        XCTAssertEqual(JalaliDate.problem(year: 1402, month: 1, day: 0), "there is no day 0")
        XCTAssertEqual(JalaliDate.problem(year: 2024, month: 1, day: 31), "clubsh reads the Jalali years 1178–1501")
        XCTAssertNil(JalaliDate.problem(year: 1403, month: 12, day: 30))
    }

    /// Every day of the years 1178–1501 (1300-01-01 to 1499-12-29 among them) against the
    /// reference table that
    /// Fixtures/Jalali/make-fixture.py wrote from jdatetime and checked against persiantools and
    /// Borkowski's algorithm. The table gives each year's first day in the Gregorian calendar and
    /// whether it is leap; the days after the first follow from the month lengths (31 × 6,
    /// 30 × 5, then 29 or 30), written out here rather than taken from clubsh.
    func testEveryDayAgainstTheReferenceTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Jalali/jalali-1178-1501.txt")
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        var failures: [String] = []
        var checked = 0
        var years: [Int] = []
        var previous: (year: Int, start: Int, leap: Bool)?
        for row in rows {
            let parts = row.split(separator: " ")
            let g = parts[1].split(separator: "-").map { Int($0)! }
            let (year, start, leap) = (Int(parts[0])!, CivilDate.days(year: g[0], month: g[1], day: g[2]), parts[2] == "1")
            years.append(year)
            if let p = previous, p.start + (p.leap ? 366 : 365) != start { failures.append("\(year) does not follow \(p.year)") }
            previous = (year, start, leap)
            if JalaliDate.isLeap(year) != leap { failures.append("\(year): leap \(JalaliDate.isLeap(year)), expected \(leap)") }
            let lengths = [31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, leap ? 30 : 29]
            var day = start
            for month in 1...12 {
                for d in 1...lengths[month - 1] {
                    if JalaliDate.days(year: year, month: month, day: d) != day { failures.append("\(year)/\(month)/\(d) → \(String(describing: JalaliDate.days(year: year, month: month, day: d))), expected \(day)") }
                    if let back = JalaliDate.jalali(day), back == (year, month, d) {} else { failures.append("\(day) → \(String(describing: JalaliDate.jalali(day))), expected \(year)/\(month)/\(d)") }
                    day += 1
                    checked += 1
                }
                if JalaliDate.days(year: year, month: month, day: lengths[month - 1] + 1) != nil { failures.append("\(year)/\(month)/\(lengths[month - 1] + 1) is not a day") }
            }
        }
        XCTAssertEqual(years, Array(1178...1501))
        // 1178-01-01 is 1799-03-21 and 1502-01-01 is 2123-03-21 (jdatetime): 118,338 days.
        XCTAssertEqual(checked, CivilDate.days(year: 2123, month: 3, day: 21) - CivilDate.days(year: 1799, month: 3, day: 21))
        XCTAssertTrue(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(5).joined(separator: "; "))")
    }
}

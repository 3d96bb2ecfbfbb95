import Foundation
import XCTest
@testable import ClubKit

/// `.calendar jalali` beyond the loader: `quarter`, `year_start`, `month_name`, months added in
/// Jalali months, `kpi by month|quarter`, date literals read in the calendar, and Persian
/// column names wherever a name is typed.
///
/// The expected values were worked out with the PyPI package jdatetime 6.1.1, never with
/// clubsh: `jdatetime.date.fromgregorian(date=d)` for the Jalali date of each order,
/// `(j.month - 1) // 3 + 1` for its quarter, `j.replace(day=1).togregorian()` for its month's
/// first day, and the buckets counted in Python over the same nine orders (orders, revenue,
/// distinct customers, customers whose first order falls in the bucket, revenue / orders).
/// Months added: year × 12 + month − 1 + k, back to year and month, the day clamped to the month's
/// length (31 for months 1–6, 30 for 7–11, Esfand 29 or 30 by `isleap()`), then `togregorian()`.
final class JalaliCalendarTests: XCTestCase {
    /// Nine orders of five customers around 1 Mehr 1402 = 2023-09-23, a Jalali month boundary
    /// inside the Gregorian September: 2023-09-20 is 1402-06-29, 2023-09-22 is 1402-06-31
    /// (Shahrivar's last day), 2023-09-23 is 1402-07-01, 2023-10-22 is 1402-07-30 (Mehr's last),
    /// 2023-10-23 is 1402-08-01, 2023-12-21 is 1402-09-30, 2023-12-22 is 1402-10-01 (1 Dey, a
    /// new Jalali quarter inside the Gregorian December).
    private let mehrOrders = """
    customer,date,amount
    1,2023-09-20,100
    2,2023-09-22,70
    1,2023-09-23,50
    3,2023-09-23,20
    2,2023-10-01,30
    4,2023-10-22,60
    4,2023-10-23,40
    1,2023-12-21,10
    5,2023-12-22,90
    """

    private func mehrSession(_ calendar: CalendarKind) throws -> Session {
        let session = try makeSession(["orders": mehrOrders])
        session.calendar = calendar
        // 2023-12-31 is 1402-10-10 (jdatetime): the as-of date written in the calendar in force.
        try session.runAll("use orders (customer = customer, date = date, amount = amount) as_of \(calendar == .jalali ? "1402-10-10" : "2023-12-31")")
        return session
    }

    // MARK: - kpi by month and quarter

    func testKPIByJalaliMonthAcrossMehr() throws {
        let t = try mehrSession(.jalali).query("kpi by month")
        // Shahrivar 1402 starts 2023-08-23, Mehr 2023-09-23, Aban 2023-10-23, Azar 2023-11-22, Dey 2023-12-22.
        XCTAssertEqual(t.strings("month"), ["2023-08-23", "2023-09-23", "2023-10-23", "2023-11-22", "2023-12-22"])
        XCTAssertEqual(t.strings("orders"), ["2", "4", "1", "1", "1"])
        XCTAssertEqual(t.strings("revenue"), ["170", "160", "40", "10", "90"])
        XCTAssertEqual(t.strings("active_customers"), ["2", "4", "1", "1", "1"])
        XCTAssertEqual(t.strings("new_customers"), ["2", "2", "0", "0", "1"])
        XCTAssertEqual(t.strings("aov"), ["85", "40", "40", "10", "90"])
    }

    /// The same orders in Gregorian months: September holds both sides of 1 Mehr, November none.
    func testKPIByGregorianMonthOfTheSameOrders() throws {
        let t = try mehrSession(.gregorian).query("kpi by month")
        XCTAssertEqual(t.strings("month"), ["2023-09-01", "2023-10-01", "2023-11-01", "2023-12-01"])
        XCTAssertEqual(t.strings("orders"), ["4", "3", "0", "2"])
        XCTAssertEqual(t.strings("revenue"), ["240", "130", "0", "100"])
        XCTAssertEqual(t.strings("active_customers"), ["3", "2", "0", "2"])
        XCTAssertEqual(t.strings("new_customers"), ["3", "1", "0", "1"])
        XCTAssertEqual(t.values("aov").map(\.doubleValue), [60, 130.0 / 3, nil, 50])
    }

    func testKPIByJalaliQuarter() throws {
        let t = try mehrSession(.jalali).query("kpi by quarter")
        // Tir 1402 (the second quarter) starts 2023-06-22, Mehr (the third) 2023-09-23, Dey 2023-12-22.
        XCTAssertEqual(t.strings("quarter"), ["2023-06-22", "2023-09-23", "2023-12-22"])
        XCTAssertEqual(t.strings("orders"), ["2", "6", "1"])
        XCTAssertEqual(t.strings("revenue"), ["170", "210", "90"])
        XCTAssertEqual(t.strings("active_customers"), ["2", "4", "1"])
        XCTAssertEqual(t.strings("new_customers"), ["2", "2", "1"])
        XCTAssertEqual(t.strings("aov"), ["85", "35", "90"])
    }

    func testKPIByFollowsACalendarChange() throws {
        let session = try mehrSession(.jalali)
        try session.runAll("monthly = kpi by month")
        XCTAssertEqual(try session.query("monthly | count").strings("count"), ["5"])
        session.calendar = .gregorian
        XCTAssertEqual(try session.query("monthly").strings("month"), ["2023-09-01", "2023-10-01", "2023-11-01", "2023-12-01"])
        XCTAssertEqual(Completer(session).completions(for: "kpi by q"), ["quarter"])
        XCTAssertEqual(session.error("kpi by week")?.text, "`kpi by` takes `month` or `quarter`, not `week`; kpi by month")
        XCTAssertEqual(session.error("kpi by month days 30")?.message, "`days` goes with the board (`kpi days 30`), not with `kpi by month`")
    }

    /// A chart of monthly buckets labels them in the session's calendar, as table mode does.
    func testChartLabelsReadInTheCalendar() throws {
        let session = try mehrSession(.jalali)
        let outputs = try session.runAll("orders | agg revenue = sum(amount) by m = month_start(date) | sort m | chart bar")
        guard case .chart(let chart)? = outputs.last else { return XCTFail("\(outputs)") }
        // The Jalali month starts of the orders (jdatetime): Shahrivar, Mehr, Aban, Azar and Dey 1402.
        XCTAssertEqual(chart.labels, ["1402-06-01", "1402-07-01", "1402-08-01", "1402-09-01", "1402-10-01"])
        XCTAssertEqual(chart.series.first?.values, [170, 160, 40, 10, 90])
    }

    // MARK: - quarter, year_start, month_name

    func testQuarterYearStartAndMonthNameOfEachOrder() throws {
        let session = try mehrSession(.jalali)
        let t = try session.query("orders | derive q = quarter(date), y = year_start(date), m = month_start(date), name = month_name(date)")
        XCTAssertEqual(t.strings("q"), ["2", "2", "3", "3", "3", "3", "3", "3", "4"])
        // 1 Farvardin 1402 is 2023-03-21.
        XCTAssertEqual(Set(t.strings("y")), ["2023-03-21"])
        XCTAssertEqual(t.strings("m"), ["2023-08-23", "2023-08-23", "2023-09-23", "2023-09-23", "2023-09-23", "2023-09-23", "2023-10-23", "2023-11-22", "2023-12-22"])
        XCTAssertEqual(t.strings("name"), ["Shahrivar", "Shahrivar", "Mehr", "Mehr", "Mehr", "Mehr", "Aban", "Azar", "Dey"])
        session.language = .persian
        XCTAssertEqual(try session.query("orders | derive name = month_name(date) | take 3").strings("name"), ["شهریور", "شهریور", "مهر"])
        session.calendar = .gregorian
        XCTAssertEqual(try session.query("orders | derive name = month_name(date) | take 3").strings("name"), ["سپتامبر", "سپتامبر", "سپتامبر"])
        session.language = .english
        let g = try session.query("orders | derive q = quarter(date), y = year_start(date), name = month_name(date)")
        XCTAssertEqual(g.strings("q"), ["3", "3", "3", "3", "4", "4", "4", "4", "4"])
        XCTAssertEqual(Set(g.strings("y")), ["2023-01-01"])
        XCTAssertEqual(g.strings("name").first, "September")
    }

    /// A named result that reads `month_name` follows `.lang`, as one reading `month` follows `.calendar`.
    func testANamedResultWithMonthNamesFollowsLangAndCalendar() throws {
        let session = try mehrSession(.jalali)
        try session.runAll("names = orders | derive name = month_name(date) | select name | take 1")
        XCTAssertEqual(try session.query("names").strings("name"), ["Shahrivar"])
        session.language = .persian
        XCTAssertEqual(try session.query("names").strings("name"), ["شهریور"])
        session.calendar = .gregorian
        XCTAssertEqual(try session.query("names").strings("name"), ["سپتامبر"])
    }

    // MARK: - Months added

    func testMonthsAreJalaliMonthsUnderJalali() throws {
        let session = Session()
        session.calendar = .jalali
        // 1402-06-31 + 6mo is 1402-12-29 (Esfand has 29 days in 1402), 2024-03-19; + 1mo is
        // 1402-07-30, 2023-10-22; − 1mo is 1402-05-31, 2023-08-22.
        XCTAssertEqual(try session.query("1402-06-31 + 6mo").strings("value"), ["2024-03-19"])
        XCTAssertEqual(try session.query("1402-06-31 + 1mo").strings("value"), ["2023-10-22"])
        XCTAssertEqual(try session.query("1402-06-31 - 1mo").strings("value"), ["2023-08-22"])
        // 1402-07-01 + 6mo is 1403-01-01, Nowruz, 2024-03-20; 1401-12-29 + 6mo is 1402-06-29, 2023-09-20.
        XCTAssertEqual(try session.query("1402-07-01 + 6mo").strings("value"), ["2024-03-20"])
        XCTAssertEqual(try session.query("1401-12-29 + 6mo").strings("value"), ["2023-09-20"])
        // 1403-12-30 exists (1403 is leap); a year on, 1404-12-30 does not: Esfand 29, 2026-03-20.
        XCTAssertEqual(try session.query("1403-12-30 + 1y").strings("value"), ["2026-03-20"])
        // Days and weeks are the same in either calendar.
        XCTAssertEqual(try session.query("1402-06-31 + 30d").strings("value"), ["2023-10-22"])
        session.calendar = .gregorian
        XCTAssertEqual(try session.query("2023-09-22 + 6mo").strings("value"), ["2024-03-22"])
    }

    // MARK: - Date literals

    func testDateLiteralsAreReadInTheCalendarInForce() throws {
        let session = try mehrSession(.jalali)
        XCTAssertEqual(try session.query("1402-07-15").strings("value"), ["2023-10-07"])
        XCTAssertEqual(try session.query("1402-07-15T09:30").strings("value"), ["2023-10-07 09:30:00"])
        XCTAssertEqual(try session.query("orders | where date >= 1402-07-01 | count").strings("count"), ["7"])
        // A quoted date compared with a date column is read the same way.
        XCTAssertEqual(try session.query("orders | where date >= \"1402-07-01\" | count").strings("count"), ["7"])
        XCTAssertEqual(try session.query("orders | where date in [\"1402-07-01\", 1402-06-31] | count").strings("count"), ["3"])
        XCTAssertEqual(try session.query("retention from 1402-07-01 to 1402-09-30").strings("start"), ["2"])

        let late = session.error("orders | where date > 1402-12-30")
        XCTAssertEqual(late?.message, "`1402-12-30` is not a Jalali date: 1402 is not a leap year, so Esfand has 29 days")
        XCTAssertEqual(late?.location, SourceLocation(line: 1, column: 23, length: 10))
        let gregorian = session.error("orders | where date > 2023-09-23")
        XCTAssertEqual(gregorian?.text, "`2023-09-23` is not a Jalali date: clubsh reads the Jalali years 1178–1501; under `.calendar jalali` date literals are Jalali: the Gregorian 2023-09-23 is written 1402-07-01")
        XCTAssertEqual(gregorian?.location, SourceLocation(line: 1, column: 23, length: 10))
        XCTAssertEqual(session.error("1402-07-31")?.message, "`1402-07-31` is not a Jalali date: Mehr has 30 days")
        XCTAssertEqual(session.error("orders | where date > \"1402-07-31\"")?.message, "\"1402-07-31\" is not a Jalali date: Mehr has 30 days")

        session.calendar = .gregorian
        XCTAssertEqual(try session.query("1402-07-15").strings("value"), ["1402-07-15"])
        XCTAssertEqual(session.error("2023-02-29")?.message, "`2023-02-29` is not a valid date (write YYYY-MM-DD)")
        // Azar has 30 days and September 30: no calendar has this day, and no hint says otherwise.
        XCTAssertEqual(session.error("1403-09-31")?.text, "`1403-09-31` is not a valid date (write YYYY-MM-DD)")
        // Ordibehesht 30 is a Jalali day, February 30 no Gregorian one.
        XCTAssertEqual(session.error("1402-02-30")?.hint, "a Jalali date? `.calendar jalali` reads date literals in the Jalali calendar")
    }

    /// A segment keeps the day its literal named when it was defined; its date functions
    /// follow the calendar in force when it is used.
    func testASegmentKeepsTheDayOfItsLiteralsWhenTheCalendarChanges() throws {
        let session = try mehrSession(.jalali)
        try session.runAll("segment since_mehr = customers360 where first_order >= 1402-07-01")
        try session.runAll("quoted = orders | where date >= \"1402-07-01\"")
        try session.runAll("in_mehr = orders | where month(date) == 7")
        XCTAssertEqual(try session.query("since_mehr | count").strings("count"), ["3"])
        XCTAssertEqual(try session.query("quoted | count").strings("count"), ["7"])
        XCTAssertEqual(try session.query("in_mehr | count").strings("count"), ["4"])
        session.calendar = .gregorian
        // 1402-07-01 stays 2023-09-23: customers 3, 4 and 5 first bought on or after it.
        XCTAssertEqual(try session.query("since_mehr | count").strings("count"), ["3"])
        XCTAssertEqual(try session.query("quoted | count").strings("count"), ["7"])
        // month(date) == 7 now reads Gregorian months: no order is in July.
        XCTAssertEqual(try session.query("in_mehr | count").strings("count"), ["0"])
        // A statement typed now reads its literal as Gregorian.
        XCTAssertEqual(try session.query("orders | where date >= 2023-09-23 | count").strings("count"), ["7"])
        // Tab completion after a calendar change still binds a definition's quoted date as defined.
        XCTAssertEqual(Completer(session).completions(for: "quoted | where amo"), ["amount"])
    }

    // MARK: - Hostile years

    /// Dates of the years 1 and 9999, outside the Jalali years clubsh converts (1178–1501):
    /// a value or a one-line refusal, never a crash.
    func testTheFirstAndLastYearsUnderJalali() throws {
        let session = try makeSession(["far": "customer,date,amount\n1,0001-01-01,5\n2,9999-12-31,7\n"], asOf: Int32(CivilDate.maxDay))
        session.calendar = .jalali
        let t = try session.query("far | derive y = year(date), q = quarter(date), m = month(date), s = month_start(date), ys = year_start(date), name = month_name(date)")
        // Outside the Jalali years the date functions read Gregorian parts.
        XCTAssertEqual(t.strings("y"), ["1", "9999"])
        XCTAssertEqual(t.strings("q"), ["1", "4"])
        XCTAssertEqual(t.strings("ys"), ["0001-01-01", "9999-01-01"])
        XCTAssertEqual(t.strings("name"), ["January", "December"])
        XCTAssertEqual(t.rowCount, 2)
        // Months added outside the Jalali years: null and one warning.
        let outputs = try session.runAll("far | derive later = date + 6mo, earlier = date - 1mo")
        XCTAssertTrue(outputs.contains { if case .warning(let w) = $0 { return w.hasPrefix("moving a date by Jalali months outside the years 1178–1501 in ") } else { return false } }, "\(outputs)")
        XCTAssertEqual(try session.query("far | derive later = date + 6mo").strings("later"), ["null", "null"])
        // 1501-12-29 is the last day clubsh converts; a month later is past it.
        XCTAssertEqual(try session.query("1501-12-29 + 1mo").strings("value"), ["null"])
        try session.runAll("use far (customer = customer, date = date, amount = amount)")
        let refusal = session.error("kpi by month")
        XCTAssertEqual(refusal?.message, "the transactions run from 0001-01-01 to 9999-12-31, outside the Jalali years clubsh counts months in (1178–1501)")
        XCTAssertFalse(refusal?.text.contains("\n") ?? true)
        XCTAssertEqual(session.error("0001-01-01")?.message, "`0001-01-01` is not a Jalali date: clubsh reads the Jalali years 1178–1501")
        XCTAssertEqual(session.error("9999-12-31")?.message, "`9999-12-31` is not a Jalali date: clubsh reads the Jalali years 1178–1501")
    }

    // MARK: - Persian column names

    func testPersianColumnNamesInCompletionDidYouMeanAndDescribe() throws {
        let session = try makeSession(["fa": "مشتری,نام,شهر,مبلغ\n1,علی,تهران,120\n2,سارا,شیراز,85\n"])
        XCTAssertEqual(Completer(session).completions(for: "fa | where شه"), ["شهر"])
        XCTAssertEqual(Completer(session).completions(for: "fa | agg n = count() by مش"), ["مشتری"])
        // The commonest slip in Persian text: the Arabic yeh (ي, U+064A) for the Persian one (ی, U+06CC).
        let misspelt = session.error("fa | where مشتري == 1")
        XCTAssertEqual(misspelt?.message, "unknown column `مشتري`")
        XCTAssertEqual(misspelt?.hint, "did you mean `مشتری`?")
        XCTAssertEqual(misspelt?.location, SourceLocation(line: 1, column: 12, length: 5))
        let d = try session.query("describe fa")
        XCTAssertEqual(d.strings("column"), ["مشتری", "نام", "شهر", "مبلغ"])
        XCTAssertEqual(d.strings("type"), ["int", "string", "string", "int"])
        XCTAssertEqual(try session.query("fa | where شهر == \"تهران\" | select نام").strings("نام"), ["علی"])
    }
}

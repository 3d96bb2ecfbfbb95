import Foundation
import XCTest
@testable import ClubKit

/// Loading Jalali dates and numbers written in Persian (۰–۹) or Arabic-Indic (٠–٩) digits.
///
/// Expected day numbers are from jdatetime 6.1.1:
/// `(jdatetime.date(y, m, d).togregorian() - datetime.date(1970, 1, 1)).days`, e.g. 1402/07/15
/// is 2023-10-07, day 19637; 1402/07/05 is 2023-09-27, day 19627; 1402/07/16 is 2023-10-08,
/// day 19638; 1403/12/30 is 2025-03-20, day 20167; 1399/01/01 is 2020-03-20, day 18341. Gregorian
/// day numbers are Python's `(datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days`.
final class JalaliLoadTests: XCTestCase {
    private func load(_ text: String, chunks: Int? = nil, _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> LoadResult {
        var o = CSVOptions()
        o.chunks = chunks
        configure(&o)
        return try CSVReader.read(text: text, path: "j.csv", options: o)
    }

    private func failure(_ text: String, _ configure: (inout CSVOptions) -> Void = { _ in }) -> String? {
        do { _ = try load(text, configure); return nil } catch { return (error as? LoadError)?.description }
    }

    /// A session whose `load` reads files written to a folder of the test's own.
    private func session(files: [String: String]) throws -> (Session, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-jalali-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return (Session(), dir)
    }

    /// The warnings among a statement's outputs.
    private func warnings(_ outputs: [Output]) -> [String] {
        outputs.compactMap { if case .warning(let w) = $0 { return w } else { return nil } }
    }

    // MARK: - Dates

    /// The built-in forms in each digit set, with `with calendar jalali` and detected (years
    /// 1300–1499), read to the same day numbers.
    func testEveryFormInEveryDigitSet() throws {
        let written = [
            "1402/07/15", "۱۴۰۲/۰۷/۱۵", "١٤٠٢/٠٧/١٥",           // yyyy/MM/dd
            "1402-07-15", "۱۴۰۲-۰۷-۱۵", "١٤٠٢-٠٧-١٥",           // yyyy-MM-dd
            "1402/7/15", "۱۴۰۲/۷/۱۵", "١٤٠٢/٧/١٥",              // yyyy/M/d
        ]
        for calendar in [LoadCalendar.jalali, .automatic] {
            for value in written {
                for quoted in [false, true] {
                    let t = try load("id,d\n1,\(quoted ? "\"\(value)\"" : value)\n2,1402/7/5\n") { $0.calendar = calendar }.table
                    XCTAssertEqual(t.column("d")?.values, [.date(19637), .date(19627)], "\(value) \(calendar)")
                }
            }
        }
    }

    /// Date-times after `T` or a space, in any digits: 1402/07/15 is day 19637, so 09:30 is
    /// 19637 × 86400 + 34200 = 1696671000 seconds.
    func testDateTimes() throws {
        let t = try load("t\n1402/07/15 09:30\n1402-07-15T09:30:15\n۱۴۰۲/۰۷/۱۵ ۰۹:۳۰\n").table
        XCTAssertEqual(t.column("t")?.values, [.dateTime(1_696_671_000), .dateTime(1_696_671_015), .dateTime(1_696_671_000)])
        XCTAssertEqual(try load("t\n1402/07/15 24:00\n").table.column("t")?.type, .string, "hour 24 is no time")
    }

    /// `date_format` patterns read Jalali days too; under `with calendar jalali` a two-digit
    /// year is 1348–1447 (the Jalali years of 1969–2068, the Gregorian pivot's window).
    func testDatePatterns() throws {
        let t = try load("d\n15/07/1402\n۱۶/۰۷/۱۴۰۲\n") { $0.dateFormat = "dd/MM/yyyy" }.table
        XCTAssertEqual(t.column("d")?.values, [.date(19637), .date(19638)])
        let compact = try load("d\n14020715\n14020716\n") { $0.dateFormat = "yyyyMMdd" }.table
        XCTAssertEqual(compact.column("d")?.values, [.date(19637), .date(19638)])
        // 02 is 1402 and 99 is 1399: 1399/01/01 is day 18341.
        let short = try load("d\n15/07/02\n01/01/99\n") { $0.dateFormat = "dd/MM/yy"; $0.calendar = .jalali }.table
        XCTAssertEqual(short.column("d")?.values, [.date(19637), .date(18341)])
        // Detected, a two-digit year stays Gregorian: 15/07/02 is 2002-07-15, day 11883.
        let gregorian = try load("d\n15/07/02\n") { $0.dateFormat = "dd/MM/yy" }
        XCTAssertEqual(gregorian.table.column("d")?.values, [.date(11883)])
        XCTAssertEqual(gregorian.notes, [])
        // A pattern with a time: 1402/07/15 09:30.
        let timed = try load("d\n1402.07.15 09:30\n") { $0.dateFormat = "yyyy.MM.dd HH:mm" }.table
        XCTAssertEqual(timed.column("d")?.values, [.dateTime(1_696_671_000)])
    }

    /// Without a calendar, a date column whose years are all 1300–1499 is Jalali, and the load
    /// says so; one of other years, or of both, is Gregorian as before.
    func testDetectionAndItsMessage() throws {
        let (session, dir) = try session(files: [
            "orders.csv": "id,date,paid\n1,1402/07/15,1402-07-16 10:00\n2,1403/12/30,1403-12-30 23:59\n",
            "greg.csv": "id,date\n1,2024-01-31\n2,1402-07-15\n",
        ])
        let out = try session.runAll("load \"\(dir.path)/orders.csv\"")
        XCTAssertEqual(warnings(out), ["columns date, paid: Jalali dates, as their years are all 1300–1499 (`with calendar gregorian` reads them as Gregorian)"])
        let orders = try session.query("orders")
        XCTAssertEqual(orders.column("date")?.values, [.date(19637), .date(20167)])
        // 19638 × 86400 + 10 h and 20167 × 86400 + 23 h 59 min.
        XCTAssertEqual(orders.column("paid")?.values, [.dateTime(1_696_759_200), .dateTime(1_742_515_140)])
        // Dates are dates: arithmetic and comparisons need nothing more. 1403/12/30 − 1402/07/15
        // is 20167 − 19637 = 530 days.
        XCTAssertEqual(try session.query("orders | agg span = max(date) - min(date)").column("span")?.values, [.int(530)])
        XCTAssertEqual(try session.query("orders | where date < 2024-01-01 | count").column("count")?.values, [.int(1)])
        // 2024-01-31 is day 19753; Gregorian 1402-07-15 is day −207263.
        XCTAssertEqual(warnings(try session.runAll("load \"\(dir.path)/greg.csv\"")), [])
        XCTAssertEqual(try session.query("greg").column("date")?.values, [.date(19753), .date(-207263)])
    }

    /// `with calendar gregorian` turns detection off: `1402-07-15` is the Gregorian day and a
    /// slashed date is text, with no note.
    func testGregorianTurnsDetectionOff() throws {
        let (session, dir) = try session(files: ["t.csv": "a,b\n1402-07-15,1402/07/15\n"])
        XCTAssertEqual(warnings(try session.runAll("load \"\(dir.path)/t.csv\" with calendar gregorian")), [])
        let t = try session.query("t")
        XCTAssertEqual(t.column("a")?.values, [.date(-207263)])
        XCTAssertEqual(t.column("b")?.values, [.string("1402/07/15")])
    }

    /// `with calendar jalali` reads every year clubsh converts (1178–1501) without a note, and
    /// Gregorian dates are not Jalali ones: the column stays text and the load says why.
    func testJalaliReadsTheWholeRange() throws {
        // 1178/01/01 is day −62377 and 1501/12/29 day 55960.
        let r = try load("d\n1178/01/01\n1501/12/29\n") { $0.calendar = .jalali }
        XCTAssertEqual(r.table.column("d")?.values, [.date(-62377), .date(55960)])
        XCTAssertEqual(r.notes, [])
        // Detected, 1178 is not 1300–1499: the column is not Jalali (nor a Gregorian date, being
        // slashed).
        XCTAssertEqual(try load("d\n1178/01/01\n1402/07/15\n").table.column("d")?.type, .string)
        let g = try load("d\n2024-01-31\n") { $0.calendar = .jalali }
        XCTAssertEqual(g.table.column("d")?.type, .string)
        XCTAssertEqual(g.notes, ["column d: kept as text, as `2024-01-31` is not a Jalali date (clubsh reads the Jalali years 1178–1501)"])
    }

    // MARK: - Days that do not exist

    /// In an inferred column a day that does not exist keeps the column text, as `2023-02-30`
    /// does, and the load names it and says why; nothing wraps to a neighbouring day. (Had the
    /// dashed column fallen back to Gregorian, 1402-12-30 would be a real day of 1402 AD.)
    func testImpossibleDaysKeepTheColumnTextAndSayWhy() throws {
        let cases: [(String, String)] = [
            ("1402-12-29\n1402-12-30", "`1402-12-30` is not a Jalali date (1402 is not a leap year, so Esfand has 29 days)"),
            ("1402/07/15\n1402/13/01", "`1402/13/01` is not a Jalali date (there is no month 13)"),
            ("1402/07/15\n1402/01/32", "`1402/01/32` is not a Jalali date (Farvardin has 31 days)"),
            ("۱۴۰۲/۰۷/۱۵\n۱۴۰۲/۰۷/۳۱", "`۱۴۰۲/۰۷/۳۱` is not a Jalali date (Mehr has 30 days)"),
        ]
        for calendar in [LoadCalendar.automatic, .jalali] {
            for (values, why) in cases {
                let r = try load("d\n\(values)\n") { $0.calendar = calendar }
                XCTAssertEqual(r.table.column("d")?.type, .string, values)
                XCTAssertEqual(r.notes, ["column d: kept as text, as \(why)"], values)
            }
        }
        // Esfand 30 of a leap year is a day: 1403/12/30 is day 20167.
        XCTAssertEqual(try load("d\n1403/12/30\n").table.column("d")?.values, [.date(20167)])
    }

    /// A column declared `date` refuses a day that does not exist at its line and column, with
    /// the reason; `lenient` skips the row instead.
    func testDeclaredDatesRefuseImpossibleDaysWithTheirPlace() throws {
        let declared: (inout CSVOptions) -> Void = { $0.types = ["d": .date] }
        XCTAssertEqual(failure("id,d\n1,1402/07/15\n22,1402/12/30\n", declared),
                       "j.csv:3:4: `1402/12/30` is not a valid Jalali date for column `d` (declared in types): 1402 is not a leap year, so Esfand has 29 days")
        XCTAssertEqual(failure("id,d\n1,۱۴۰۲/۰۷/۱۵\n2,۱۴۰۲/۱۳/۰۱\n", declared),
                       "j.csv:3:3: `۱۴۰۲/۱۳/۰۱` is not a valid Jalali date for column `d` (declared in types): there is no month 13")
        XCTAssertEqual(failure("id,d\n1,1402/07/32\n") { $0.types = ["d": .date]; $0.calendar = .jalali },
                       "j.csv:2:3: `1402/07/32` is not a valid Jalali date for column `d` (declared in types): Mehr has 30 days")
        XCTAssertEqual(failure("id,d\n1,1402/07/15\n2,1600/01/01\n") { $0.types = ["d": .date]; $0.calendar = .jalali },
                       "j.csv:3:3: `1600/01/01` is not a valid Jalali date for column `d` (declared in types): clubsh reads the Jalali years 1178–1501")
        // Detected from its first values, the column takes the years 1300–1499.
        XCTAssertEqual(failure("id,d\n1,1402/07/15\n2,1299/12/29\n", declared),
                       "j.csv:3:3: `1299/12/29` is not a valid Jalali date for column `d` (declared in types): a column is read as Jalali when its years are 1300–1499; `with calendar jalali` reads 1178–1501")
        let lenient = try load("id,d\n1,1402/07/15\n2,1402/12/30\n3,1402/07/16\n") { $0.types = ["d": .date]; $0.lenient = true }
        XCTAssertEqual(lenient.table.column("d")?.values, [.date(19637), .date(19638)])
        XCTAssertEqual(lenient.skippedRows, 1)
        // Declared `datetime` takes Jalali dates and date-times.
        let dt = try load("t\n1402/07/15\n1402/07/15 09:30\n") { $0.types = ["t": .datetime] }.table
        XCTAssertEqual(dt.column("t")?.values, [.dateTime(1_696_636_800), .dateTime(1_696_671_000)])
    }

    /// Through a session: the error is one line with the file, line and column.
    func testSessionErrorNamesTheLineAndColumn() throws {
        let (session, dir) = try session(files: ["bad.csv": "id,d\n1,1402/07/15\n2,1402/12/30\n"])
        let error = session.error("load \"\(dir.path)/bad.csv\" with calendar jalali, types (d: date)")
        XCTAssertEqual(error?.message, "cannot load \(dir.path)/bad.csv:3:3: `1402/12/30` is not a valid Jalali date for column `d` (declared in types): 1402 is not a leap year, so Esfand has 29 days")
        XCTAssertEqual(session.error("load \"\(dir.path)/bad.csv\" with calendar jalaly")?.message, "`calendar` takes jalali or gregorian, not `jalaly`")
        XCTAssertEqual(session.error("load \"\(dir.path)/bad.csv\" with calendar jalaly")?.hint, "did you mean `jalali`?")
        XCTAssertEqual(session.error("load \"\(dir.path)/bad.csv\" with calendar automatic")?.message, "`calendar` takes jalali or gregorian, not `automatic`")
        XCTAssertEqual(session.error("load \"\(dir.path)/bad.csv\" with calendar")?.message, "`calendar` takes jalali or gregorian")
    }

    // MARK: - Numbers

    /// Persian and Arabic-Indic digits, `٬` between thousands and `٫` before decimals load as
    /// numbers: ۱۲۰٬۰۰۰ is 120000, ۱۲٫۵ is 12.5.
    func testPersianNumbers() throws {
        let t = try load("""
            i,f,q,mixed
            ۱۲۰٬۰۰۰,۱۲٫۵,"۱,۲۰۰",7
            ١٢٣,-٣٫٢٥,"-۱,۲۳۴,۵۶۷",۸
            -۴۲,۰٫۰۱,+۰,1٬000
            """).table
        XCTAssertEqual(t.columns.map(\.type), [.int, .double, .int, .int])
        XCTAssertEqual(t.column("i")?.values, [.int(120_000), .int(123), .int(-42)])
        XCTAssertEqual(t.column("f")?.values, [.double(12.5), .double(-3.25), .double(0.01)])
        XCTAssertEqual(t.column("q")?.values, [.int(1200), .int(-1_234_567), .int(0)])
        XCTAssertEqual(t.column("mixed")?.values, [.int(7), .int(8), .int(1000)])
    }

    /// Thousands separators only between groups of three digits of the integer part; anything
    /// else keeps the column text rather than guess.
    func testMisplacedSeparatorsAreText() throws {
        for bad in ["۱۲٬۰۰", "٬۱۲۰", "۱۲۰٬", "۱۲۳۴٬۰۰۰", "۱٫۲٬۰۰۰", "۱٫۲٫۳", "۱۲ ۰۰۰", "۱۲a", "٫", "-"] {
            XCTAssertEqual(try load("v\n1\n\(bad)\n").table.column("v")?.type, .string, bad)
        }
        // A comma between Latin digits is still not a separator (a Latin "1,200" stays text).
        XCTAssertEqual(try load("v\n\"1,200\"\n").table.column("v")?.values, [.string("1,200")])
    }

    /// Declared types read local digits too, and refuse what is not a number at its place.
    func testDeclaredNumbers() throws {
        let t = try load("a,b\n۱۲,۱٫۵\n") { $0.types = ["a": .int, "b": .double] }.table
        XCTAssertEqual(t.column("a")?.values, [.int(12)])
        XCTAssertEqual(t.column("b")?.values, [.double(1.5)])
        XCTAssertEqual(failure("a\n۱\n۱٫۵\n") { $0.types = ["a": .int] }, "j.csv:3:1: `۱٫۵` is not a valid int for column `a` (declared in types)")
    }

    /// An integer beyond 64 bits in Persian digits stays text with the usual note, never rounded.
    func testWidePersianIntegersStayText() throws {
        let r = try load("id\n۱\n۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸۹۰\n")
        XCTAssertEqual(r.table.column("id")?.values, [.string("۱"), .string("۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸۹۰")])
        XCTAssertEqual(r.notes, ["column id: integers beyond 64 bits kept as text"])
    }

    /// A value the first thousand rows did not show, read in several chunks: the Persian ones
    /// still load, and one impossible day late in the file still keeps its column text.
    func testLateValuesInParallelChunks() throws {
        var text = "n,d\n"
        for i in 0..<3000 { text += "\(i),1402/07/15\n" }
        text += "۳۰۰۰,۱۴۰۲/۰۷/۱۶\n"
        for chunks in [1, 3] {
            let t = try load(text, chunks: chunks).table
            XCTAssertEqual(t.column("n")?.type, .int)
            XCTAssertEqual(t.column("n")?.value(at: 3000), .int(3000))
            XCTAssertEqual(t.column("d")?.value(at: 3000), .date(19638))
            let late = try load(text + "3001,1402/12/30\n", chunks: chunks)
            XCTAssertEqual(late.table.column("d")?.type, .string)
            XCTAssertEqual(late.notes, ["column d: kept as text, as `1402/12/30` is not a Jalali date (1402 is not a leap year, so Esfand has 29 days)"])
        }
    }

    /// Found by fuzzing: a field whose digits, rewritten one by one, read as a number (the NUL
    /// ended it early) while the rewriting a number column tries did not; the column was narrowed
    /// to the kind it already had, and the load retried for ever. It is text, in one pass.
    func testARewrittenFieldNeverLoopsTheLoad() throws {
        let text = "d,n\n1888888888882۱۲80000000000000,0888888888888888882۱\u{0}۲\n"
        for calendar in [LoadCalendar.automatic, .jalali] {
            let r = try load(text) { $0.calendar = calendar; $0.dateFormat = "dd/MM/yy" }
            XCTAssertEqual(r.table.columns.map(\.type), [.string, .string])
            XCTAssertEqual(r.attempts, 1)
        }
    }

    /// A first row of names over Persian digits is a header; a first row of Persian digits is data.
    func testHeaderDetection() throws {
        XCTAssertEqual(try load("شناسه,تاریخ\n۱,۱۴۰۲/۰۷/۱۵\n").table.columnNames, ["شناسه", "تاریخ"])
        let t = try load("۱,۱۴۰۲/۰۷/۱۵\n۲,۱۴۰۲/۰۷/۱۶\n").table
        XCTAssertEqual(t.rowCount, 2)
        XCTAssertEqual(t.column("column2")?.values, [.date(19637), .date(19638)])
    }

    // MARK: - Rewriting local digits

    func testLocalDigitRewriting() {
        func rewrite(_ s: String, _ f: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>) -> Int?) -> String? {
            var s = s
            return s.withUTF8 { p in LocalDigits.rewritten(p, f) { String(decoding: $0, as: UTF8.self) } }
        }
        XCTAssertEqual(rewrite("۱۴۰۲/۰۷/۱۵", LocalDigits.latinDigits), "1402/07/15")
        XCTAssertEqual(rewrite("١٤٠٢-٠٧-١٥ ٠٩:٣٠", LocalDigits.latinDigits), "1402-07-15 09:30")
        XCTAssertNil(rewrite("1402/07/15", LocalDigits.latinDigits), "nothing to rewrite")
        XCTAssertEqual(rewrite("۱۲۰٬۰۰۰٫۵", LocalDigits.latinNumber), "120000.5")
        XCTAssertEqual(rewrite("-۱e۳", LocalDigits.latinNumber), "-1e3")
        XCTAssertNil(rewrite("۱۲۰٬۰۰", LocalDigits.latinNumber))
        XCTAssertNil(rewrite("1,200", LocalDigits.latinNumber), "Latin only: not this path's business")
        XCTAssertNil(rewrite("سلام", LocalDigits.latinNumber))
        XCTAssertNil(rewrite("", LocalDigits.latinNumber))
    }
}

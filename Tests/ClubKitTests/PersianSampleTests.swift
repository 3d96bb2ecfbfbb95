import Foundation
import SampleData
import XCTest
@testable import ClubKit

/// `clubsh-sample-data --locale fa` writes the same club as the English sample, in Persian:
/// Jalali dates, Persian digits, amounts in tomans with `٬`. Loaded, every number and date
/// equals the English one (a toman amount is the English amount × 10,000, rounded to the
/// thousand), so both files say the same thing.
final class PersianSampleTests: XCTestCase {
    func testThePersianSampleLoadsAsTheSameClub() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-fa-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try SampleGenerator(customers: 120, seed: 7).write(to: dir.appendingPathComponent("en").path)
        _ = try SampleGenerator(customers: 120, seed: 7, locale: .persian).write(to: dir.appendingPathComponent("fa").path)
        let session = Session()
        for name in ["orders", "customers", "feedback", "survey"] {
            try session.runAll("load \"\(dir.path)/en/\(name).csv\" as en_\(name)")
            try session.runAll("load \"\(dir.path)/fa/\(name).csv\" as fa_\(name)")
        }
        let text = try String(contentsOf: dir.appendingPathComponent("fa/orders.csv"), encoding: .utf8)
        let firstRow = text.split(separator: "\n")[1]
        XCTAssertTrue(firstRow.hasPrefix("۱,"), String(firstRow))
        XCTAssertTrue(firstRow.contains("/"), "a Jalali date: \(firstRow)")

        let en = try session.query("en_orders"), fa = try session.query("fa_orders")
        XCTAssertEqual(fa.schema.fields.map(\.type), [.int, .int, .date, .int, .string, .int, .string, .string])
        XCTAssertEqual(fa.strings("order_id"), en.strings("order_id"))
        XCTAssertEqual(fa.strings("customer_id"), en.strings("customer_id"))
        XCTAssertEqual(fa.values("date"), en.values("date"), "the same days, read from Jalali text")
        XCTAssertEqual(fa.strings("items"), en.strings("items"))
        // 38.30 → 383,000 tomans: the cents, rounded to the ten, × 100.
        let tomans: [Double] = en.values("amount").map { v in ((v.doubleValue! * 100).rounded() / 10).rounded() * 1000 }
        let read: [Double] = fa.values("amount").map { $0.doubleValue ?? -1 }
        XCTAssertEqual(read, tomans)
        XCTAssertEqual(Set(fa.strings("channel")), ["وب", "اپ", "فروشگاه"])

        let enPeople = try session.query("en_customers"), faPeople = try session.query("fa_customers")
        for column in ["joined", "first_seen", "contacted"] {
            XCTAssertEqual(faPeople.values(column), enPeople.values(column), column)
        }
        // A Jalali birth year: most of a Gregorian year falls in year − 621.
        let faYears: [Double] = faPeople.values("birth_year").map { ($0.doubleValue ?? -1000) + 621 }
        let enYears: [Double] = enPeople.values("birth_year").map { $0.doubleValue ?? -379 }
        XCTAssertEqual(faYears, enYears)
        XCTAssertEqual(Set(faPeople.strings("kind")), ["حقیقی", "حقوقی"])
        XCTAssertEqual(try session.query("fa_feedback").values("date"), try session.query("en_feedback").values("date"))
        XCTAssertEqual(try session.query("fa_survey").strings("customer_id"), try session.query("en_survey").strings("customer_id"))

        // The workbook holds the same text, a sheet per file, and loads as the same tables.
        for name in ["orders", "customers", "feedback", "survey"] {
            try session.runAll("load \"\(dir.path)/fa/club.xlsx\" sheet \"\(name)\" as x_\(name)")
            let fromCSV = try session.query("fa_\(name)"), fromSheet = try session.query("x_\(name)")
            XCTAssertEqual(fromSheet.columnNames, fromCSV.columnNames, name)
            XCTAssertEqual(fromSheet.schema.fields.map(\.type), fromCSV.schema.fields.map(\.type), name)
            for column in fromCSV.columnNames { XCTAssertEqual(fromSheet.values(column), fromCSV.values(column), "\(name).\(column)") }
        }
    }
}

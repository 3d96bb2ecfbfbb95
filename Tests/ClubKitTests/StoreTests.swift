import XCTest
@testable import ClubKit

final class StoreTests: XCTestCase {
    func testBitmap() {
        var b = Bitmap(count: 70)
        XCTAssertEqual(b.nullCount, 0)
        b.set(3, false)
        b.set(69, false)
        XCTAssertEqual(b.nullCount, 2)
        XCTAssertFalse(b.isValid(69))
        XCTAssertEqual(b.gather([69, 0, 3]).nullCount, 2)
    }

    func testCivilDateRoundTrips() {
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilDate.civil(day)
            XCTAssertEqual(CivilDate.days(year: y, month: m, day: d), day)
        }
        XCTAssertEqual(CivilDate.format(0), "1970-01-01")
        XCTAssertEqual(CivilDate.weekday(0), 4, "1970-01-01 was a Thursday")
        XCTAssertEqual(CivilDate.format(Int32(CivilDate.addMonths(CivilDate.days(year: 2023, month: 1, day: 31), 1))), "2023-02-28")
    }

    func testDatePatterns() {
        func parse(_ pattern: String, _ s: String) -> Int64? {
            var s = s
            return s.withUTF8 { DatePattern(pattern)!.parse($0) }
        }
        XCTAssertEqual(parse("yyyyMMdd", "19970101"), Int64(CivilDate.days(year: 1997, month: 1, day: 1)) * 86400)
        XCTAssertEqual(parse("dd/MM/yyyy", "31/12/2024"), Int64(CivilDate.days(year: 2024, month: 12, day: 31)) * 86400)
        XCTAssertNil(parse("dd/MM/yyyy", "31/02/2024"))
        XCTAssertNil(DatePattern("yyyy-QQ"))
    }

    func testColumnGatherKeepsNullsAndSharesTheDictionary() {
        let dict = StringDictionary(values: ["a", "b"])
        var v = Bitmap(count: 3)
        v.set(1, false)
        let c = Column(.string([0, 0, 1], dict), validity: v)
        let g = c.gather([2, 1])
        XCTAssertEqual(g.value(at: 0), .string("b"))
        XCTAssertEqual(g.value(at: 1), .null)
        guard case .string(_, let d) = g.storage else { return XCTFail() }
        XCTAssertTrue(d === dict)
    }

    func testSuggestions() {
        XCTAssertEqual(Suggest.closest(to: "amout", among: ["amount", "channel"]), "amount")
        XCTAssertEqual(Suggest.closest(to: "cutsomer_id", among: ["customer_id"]), "customer_id")
        XCTAssertNil(Suggest.closest(to: "xyz", among: ["amount"]))
    }
}

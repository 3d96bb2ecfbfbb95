import XCTest
@testable import ClubKit

/// The number policy of docs/language.md ("Numbers"): integers that leave 64 bits give null
/// and a warning, doubles may overflow to ±inf, NaN never appears, dates stay in the years
/// 1–9999. Every expected value is worked out by hand in the comment beside it.
final class NumberPolicyTests: XCTestCase {
    private func scalar(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> (Value, [String]) {
        let session = Session()
        var warnings: [String] = []
        var value: Value?
        for output in try session.runAll(source) {
            if case .warning(let w) = output { warnings.append(w) }
            if case .value(let v) = output { value = v }
        }
        return (try XCTUnwrap(value, file: file, line: line), warnings)
    }

    private let overflowWarning = "integer overflow in 1 row gave null (integers hold at most ±9223372036854775807)"

    func testIntegerOverflowGivesNullAndAWarning() throws {
        // x % -1 is 0 for every x, the smallest integer included (Swift's % traps on it).
        XCTAssertEqual(try scalar("(-9223372036854775807 - 1) % -1").0, .int(0))
        // The smallest integer has no negative and no absolute value in 64 bits.
        XCTAssertEqual(try scalar("abs(-9223372036854775807 - 1)").0, .null)
        XCTAssertEqual(try scalar("abs(-9223372036854775807 - 1)").1, [overflowWarning])
        XCTAssertEqual(try scalar("-(-9223372036854775807 - 1)").0, .null)
        XCTAssertEqual(try scalar("9223372036854775807 + 1").1, [overflowWarning])
        XCTAssertEqual(try scalar("4611686018427387904 * 2").0, .null)  // 2^62 · 2 = 2^63
        // abs of a value an earlier overflow turned into null: null, with one warning only.
        XCTAssertEqual(try scalar("abs(9223372036854775807 + 1)").0, .null)
        XCTAssertEqual(try scalar("abs(9223372036854775807 + 1)").1, [overflowWarning])
    }

    func testIntegerLiteralsBeyond64BitsAreRefused() {
        let d = Session().error("12345678901234567890 + 1")
        XCTAssertEqual(d?.location.column, 1)
        XCTAssertTrue(d?.message.hasPrefix("`12345678901234567890` does not fit in a 64-bit integer") ?? false, "\(String(describing: d))")
    }

    func testIntegerSumIsExactOrNull() throws {
        let max = "9223372036854775807"
        let session = try makeSession(["t": "g,x\na,\(max)\na,1\na,-1\nb,\(max)\nb,\(max)\nc,-\(max)\nc,-1\nc,-1\n"])
        let outputs = try session.runAll("t | agg s = sum(x) by g")
        guard case .warning(let w) = outputs[0], case .table(let t) = outputs[1] else { return XCTFail("\(outputs)") }
        // a: max + 1 − 1 = max (the running sum leaves 64 bits and comes back: exact).
        // b: 2·max does not fit; c: −max − 2 is one below the smallest integer.
        XCTAssertEqual(t.values("s"), [.int(Int64.max), .null, .null])
        XCTAssertEqual(w, "integer overflow in 2 rows gave null (integers hold at most ±9223372036854775807)")
    }

    func testDoubleSumsNearTheLargestDouble() throws {
        let session = try makeSession(["t": "g,x\na,1e308\na,1e308\na,-1e308\nb,1e308\nb,1e308\nc,2\nc,4\n"])
        let t = try session.query("t | agg s = sum(x), m = avg(x), sd = stddev(x) by g")
        // a: 1e308 + 1e308 − 1e308 = 1e308 (the plain running sum passes inf on the way).
        // b: the sum 2e308 is past the largest double (≈1.8e308): +inf; the mean 1e308 is not.
        XCTAssertEqual(t.values("s"), [.double(1e308), .double(.infinity), .double(6)])
        XCTAssertEqual(t.values("m")[0], .double(1e308 / 3))
        XCTAssertEqual(t.values("m")[1], .double(1e308))
        // b: two equal values spread 0; c: sample sd of {2, 4} = √2.
        XCTAssertEqual(t.values("sd")[1], .double(0))
        XCTAssertEqual(t.values("sd")[2], .double(2.0.squareRoot()))
        // a: mean 1e308/3; deviations 2e308/3, 2e308/3, −4e308/3; Σd² = 24e616/9; /2 → sd = 2e308/√3.
        guard case .double(let sd) = t.values("sd")[0] else { return XCTFail() }
        XCTAssertEqual(sd, 2 / 3.0.squareRoot() * 1e308, accuracy: 1e294)
    }

    func testInfinityInAggregates() throws {
        // x * 1e308 * 10 makes ±inf from ±1 (overflow is allowed and kept).
        let session = try makeSession(["t": "g,x\na,1\na,0\na,2\nb,1\nb,-1\nc,1\nc,1\n"])
        let outputs = try session.runAll("t | derive y = if(abs(x) == 1, x * 1e308 * 10, x) | agg s = sum(y), m = median(y), lo = min(y), hi = max(y), sd = stddev(y) by g")
        guard let table = outputs.compactMap({ if case .table(let t) = $0 { return t } else { return nil } }).first else { return XCTFail() }
        // a: {inf, 0, 2}: the median is the middle value 2, not NaN from 0 × inf.
        XCTAssertEqual(table.values("m")[0], .double(2))
        XCTAssertEqual(table.values("s")[0], .double(.infinity))
        XCTAssertEqual(table.values("sd")[0], .null)
        // b: {inf, −inf}: no sum, no median, no spread — null; min and max are still the infinities.
        XCTAssertEqual(table.values("s")[1], .null)
        XCTAssertEqual(table.values("m")[1], .null)
        XCTAssertEqual(table.values("lo")[1], .double(-.infinity))
        XCTAssertEqual(table.values("hi")[1], .double(.infinity))
        // c: {inf, inf}: sum and median inf; the spread of infinite values has no value.
        XCTAssertEqual(table.values("s")[2], .double(.infinity))
        XCTAssertEqual(table.values("sd")[2], .null)
        let warnings = outputs.compactMap { if case .warning(let w) = $0 { return w } else { return nil } }
        XCTAssertEqual(warnings, ["5 rows had no defined value (such as inf − inf or 0 × inf) and gave null"])
    }

    func testNaNNeverAppears() throws {
        // inf − inf, 0 × inf and inf / inf have no value: null and a warning.
        for e in ["pow(10, 400) - pow(10, 400)", "0 * pow(10, 400)", "pow(10, 400) / pow(10, 400)", "pow(10, 400) % 2"] {
            let (v, w) = try scalar(e)
            XCTAssertEqual(v, .null, e)
            XCTAssertEqual(w, ["1 row had no defined value (such as inf − inf or 0 × inf) and gave null"], e)
        }
        let session = try makeSession(["t": "x\n1\n-1\n0\n"])
        let t = try session.query("t | derive y = x * 1e308 * 10 | derive z = y - y | sort z, y")
        XCTAssertEqual(t.values("z"), [.double(0), .null, .null], "0 − 0 = 0; inf − inf and −inf + inf are null, sorted last")
        XCTAssertEqual(t.values("y"), [.double(0), .double(-.infinity), .double(.infinity)])
    }

    func testFunctionsOverflowToInfinityAndRefuseTheirPoles() throws {
        XCTAssertEqual(try scalar("exp(1000)").0, .double(.infinity))
        XCTAssertEqual(try scalar("exp(1000)").1, [])
        XCTAssertEqual(try scalar("pow(10, 400)").0, .double(.infinity))
        let domain = ["1 value outside a function's domain (such as sqrt or ln of a negative number) gave null"]
        for e in ["ln(0)", "ln(-1)", "sqrt(-4)", "pow(0, -1)", "pow(-8, 1 / 3)"] {
            XCTAssertEqual(try scalar(e).0, .null, e)
            XCTAssertEqual(try scalar(e).1, domain, e)
        }
    }

    func testRoundWithAnyNumberOfDigits() throws {
        XCTAssertEqual(try scalar("round(1.5, 400)").0, .double(1.5))      // already as round as a double gets
        XCTAssertEqual(try scalar("round(123.456, -500)").0, .double(0))   // to the nearest 10^500
        XCTAssertEqual(try scalar("round(1250, -2)").0, .double(1300))     // half away from zero
        XCTAssertEqual(try scalar("round(-2.5)").0, .double(-3))
        XCTAssertEqual(try scalar("round(2.345, 1)").0, .double(2.3))
        XCTAssertEqual(try scalar("round(pow(10, 400), 2)").0, .double(.infinity))
    }

    func testDateArithmeticStaysInTheCalendar() throws {
        let range = ["a date outside the years 1–9999 in 1 row gave null"]
        XCTAssertEqual(try scalar("2024-01-01 + 3000000000").0, .null)     // would be year 8 million
        XCTAssertEqual(try scalar("2024-01-01 + 3000000000").1, range)
        XCTAssertEqual(try scalar("2024-01-01 + 9223372036854775807").0, .null)
        XCTAssertEqual(try scalar("9999-12-31 + 1").0, .null)
        XCTAssertEqual(try scalar("0001-01-01 - 1mo").0, .null)
        XCTAssertEqual(try scalar("month_start(2024-01-01 + 9223372036854775807)").0, .null)
        // In range: 9999-12-30 + 1 day, and 2024-01-31 + 1 month clamps to 29 February.
        XCTAssertEqual(try scalar("9999-12-30 + 1").0, .date(Int32(CivilDate.days(year: 9999, month: 12, day: 31))))
        XCTAssertEqual(try scalar("2024-01-31 + 1mo").0, .date(Int32(CivilDate.days(year: 2024, month: 2, day: 29))))
        XCTAssertEqual(try scalar("2024-01-01T06:00 + 10000y").0, .null)
        XCTAssertEqual(try scalar("2024-01-01T06:00 - 2000y").0, .dateTime((Int64(CivilDate.days(year: 24, month: 1, day: 1)) * 86400 + 6 * 3600)))
    }

    func testDurationsAreBoundedAt10000Years() throws {
        for e in ["2000000000000000000w", "900000000000000000mo > 5", "2024-01-01T00:00 + 99999999999d", "10001y"] {
            let d = Session().error(e)
            XCTAssertEqual(d?.message, "a duration can be at most 10,000 years (3,652,425d, 521,775w, 120,000mo or 10,000y)", e)
        }
        XCTAssertEqual(Session().error("2024-01-01T00:00 + 99999999999d")?.location.column, 20)
        XCTAssertEqual(try scalar("10000y == 3650000").0, .bool(true))  // 10,000 years count 3,650,000 days
        XCTAssertEqual(try scalar("10000y + 1mo").0, .null, "past the bound by one month")
        XCTAssertEqual(try scalar("10000y + 1mo").1, ["a duration longer than 10,000 years gave null"])
    }

    func testFlatSumsAndConditionsOfAnyLength() throws {
        // 100,000 ones; a condition of 20,000 `or`s; a join on three keys written as one chain.
        XCTAssertEqual(try scalar(Array(repeating: "1", count: 100_000).joined(separator: " + ")).0, .int(100_000))
        XCTAssertEqual(try scalar("10 - 1 - 2 - 3").0, .int(4), "left to right")
        XCTAssertEqual(try scalar("2 * 3 + 4 * 5 - 6 / 3").0, .double(24))
        let session = try makeSession(["t": "a,b,c\n1,2,3\n4,5,6\n", "u": "a,b,c,d\n1,2,3,x\n4,5,7,y\n"])
        let condition = (0..<20_000).map { "a == \($0 + 10)" }.joined(separator: " or ") + " or a == 4"
        XCTAssertEqual(try session.query("t | where \(condition) | select b").values("b"), [.int(5)])
        XCTAssertEqual(try session.query("t | join u on a == a and b == b and c == c | select d").values("d"), [.string("x")])
    }

    func testNestingIsLimitedAndReportedWithItsPlace() throws {
        let session = Session()
        let deepest = String(repeating: "(", count: 1_000) + "1" + String(repeating: ")", count: 1_000)
        XCTAssertEqual(try scalar(deepest).0, .int(1))
        XCTAssertEqual(try scalar(String(repeating: "-", count: 999) + "1").0, .int(-1))
        let d = session.error("(" + deepest + ")")
        XCTAssertEqual(d?.message, "the expression nests more than 1,000 levels deep")
        XCTAssertEqual(d?.location.column, 1_002)
        XCTAssertNotNil(session.error(String(repeating: "not ", count: 20_000) + "true"))
        XCTAssertNotNil(session.error(String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)))
    }

    func testJSONWritesInfinityAsNullWithAWarning() throws {
        let t = Table(columnNames: ["x"], columns: [Column(.double([1.5, .infinity, -.infinity]))], rowCount: 3)
        let renderer = TableRenderer(mode: .json)
        XCTAssertEqual(renderer.render(t), "[\n{\"x\":1.5},\n{\"x\":null},\n{\"x\":null}\n]\n")
        XCTAssertEqual(renderer.warnings(for: t), ["2 infinite values written as null (JSON has no infinity)"])
        XCTAssertEqual(TableRenderer(mode: .csv).render(t), "x\n1.5\ninf\n-inf\n", "CSV keeps them, as DuckDB writes them")
        XCTAssertEqual(TableRenderer(mode: .csv).warnings(for: t), [])
    }
}

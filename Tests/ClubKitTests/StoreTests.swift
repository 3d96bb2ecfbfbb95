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

/// Integers that fit in 32 bits are loaded into 4-byte storage; every step reads them as the
/// integers they are.
final class NarrowIntegerTests: XCTestCase {
    func testSmallIntegersAreStoredNarrowAndWidenWhenALateValueNeedsIt() throws {
        var text = "id,n,big\n"
        for i in 0..<1500 { text += "\(i),\(i % 7 - 3),\(i == 1400 ? "3000000000" : String(i))\n" }
        for chunks in [1, 3] {
            var o = CSVOptions()
            o.chunks = chunks
            let t = try CSVReader.read(text: text, path: "n.csv", options: o).table
            guard case .int32 = t.column("id")!.storage, case .int32 = t.column("n")!.storage else { return XCTFail("id and n should be narrow") }
            guard case .int(let big) = t.column("big")!.storage else { return XCTFail("big needs 64 bits") }
            XCTAssertEqual(big[1400], 3_000_000_000)
            XCTAssertEqual(big[1399], 1399)
            XCTAssertEqual(t.column("n")?.value(at: 0), .int(-3))
            XCTAssertEqual(t.column("id")!.bytes, 1500 * 4)
        }
    }

    func testEveryStepReadsNarrowIntegers() throws {
        let s = try makeSession([
            "a": "k,v,w\n1,10,\n2,-5,7\n1,2147483647,1\n3,4,2\n",
            "b": "id,label\n1,one\n3,three\n9000000000,big\n",
        ])
        guard case .int32 = s.catalog.tables["a"]!.column("v")!.storage else { return XCTFail("v should be narrow") }
        // 10 + 2147483647 overflows 32 bits but not the 64-bit sum.
        let sums = try s.query("a | agg total = sum(v), low = min(v), high = max(v), mean = avg(v) by k")
        XCTAssertEqual(sums.strings("total"), ["2147483657", "-5", "4"])
        XCTAssertEqual(sums.strings("low"), ["10", "-5", "4"])
        XCTAssertEqual(sums.strings("high"), ["2147483647", "-5", "4"])
        XCTAssertEqual(sums.values("mean"), [.double(1_073_741_828.5), .double(-5), .double(4)])
        XCTAssertEqual(try s.query("a | where v > 5 | select k").strings("k"), ["1", "1"])
        XCTAssertEqual(try s.query("a | derive x = v + 1 | select x").strings("x"), ["11", "-4", "2147483648", "5"])
        XCTAssertEqual(try s.query("a | derive c = coalesce(w, v) | select c").strings("c"), ["10", "7", "1", "2"])
        XCTAssertEqual(try s.query("a | sort v desc | select v").strings("v"), ["2147483647", "10", "4", "-5"])
        XCTAssertEqual(try s.query("a | top 1 by v | select v").strings("v"), ["2147483647"])
        // A narrow key joins a wide one.
        XCTAssertEqual(try s.query("a | join b on k == id | select label").strings("label"), ["one", "one", "three"])
        XCTAssertEqual(DelimitedWriter.write(try s.query("a | select v"), separator: 44), "v\n10\n-5\n2147483647\n4\n")
    }
}

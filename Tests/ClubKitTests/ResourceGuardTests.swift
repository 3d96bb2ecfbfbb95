import XCTest
@testable import ClubKit

/// A statement that would need more memory than the limit stops before allocating, with an
/// error that names the size, placed at its statement; the session is unchanged.
final class ResourceGuardTests: XCTestCase {
    func testAJoinPastTheMemoryLimitStopsWithItsSize() throws {
        // 2,000 rows on one key joined to themselves: 4,000,000 rows. `count` reads nothing, so
        // the join carries only its key k: 16 bytes a row (two row numbers and one value), 64 MB
        // in all, over a 10 MB limit; 10 MB holds 10,000,000 / 16 = 625,000 such rows.
        let rows = (0..<2_000).map { "1,\($0)" }.joined(separator: "\n")
        let session = try makeSession(["t": "k,v\n" + rows + "\n"])
        session.memoryLimit = MemoryLimit(bytes: 10_000_000)
        let d = session.error("let x = 1\nt | join t on k == k | count")
        XCTAssertEqual(d?.message, "the join gives more than 625,000 rows, more than fit in the memory limit of 10 MB")
        XCTAssertEqual(d?.location.line, 2, "placed at the statement that failed")
        XCTAssertEqual(d?.location.column, 1)
        // Within the limit the same join runs: 4,000,000 rows.
        session.memoryLimit = MemoryLimit(bytes: 1_000_000_000)
        XCTAssertEqual(try session.query("t | join t on k == k | count").values("count"), [.int(4_000_000)])
    }

    func testACohortTableOverMillenniaIsRefused() throws {
        // 0001-01 to 9999-12 is 119,988 months: a table of 119,988² cells.
        let session = try makeSession(["o": "customer_id,date,amount\n1,0001-01-01,5\n2,5000-06-01,6\n3,9999-12-01,7\n"])
        try session.runAll("use o")
        let d = session.error("cohort monthly")
        XCTAssertTrue(d?.message.hasPrefix("a cohort table of 119,988 months by 119,988 would need about 244.8 GB, more than the memory limit of") ?? false, "\(String(describing: d))")
        // The other analytics of the same three customers are answered.
        XCTAssertEqual(try session.query("rfm").values("recency"), [.int(3_652_028), .int(1_826_030), .int(0)])
        XCTAssertEqual(try session.query("customers360").values("days_since_last"), [.int(3_652_028), .int(1_826_030), .int(0)])
    }

    func testMemorySizesReadAndPrint() {
        XCTAssertEqual(MemoryLimit.parse("4GB"), 4_000_000_000)
        XCTAssertEqual(MemoryLimit.parse("512 mb"), 512_000_000)
        XCTAssertEqual(MemoryLimit.parse("1.5GiB"), 1_610_612_736)
        XCTAssertEqual(MemoryLimit.parse("800000000"), 800_000_000)
        XCTAssertNil(MemoryLimit.parse("lots"))
        XCTAssertNil(MemoryLimit.parse("-1GB"))
        XCTAssertNil(MemoryLimit.parse("1e400"))
        XCTAssertEqual(MemoryLimit.text(19_234_000_000), "19.2 GB")
        XCTAssertEqual(MemoryLimit.text(512), "512 bytes")
    }
}

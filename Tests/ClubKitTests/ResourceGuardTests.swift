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

    /// Retention by month counts each customer's months in one pass, so an as-of date in the
    /// year 9999 costs its 95,706 months, not a pass over the transactions per month.
    func testRetentionByMonthToAFarAsOfDate() throws {
        // Purchases from 2023-12-31 to 2024-06-30; months 2024-01 … 9999-06 are
        // (9999 − 2024) × 12 + 6 = 95,706 rows.
        let session = try makeSession(["o": "customer_id,date,amount\n10,2024-01-05,1\n11,2024-01-06,1\n10,2024-02-01,1\n12,2024-02-03,1\n9,2023-12-31,1\n10,2024-06-30,1\n"])
        try session.runAll("use o as_of 9999-06-30")
        let t = try session.query("retention by month")
        XCTAssertEqual(t.rowCount, 95_706)
        // 2024-02: of January's 10 and 11, 10 came back; 12 is new; end = 10 and 12.
        XCTAssertEqual(t.values("start")[1], .int(2))
        XCTAssertEqual(t.values("retained")[1], .int(1))
        XCTAssertEqual(t.values("new")[1], .int(1))
        XCTAssertEqual(t.values("end")[1], .int(2))
        // 2024-07: June's one customer (10) is lost; nobody buys after that.
        XCTAssertEqual(try session.query("retention by month | where month == 2024-07-01 | select start, lost, end").values("lost"), [.int(1)])
        XCTAssertEqual(t.values("start").last, .int(0))
        XCTAssertEqual(t.values("retention").last, .null)
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

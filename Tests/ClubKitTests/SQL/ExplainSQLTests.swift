import Foundation
import XCTest
@testable import ClubKit

/// `explain sql`: the statement, its dialects, its errors and the layout of what it prints.
final class ExplainSQLTests: XCTestCase {
    private func session() throws -> Session {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.csv").path
        try "id,s,x,d\n1,a,2.5,2024-01-31\n2,b,-1,2024-02-29\n".write(toFile: path, atomically: true, encoding: .utf8)
        let session = Session(asOf: 19_903)
        try session.runAll("load \"\(path)\" as t")
        return session
    }

    private func explain(_ s: Session, _ statement: String) throws -> String {
        let outputs = try s.runAll(statement)
        guard case .text(let sql)? = outputs.last else { XCTFail("no SQL from \(statement)"); return "" }
        return sql
    }

    /// The whole query for a small pipeline in PostgreSQL, written out by hand: a CTE a step,
    /// one clause a line, text compared by bytes, nulls last, the order carried in `_ord`.
    func testPostgresQueryIsLaidOutForReading() throws {
        let sql = try explain(try session(), "explain sql dialect postgres t | where s == \"a\" | sort x desc | take 2")
        XCTAssertEqual(sql, """
            WITH
              s1 AS (
                -- the table t, in scan order
                SELECT "id", "s", "x", "d", ROW_NUMBER() OVER () AS _ord
                FROM "t"
              ),
              s2 AS (
                SELECT *
                FROM s1
                WHERE ("s" COLLATE "C" = 'a' COLLATE "C")
              ),
              s3 AS (
                SELECT "id", "s", "x", "d", ROW_NUMBER() OVER (ORDER BY "x" DESC NULLS LAST, _ord) AS _ord
                FROM s2
              ),
              s4 AS (
                SELECT *
                FROM s3
                ORDER BY _ord
                LIMIT 2
              )
            SELECT "id", "s", "x", "d"
            FROM s4
            ORDER BY _ord;
            """)
    }

    /// Without `dialect`, DuckDB; Spark quotes with back-quotes and numbers rows by its
    /// increasing id; int/int division is a double and division by zero null in every dialect.
    func testDialects() throws {
        let s = try session()
        let duckdb = try explain(s, "explain sql t | select r = id / 2")
        XCTAssertTrue(duckdb.contains("(CAST(\"id\" AS DOUBLE) / NULLIF(2, 0)) AS \"r\""), duckdb)
        let spark = try explain(s, "explain sql dialect spark t | select r = id / 2")
        XCTAssertTrue(spark.contains("monotonically_increasing_id() AS _ord"), spark)
        XCTAssertTrue(spark.contains("(CAST(`id` AS DOUBLE) / NULLIF(2, 0)) AS `r`"), spark)
        let sqlite = try explain(s, "explain sql dialect SQLite t | select r = d + 1mo")
        XCTAssertTrue(sqlite.contains("'start of month', '+1 months'"), sqlite)
    }

    /// Errors point at what is wrong and change nothing.
    func testErrors() throws {
        let s = try session()
        XCTAssertEqual(s.error("explain sql dialect mysql t")?.message, "unknown SQL dialect `mysql`")
        XCTAssertEqual(s.error("explain sql dialect mysql t")?.location.column, 21)
        XCTAssertEqual(s.error("explain sql")?.message, "`explain sql` needs a pipeline to compile")
        XCTAssertEqual(s.error("explain sql let a = 1")?.message, "`explain sql` compiles a pipeline, a table or an analytics command, not this statement")
        XCTAssertEqual(s.error("explain sql t | chart bar")?.message,
                       "`chart` cannot be compiled to SQL: it draws the rows, and a database only gives them back")
        XCTAssertEqual(s.error("explain sql dialect spark t | select r = round(x, id)")?.message,
                       "`round(x, digits)` with digits read from a column cannot be compiled to Spark SQL: Spark needs a fixed number of digits")
        XCTAssertEqual(s.error("explain sql dialect sqlite t | select u = upper(s)")?.message,
                       "`upper` cannot be compiled to SQLite: its upper() changes only the letters A–Z, and clubsh changes every letter")
        XCTAssertEqual(s.error("explain sql tables")?.message, "`explain sql` compiles a pipeline, a table or an analytics command, not this statement")
        XCTAssertEqual(s.error("explain sql nope")?.message.hasPrefix("unknown"), true)
        // An analytics command before `use` is refused when it is bound, as it is when run.
        XCTAssertNotNil(s.error("explain sql rfm"))
    }

    /// Under `.calendar jalali` the month functions read Jalali months, which no engine has;
    /// a constant is still computed by clubsh, in the session's calendar.
    func testJalaliMonthsAreRefusedButConstantsFold() throws {
        let s = try session()
        try s.runAll(".calendar jalali")
        // `.calendar` is the shell's; the session reads the catalog's calendar.
        s.catalog.calendar = .jalali
        XCTAssertEqual(s.error("explain sql t | select m = month(d)")?.message,
                       "`month` under `.calendar jalali` cannot be compiled to SQL: DuckDB reads dates in the Gregorian calendar")
        let sql = try explain(s, "explain sql t | select m = month(1402-07-15)")
        XCTAssertTrue(sql.contains("7 AS \"m\""), sql)
    }

    /// A pipeline bound but never run: a named result's definition is a CTE named after it,
    /// used once however often the pipeline reads it.
    func testNamedResultIsOneCTE() throws {
        let s = try session()
        try s.runAll("big = t | where x > 0")
        let sql = try explain(s, "explain sql big | join big on id")
        XCTAssertEqual(sql.components(separatedBy: "\"big\" AS (").count, 2, sql)
        XCTAssertTrue(sql.contains("-- the named result big"), sql)
    }

    /// A column named `_ord` (in any case) moves the order column to `_ord_1`, not into it.
    func testAColumnNamedLikeTheOrderColumn() throws {
        let s = try session()
        try s.runAll("w = t | select _ORD = id, s")
        let sql = try explain(s, "explain sql dialect sqlite w | sort s desc")
        XCTAssertTrue(sql.contains("ROW_NUMBER() OVER (ORDER BY \"s\" DESC NULLS LAST, _ord_1) AS _ord_1"), sql)
        XCTAssertTrue(sql.hasSuffix("ORDER BY _ord_1;"), sql)
    }
}

import Foundation
import XCTest
@testable import ClubKit

/// Shares and rates of the analytics commands read as `42.3%` (and NPS as `-18.5`) in the modes
/// people read; CSV, TSV and JSON keep every digit. The hint follows the column's rows and is
/// dropped by any computation.
final class DisplayHintTests: XCTestCase {
    private func hinted(_ values: [Double], _ hint: DisplayHint, nullAt: Int? = nil) -> Column {
        var v = Bitmap(count: values.count)
        if let nullAt { v.set(nullAt, false) }
        var c = Column(.double(values), validity: v)
        c.display = hint
        return c
    }

    private var table: Table {
        Table(columnNames: ["share", "nps", "raw"],
              columns: [hinted([42.34567, 7, -0.04, 0], .percent, nullAt: 3), hinted([-18.48145968, 0.05, 100, 1], .oneDecimal),
                        Column(.double([42.34567, 7, -0.04, 1]))],
              rowCount: 4)
    }

    func testTableModeShowsOneDecimalAndPercent() {
        XCTAssertEqual(TableRenderer(mode: .table).render(table), """
        ┌────────┬────────┬──────────┐
        │ share  │ nps    │ raw      │
        │ double │ double │ double   │
        ├────────┼────────┼──────────┤
        │  42.3% │  -18.5 │ 42.34567 │
        │   7.0% │    0.1 │        7 │
        │   0.0% │  100.0 │    -0.04 │
        │   null │    1.0 │        1 │
        └────────┴────────┴──────────┘
        4 rows

        """)
    }

    /// An exact half rounds away from zero, as `round(x, 1)` and the working's rates do: the
    /// ROI (-363.75 × 30% − 10) / 10 is exactly -1191.25 when the revenue is summed exactly.
    func testAHalfRoundsAwayFromZeroAsInTheWorking() {
        XCTAssertEqual(DisplayHint.percent.text(-1191.25), "-1191.3%")
        XCTAssertEqual(DisplayHint.percent.text(0.25), "0.3%")
        XCTAssertEqual(DisplayHint.oneDecimal.text(-18.45), "-18.5")
        XCTAssertEqual(DisplayHint.percent.text(-0.04), "0.0%")
        XCTAssertEqual(rate(-1191.25), "-1191.3%")
    }

    func testDataModesKeepEveryDigit() {
        XCTAssertEqual(TableRenderer(mode: .csv).render(table), "share,nps,raw\n42.34567,-18.48145968,42.34567\n7,0.05,7\n-0.04,100,-0.04\n,1,1\n")
        XCTAssertEqual(TableRenderer(mode: .jsonl).render(table).split(separator: "\n").first,
                       #"{"share":42.34567,"nps":-18.48145968,"raw":42.34567}"#)
    }

    /// Markdown and line mode are read by people, as table mode is (and as `.digits` has it).
    func testMarkdownAndLineModeShowTheHint() {
        XCTAssertTrue(TableRenderer(mode: .markdown).render(table).contains("| 42.3% | -18.5 | 42.34567 |"))
        XCTAssertTrue(TableRenderer(mode: .line).render(table).hasPrefix("share = 42.3%\n  nps = -18.5\n  raw = 42.34567\n"))
        XCTAssertTrue(TableRenderer(mode: .table, digits: .persian).render(table).contains("۴۲٫۳%"))
    }

    /// `repeat` on four customers: 2 of 4 bought twice, 50% (worked by hand).
    func testTheHintFollowsRowsAndIsDroppedByComputation() throws {
        let s = try makeSession(["orders": "customer_id,date,amount\n1,2024-01-01,10\n1,2024-02-01,20\n2,2024-01-05,5\n3,2024-01-07,7\n3,2024-03-07,7\n4,2024-03-01,1\n"])
        try s.runAll("use orders (customer = customer_id, date = date, amount = amount)")
        func hint(_ statement: String, _ column: String) throws -> DisplayHint? {
            guard case .table(let t)? = try s.runAll(statement).last else { return nil }
            return t.column(column)?.display
        }
        XCTAssertEqual(try hint("repeat", "repeat_rate"), .percent)
        XCTAssertEqual(try hint("repeat", "customers"), .plain)
        XCTAssertEqual(try hint("repeat | where repeat_rate > 10 | sort repeat_rate | take 1 | select repeat_rate", "repeat_rate"), .percent)
        XCTAssertEqual(try hint("repeat | select rate = repeat_rate", "rate"), .percent)
        XCTAssertEqual(try hint("repeat | derive x = repeat_rate / 100 | select x", "x"), .plain)
        XCTAssertEqual(try hint("repeat | select x = round(repeat_rate, 3)", "x"), .plain)
        XCTAssertEqual(try hint("repeat | agg m = max(repeat_rate)", "m"), .plain)
        XCTAssertEqual(try hint("pareto | where share > 1", "cumulative_share"), .percent)
        XCTAssertEqual(try hint("nps promoters 50 passives 30 detractors 20", "nps"), .oneDecimal)
        XCTAssertEqual(try hint("nps promoters 50 passives 30 detractors 20", "promoters_pct"), .percent)
        let shown = try s.runAll("repeat").compactMap { output -> String? in
            if case .table(let t) = output { return TableRenderer(mode: .table).render(t) } else { return nil }
        }
        XCTAssertEqual(shown, ["""
        ┌──────────────────┬───────────┬─────────────┐
        │ repeat_customers │ customers │ repeat_rate │
        │ int              │ int       │ double      │
        ├──────────────────┼───────────┼─────────────┤
        │                2 │         4 │       50.0% │
        └──────────────────┴───────────┴─────────────┘
        1 row

        """])
    }
}

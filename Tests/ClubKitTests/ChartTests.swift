import Foundation
import XCTest
@testable import ClubKit

final class ChartTests: XCTestCase {
    private var session: Session!

    override func setUpWithError() throws {
        session = try makeSession(["orders": smallOrders, "customers": smallCustomers])
    }

    private func chart(_ statement: String) throws -> Chart {
        for output in try session.runAll(statement) { if case .chart(let c) = output { return c } }
        throw Diagnostic("no chart", at: SourceLocation(line: 1, column: 1))
    }

    func testBarChartInPlainCharacters() throws {
        // web 120.5 + 300 + 45.25 = 465.75 fills the bar; app 80 is 80 / 465.75 of it.
        let c = try chart("orders | agg revenue = sum(amount) by channel | chart bar")
        let text = c.text(width: 40, unicode: false)
        let bar = 40 - 5 - 6 - 3  // width − label − value − spaces
        XCTAssertEqual(text, """
        revenue by channel
        web   \(String(repeating: "#", count: bar)) 465.75
        app   \(String(repeating: "#", count: Int(80 / 465.75 * Double(bar)))) 80
        store  null

        """)
    }

    /// `chart flow`: from, to and how many, rows of one pair summed; a bar per flow scaled to
    /// the largest, with its share of the source; a Sankey band per flow in SVG.
    func testFlowChart() throws {
        let flows = "a,b,n\nnew,loyal,2\nnew,lost,6\nnew,loyal,2\nlead,new,5\nlead,lead,0\n"
        session = try makeSession(["moves": flows])
        let c = try chart("moves | chart flow")
        // new → loyal 2 + 2 = 4 of 10 (40%); new → lost 6 (60%), the largest, fills the bar of
        // 40 − 9 (names: "loyal" + 4) − 1 (value) − 10 = 20 columns; loyal ⌊4 / 6 × 20⌋ = 13;
        // lead → new 5 of 5, ⌊5 / 6 × 20⌋ = 16; lead → lead 0 draws nothing.
        XCTAssertEqual(c.text(width: 40, unicode: false), """
        n from a to b
        new (10)
          > loyal \(String(repeating: "#", count: 13)) 4 (40%)
          > lost  \(String(repeating: "#", count: 20)) 6 (60%)
        lead (5)
          > new   \(String(repeating: "#", count: 16)) 5 (100%)

        """)
        let svg = c.svg
        XCTAssertEqual(svg.components(separatedBy: "<path ").count - 1, 3)
        XCTAssertTrue(svg.contains(">new (10)</text>") && svg.contains(">loyal (4)</text>") && svg.contains(">lost (6)</text>"), svg)
        XCTAssertEqual(session.error("moves | select n | chart flow")?.message, "`chart flow` needs two text columns (from, to) and a numeric one (how many)")
    }

    func testHistogramBinsBySturges() throws {
        // 4 amounts → ⌈log2 4⌉ + 1 = 3 bins from 45.25 to 300, each 84.9166… wide: [45.25, 80, 120.5 | — | 300].
        let c = try chart("orders | chart hist amount")
        XCTAssertEqual(c.labels.count, 3)
        XCTAssertEqual(c.series[0].values, [3, 0, 1])
        XCTAssertEqual(c.title, "amount: 4 values")
    }

    func testHeatmapUsesTheMonthColumnsOfACohortTable() throws {
        try session.runAll("use orders")
        let c = try chart("cohort monthly | chart heatmap")
        XCTAssertEqual(c.series.map(\.name), ["m0", "m1", "m2"])
        XCTAssertTrue(c.text(width: 80, unicode: true).contains("█100"))
    }

    func testLineChartFallsBackToSparklinesWhenNarrow() throws {
        let c = try chart("orders | where amount is not null | select date, amount | chart line")
        // Levels ⌊(v − 45.25) / 254.75 × 7⌋: 120.5 → 2 (▃), 80 → 0 (▁), 300 → 7 (█), 45.25 → 0 (▁).
        XCTAssertEqual(c.text(width: 40, unicode: true), "amount by date\namount ▃▁█▁ 45.25 … 300\n")
        XCTAssertTrue(c.text(width: 80, unicode: false).contains("|"))
    }

    func testSVGIsAStandaloneDocument() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-chart-\(UUID().uuidString)/spend.svg").path
        let outputs = try session.runAll("orders | agg revenue = sum(amount) by channel | chart bar to \"\(path)\"")
        guard case .message(let m) = outputs.last else { return XCTFail() }
        XCTAssertEqual(m, "wrote revenue by channel to \(path)")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.contains(">revenue by channel</text>"))
        XCTAssertTrue(svg.contains(">465.75</text>"))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
    }

    func testChartErrors() {
        XCTAssertEqual(session.error("orders | chart donut")?.hint, "for example: chart bar")
        XCTAssertEqual(session.error("orders | chart pie")?.hint, "did you mean `line`?")
        XCTAssertEqual(session.error("orders | chart baar")?.hint, "did you mean `bar`?")
        XCTAssertEqual(session.error("orders | chart hist channel")?.message, "`chart hist` needs a numeric column; `channel` is text")
        XCTAssertEqual(session.error("orders | chart bar | take 1")?.message, "`chart` is the last step of a pipeline")
        XCTAssertEqual(session.error("customers | select name | chart bar")?.message, "`chart bar` needs at least one numeric column to draw")
    }

    func testChartsOfHugeAndInfiniteValues() throws {
        // 9.3e18 and -9.3e18 are past the 64-bit integers; ±1e308 span more than the largest double;
        // × 10 turns ±1e308 into ±inf, which no axis holds: left out, and the title says so.
        let big = try makeSession(["big": "k,v\na,9.3e18\nb,-9.3e18\nc,1e308\nd,-1e308\ne,5\n"])
        func charts(_ statement: String) throws -> [Chart] {
            try big.runAll(statement).compactMap { if case .chart(let c) = $0 { return c } else { return nil } }
        }
        for kind in ["bar", "line", "heatmap", "hist v"] {
            for (extra, leftOut) in [("", false), ("| derive v = v * 10", true)] {
                let c = try XCTUnwrap(try charts("big \(extra) | chart \(kind)").first, kind)
                XCTAssertEqual(c.title.hasSuffix("(2 infinite values left out)"), leftOut, "\(kind) \(extra): \(c.title)")
                for unicode in [false, true] {
                    let text = c.text(width: 80, unicode: unicode)
                    XCTAssertFalse(text.contains("nan"), text)
                }
                XCTAssertTrue(c.svg.hasPrefix("<svg") || c.svg.hasPrefix("<?xml"), kind)
            }
        }
        // The histogram of {-1e308, -9.3e18, 5, 9.3e18, 1e308}: Sturges gives 4 bins of 5e307.
        let hist = try XCTUnwrap(try charts("big | chart hist v").first)
        XCTAssertEqual(hist.labels, ["-1e+308 – -5e+307", "-5e+307 – 0", "0 – 5e+307", "5e+307 – 1e+308"])
        XCTAssertEqual(hist.series[0].values, [1, 1, 2, 1])
    }
}

import Foundation
import XCTest

/// `load` of JSON and JSON Lines through the built binary. The fixtures and every expected
/// figure come from Python's json module, never from clubsh:
///
///     orders-sample.jsonl / .json: the first 600 rows of Samples/data/orders.csv, written with
///         json.dumps per line and json.dump(indent=2); count 600, sum(amount) 80037.13
///         (Decimal), 369 customers, dates 2023-01-01 … 2023-02-04, app 173, store 148, web 279.
///     mixed.jsonl: four objects with missing keys, nulls, escapes, a surrogate pair and nested
///         values; the expected table is python's union of keys in first-seen order, None for a
///         missing key, and nested values as json.dumps(v, separators=(',', ':')).
final class JSONLoadEndToEndTests: XCTestCase {
    private func clubsh(_ arguments: [String]) throws -> ClubshRun {
        try ClubshRun.run(arguments)
    }

    func testMixedJSONLinesLoadAsPythonReadsThem() throws {
        let json = try clubsh(["--mode", "json", "-c", #"load "Fixtures/mixed.jsonl""#, "-c", "mixed"])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(json.stderr, "loaded mixed: 4 rows × 9 columns from Fixtures/mixed.jsonl\nwarning: columns tags, address: nested objects and arrays kept as JSON text\n")
        let expected = #"""
        [{"id": 1, "name": "Sara \u00e9\u00e8", "joined": "2024-01-31", "vip": true, "score": 9.5, "tags": "[\"a\",\"b c\"]", "address": "{\"city\":\"Tabriz\",\"zip\":null}", "note": null, "extra": null}, {"id": 2, "name": "Noor \"N\" \\ \ud83d\ude00", "joined": "2024-02-29", "vip": false, "score": 7, "tags": null, "address": null, "note": "line1\nline2", "extra": null}, {"id": 3, "name": "Reza", "joined": null, "vip": null, "score": null, "tags": "[]", "address": null, "note": null, "extra": "x"}, {"id": 12, "name": "\u0645\u0631\u06cc\u0645", "joined": "2023-12-01", "vip": true, "score": -0.25, "tags": "[1,[2,{\"k\":true}]]", "address": null, "note": "tab\there", "extra": null}]
        """#
        let got = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? NSArray
        let want = try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSArray
        XCTAssertEqual(got, want)

        let described = try clubsh(["--mode", "csv", "-c", #"load "Fixtures/mixed.jsonl""#, "-c", "describe mixed"])
        XCTAssertEqual(columnTypes(described.stdout), "column,type id,int name,string joined,date vip,bool score,double tags,string address,string note,string extra,string")
    }

    func testSampleOrdersAsJSONAndJSONLinesGivePythonsFigures() throws {
        for file in ["Fixtures/orders-sample.jsonl", "Fixtures/orders-sample.json"] {
            let run = try clubsh(["--mode", "csv", "-c", "load \"\(file)\" as o",
                                  "-c", "o | agg n = count(), spend = round(sum(amount), 2), customers = count_distinct(customer_id), first = min(date), last = max(date)",
                                  "-c", "o | agg n = count() by channel | sort channel"])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, """
            n,spend,customers,first,last
            600,80037.13,369,2023-01-01,2023-02-04
            channel,n
            app,173
            store,148
            web,279

            """, file)
            let described = try clubsh(["--mode", "csv", "-c", "load \"\(file)\" as o", "-c", "describe o"])
            XCTAssertEqual(columnTypes(described.stdout), "column,type order_id,int customer_id,int date,date amount,double channel,string items,int")
        }
    }

    /// The first two fields of each line of `describe` in CSV: the columns and their types.
    private func columnTypes(_ csv: String) -> String {
        csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(2).joined(separator: ",") }.joined(separator: " ")
    }

    /// A script stops at a bad file with its line and column, and exit code 1.
    func testABadFileStopsTheScriptAtItsLineAndColumn() throws {
        let folder = try ClubshRun.temporaryFolder()
        try "{\"a\": 1}\n{\"a\": 2,}\n".write(to: folder.appendingPathComponent("bad.jsonl"), atomically: true, encoding: .utf8)
        let run = try ClubshRun.run(["-c", #"load "bad.jsonl""#], directory: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "-c#1:1:1: cannot load bad.jsonl:2:9: expected a key in quotes after `,`, found `}`\n")
        let option = try ClubshRun.run(["-c", #"load "bad.jsonl" with header true"#], directory: folder)
        XCTAssertEqual(option.status, 1)
        XCTAssertTrue(option.stderr.contains("`header` is an option for CSV files"), option.stderr)
    }
}

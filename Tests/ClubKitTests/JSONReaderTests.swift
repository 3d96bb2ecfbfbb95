import XCTest
@testable import ClubKit

/// `load` of JSON arrays and JSON Lines: the columns, the inference (CSV's), and one case per
/// bad input with the exact text the user reads.
final class JSONReaderTests: XCTestCase {
    private func read(_ text: String, path: String = "t.jsonl", _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> LoadResult {
        var o = CSVOptions()
        configure(&o)
        return try JSONReader.read(text: text, path: path, options: o)
    }

    private func table(_ text: String, _ configure: (inout CSVOptions) -> Void = { _ in }) throws -> Table {
        try read(text, configure).table
    }

    private func failure(_ text: String, path: String = "t.jsonl", _ configure: (inout CSVOptions) -> Void = { _ in }) -> String? {
        do { _ = try read(text, path: path, configure); return nil } catch { return (error as? LoadError)?.description ?? "\(error)" }
    }

    func testKeysInFirstSeenOrderMissingAndNullAreNull() throws {
        let t = try table(#"{"b":1,"a":"x"}"# + "\n" + #"{"c":true,"a":null}"# + "\n" + #"{"a":"y","d":null}"# + "\n")
        XCTAssertEqual(t.columnNames, ["b", "a", "c", "d"])
        XCTAssertEqual(t.columns.map(\.type), [.int, .string, .bool, .string])
        XCTAssertEqual(t.column("b")?.value(at: 1), .null)
        XCTAssertEqual(t.column("a")?.value(at: 1), .null)
        XCTAssertEqual(t.column("a")?.value(at: 2), .string("y"))
        XCTAssertEqual(t.column("c")?.value(at: 0), .null)
        XCTAssertEqual(t.column("d")?.value(at: 2), .null)
    }

    func testTheInferenceIsCSVs() throws {
        let json = try table("""
        [{"i": 1, "f": 1.5, "b": true, "d": "2024-01-31", "dt": "2024-01-31T09:30", "s": "x", "late": 1, "digits": "123", "mixed": 1},
         {"i": -2, "f": 2, "b": false, "d": "2024-02-01", "dt": "2024-02-01 10:00:05", "s": "y", "late": 1.5e1, "digits": "456", "mixed": "a"}]
        """)
        XCTAssertEqual(json.columns.map(\.type), [.int, .double, .bool, .date, .datetime, .string, .double, .string, .string])
        let csv = try CSVReader.read(text: "i,f,b,d,dt,s,late\n1,1.5,true,2024-01-31,2024-01-31T09:30,x,1\n-2,2,false,2024-02-01,2024-02-01 10:00:05,y,1.5e1\n").table
        for name in csv.columnNames {
            for row in 0..<2 { XCTAssertEqual(json.column(name)?.value(at: row), csv.column(name)?.value(at: row), name) }
        }
        // A number written in a string is text, as DuckDB's read_json has it; a number among strings is kept as written.
        XCTAssertEqual(json.column("digits")?.value(at: 0), .string("123"))
        XCTAssertEqual(json.column("mixed")?.value(at: 0), .string("1"))
        XCTAssertEqual(json.column("late")?.value(at: 1), .double(15))
    }

    func testDateFormatCalendarAndDeclaredTypes() throws {
        let t = try table(#"{"d":"31/01/2024","j":"1402/07/15","n":20240131,"x":"7"}"#, {
            $0.dateFormat = "dd/MM/yyyy"
            $0.types = ["x": .string]
        })
        XCTAssertEqual(t.columns.map(\.type), [.date, .date, .int, .string])
        XCTAssertEqual(t.column("d")?.value(at: 0), .date(Int32(CivilDate.days(year: 2024, month: 1, day: 31))))
        XCTAssertEqual(t.column("j")?.value(at: 0), .date(Int32(CivilDate.days(year: 2023, month: 10, day: 7))))
        let declared = try table(#"{"v":1}"# + "\n" + #"{"v":2.5}"#, { $0.types = ["v": .double] })
        XCTAssertEqual(declared.column("v")?.value(at: 0), .double(1))
    }

    func testEscapesAndSurrogatePairs() throws {
        let t = try table(#"{"s":"a\"b\\c\/d\b\f\n\r\t \u00e9 \ud83d\ude00 \u0041","k\u00e9y":1}"#)
        XCTAssertEqual(t.columnNames, ["s", "kéy"])
        XCTAssertEqual(t.column("s")?.value(at: 0), .string("a\"b\\c/d\u{8}\u{c}\n\r\t é 😀 A"))
    }

    func testNestedValuesAreKeptAsCompactJSONText() throws {
        let r = try read("""
        [
          {"id": 1, "tags": ["a", "b c"], "address": {"city": "Tabriz", "zip": null}},
          {"id": 2, "tags": [], "address": {"city": "Shiraz"}}
        ]
        """, path: "t.json")
        XCTAssertEqual(r.table.column("tags")?.value(at: 0), .string(#"["a","b c"]"#))
        XCTAssertEqual(r.table.column("address")?.value(at: 0), .string(#"{"city":"Tabriz","zip":null}"#))
        XCTAssertEqual(r.table.column("tags")?.value(at: 1), .string("[]"))
        XCTAssertEqual(r.notes, ["columns tags, address: nested objects and arrays kept as JSON text"])
    }

    /// 100,000 nested arrays are read with a stack on the heap: as a value, and as an error.
    func testDeepNestingDoesNotOverflowTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let t = try table(#"{"a":"# + deep + "}")
        if case .string(let s)? = t.column("a")?.value(at: 0) { XCTAssertEqual(s.count, 200_000) } else { XCTFail() }
        XCTAssertEqual(failure(#"{"a":"# + String(repeating: "[", count: 100_000)),
                       "t.jsonl:1:100006: the file ends inside an array: the `[` at 1:100005 is not closed")
        XCTAssertEqual(failure(String(repeating: "[", count: 100_000), path: "t.json"),
                       "t.json:1:2: expected an object (`{…}`) as each element of the array, found `[`")
    }

    /// Integers beyond 64 bits and numbers beyond a double are never wrapped or made infinite.
    func testHugeNumbersStayExact() throws {
        let r = try read(#"{"id":12345678901234567890,"v":1e400}"# + "\n" + #"{"id":1,"v":1.5}"#)
        XCTAssertEqual(r.table.column("id")?.value(at: 0), .string("12345678901234567890"))
        XCTAssertEqual(r.table.column("id")?.value(at: 1), .string("1"))
        XCTAssertEqual(r.table.column("v")?.value(at: 0), .string("1e400"))
        XCTAssertEqual(r.notes, ["column id: integers beyond 64 bits kept as text", "column v: numbers beyond the range of a double kept as text"])
        XCTAssertEqual(try table(#"{"n":-9223372036854775808}"#).column("n")?.value(at: 0), .int(Int64.min))
        XCTAssertEqual(failure(#"{"v":1}"# + "\n" + #"{"v":1e400}"#, { $0.types = ["v": .double] }),
                       "t.jsonl:2:6: `1e400` is not a valid double for column `v` (declared in types)")
    }

    func testBOMEmptyFilesAndEmptyObjects() throws {
        XCTAssertEqual(try table("\u{FEFF}{\"a\":1}\n").columnNames, ["a"])
        XCTAssertEqual(try table("").columnNames, [])
        XCTAssertEqual(try table(" \n ").rowCount, 0)
        XCTAssertEqual(try table("[]").rowCount, 0)
        let t = try table("[{}, {\"a\": 1}, {}]")
        XCTAssertEqual(t.rowCount, 3)
        XCTAssertEqual(t.column("a")?.value(at: 2), .null)
        XCTAssertEqual(try table(#"{"":1,"x":2}"#).columnNames, ["column1", "x"])
    }

    /// One case per bad input, with the exact message (line:column of the problem).
    func testEveryBadInputNamesItsPlace() {
        let cases: [(String, String, String)] = [
            ("t.json", "42", "t.json:1:1: expected an array of objects (`[{…}, …]`) or one object a line (JSON Lines), found a number"),
            ("t.json", "\"x\"", "t.json:1:1: expected an array of objects (`[{…}, …]`) or one object a line (JSON Lines), found a string"),
            ("t.json", "null", "t.json:1:1: expected an array of objects (`[{…}, …]`) or one object a line (JSON Lines), found null"),
            ("t.json", "[1, 2]", "t.json:1:2: expected an object (`{…}`) as each element of the array, found `1`"),
            ("t.json", "[{\"a\":1},\n {\"a\":2}", "t.json:2:9: the file ends inside the array: no closing `]`"),
            ("t.json", "[{\"a\":1},\n{\"a\":2", "t.json:2:7: expected `,` or `}`, but the file ends"),
            ("t.json", "[{\"a\":1},]", "t.json:1:10: expected an object after `,` (JSON allows no comma before `]`)"),
            ("t.json", "[{\"a\":1}] x", "t.json:1:11: text after the array's closing `]`: `x`"),
            ("t.json", "[{\"a\":1} {\"a\":2}]", "t.json:1:10: expected `,` or `]` after an object, found `{`"),
            ("t.jsonl", "{\"a\":1}\n[1]\n", "t.jsonl:2:1: expected an object (`{…}`) on each line, found `[`"),
            ("t.jsonl", "{\"a\":1,\"a\":2}", "t.jsonl:1:8: the key `a` appears twice in this object"),
            ("t.jsonl", "{\"a\":1,\"b\":2}\n{\"b\":1,\"b\":2}", "t.jsonl:2:8: the key `b` appears twice in this object"),
            ("t.jsonl", "{\"a\":1,\"b\":2}\n{\"a\":1,\"a\":2}", "t.jsonl:2:8: the key `a` appears twice in this object"),
            // A record after a shorter one: its extra key is checked, not taken from the longer record before.
            ("t.jsonl", "{\"a\":1,\"b\":2,\"c\":3}\n{\"a\":1,\"c\":2}\n{\"a\":1,\"c\":2,\"c\":3}", "t.jsonl:3:14: the key `c` appears twice in this object"),
            ("t.jsonl", "{\"a\":1,\"b\":2,\"c\":3}\n{\"a\":1,\"c\":2,\"b\":3,\"a\":4}", "t.jsonl:2:20: the key `a` appears twice in this object"),
            ("t.jsonl", "{\"a\":1,}", "t.jsonl:1:8: expected a key in quotes after `,`, found `}`"),
            ("t.jsonl", "{a:1}", "t.jsonl:1:2: expected a key in quotes or `}`, found `a`"),
            ("t.jsonl", "{\"a\" 1}", "t.jsonl:1:6: expected `:` after the key, found `1`"),
            ("t.jsonl", "{\"a\":}", "t.jsonl:1:6: expected a value, found `}`"),
            ("t.jsonl", "{\"a\":NaN}", "t.jsonl:1:6: expected a value, found `NaN`"),
            ("t.jsonl", "{\"a\":Infinity}", "t.jsonl:1:6: expected a value, found `Infinity`"),
            ("t.jsonl", "{\"a\":tru}", "t.jsonl:1:6: expected a value, found `tru`"),
            ("t.jsonl", "{\"a\":01}", "t.jsonl:1:6: a JSON number does not start with 0 (`01…`); write it without the zero, or in quotes as text"),
            ("t.jsonl", "{\"a\":+1}", "t.jsonl:1:6: expected a value, found `+1`"),
            ("t.jsonl", "{\"a\":.5}", "t.jsonl:1:6: expected a value, found `.5`"),
            ("t.jsonl", "{\"a\":1.}", "t.jsonl:1:6: a number needs a digit after its `.`"),
            ("t.jsonl", "{\"a\":1e}", "t.jsonl:1:6: a number needs a digit in its exponent"),
            ("t.jsonl", "{\"a\":-}", "t.jsonl:1:6: `-` must be followed by a digit"),
            ("t.jsonl", "{\"a\":1 2}", "t.jsonl:1:8: expected `,` or `}`, found `2`"),
            ("t.jsonl", "{\"a\":\"x", "t.jsonl:1:6: this string is not closed: the file ends inside it"),
            ("t.jsonl", "{\"a\":\"x\ny\"}", "t.jsonl:1:8: a line break inside a string (JSON writes it \\n); is a closing \" missing?"),
            ("t.jsonl", "{\"a\":\"x\u{1}\"}", "t.jsonl:1:8: control character 0x01 inside a string (JSON writes it \\u0001)"),
            ("t.jsonl", "{\"a\":\"\\q\"}", "t.jsonl:1:7: `\\q` is not a JSON escape (they are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)"),
            ("t.jsonl", "{\"a\":\"\\u12g4\"}", "t.jsonl:1:7: `\\u` takes four hex digits (`\\u00e9`)"),
            ("t.jsonl", "{\"a\":\"\\ud83d x\"}", "t.jsonl:1:7: `\\ud83d` is the first half of a surrogate pair; its second half (`\\udc00`–`\\udfff`) must follow"),
            ("t.jsonl", "{\"a\":\"\\ud83d\\u0041\"}", "t.jsonl:1:7: `\\ud83d` is the first half of a surrogate pair; its second half (`\\udc00`–`\\udfff`) must follow"),
            ("t.jsonl", "{\"a\":\"\\ude00\"}", "t.jsonl:1:7: `\\ude00` is the second half of a surrogate pair, with no first half before it"),
            ("t.jsonl", "{\"a\":[1,]}", "t.jsonl:1:9: expected a value (JSON allows no comma before a closing bracket), found `]`"),
            ("t.jsonl", "{\"a\":[1}", "t.jsonl:1:8: expected `,` or `]`, found `}`"),
            ("t.jsonl", "{\"a\":{\"b\" 1}}", "t.jsonl:1:11: expected `:` after the key, found `1`"),
            ("t.jsonl", "{\"a\":{\"b\":1", "t.jsonl:1:12: the file ends inside an object: the `{` at 1:6 is not closed"),
            ("t.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"a\":", "t.jsonl:3:6: expected a value, but the file ends"),
        ]
        for (path, text, expected) in cases {
            XCTAssertEqual(failure(text, path: path), expected, text)
        }
    }

    /// Bytes that are not UTF-8 are errors at their byte, in a value and in a key; a declared type
    /// that a value breaks too.
    func testInvalidUTF8AndDeclaredTypes() {
        XCTAssertEqual(failure("{\"a\":1}\n{\"a\":\"x\u{FF}\"}".replacingOccurrences(of: "\u{FF}", with: "\u{FFFD}")), nil)
        let bad: [UInt8] = Array("{\"a\":1}\n{\"a\":\"x".utf8) + [0xFF] + Array("\"}".utf8)
        XCTAssertEqual(failureBytes(bad), "t.jsonl:2:8: invalid UTF-8 (byte 0xFF); save the file as UTF-8")
        let badKey: [UInt8] = Array("{\"a".utf8) + [0xC3] + Array("\":1}".utf8)
        XCTAssertEqual(failureBytes(badKey), "t.jsonl:1:4: invalid UTF-8 (byte 0xC3) in a key; save the file as UTF-8")
        let outside: [UInt8] = Array("{\"a\":".utf8) + [0xFF] + Array("}".utf8)
        XCTAssertEqual(failureBytes(outside), "t.jsonl:1:6: expected a value, found byte 0xFF (not UTF-8)")
        XCTAssertEqual(failure(#"{"n":1}"# + "\n" + #"{"n":"x"}"#, { $0.types = ["n": .int] }),
                       "t.jsonl:2:6: `x` is not a valid int for column `n` (declared in types)")
        XCTAssertEqual(failure(#"{"n":1}"#, { $0.types = ["m": .int] }),
                       "t.jsonl: types (…) names a column `m` that the file does not have; its columns are n")
    }

    private func failureBytes(_ bytes: [UInt8]) -> String? {
        do {
            _ = try bytes.withUnsafeBufferPointer { try JSONReader.read(bytes: $0, path: "t.jsonl", options: CSVOptions()) }
            return nil
        } catch { return (error as? LoadError)?.description ?? "\(error)" }
    }

    /// Chunks read in parallel give the table one chunk gives, for JSON Lines and arrays, also
    /// when a cut falls between two objects of a nested array (the chunk is then read again).
    func testChunksAgreeWithOneChunk() throws {
        var lines = "", array = "[\n", nested = "[\n"
        for i in 0..<2000 {
            let obj = #"{"id": \#(i), "name": "n\#(i % 7)", "v": \#(i % 3 == 0 ? "1.5" : "2"), "when": "2024-01-\#(String(format: "%02d", i % 28 + 1))"\#(i == 1500 ? #", "late": "x""# : "")}"#
            lines += obj + "\n"
            array += obj + (i < 1999 ? ",\n" : "\n]")
            nested += #"{"id": \#(i), "items": [{"a": 1},\#n{"a": 2},\#n{"a": 3}]}"# + (i < 1999 ? ",\n" : "\n]")
        }
        for text in [lines, array, nested] {
            let one = try table(text) { $0.chunks = 1 }
            let many = try table(text) { $0.chunks = 7 }
            XCTAssertEqual(one.rowCount, 2000)
            XCTAssertEqual(many.columnNames, one.columnNames)
            XCTAssertEqual(many.columns.map(\.type), one.columns.map(\.type))
            for c in one.columnNames {
                for row in stride(from: 0, to: 2000, by: 37) { XCTAssertEqual(many.column(c)?.value(at: row), one.column(c)?.value(at: row)) }
                XCTAssertEqual(many.column(c)?.value(at: 1500), one.column(c)?.value(at: 1500))
            }
        }
        let t = try table(lines) { $0.chunks = 7 }
        XCTAssertEqual(t.columnNames, ["id", "name", "v", "when", "late"])
        XCTAssertEqual(t.columns.map(\.type), [.int, .string, .double, .date, .string])
        XCTAssertEqual(t.column("late")?.value(at: 1500), .string("x"))
        XCTAssertEqual(t.column("late")?.value(at: 1499), .null)
        // An error in a later chunk names its line in the whole file.
        XCTAssertEqual(failure(lines + "{\"id\": x}\n") { $0.chunks = 7 }, "t.jsonl:2001:8: expected a value, found `x`")
    }

    /// A misfit late in a column narrows that column (to text here), read again from the cells.
    func testALateMisfitNarrowsItsColumn() throws {
        var text = ""
        for i in 0..<3000 { text += #"{"n": \#(i), "d": "2024-01-01"}"# + "\n" }
        text += #"{"n": "many", "d": "soon"}"# + "\n"
        let r = try read(text) { $0.chunks = 3 }
        XCTAssertEqual(r.table.columns.map(\.type), [.string, .string])
        XCTAssertEqual(r.table.column("n")?.value(at: 2999), .string("2999"))
        XCTAssertEqual(r.table.column("d")?.value(at: 3000), .string("soon"))
        XCTAssertEqual(r.attempts, 2)
    }

    /// Strings are scanned eight bytes at a time: a quote, an escape or a control character at
    /// any place of a word is found there.
    func testEverySpecialByteIsFoundWhereverItFalls() throws {
        for k in 0..<20 {
            let pad = String(repeating: "x", count: k)
            XCTAssertEqual(failure("{\"a\":\"\(pad)\u{1}yyyyyyyyyy\"}"), "t.jsonl:1:\(7 + k): control character 0x01 inside a string (JSON writes it \\u0001)")
            let t = try table("{\"\(pad)k\":\"\(pad)\\n\(pad)\\\"z\"}\n{\"\(pad)k\":\"\(pad)\"}")
            XCTAssertEqual(t.columnNames, [pad + "k"])
            XCTAssertEqual(t.column(pad + "k")?.value(at: 0), .string(pad + "\n" + pad + "\"z"))
            XCTAssertEqual(t.column(pad + "k")?.value(at: 1), .string(pad))
        }
    }

    /// The keys of the first records are written while scanning (`JSONPlan`); the others keep
    /// cells. A sample of one record writes nothing while scanning, so it is the oracle: every
    /// table, note, error and attempt count is the same either way, for one chunk or seven,
    /// when later records outgrow the room the first ones set aside, when a key is sparse or
    /// late, when a written column misfits, and when a declared type names a renamed key.
    func testColumnsWrittenWhileScanningAgreeWithCells() throws {
        func record(_ i: Int) -> String {
            var fields = [#""id": \#(i)"#, #""when": "2024-01-\#(String(format: "%02d", i % 28 + 1))""#, #""v": \#(i % 4 == 0 ? "null" : "\(i % 9).5")"#]
            fields.append(i < 1100 ? #""t": "\#(String(repeating: "long", count: 20))""# : #""t": "s\#(i % 3)""#)
            if i % 3 == 0 { fields.append(#""sparse": \#(i)"#) }
            if i == 2500 { fields.append(#""late": {"a": [1, 2]}"#) }
            if i == 2700 { fields[2] = #""v": "many""# }
            if i == 2900 { fields[0] = #""id": 123456789012345678901234567890"# }
            if i % 10 == 0 { fields.reverse() }
            if i == 1234 { return "{}" }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        let records = (0..<3000).map(record)
        let lines = records.joined(separator: "\n") + "\n"
        let array = "[" + records.joined(separator: ",") + "]"
        let names = (0..<1500).map { #"{"a": \#($0), "a_2": "\#($0)", "": \#($0 % 2)}"# }.joined(separator: "\n")
        // After a record with fewer keys, a repeated key is taken (the last value), as it was.
        let repeated = String(repeating: #"{"a": 1, "b": 2, "c": 3}"# + "\n", count: 1100) + #"{"a": 1, "c": 2}"# + "\n" + #"{"a": 1, "c": 2, "c": "x"}"#
            + "\n" + #"{"a":1,"b":2}"# + "\n" + #"{"a": 1, "c": 5, "c": 6}"# + "\n"
        let cases: [(String, (inout CSVOptions) -> Void)] = [
            (lines, { _ in }), (array, { _ in }), (names, { _ in }), (repeated, { _ in }),
            (lines, { $0.types = ["v": .string, "id": .string] }), (names, { $0.types = ["a_3": .double] }),
            (lines + #"{"v": "x\#u{FF}"}"#.replacingOccurrences(of: "\u{FF}", with: "\\u00ff") + "\n", { _ in }),
            (lines, { $0.types = ["v": .double] }), (lines + #"{"when": "never"}"# + "\n", { $0.types = ["when": .date] }),
        ]
        for (n, (text, configure)) in cases.enumerated() {
            for chunks in [1, 7] {
                func outcome(_ sample: Int?) -> String {
                    do {
                        let r = try read(text) { configure(&$0); $0.chunks = chunks; $0.sampleRecords = sample }
                        let t = r.table
                        var out = "\(t.columnNames) \(t.columns.map(\.type)) \(r.notes) \(r.attempts)\n"
                        for row in 0..<t.rowCount { out += t.columns.map { "\($0.value(at: row))" }.joined(separator: "|") + "\n" }
                        return out
                    } catch { return "\(error)" }
                }
                XCTAssertEqual(outcome(nil), outcome(1), "case \(n), \(chunks) chunks")
            }
        }
    }
}

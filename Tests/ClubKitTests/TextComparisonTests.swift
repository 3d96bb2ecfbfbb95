import XCTest
@testable import ClubKit

/// Text compares by its UTF-8 bytes, as DuckDB, PostgreSQL (C collation) and SQLite compare it.
final class TextComparisonTests: XCTestCase {
    // "é" composed (C3 A9) and decomposed ("e" + U+0301: 65 CC 81): equal to Swift, not to SQL.
    let composed = "\u{E9}", decomposed = "e\u{301}"

    func testCanonicallyEquivalentSpellingsStayApart() throws {
        let session = try makeSession(["t": "name,v\n\(composed),1\n\(decomposed),2\n\(composed),3\nabc,4\n"])
        let groups = try session.query("t | agg n = count(), s = sum(v) by name")
        XCTAssertEqual(groups.values("name"), [.string(composed), .string(decomposed), .string("abc")])
        XCTAssertEqual(groups.values("n"), [.int(2), .int(1), .int(1)])
        XCTAssertEqual(groups.values("s"), [.int(4), .int(2), .int(4)])
        // Each row keeps its own bytes.
        XCTAssertEqual(try session.query("t | select name").values("name").map { ValueFormat.plain($0).utf8.count }, [2, 3, 2, 3])
        XCTAssertEqual(try session.query("t | where name == \"\(composed)\" | count").values("count"), [.int(2)])
        XCTAssertEqual(try session.query("t | where name in [\"\(decomposed)\"] | select v").values("v"), [.int(2)])
        XCTAssertEqual(try session.query("t | distinct name | count").values("count"), [.int(3)])
        // Byte order: "abc" (61) < "e" + U+0301 (65) < "é" (C3).
        XCTAssertEqual(try session.query("t | sort name | select v").values("v"), [.int(4), .int(2), .int(1), .int(3)])
        XCTAssertEqual(try session.query("t | where name > \"e\" | count").values("count"), [.int(3)])
    }

    func testEmptyTextIsContainedInEveryText() throws {
        let session = try makeSession(["t": "name\nabc\n\"\"\n"])
        let t = try session.query("t | derive c = contains(name, \"\"), p = starts_with(name, \"\"), b = contains(name, \"bc\"), x = contains(name, \"cb\")")
        XCTAssertEqual(t.values("c"), [.bool(true), .bool(true)])
        XCTAssertEqual(t.values("p"), [.bool(true), .bool(true)])
        XCTAssertEqual(t.values("b"), [.bool(true), .bool(false)])
        XCTAssertEqual(t.values("x"), [.bool(false), .bool(false)])
        // contains looks for bytes: the decomposed é holds a plain "e"; the composed one does not.
        XCTAssertEqual(try Session().query("contains(\"\(decomposed)\", \"e\")").values("value"), [.bool(true)])
        XCTAssertEqual(try Session().query("contains(\"\(composed)\", \"e\")").values("value"), [.bool(false)])
    }

    func testJoinKeysMatchByBytes() throws {
        let session = try makeSession(["a": "k,x\n\(composed),1\n\(decomposed),2\n", "b": "k,y\n\(composed),10\n"])
        XCTAssertEqual(try session.query("a | join b on k == k | select x, y").values("x"), [.int(1)])
    }
}

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

    /// Persian text sorts in the Persian alphabet, not by code point: پ after ب, چ after ج,
    /// ژ after ز, ک and گ after ق, و before ه, ی last; Arabic ك and ي beside ک and ی; a
    /// zero-width non-joiner ignored; Persian digits with the ASCII ones. Equal text stays equal
    /// by bytes only.
    func testPersianTextSortsInThePersianAlphabet() throws {
        // The Persian alphabet order, by hand: اصفهان, اهواز, تبریز, تهران, رشت, شیراز, قم,
        // کرج, کرمان, مشهد (کرج before کرمان: ج before م).
        let cities = ["تهران", "مشهد", "اصفهان", "شیراز", "تبریز", "کرج", "اهواز", "قم", "رشت", "کرمان"]
        let session = try makeSession(["t": "city\n" + cities.joined(separator: "\n") + "\n"])
        XCTAssertEqual(try session.query("t | sort city").strings("city"), ["اصفهان", "اهواز", "تبریز", "تهران", "رشت", "شیراز", "قم", "کرج", "کرمان", "مشهد"])
        XCTAssertEqual(try session.query("t | agg lo = min(city), hi = max(city)").strings("hi"), ["مشهد"])
        // Letter by letter: ب پ ت · ج چ ح · ز ژ س · ق ک گ ل · ن و ه ی.
        let letters = ["ی", "ه", "و", "ن", "ل", "گ", "ک", "ق", "س", "ژ", "ز", "ح", "چ", "ج", "ت", "پ", "ب"]
        XCTAssertEqual(letters.sorted(by: ByteText.less), ["ب", "پ", "ت", "ج", "چ", "ح", "ز", "ژ", "س", "ق", "ک", "گ", "ل", "ن", "و", "ه", "ی"])
        // Arabic kaf and yeh sort with their Persian letters, and stay distinct values.
        XCTAssertTrue(ByteText.less("كتاب", "گل") && ByteText.less("کتاب", "گل"))
        XCTAssertTrue(ByteText.less("کتاب", "كتاب") != ByteText.less("كتاب", "کتاب"), "a strict order between different bytes")
        // A zero-width non-joiner does not move a word: «می‌روم» sorts as «میروم», before «میز».
        XCTAssertTrue(ByteText.less("می\u{200C}روم", "میز"))
        // Digits: ۲ after 1 and before 3; a digit before any letter, Latin text before Persian.
        XCTAssertEqual(["۲", "3", "1", "ب", "b"].sorted(by: ByteText.less), ["1", "۲", "3", "b", "ب"])
        XCTAssertTrue(ByteText.less("۱۰", "۹") && ByteText.less("10", "۹"), "text, not numbers: 1 before 9")
        XCTAssertFalse(ByteText.less("تهران", "تهران"))
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

import XCTest
@testable import ClubKit

final class LexerTests: XCTestCase {
    private func kinds(_ s: String) -> [Token.Kind] { Lexer.tokenize(s).map(\.kind) }

    func testNumbersPercentagesAndUnderscores() {
        XCTAssertEqual(kinds("42 1_000_000 3.5 1e6"), [.int(42), .int(1_000_000), .double(3.5), .double(1e6), .end, .eof])
        XCTAssertEqual(kinds("30%"), [.percent(0.3), .end, .eof])
        // With spaces `%` is the remainder operator.
        XCTAssertEqual(kinds("7 % 2"), [.int(7), .symbol("%"), .int(2), .end, .eof])
    }

    func testPersianAndArabicIndicDigits() {
        XCTAssertEqual(kinds("۱۲۳"), [.int(123), .end, .eof])
        XCTAssertEqual(kinds("١٢٣"), [.int(123), .end, .eof])
        // The Persian thousands separator between digits, and the Persian decimal separator.
        XCTAssertEqual(kinds("۵٬۰۰۰٬۰۰۰"), [.int(5_000_000), .end, .eof])
        XCTAssertEqual(kinds("۱۲٫۵"), [.double(12.5), .end, .eof])
        // A separator not between digits, or not before a group of three, is not part of the number.
        XCTAssertEqual(kinds("۵٬")[0], .int(5))
        XCTAssertEqual(kinds("۱۲٬۰۰")[0], .int(12))
        XCTAssertEqual(kinds("۱۲٬۰۰۰۰")[0], .int(12))
    }

    func testDatesDateTimesAndDurations() {
        // A date literal is lexed as written; the parser reads it in the calendar in force.
        XCTAssertEqual(kinds("2024-01-31"), [.date(DateLiteral(year: 2024, month: 1, day: 31, seconds: nil, text: "2024-01-31")), .end, .eof])
        XCTAssertEqual(kinds("2024-01-31T09:30"), [.date(DateLiteral(year: 2024, month: 1, day: 31, seconds: 9 * 3600 + 30 * 60, text: "2024-01-31T09:30")), .end, .eof])
        // 2024-01-31 is day 19753 since 1970-01-01 (54 years with 13 leap days: 54*365+13 = 19723, plus 30).
        var parser = Parser("2024-01-31; 2024-01-31T09:30")
        XCTAssertEqual(try parser.next()?.kind, .expression(.literal(.date(19753), SourceLocation(line: 1, column: 1, length: 10))))
        let seconds: Int64 = 19753 * 86400 + 9 * 3600 + 30 * 60
        XCTAssertEqual(try parser.next()?.kind, .expression(.literal(.dateTime(seconds), SourceLocation(line: 1, column: 13, length: 16))))
        let expected: [Token.Kind] = [.duration(Duration(days: 30)), .duration(Duration(days: 84)),
                                      .duration(Duration(months: 6)), .duration(Duration(months: 12)), .end, .eof]
        XCTAssertEqual(kinds("30d 12w 6mo 1y"), expected)
    }

    func testInvalidDateAndUnit() {
        guard case .invalid(let m) = kinds("2024-13-01")[0] else { return XCTFail() }
        XCTAssertTrue(m.contains("not a valid date"), m)
        // A day past the month's end is the parser's to refuse, in the calendar in force.
        var parser = Parser("2024-02-30")
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual(($0 as? Diagnostic)?.message, "`2024-02-30` is not a valid date (write YYYY-MM-DD)") }
        guard case .invalid(let u) = kinds("3q")[0] else { return XCTFail() }
        XCTAssertTrue(u.contains("unknown unit `q`"), u)
        // `3x` is a multiplier (`channel_bonus (app 3x)`), not a unit.
        XCTAssertEqual(kinds("3x")[0], .multiplier(3))
    }

    func testUnicodeAndBackQuotedIdentifiers() {
        XCTAssertEqual(kinds("مشتری `order date`"), [.identifier("مشتری", quoted: false), .identifier("order date", quoted: true), .end, .eof])
    }

    func testStringsWithEscapes() {
        XCTAssertEqual(kinds(#""a\"b\\c\nd\te" 'x'"#), [.string("a\"b\\c\nd\te"), .string("x"), .end, .eof])
    }

    func testUnterminatedStringIsAnInvalidTokenAtTheQuote() {
        let t = Lexer.tokenize("x = \"abc")
        guard case .invalid(let m) = t[2].kind else { return XCTFail("\(t)") }
        XCTAssertTrue(m.contains("unterminated string"))
        XCTAssertEqual(t[2].location.column, 5)
    }

    func testCommentsNewlinesAndSemicolonsEndStatements() {
        XCTAssertEqual(kinds("a # note\nb; c"), [.identifier("a", quoted: false), .end, .identifier("b", quoted: false), .end,
                                                .identifier("c", quoted: false), .end, .eof])
    }

    func testPipeContinuesTheStatementEitherSideOfTheNewline() {
        let trailing = kinds("orders |\n  take 5")
        let leading = kinds("orders\n  # a comment line\n  | take 5")
        let expected: [Token.Kind] = [.identifier("orders", quoted: false), .symbol("|"), .identifier("take", quoted: false), .int(5), .end, .eof]
        XCTAssertEqual(trailing, expected)
        XCTAssertEqual(leading, expected)
    }

    func testNewlineInsideBracketsContinues() {
        XCTAssertEqual(kinds("f(1,\n2)").filter { $0 == .end }.count, 1)
    }

    func testOperatorsAndMisusedOnes() {
        let symbols = kinds("a == b != c <= d >= e").compactMap { kind -> String? in
            if case .symbol(let s) = kind { return s } else { return nil }
        }
        XCTAssertEqual(symbols, ["==", "!=", "<=", ">="])
        guard case .invalid(let m) = kinds("a && b")[1] else { return XCTFail() }
        XCTAssertTrue(m.contains("write `and`"))
    }

    func testDotCommandAtStatementStart() {
        XCTAssertEqual(kinds(".mode csv\nx"), [.dotCommand("mode", "csv"), .end, .identifier("x", quoted: false), .end, .eof])
    }

    func testLocationsAreLineAndColumn() {
        let t = Lexer.tokenize("a\n  bb")
        XCTAssertEqual(t[2].location, SourceLocation(line: 2, column: 3, length: 2))
    }
}

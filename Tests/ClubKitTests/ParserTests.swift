import XCTest
@testable import ClubKit

final class ParserTests: XCTestCase {
    /// Parses on a deep stack, as the session does: deep nesting needs more than a test thread has.
    private func parse(_ s: String) throws -> StatementKind {
        var p = Parser(s)
        let statement = try DeepStack.run { () throws(Diagnostic) in try p.next() }
        return try XCTUnwrap(statement).kind
    }

    private func error(_ s: String) -> Diagnostic? {
        do { _ = try Parser.parseAll(s); return nil } catch { return error as? Diagnostic }
    }

    /// At the prompt, `orders` runs as soon as its line ends, so a next line `| agg …` starts a
    /// statement of its own: the error says how to continue a line. (In a script the lexer joins a
    /// line starting with `|` to the statement before.)
    func testALeadingPipeSaysHowToContinueALine() throws {
        let e = try XCTUnwrap(error("| agg n = count()"))
        XCTAssertEqual(e.message, "a statement cannot start with `|`")
        XCTAssertEqual(e.hint, "at the prompt a complete line runs at once: to continue a pipeline on the next line, end the line with `|` (orders |⏎ agg …)")
        XCTAssertEqual(e.location.column, 1)
        XCTAssertNil(error("orders\n| agg n = count()"), "in a script a leading `|` continues the statement before it")
    }

    func testLoadWithOptions() throws {
        let k = try parse(#"load "legacy.txt" as tx with delim whitespace, header false, date_format "yyyyMMdd", names (a, b), types (b: date), lenient"#)
        guard case .load(let path, let alias, let options) = k else { return XCTFail("\(k)") }
        XCTAssertEqual(path, "legacy.txt")
        XCTAssertEqual(alias?.text, "tx")
        XCTAssertEqual(options.map(\.name), ["delim", "header", "date_format", "names", "types", "lenient"])
        XCTAssertEqual(options[3].value, .names(["a", "b"]))
    }

    func testPipelineSteps() throws {
        let k = try parse("orders | where amount > 100 | select customer_id, vat = amount * 9% | sort amount desc, customer_id | top 10 by amount | take 5 | distinct customer_id | count")
        guard case .pipeline(let p) = k else { return XCTFail("\(k)") }
        XCTAssertEqual(p.source.text, "orders")
        XCTAssertEqual(p.steps.count, 7)
        guard case .top(10, let keys) = p.steps[3].step else { return XCTFail() }
        XCTAssertTrue(keys[0].descending, "top sorts descending unless told")
        guard case .sort(let sortKeys) = p.steps[2].step else { return XCTFail() }
        XCTAssertEqual(sortKeys.map(\.descending), [true, false])
    }

    func testAssignmentLetDropExport() throws {
        guard case .assign(let n, _) = try parse("big = orders | where amount > 500") else { return XCTFail() }
        XCTAssertEqual(n.text, "big")
        guard case .letParameter(let p, .literal(.int(1000), _)) = try parse("let threshold = 1000") else { return XCTFail() }
        XCTAssertEqual(p.text, "threshold")
        guard case .drop(let names, cascade: false) = try parse("drop a, b") else { return XCTFail() }
        XCTAssertEqual(names.map(\.text), ["a", "b"])
        guard case .export(_, "out/o.csv", true) = try parse(#"export orders to "out/o.csv" overwrite"#) else { return XCTFail() }
    }

    func testPrecedence() throws {
        // not binds looser than comparison, and looser than not; * before +.
        guard case .expression(let e) = try parse("1 + 2 * 3 > 6 and not x or y") else { return XCTFail() }
        guard case .binary(.or, .binary(.and, .binary(.greater, .binary(.add, _, .binary(.multiply, _, _, _), _), _, _), .unary(.not, _, _), _), _, _) = e else {
            return XCTFail("\(e)")
        }
    }

    func testInBetweenIsNull() throws {
        guard case .pipeline(let p) = try parse(#"t | where c in ["web", "app"] and a between 10 and 99 and x is not null"#),
              case .filter(.chain(.inList(_, let items, false, _), let links)) = p.steps[0].step,
              links.count == 2, case .between(_, _, _, false, _) = links[0].operand, case .isNull(_, true, _) = links[1].operand else {
            return XCTFail()
        }
        XCTAssertEqual(items.count, 2)
        XCTAssertEqual(links.map(\.op), [.and, .and])
    }

    func testLongChainsAreFlat() throws {
        // A chain of one precedence level is one node with a link per operator, whatever its length.
        guard case .expression(.chain(.literal(.int(1), _), let links)) = try parse(Array(repeating: "1", count: 50_000).joined(separator: " + ")) else {
            return XCTFail()
        }
        XCTAssertEqual(links.count, 49_999)
        guard case .expression(.binary(.subtract, _, _, _)) = try parse("3 - 2") else { return XCTFail("one operator stays binary") }
    }

    func testNestingDeeperThanTheLimitIsAParseError() throws {
        let deepest = String(repeating: "(", count: Parser.maxDepth) + "1" + String(repeating: ")", count: Parser.maxDepth)
        XCTAssertNoThrow(try parse(deepest))
        let tooDeep = "(" + deepest + ")"
        XCTAssertThrowsError(try parse(tooDeep)) { error in
            let d = error as! Diagnostic
            XCTAssertEqual(d.message, "the expression nests more than 1,000 levels deep")
            XCTAssertEqual(d.location.column, Parser.maxDepth + 2, "at the bracket that goes one level too deep")
        }
        XCTAssertThrowsError(try parse(String(repeating: "not ", count: 20_000) + "true"))
        XCTAssertThrowsError(try parse(String(repeating: "-", count: 20_000) + "1"))
        XCTAssertThrowsError(try parse(String(repeating: "abs(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)))
    }

    func testSingleEqualsInConditionSuggestsDoubleEquals() {
        let d = error("orders | where amount = 5")
        XCTAssertEqual(d?.location.column, 23)
        XCTAssertEqual(d?.hint, "did you mean `==`?")
    }

    func testUnknownStepSuggestsTheClosest() {
        let d = error("orders | wher amount > 5")
        XCTAssertEqual(d?.message, "unknown step `wher`")
        XCTAssertEqual(d?.hint, "did you mean `where`?")
        XCTAssertEqual(d?.location, SourceLocation(line: 1, column: 10, length: 4))
    }

    func testTopNeedsBy() {
        XCTAssertEqual(error("orders | top 5 amount")?.message, "expected `by` after `top 5`")
    }

    func testLexerErrorIsReportedAtItsStatementOnly() throws {
        var p = Parser("orders | count\nx = \"oops\ny")
        XCTAssertNotNil(try p.next())
        XCTAssertThrowsError(try p.next()) { XCTAssertEqual(($0 as? Diagnostic)?.location.line, 2) }
        p.skipStatement()
        guard case .expression(.name("y", _))? = try p.next()?.kind else { return XCTFail() }
    }

    func testStatementTextIsKept() throws {
        var p = Parser("a | take 1; b")
        XCTAssertEqual(try p.next()?.text, "a | take 1")
        XCTAssertEqual(try p.next()?.text, "b")
    }
}

import XCTest
@testable import ClubKit

final class CheckerTests: XCTestCase {
    private var session: Session!

    override func setUpWithError() throws {
        session = try makeSession(["orders": smallOrders, "customers": smallCustomers])
    }

    func testUnknownColumnSuggestsTheClosest() {
        let d = session.error("orders | where amout > 100")
        XCTAssertEqual(d?.message, "unknown column `amout`")
        XCTAssertEqual(d?.hint, "did you mean `amount`?")
        XCTAssertEqual(d?.location, SourceLocation(line: 1, column: 16, length: 5))
    }

    func testUnknownTableAndFunction() {
        XCTAssertEqual(session.error("ordrs | count")?.hint, "did you mean `orders`?")
        let f = session.error("orders | select x = lowr(channel)")
        XCTAssertEqual(f?.message, "unknown function `lowr`")
        XCTAssertEqual(f?.hint, "did you mean `lower`?")
    }

    func testWhereNeedsACondition() {
        XCTAssertEqual(session.error("orders | where amount + 1")?.message, "`where` needs a true/false condition, but this is a number")
    }

    func testTypeErrors() {
        XCTAssertEqual(session.error("orders | where channel > 5")?.message, "cannot compare text with a number")
        XCTAssertEqual(session.error("orders | select x = channel * 2")?.message, "cannot multiply text and a number")
        XCTAssertEqual(session.error("orders | agg s = sum(channel)")?.message, "`sum` needs numbers, but this is text")
        XCTAssertEqual(session.error("orders | where date > \"soon\"")?.message, "\"soon\" is not a date")
    }

    func testAggregatesBelongInAgg() {
        XCTAssertEqual(session.error("orders | where sum(amount) > 5")?.message, "`sum` is an aggregate; use it inside `agg`")
        let d = session.error("orders | agg x = amount by channel")
        XCTAssertEqual(d?.message, "`amount` is neither a group key nor inside an aggregate")
    }

    func testDuplicateOutputNames() {
        XCTAssertEqual(session.error("orders | select a = amount, a = order_id")?.message, "the column name `a` is used twice")
    }

    func testResultCannotReferToItself() {
        let d = session.error("loop = loop | take 1")
        XCTAssertTrue(d?.message.contains("cannot be defined in terms of itself") ?? false, d?.message ?? "no error")
    }

    func testScalarStatementWithColumnNameIsAnError() {
        XCTAssertEqual(session.error("amount + 1")?.message, "unknown name `amount`")
    }

    func testPercentileFractionMustBeConstant() {
        XCTAssertEqual(session.error("orders | agg p = percentile(amount, 2)")?.message, "the fraction of `percentile` must be a number from 0 to 1")
    }
}

import XCTest
@testable import ClubKit

/// The checker on its own, against a catalog of schemas and no data: binding needs nothing
/// else, and never asks for a table's rows.
final class CheckerStubCatalogTests: XCTestCase {
    /// Schemas, one definition, one parameter, and a table function that records being bound.
    final class StubCatalog: Catalog {
        let schemas: [String: Schema] = [
            "orders": Schema([.init(name: "order_id", type: .int), .init(name: "customer_id", type: .int), .init(name: "amount", type: .double),
                              .init(name: "channel", type: .string), .init(name: "date", type: .date)]),
            "customers": Schema([.init(name: "id", type: .int), .init(name: "city", type: .string)]),
        ]
        var bound: [String] = []
        let asOf: Int32 = 19_904  // 2024-06-30

        func tableSchema(_ name: String) -> Schema? { schemas[name] }
        func resultDefinition(_ name: String) -> Pipeline? {
            guard name == "big" else { return nil }
            var parser = Parser("orders | where amount > threshold")
            guard case .pipeline(let p)? = try? parser.next()?.kind else { return nil }
            return p
        }
        func parameter(_ name: String) -> Value? { name == "threshold" ? .int(100) : nil }
        var knownNames: [String] { ["orders", "customers", "big", "threshold"] }
        func bindAnalytics(_ command: AnalyticsCommand) throws(Diagnostic) -> AnalyticsBinding {
            bound.append(command.text)
            return AnalyticsBinding([("customer_id", .int), ("p_alive", .double)], reads: ["orders"])
        }
        func formula(_ name: String) -> (parameters: [String], body: Expr)? { nil }
        func listingSchema(_ name: String) -> Schema? { nil }
    }

    private func check(_ text: String, _ catalog: StubCatalog) throws -> Plan {
        var parser = Parser(text)
        guard case .pipeline(let p)? = try parser.next()?.kind else { throw CheckerFailed() }
        return try Checker(catalog: catalog).check(p)
    }
    private struct CheckerFailed: Error {}

    func testAPipelineBindsToItsOutputSchema() throws {
        let plan = try check("orders | where amount > 10 | agg n = count(), spend = sum(amount) by channel", StubCatalog())
        XCTAssertEqual(plan.schema.names, ["channel", "n", "spend"])
        XCTAssertEqual(plan.schema.fields.map(\.type), [.string, .int, .double])
        guard case .table("orders") = plan.source else { return XCTFail("\(plan.source)") }
    }

    func testNamedResultsParametersAndJoinsBind() throws {
        let plan = try check("big | left join customers on customer_id == id | select city, amount", StubCatalog())
        XCTAssertEqual(plan.schema.names, ["city", "amount"])
        guard case .result("big", let inner) = plan.source, case .filter(let e) = inner.steps[0] else { return XCTFail("\(plan.source)") }
        // The parameter is bound as its value: amount > 100.
        guard case .binary(.greater, .column(2, .double), .constant(.int(100), _), _) = e else { return XCTFail("\(e)") }
    }

    func testAnAnalyticsCommandIsBoundNotRun() throws {
        let catalog = StubCatalog()
        let plan = try check("bgnbd | where p_alive < 0.3", catalog)
        XCTAssertEqual(catalog.bound, ["bgnbd"])
        guard case .analytics(let command, let schema) = plan.source else { return XCTFail("\(plan.source)") }
        XCTAssertEqual(command.name, "bgnbd")
        XCTAssertEqual(schema.names, ["customer_id", "p_alive"])
    }

    func testErrorsPointAtTheName() {
        XCTAssertThrowsError(try check("orders | where amout > 1", StubCatalog())) { error in
            let d = error as? Diagnostic
            XCTAssertEqual(d?.message, "unknown column `amout`")
            XCTAssertEqual(d?.hint, "did you mean `amount`?")
            XCTAssertEqual([d?.location.line, d?.location.column], [1, 16])
        }
    }
}

import XCTest
@testable import ClubKit

/// Pruning drops the columns a run of pass-through steps never reads and renumbers the steps;
/// no table holds a stand-in column, and the answers do not change.
final class PruningTests: XCTestCase {
    private struct NotAPipeline: Error {}

    private func session() throws -> Session {
        try makeSession([
            "orders": "order_id,customer_id,amount,channel,items\n1,10,50,web,1\n2,11,150,app,2\n3,10,300,web,3\n4,12,20,store,1\n5,11,120,web,2\n",
            "customers": "id,name,city,age\n10,Sara,Tehran,30\n11,Reza,Shiraz,40\n12,Mina,Tehran,50\n",
        ])
    }

    private func plan(_ s: Session, _ text: String) throws -> Plan {
        var parser = Parser(text)
        guard case .pipeline(let p)? = try parser.next()?.kind else { throw NotAPipeline() }
        return try Checker(catalog: s.catalog).check(p)
    }

    func testAFilterCarriesOnlyWhatTheAggregateReads() throws {
        let s = try session()
        var steps = try plan(s, "orders | where amount > 100 | agg n = count() by channel").steps
        let pruned = Pruning.prune(s.catalog.tables["orders"]!, &steps, from: 0)
        // The filter reads amount (3rd), the agg channel (4th): two of five columns, renumbered.
        XCTAssertEqual(pruned.columnNames, ["amount", "channel"])
        XCTAssertEqual(pruned.columns.map(\.count), [5, 5], "every column kept has every row")
        guard case .filter(.binary(_, .column(let read, _), _, _)) = steps[0] else { return XCTFail("\(steps[0])") }
        XCTAssertEqual(read, 0)
        guard case .aggregate(let keys, _, _) = steps[1], case .column(let key, _) = keys[0].expr else { return XCTFail("\(steps[1])") }
        XCTAssertEqual(key, 1)
    }

    func testAJoinPicksOnlyTheRightColumnsStillRead() throws {
        let s = try session()
        let text = "orders | left join customers on customer_id == id | where amount >= 100 | agg spend = sum(amount) by city"
        var steps = try plan(s, text).steps
        let pruned = Pruning.prune(s.catalog.tables["orders"]!, &steps, from: 0)
        XCTAssertEqual(pruned.columnNames, ["customer_id", "amount"])
        guard case .join(_, _, _, _, let rightColumns, let names) = steps[0] else { return XCTFail("\(steps[0])") }
        XCTAssertEqual(rightColumns, [2], "only city of the customers")
        XCTAssertEqual(names, ["customer_id", "amount", "city"])
        // Orders of 100 or more: 150 (Reza, Shiraz), 300 (Sara, Tehran), 120 (Reza, Shiraz).
        let t = try s.query(text + " | sort city")
        XCTAssertEqual(t.strings("city"), ["Shiraz", "Tehran"])
        XCTAssertEqual(t.strings("spend"), ["270", "300"])
    }

    func testPassThroughToTheEndKeepsEveryColumn() throws {
        let s = try session()
        var steps = try plan(s, "orders | where amount > 100 | sort amount desc").steps
        let pruned = Pruning.prune(s.catalog.tables["orders"]!, &steps, from: 0)
        XCTAssertEqual(pruned.columnNames, ["order_id", "customer_id", "amount", "channel", "items"])
        let t = try s.query("orders | where amount > 100 | sort amount desc")
        XCTAssertEqual(t.strings("order_id"), ["3", "2", "5"])
    }
}

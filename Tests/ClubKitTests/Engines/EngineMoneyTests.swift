import Foundation
import XCTest
@testable import ClubKit

/// `SQLMoneyTests`' sums and means of money in a real PostgreSQL and Spark: bit for bit the
/// values clubsh gives (and worked out by hand), where the engines' plain `SUM` is not.
final class EngineMoneyTests: XCTestCase {
    func testSumsOfMoneyInPostgreSQL() throws {
        guard let engine = SQLEngine.postgres() else { throw EngineTestEnvironment.skip("PostgreSQL", variable: "CLUBSH_PG") }
        try SQLMoneyTests.check(engine)
    }

    func testSumsOfMoneyInSpark() throws {
        guard let engine = SQLEngine.spark() else { throw EngineTestEnvironment.skip("Spark", variable: "CLUBSH_SPARK") }
        try SQLMoneyTests.check(engine, lastBits: SQLMoneyTests.lastBitsInSpark)
    }
}

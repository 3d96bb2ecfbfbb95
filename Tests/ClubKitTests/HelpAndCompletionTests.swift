import Foundation
import XCTest
@testable import ClubKit

final class HelpAndCompletionTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A session on the sample data, set up as the help examples assume.
    private func sampleSession() throws -> Session {
        let session = Session()
        let data = Self.repositoryRoot.appendingPathComponent("Samples/data").path
        try session.runAll("""
        load "\(data)/orders.csv"
        load "\(data)/customers.csv" as customers
        load "\(data)/feedback.csv"
        use orders
        segment vip = customers360 where spend >= 1000 and orders >= 5
        segment lapsed = customers360 where days_since(last_order) > 180d
        let threshold = 1000
        """)
        return session
    }

    func testEveryCommandAndFunctionHasAHelpTopic() {
        let names = Set(HelpTopics.all.map(\.name))
        let required = Parser.statementWords + Parser.stepNames.filter { $0 != "left" } + AnalyticsCommand.names
            + ScalarFunction.allCases.map(\.rawValue) + AggregateFunction.allCases.map(\.rawValue) + ["customers360"]
        for name in required {
            XCTAssertTrue(names.contains(name), "no help topic for `\(name)`")
        }
    }

    func testEveryHelpExampleParsesAndRunsOnTheSampleData() throws {
        let session = try sampleSession()
        // The examples name files relative to the repository; they run with the paths made
        // absolute, reading the sample data and writing into a temporary folder.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-help-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        for topic in HelpTopics.all {
            XCTAssertNoThrow(try Parser.parseAll(topic.example), "`.help \(topic.name)` example does not parse: \(topic.example)")
            let example = topic.example
                .replacingOccurrences(of: "\"Samples/", with: "\"\(Self.repositoryRoot.path)/Samples/")
                .replacingOccurrences(of: "\"out/", with: "\"\(out.path)/")
            if let d = session.error(example) {
                XCTFail("`.help \(topic.name)` example fails: \(example): \(d.text)")
            }
        }
    }

    func testCompletionOffersStepsAfterAPipe() throws {
        let session = try sampleSession()
        XCTAssertEqual(session.completions(for: "orders | wh"), ["where"])
        XCTAssertTrue(session.completions(for: "orders | ").contains("agg"))
    }

    func testCompletionOffersTheColumnsFlowingIntoTheStep() throws {
        let session = try sampleSession()
        XCTAssertEqual(session.completions(for: "orders | where amo"), ["amount"])
        // After an agg, only its output columns flow on.
        let after = session.completions(for: "orders | agg n = count(), spend = sum(amount) by customer_id | sort sp")
        XCTAssertEqual(after, ["spend"])
        XCTAssertTrue(session.completions(for: "segment big = customers360 where sp").contains("spend"))
    }

    func testCompletionOffersNamesFunctionsAndFiles() throws {
        let session = try sampleSession()
        XCTAssertTrue(session.completions(for: "cust").contains("customers360"))
        XCTAssertTrue(session.completions(for: "orders | select x = days_").contains("days_since"))
        XCTAssertTrue(session.completions(for: "let y = thr").contains("threshold"))
        let root = Self.repositoryRoot.path
        XCTAssertEqual(session.completions(for: "load \"\(root)/Samples/da"), ["\(root)/Samples/data/"])
        XCTAssertEqual(session.completions(for: "load \"\(root)/Samples/data/ord"), ["\(root)/Samples/data/orders.csv"])
    }
}

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
        load "\(data)/contacts.csv"
        use orders
        segment vip = customers360 where spend >= 1000 and orders >= 5
        segment lapsed = customers360 where days_since(last_order) > 180d
        let threshold = 1000
        program club = earn 1 per 10, first_bonus 50, referral_bonus 100, expire 365d, point_value 0.01, tiers (silver 500, gold 2000) over 365d, redeem 40%
        campaign spring = contacts window 30d margin 30%
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
            // `attach` and `detach` need a running engine: EngineTests run them.
            if topic.name == "attach" || topic.name == "detach" { continue }
            let example = topic.example
                .replacingOccurrences(of: "\"Samples/", with: "\"\(Self.repositoryRoot.path)/Samples/")
                .replacingOccurrences(of: "\"out/", with: "\"\(out.path)/")
            if let d = session.error(example) {
                XCTFail("`.help \(topic.name)` example fails: \(example): \(d.text)")
            }
        }
    }

    /// Binding an analytics command reads schemas only: completing after `bgnbd | where p_`
    /// offers its columns without fitting the model, and checking `tables` computes nothing.
    func testCompletionAfterAnAnalyticsCommandBindsWithoutRunningIt() throws {
        let session = try sampleSession()
        XCTAssertEqual(Completer(session).completions(for: "bgnbd | where p_"), ["p_alive"])
        XCTAssertEqual(Completer(session).completions(for: "clv model | sort expected_p"), ["expected_purchases"])
        XCTAssertEqual(Completer(session).completions(for: "cohort monthly | select m1"), ["m1", "m10", "m11", "m12", "m13", "m14", "m15", "m16", "m17"])
        XCTAssertTrue(session.catalog.fits.isEmpty, "a model was fitted while completing")
        XCTAssertTrue(session.catalog.analyticsCache.isEmpty, "an analytics command ran while completing")
        let before = session.catalog.computations
        let listing = try Checker(catalog: session.catalog).check(Pipeline(source: Name(text: "tables", location: SourceLocation(line: 1, column: 1)), steps: []))
        XCTAssertEqual(listing.schema.names, ["name", "kind", "rows", "columns", "bytes"])
        XCTAssertEqual(session.catalog.computations, before, "checking `tables` computed a named result")
        // What binding promised is what running gives.
        for command in ["rfm", "types", "types | members", "retention start 100 remaining 90", "retention start 100 end 90 new 5",
                        "retention from 2024-04-01 to 2024-06-30", "retention by month", "churn start 100 lost 10", "churn retention 90%",
                        "churn from 2024-04-01 to 2024-06-30", "churn by month", "cohort monthly", "cohort monthly counts", "pareto", "kpi", "kpi by month", "kpi by quarter",
                        "clv", "clv model", "clv aov 50 frequency 4 churn 20%", "nps feedback.nps", "nps promoters 5 passives 3 detractors 2", "csat",
                        "csat satisfied 8 total 10", "repeat", "repeat customers 1 of 4", "acquisition cost 5 retention 1", "acquisition cost 5 retention 1 customers 3", "bgnbd", "bgnbd params", "mbgnbd", "mbgnbd params", "gammagamma", "gammagamma params", "value by city",
                        "value by segments vip, lapsed"] {
            var parser = Parser(command)
            guard case .pipeline(let pipeline)? = try parser.next()?.kind else { return XCTFail("`\(command)` is not a pipeline") }
            let plan = try Checker(catalog: session.catalog).check(pipeline)
            XCTAssertEqual(try session.query(command).schema, plan.schema, command)
        }
    }

    func testCompletionOffersStepsAfterAPipe() throws {
        let session = try sampleSession()
        XCTAssertEqual(Completer(session).completions(for: "orders | wh"), ["where"])
        XCTAssertTrue(Completer(session).completions(for: "orders | ").contains("agg"))
    }

    func testCompletionOffersTheColumnsFlowingIntoTheStep() throws {
        let session = try sampleSession()
        XCTAssertEqual(Completer(session).completions(for: "orders | where amo"), ["amount"])
        // After an agg, only its output columns flow on.
        let after = Completer(session).completions(for: "orders | agg n = count(), spend = sum(amount) by customer_id | sort sp")
        XCTAssertEqual(after, ["spend"])
        XCTAssertTrue(Completer(session).completions(for: "segment big = customers360 where sp").contains("spend"))
    }

    /// Tab-Tab after `where ` lists the columns, not sixty functions and keywords; a candidate
    /// that is a prefix of another is listed with it; after a statement word or an analytics
    /// command, what may follow it.
    func testCompletionFollowsTheContext() throws {
        let session = try sampleSession()
        let c = Completer(session)
        XCTAssertEqual(c.completions(for: "orders | where "), ["amount", "category", "channel", "customer_id", "date", "items", "order_id", "product", "threshold"])
        XCTAssertEqual(c.completions(for: "orders | agg n = count() by "), ["amount", "category", "channel", "customer_id", "date", "items", "order_id", "product", "threshold"])
        XCTAssertEqual(c.completions(for: "customers360 | where days_since"), ["days_since", "days_since_last"])
        XCTAssertEqual(c.completions(for: "segment"), ["segment", "segments"])
        XCTAssertEqual(c.completions(for: "use or"), ["orders"])
        XCTAssertEqual(c.completions(for: "retention "), ["by", "end", "from", "month", "new", "remaining", "start", "to"])
        XCTAssertEqual(c.completions(for: "retention start 100 re"), ["remaining"])
        XCTAssertEqual(c.completions(for: "bgnbd "), ["days", "horizon", "params", "unit", "weeks"])
        // `members` follows a `|`, not the options.
        XCTAssertEqual(c.completions(for: "types with "), ["feedback_days", "inactive_days", "loyal_days", "loyal_gap", "loyal_orders", "new_days"])
        XCTAssertEqual(c.completions(for: "lifecycle "), ["feedback_days", "from", "inactive_days", "loyal_days", "loyal_gap", "loyal_orders", "new_days", "to", "with"])
    }

    func testCompletionOffersNamesFunctionsAndFiles() throws {
        let session = try sampleSession()
        XCTAssertTrue(Completer(session).completions(for: "cust").contains("customers360"))
        XCTAssertTrue(Completer(session).completions(for: "orders | select x = days_").contains("days_since"))
        XCTAssertTrue(Completer(session).completions(for: "let y = thr").contains("threshold"))
        let root = Self.repositoryRoot.path
        XCTAssertEqual(Completer(session).completions(for: "load \"\(root)/Samples/da"), ["\(root)/Samples/data/"])
        XCTAssertEqual(Completer(session).completions(for: "load \"\(root)/Samples/data/ord"), ["\(root)/Samples/data/orders.csv"])
        // After `.cd`, a relative path is completed from the session's folder.
        session.directory = root + "/Samples"
        XCTAssertEqual(Completer(session).completions(for: "load \"da"), ["data/"])
        XCTAssertEqual(Completer(session).completions(for: "load \"data/ord"), ["data/orders.csv"])
    }
}

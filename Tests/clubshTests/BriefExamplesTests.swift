import Foundation
import XCTest

/// The brief's examples, as written, on the bundled sample data.
final class BriefExamplesTests: XCTestCase {
    private func run(_ script: String, mode: String = "csv") throws -> ClubshRun {
        try ClubshRun.run(["--mode", mode], stdin: script)
    }

    static let setup = """
    load "Samples/data/orders.csv"
    load "Samples/data/customers.csv" as customers
    load "Samples/data/feedback.csv"
    use orders (customer = customer_id, date = date, amount = amount)
    use orders as_of 2024-06-30

    """

    func testSegmentsSectionAndTheParameterChange() throws {
        let script = Self.setup + """
        let vip_spend = 1000
        segment vip = customers360 where spend >= vip_spend and orders >= 5
        segment lapsed = customers360 where days_since(last_order) > 180d
        segment tehran_vip = vip where city == "Tehran"
        segments
        vip | top 5 by spend
        profile vip
        compare vip, lapsed
        overlap vip, lapsed
        vip | count
        let vip_spend = 500
        segments
        profile vip
        vip | count
        """
        let r = try run(script)
        XCTAssertEqual(r.status, 0, r.stderr)
        let counts = r.stdout.components(separatedBy: "count\n").dropFirst().map { $0.split(separator: "\n")[0] }
        XCTAssertEqual(counts.count, 2)
        XCTAssertNotEqual(counts[0], counts[1], "vip | count follows the parameter")
        XCTAssertLessThan(Int(counts[0])!, Int(counts[1])!, "a lower threshold admits more customers")
        let listings = r.stdout.components(separatedBy: "name,base,members,share_of_base,definition\n").dropFirst().map { $0.split(separator: "\n")[0] }
        XCTAssertEqual(listings.count, 2)
        XCTAssertNotEqual(listings[0], listings[1], "segments follows the parameter")
        let profiles = r.stdout.components(separatedBy: "measure,vip,customers360,index\nmembers,").dropFirst().map { $0.split(separator: ",")[0] }
        XCTAssertEqual(profiles.map(String.init), counts.map(String.init), "profile vip follows the parameter")
    }

    func testAnalyticsSection() throws {
        let script = Self.setup + """
        use cal (customer = cust, date = day, amount = value) as_of 1997-09-30
        """
        let missing = try run(script)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("unknown table `cal`"), missing.stderr)

        let examples = Self.setup + """
        customers360 | count
        rfm | where r == 5 | count
        rfm bins 5 | count
        types | count
        types with new_days 30, inactive_days 180, loyal_orders 5 | count
        types | members | count
        retention start 100 remaining 90
        retention start 200 end 180 new 30
        churn start 100 lost 10
        churn retention 90%
        retention from 2024-04-01 to 2024-06-30 | select start, retained, lost
        retention by month | count
        cohort monthly | count
        cohort monthly counts | count
        pareto | count
        kpi | count
        clv margin 30% years 3 | select margin, lifetime_years
        nps feedback.nps | select responses
        csat feedback.rating | select responses
        formula crr(S, E, N) = (E - N) / S * 100
        crr(200, 180, 30)
        formulas | select name
        segment at_risk = rfm where segment == "At Risk"
        value by city | count
        """
        let r = try run(examples)
        XCTAssertEqual(r.status, 0, r.stderr)
        // The textbook figures and their working are pinned in Golden/retention.club and
        // Golden/names.club (crr); here every example of the brief runs on the sample data.
        XCTAssertTrue(r.stdout.contains("margin,lifetime_years\n0.3,"), r.stdout)
        // The working goes to stderr outside table mode; stdout holds only tables.
        XCTAssertTrue(r.stderr.contains("CRR = ((end − new) / start) × 100 = ((180 − 30) / 200) × 100 = 75.0%"), r.stderr)
        XCTAssertFalse(r.stdout.contains("×"))
    }
}

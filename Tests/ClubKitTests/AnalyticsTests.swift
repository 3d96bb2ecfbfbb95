import XCTest
@testable import ClubKit

/// The brief's §6 definitions on a table small enough to work out by hand.
///
///     customer  transactions (day: amount)                          first   last    n  spend
///     A         01-10: 100, 02-15: 50, 03-20: 30                     01-10   03-20   3  180
///     B         01-05: 200, 03-02: 20                                01-05   03-02   2  220
///     C         02-10: 80                                            02-10   02-10   1   80
///     D         03-25: 10, 03-25: 40                                 03-25   03-25   2   50
///     E         01-20: 60                                            01-20   01-20   1   60
///
/// All in 2024, as of 2024-03-31. Revenue 590 over 9 transactions. The customers table adds F,
/// who never bought; feedback: C nps 3 (complaint), E 9, A 10, B 7, D 6.
final class AnalyticsTests: XCTestCase {
    private var session: Session!

    static let tx = """
    c,day,value
    A,2024-01-10,100
    A,2024-02-15,50
    A,2024-03-20,30
    B,2024-01-05,200
    B,2024-03-02,20
    C,2024-02-10,80
    D,2024-03-25,10
    D,2024-03-25,40
    E,2024-01-20,60
    """
    static let customers = "id,name\nA,Ali\nB,Sara\nC,Reza\nD,Mina\nE,Omid\nF,Neda\n"
    static let feedback = """
    c,date,nps,rating,complaint
    C,2024-03-15,3,2,late delivery
    E,2024-03-01,9,5,
    A,2024-03-21,10,5,
    B,2024-01-10,7,4,
    D,2024-03-26,6,3,
    """

    override func setUpWithError() throws {
        session = try makeSession(["tx": Self.tx, "customers": Self.customers, "feedback": Self.feedback])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
    }

    private func result(_ statement: String) throws -> (work: [String], table: Table) {
        var work: [String] = []
        for output in try session.runAll(statement) {
            if case .caption(let c) = output { work.append(c) }
            if case .table(let t) = output { return (work, t) }
        }
        throw Diagnostic("no table", at: SourceLocation(line: 1, column: 1))
    }

    func testRetentionFromNumbersShowsTheWork() throws {
        // Seed 003: retention = remaining / start × 100 = 90 / 100 × 100 = 90; lost 10, churn 10.
        let r = try result("retention start 100 remaining 90")
        XCTAssertEqual(r.work, ["retention = (remaining / start) × 100 = (90 / 100) × 100 = 90.0%",
                                "churn = (lost / start) × 100 = (10 / 100) × 100 = 10.0% = 100% − retention"])
        XCTAssertEqual(r.table.strings("retention"), ["90"])
        XCTAssertEqual(r.table.strings("lost"), ["10"])
        XCTAssertEqual(r.table.strings("churn"), ["10"])
        let crr = try result("retention start 200 end 180 new 30")
        XCTAssertEqual(crr.work.first, "CRR = ((end − new) / start) × 100 = ((180 − 30) / 200) × 100 = 75.0%")
        XCTAssertEqual(crr.table.strings("crr"), ["75"])
    }

    func testChurnForms() throws {
        XCTAssertEqual(try result("churn start 100 lost 10").work, ["churn = (lost / start) × 100 = (10 / 100) × 100 = 10.0%"])
        XCTAssertEqual(try result("churn retention 90%").table.strings("churn"), ["10"])
        // From data: the March period below has retention 50%, so churn 50%.
        XCTAssertEqual(try result("churn from 2024-03-01 to 2024-03-31").table.strings("churn"), ["50"])
    }

    func testAStartOfZeroSaysWhyThereIsNoRate() {
        XCTAssertEqual(session.error("retention start 0 remaining 5")?.message, "start is 0: with no customers at the start of the period there is no retention rate")
        let d = session.error("retention from 2024-01-01 to 2024-01-31")
        XCTAssertTrue(d?.message.hasPrefix("no customers were active in the base period 2023-12-01 … 2023-12-31") ?? false, d?.message ?? "")
    }

    func testRetentionOverAPeriodFromData() throws {
        // March has L = 31 days, so the base period is 2024-01-30 … 2024-02-29: A and C were active (S = 2).
        // Of them only A bought in March (R = 1, lost 1). Active in March: A, B, D (E = 3); first ever in March: D (N = 1).
        // B bought before the base period and again in March: reactivated 1, so E = 1 + 1 + 1.
        // retention = 1 / 2 = 50%, churn 50%, CRR = (3 − 1) / 2 = 100%.
        let r = try result("retention from 2024-03-01 to 2024-03-31")
        let t = r.table
        XCTAssertEqual([t.strings("base_from")[0], t.strings("base_to")[0]], ["2024-01-30", "2024-02-29"])
        XCTAssertEqual(["start", "retained", "lost", "end", "new", "reactivated", "retention", "churn", "crr"].map { t.strings($0)[0] },
                       ["2", "1", "1", "3", "1", "1", "50", "50", "100"])
        XCTAssertEqual(r.work[1], "retention = (retained / start) × 100 = (1 / 2) × 100 = 50.0% — seed 003's remaining / start")
        XCTAssertEqual(r.work[3], "end = retained + new + reactivated = 1 + 1 + 1 = 3 (reactivated: back after a gap)")
        XCTAssertTrue(r.work[4].hasPrefix("CRR = ((end − new) / start) × 100 = ((3 − 1) / 2) × 100 = 100.0%"), r.work[4])
    }

    func testRetentionByMonth() throws {
        // February against January: S = {A, B, E} = 3, retained {A} = 1, E = {A, C} = 2, N = {C} = 1.
        // March against February: S = {A, C} = 2, retained 1, E = 3, N = 1.
        let t = try result("retention by month").table
        XCTAssertEqual(t.strings("month"), ["2024-02-01", "2024-03-01"])
        XCTAssertEqual(t.strings("start"), ["3", "2"])
        XCTAssertEqual(t.strings("retained"), ["1", "1"])
        XCTAssertEqual(t.strings("end"), ["2", "3"])
        XCTAssertEqual(t.strings("new"), ["1", "1"])
        XCTAssertEqual(t.values("retention")[0].doubleValue!, 100.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(t.values("crr")[1], .double(100))
    }

    func testCohorts() throws {
        // January cohort {A, B, E}: January all 3, February A, March A and B → 100, 33.3, 66.7.
        // February cohort {C}: 100, then 0 in March; March cohort {D}: 100.
        let pct = try result("cohort monthly").table
        XCTAssertEqual(pct.strings("cohort"), ["2024-01-01", "2024-02-01", "2024-03-01"])
        XCTAssertEqual(pct.strings("customers"), ["3", "1", "1"])
        XCTAssertEqual(pct.strings("m0"), ["100", "100", "100"])
        XCTAssertEqual(pct.strings("m1"), ["33.3", "0", "null"])
        XCTAssertEqual(pct.strings("m2"), ["66.7", "null", "null"])
        let counts = try result("cohort monthly counts").table
        XCTAssertEqual(counts.strings("m1"), ["1", "0", "null"])
        XCTAssertEqual(counts.strings("m2"), ["2", "null", "null"])
    }

    func testRFMScoresWithTies() throws {
        // recency (days to 03-31): A 11, B 29, C 50, D 6, E 71 → R from worst: E1 C2 B3 A4 D5.
        // frequency: C 1, E 1 (tie, C first by customer), B 2, D 2 (B first), A 3 → C1 E2 B3 D4 A5.
        // monetary: D 50, E 60, C 80, A 180, B 220 → D1 E2 C3 A4 B5.
        let t = try result("rfm").table
        XCTAssertEqual(t.strings("c"), ["A", "B", "C", "D", "E"])
        XCTAssertEqual(t.strings("recency"), ["11", "29", "50", "6", "71"])
        XCTAssertEqual(t.strings("frequency"), ["3", "2", "1", "2", "1"])
        XCTAssertEqual(t.strings("rfm"), ["454", "335", "213", "541", "122"])
        XCTAssertEqual(t.strings("segment"), ["Frequent Buyers", "Need Attention", "Hibernating", "Champions", "Hibernating"])
        XCTAssertEqual(try result("rfm | where r == 5").table.strings("c"), ["D"])
    }

    func testTypesPrecedence() throws {
        // F never bought and the customers table has no `joined` or `member` column → potential.
        // D's NPS of 6 on 03-26 is a negative answer within 90 days: dissatisfied comes before new
        // (first purchase 6 days old), and `applies` shows both. C complained → dissatisfied.
        // A: 3 purchases (loyal_orders 3), gaps 36, 33 and 11 days to the as-of date, all ≤ 90,
        // latest feedback NPS 10 / rating 5 → loyal. B (2 purchases) and E → regular.
        let members = try result("types with loyal_orders 3 | members").table
        XCTAssertEqual(members.strings("c"), ["A", "B", "C", "D", "E", "F"])
        XCTAssertEqual(members.strings("type"), ["loyal", "regular", "dissatisfied", "dissatisfied", "regular", "potential"])
        XCTAssertEqual(members.strings("applies")[3], "dissatisfied, new")
        XCTAssertEqual(members.strings("evidence")[2], "complaint \"late delivery\", rating 2, NPS 3 on 2024-03-15")
        XCTAssertEqual(members.strings("evidence")[3], "NPS 6 on 2024-03-26")
        XCTAssertEqual(members.strings("evidence")[0], "3 purchases, longest gap 36 days in the last 365, latest feedback positive")
        let summary = try result("types with loyal_orders 3").table
        XCTAssertEqual(summary.strings("type"), ["new", "loyal", "potential", "dissatisfied", "inactive", "lead", "member_no_purchase", "regular"])
        XCTAssertEqual(summary.strings("customers"), ["0", "1", "1", "2", "0", "0", "0", "2"])
        // regular revenue 220 + 60 = 280 of 590 = 47.4576…%
        XCTAssertEqual(summary.values("revenue_share")[7].doubleValue!, 280.0 / 590 * 100, accuracy: 1e-9)
        // Seed 000's treatment of new customers, complete: invite to the club, regular contact, offers, follow-up.
        XCTAssertTrue(summary.strings("playbook")[0].hasPrefix("Invite them to join the club; keep in regular touch (SMS, e-mail"), summary.strings("playbook")[0])
        XCTAssertTrue(summary.strings("playbook")[3].contains("follow up"), summary.strings("playbook")[3])
        XCTAssertTrue(summary.strings("playbook")[4].contains("find out why"), summary.strings("playbook")[4])
        // With loyal at 5 orders (the default) A is regular; with inactive_days 60, E (71 days) is inactive,
        // while C (50 days, and dissatisfied first anyway) is not.
        let short = try result("types with inactive_days 60 | members").table
        XCTAssertEqual(short.strings("type"), ["regular", "regular", "dissatisfied", "dissatisfied", "inactive", "potential"])
    }

    /// Typed numbers that overflow a figure are refused, never shown as inf; a count written
    /// with `%` is refused, never read as a hundredth of itself.
    func testTypedFormsNeverGiveInfinityOrMisreadAPercentSign() {
        XCTAssertEqual(session.error("retention start 0.001 end 1e308 new 0")?.message, "`crr` would be too large to be a finite number with these numbers")
        XCTAssertEqual(session.error("acquisition cost 1e308 retention 1e-308")?.message, "`ratio` would be too large to be a finite number with these numbers")
        XCTAssertEqual(session.error("clv aov 1e308 frequency 1e308 years 1")?.message, "`clv` would be too large to be a finite number with these numbers")
        XCTAssertEqual(session.error("retention start 100 remaining 80%")?.message, "`remaining` takes a number, not a percentage (80%)")
        XCTAssertEqual(session.error("churn start 100 lost 20%")?.message, "`lost` takes a number, not a percentage (20%)")
        XCTAssertEqual(session.error("clv aov 100 frequency 4 years 3%")?.message, "`years` takes a number, not a percentage (3%)")
    }

    /// A feedback table `types` cannot use is named in the working, and 0/1 or yes/no complaint
    /// columns read as yes and no: C's complaint is 1 (yes), D's is 0 and "no" (none).
    func testFeedbackOfOtherShapes() throws {
        func types(_ feedback: String) throws -> (work: [String], table: Table) {
            session = try makeSession(["tx": Self.tx, "customers": Self.customers, "feedback": feedback])
            try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
            return try result("types with loyal_orders 3 | members")
        }
        let numbered = try types("c,date,nps,rating,complaint\nC,2024-03-15,8,4,1\nD,2024-03-26,8,4,0\n")
        XCTAssertEqual(numbered.table.strings("type"), ["loyal", "regular", "dissatisfied", "new", "regular", "potential"])
        // A complaint marked 1 has no text to quote.
        XCTAssertEqual(numbered.table.strings("evidence")[2], "a complaint on 2024-03-15")
        let words = try types("c,date,nps,rating,complaint\nC,2024-03-15,8,4,yes\nD,2024-03-26,8,4,no\n")
        XCTAssertEqual(words.table.strings("type"), ["loyal", "regular", "dissatisfied", "new", "regular", "potential"])
        let textDates = try types("c,date,nps,rating,complaint\nC,15/03/2024,3,2,late\n")
        XCTAssertTrue(textDates.work.contains { $0.hasPrefix("the feedback table's `date` column holds string, not dates") }, "\(textDates.work)")
        let otherKey = try types("client,date,nps\nC,2024-03-15,3\n")
        XCTAssertTrue(otherKey.work.contains("the feedback table has no customer column matching `c` (looked for c, customer_id, customer, id), so no one is counted dissatisfied from it"), "\(otherKey.work)")
        let undated = try types("c,nps\nC,3\n")
        XCTAssertTrue(undated.work.contains("the feedback table has no `date` column: every answer counts as current"), "\(undated.work)")
        XCTAssertEqual(undated.table.strings("evidence")[2], "NPS 3")
    }

    /// `.lang fa` gives the playbooks in Persian; switching back is not served from the cache.
    func testPlaybooksInPersian() throws {
        XCTAssertTrue(try result("types").table.strings("playbook")[0].hasPrefix("Invite them to join the club"))
        session.language = .persian
        let persian = try result("types").table.strings("playbook")
        XCTAssertTrue(persian[0].hasPrefix("دعوتشان کنید عضو باشگاه مشتریان شوند"), persian[0])
        XCTAssertTrue(persian[4].contains("بفهمید چرا دیگر خرید نمی\u{200C}کنند"), persian[4])
        session.language = .english
        XCTAssertTrue(try result("types").table.strings("playbook")[0].hasPrefix("Invite them to join the club"))
    }

    /// Loyal needs regular buying (no long gap) and a positive latest answer; members who
    /// never bought are their own group; a missing table is named, never a silent 0.
    func testLoyalRegularityMembershipAndMissingTables() throws {
        // A's longest gap is 36 days (01-10 → 02-15): loyal_gap 35 makes A regular, 36 keeps A loyal.
        XCTAssertEqual(try result("types with loyal_orders 3, loyal_gap 35 | members").table.strings("type")[0], "regular")
        XCTAssertEqual(try result("types with loyal_orders 3, loyal_gap 36 | members").table.strings("type")[0], "loyal")
        // B (2 purchases, loyal_orders 2): gaps 57 days (01-05 → 03-02) and 29 to the as-of date, but
        // B's latest answer is NPS 7 / rating 4, a passive: not positive, so B stays regular.
        XCTAssertEqual(try result("types with loyal_orders 2 | members").table.strings("type")[1], "regular")
        // With a `joined` column, F (joined, never bought) is a member, not potential.
        let members = "id,name,joined\nA,Ali,2023-12-01\nB,Sara,2023-12-01\nC,Reza,\nD,Mina,\nE,Omid,\nF,Neda,2024-02-01\n"
        session = try makeSession(["tx": Self.tx, "customers": members, "feedback": Self.feedback])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        let t = try result("types | members").table
        XCTAssertEqual(t.strings("type")[5], "member_no_purchase")
        XCTAssertEqual(t.strings("evidence")[5], "a member (joined 2024-02-01) who never bought")
        // Without the tables, the working says what cannot be counted.
        session = try makeSession(["tx": Self.tx])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        let bare = try result("types")
        XCTAssertTrue(bare.work.contains("no `customers` table is loaded, so no one who never bought is counted (lead, potential, member_no_purchase)"), "\(bare.work)")
        XCTAssertTrue(bare.work.contains("no `feedback` table is loaded, so no one is counted dissatisfied, and loyal goes by purchases alone"), "\(bare.work)")
    }

    /// Seed 001's stages before a purchase (lead → potential), members who never bought, and
    /// `lifecycle` between two as-of dates, each seeing only what had happened by then.
    func testLeadPotentialMemberStagesAndLifecycle() throws {
        // D was first seen 03-01; F is known (01-05) but not contacted; G was contacted 02-20;
        // H contacted 01-10 and joined 03-05; I was first seen after the as-of date.
        let people = """
        id,name,first_seen,contacted,joined
        A,Ali,,,
        B,Sara,,,
        C,Reza,,,
        D,Mina,2024-03-01,,
        E,Omid,,,
        F,Neda,2024-01-05,,
        G,Kian,2024-01-02,2024-02-20,
        H,Leila,2024-01-03,2024-01-10,2024-03-05
        I,Arash,2024-04-10,2024-04-12,
        """
        session = try makeSession(["tx": Self.tx, "customers": people, "feedback": Self.feedback])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        let now = try result("types with loyal_orders 3 | members")
        XCTAssertEqual(now.table.strings("c"), ["A", "B", "C", "D", "E", "F", "G", "H"])
        XCTAssertEqual(now.table.strings("type"), ["loyal", "regular", "dissatisfied", "dissatisfied", "regular", "lead", "potential", "member_no_purchase"])
        XCTAssertEqual(Array(now.table.strings("evidence")[5...7]), ["known since 2024-01-05, not contacted yet, never bought",
                                                                      "contacted 2024-02-20, never bought, not a member",
                                                                      "a member (joined 2024-03-05) who never bought"])
        XCTAssertTrue(now.work.contains("left out: 1 in customers first seen after 2024-03-31"), "\(now.work)")
        // As of 2024-02-01 (orders and feedback up to that day only): A (first bought 01-10),
        // B (01-05) and E (01-20) are new; C, with no dates and no order yet, is a lead; D is not
        // known yet; F and G (contacted later) are leads; H, contacted but not yet joined, is
        // potential. By 03-31: D dissatisfied; A loyal; B and E regular; G potential; C
        // dissatisfied; F still a lead; H a member. Rows follow the type order, `from` first.
        let moves = try result("lifecycle from 2024-02-01 to 2024-03-31 with loyal_orders 3")
        XCTAssertEqual(moves.table.strings("from_type"), ["(not yet known)", "new", "new", "potential", "lead", "lead", "lead"])
        XCTAssertEqual(moves.table.strings("to_type"), ["dissatisfied", "loyal", "regular", "member_no_purchase", "potential", "dissatisfied", "lead"])
        XCTAssertEqual(moves.table.strings("customers"), ["1", "1", "2", "1", "1", "1", "1"])
        XCTAssertEqual(moves.table.values("share_of_from")[2].doubleValue!, 2.0 / 3 * 100, accuracy: 1e-9)
        XCTAssertTrue(moves.work.contains { $0.hasPrefix("7 of 8 customers changed type") }, "\(moves.work)")
        let who = try result("lifecycle from 2024-02-01 to 2024-03-31 with loyal_orders 3 | members | where from_type == \"lead\"").table
        XCTAssertEqual(who.strings("c"), ["C", "F", "G"])
        XCTAssertEqual(who.strings("moved"), ["true", "false", "true"])
        XCTAssertEqual(session.error("lifecycle from 2024-03-31 to 2024-02-01")?.message, "`lifecycle` needs the first date before the second")
        XCTAssertEqual(session.error("lifecycle from 2024-02-01 to 2024-03-31 with loyal_orders 1, loyal_orders 2")?.message,
                       "`loyal_orders` does not go with the rest of this `lifecycle`: it is given twice, or belongs to another form")

        // A `joined` column of text cannot be read as of a date: the working says so.
        session = try makeSession(["tx": Self.tx, "customers": "id,joined\nF,2030-01-01\nG,later\n"])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        XCTAssertTrue(try result("types").work.contains("the customers table's `joined` column holds string, not dates, so any value in it counts whatever its date, and the as-of date cannot apply; load it with `types (joined: date)`"))
    }

    /// For "find out why" (seed 000's inactive playbook), `types | members` shows each
    /// customer's last channel and last answer beside the days since the last order.
    func testMembersShowTheLastChannelAndTheLastAnswer() throws {
        // A's latest day is 03-20, twice: the later row (store) is the last order; the 04-05
        // order is after the as-of date. B's only order was on the web.
        let tx = "c,day,value,channel\nA,2024-01-10,100,web\nA,2024-03-20,30,app\nA,2024-03-20,5,store\nA,2024-04-05,9,phone\nB,2024-01-05,200,web\n"
        let feedback = "c,date,nps,rating,complaint\nA,2024-03-21,10,5,\nA,2024-02-01,3,2,late\nB,2024-04-02,0,1,rude\n"
        session = try makeSession(["tx": tx, "feedback": feedback])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        let t = try result("types | members").table
        XCTAssertEqual(t.strings("last_channel"), ["store", "web"])
        // B's answer of 04-02 is after the as-of date.
        XCTAssertEqual(t.strings("last_feedback"), ["NPS 10, rating 5 on 2024-03-21", "null"])
        XCTAssertEqual(try result("types | members | select c, last_feedback").table.columnNames, ["c", "last_feedback"])
        // The same when the transactions are a named result: A's last order of the result is the
        // app one (the store row of 03-20 is left out by the where).
        try session.runAll("recent = tx | where channel != \"store\"")
        try session.runAll("use recent (customer = c, date = day, amount = value) as_of 2024-03-31")
        XCTAssertEqual(try result("types | members").table.strings("last_channel"), ["app", "web"])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        // Under the Jalali calendar the working and the evidence name Jalali days: 2024-03-21 is
        // 1403-01-02 and 2024-03-31 is 1403-01-12 (jdatetime.date.fromgregorian).
        session.calendar = .jalali
        let jalali = try result("types | members")
        XCTAssertEqual(jalali.table.strings("last_feedback")[0], "NPS 10, rating 5 on 1403-01-02")
        XCTAssertTrue(jalali.work[0].hasPrefix("types as of 1403-01-12:"), jalali.work[0])
    }

    /// `plan`: segments ranked by members × response × AOV × margin − members × cost (seed 004).
    func testPlanRanksSegmentsByExpectedReturn() throws {
        // big = A (3 orders, 180) and B (2 orders, 220): AOV 400 / 5 = 80; 2 members × 50% × 80
        // = 80 expected revenue; × 50% − 2 × 10 = 20; roi 20 / 20 = 100%.
        // small = C (1 order, 80), D (2 orders, 50), E (1 order, 60): AOV 190 / 4 = 47.5;
        // 3 × 50% × 47.5 = 71.25; × 50% − 3 × 10 = 5.625; roi 5.625 / 30 = 18.75%.
        try session.runAll("segment big = customers360 where spend >= 150")
        try session.runAll("segment small = customers360 where spend < 150")
        let t = try result("plan small, big cost 10 response 50% margin 50%")
        XCTAssertEqual(t.table.strings("segment"), ["big", "small"])
        XCTAssertEqual(t.table.strings("members"), ["2", "3"])
        XCTAssertEqual(t.table.values("aov").map(\.doubleValue), [80, 47.5])
        XCTAssertEqual(t.table.values("expected_revenue").map(\.doubleValue), [80, 71.25])
        XCTAssertEqual(t.table.values("expected_return").map(\.doubleValue), [20, 5.625])
        XCTAssertEqual(t.table.values("roi").map(\.doubleValue), [100, 18.75])
        XCTAssertTrue(t.work.contains("big: 2 × 50.0% × 80 = 80; × 50.0% − 2 × 10 = 20"), "\(t.work)")
        XCTAssertEqual(session.error("plan nowhere cost 1 response 4%")?.message, "unknown segment `nowhere`")
        XCTAssertEqual(session.error("plan big response 4%")?.message, "`plan` needs `cost C`, the cost of reaching one member")
        XCTAssertEqual(session.error("plan big cost 1 response 120%")?.message, "`response` must be from 0% to 100%, not 120%")
        XCTAssertEqual(session.error("plan cost 1 response 4%")?.message, "`plan` needs one or more segments")
        XCTAssertEqual(session.error("plan big, big cost 1 response 4%")?.message, "the segment `big` is named twice")
        // A name where a value goes (a parameter, say) is named as such.
        try session.runAll("let c = 2")
        XCTAssertEqual(session.error("plan big cost c response 4%")?.message, "`cost` takes a value written out, not the name `c`")
        // A segment over the customers table matches by `id`, as `profile` does: A and B (AOV 80).
        try session.runAll("segment named = customers where name == \"Ali\" or name == \"Sara\"")
        XCTAssertEqual(try result("plan named cost 10 response 50% margin 50%").table.values("aov").map(\.doubleValue), [80])
        XCTAssertEqual(try result("pareto in named").table.strings("c"), ["B", "A"])
    }

    func testPareto() throws {
        // By spend: B 220, A 180, C 80, E 60, D 50; cumulative 37.3%, 67.8%, 81.4%, 91.5%, 100%.
        let r = try result("pareto")
        XCTAssertEqual(r.table.strings("c"), ["B", "A", "C", "E", "D"])
        XCTAssertEqual(r.table.strings("class"), ["A", "A", "B", "B", "C"])
        XCTAssertEqual(r.table.values("cumulative_share")[1].doubleValue!, 400.0 / 590 * 100, accuracy: 1e-9)
        // 80% is reached with the third customer: 3 of 5.
        XCTAssertEqual(r.work[0], "60.0% of customers (3 of 5) make 80% of revenue")
    }

    func testKPIRepeatRateNPSAndCSAT() throws {
        let t = try result("kpi").table
        let kpi = Dictionary(uniqueKeysWithValues: zip(t.strings("measure"), t.values("value")))
        // Repeat rate: A, B, D have 2+ transactions of 5 customers = 60%. Purchase frequency 9 / 5. AOV 590 / 9.
        XCTAssertEqual(kpi["repeat_rate_pct"], .double(60))
        XCTAssertEqual(kpi["purchase_frequency"], .double(1.8))
        XCTAssertEqual(kpi["average_order_value"]?.doubleValue ?? 0, 590.0 / 9, accuracy: 1e-12)
        // NPS: promoters 9, 10 (2 of 5 = 40%), detractors 3, 6 (40%) → 0. CSAT: ratings 5, 5, 4 of 5 → 60%.
        XCTAssertEqual(kpi["nps"], .double(0))
        XCTAssertEqual(kpi["csat_pct"], .double(60))
        XCTAssertEqual(try result("nps feedback.nps").work.last, "NPS = % promoters − % detractors = 40.0% − 40.0% = 0")
        XCTAssertEqual(try result("csat feedback.rating").table.strings("csat"), ["60"])
    }

    /// Answers that cannot be scored leave the score out of kpi, and its work says why.
    func testKPILeavesOutAScoreItCannotComputeAndSaysWhy() throws {
        session = try makeSession(["tx": Self.tx, "feedback": "c,date,nps,rating\nA,2024-03-21,10,5\nB,2024-01-10,11,4\n"])
        try session.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        let r = try result("kpi")
        let kpi = Dictionary(uniqueKeysWithValues: zip(r.table.strings("measure"), r.table.values("value")))
        XCTAssertNil(kpi["nps"])
        // Ratings 5 and 4 of 2 → 100%.
        XCTAssertEqual(kpi["csat_pct"], .double(100))
        XCTAssertEqual(r.work.last, "nps left out: 1 answer in feedback.nps is not a whole number from 0 to 10")
    }

    /// A score too large for a whole number (1e300 is whole, but no 64-bit integer) is an
    /// answer outside the scale, never a crash.
    func testAHugeScoreIsOutsideTheScale() throws {
        session = try makeSession(["fb": "customer_id,nps,rating\n1,1e300,-1e300\n2,5,4.5\n"])
        XCTAssertEqual(session.error("nps fb.nps")?.message, "1 answer in fb.nps is not a whole number from 0 to 10")
        XCTAssertEqual(session.error("csat fb.rating")?.message, "2 answers in fb.rating are not a whole number from 1 to 5")
    }

    func testSimpleCLV() throws {
        // AOV = 590 / 9; purchases per year = 9 / 5 customers / (87 days / 365); no customers in the year
        // before, so the lifetime is the 3-year cap. CLV = 118 × 365 / 87 × 50% × 3 = 742.586…
        let t = try result("clv margin 50% years 3").table
        XCTAssertEqual(t.values("lifetime_years"), [.double(3)])
        XCTAssertEqual(t.values("clv")[0].doubleValue!, 118.0 * 365 / 87 * 0.5 * 3, accuracy: 1e-9)
    }

    /// Percent options (docs/language.md, "Percentages"): `50%` and a bare `50` are the same
    /// margin; a bare 1 is 1%; a bare 0.5 is refused as ambiguous; a rate over 100% is an error.
    func testPercentOptionsReadOneWay() throws {
        let cap = 118.0 * 365 / 87 * 3  // as in testSimpleCLV, with the margin left out
        XCTAssertEqual(try result("clv margin 50 years 3").table.values("clv")[0].doubleValue!, cap * 0.5, accuracy: 1e-9)
        XCTAssertEqual(try result("clv margin 1 years 3").table.values("clv")[0].doubleValue!, cap * 0.01, accuracy: 1e-9)
        XCTAssertEqual(try result("clv margin 0.5% years 3").table.values("clv")[0].doubleValue!, cap * 0.005, accuracy: 1e-9)
        let ambiguous = session.error("clv margin 0.5")
        XCTAssertEqual(ambiguous?.message, "`margin 0.5` is ambiguous: a bare number counts percent points")
        XCTAssertEqual(ambiguous?.hint, "write 50% for that share, or 0.5% for under one percent")
        XCTAssertEqual(ambiguous?.location.column, 12)
        XCTAssertEqual(session.error("churn retention 120%")?.message, "`retention` must be from 0% to 100%, not 120%")
        XCTAssertEqual(session.error("clv margin 0%")?.message, "`margin` is a share of revenue above 0%, like 30%")
        // 90% and 0.9 are different commands: neither may be served the other's cached result.
        XCTAssertEqual(try result("churn retention 90%").table.strings("churn"), ["10"])
        XCTAssertNotNil(session.error("churn retention 0.9"))
    }

    func testValueBySegmentsAndByColumn() throws {
        // Customers spending 100 or more: A (180) and B (220) → revenue 400 of 590, 2 customers, 200 each.
        try session.runAll("segment big = customers360 where spend >= 100")
        let t = try result("value by segments big").table
        XCTAssertEqual(t.strings("group"), ["big"])
        XCTAssertEqual(t.strings("revenue"), ["400"])
        XCTAssertEqual(t.values("share_of_revenue")[0].doubleValue!, 400.0 / 590 * 100, accuracy: 1e-12)
        XCTAssertEqual(t.strings("customers"), ["2"])
        XCTAssertEqual(t.strings("revenue_per_customer"), ["200"])
        // By the customers' names, largest first: Sara (B) 220, Ali (A) 180, Reza (C) 80, Omid (E) 60, Mina (D) 50.
        let byName = try result("value by name").table
        XCTAssertEqual(byName.strings("group"), ["Sara", "Ali", "Reza", "Omid", "Mina"])
        XCTAssertEqual(byName.strings("revenue"), ["220", "180", "80", "60", "50"])
    }

    func testFormulas() throws {
        try session.runAll("formula crr(S, E, N) = (E - N) / S * 100")
        XCTAssertEqual(try session.query("crr(200, 180, 30)").values("value"), [.double(75)])
        XCTAssertEqual(try session.query("formulas").strings("name"), ["crr"])
        XCTAssertEqual(session.error("crr(1, 2)")?.message, "`crr` takes 3 arguments (S, E, N), not 2")
        XCTAssertEqual(session.error("formula bad(x) = x + nope")?.message, "unknown name `nope`")
    }

    func testResultsPipeNameAndSegment() throws {
        try session.runAll("segment champions = rfm where segment == \"Champions\"")
        XCTAssertEqual(try session.query("champions").strings("c"), ["D"])
        try session.runAll("top_spenders = pareto | take 2")
        XCTAssertEqual(try session.query("top_spenders").strings("c"), ["B", "A"])
    }

    func testUseWithoutADateColumnNamesWhatItLookedFor() throws {
        let s = try makeSession(["t": "customer_id,amount\n1,5\n"])
        XCTAssertEqual(s.error("use t")?.message, "`t` has no date column; looked for date, order_date, purchase_date, transaction_date, day, datetime, timestamp, created_at")
        XCTAssertEqual(s.error("rfm")?.message, "`rfm` needs the transactions: name them first with `use`")
    }

    func testOutputIsDeterministic() throws {
        let a = TableRenderer(mode: .csv).render(try result("rfm").table)
        let other = try makeSession(["tx": Self.tx, "customers": Self.customers, "feedback": Self.feedback])
        try other.runAll("use tx (customer = c, date = day, amount = value) as_of 2024-03-31")
        XCTAssertEqual(a, TableRenderer(mode: .csv).render(try other.query("rfm")))
    }
}

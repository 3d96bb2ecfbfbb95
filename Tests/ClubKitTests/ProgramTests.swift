import XCTest
@testable import ClubKit

/// Points programs, one clause at a time, on orders small enough to work out by hand
/// (docs/language.md, "Points programs"). All in 2024 unless written otherwise:
///
///     customer  orders (date amount channel)                       referred_by  birth_month
///     1         01-10 125 web · 05-20 800 app                                   3
///     2         04-01 55 web · 04-01 −20 web (a refund)             1
///     3         06-15 9 store                                       5            6
///     4         05-01 −30 web (a refund only: never a member)
///     5         never bought
///
/// Day numbers of 2024 (a leap year): 01-10 = 10, 03-01 = 61, 04-01 = 92, 05-20 = 141,
/// 06-01 = 153, 06-15 = 167, 06-30 = 182.
final class ProgramTests: XCTestCase {
    static let orders = """
    order_id,customer_id,date,amount,channel
    1,1,2024-01-10,125,web
    2,2,2024-04-01,55,web
    3,2,2024-04-01,-20,web
    4,4,2024-05-01,-30,web
    5,1,2024-05-20,800,app
    6,3,2024-06-15,9,store
    """
    static let customers = """
    id,name,referred_by,birth_month
    1,Sara,,3
    2,Reza,1,
    3,Mina,5,6
    4,Omid,,
    5,Nika,,
    """

    private func session(customers: String? = ProgramTests.customers, asOf: String = "2024-06-30") throws -> Session {
        var files = ["orders": Self.orders]
        if let customers { files["customers"] = customers }
        let s = try makeSession(files)
        try s.runAll("use orders as_of \(asOf)")
        return s
    }

    /// The table and the working of one statement.
    private func run(_ s: Session, _ statement: String) throws -> (table: Table, work: [String]) {
        var table: Table?, work: [String] = []
        for o in try s.runAll(statement) {
            if case .table(let t) = o { table = t }
            if case .caption(let c) = o { work.append(c) }
        }
        return (try XCTUnwrap(table, "no table from \(statement)"), work)
    }

    private func members(_ s: Session, _ program: String) throws -> [String: [String: String]] {
        try s.runAll("program p = " + program)
        let t = try run(s, "simulate p | members").table
        var out: [String: [String: String]] = [:]
        for i in 0..<t.rowCount {
            var row: [String: String] = [:]
            for (name, column) in zip(t.columnNames, t.columns) { row[name] = ValueFormat.display(column.value(at: i)) }
            out[row["customer_id"]!] = row
        }
        return out
    }

    // MARK: - Each clause

    /// earn 1 per 10: floor(125 / 10) = 12, floor(800 / 10) = 80, floor(55 / 10) = 5, floor(9 / 10)
    /// = 0; the refunds earn nothing and 4, who only returned something, is no member.
    func testEarnFloorsEachPurchaseAndRefundsEarnNothing() throws {
        let m = try members(try session(customers: nil), "earn 1 per 10")
        XCTAssertEqual(m.keys.sorted(), ["1", "2", "3"])
        XCTAssertEqual(m["1"]?["order_points"], "92")
        XCTAssertEqual(m["2"]?["order_points"], "5")
        XCTAssertEqual(m["2"]?["revenue"], "35")      // 55 − 20: revenue is net of the refund
        XCTAssertEqual(m["3"]?["order_points"], "0")
        XCTAssertEqual(m["3"]?["first_purchase"], "2024-06-15")  // 9 is a purchase, though it earns nothing
    }

    /// earn 3 per 20: floor(125 / 20) × 3 = 18, floor(800 / 20) × 3 = 120; 55 → 2 × 3 = 6.
    func testEarnMorePointsPerStep() throws {
        let m = try members(try session(customers: nil), "earn 3 per 20")
        XCTAssertEqual(m["1"]?["order_points"], "138")
        XCTAssertEqual(m["2"]?["order_points"], "6")
    }

    /// app 2x, web 1.5x: 125 web → floor(12 × 1.5) = 18; 800 app → 80 × 2 = 160; 55 web →
    /// floor(5 × 1.5) = floor(7.5) = 7; a channel the program does not name (store) counts 1x.
    func testChannelMultipliersRoundDown() throws {
        let m = try members(try session(customers: nil), "earn 1 per 10, channel_bonus (app 2x, web 1.5x, kiosk 3x)")
        XCTAssertEqual(m["1"]?["order_points"], "178")
        XCTAssertEqual(m["2"]?["order_points"], "7")
        let work = try run(try session(customers: nil), "program p = earn 1 per 10, channel_bonus (kiosk 3x); simulate p").work
        XCTAssertTrue(work.contains("no transaction has the channel `kiosk`, so its multiplier never applies"), "\(work)")
    }

    /// first_bonus 50 on each first purchase: 1, 2 and 3 (the 9 of 3 counts), never 4.
    func testFirstBonusOnTheFirstPurchase() throws {
        let m = try members(try session(customers: nil), "earn 1 per 10, first_bonus 50")
        XCTAssertEqual(["1", "2", "3"].map { m[$0]?["first_bonus_points"] }, ["50", "50", "50"])
        XCTAssertEqual(m["1"]?["points_issued"], "142")  // 92 + 50
    }

    /// referral_bonus 100 to the referrer when the referred first buys: 1 for 2 (on 04-01),
    /// 5 for 3 (on 06-15); 5 never bought, so 5's account opens with that credit.
    func testReferralBonusGoesToTheReferrer() throws {
        let m = try members(try session(), "earn 1 per 10, referral_bonus 100")
        XCTAssertEqual(m["1"]?["referral_points"], "100")
        XCTAssertEqual(m["5"]?["referral_points"], "100")
        XCTAssertEqual(m["5"]?["first_purchase"], "null")
        XCTAssertEqual(m["5"]?["orders"], "0")
        XCTAssertEqual(m["2"]?["referral_points"], "0")
        // As of 06-14 3 had not bought: 5 has no account yet.
        let before = try members(try session(asOf: "2024-06-14"), "earn 1 per 10, referral_bonus 100")
        XCTAssertNil(before["5"])
    }

    /// A referrer missing from the customers table, and a customer who names themself, are
    /// not credited, and the working says so; without a customers table, one line says why
    /// there are no referral points.
    func testReferralsThatCannotBeCreditedAreNamed() throws {
        let odd = "id,referred_by\n1,\n2,9\n3,3\n"
        let work = try run(try session(customers: odd), "program p = earn 1 per 10, referral_bonus 100; simulate p").work
        XCTAssertTrue(work.contains("1 referral names a referrer who is not in the customers table: not credited"), "\(work)")
        XCTAssertTrue(work.contains("1 customer named as their own referrer: not credited"), "\(work)")
        let none = try run(try session(customers: nil), "program p = earn 1 per 10, referral_bonus 100; simulate p").work
        XCTAssertTrue(none.contains("no `customers` table is loaded, so referral_bonus gives no points (referrals need `referred_by`)"), "\(none)")
        let noColumn = try run(try session(customers: "id,name\n1,Sara\n"), "program p = earn 1 per 10, referral_bonus 100; simulate p").work
        XCTAssertTrue(noColumn.contains("the customers table has no `referred_by` column, so referral_bonus gives no points"), "\(noColumn)")
    }

    /// birthday_bonus 20 on the first of the birth month, once a year, from the first purchase:
    /// 1 (March, first purchase 01-10) gets 03-01; 3 (June, first purchase 06-15) gets nothing
    /// in 2024, as 06-01 comes before the first purchase.
    func testBirthdayBonusOnceAYearInTheBirthMonth() throws {
        let m = try members(try session(), "earn 1 per 10, birthday_bonus 20")
        XCTAssertEqual(m["1"]?["birthday_points"], "20")
        XCTAssertEqual(m["3"]?["birthday_points"], "0")
        // Over two years: a first purchase on 2023-02-15 with birth month 3 gets 2023-03-01 and
        // 2024-03-01; birth month 2 gets 2024-02-01 only (2023-02-01 came before it).
        let orders = "customer_id,date,amount\n1,2023-02-15,10\n2,2023-02-15,10\n"
        let s = try makeSession(["orders": orders, "customers": "id,birthday\n1,1990-03-20\n2,1985-02-28\n"])
        try s.runAll("use orders as_of 2024-06-30; program p = earn 1 per 10, birthday_bonus 20")
        XCTAssertEqual(try run(s, "simulate p | members").table.strings("birthday_points"), ["40", "20"])
    }

    /// Without a month, the working says why there are no birthday points.
    func testBirthdayBonusWithoutABirthMonthIsNamed() throws {
        let work = try run(try session(customers: "id,birth_year\n1,1990\n"), "program p = earn 1 per 10, birthday_bonus 20; simulate p").work
        XCTAssertTrue(work.contains("the customers table has no `birth_month` or `birthday` column (`birth_year` alone gives no month), so birthday_bonus gives no points"), "\(work)")
        let bad = try run(try session(customers: "id,birth_month\n1,13\n2,2\n"), "program p = earn 1 per 10, birthday_bonus 20; simulate p").work
        XCTAssertTrue(bad.contains("1 birth_month value not 1–12: no birthday points for it"), "\(bad)")
    }

    /// One order of 1000 on 2024-01-01 earns 100. With expire 30d and redeem 40%:
    /// as of 01-20 (age 20 days): redeemed 0.4 × 100 × 20 / 30 = 26.666… → 26.67, outstanding
    /// 73.33; as of 02-15 (day 01-31 = 01-01 + 30 has passed): redeemed 40, expired 60, outstanding 0.
    /// Without expire the 40% is spread over 365 days: 0.4 × 100 × 20 / 365 = 2.1917… → 2.19.
    func testExpiryAndRedemption() throws {
        let orders = "customer_id,date,amount\n1,2024-01-01,1000\n"
        func figures(_ program: String, _ asOf: String) throws -> [String] {
            let s = try makeSession(["orders": orders])
            try s.runAll("use orders as_of \(asOf); program p = \(program)")
            let t = try run(s, "simulate p | members").table
            return ["points_issued", "points_redeemed", "points_expired", "points_outstanding"].map { t.strings($0)[0] }
        }
        XCTAssertEqual(try figures("earn 1 per 10, expire 30d, redeem 40%", "2024-01-20"), ["100", "26.67", "0", "73.33"])
        XCTAssertEqual(try figures("earn 1 per 10, expire 30d, redeem 40%", "2024-01-30"), ["100", "40", "0", "60"])  // the 30th day: all redeemed, not yet expired
        XCTAssertEqual(try figures("earn 1 per 10, expire 30d, redeem 40%", "2024-01-31"), ["100", "40", "60", "0"])
        XCTAssertEqual(try figures("earn 1 per 10, expire 30d", "2024-02-15"), ["100", "0", "100", "0"])
        XCTAssertEqual(try figures("earn 1 per 10, redeem 40%", "2024-01-20"), ["100", "2.19", "0", "97.81"])
    }

    /// tiers (silver 60, gold 150) over 90d as of 06-30 count days 93–182: 1 has 160 (the 100
    /// of day 92 is one day out) → gold; without `over`, all points: 1 has 342 → gold, 5 has 100
    /// → silver, 2 has 55 → base.
    func testTiersCountTheTrailingWindow() throws {
        let program = "earn 1 per 10, first_bonus 50, referral_bonus 100, birthday_bonus 20, channel_bonus (app 2x), tiers (silver 60, gold 150)"
        let windowed = try members(try session(), program + " over 90d")
        XCTAssertEqual(windowed["1"]?["tier_points"], "160")
        XCTAssertEqual(windowed["1"]?["tier"], "gold")
        XCTAssertEqual(windowed["2"]?["tier_points"], "0")
        let allTime = try members(try session(), program)
        XCTAssertEqual(["1", "2", "3", "5"].map { allTime[$0]?["tier"] }, ["gold", "base", "base", "silver"])
        // A tier at 0 names the base tier.
        let named = try members(try session(), "earn 1 per 10, tiers (bronze 0, silver 60)")
        XCTAssertEqual(named["2"]?["tier"], "bronze")
    }

    /// point_value 0.01 on the program of program.club: outstanding 372.1 → liability 3.72; cost
    /// (547 − 49.2) × 0.01 = 4.978; without point_value both are null and the working says why.
    func testPointValueGivesLiabilityAndCost() throws {
        let s = try session()
        try s.runAll("program p = earn 1 per 10, first_bonus 50, referral_bonus 100, birthday_bonus 20, channel_bonus (app 2x), expire 100d, point_value 0.01, tiers (silver 60, gold 150) over 90d, redeem 40%")
        let (t, work) = try run(s, "simulate p | agg o = sum(points_outstanding), l = sum(liability), c = sum(reward_cost)")
        XCTAssertEqual(t.strings("o"), ["372.1"])
        XCTAssertEqual(t.strings("l"), ["3.73"])  // 0.82 + 0.94 + 1.97: each tier rounded to the cent
        XCTAssertEqual(t.strings("c"), ["4.98"])
        XCTAssertTrue(work.contains("liability = outstanding × point value = 372.1 × 0.01 = 3.72"), "\(work)")
        try s.runAll("program q = earn 1 per 10")
        let (plain, plainWork) = try run(s, "simulate q")
        XCTAssertEqual(plain.strings("liability"), ["null"])
        XCTAssertTrue(plainWork.contains("liability and reward cost need `point_value` (what one point is worth), which the program does not give"))
    }

    // MARK: - Whole program

    /// On the sample data the last month of `by month` agrees with the summary: the same
    /// outstanding points and the same members per tier.
    func testTheLastMonthAgreesWithTheSummary() throws {
        let s = Session()
        let data = HelpAndCompletionTests.repositoryRoot.appendingPathComponent("Samples/data").path
        try s.runAll("""
        load "\(data)/orders.csv"
        load "\(data)/customers.csv" as customers
        use orders
        program club = earn 1 per 10, first_bonus 50, referral_bonus 100, channel_bonus (app 2x), expire 365d, point_value 0.01, tiers (silver 500, gold 2000) over 365d, redeem 40%
        """)
        let summary = try run(s, "simulate club").table, months = try run(s, "simulate club by month").table
        let last = months.rowCount - 1
        let outstanding = summary.values("points_outstanding").compactMap { $0.doubleValue }.reduce(0, +)
        XCTAssertEqual(months.values("points_outstanding")[last].doubleValue!, outstanding, accuracy: 0.05)
        for (i, tier) in ["base", "silver", "gold"].enumerated() {
            XCTAssertEqual(months.values("members_" + tier)[last], summary.values("members")[i], tier)
        }
        XCTAssertEqual(months.values("points_issued").compactMap { $0.doubleValue }.reduce(0, +), summary.values("points_issued").compactMap { $0.doubleValue }.reduce(0, +))
    }

    /// `let rate = 5` recomputes the simulation and what reads it; binding computes nothing.
    /// With 1 per 10: 1 has 12 + 80 = 92 (silver), 2 has 5, 3 has 0 (base); with 1 per 5:
    /// 1 has 25 + 160 = 185 (gold), 2 has 11, 3 has 1.
    func testAProgramIsLiveAndBindsWithoutRunning() throws {
        let s = try session()
        try s.runAll("let rate = 10; program p = earn 1 per rate, tiers (silver 60, gold 150)")
        XCTAssertTrue(Completer(s).completions(for: "simulate p | where ti").contains("tier"))
        XCTAssertEqual(Completer(s).completions(for: "simulate p by month | select members_g"), ["members_gold"])
        XCTAssertEqual(Completer(s).completions(for: "simulate "), ["p"])
        XCTAssertTrue(s.catalog.analyticsCache.isEmpty, "a simulation ran while completing")
        try s.runAll("gold = simulate p | where tier == \"gold\" | select members")
        XCTAssertEqual(try run(s, "simulate p | select points_issued").table.strings("points_issued"), ["5", "92", "0"])
        XCTAssertEqual(try s.query("gold").strings("members"), ["0"])
        try s.runAll("let rate = 5")
        XCTAssertEqual(try run(s, "simulate p | select points_issued").table.strings("points_issued"), ["12", "0", "185"])
        XCTAssertEqual(try s.query("gold").strings("members"), ["1"])
        XCTAssertEqual(try s.query("params").strings("used_by"), ["gold, p"])
    }

    func testRedefiningOrDroppingWhatOthersReadIsRefused() throws {
        let s = try session()
        try s.runAll("program p = earn 1 per 10, tiers (silver 60, gold 150); m = simulate p by month | select month, members_gold")
        XCTAssertEqual(s.error("program p = earn 1 per 10, tiers (silver 60)")?.message.hasPrefix("redefining the program `p` would break `m`: unknown column `members_gold`"), true)
        XCTAssertEqual(s.error("drop p")?.message, "cannot drop `p`: `m` uses it")
        XCTAssertEqual(s.error("p = orders")?.message, "`p` is a program")
        XCTAssertEqual(s.error("let p = 1")?.message, "`p` is already a program")
        try s.runAll("drop p cascade")
        XCTAssertEqual(try s.query("programs").rowCount, 0)
    }

    // MARK: - Hostile values

    func testHostileValuesAreRefusedWhereTheyAreWritten() throws {
        let s = try session()
        let cases: [(String, String)] = [
            ("program p = earn 1 per 0", "`per` takes an amount more than 0: an order earns floor(amount / per) × earn points"),
            ("program p = earn 0 per 10", "`earn` takes a number of points more than 0"),
            ("program p = earn 1 per 1e400", "`per` takes a finite number, not inf"),
            ("program p = earn 1 per 10, expire 0d", "`expire` takes a time from 1 day to 100 years, like 365d or 12mo, not 0"),
            ("program p = earn 1 per 10, tiers (gold 2000, silver 500)", "tiers go from the fewest points up: `silver 500` cannot follow `gold 2,000`"),
            ("program p = earn 1 per 10, tiers (silver 500, gold 500)", "tiers go from the fewest points up: `gold 500` cannot follow `silver 500`"),
            ("program p = earn 1 per 10, tiers (silver -5)", "`tiers` takes a number from 0 to 9,007,199,254,740,992, not -5"),
            ("program p = earn 1 per 10, redeem 140%", "`redeem` takes a number from 0 to 1, not 1.4"),
            ("program p = earn 1 per 10, point_value -1", "`point_value` takes a number of 0 or more, not -1"),
            ("program p = earn 1 per 10, first_bonus -50", "`first_bonus` takes a whole number from 0 to 9,007,199,254,740,992, not -50"),
            ("program p = earn 1 per 10, channel_bonus (app -2)", "`channel_bonus` takes a number from 0 to 9,007,199,254,740,992, not -2"),
            ("program p = earn 1 per 10, tiers (silver 60) over 0d", "`over` takes a time from 1 day to 100 years, like 365d or 12mo, not 0"),
            ("program p = earn 1 per 10, earn 2 per 10", "`earn` is given twice"),
            ("program p = earn 1 per 10, channel_bonus (app 2x, app 3x)", "the channel `app` is given twice in `channel_bonus`"),
            ("program p = earn 1 per 10, tiers (silver 60, silver 70)", "the tier `silver` is given twice"),
            ("program p = earn 1 per 10, tiers (base 60)", "`base` is the tier below the first; it starts at 0 points"),
            ("program p = earn 1", "expected `per` after the points of `earn`"),
            ("orders | where amount > 2x", "a multiplier like `2x` goes only in `channel_bonus (…)`"),
            ("simulate nothing", "unknown program `nothing`"),
            ("simulate", "`simulate` takes a program's name"),
        ]
        for (statement, message) in cases {
            XCTAssertEqual(s.error(statement)?.message, message, statement)
        }
        XCTAssertEqual(try s.query("programs").rowCount, 0, "a refused program was kept")
        // A multiplier that passes 2^53 points is refused when the program runs; 1e15 × 80 = 8e16.
        try s.runAll("program huge = earn 1 per 10, channel_bonus (app 1000000000000000x)")
        XCTAssertEqual(s.error("simulate huge")?.message,
                       "an order of 800 would earn more than 9,007,199,254,740,992 points (2^53), past which points cannot be counted exactly")
        // So does a program whose total passes it, each credit below it: 1 earns 1e15 + 8e15 for
        // orders and 9e15 for the first purchase.
        try s.runAll("program big = earn 1000000000000000 per 100, first_bonus 9000000000000000")
        XCTAssertEqual(s.error("simulate big")?.message,
                       "the program would earn more than 9,007,199,254,740,992 points (2^53), past which points cannot be counted exactly")
    }

    /// `tiers p from A to B`: the dates in order, the second no later than the as-of date.
    func testTierMovesNeedDatesInOrder() throws {
        let s = try session()
        try s.runAll("program p = earn 1 per 10, tiers (silver 60)")
        XCTAssertEqual(s.error("tiers p from 2024-06-30 to 2024-01-01")?.message, "`tiers` needs the first date before the second")
        XCTAssertEqual(s.error("tiers p from 2024-01-01 to 2024-07-30")?.message, "`tiers … to 2024-07-30` is after the as-of date 2024-06-30")
        // As of 03-31 only 1 is a member, with 12 (base); by 06-30 1 has 92 (silver), 2 and 3 joined in base.
        let moves = try s.query("tiers p from 2024-03-31 to 2024-06-30")
        XCTAssertEqual(moves.strings("from_tier"), ["(not yet a member)", "base"])
        XCTAssertEqual(moves.strings("to_tier"), ["base", "silver"])
        XCTAssertEqual(moves.strings("customers"), ["2", "1"])
    }

    // MARK: - The typed-in form

    /// 1,200,000 / 10,000 = 120 points + 50 bonus = 170 (the brief's example).
    func testPointsTypedIn() throws {
        let s = Session()
        let (t, work) = try run(s, "points spend 1200000 rate 10000 bonus 50")
        XCTAssertEqual(work, ["1,200,000 / 10,000 = 120 points + 50 bonus = 170 points"])
        XCTAssertEqual(t.strings("points"), ["170"])
        XCTAssertEqual(try run(s, "points spend 99 rate 10").work, ["floor(99 / 10) = floor(9.9) = 9 points"])
        XCTAssertEqual(s.error("points spend 100 rate 0")?.message, "`rate` must be more than 0: points are floor(spend / rate)")
        XCTAssertEqual(s.error("points spend 100 rate 10 bonus 2.5")?.message, "`bonus` takes a whole number of points from 0 to 9,007,199,254,740,992")
        XCTAssertEqual(s.error("points spend 1e400 rate 10")?.message, "`spend` takes a finite number")
        XCTAssertEqual(s.error("points rate 10")?.message, "`points` takes `spend S rate R`")
    }

    /// A point worth a tenth of a cent must not read as 0: 170 × 0.004 = 0.68, and the program's
    /// echo gives each number as typed.
    func testSmallValuesAreShownNotRoundedToZero() throws {
        let s = try session()
        XCTAssertEqual(try run(s, "points spend 1200000 rate 10000 bonus 50 point_value 0.004").work.last, "worth 170 × 0.004 = 0.68")
        let echo = try s.runAll("program p = earn 2.5 per 0.0123456789, point_value 0.001").compactMap { o -> String? in
            if case .message(let m) = o { return m }
            return nil
        }
        XCTAssertEqual(echo, ["program p: 2.5 points per 0.0123456789; points never expire; a point is worth 0.001; tiers base over all points earned"])
        let work = try run(s, "simulate p").work
        XCTAssertTrue(work.contains { $0.hasPrefix("liability = outstanding × point value = ") && $0.contains(" × 0.001 = ") }, "\(work)")
    }

    func testMultipliersLex() {
        XCTAssertEqual(Lexer.tokenize("2x 1.5x").prefix(2).map(\.kind), [.multiplier(2), .multiplier(1.5)])
    }
}

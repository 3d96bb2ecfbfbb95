import XCTest
@testable import ClubKit

/// Sums of money by one rule (`Money`, docs/language.md "Numbers"): decimals of up to 6 places
/// add exactly and round once. Every expected value below was computed apart from clubsh, with
/// Python: `float(sum(Decimal(s) for s in amounts))` for the rule, `float(Fraction(n, d))` for a
/// correctly rounded quotient, and `float(sum(Fraction(x) for x in doubles))` (the exact sum of
/// the doubles, which the compensated sum gives) for the fallback.
final class MoneyTests: XCTestCase {
    func testDecimalsAddExactly() {
        let cases: [(amounts: [Double], sum: Double)] = [
            ([0.01, 0.05], 0.06),                                  // doubles' exact sum: 0.060000000000000005
            ([0.1, 0.2], 0.3),                                     // 0.30000000000000004
            ([19.99, -19.99, 0.1, 0.2], 0.3),                      // a refund
            ([3.77, 202.7, 293.53], 500),                          // 499.99999999999994
            ([1.005, 2.675, 0.333], 4.013),                        // 3 places
            ([0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.002], 0.009), // 0.009000000000000001
            ([0.123456, 0.654321, 0.000001], 0.777778),            // 6 places; 0.7777780000000001
            (Array(repeating: 0.000001, count: 10), 0.00001),      // 9.999999999999999e-06
            ([0.000001, 0.123457, 2.5, -0.1], 2.523458),
            ([999999999999.99, 0.01, 0.07], 1000000000000.07),
            // 1e15-sized whole amounts: units past 2^53 in the sum, rounded once.
            ([1e15, 3e15, 5000000000000001, 7], 9000000000000008),
            ([4503599627370497, 4503599627370497, 1], 0x1.0000000000002p+53),
            ([], 0), ([42.42], 42.42), ([-0.07], -0.07),
        ]
        for (amounts, sum) in cases {
            XCTAssertEqual(Money.sum(amounts), sum, "\(amounts)")
            // The same through `agg`, which groups.
            XCTAssertEqual(Aggregates.whole(.sum, Column(.double(amounts))) ?? 0, sum, "\(amounts)")
        }
    }

    func testMoreThanSixPlacesFallBackToTheCompensatedSum() {
        XCTAssertNil(Money.scale(of: [0.0000001, 0.05]))
        // The exact sum of the doubles 1e-7 and 0.05, rounded: 0.050000100000000006, not 0.0500001.
        XCTAssertEqual(Money.sum([0.0000001, 0.05]), 0x1.9999cf497ecf2p-5)
        XCTAssertNotEqual(Money.sum([0.0000001, 0.05]), 0.0500001)
    }

    func testScale() {
        XCTAssertEqual(Money.scale(of: []), 0)
        XCTAssertEqual(Money.scale(of: [1, -2, 0]), 0)
        XCTAssertEqual(Money.scale(of: [1, 0.5, 19.99]), 2)
        XCTAssertEqual(Money.scale(of: [0.001, 12]), 3)
        XCTAssertEqual(Money.scale(of: [0.000001]), 6)
        XCTAssertNil(Money.scale(of: [0.1234567]))
        XCTAssertNil(Money.scale(of: [1, .infinity]))
        XCTAssertNil(Money.scale(of: [-.infinity]))
        XCTAssertNil(Money.scale(of: [.nan]))
        // 2^53 units is the most; 0.01 × 2^53 needs 2 places, so 2^53 hundredths: too many.
        XCTAssertEqual(Money.scale(of: [0x1p53]), 0)
        XCTAssertNil(Money.scale(of: [0x1p54 + 2]))
        XCTAssertNil(Money.scale(of: [1e15, 0.01]))
        XCTAssertEqual(Money.scale(of: [1e13, 0.01]), 2)
        // Many values, split over two parts: the largest scale wins.
        XCTAssertEqual((Array(repeating: 1.5, count: 1 << 18) + [0.25]).withUnsafeBufferPointer { Money.scale(of: $0, parts: 2) }, 2)
        // A known scale is carried over when every value is on its grid.
        XCTAssertEqual(Money.scale(of: [1, 2], trying: 2), 2)
        XCTAssertEqual(Money.scale(of: [0.001], trying: 2), 3)
    }

    func testQuotientIsCorrectlyRounded() {
        let cases: [(n: String, d: UInt64, expected: Double)] = [
            ("-65932203021615212729555804534530388351", 100, -0x1.fbec57e8df9c3p+118),
            ("75898243784203409124810940623894683559", 7000000, 0x1.11b4b35dff410p+103),
            ("-10695061400504942", 18446744073709551557, -0x1.2ff8d03d06537p-11),
            ("951753274827333804875569722531975091", 18446744073709551557, 0x1.6e9a1e65ce0c5p+55),
            ("-729475580344084808478936032", 1, -0x1.2db43b397fae9p+89),
            ("-1063701984461800314", 100, -0x1.2e52816a7538ap+53),
            ("-880248801192569443", 10, -0x1.38ba297ee7977p+56),
            ("-1049147212619882046681147287", 1000000, -0x1.c6febd3a0f9a5p+69),
            ("17283462634386384", 7000000, 0x1.2655ead540d53p+31),
            ("14288628420348145", 3, 0x1.0ebcf8470d850p+52),
            ("725525010884963883215206625385763628", 1000000, 0x1.250987223679bp+99),
            ("13200787521280550", 7000000, 0x1.c19dbb9304781p+30),
            ("-989403744113322537619", 3, -0x1.1e0e967ba7c06p+68),
            ("916253009519453552814", 10, 0x1.3de39d70e7bdbp+66),
            ("-969175732785924789516824690641727459", 123456789000000, -0x1.a9911fb4d2d45p+72),
            ("1145578796381790792876510451", 18446744073709551557, 0x1.d9ccdf7ea8b37p+25),
            ("950333290378879279", 1, 0x1.a60862f5e85c2p+59),
            ("613469810417837995", 7000000, 0x1.467aa0fd967cap+36),
            ("1073803102721057864833", 3, 0x1.3675652e405a6p+68),
            ("-1152035210855633941", 123456789000000, -0x1.239be1e1375c0p+13),
            ("-737443553693609950", 18446744073709551557, -0x1.477da02879e60p-5),
            ("1234100213476637998552012094884219068", 7000000, 0x1.1cd3fbcdd7f35p+97),
            ("-1180542289909402396600", 123456789000000, -0x1.23d2314543ef8p+23),
            ("9855973937836170", 100, 0x1.668ee904eae6dp+46),
            // Halfway between two doubles: to the even one.
            ("18014398509481985", 2, 0x1.0000000000000p+53),
            ("18014398509481986", 2, 0x1.0000000000000p+53),
            ("18014398509481990", 2, 0x1.0000000000002p+53),
            ("18014398509481990", 1, 0x1.0000000000002p+54),
        ]
        for (n, d, expected) in cases {
            XCTAssertEqual(Money.quotient(Int128(n)!, d), expected, "\(n) / \(d)")
        }
    }

    func testTenMillionValues() {
        // 0.07 ten million times, the first a refund: 9999998 × 0.07 = 699999.86 (the doubles'
        // exact sum rounds to 699999.8600000001); the mean 0.069999986.
        var amounts = [Double](repeating: 0.07, count: 10_000_000)
        amounts[0] = -0.07
        XCTAssertEqual(Aggregates.whole(.sum, Column(.double(amounts))), 699999.86)
        XCTAssertEqual(Aggregates.whole(.avg, Column(.double(amounts))), 0.069999986)
    }

    func testRunningSumsFallBackTogether() {
        var sums = MoneySums(count: 2, scale: 2)
        sums.add(0.01, to: 0); sums.add(0.05, to: 0); sums.add(0.06, to: 1)
        XCTAssertEqual(sums.values, [0.06, 0.06])
        // A value off the grid of hundredths: every group is summed compensated from then on.
        sums.add(0.001, to: 1)
        XCTAssertEqual(sums.values, [0.060000000000000005, 0.061])
    }

    // MARK: - In the language

    func testAggSumAndAvgOfDecimals() throws {
        let session = try makeSession(["t": "k,amount\na,0.01\nb,0.06\na,0.05\nc,\nb,\nd,-0.1\nd,0.3\nd,-0.2\n"])
        let t = try session.query("t | agg s = sum(amount), m = avg(amount), n = count(amount) by k")
        XCTAssertEqual(t.strings("k"), ["a", "b", "c", "d"])
        // a: 0.01 + 0.05 = 0.06, as b's one order; c has no amount: null; d: refunds, 0.
        XCTAssertEqual(t.values("s"), [.double(0.06), .double(0.06), .null, .double(0)])
        XCTAssertEqual(t.values("m"), [.double(0.03), .double(0.06), .null, .double(0)])
        XCTAssertEqual(try session.query("t | where amount == 0.06 | agg s = sum(amount)").values("s"), [.double(0.06)])
        XCTAssertEqual(try session.query("t | where k == \"a\" | agg s = sum(amount) | where s == 0.06 | count").strings("count"), ["1"])
        // An empty input: null.
        XCTAssertEqual(try session.query("t | where amount > 100 | agg s = sum(amount)").values("s"), [.null])
    }

    func testInfinityAndMorePlacesKeepTheirRules() throws {
        let session = try makeSession(["t": "k,amount\na,1e308\na,1e308\nb,0.0000001\nb,0.05\nc,0.01\nc,0.05\n"])
        let t = try session.query("t | agg s = sum(amount) by k")
        // a: past the largest double, so +inf; b and c share one column, which has 7 places:
        // the compensated sum of the doubles for all (0.05000010000000001 and 0.060000000000000005).
        XCTAssertEqual(t.values("s"), [.double(.infinity), .double(0x1.9999cf497ecf2p-5), .double(0x1.eb851eb851eb9p-5)])
    }

    /// Customers A and C spend 0.01 + 0.05, B spends 0.06 in one order: all three spent 0.06,
    /// and tie, broken by customer (docs/language.md, `pareto` and `rfm`).
    func testSpendTiesAreBrokenByCustomer() throws {
        let session = try makeSession(["tx": "c,day,amount\nA,2024-03-01,0.01\nB,2024-03-01,0.06\nA,2024-03-01,0.05\nC,2024-03-01,0.05\nC,2024-03-01,0.01\n"])
        try session.runAll("use tx (customer = c, date = day, amount = amount) as_of 2024-03-31")
        let pareto = try session.query("pareto")
        XCTAssertEqual(pareto.strings("c"), ["A", "B", "C"])
        XCTAssertEqual(pareto.values("spend"), [.double(0.06), .double(0.06), .double(0.06)])
        // The cumulative share is a sum of money too: it reaches exactly 100.
        XCTAssertEqual(pareto.values("cumulative_share").last, .double(100))
        // rfm, 3 bins: monetary ranks A, B, C (ties by customer) score 1, 2, 3.
        let rfm = try session.query("rfm bins 3")
        XCTAssertEqual(rfm.strings("c"), ["A", "B", "C"])
        XCTAssertEqual(rfm.values("monetary"), [.double(0.06), .double(0.06), .double(0.06)])
        XCTAssertEqual(rfm.strings("m"), ["1", "2", "3"])
    }

    /// A customer whose orders add up to exactly 500.00 is in `spend >= 500`.
    func testAThresholdOnSpendKeepsExactTotals() throws {
        // 3.77 + 202.7 + 293.53 = 500.00; the doubles' exact sum is 499.99999999999994.
        let session = try makeSession(["orders": "customer_id,date,amount\n1,2024-01-02,3.77\n2,2024-01-02,500\n1,2024-01-03,202.7\n1,2024-01-04,293.53\n3,2024-01-05,499.99\n"])
        try session.runAll("use orders as_of 2024-03-31\nsegment vip = customers360 where spend >= 500")
        XCTAssertEqual(try session.query("vip").strings("customer_id"), ["1", "2"])
        XCTAssertEqual(try session.query("customers360").values("spend"), [.double(500), .double(500), .double(499.99)])
        // The same through the pipeline customers360 stands for.
        XCTAssertEqual(try session.query("orders | agg spend = sum(amount) by customer_id | where spend >= 500").strings("customer_id"), ["1", "2"])
    }
}

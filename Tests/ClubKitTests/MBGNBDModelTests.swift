import Foundation
import XCTest
@testable import ClubKit

/// The modified BG/NBD model on the CDNOW 1/10 sample with the 39-week calibration period, in
/// weeks, as ModelTests does for BG/NBD.
///
/// The expected numbers are in Fixtures/mbgnbd_reference.json, written by
/// Fixtures/mbgnbd_reference.py: lifetimes 0.11.3's
/// `ModifiedBetaGeoFitter().fit(frequency, recency, T, tol=1e-9)` on x, t_x and T computed in
/// Python from the raw file, the log-likelihood, `conditional_probability_alive` and
/// `conditional_expected_number_of_purchases_up_to_time` at the fitted and at fixed parameters,
/// a second fit by scipy's Nelder–Mead on the likelihood written out from the paper, and
/// expected purchases in hard numerical cases from mpmath's hyp2f1 at 80 digits.
final class MBGNBDModelTests: XCTestCase {
    private struct Reference: Decodable {
        struct Parameters: Decodable { var r, alpha, a, b: Double }
        struct Customer: Decodable {
            var customer: String
            var x, tx, T, t: Double
            var p_alive, expected_purchases: Double
        }
        struct Evaluation: Decodable {
            var parameters: Parameters
            var log_likelihood: Double
            var customers: [Customer]
        }
        struct Fit: Decodable {
            var parameters: Parameters
            var nelder_mead_check: Parameters
            var nelder_mead_log_likelihood: Double
        }
        struct HardCase: Decodable {
            var parameters: Parameters
            var x, T, t: Double
            var expected_purchases_if_alive: Double
        }
        var customers: Int
        var repeat_customers: Int
        var fit: Fit
        var at_fit: Evaluation
        var at_fixed: Evaluation
        var hard_cases: [HardCase]
    }

    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    private var session: Session!
    private var reference: Reference!
    private let here = SourceLocation(line: 1, column: 1)

    override func setUpWithError() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("mbgnbd_reference.json"))
        reference = try JSONDecoder().decode(Reference.self, from: data)
        session = Session()
        try session.runAll("""
        load "\(Self.fixtures.appendingPathComponent("CDNOW_sample.txt").path)" as cal with delim whitespace, header false, date_format "yyyyMMdd", names (cust, id, day, cds, value)
        use cal (customer = id, date = day, amount = value) as_of 1997-09-30
        """)
    }

    private func summary() throws -> RepeatSummary {
        let (data, _) = try session.catalog.transactionData(for: "test", at: here)
        return data.repeatSummary(unitDays: 7)
    }

    private func model(_ p: Reference.Parameters) -> MBGNBD {
        MBGNBD(r: p.r, alpha: p.alpha, a: p.a, b: p.b)
    }

    func testTheSummaryIsTheReferences() throws {
        let s = try summary()
        XCTAssertEqual(s.x.count, reference.customers)
        XCTAssertEqual(s.x.filter { $0 > 0 }.count, reference.repeat_customers)
        // Customer ids are 1 to 2,357 in file order, so customer "0157" is row 156.
        for c in reference.at_fit.customers {
            let i = try XCTUnwrap(Int(c.customer)) - 1
            XCTAssertEqual(s.x[i], c.x, c.customer)
            XCTAssertEqual(s.tx[i], c.tx, accuracy: 1e-12, c.customer)
            XCTAssertEqual(s.T[i], c.T, accuracy: 1e-12, c.customer)
        }
    }

    func testLogLikelihoodAgainstLifetimes() throws {
        let s = try summary()
        let grouped = BGNBDData(x: s.x, tx: s.tx, T: s.T)
        for evaluation in [reference.at_fit, reference.at_fixed] {
            let m = model(evaluation.parameters)
            let perCustomer = s.x.indices.reduce(0) { $0 + m.logLikelihood(x: s.x[$1], tx: s.tx[$1], T: s.T[$1]) }
            XCTAssertEqual(perCustomer, evaluation.log_likelihood, accuracy: 1e-7)
            XCTAssertEqual(m.totalLogLikelihood(grouped), evaluation.log_likelihood, accuracy: 1e-7, "the grouped form the fit uses")
        }
    }

    /// lifetimes' fit: r = 0.524843, alpha = 6.183085, a = 0.891359, b = 1.614002, log-likelihood
    /// −9582.135716 (scipy's Nelder–Mead agrees to 1e-7). The optimum is flat, so two searches
    /// stop a little apart: the parameters are held to 1e-6 relative (clubsh's differ by up to
    /// 2.5e-7) and the log-likelihood to 1e-6.
    func testFitReproducesLifetimes() throws {
        let (m, ll) = try summary().fitMBGNBD(isCancelled: { false }, at: here)
        let expected = reference.fit.parameters
        for (name, got, want) in [("r", m.r, expected.r), ("alpha", m.alpha, expected.alpha), ("a", m.a, expected.a), ("b", m.b, expected.b)] {
            XCTAssertEqual(got, want, accuracy: 1e-6 * want, name)
        }
        XCTAssertEqual(ll, reference.at_fit.log_likelihood, accuracy: 1e-6)
        XCTAssertEqual(ll, reference.fit.nelder_mead_log_likelihood, accuracy: 1e-6)
    }

    /// P(alive) and expected purchases over 39 and 52 weeks for six customers, one-time buyers
    /// among them, at lifetimes' fitted parameters and at fixed ones.
    func testPAliveAndExpectedPurchasesAgainstLifetimes() {
        for evaluation in [reference.at_fit, reference.at_fixed] {
            let m = model(evaluation.parameters)
            for c in evaluation.customers {
                XCTAssertEqual(m.pAlive(x: c.x, tx: c.tx, T: c.T), c.p_alive, accuracy: 1e-12, c.customer)
                XCTAssertEqual(m.expectedPurchases(c.t, x: c.x, tx: c.tx, T: c.T), c.expected_purchases,
                               accuracy: 1e-12 * max(1, c.expected_purchases), "\(c.customer) over \(c.t)")
            }
        }
        // Customer 0010 bought once, in the first week, and never again: BG/NBD calls them alive
        // for certain, MBG/NBD does not.
        let once = reference.at_fit.customers.first { $0.customer == "0010" }!
        XCTAssertEqual(once.x, 0)
        XCTAssertEqual(model(reference.at_fit.parameters).pAlive(x: 0, tx: 0, T: once.T), 0.389722977870403, accuracy: 1e-12)
        XCTAssertEqual(BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426).pAlive(x: 0, tx: 0, T: once.T), 1)
    }

    /// Expected purchases if alive where plain double-precision series fail: a = 1 (the formula
    /// divides by a − 1), a horizon of 5,000 weeks, a buyer on 700 days over 100 years, r far
    /// above a + b and a frequent buyer over 100 years. Values from mpmath at 80 digits.
    func testExpectedPurchasesInHardCases() {
        XCTAssertEqual(reference.hard_cases.count, 5)
        for h in reference.hard_cases {
            let got = model(h.parameters).expectedPurchasesIfAlive(h.t, x: h.x, T: h.T)
            XCTAssertEqual(got, h.expected_purchases_if_alive, accuracy: 1e-12 * h.expected_purchases_if_alive, "\(h.parameters) x = \(h.x)")
        }
    }

    func testTheCommandGivesBGNBDsColumnsAndLetsOneTimeBuyersLeave() throws {
        let m = try session.query("mbgnbd")
        let b = try session.query("bgnbd")
        XCTAssertEqual(m.columnNames, ["id", "frequency", "recency", "T", "spend", "p_alive", "expected_purchases"])
        XCTAssertEqual(m.schema, b.schema)
        XCTAssertEqual(m.rowCount, 2357)
        XCTAssertTrue((m.values("p_alive") + m.values("expected_purchases")).allSatisfy { $0.doubleValue?.isFinite == true })
        XCTAssertEqual(try session.query("bgnbd | where frequency == 0 and p_alive < 1 | count").strings("count"), ["0"])
        XCTAssertEqual(try session.query("mbgnbd | where frequency == 0 and p_alive < 1 | count").strings("count"), ["1411"], "every one-time buyer")
        // Customer 0010 over 39 weeks, from clubsh's own fit: lifetimes' figures to the fit's tolerance.
        let row = try session.query("mbgnbd horizon 39w | where id == 10")
        XCTAssertEqual(try XCTUnwrap(row.values("p_alive").first?.doubleValue), 0.389722977870403, accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(row.values("expected_purchases").first?.doubleValue), 0.15396601910445434, accuracy: 1e-5)
        let work = try session.runAll("mbgnbd").compactMap { output -> String? in
            if case .caption(let text) = output { return text }
            return nil
        }
        XCTAssertEqual(work.first, "MBG/NBD on 2,357 customers, in weeks, calibration to 1997-09-30: r = 0.5248, alpha = 6.1831, a = 0.8914, b = 1.6140; log-likelihood = -9582.14")
        // The fit is kept apart from BG/NBD's, per unit.
        XCTAssertNotNil(session.catalog.fits["mbgnbd 7.0"])
        XCTAssertNotNil(session.catalog.fits["bgnbd 7.0"])
        _ = try session.query("mbgnbd unit days")
        XCTAssertNotNil(session.catalog.fits["mbgnbd 1.0"])
    }

    func testNoRepeatPurchasersSaysSoPlainly() throws {
        let s = try makeSession(["t": "customer_id,date,amount\n1,2024-01-01,5\n2,2024-01-02,7\n"])
        try s.runAll("use t")
        XCTAssertEqual(s.error("mbgnbd")?.message, "no customer made a repeat purchase, so the MBG/NBD model cannot be fitted")
        XCTAssertEqual(s.error("mbgnbd unit months")?.message, "unknown unit `months`")
        XCTAssertEqual(s.error("mbgnbd horizon 0w")?.message, "`horizon` must be more than nothing and at most 100 years (5,214w or 1,200mo)")
        XCTAssertEqual(s.error("mbgnbd bins 3")?.message, "`mbgnbd` does not take `bins`")
    }

    /// Ctrl-C part-way through the fit stops it, keeps nothing, and the next run fits afresh.
    func testCtrlCStopsTheFit() throws {
        var polls = 0
        XCTAssertThrowsError(try summary().fitMBGNBD(isCancelled: { polls += 1; return polls > 5 }, at: here)) {
            XCTAssertEqual($0 as? Diagnostic, .interrupted)
        }
        session.isCancelled = { true }
        XCTAssertEqual(session.error("m = mbgnbd"), .interrupted)
        XCTAssertNil(session.catalog.fits["mbgnbd 7.0"], "an interrupted fit was kept")
        session.isCancelled = { false }
        XCTAssertEqual(session.error("m | count")?.message, "unknown table `m`")
        XCTAssertEqual(try session.query("mbgnbd | count").strings("count"), ["2357"])
    }

    /// A customer buying every day for four years among one-time buyers: the fit fails in one
    /// line. With some ordinary customers added it fits, and the daily buyer's expectations over
    /// up to 100 years, in days or weeks, are numbers, never NaN (BG/NBD's direct series
    /// overflows there).
    func testHostileDataGivesNumbersOrAnError() throws {
        let commands = ["mbgnbd", "mbgnbd unit days", "mbgnbd unit days horizon 100y", "mbgnbd horizon 5214w"]
        let alone = try makeSession(["t": hostileRepeatPurchases(ordinary: false)])
        try alone.runAll("use t")
        for command in commands {
            let message = try XCTUnwrap(alone.error(command)?.message, command)
            XCTAssertTrue(message.hasPrefix("the MBG/NBD fit did not converge after"), message)
        }
        let mixed = try makeSession(["t": hostileRepeatPurchases(ordinary: true)])
        try mixed.runAll("use t")
        for command in commands {
            let t = try mixed.query(command)
            XCTAssertEqual(t.rowCount, 89, command)
            XCTAssertTrue((t.values("p_alive") + t.values("expected_purchases")).allSatisfy { $0.doubleValue?.isFinite == true }, command)
        }
        XCTAssertGreaterThan(try XCTUnwrap(mixed.query("mbgnbd unit days horizon 100y | where customer_id == 1").values("expected_purchases").first?.doubleValue), 1000)
    }
}

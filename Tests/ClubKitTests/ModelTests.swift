import Foundation
import XCTest
@testable import ClubKit

/// BG/NBD and Gamma-Gamma on the CDNOW 1/10 sample (2,357 customers; the `lifetimes` package's
/// datasets/CDNOW_sample.txt) with the paper's 39-week calibration period, 1997-01-01 to 1997-09-30.
///
/// Reference values were computed independently in Python with scipy from the raw file:
/// x, t_x and T per customer from distinct purchase days (in days / 7), the log-likelihood from the
/// paper's equation 6 with `gammaln` and `logaddexp`, P(alive) from equation 13, and expected
/// purchases from equation 10 with `scipy.special.hyp2f1`.
final class ModelTests: XCTestCase {
    private var session: Session!

    override func setUpWithError() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/CDNOW_sample.txt").path
        session = Session()
        try session.runAll("""
        load "\(path)" as cal with delim whitespace, header false, date_format "yyyyMMdd", names (cust, id, day, cds, value)
        use cal (customer = id, date = day, amount = value) as_of 1997-09-30
        """)
    }

    private func summary() throws -> RepeatSummary {
        let (data, _) = try session.catalog.transactionData(for: "test", at: SourceLocation(line: 1, column: 1))
        return data.repeatSummary(unitDays: 7)
    }

    func testSummaryFollowsTheDefinitions() throws {
        let s = try summary()
        XCTAssertEqual(s.x.count, 2357)
        // Customer 0001 bought on 1997-01-01, 01-18 and 08-02: x = 2, t_x = 213 / 7, T = 272 / 7.
        XCTAssertEqual(s.x[0], 2)
        XCTAssertEqual(s.tx[0], 213.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(s.T[0], 272.0 / 7, accuracy: 1e-12)
        // Repeat purchase values 29.73 and 14.96: mean 22.345.
        XCTAssertEqual(s.repeatMean[0]!, 22.345, accuracy: 1e-12)
        XCTAssertEqual(s.x.filter { $0 > 0 }.count, 946)
    }

    func testLogLikelihoodAgainstIndependentValues() throws {
        let s = try summary()
        func total(_ m: BGNBD) -> Double { s.x.indices.reduce(0) { $0 + m.logLikelihood(x: s.x[$1], tx: s.tx[$1], T: s.T[$1]) } }
        XCTAssertEqual(total(BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)), -9582.430478013674, accuracy: 1e-7)
        XCTAssertEqual(total(BGNBD(r: 1, alpha: 1, a: 1, b: 1)), -13887.712624943744, accuracy: 1e-7)
        XCTAssertEqual(total(BGNBD(r: 0.5, alpha: 10, a: 2, b: 3)), -9758.347738262113, accuracy: 1e-7)
        // The grouped form the fit uses gives the same total.
        let grouped = BGNBDData(x: s.x, tx: s.tx, T: s.T)
        XCTAssertEqual(BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426).totalLogLikelihood(grouped), -9582.430478013674, accuracy: 1e-7)
        XCTAssertEqual(BGNBD(r: 0.5, alpha: 10, a: 2, b: 3).totalLogLikelihood(grouped), -9758.347738262113, accuracy: 1e-7)
        XCTAssertEqual(GammaGamma(p: 6.25, q: 3.74, v: 15.44).logLikelihood(x: 2, m: 22.345), -3.551189164139956, accuracy: 1e-10)
        XCTAssertEqual(GammaGamma(p: 1, q: 2, v: 3).logLikelihood(x: 5, m: 10), -4.936091501719794, accuracy: 1e-10)
    }

    /// `bgnbd params` and `gammagamma params`: the published fits as one-row tables a script reads.
    func testParamsAreOneRowTables() throws {
        let bg = try session.query("bgnbd params")
        XCTAssertEqual(bg.columnNames, ["unit", "r", "alpha", "a", "b", "log_likelihood", "customers"])
        XCTAssertEqual(bg.rowCount, 1)
        // Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = −9582.4; 2,357 customers.
        for (name, published) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
            XCTAssertEqual(try XCTUnwrap(bg.values(name).first?.doubleValue), published, accuracy: 0.0005, name)
        }
        XCTAssertEqual(try XCTUnwrap(bg.values("log_likelihood").first?.doubleValue), -9582.4, accuracy: 0.05)
        XCTAssertEqual(bg.strings("unit"), ["weeks"])
        XCTAssertEqual(bg.strings("customers"), ["2357"])
        // Fader & Hardie's Gamma-Gamma note: p = 6.25, q = 3.74, v = 15.44 on the 946 repeat customers.
        let gg = try session.query("gammagamma params")
        XCTAssertEqual(gg.columnNames, ["p", "q", "v", "log_likelihood", "customers"])
        XCTAssertEqual(try XCTUnwrap(gg.values("p").first?.doubleValue), 6.25, accuracy: 0.005)
        XCTAssertEqual(gg.strings("customers"), ["946"])
        XCTAssertEqual(try session.query("mbgnbd params").columnNames, bg.columnNames)
    }

    func testFitReproducesThePublishedParameters() throws {
        let (m, ll) = try summary().fitBGNBD(isCancelled: { false }, at: SourceLocation(line: 1, column: 1))
        // Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
        XCTAssertEqual(m.r, 0.243, accuracy: 0.0005)
        XCTAssertEqual(m.alpha, 4.414, accuracy: 0.0005)
        XCTAssertEqual(m.a, 0.793, accuracy: 0.0005)
        XCTAssertEqual(m.b, 2.426, accuracy: 0.0005)
        XCTAssertEqual(ll, -9582.4, accuracy: 0.05)
        let (g, _, n) = try summary().fitGammaGamma(isCancelled: { false }, at: SourceLocation(line: 1, column: 1))
        // Fader & Hardie's Gamma-Gamma note: p = 6.25, q = 3.74, v = 15.44 on the 946 repeat customers.
        XCTAssertEqual(n, 946)
        XCTAssertEqual(g.p, 6.25, accuracy: 0.005)
        XCTAssertEqual(g.q, 3.74, accuracy: 0.005)
        XCTAssertEqual(g.v, 15.44, accuracy: 0.005)
    }

    func testPAliveAndExpectedPurchases() {
        let m = BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        XCTAssertEqual(m.pAlive(x: 0, tx: 0, T: 272.0 / 7), 1, "a customer with no repeat purchases is alive by the model")
        XCTAssertEqual(m.pAlive(x: 0, tx: 0, T: 5), 1)
        XCTAssertEqual(m.pAlive(x: 2, tx: 213.0 / 7, T: 272.0 / 7), 0.7265897218354948, accuracy: 1e-12)
        XCTAssertEqual(m.expectedPurchases(39, x: 2, tx: 213.0 / 7, T: 272.0 / 7), 1.2261158061493334, accuracy: 1e-10)
        XCTAssertEqual(m.expectedPurchases(39, x: 0, tx: 0, T: 272.0 / 7), 0.19510966499308482, accuracy: 1e-10)
    }

    func testCommandsGiveTablesThatSegment() throws {
        try session.runAll("segment about_to_churn = bgnbd where p_alive < 0.3 and spend > 100")
        let members = try session.query("about_to_churn")
        XCTAssertGreaterThan(members.rowCount, 0)
        XCTAssertTrue(members.values("p_alive").allSatisfy { ($0.doubleValue ?? 1) < 0.3 })
        let g = try session.query("gammagamma | where frequency > 0 | count")
        XCTAssertEqual(g.strings("count"), ["946"])
        let clv = try session.query("clv model horizon 12mo discount 1%")
        XCTAssertEqual(clv.columnNames, ["id", "p_alive", "expected_purchases", "expected_spend", "clv"])
        XCTAssertTrue(clv.values("clv").allSatisfy { ($0.doubleValue ?? -1) >= 0 })
    }

    func testNoRepeatPurchasersSaysSoPlainly() throws {
        let s = try makeSession(["t": "customer_id,date,amount\n1,2024-01-01,5\n2,2024-01-02,7\n"])
        try s.runAll("use t")
        XCTAssertEqual(s.error("bgnbd")?.message, "no customer made a repeat purchase, so the BG/NBD model cannot be fitted")
        XCTAssertEqual(s.error("gammagamma")?.message, "Gamma-Gamma needs customers with repeat purchases of positive value; there are none")
    }

    /// A fit is kept while the transactions are unchanged, a failed one too: the next command
    /// that needs it fails at once, at its own place, and new data fits again.
    func testAFitIsKeptUntilTheTransactionsChange() throws {
        let s = try makeSession(["t": "customer_id,date,amount\n1,2024-01-01,5\n2,2024-01-02,7\n"])
        try s.runAll("use t")
        XCTAssertNotNil(s.error("bgnbd"))
        let kept = try XCTUnwrap(s.catalog.fits["bgnbd 7.0"]?.fit as? Result<(model: BGNBD, logLikelihood: Double), Diagnostic>)
        guard case .failure = kept else { return XCTFail("the failed fit was not kept") }
        let again = try XCTUnwrap(s.error("let x = 1\nclv model"))
        XCTAssertEqual(again.message, "no customer made a repeat purchase, so the BG/NBD model cannot be fitted")
        XCTAssertEqual([again.location.line, again.location.column], [2, 1])
        // Fitted on the sample's orders, the same fit serves `bgnbd` and `clv model`.
        _ = try session.query("bgnbd")
        let first = try XCTUnwrap(session.catalog.fits["bgnbd 7.0"])
        _ = try session.query("clv model horizon 6mo")
        XCTAssertEqual(session.catalog.fits["bgnbd 7.0"]?.inputs, first.inputs)
        XCTAssertEqual(session.catalog.fits.count, 2, "bgnbd in weeks and gammagamma")
    }

    /// One customer buying every day for four years among ordinary ones: the plain series for
    /// expected purchases overflowed to NaN over a 100-year horizon. Every figure is now a
    /// finite number, or the command says it cannot give one; never NaN in the table.
    func testHostileDataGivesNumbersOrAnError() throws {
        let mixed = try makeSession(["t": hostileRepeatPurchases(ordinary: true)])
        try mixed.runAll("use t")
        for command in ["bgnbd", "bgnbd unit days", "bgnbd unit days horizon 100y", "bgnbd horizon 5214w", "clv model unit days horizon 1200mo"] {
            do {
                let t = try mixed.query(command)
                XCTAssertEqual(t.rowCount, 89, command)
                let figures = t.columnNames.filter { ["p_alive", "expected_purchases", "clv"].contains($0) }.flatMap { t.values($0) }
                XCTAssertTrue(figures.allSatisfy { $0.doubleValue?.isFinite == true }, command)
            } catch {
                XCTAssertTrue(error.message.contains("too extreme") || error.message.contains("did not converge"), "\(command): \(error.message)")
            }
        }
        // The daily buyer, if the fit stands, expects purchases in the thousands over 100 years.
        if let t = try? mixed.query("bgnbd unit days horizon 100y | where customer_id == 1") {
            XCTAssertGreaterThan(try XCTUnwrap(t.values("expected_purchases").first?.doubleValue), 1000)
        }
    }
}

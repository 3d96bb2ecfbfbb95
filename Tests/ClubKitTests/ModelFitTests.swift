import Foundation
import XCTest
@testable import ClubKit

/// The pieces of the model fits: the digamma function, the analytic gradients of the BG/NBD,
/// MBG/NBD and Gamma-Gamma log-likelihoods, BFGS, the grouping of customers by (x, t_x, T), the
/// repeat summary of unsorted transactions and the per-customer figures computed per group.
final class ModelFitTests: XCTestCase {
    private var session: Session!
    private let here = SourceLocation(line: 1, column: 1)

    override func setUpWithError() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/CDNOW_sample.txt").path
        session = Session()
        try session.runAll("""
        load "\(path)" as cal with delim whitespace, header false, date_format "yyyyMMdd", names (cust, id, day, cds, value)
        use cal (customer = id, date = day, amount = value) as_of 1997-09-30
        """)
    }

    private func summary(unitDays: Double = 7) throws -> RepeatSummary {
        let (data, _) = try session.catalog.transactionData(for: "test", at: here)
        return data.repeatSummary(unitDays: unitDays)
    }

    /// Values from scipy.special.digamma.
    func testDigamma() {
        let expected: [(Double, Double)] = [(1e-3, -1000.5755719318103), (0.5, -1.9635100260214235), (1, -0.5772156649015329),
                                            (2.426, 0.6662079149687962), (5.999, 1.7059363290792255), (6, 1.7061176684318005),
                                            (10, 2.251752589066721), (123.456, 4.811829323828985), (1e6, 13.81551005796419)]
        for (x, psi) in expected {
            XCTAssertEqual(digamma(x), psi, accuracy: 4e-15 * max(1, abs(psi)), "ψ(\(x))")
        }
        XCTAssertTrue(digamma(0).isNaN)
        XCTAssertTrue(digamma(-1).isNaN)
        XCTAssertTrue(digamma(.nan).isNaN)
    }

    /// Five-point central differences of the log-likelihood, step h = 1e-4·θ in each parameter θ
    /// ([−f(θ+2h) + 8 f(θ+h) − 8 f(θ−h) + f(θ−2h)] / 12h, error of order h⁴), against the analytic
    /// gradient, at the published fit and at points far from it. The sums' rounding (about 1e-10
    /// of terms in the hundreds of thousands) leaves the differences good to about 1e-6.
    private func checkGradient(_ parameters: [Double], _ f: ([Double]) -> (value: Double, gradient: [Double]),
                               file: StaticString = #filePath, line: UInt = #line) {
        let (_, gradient) = f(parameters)
        for i in parameters.indices {
            let h = 1e-4 * parameters[i]
            func at(_ k: Double) -> Double {
                var p = parameters
                p[i] += k * h
                return f(p).value
            }
            let numeric = (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h)
            XCTAssertEqual(gradient[i], numeric, accuracy: 1e-5 * max(1, abs(numeric)), "∂/∂θ\(i) at \(parameters)", file: file, line: line)
        }
    }

    func testGradientsMatchFiniteDifferences() throws {
        let groups = try summary().groups
        for p in [[0.243, 4.414, 0.793, 2.426], [1, 1, 1, 1], [0.5, 10, 2, 3], [3, 0.2, 0.05, 40]] {
            checkGradient(p) { BGNBD(r: $0[0], alpha: $0[1], a: $0[2], b: $0[3]).totalLogLikelihoodAndGradient(groups) }
            checkGradient(p) { MBGNBD(r: $0[0], alpha: $0[1], a: $0[2], b: $0[3]).totalLogLikelihoodAndGradient(groups) }
        }
        let s = try summary()
        let data = GammaGammaData(s.x.indices.compactMap { s.x[$0] > 0 ? (s.x[$0], s.repeatMean[$0]!) : nil })
        for p in [[6.25, 3.74, 15.44], [1, 2, 3], [0.3, 12, 0.5]] {
            checkGradient(p) { GammaGamma(p: $0[0], q: $0[1], v: $0[2]).totalLogLikelihoodAndGradient(data) }
        }
    }

    /// The grouped value is the sum of the per-customer log-likelihoods, which the existing
    /// tests pin against independent values; here for a Gamma-Gamma point as well.
    func testGroupedValuesAreThePerCustomerSums() throws {
        let s = try summary()
        let rows = s.x.indices.compactMap { s.x[$0] > 0 ? (x: s.x[$0], m: s.repeatMean[$0]!) : nil }
        let g = GammaGamma(p: 6.25, q: 3.74, v: 15.44)
        let perCustomer = rows.reduce(0) { $0 + g.logLikelihood(x: $1.x, m: $1.m) }
        XCTAssertEqual(g.totalLogLikelihood(GammaGammaData(rows)), perCustomer, accuracy: 1e-8 * abs(perCustomer))
        let m = MBGNBD(r: 0.5, alpha: 6, a: 0.9, b: 1.6)
        let sum = s.x.indices.reduce(0) { $0 + m.logLikelihood(x: s.x[$1], tx: s.tx[$1], T: s.T[$1]) }
        XCTAssertEqual(m.totalLogLikelihood(s.groups), sum, accuracy: 1e-7)
    }

    /// Rosenbrock's function, (1 − u)² + 100 (v − u²)², from (−1.2, 1): the minimum is at (1, 1).
    func testBFGSFindsRosenbrocksMinimum() {
        let result = BFGS.minimize({ p in
            let (u, v) = (p[0], p[1])
            return ((1 - u) * (1 - u) + 100 * (v - u * u) * (v - u * u), [-2 * (1 - u) - 400 * u * (v - u * u), 200 * (v - u * u)])
        }, from: [-1.2, 1])
        XCTAssertTrue(result.converged)
        XCTAssertEqual(result.point[0], 1, accuracy: 1e-8)
        XCTAssertEqual(result.point[1], 1, accuracy: 1e-8)
        XCTAssertLessThan(result.evaluations, 200)
        // A function that only falls toward infinity has no minimum to report.
        let unbounded = BFGS.minimize({ p in (-p[0], [-1]) }, from: [0], maxEvaluations: 100)
        XCTAssertFalse(unbounded.converged)
        // Nowhere finite: no minimum either.
        XCTAssertFalse(BFGS.minimize({ _ in (.nan, [0]) }, from: [0]).converged)
    }

    /// Every customer's group holds their own (x, t_x, T); groups and distinct values come in
    /// order of first appearance, and the counts add up.
    func testGroupsHoldEachCustomersValues() {
        let x: [Double] = [2, 0, 2, 1, 0, 2], tx: [Double] = [3, 0, 3, 1, 0, 3], T: [Double] = [5, 4, 5, 5, 4, 9]
        let g = BGNBDData(x: x, tx: tx, T: T)
        XCTAssertEqual(g.group, [0, 1, 0, 2, 1, 3])
        XCTAssertEqual(g.count, [2, 2, 1, 1])
        XCTAssertEqual(g.distinctX, [2, 0, 1])
        XCTAssertEqual(g.countOfX, [3, 2, 1])
        XCTAssertEqual(g.distinctT, [5, 4, 9])
        XCTAssertEqual(g.distinctTx, [3, 0, 1])
        for c in x.indices {
            let k = Int(g.group[c])
            XCTAssertEqual([g.distinctX[g.xIndex[k]], g.distinctTx[g.txIndex[k]], g.distinctT[g.tIndex[k]]], [x[c], tx[c], T[c]])
        }
        let empty = BGNBDData(x: [], tx: [], T: [])
        XCTAssertEqual(empty.count, [])
        XCTAssertEqual(empty.group, [])
    }

    /// Transactions out of date order, several on one day: customer 7 bought on 01-10 (twice,
    /// 5 + 1), 01-03 (2) and 01-24 (4); as of 01-31 in weeks: x = 2 (three distinct days),
    /// t_x = 21 / 7, T = 28 / 7, repeat mean (5 + 1 + 4) / 2 = 5, spend 12. Customer 8 bought
    /// once: x = 0, t_x = 0, T = 14 / 7.
    func testRepeatSummaryOfUnsortedTransactions() throws {
        let s = try makeSession(["t": "customer_id,date,amount\n7,2024-01-10,5\n8,2024-01-17,3\n7,2024-01-03,2\n7,2024-01-24,4\n7,2024-01-10,1\n"])
        try s.runAll("use t as_of 2024-01-31")
        let (data, _) = try s.catalog.transactionData(for: "test", at: here)
        let r = data.repeatSummary(unitDays: 7)
        XCTAssertEqual(r.x, [2, 0])
        XCTAssertEqual(r.tx, [3, 0])
        XCTAssertEqual(r.T, [4, 2])
        XCTAssertEqual(r.repeatMean[0], 5)
        XCTAssertNil(r.repeatMean[1])
        XCTAssertEqual(r.spend, [12, 3])
        XCTAssertEqual(r.period, 4)
        XCTAssertEqual(r.groups.group, [0, 1])
    }

    /// The figures computed per group and per (x, T) pair are each customer's own, as the
    /// model's per-customer functions give them.
    func testPerGroupFiguresAreEachCustomersOwn() throws {
        let s = try summary()
        for m in [BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426) as any RepeatPurchaseModel, MBGNBD(r: 0.525, alpha: 6.183, a: 0.891, b: 1.614)] {
            let (divisor, pair, ifAlive) = s.expectations(m, horizons: [39, 52])
            for c in s.x.indices {
                XCTAssertEqual(1 / divisor[c], m.pAlive(x: s.x[c], tx: s.tx[c], T: s.T[c]), "customer \(c)")
                for (j, t) in [39.0, 52].enumerated() {
                    XCTAssertEqual(ifAlive[Int(pair[c]) * 2 + j], m.expectedPurchasesIfAlive(t, x: s.x[c], T: s.T[c]), "customer \(c) over \(t)")
                }
            }
        }
    }

    /// Times in days are seven times those in weeks, so with α seven times as large each
    /// customer's likelihood is the same up to the factor 7^−x (α^r / (α+T)^(r+x) and
    /// (α+t_x)^−(r+x) scale alike): the fits agree, α scaled by 7, and the log-likelihoods differ
    /// by Σ x · ln 7.
    func testTheFitInDaysIsTheFitInWeeks() throws {
        let (weeks, weeksLL) = try summary(unitDays: 7).fitBGNBD(isCancelled: { false }, at: here)
        let s = try summary(unitDays: 1)
        let (days, daysLL) = try s.fitBGNBD(isCancelled: { false }, at: here)
        XCTAssertEqual(days.alpha, 7 * weeks.alpha, accuracy: 1e-6 * days.alpha)
        XCTAssertEqual(days.r, weeks.r, accuracy: 1e-6 * weeks.r)
        XCTAssertEqual(days.a, weeks.a, accuracy: 1e-6 * weeks.a)
        XCTAssertEqual(days.b, weeks.b, accuracy: 1e-6 * weeks.b)
        XCTAssertEqual(daysLL, weeksLL - s.x.reduce(0, +) * log(7), accuracy: 1e-6)
    }
}

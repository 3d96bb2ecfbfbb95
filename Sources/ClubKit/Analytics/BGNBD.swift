import Foundation

/// The BG/NBD model of purchasing and drop-out (Fader, Hardie & Lee 2005, "Counting Your
/// Customers the Easy Way", Marketing Science 24(2)). Each customer is summarised by
/// x (repeat purchase days), t_x (time from the first to the last purchase) and T (time from the
/// first purchase to the end of calibration).
struct BGNBD: RepeatPurchaseModel {
    var r: Double, alpha: Double, a: Double, b: Double

    /// One customer's log-likelihood (the paper's equation 6), computed with log-gamma and
    /// log-sum-exp:
    /// ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
    ///        + ln[ (α+T)^−(r+x) + δ(x>0) · a / (b+x−1) · (α+t_x)^−(r+x) ]
    func logLikelihood(x: Double, tx: Double, T: Double) -> Double {
        let a1 = lgamma(r + x) - lgamma(r) + r * log(alpha)
        let a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x)
        let a3 = -(r + x) * log(alpha + T)
        guard x > 0 else { return a1 + a2 + a3 }
        let a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + tx)
        let m = max(a3, a4)
        return a1 + a2 + m + log(exp(a3 - m) + exp(a4 - m))
    }

    /// The total log-likelihood of customers grouped as (x, t_x, T, count) — the fit's hot loop.
    /// The terms that depend only on x are computed once per distinct x, the logarithms of
    /// α + T and α + t_x once per distinct T and t_x, and the log-sum-exp of the last two terms
    /// as max + log1p(exp(−|difference|)). The groups are summed in fixed blocks, on all cores,
    /// and the blocks' sums added in order, so the total does not depend on the core count.
    func totalLogLikelihood(_ data: BGNBDData) -> Double {
        let logAlpha: Double = log(alpha), logA: Double = log(a)
        let lgR: Double = lgamma(r), lgB: Double = lgamma(b), lgAB: Double = lgamma(a + b)
        var perX = [Double](repeating: 0, count: data.distinctX.count), dropTerm = [Double](repeating: 0, count: data.distinctX.count)
        var total = 0.0
        for (k, x) in data.distinctX.enumerated() {
            perX[k] = lgamma(r + x) - lgR + r * logAlpha + lgAB + lgamma(b + x) - lgB - lgamma(a + b + x)
            dropTerm[k] = x > 0 ? logA - log(b + x - 1) : -.infinity
            total += data.countOfX[k] * perX[k]
        }
        return data.addingLastTerms(to: total, r: r, alpha: alpha, dropTerm: dropTerm)
    }

    /// Expected purchases in (T, T + t] for a customer still alive: equation 10 without its
    /// last factor, (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)].
    /// That is MBG/NBD's expression with b − 1 in place of b, so it is computed the same way
    /// (Euler's transformation, no overflow, finite at a = 1). It depends on x and T only, so a
    /// whole table's customers share few values. NaN only for parameters no fit gives, which
    /// `bgnbd` refuses.
    func expectedPurchasesIfAlive(_ t: Double, x: Double, T: Double) -> Double {
        MBGNBD(r: r, alpha: alpha, a: a, b: b - 1).expectedPurchasesIfAlive(t, x: x, T: T)
    }

    /// The odds term a / (b+x−1) · ((α+T)/(α+t_x))^(r+x), 0 for x = 0.
    private func dropOdds(x: Double, tx: Double, T: Double) -> Double {
        guard x > 0 else { return 0 }
        return exp(log(a) - log(b + x - 1) + (r + x) * (log(alpha + T) - log(alpha + tx)))
    }

    /// P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) (equation 13).
    func pAlive(x: Double, tx: Double, T: Double) -> Double {
        1 / (1 + dropOdds(x: x, tx: tx, T: T))
    }

    /// Expected purchases in (T, T + t] (equation 10).
    func expectedPurchases(_ t: Double, x: Double, tx: Double, T: Double) -> Double {
        expectedPurchasesIfAlive(t, x: x, T: T) / aliveDivisor(x: x, tx: tx, T: T)
    }

    /// 1 / P(alive): what turns expected purchases if alive into expected purchases.
    func aliveDivisor(x: Double, tx: Double, T: Double) -> Double {
        1 + dropOdds(x: x, tx: tx, T: T)
    }
}

/// The modified BG/NBD model, MBG/NBD (Batislam, Denizel & Filiztekin 2007, "Empirical validation
/// and comparison of models for customer base analysis", International Journal of Research in
/// Marketing 24(3); the conditional expectation as corrected by Wagner & Hoppe 2008, "Erratum on
/// the MBG/NBD model", IJRM 25(3)). BG/NBD lets a customer drop out only after a repeat
/// purchase, so one without repeats is alive for certain; MBG/NBD lets every purchase, the first
/// included, be the last, so a one-time buyer quiet for long is probably gone. x, t_x and T are
/// BG/NBD's; the formulas are those of the `lifetimes` package's ModifiedBetaGeoFitter.
struct MBGNBD: RepeatPurchaseModel {
    var r: Double, alpha: Double, a: Double, b: Double

    /// One customer's log-likelihood, with log-gamma and log-sum-exp:
    /// ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b)
    ///        + ln[ (α+T)^−(r+x) + a / (b+x) · (α+t_x)^−(r+x) ]
    /// (alive through T, or dropped out right after the purchase at t_x, which for x = 0 is the
    /// first purchase).
    func logLikelihood(x: Double, tx: Double, T: Double) -> Double {
        let a1 = lgamma(r + x) - lgamma(r) + r * log(alpha)
        let a2 = lgamma(a + b) + lgamma(b + x + 1) - lgamma(b) - lgamma(a + b + x + 1)
        let a3 = -(r + x) * log(alpha + T)
        let a4 = log(a) - log(b + x) - (r + x) * log(alpha + tx)
        return a1 + a2 + max(a3, a4) + log1p(exp(-abs(a3 - a4)))
    }

    /// The total log-likelihood of customers grouped as (x, t_x, T, count) — the fit's hot loop,
    /// summed as `BGNBD.totalLogLikelihood` sums it: the terms in x alone once per distinct x.
    func totalLogLikelihood(_ data: BGNBDData) -> Double {
        let logAlpha: Double = log(alpha), logA: Double = log(a)
        let lgR: Double = lgamma(r), lgB: Double = lgamma(b), lgAB: Double = lgamma(a + b)
        var dropTerm = [Double](repeating: 0, count: data.distinctX.count)
        var total = 0.0
        for (k, x) in data.distinctX.enumerated() {
            total += data.countOfX[k] * (lgamma(r + x) - lgR + r * logAlpha + lgAB + lgamma(b + x + 1) - lgB - lgamma(a + b + x + 1))
            dropTerm[k] = logA - log(b + x)
        }
        return data.addingLastTerms(to: total, r: r, alpha: alpha, dropTerm: dropTerm)
    }

    /// ln of the odds of having dropped out against being alive:
    /// ln[a / (b+x)] + (r+x) · ln[(α+T) / (α+t_x)].
    private func logDropOdds(x: Double, tx: Double, T: Double) -> Double {
        log(a) - log(b + x) + (r + x) * (log(alpha + T) - log(alpha + tx))
    }

    /// P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)) (Batislam et al. 2007,
    /// appendix A, eq. 5): below 1 for every customer, one-time buyers included.
    func pAlive(x: Double, tx: Double, T: Double) -> Double {
        1 / aliveDivisor(x: x, tx: tx, T: T)
    }

    /// 1 / P(alive): what turns expected purchases if alive into expected purchases.
    func aliveDivisor(x: Double, tx: Double, T: Double) -> Double {
        1 + exp(logDropOdds(x: x, tx: tx, T: T))
    }

    /// Expected purchases in (T, T + t] (Wagner & Hoppe 2008; lifetimes'
    /// conditional_expected_number_of_purchases_up_to_time).
    func expectedPurchases(_ t: Double, x: Double, tx: Double, T: Double) -> Double {
        expectedPurchasesIfAlive(t, x: x, T: T) / aliveDivisor(x: x, tx: tx, T: T)
    }

    /// Expected purchases in (T, T + t] for a customer still alive, which depends on x and T only:
    /// (a+b+x)/(a−1) · [1 − (1−z)^(r+x) · ₂F₁(r+x, b+x+1; a+b+x; z)],  z = t / (α+T+t).
    /// The series' terms fall like k^(r+x−a) z^k, slowly for frequent buyers and long horizons,
    /// and the bracket cancels as a nears 1. Euler's transformation ₂F₁(A, B; C; z) =
    /// (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z) gives the same value as
    /// (a+b+x) · [(1 − (1−z)^(a−1)) / (a−1) − (1−z)^(a−1) · Σ_{k≥1} (a+b−r)_k (a)_(k−1) z^k / ((a+b+x)_k k!)],
    /// whose terms fall like k^(a−r−x−2) z^k and which needs no division by a − 1 (its limit at
    /// a = 1 is −ln(1−z) − Σ). The direct form is used where it is the faster, r + x < a − 1,
    /// summed in log space so that it cannot overflow.
    func expectedPurchasesIfAlive(_ t: Double, x: Double, T: Double) -> Double {
        let z = t / (alpha + T + t)
        let logRest = -log1p(t / (alpha + T))   // ln(1 − z)
        let value: Double
        if r + x < a - 1 {
            let logProduct = (r + x) * logRest + logHypergeometric2F1(r + x, b + x + 1, a + b + x, z)
            value = (a + b + x) / (a - 1) * -expm1(logProduct)
        } else {
            let shrink = a - 1
            let first = shrink == 0 ? -logRest : -expm1(shrink * logRest) / shrink
            var term = (a + b - r) / (a + b + x) * z, sum = term
            for k in 1..<100_000 {
                let kd = Double(k)
                term *= (a + b - r + kd) * (a + kd - 1) / ((a + b + x + kd) * (kd + 1)) * z
                sum += term
                if abs(term) <= 1e-16 * abs(sum) { break }
            }
            value = (a + b + x) * (first - exp(shrink * logRest) * sum)
        }
        if value >= 0 && value.isFinite { return value }
        // Rounding can leave a tiny negative where the true value is a tiny positive; anything
        // else (parameters far outside any fit to purchase data) is NaN, which `mbgnbd` refuses.
        return value > -1e-12 ? 0 : .nan
    }
}

/// Customers grouped by identical (x, t_x, T) for fitting, with the distinct values of x, T and
/// t_x and each group's index into them.
struct BGNBDData {
    /// Groups per block of the likelihood sum.
    static let block = 1 << 16
    var distinctX: [Double] = [], countOfX: [Double] = []
    var distinctT: [Double] = [], distinctTx: [Double] = []
    var xIndex: [Int] = [], tIndex: [Int] = [], txIndex: [Int] = []
    var count: [Double] = []

    private struct Key: Hashable { var x, tx, T: Double }

    init(x: [Double], tx: [Double], T: [Double]) {
        var groups: [Key: Int] = [:]
        var xPosition: [Double: Int] = [:], tPosition: [Double: Int] = [:], txPosition: [Double: Int] = [:]
        func position(_ v: Double, _ positions: inout [Double: Int], _ values: inout [Double]) -> Int {
            if let known = positions[v] { return known }
            positions[v] = values.count
            values.append(v)
            return values.count - 1
        }
        for i in x.indices {
            let key = Key(x: x[i], tx: tx[i], T: T[i])
            if let g = groups[key] { count[g] += 1; continue }
            groups[key] = xIndex.count
            let k = position(x[i], &xPosition, &distinctX)
            if k == countOfX.count { countOfX.append(0) }
            xIndex.append(k)
            tIndex.append(position(T[i], &tPosition, &distinctT))
            txIndex.append(position(tx[i], &txPosition, &distinctTx))
            count.append(1)
        }
        for (g, k) in xIndex.enumerated() { countOfX[k] += count[g] }
    }

    /// `total` plus, over the groups, count · ln[(α+T)^−(r+x) + e^dropTerm(x) · (α+t_x)^−(r+x)]:
    /// the last term of the BG/NBD and MBG/NBD log-likelihoods. `dropTerm` is indexed like
    /// `distinctX`; −∞ leaves the second part out. The logarithms of α + T and α + t_x are taken
    /// once per distinct T and t_x, the log-sum-exp as max + log1p(exp(−|difference|)). The
    /// groups are summed in fixed blocks, on all cores, and the blocks' sums added to `total` in
    /// order, so the result does not depend on the core count.
    func addingLastTerms(to total: Double, r: Double, alpha: Double, dropTerm: [Double]) -> Double {
        let data = self
        let logT = data.distinctT.map { log(alpha + $0) }, logTx = data.distinctTx.map { log(alpha + $0) }
        let groups = data.xIndex.count
        let blocks = (groups + BGNBDData.block - 1) / BGNBDData.block
        let sums = Parallel.map(max(blocks, 1)) { block -> Double in
            var sum = 0.0
            let end = min(groups, (block + 1) * BGNBDData.block)
            for i in (block * BGNBDData.block)..<end {
                let k = data.xIndex[i], x = data.distinctX[k]
                let a3 = -(r + x) * logT[data.tIndex[i]]
                guard dropTerm[k] > -.infinity else { sum += data.count[i] * a3; continue }
                let a4 = dropTerm[k] - (r + x) * logTx[data.txIndex[i]]
                sum += data.count[i] * (max(a3, a4) + log1p(exp(-abs(a3 - a4))))
            }
            return sum
        }
        var total = total
        for partial in sums { total += partial }
        return total
    }
}

/// Customers with repeat purchases for the Gamma-Gamma fit: x and the mean repeat value m per
/// customer, x's distinct values with their counts, and the sums of log m and x·log m.
struct GammaGammaData {
    var x: [Double] = [], m: [Double] = []
    var distinctX: [Double] = [], countOfX: [Double] = []
    var sumLogM = 0.0, sumXLogM = 0.0

    init(_ rows: [(x: Double, m: Double)]) {
        var position: [Double: Int] = [:]
        var logM = CompensatedSum(), xLogM = CompensatedSum()
        for (x, m) in rows {
            self.x.append(x)
            self.m.append(m)
            if let k = position[x] { countOfX[k] += 1 } else {
                position[x] = distinctX.count
                distinctX.append(x)
                countOfX.append(1)
            }
            logM.add(log(m))
            xLogM.add(x * log(m))
        }
        sumLogM = logM.value
        sumXLogM = xLogM.value
    }
}

/// The Gauss hypergeometric function ₂F₁(a, b; c; z) for |z| < 1 by its power series.
func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
    var term = 1.0, sum = 1.0
    for k in 0..<100_000 {
        let kd = Double(k)
        term *= (a + kd) * (b + kd) / ((c + kd) * (kd + 1)) * z
        sum += term
        if abs(term) <= 1e-15 * abs(sum) { break }
    }
    return sum
}

/// ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, by the power series, whose terms are then
/// all positive: the sum is scaled down by e^600 whenever it passes e^600, so it cannot overflow.
func logHypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
    let scale = exp(600.0)
    var term = 1.0, sum = 1.0, logScale = 0.0
    for k in 0..<100_000 {
        let kd = Double(k)
        term *= (a + kd) * (b + kd) / ((c + kd) * (kd + 1)) * z
        sum += term
        if sum > scale {
            sum /= scale
            term /= scale
            logScale += 600
        }
        if term <= 1e-16 * sum { break }
    }
    return logScale + log(sum)
}

/// The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV: Using
/// Iso-value Curves for Customer Base Analysis"; Fader & Hardie, "The Gamma-Gamma Model of
/// Monetary Value", 2013). For a customer with x repeat purchases of mean value m:
/// ln L = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m + px ln x − (px+q) ln(v + x m).
struct GammaGamma {
    var p: Double, q: Double, v: Double

    func logLikelihood(x: Double, m: Double) -> Double {
        lgamma(p * x + q) - lgamma(p * x) - lgamma(q) + q * log(v) + (p * x - 1) * log(m) + p * x * log(x) - (p * x + q) * log(v + x * m)
    }

    /// The sum of `logLikelihood` over `data`'s customers, rearranged for the fit: the terms in
    /// x alone once per distinct x, Σ x·log m and Σ log m once for all, leaving one logarithm
    /// per customer, summed in fixed blocks on all cores (the blocks' sums added in order).
    func totalLogLikelihood(_ data: GammaGammaData) -> Double {
        let lgQ: Double = lgamma(q), logV: Double = log(v)
        var total = p * data.sumXLogM - data.sumLogM
        for (k, x) in data.distinctX.enumerated() {
            total += data.countOfX[k] * (lgamma(p * x + q) - lgamma(p * x) - lgQ + q * logV + p * x * log(x))
        }
        let n = data.x.count
        let sums = Parallel.map(max((n + BGNBDData.block - 1) / BGNBDData.block, 1)) { block -> Double in
            var sum = 0.0
            for i in (block * BGNBDData.block)..<min(n, (block + 1) * BGNBDData.block) {
                let x = data.x[i]
                sum -= (p * x + q) * log(v + x * data.m[i])
            }
            return sum
        }
        for partial in sums { total += partial }
        return total
    }

    /// E[M | x, m] = p (v + x m) / (p x + q − 1); for x = 0, the population mean p v / (q − 1).
    func expectedSpend(x: Double, m: Double) -> Double {
        x > 0 ? p * (v + x * m) / (p * x + q - 1) : p * v / (q - 1)
    }
}

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

    /// The total log-likelihood of customers grouped as (x, t_x, T, count): `BGNBDData.logLikelihood`
    /// with the beta terms of equation 6 and no drop-out without a repeat purchase.
    func totalLogLikelihood(_ data: BGNBDData) -> Double {
        totalLogLikelihoodAndGradient(data).value
    }

    /// The total log-likelihood and its gradient in (r, α, a, b), for the fit.
    func totalLogLikelihoodAndGradient(_ data: BGNBDData) -> (value: Double, gradient: [Double]) {
        data.logLikelihood(r: r, alpha: alpha, a: a, b: b, shift: 0, oneTimeBuyersDrop: false)
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

    /// The total log-likelihood of customers grouped as (x, t_x, T, count): `BGNBDData.logLikelihood`
    /// with B(a, b+x+1), Γ(a+b+x+1) and a drop-out after every purchase, the first included.
    func totalLogLikelihood(_ data: BGNBDData) -> Double {
        totalLogLikelihoodAndGradient(data).value
    }

    /// The total log-likelihood and its gradient in (r, α, a, b), for the fit.
    func totalLogLikelihoodAndGradient(_ data: BGNBDData) -> (value: Double, gradient: [Double]) {
        data.logLikelihood(r: r, alpha: alpha, a: a, b: b, shift: 1, oneTimeBuyersDrop: true)
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
/// t_x and each group's index into them, and each customer's group.
struct BGNBDData {
    /// Groups per block of the likelihood sum.
    static let block = 1 << 16
    var distinctX: [Double] = [], countOfX: [Double] = []
    var distinctT: [Double] = [], distinctTx: [Double] = []
    var xIndex: [Int] = [], tIndex: [Int] = [], txIndex: [Int] = []
    var count: [Double] = []
    /// Each customer's group (an index into `xIndex`, `count`, …).
    var group: [Int32] = []

    /// Groups in order of their first customer, and the distinct values of x, T and t_x in order
    /// of their first group: each column's values are numbered first (one pass each), then the
    /// triples of numbers are grouped.
    init(x: [Double], tx: [Double], T: [Double]) {
        let n = x.count
        let (ax, cx) = Grouping.atoms(Column(.double(x)), isCancelled: { false })
        let (atx, ctx) = Grouping.atoms(Column(.double(tx)), isCancelled: { false })
        let (aT, cT) = Grouping.atoms(Column(.double(T)), isCancelled: { false })
        let groups = Grouping(columns: [Column(.int(ax)), Column(.int(atx)), Column(.int(aT))], n: n)
        group = n == 0 ? [] : groups.ids
        var xPosition = [Int](repeating: -1, count: cx), txPosition = [Int](repeating: -1, count: ctx), tPosition = [Int](repeating: -1, count: cT)
        func position(_ atom: Int64, _ v: Double, _ positions: inout [Int], _ values: inout [Double]) -> Int {
            let known = positions[Int(atom)]
            if known >= 0 { return known }
            positions[Int(atom)] = values.count
            values.append(v)
            return values.count - 1
        }
        let groupCount = n == 0 ? 0 : groups.count
        xIndex.reserveCapacity(groupCount)
        tIndex.reserveCapacity(groupCount)
        txIndex.reserveCapacity(groupCount)
        for first in groups.firstRow.prefix(groupCount) {
            let i = Int(first)
            xIndex.append(position(ax[i], x[i], &xPosition, &distinctX))
            tIndex.append(position(aT[i], T[i], &tPosition, &distinctT))
            txIndex.append(position(atx[i], tx[i], &txPosition, &distinctTx))
        }
        count = [Double](repeating: 0, count: groupCount)
        for g in group { count[Int(g)] += 1 }
        countOfX = [Double](repeating: 0, count: distinctX.count)
        for (g, k) in xIndex.enumerated() { countOfX[k] += count[g] }
    }

    /// The BG/NBD (`shift` 0) or MBG/NBD (`shift` 1) log-likelihood of the groups and its
    /// gradient in (r, α, a, b):
    /// Σ count · { ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+shift) − ln B(a, b)
    ///             + ln[ (α+T)^−(r+x) + δ · a/(b+x−1+shift) · (α+t_x)^−(r+x) ] },
    /// δ = 1 where x > 0 or `oneTimeBuyersDrop`. The terms in x alone are computed once per
    /// distinct x (their derivatives with the digamma function ψ), the logarithms and
    /// reciprocals of α + T and α + t_x once per distinct T and t_x. Per group, the log-sum-exp
    /// is max + ln(1 + e^−|difference|), and the share w of its second part carries the gradient:
    /// ∂/∂r = −(1−w) ln(α+T) − w ln(α+t_x), ∂/∂α = −(r+x) [(1−w)/(α+T) + w/(α+t_x)], and
    /// w · ∂(ln a − ln(b+x−1+shift)) for a and b, summed per x. The groups are summed in fixed
    /// blocks on all cores and the blocks' sums added in order, so the result does not depend
    /// on the core count.
    func logLikelihood(r: Double, alpha: Double, a: Double, b: Double, shift: Double, oneTimeBuyersDrop: Bool) -> (value: Double, gradient: [Double]) {
        let data = self
        let logAlpha: Double = log(alpha), logA: Double = log(a)
        let lgR: Double = lgamma(r), lgB: Double = lgamma(b), lgAB: Double = lgamma(a + b)
        let psiR = digamma(r), psiB = digamma(b), psiAB = digamma(a + b)
        let kinds = distinctX.count
        var dropTerm = [Double](repeating: -.infinity, count: kinds), dropSlopeB = [Double](repeating: 0, count: kinds)
        var total = 0.0, gradient = [0.0, 0.0, 0.0, 0.0]
        for (k, x) in distinctX.enumerated() {
            let c = countOfX[k], psiABX = digamma(a + b + x + shift)
            total += c * (lgamma(r + x) - lgR + r * logAlpha + lgAB + lgamma(b + x + shift) - lgB - lgamma(a + b + x + shift))
            gradient[0] += c * (digamma(r + x) - psiR + logAlpha)
            gradient[1] += c * r / alpha
            gradient[2] += c * (psiAB - psiABX)
            gradient[3] += c * (psiAB + digamma(b + x + shift) - psiB - psiABX)
            if x > 0 || oneTimeBuyersDrop {
                dropTerm[k] = logA - log(b + x - 1 + shift)
                dropSlopeB[k] = -1 / (b + x - 1 + shift)
            }
        }
        let logT = distinctT.map { log(alpha + $0) }, logTx = distinctTx.map { log(alpha + $0) }
        let inverseT = distinctT.map { 1 / (alpha + $0) }, inverseTx = distinctTx.map { 1 / (alpha + $0) }
        let groups = xIndex.count
        let blocks = (groups + BGNBDData.block - 1) / BGNBDData.block
        // Per block: the value, ∂/∂r, ∂/∂α, then Σ count · w per distinct x.
        let sums = Parallel.map(max(blocks, 1)) { block -> [Double] in
            var value = 0.0, dr = 0.0, dAlpha = 0.0
            var share = [Double](repeating: 0, count: kinds)
            let end = min(groups, (block + 1) * BGNBDData.block)
            for i in (block * BGNBDData.block)..<end {
                let k = data.xIndex[i], rx = r + data.distinctX[k], c = data.count[i]
                let t = data.tIndex[i], lt = logT[t]
                let a3 = -rx * lt
                guard dropTerm[k] > -.infinity else {
                    value += c * a3
                    dr -= c * lt
                    dAlpha -= c * rx * inverseT[t]
                    continue
                }
                let u = data.txIndex[i], ltx = logTx[u]
                let a4 = dropTerm[k] - rx * ltx
                let e = exp(-abs(a3 - a4)), w = (a4 > a3 ? 1 : e) / (1 + e)
                value += c * (max(a3, a4) + log(1 + e))
                dr -= c * (lt + w * (ltx - lt))
                dAlpha -= c * rx * (inverseT[t] + w * (inverseTx[u] - inverseT[t]))
                share[k] += c * w
            }
            return [value, dr, dAlpha] + share
        }
        for partial in sums {
            total += partial[0]
            gradient[0] += partial[1]
            gradient[1] += partial[2]
            for k in 0..<kinds where partial[3 + k] != 0 {
                gradient[2] += partial[3 + k] / a
                gradient[3] += partial[3 + k] * dropSlopeB[k]
            }
        }
        return (total, gradient)
    }
}

/// The digamma function ψ(x) = d ln Γ(x) / dx for x > 0: the recurrence ψ(x) = ψ(x+1) − 1/x up
/// to x ≥ 10, then the asymptotic series ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ) to x⁻¹⁴, whose first
/// term left out, B₁₆ / (16 x¹⁶), is there below 5e-17.
func digamma(_ x: Double) -> Double {
    guard x > 0, x.isFinite else { return x == .infinity ? .infinity : .nan }
    var x = x, shifted = 0.0
    while x < 10 {
        shifted -= 1 / x
        x += 1
    }
    let inverse = 1 / x, square = inverse * inverse
    // B₂/2, B₄/4, … B₁₄/14: 1/12, −1/120, 1/252, −1/240, 1/132, −691/32760, 1/12.
    let series = square * (1.0 / 12 - square * (1.0 / 120 - square * (1.0 / 252 - square * (1.0 / 240 - square * (1.0 / 132 - square * (691.0 / 32760 - square / 12))))))
    return shifted + log(x) - 0.5 * inverse - series
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

    /// The sum of `logLikelihood` over `data`'s customers.
    func totalLogLikelihood(_ data: GammaGammaData) -> Double {
        totalLogLikelihoodAndGradient(data).value
    }

    /// The sum of `logLikelihood` over `data`'s customers and its gradient in (p, q, v),
    /// rearranged for the fit: the terms in x alone once per distinct x (their derivatives with
    /// the digamma function ψ), Σ x·log m and Σ log m once for all, leaving one logarithm and one
    /// division per customer, summed in fixed blocks on all cores (the blocks' sums added in
    /// order). With L = ln(v + x m): ∂/∂p = Σ x [ψ(px+q) − ψ(px) + ln x + ln m − L],
    /// ∂/∂q = Σ [ψ(px+q) − ψ(q) + ln v − L], ∂/∂v = Σ [q / v − (px+q) / (v + x m)].
    func totalLogLikelihoodAndGradient(_ data: GammaGammaData) -> (value: Double, gradient: [Double]) {
        let lgQ: Double = lgamma(q), logV: Double = log(v), psiQ = digamma(q)
        var total = p * data.sumXLogM - data.sumLogM
        var gradient = [data.sumXLogM, 0, 0]
        for (k, x) in data.distinctX.enumerated() {
            let c = data.countOfX[k], psiPXQ = digamma(p * x + q)
            total += c * (lgamma(p * x + q) - lgamma(p * x) - lgQ + q * logV + p * x * log(x))
            gradient[0] += c * x * (psiPXQ - digamma(p * x) + log(x))
            gradient[1] += c * (psiPXQ - psiQ + logV)
            gradient[2] += c * q / v
        }
        let n = data.x.count
        // Per block: Σ (px+q) L, Σ x L, Σ L and Σ (px+q) / (v + x m).
        let sums = Parallel.map(max((n + BGNBDData.block - 1) / BGNBDData.block, 1)) { block -> [Double] in
            var sum = 0.0, xL = 0.0, l = 0.0, slope = 0.0
            for i in (block * BGNBDData.block)..<min(n, (block + 1) * BGNBDData.block) {
                let x = data.x[i], spread = v + x * data.m[i], logSpread = log(spread), weight = p * x + q
                sum += weight * logSpread
                xL += x * logSpread
                l += logSpread
                slope += weight / spread
            }
            return [sum, xL, l, slope]
        }
        for partial in sums {
            total -= partial[0]
            gradient[0] -= partial[1]
            gradient[1] -= partial[2]
            gradient[2] -= partial[3]
        }
        return (total, gradient)
    }

    /// E[M | x, m] = p (v + x m) / (p x + q − 1); for x = 0, the population mean p v / (q − 1).
    func expectedSpend(x: Double, m: Double) -> Double {
        x > 0 ? p * (v + x * m) / (p * x + q - 1) : p * v / (q - 1)
    }
}

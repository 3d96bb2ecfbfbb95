import Foundation

/// The BG/NBD model of purchasing and drop-out (Fader, Hardie & Lee 2005, "Counting Your
/// Customers the Easy Way", Marketing Science 24(2)). Each customer is summarised by
/// x (repeat purchase days), t_x (time from the first to the last purchase) and T (time from the
/// first purchase to the end of calibration).
struct BGNBD {
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
        let logT = data.distinctT.map { log(alpha + $0) }, logTx = data.distinctTx.map { log(alpha + $0) }
        let groups = data.xIndex.count
        let blocks = (groups + BGNBDData.block - 1) / BGNBDData.block
        let sums = Parallel.map(max(blocks, 1)) { block -> Double in
            var sum = 0.0
            let end = min(groups, (block + 1) * BGNBDData.block)
            for i in (block * BGNBDData.block)..<end {
                let k = data.xIndex[i], x = data.distinctX[k]
                let a3 = -(r + x) * logT[data.tIndex[i]]
                guard x > 0 else { sum += data.count[i] * a3; continue }
                let a4 = dropTerm[k] - (r + x) * logTx[data.txIndex[i]]
                sum += data.count[i] * (max(a3, a4) + log1p(exp(-abs(a3 - a4))))
            }
            return sum
        }
        for partial in sums { total += partial }
        return total
    }

    /// Expected purchases in (T, T + t] for a customer still alive: equation 10 without its
    /// last factor. It depends on x and T only, so a whole table's customers share few values.
    func expectedPurchasesIfAlive(_ t: Double, x: Double, T: Double) -> Double {
        let z = t / (alpha + T + t)
        let hyper = hypergeometric2F1(r + x, b + x, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * (1 - pow((alpha + T) / (alpha + T + t), r + x) * hyper)
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

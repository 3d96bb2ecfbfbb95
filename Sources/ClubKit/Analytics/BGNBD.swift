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

    /// The total log-likelihood of customers grouped as (x, t_x, T, count), with the terms that
    /// depend only on x computed once per distinct x — the fit's hot loop.
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
        for i in data.xIndex.indices {
            let k = data.xIndex[i], x = data.distinctX[k]
            let a3 = -(r + x) * log(alpha + data.T[i])
            guard x > 0 else { total += data.count[i] * a3; continue }
            let a4 = dropTerm[k] - (r + x) * log(alpha + data.tx[i])
            let m = max(a3, a4)
            total += data.count[i] * (m + log(exp(a3 - m) + exp(a4 - m)))
        }
        return total
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
        let z = t / (alpha + T + t)
        let hyper = hypergeometric2F1(r + x, b + x, a + b + x - 1, z)
        let numerator = (a + b + x - 1) / (a - 1) * (1 - pow((alpha + T) / (alpha + T + t), r + x) * hyper)
        return numerator / (1 + dropOdds(x: x, tx: tx, T: T))
    }
}

/// Customers grouped by identical (x, t_x, T) for fitting, with x's distinct values.
struct BGNBDData {
    var distinctX: [Double] = []
    var countOfX: [Double] = []
    var xIndex: [Int] = []
    var tx: [Double] = []
    var T: [Double] = []
    var count: [Double] = []

    init(x: [Double], tx: [Double], T: [Double]) {
        var groups: [[Double]: Int] = [:]
        var xPosition: [Double: Int] = [:]
        for i in x.indices {
            let key = [x[i], tx[i], T[i]]
            if let g = groups[key] { count[g] += 1; continue }
            let k: Int
            if let known = xPosition[x[i]] { k = known } else {
                k = distinctX.count
                xPosition[x[i]] = k
                distinctX.append(x[i])
                countOfX.append(0)
            }
            groups[key] = xIndex.count
            xIndex.append(k)
            self.tx.append(tx[i])
            self.T.append(T[i])
            count.append(1)
        }
        for (g, k) in xIndex.enumerated() { countOfX[k] += count[g] }
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

    /// E[M | x, m] = p (v + x m) / (p x + q − 1); for x = 0, the population mean p v / (q − 1).
    func expectedSpend(x: Double, m: Double) -> Double {
        x > 0 ? p * (v + x * m) / (p * x + q - 1) : p * v / (q - 1)
    }
}

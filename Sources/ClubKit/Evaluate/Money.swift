/// Sums of money: the one rule by which clubsh adds amounts — `sum` and `avg` in `agg`, each
/// customer's spend, and every total of the analytics (docs/language.md, "Numbers").
///
/// An amount typed as 0.01 is stored as the double nearest to it, which is not 1/100, so even
/// the exact sum of the doubles 0.01 and 0.05 is not the double 0.06, and two customers who both
/// spent 0.06 would rank apart. So when every finite value is the double nearest to a decimal
/// of at most 6 places — for the smallest such number of places s over all the values — and
/// scaled by 10^s each is an integer of at most 2^53, the values are added exactly as integers
/// (units of 10^-s) and the total is rounded to a double once, correctly: a sum of money is then
/// the double nearest to the sum of the decimals, as a DECIMAL column sums in SQL. Otherwise
/// (7 or more places, ±inf, NaN, a scaled value past 2^53) they are added with Neumaier's
/// compensation (`CompensatedSum`), in effect the exact sum of the doubles rounded once.
///
/// ```swift
/// Money.sum([0.01, 0.05]) == 0.06   // the compensated sum of the doubles is 0.060000000000000005
/// ```
enum Money {
    /// The most decimal places the rule reads an amount with.
    static let maxScale = 6
    /// 10^s for each scale s.
    static let powers: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]
    /// A scaled value past this is not read as a whole number of units.
    static let largest = 0x1p53

    /// The scale of `values` (the positions `valid` marks, all when nil): the smallest s ≤ 6
    /// such that each value is the double nearest to a decimal of s places whose units fit
    /// below 2^53; nil when there is none. `parts` splits the search over that many cores.
    static func scale(of values: UnsafeBufferPointer<Double>, valid: Bitmap? = nil, parts: Int = 1) -> Int? {
        let n = values.count, parts = max(1, min(parts, n >> 16 + 1))
        // SAFETY: each part only reads `values` in its own range of positions below n.
        let shared = Unchecked((values, valid))
        let found: [(scale: Int, magnitude: Double)?] = Parallel.map(parts) { k in
            let (values, valid) = shared.value
            var s = 0, p = 1.0, magnitude = 0.0
            for i in (n * k / parts)..<(n * (k + 1) / parts) {
                if let valid, !valid.isValid(i) { continue }
                let v = values[i]
                while !onGrid(v, p) {
                    s += 1
                    if s > maxScale { return nil }
                    p = powers[s]
                }
                magnitude = max(magnitude, abs(v))
            }
            return (s, magnitude)
        }
        var s = 0, magnitude = 0.0
        for f in found {
            guard let f else { return nil }
            (s, magnitude) = (max(s, f.scale), max(magnitude, f.magnitude))
        }
        let p = powers[s]
        // Below 2^50 units a value read at its own scale reads as the same decimal at a larger
        // one (v·10^s is then within 1/4 of the integer); above, each is checked again.
        if magnitude * p <= 0x1p50 { return s }
        guard magnitude * p <= largest else { return nil }
        for i in 0..<n where valid?.isValid(i) ?? true {
            if !onGrid(values[i], p) { return nil }
        }
        return s
    }

    /// Whether `count` values of at most `largest` sum in units of 10^-scale as an engine's SQL
    /// does (`SQLMoneyScales`): each value within 2^50 units, where it reads as the same decimal
    /// at any larger scale, and any sum of them within 64 bits.
    static func fitsUnits(largest: Double, scale: Int, count: Int) -> Bool {
        let units = largest * powers[scale]
        return units <= 0x1p50 && units * Double(count) < 0x1p63
    }

    /// The scale of all of `values`; nil when there is none. `hint`, when the values are sums
    /// made by the rule (each customer's spend), is the scale of the amounts summed: it is kept
    /// when every value is on its grid, so that a total of those sums is the total of the amounts.
    static func scale(of values: [Double], trying hint: Int? = nil) -> Int? {
        if let hint, values.allSatisfy({ onGrid($0, powers[hint]) }) { return hint }
        return values.withUnsafeBufferPointer { scale(of: $0) }
    }

    /// The sum of `values` by the rule; `scale` as for `scale(of:trying:)`.
    static func sum(_ values: [Double], scale hint: Int? = nil) -> Double {
        var sums = MoneySums(count: 1, scale: scale(of: values, trying: hint))
        for v in values { sums.add(v) }
        return sums[0]
    }

    /// Exact sums per group of `values` (the positions `valid` marks, all when nil) grouped by
    /// `ids` (each < `groups`), in units of 10^-scale, and the number of values in each group.
    /// `scale` must be the values' (`scale(of:valid:)`).
    ///
    /// SAFETY: ids.count = values.count, every id < groups, the accumulators' count.
    static func units(_ values: UnsafeBufferPointer<Double>, ids: UnsafeBufferPointer<Int32>, groups: Int, valid: Bitmap?,
                      scale: Int) -> (units: [Int64], carry: [Int64], counts: [Int64]) {
        let p = powers[scale]
        var sums = [Int64](repeating: 0, count: groups), carry = sums, counts = sums
        sums.withUnsafeMutableBufferPointer { sums in counts.withUnsafeMutableBufferPointer { counts in
            for i in 0..<ids.count {
                if let valid, !valid.isValid(i) { continue }
                let g = Int(ids[i]), m = nearest(values[i] * p)
                let (sum, wrapped) = sums[g].addingReportingOverflow(m)
                sums[g] = sum
                // The true sum is sums + carry × 2^64.
                if wrapped { carry[g] += m > 0 ? 1 : -1 }
                counts[g] += 1
            }
        } }
        return (sums, carry, counts)
    }

    /// Whether `v` is the double nearest to the decimal `nearest(v·p)`/p (p = 10^s) with at most
    /// 2^53 units; false for ±inf and NaN.
    @inline(__always)
    static func onGrid(_ v: Double, _ p: Double) -> Bool {
        let y = v * p
        guard abs(y) <= largest else { return false }
        return Double(nearest(y)) / p == v
    }

    /// `y` rounded to the nearest integer, halves away from zero (`y.rounded()`), for
    /// |y| ≤ 2^53, without a call into the C library.
    @inline(__always)
    static func nearest(_ y: Double) -> Int64 {
        let whole = Int64(y), fraction = y - Double(whole)  // exact: the part cut off
        return fraction >= 0.5 ? whole + 1 : fraction <= -0.5 ? whole - 1 : whole
    }

    /// (units + carry × 2^64) × 10^-scale, correctly rounded: a wrapped sum of units and the
    /// count of its wraps (`units(_:ids:groups:valid:scale:)`).
    @inline(__always)
    static func double(_ units: Int64, carry: Int64 = 0, scale: Int) -> Double {
        // Both exact as doubles: one division, one rounding (and no 128-bit arithmetic).
        if carry == 0 && units.magnitude <= 1 << 53 { return Double(units) / powers[scale] }
        return quotient(Int128(units) + Int128(carry) << 64, UInt64(powers[scale]))
    }

    /// n / d correctly rounded to the nearest double (ties to even), for d > 0.
    static func quotient(_ n: Int128, _ d: UInt64) -> Double {
        let a = n.magnitude
        // Both exact as doubles: one division, one rounding.
        if a <= 1 << 53 && d <= 1 << 53 { return Double(Int64(n)) / Double(d) }
        // Otherwise a quotient of at least 56 bits, made odd when inexact (a sticky bit), so
        // that converting it rounds as the exact quotient would; then an exact power of two.
        let bits = a.bitWidth - a.leadingZeroBitCount, dBits = d.bitWidth - d.leadingZeroBitCount
        let shift = max(0, 57 + dBits - bits)
        let scaled = a << shift, divisor = UInt128(d)
        var q = scaled / divisor
        if scaled % divisor != 0 { q |= 1 }
        let magnitude = Double(q) * Double(sign: .plus, exponent: -shift, significand: 1)
        return n < 0 ? -magnitude : magnitude
    }
}

/// Running sums of money, one per group, by `Money`'s rule at a scale found before (from all
/// the values to come, or the amounts' scale carried over to sums of them). A value that is not
/// on that scale's grid turns every group to the compensated sums, so the rule holds for all;
/// `checked: false` skips that check (and the compensated sums) for values the scale was found
/// from, such as a `TransactionData`'s amounts at its `moneyScale`.
struct MoneySums {
    private let p: Double, checked: Bool
    private var scale: Int?
    private var units: [Int64], carry: [Int64]
    private var compensated: [CompensatedSum]

    init(count: Int, scale: Int?, checked: Bool = true) {
        self.scale = scale
        self.checked = checked || scale == nil
        p = Money.powers[scale ?? 0]
        units = [Int64](repeating: 0, count: scale == nil ? 0 : count)
        carry = units
        compensated = [CompensatedSum](repeating: CompensatedSum(), count: self.checked ? count : 0)
    }

    mutating func add(_ x: Double, to g: Int = 0) {
        if checked { compensated[g].add(x) }
        guard scale != nil else { return }
        guard !checked || Money.onGrid(x, p) else {
            scale = nil
            return
        }
        let m = Money.nearest(x * p)
        let (sum, wrapped) = units[g].addingReportingOverflow(m)
        units[g] = sum
        // The true sum is units + carry × 2^64.
        if wrapped { carry[g] += m > 0 ? 1 : -1 }
    }

    subscript(g: Int) -> Double {
        guard let scale else { return compensated[g].value }
        return Money.double(units[g], carry: carry[g], scale: scale)
    }

    /// Every group's sum.
    var values: [Double] { (0..<Swift.max(units.count, compensated.count)).map { self[$0] } }
}

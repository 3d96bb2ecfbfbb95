/// Groups whose aggregate became null for a reason the user should hear about.
struct AggregateWarnings {
    /// An integer sum beyond 64 bits.
    var overflow = 0
    /// No defined value: a sum or mean of both +inf and -inf, the spread of infinite values.
    var undefined = 0
}

/// Per-group aggregate kernels: one pass over the rows, accumulating into arrays indexed by group.
///
/// SAFETY (for the raw-buffer loops below, kept for the hot paths of count, sum, mean, min and
/// max): a `Grouping` gives every row an id below `g.count`, and the accumulators have
/// `g.count` slots, so `acc[ids[i]]` is in bounds; the input columns have `ids.count` rows, so
/// `values[i]` is in bounds for i < ids.count.
///
/// Numbers follow one policy (docs/language.md, "Numbers"): an integer sum that leaves 64 bits
/// is null with a warning (intermediate sums may leave and come back: the answer is exact);
/// double sums and means reach ±inf only when the true value does; no aggregate yields NaN.
enum Aggregates {
    static func compute(_ call: AggregateCall, input: Column?, grouping g: Grouping) -> Column {
        var warnings = AggregateWarnings()
        return compute(call, input: input, grouping: g, warnings: &warnings)
    }

    static func compute(_ call: AggregateCall, input: Column?, grouping g: Grouping, warnings: inout AggregateWarnings) -> Column {
        let groups = g.count
        let ids = g.ids
        switch call.function {
        case .count:
            var counts = [Int64](repeating: 0, count: groups)
            if let input, let v = input.validity {
                for i in ids.indices where v.isValid(i) { counts[Int(ids[i])] += 1 }
            } else {
                // SAFETY: every id < groups = counts.count (see the note on `Aggregates`).
                counts.withUnsafeMutableBufferPointer { c in ids.withUnsafeBufferPointer { for id in $0 { c[Int(id)] += 1 } } }
            }
            return Column(.int(counts))
        case .count_distinct:
            guard let input else { return Column(.int([Int64](repeating: 0, count: groups))) }
            if let counts = distinctByBits(input, ids: ids, groups: groups) { return Column(.int(counts)) }
            let pairs = Grouping(columns: [Column(.int(ids.map { Int64($0) })), input], n: ids.count)
            var counts = [Int64](repeating: 0, count: groups)
            for first in pairs.firstRow where !input.isNull(Int(first)) { counts[Int(ids[Int(first)])] += 1 }
            return Column(.int(counts))
        case .sum, .avg:
            guard let input else { return Column.repeating(.null, count: groups, type: call.type) }
            var seen = [Int64](repeating: 0, count: groups)
            if call.function == .sum, input.type == .int {
                // Integers sum exactly, as integers: the sum wraps, and `carry` counts the
                // wraps (up or down), so the true sum is sums + carry × 2^64. It fits in 64 bits
                // exactly when the wraps cancel out.
                var sums = [Int64](repeating: 0, count: groups), carry = [Int64](repeating: 0, count: groups)
                func add<T: BinaryInteger>(_ a: [T]) {
                    for i in ids.indices where !input.isNull(i) {
                        let g = Int(ids[i]), x = Int64(a[i])
                        let (s, wrapped) = sums[g].addingReportingOverflow(x)
                        sums[g] = s
                        if wrapped { carry[g] += x > 0 ? 1 : -1 }
                        seen[g] += 1
                    }
                }
                switch input.storage {
                case .int32(let a): add(a)
                case .int(let a): add(a)
                default: break
                }
                var valid = validity(seen)
                for k in 0..<groups where carry[k] != 0 {
                    if valid == nil { valid = Bitmap(count: groups) }
                    valid!.set(k, false)
                    warnings.overflow += 1
                }
                return Column(.int(sums), validity: valid)
            }
            let values = doubles(input)
            // Money: decimals of up to 6 places are added exactly, in units of 10^-scale.
            if let scale = values.withUnsafeBufferPointer({ Money.scale(of: $0, valid: input.validity, parts: ids.count >= 1 << 20 ? 2 : 1) }) {
                let (units, carry, counts) = values.withUnsafeBufferPointer { v in
                    ids.withUnsafeBufferPointer { Money.units(v, ids: $0, groups: groups, valid: input.validity, scale: scale) }
                }
                // A mean is that sum over the count, as each customer's average order is.
                let result = (0..<groups).map { g in
                    let sum = Money.double(units[g], carry: carry[g], scale: scale)
                    return call.function == .sum || counts[g] == 0 ? sum : sum / Double(counts[g])
                }
                return ExpressionEvaluator.withoutNaN(result, validity(counts), count: &warnings.undefined)
            }
            // Otherwise Neumaier's compensated summation: in effect the exact sum of the doubles, rounded once.
            var sums = [Double](repeating: 0, count: groups), comp = [Double](repeating: 0, count: groups)
            if input.validity == nil {
                // SAFETY: g = ids[i] < groups, the accumulators' count; i < ids.count = values.count.
                sums.withUnsafeMutableBufferPointer { sums in comp.withUnsafeMutableBufferPointer { comp in seen.withUnsafeMutableBufferPointer { seen in
                    ids.withUnsafeBufferPointer { ids in values.withUnsafeBufferPointer { values in
                        for i in 0..<ids.count {
                            let g = Int(ids[i]), x = values[i], s = sums[g], t = s + x
                            comp[g] += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s
                            sums[g] = t
                            seen[g] += 1
                        }
                    } }
                } } }
            } else {
                for i in ids.indices where !input.isNull(i) {
                    let g = Int(ids[i]), x = values[i], s = sums[g], t = s + x
                    comp[g] += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s
                    sums[g] = t
                    seen[g] += 1
                }
            }
            var totals = (0..<groups).map { sums[$0] + comp[$0] }
            var means = (0..<groups).map { seen[$0] > 0 ? totals[$0] / Double(seen[$0]) : 0 }
            // A sum past the largest double, or one with infinite terms, is worked out again.
            let overflowed = (0..<groups).filter { !totals[$0].isFinite }
            if !overflowed.isEmpty { sumsOutsideDoubles(overflowed, values, input, ids, &totals, &means, seen) }
            let result = call.function == .sum ? totals : means
            return ExpressionEvaluator.withoutNaN(result, validity(seen), count: &warnings.undefined)
        case .stddev:
            guard let input else { return Column.repeating(.null, count: groups, type: .double) }
            let values = doubles(input)
            // Welford's update; the sample standard deviation (n − 1), as DuckDB's stddev.
            var count = [Int64](repeating: 0, count: groups), mean = [Double](repeating: 0, count: groups), m2 = [Double](repeating: 0, count: groups)
            for i in ids.indices where !input.isNull(i) {
                let g = Int(ids[i]), x = values[i]
                count[g] += 1
                let d = x - mean[g]
                mean[g] += d / Double(count[g])
                m2[g] += d * (x - mean[g])
            }
            var v = Bitmap(count: groups)
            for k in 0..<groups where count[k] < 2 { v.set(k, false) }
            var out = (0..<groups).map { count[$0] >= 2 ? (m2[$0] / Double(count[$0] - 1)).squareRoot() : 0 }
            // Values near the largest double overflow the squares: those groups are worked out
            // again on values scaled by 2^-600 (exact for such values). The spread of infinite
            // values stays NaN and so null.
            let large = (0..<groups).filter { count[$0] >= 2 && !out[$0].isFinite }
            if !large.isEmpty {
                let index = Dictionary(uniqueKeysWithValues: large.enumerated().map { ($0.element, $0.offset) })
                var n = [Double](repeating: 0, count: large.count), mu = n, sq = n, infinite = [Bool](repeating: false, count: large.count)
                for i in ids.indices where !input.isNull(i) {
                    guard let k = index[Int(ids[i])] else { continue }
                    let x = values[i]
                    if !x.isFinite { infinite[k] = true; continue }
                    let y = x * 0x1p-600
                    n[k] += 1
                    let d = y - mu[k]
                    mu[k] += d / n[k]
                    sq[k] += d * (y - mu[k])
                }
                for (k, g) in large.enumerated() { out[g] = infinite[k] ? .nan : (sq[k] / (n[k] - 1)).squareRoot() * 0x1p600 }
            }
            return ExpressionEvaluator.withoutNaN(out, v, count: &warnings.undefined)
        case .median, .percentile:
            guard let input else { return Column.repeating(.null, count: groups, type: .double) }
            let fraction = call.function == .median ? 0.5 : call.fraction
            let values = doubles(input)
            // Each group's values side by side in one array (a counting sort by group), then the
            // order statistics of each group by selection instead of a full sort.
            var start = [Int](repeating: 0, count: groups + 1)
            for i in ids.indices where !input.isNull(i) { start[Int(ids[i]) + 1] += 1 }
            for g in 0..<groups { start[g + 1] += start[g] }
            var flat = [Double](repeating: 0, count: start[groups])
            var fill = start
            for i in ids.indices where !input.isNull(i) {
                let g = Int(ids[i])
                flat[fill[g]] = values[i]
                fill[g] += 1
            }
            var v = Bitmap(count: groups)
            // SAFETY: start[g] ≤ start[g + 1] ≤ start[groups] = flat.count, so each group's
            // range is a slice of `flat`; selection only reorders inside it.
            let out: [Double] = flat.withUnsafeMutableBufferPointer { all in
                (0..<groups).map { g in
                    guard start[g + 1] > start[g] else { v.set(g, false); return 0 }
                    return quantile(selecting: UnsafeMutableBufferPointer(rebasing: all[start[g]..<start[g + 1]]), fraction)
                }
            }
            return ExpressionEvaluator.withoutNaN(out, v, count: &warnings.undefined)
        case .mode:
            guard let input else { return Column.repeating(.null, count: groups, type: call.type) }
            return mostFrequent(input, ids: ids, groups: groups)
        case .min, .max, .first, .last:
            guard let input else { return Column.repeating(.null, count: groups, type: call.type) }
            if call.function == .min || call.function == .max, let extreme = extremes(input, ids: ids, groups: groups, max: call.function == .max) {
                return extreme
            }
            var pick = [Int32](repeating: -1, count: groups)
            let better = Sorting.lessThan(input)
            for i in ids.indices where !input.isNull(i) {
                let g = Int(ids[i]), cur = pick[g]
                switch call.function {
                case .first: if cur < 0 { pick[g] = Int32(i) }
                case .last: pick[g] = Int32(i)
                case .min: if cur < 0 || better(i, Int(cur)) { pick[g] = Int32(i) }
                default: if cur < 0 || better(Int(cur), i) { pick[g] = Int32(i) }
                }
            }
            return input.gatherOptional(pick)
        }
    }

    /// The most frequent non-null value of each group; a tie goes to the value met first, and a
    /// group of nulls gives null. One grouping over (group, value) counts every pair.
    private static func mostFrequent(_ input: Column, ids: [Int32], groups: Int) -> Column {
        let pairs = Grouping(columns: [Column(.int(ids.map { Int64($0) })), input], n: ids.count)
        var counts = [Int](repeating: 0, count: pairs.count)
        for i in ids.indices where !input.isNull(i) { counts[Int(pairs.ids[i])] += 1 }
        var pick = [Int32](repeating: -1, count: groups), best = [Int](repeating: 0, count: groups)
        // Pairs are numbered in order of first appearance, so a strict `>` keeps the first met.
        for (pair, first) in pairs.firstRow.enumerated() where counts[pair] > 0 {
            let g = Int(ids[Int(first)])
            if counts[pair] > best[g] { best[g] = counts[pair]; pick[g] = first }
        }
        return input.gatherOptional(pick)
    }

    /// Distinct non-null values per group with a bit per (group, value number) when that many
    /// bits fit in 128 MiB: integers, dates and strings numbered in one pass; nil otherwise.
    private static func distinctByBits(_ input: Column, ids: [Int32], groups: Int) -> [Int64]? {
        let atoms: [Int32], card: Int
        switch input.storage {
        case .string(let codes, let dict): (atoms, card) = (codes, dict.count)
        case .int, .int32, .date, .dateTime:
            let g = Grouping.integers(input)!
            (atoms, card) = (g.ids, g.count)
        default: return nil
        }
        let total = groups.multipliedReportingOverflow(by: max(card, 1))
        guard !total.overflow, total.partialValue <= 1 << 30 else { return nil }
        var bits = [UInt64](repeating: 0, count: (total.partialValue + 63) / 64)
        var counts = [Int64](repeating: 0, count: groups)
        let validity = input.validity
        for i in ids.indices {
            if let validity, !validity.isValid(i) { continue }
            let g = Int(ids[i]), bit = g * card + Int(atoms[i])
            let mask: UInt64 = 1 << UInt64(bit & 63)
            if bits[bit >> 6] & mask == 0 {
                bits[bit >> 6] |= mask
                counts[g] += 1
            }
        }
        return counts
    }

    /// Per-group min or max of a numeric or date column, kept as values in one pass (no
    /// comparator per row, no gather); nil for other types.
    private static func extremes(_ input: Column, ids: [Int32], groups: Int, max: Bool) -> Column? {
        func pick<T: Comparable>(_ a: [T], _ zero: T) -> ([T], Bitmap?) {
            var best = [T](repeating: zero, count: groups)
            var seen = [Bool](repeating: false, count: groups)
            let validity = input.validity
            // SAFETY: g = ids[i] < groups = best.count = seen.count; i < ids.count = a.count.
            best.withUnsafeMutableBufferPointer { best in seen.withUnsafeMutableBufferPointer { seen in
                ids.withUnsafeBufferPointer { ids in a.withUnsafeBufferPointer { a in
                    for i in 0..<ids.count {
                        if let validity, !validity.isValid(i) { continue }
                        let g = Int(ids[i]), x = a[i]
                        if !seen[g] { seen[g] = true; best[g] = x } else if max ? x > best[g] : x < best[g] { best[g] = x }
                    }
                } }
            } }
            guard seen.contains(false) else { return (best, nil) }
            var v = Bitmap(count: groups)
            for g in 0..<groups where !seen[g] { v.set(g, false) }
            return (best, v)
        }
        switch input.storage {
        case .int(let a): let (b, v) = pick(a, 0); return Column(.int(b), validity: v)
        case .int32(let a): let (b, v) = pick(a, 0); return Column(.int32(b), validity: v)
        case .dateTime(let a): let (b, v) = pick(a, 0); return Column(.dateTime(b), validity: v)
        case .date(let a): let (b, v) = pick(a, 0); return Column(.date(b), validity: v)
        case .double(let a):
            // NaN would not order; the loader never makes one, but a computed column could.
            guard !a.contains(where: \.isNaN) else { return nil }
            let (b, v) = pick(a, 0); return Column(.double(b), validity: v)
        default: return nil
        }
    }

    /// One aggregate over a whole column, as `agg` computes it; nil when there is no value.
    static func whole(_ f: AggregateFunction, _ c: Column) -> Double? {
        let call = AggregateCall(function: f, argument: nil, fraction: 0, type: .double)
        return compute(call, input: c, grouping: Grouping(columns: [], n: c.count)).value(at: 0).doubleValue
    }

    /// `quantile` of unsorted values, found by selection; reorders `values`.
    ///
    /// SAFETY: values is not empty and 0 ≤ p ≤ 1 (the checker refuses other fractions), so
    /// 0 ≤ lo ≤ count − 1, and the reads past it stop below values.count.
    static func quantile(selecting values: UnsafeMutableBufferPointer<Double>, _ p: Double) -> Double {
        let h = Double(values.count - 1) * p
        let lo = Int(h.rounded(.down))
        let low = select(values, lo)
        guard lo + 1 < values.count else { return low }
        // After selection everything past `lo` is at least `low`; the next rank is their minimum.
        var high = values[lo + 1]
        for i in (lo + 2)..<values.count where values[i] < high { high = values[i] }
        return interpolate(low, high, h - Double(lo))
    }

    /// The point `fraction` of the way from `low` to `high`, without the NaN of 0 × inf and
    /// without overflow between two large finite values; from -inf to +inf it is NaN (no value).
    static func interpolate(_ low: Double, _ high: Double, _ fraction: Double) -> Double {
        if fraction == 0 || low == high { return low }
        let span = high - low
        if span.isInfinite && low.isFinite && high.isFinite { return low * (1 - fraction) + high * fraction }
        return low + fraction * span
    }

    /// Sums and means again for `groups`, whose plain sum was not finite: infinite terms
    /// decide alone (+inf and -inf together have no sum: NaN, so null); finite terms are summed
    /// scaled by 2^-64 — exact for such large values — so a mean of values near the largest
    /// double stays finite and a sum is ±inf only when it truly passes the largest double.
    private static func sumsOutsideDoubles(_ groups: [Int], _ values: [Double], _ input: Column, _ ids: [Int32],
                                           _ totals: inout [Double], _ means: inout [Double], _ seen: [Int64]) {
        let index = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($0.element, $0.offset) })
        var scaled = [CompensatedSum](repeating: CompensatedSum(), count: groups.count)
        var plusInf = [Bool](repeating: false, count: groups.count), minusInf = plusInf
        for i in ids.indices where !input.isNull(i) {
            guard let k = index[Int(ids[i])] else { continue }
            let x = values[i]
            if x == .infinity { plusInf[k] = true } else if x == -.infinity { minusInf[k] = true } else { scaled[k].add(x * 0x1p-64) }
        }
        for (k, g) in groups.enumerated() {
            if plusInf[k] || minusInf[k] {
                let v: Double = plusInf[k] && minusInf[k] ? .nan : plusInf[k] ? .infinity : -.infinity
                (totals[g], means[g]) = (v, v)
            } else {
                totals[g] = scaled[k].value * 0x1p64
                means[g] = scaled[k].value / Double(seen[g]) * 0x1p64
            }
        }
    }

    /// Reorders `a` so that `a[k]` holds the value of rank k, smaller ranks before it and larger
    /// after (Hoare's selection with a median-of-three pivot; sorts a range that resists).
    ///
    /// SAFETY: 0 ≤ lo ≤ i, j ≤ hi < a.count throughout: the median-of-three puts values no
    /// smaller and no larger than the pivot at lo and hi, which stop the two scans; the small
    /// range sorted in place is a[lo...hi].
    static func select(_ a: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var lo = 0, hi = a.count - 1
        var rounds = 0
        while hi > lo {
            rounds += 1
            if rounds > 64 || hi - lo < 16 {
                var range = UnsafeMutableBufferPointer(rebasing: a[lo...hi])
                range.sort()
                break
            }
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while pivot < a[j] { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return a[k]
    }

    /// Linear interpolation between closest ranks (DuckDB's quantile_cont, R's type 7).
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return interpolate(sorted[lo], sorted[hi], h - Double(lo))
    }

    private static func doubles(_ c: Column) -> [Double] {
        switch c.storage {
        case .double(let a): return a
        case .int(let a): return mapUnary(a) { Double($0) }
        case .int32(let a): return mapUnary(a) { Double($0) }
        default: return [Double](repeating: 0, count: c.count)
        }
    }

    private static func validity(_ seen: [Int64]) -> Bitmap? {
        guard seen.contains(0) else { return nil }
        var v = Bitmap(count: seen.count)
        for k in seen.indices where seen[k] == 0 { v.set(k, false) }
        return v
    }
}

/// A running sum with Neumaier's compensation, so sums of money stay exact to the cent.
struct CompensatedSum {
    private var sum = 0.0, compensation = 0.0

    mutating func add(_ x: Double) {
        let t = sum + x
        compensation += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
        sum = t
    }

    var value: Double { sum + compensation }

    static func of<S: Sequence>(_ xs: S) -> Double where S.Element == Double {
        var s = CompensatedSum()
        for x in xs { s.add(x) }
        return s.value
    }
}

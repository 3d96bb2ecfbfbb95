/// RFM scoring (Hughes 1994; brief §6): per customer recency (days from the last purchase to the
/// as-of date), frequency (transactions) and monetary value (total spend), each scored 1…bins by
/// rank — 5 is best — with ties broken by customer, then named from the usual R–F map.
enum RFMCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "rfm", group: .analytics, usage: "rfm [bins N]", meaning: "recency, frequency, monetary, scores 1–N (N best) and the RF segment", example: "rfm | where segment == \"At Risk\"")

    /// The number of score bins.
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Int {
        try args.whole("bins", default: 5, in: 2...10)
    }

    static func bind(_ bins: Int, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "rfm", at: location)
        return AnalyticsBinding([(key.name, key.type), ("recency", .int), ("frequency", .int), ("monetary", .double), ("r", .int), ("f", .int), ("m", .int),
                                 ("rfm", .string), ("segment", .string)], reads: reads)
    }

    static func run(_ bins: Int, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "rfm", at: location)
        return data.rfm(bins: bins, reads: reads)
    }
}

extension TransactionData {
    func rfm(bins: Int, reads: [String]) -> AnalyticsResult {
        let data = self
        let s = data.summary()
        let n = data.customerCount
        let byKey = data.keyOrder()
        // Customers numbered in key order already (the usual case for whole-number ids in a
        // file sorted by customer): the columns are the per-customer arrays as they are.
        let inOrder = byKey.elementsEqual(0..<n)
        let asOf = data.asOf
        // The score keys, worst to best, of the customer at each place in key order: computed
        // where they are read, so no array of keys is made. A stable order of the customers in
        // key order breaks ties by customer.
        // Recency and frequency as 32-bit columns when they fit (they always do for days and
        // transaction counts of tables that fit in memory).
        let narrow = n == 0 || (Int64(asOf) - Int64(s.last.min()!) <= Int64(Int32.max) && data.count <= Int(Int32.max))
        let parts = n >= 1 << 16 ? 2 : 1
        var columns = s.last.withUnsafeBufferPointer { last in s.transactions.withUnsafeBufferPointer { transactions in
            s.spend.withUnsafeBufferPointer { spend in byKey.withUnsafeBufferPointer { byKey in
                let keys = RFMKeys(last: last, transactions: transactions, spend: spend, order: inOrder ? nil : byKey, asOf: asOf)
                // Each score's steps (the key where it steps up), monetary on one core and recency
                // and frequency on the other.
                let jobs = parts == 2 ? [[2], [0, 1]] : [[0, 1, 2]]
                var steps = [[RFMScores.Step]](repeating: [], count: 3)
                for done in Parallel.map(parts, { k in jobs[k].map { which in (which, RFMScores.steps(n, bins: bins) { keys.key(which, $0) }) } }) {
                    for (which, found) in done { steps[which] = found }
                }
                return RFMScores.columns(n, bins: bins, steps: steps, keys: keys, narrow: narrow, parts: parts)
            } }
        } }
        let recency: Column, frequency: Column
        if narrow {
            (recency, frequency) = (Column(.int32(columns.recency)), Column(.int32(columns.frequency)))
        } else {
            let customer = { (p: Int) in inOrder ? p : byKey[p] }
            recency = Column(.int((0..<n).map { Int64(asOf) - Int64(s.last[customer($0)]) }))
            frequency = Column(.int((0..<n).map { Int64(s.transactions[customer($0)]) }))
        }
        let codes = RFMScores.labels(&columns.rfm, labels: bins * bins * bins) { k in
            "\(k / (bins * bins) + 1)\(k / bins % bins + 1)\(k % bins + 1)"
        }
        let names = RFMScores.labels(&columns.segment, labels: bins * bins) { k in
            Self.rfmSegment(r: k / bins + 1, f: k % bins + 1, bins: bins)
        }
        let table = Table(columnNames: [data.keyName, "recency", "frequency", "monetary", "r", "f", "m", "rfm", "segment"],
                          columns: [inOrder ? data.keys : data.keys.gather(byKey.map { Int32($0) }), recency, frequency,
                                    Column(.double(inOrder ? s.spend : byKey.map { s.spend[$0] })),
                                    Column(.int32(columns.r)), Column(.int32(columns.f)), Column(.int32(columns.m)), codes, names])
        return AnalyticsResult(table: table, work: [
            "rfm as of \(data.calendar.format(data.asOf)): \(grouped(n)) customers; recency = days since the last purchase, frequency = transactions, monetary = total spend",
            "scores 1–\(bins) by rank (\(bins) best), ties broken by customer; segment from the R and F scores",
        ], reads: reads)
    }

    /// The usual R–F segment map on a 1–5 scale (other bin counts are rescaled to it).
    static func rfmSegment(r: Int, f: Int, bins: Int) -> String {
        let r5 = (r - 1) * 5 / bins + 1, f5 = (f - 1) * 5 / bins + 1
        switch (r5, f5) {
        case (5, 4...5): return "Champions"
        case (3...4, 4...5): return "Frequent Buyers"
        case (4...5, 2...3): return "Potential Loyalist"
        case (5, 1): return "Recent First-Timers"
        case (4, 1): return "Promising"
        case (3, 3): return "Need Attention"
        case (3, 1...2): return "About to Sleep"
        case (1...2, 5): return "Can't Lose Them"
        case (1...2, 3...4): return "At Risk"
        case (1, 1): return "Lost"
        default: return "Hibernating"
        }
    }
}

/// The three RFM score keys of the customer at each place in key order, worst to best (as
/// `Radix.key` orders them): recency by -(days since the last purchase), frequency by
/// transactions, monetary by spend.
/// It reads the summary's arrays through pointers, valid while `rfm` holds them.
struct RFMKeys {
    let last: UnsafeBufferPointer<Int32>, transactions: UnsafeBufferPointer<Int>, spend: UnsafeBufferPointer<Double>
    /// The customer at each place; nil when the customers are numbered in key order.
    let order: UnsafeBufferPointer<Int>?
    let asOf: Int32

    @inline(__always)
    func customer(_ place: Int) -> Int { order?[place] ?? place }

    @inline(__always)
    func key(_ which: Int, _ place: Int) -> UInt64 {
        let c = customer(place)
        switch which {
        case 0: return Radix.key(-(Int64(asOf) - Int64(last[c])))
        case 1: return Radix.key(Int64(transactions[c]))
        default: return Radix.key(spend[c])
        }
    }
}

/// RFM's scores without sorting and without an array of keys: the customer at place i (of n, in
/// the order of its score key, equal keys in key order) scores ⌊i × bins / n⌋ + 1, so only the
/// keys where a score steps up are found (as `Radix.scores` finds them), and one pass on both
/// cores compares every customer's keys with them and writes the columns.
enum RFMScores {
    /// A score steps up at the `equalBefore`-th key equal to `key` (in key order) and at every
    /// greater key.
    struct Step { var key: UInt64, equalBefore: Int }

    /// The steps of one score: the key at rank ⌈s × n / bins⌉ for each s in 1..<bins (a step at
    /// rank n or past it, with fewer keys than bins, is reached by none), found by a histogram of
    /// the keys' top 16 varying bits and a selection in the buckets holding the ranks.
    static func steps(_ n: Int, bins: Int, key: (Int) -> UInt64) -> [Step] {
        guard n > 0, bins > 1 else { return [] }
        let ranks = (1..<bins).map { Int((Int64($0) * Int64(n) + Int64(bins) - 1) / Int64(bins)) }.filter { $0 < n }
        var all = UInt64.max, any: UInt64 = 0
        for p in 0..<n { let k = key(p); all &= k; any |= k }
        let varying = all ^ any
        // Buckets by the top 16 bits from the highest bit in which keys differ, so bucket order
        // is key order.
        let shift = varying == 0 ? 0 : max(0, 64 - varying.leadingZeroBitCount - 16)
        @inline(__always) func bucket(_ k: UInt64) -> Int { Int((k >> UInt64(shift)) & 0xFFFF) }
        var counts = [Int](repeating: 0, count: 1 << 16)
        counts.withUnsafeMutableBufferPointer { counts in
            for p in 0..<n { counts[bucket(key(p))] += 1 }
        }
        var before = [Int](repeating: 0, count: 1 << 16)
        var sum = 0
        for b in 0..<(1 << 16) { before[b] = sum; sum += counts[b] }
        let stepBucket = ranks.map { rank -> Int in
            var low = 0, high = 1 << 16
            while high - low > 1 { let mid = (low + high) / 2; if before[mid] <= rank { low = mid } else { high = mid } }
            return low
        }
        if shift == 0 {
            // A bucket is one key: the bits above the bucket's are those every key shares.
            return ranks.indices.map { Step(key: all & ~0xFFFF | UInt64(stepBucket[$0]), equalBefore: ranks[$0] - before[stepBucket[$0]]) }
        }
        // The keys of the buckets the steps fall in; in each, the key at the step's rank.
        var offset = [Int](repeating: -1, count: 1 << 16)
        var total = 0
        for b in stepBucket where offset[b] < 0 { offset[b] = total; total += counts[b] }
        var held = [UInt64](repeating: 0, count: total)
        var next = offset
        // SAFETY: a key of bucket b goes to held[next[b]], and next[b] stays below
        // offset[b] + counts[b] ≤ total: counts[b] keys fall in bucket b.
        held.withUnsafeMutableBufferPointer { held in next.withUnsafeMutableBufferPointer { next in
            for p in 0..<n {
                let k = key(p), b = bucket(k)
                guard next[b] >= 0 else { continue }
                held[next[b]] = k
                next[b] += 1
            }
        } }
        return ranks.indices.map { s in
            let b = stepBucket[s], rank = ranks[s]
            let (v, less) = Radix.select(held[offset[b]..<offset[b] + counts[b]], rank - before[b])
            return Step(key: v, equalBefore: rank - before[b] - less)
        }
    }

    /// The columns in key order: recency and frequency (when `narrow`), the three scores, and
    /// each customer's rfm (((r − 1) × bins + f − 1) × bins + m − 1) and RF segment
    /// ((r − 1) × bins + f − 1) numbers, for `labels` to name.
    static func columns(_ n: Int, bins: Int, steps: [[Step]], keys: RFMKeys, narrow: Bool, parts: Int)
        -> (recency: [Int32], frequency: [Int32], r: [Int32], f: [Int32], m: [Int32], rfm: [Int32], segment: [Int32]) {
        // Each part takes its own places; a key equal to a step's counts the equal keys before it
        // in key order, so the second part starts from those in the first part's places.
        let bounds = (0...parts).map { n * $0 / parts }
        var equalBefore = [[[Int]]](repeating: steps.map { [Int](repeating: 0, count: $0.count) }, count: parts)
        for k in 1..<max(parts, 1) {
            equalBefore[k] = equalBefore[k - 1]
            for which in 0..<3 {
                let stepKeys = steps[which].map(\.key)
                var equal = [Int](repeating: 0, count: stepKeys.count)
                stepKeys.withUnsafeBufferPointer { stepKeys in equal.withUnsafeMutableBufferPointer { equal in
                    for p in bounds[k - 1]..<bounds[k] {
                        let key = keys.key(which, p)
                        for s in stepKeys.indices where stepKeys[s] == key { equal[s] += 1 }
                    }
                } }
                for s in equal.indices { equalBefore[k][which][s] += equal[s] }
            }
        }
        func make(_ count: Int) -> [Int32] { [Int32](unsafeUninitializedCapacity: count) { _, c in c = count } }
        var recency = make(narrow ? n : 0), frequency = make(narrow ? n : 0)
        var r = make(n), f = make(n), m = make(n), rfm = make(n), segment = make(n)
        // SAFETY: part k writes only places [bounds[k], bounds[k + 1]) of the seven arrays (of n
        // places each, recency and frequency when `narrow`), which outlive `Parallel.map`; the
        // keys and steps are only read. Every place is written, so no uninitialized value is read.
        recency.withUnsafeMutableBufferPointer { recency in frequency.withUnsafeMutableBufferPointer { frequency in
        r.withUnsafeMutableBufferPointer { r in f.withUnsafeMutableBufferPointer { f in m.withUnsafeMutableBufferPointer { m in
        rfm.withUnsafeMutableBufferPointer { rfm in segment.withUnsafeMutableBufferPointer { segment in
            let shared = Unchecked((recency, frequency, r, f, m, rfm, segment))
            _ = Parallel.map(parts) { k in
                let (recency, frequency, r, f, m, rfm, segment) = shared.value
                // The steps side by side, score `which`'s at [which × width, which × width + count).
                let width = max(bins - 1, 1)
                var stepKey = [UInt64](repeating: 0, count: 3 * width), equal = [Int](repeating: 0, count: 3 * width)
                var seen = equal, count = [0, 0, 0]
                for which in 0..<3 {
                    count[which] = steps[which].count
                    for (s, step) in steps[which].enumerated() {
                        (stepKey[which * width + s], equal[which * width + s]) = (step.key, step.equalBefore)
                        seen[which * width + s] = equalBefore[k][which][s]
                    }
                }
                let (rCount, fCount, mCount) = (count[0], count[1], count[2])
                stepKey.withUnsafeBufferPointer { stepKey in equal.withUnsafeBufferPointer { equal in seen.withUnsafeMutableBufferPointer { seen in
                // SAFETY: base + s < 3 × width, the count of the three arrays (count[which] ≤ width).
                @inline(__always) func score(_ base: Int, _ count: Int, _ key: UInt64) -> Int {
                    var score = 1
                    for s in base..<base + count {
                        let v = stepKey[s]
                        if key > v {
                            score += 1
                        } else if key == v {
                            if seen[s] >= equal[s] { score += 1 }
                            seen[s] += 1
                        }
                    }
                    return score
                }
                for p in bounds[k]..<bounds[k + 1] {
                    let c = keys.customer(p)
                    let rs = score(0, rCount, keys.key(0, p)), fs = score(width, fCount, keys.key(1, p)), ms = score(2 * width, mCount, keys.key(2, p))
                    if narrow {
                        recency[p] = Int32(Int64(keys.asOf) - Int64(keys.last[c]))
                        frequency[p] = Int32(keys.transactions[c])
                    }
                    (r[p], f[p], m[p]) = (Int32(rs), Int32(fs), Int32(ms))
                    let rf = (rs - 1) * bins + fs - 1
                    segment[p] = Int32(rf)
                    rfm[p] = Int32(rf * bins + ms - 1)
                }
                } } }
                return 0
            }
        } } } } } } }
        return (recency, frequency, r, f, m, rfm, segment)
    }

    /// A string column from label numbers (each below `labels`), the dictionary's codes in order
    /// of first appearance, as `labelColumn` makes them: the numbers become the codes in place.
    static func labels(_ codes: inout [Int32], labels: Int, _ label: (Int) -> String) -> Column {
        var dict = StringDictionary.Builder()
        var codeOf = [Int32](repeating: -1, count: labels)
        codes.withUnsafeMutableBufferPointer { codes in
            for i in 0..<codes.count {
                let k = Int(codes[i])
                if codeOf[k] < 0 { codeOf[k] = dict.code(for: label(k)) }
                codes[i] = codeOf[k]
            }
        }
        return Column(.string(codes, StringDictionary(dict)))
    }
}

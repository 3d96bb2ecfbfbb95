/// Hash join on equal keys. Output keeps the left rows' order, and each left row's matches in
/// the right table's order; a left join keeps unmatched left rows with nulls on the right.
enum Join {
    /// Pairs of (left row, right row); right row -1 for an unmatched left row of a left join;
    /// nil when there would be more than `maxRows` pairs (found before they are all made).
    static func match(leftKeys: [Column], rightKeys: [Column], leftCount: Int, rightCount: Int, keepUnmatched: Bool,
                      maxRows: Int = Int(Int32.max), isCancelled: () -> Bool = { false }) -> (left: [Int32], right: [Int32])? {
        if leftKeys.count == 1, let pairs = integerMatch(leftKeys[0], rightKeys[0], keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled) {
            return pairs
        }
        // Key both sides in one id space by grouping the concatenated key columns.
        let combined = zip(leftKeys, rightKeys).map { concatenate($0, $1) }
        let g = Grouping(columns: combined, n: leftCount + rightCount, isCancelled: isCancelled)
        if isCancelled() { return ([], []) }
        var nullKey = [Bool](repeating: false, count: leftCount + rightCount)
        for c in combined where c.validity != nil {
            for i in 0..<(leftCount + rightCount) where c.isNull(i) { nullKey[i] = true }
        }
        // Chains of right rows per key id, in right-table order.
        var head = [Int32](repeating: -1, count: g.count)
        var next = [Int32](repeating: -1, count: rightCount)
        for r in stride(from: rightCount - 1, through: 0, by: -1) where !nullKey[leftCount + r] {
            let id = Int(g.ids[leftCount + r])
            next[r] = head[id]
            head[id] = Int32(r)
        }
        return probe(leftCount, next: next, keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled) { l in
            nullKey[l] ? -1 : head[Int(g.ids[l])]
        }
    }

    /// The pairs in output order: for each left row, the chain of right rows that starts at
    /// `first(l)` (-1: none) and continues through `next`. A cancelled probe gives back nothing;
    /// one that passes `maxRows` pairs gives nil.
    @inline(__always)
    private static func probe(_ leftCount: Int, next: [Int32], keepUnmatched: Bool, maxRows: Int, isCancelled: () -> Bool,
                              first: (Int) -> Int32) -> (left: [Int32], right: [Int32])? {
        var outLeft: [Int32] = [], outRight: [Int32] = []
        outLeft.reserveCapacity(leftCount)
        outRight.reserveCapacity(leftCount)
        // Ctrl-C is polled every 4,096 left rows and every million pairs made, whichever comes
        // first: one left row may match millions.
        var nextCheck = 1 << 20
        for l in 0..<leftCount {
            if l & 0xFFF == 0 || outLeft.count >= nextCheck {
                if isCancelled() { return ([], []) }
                nextCheck = outLeft.count + 1 << 20
            }
            var r = first(l)
            if r < 0 && keepUnmatched {
                outLeft.append(Int32(l))
                outRight.append(-1)
            }
            while r >= 0 {
                outLeft.append(Int32(l))
                outRight.append(r)
                r = next[Int(r)]
            }
            if outLeft.count > maxRows { return nil }
        }
        return (outLeft, outRight)
    }

    /// The same pairs for one integer (or date) key of the same type on both sides, without
    /// copying the keys: the right rows are chained per key in a table indexed by value (or a
    /// hash map when the values are spread wide), and each left row looks its key up.
    private static func integerMatch(_ left: Column, _ right: Column, keepUnmatched: Bool, maxRows: Int, isCancelled: () -> Bool) -> (left: [Int32], right: [Int32])?? {
        switch (left.storage, right.storage) {
        case let (.int(a), .int(b)), let (.dateTime(a), .dateTime(b)):
            return integerMatch(a, left.validity, b, right.validity, keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled)
        case let (.date(a), .date(b)), let (.int32(a), .int32(b)):
            return integerMatch(a, left.validity, b, right.validity, keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled)
        case (.int32, .int), (.int, .int32):
            return integerMatch(left.widened, right.widened, keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled)
        default:
            return nil
        }
    }

    private static func integerMatch<T: FixedWidthInteger>(_ a: [T], _ av: Bitmap?, _ b: [T], _ bv: Bitmap?, keepUnmatched: Bool,
                                                          maxRows: Int, isCancelled: () -> Bool) -> (left: [Int32], right: [Int32])? {
        var lo = Int64.max, hi = Int64.min
        for (r, x) in b.enumerated() where bv.map({ $0.isValid(r) }) ?? true { lo = min(lo, Int64(x)); hi = max(hi, Int64(x)) }
        let span = hi.subtractingReportingOverflow(lo)
        let direct = lo <= hi && !span.overflow && span.partialValue < Int64(max(4 * b.count, 1 << 16))
        // Per key slot, the first right row with that key; `next` chains the rest in order.
        var map = DenseIdMap(capacity: direct ? 16 : b.count)
        if !direct { for (r, x) in b.enumerated() where bv.map({ $0.isValid(r) }) ?? true { _ = map.id(for: Int64(x)) } }
        var head = [Int32](repeating: -1, count: direct ? Int(span.partialValue) + 1 : map.count)
        var next = [Int32](repeating: -1, count: b.count)
        @inline(__always) func slot(_ x: T) -> Int {
            if direct {
                let k = Int64(x)
                return k >= lo && k <= hi ? Int(k &- lo) : -1
            }
            return map.find(Int64(x)).map { Int($0) } ?? -1
        }
        for r in stride(from: b.count - 1, through: 0, by: -1) where bv.map({ $0.isValid(r) }) ?? true {
            let s = slot(b[r])
            next[r] = head[s]
            head[s] = Int32(r)
        }
        return probe(a.count, next: next, keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled) { l in
            guard av.map({ $0.isValid(l) }) ?? true else { return -1 }
            let s = slot(a[l])
            return s >= 0 ? head[s] : -1
        }
    }

    /// One column holding `a`'s rows then `b`'s, in a type both share.
    static func concatenate(_ a: Column, _ b: Column) -> Column {
        var validity: Bitmap?
        if a.validity != nil || b.validity != nil {
            var v = Bitmap(count: a.count + b.count)
            for i in 0..<a.count where a.isNull(i) { v.set(i, false) }
            for i in 0..<b.count where b.isNull(i) { v.set(a.count + i, false) }
            validity = v
        }
        switch (a.storage, b.storage) {
        case let (.int(x), .int(y)): return Column(.int(x + y), validity: validity)
        case let (.int32(x), .int32(y)): return Column(.int32(x + y), validity: validity)
        case (.int32, .int), (.int, .int32): return concatenate(a.widened, b.widened)
        case let (.double(x), .double(y)): return Column(.double(x + y), validity: validity)
        case let (.date(x), .date(y)): return Column(.date(x + y), validity: validity)
        case let (.dateTime(x), .dateTime(y)): return Column(.dateTime(x + y), validity: validity)
        case let (.bool(x), .bool(y)): return Column(.bool(x + y), validity: validity)
        case let (.string(x, dx), .string(y, dy)):
            if dx === dy { return Column(.string(x + y, dx), validity: validity) }
            var dict = StringDictionary.Builder(values: dx.values)
            let remap = dy.values.map { dict.code(for: $0) }
            return Column(.string(x + y.map { remap[Int($0)] }, StringDictionary(dict)), validity: validity)
        case (.date, .dateTime), (.dateTime, .date):
            return concatenate(materialize(.column(a), a.count, as: .datetime), materialize(.column(b), b.count, as: .datetime))
        default:
            // Numbers of mixed kinds meet as doubles.
            return concatenate(materialize(.column(a), a.count, as: .double), materialize(.column(b), b.count, as: .double))
        }
    }
}

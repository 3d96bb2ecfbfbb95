/// Hash join on equal keys. Output keeps the left rows' order, and each left row's matches in
/// the right table's order; a left join keeps unmatched left rows with nulls on the right.
enum Join {
    /// Matched rows: pair k is (left[k], right[k]); right -1 for an unmatched left row of a
    /// left join. `left` nil: pair k is left row k, for every left row.
    struct Pairs {
        var left: [Int32]?
        var right: [Int32]
    }

    /// Pairs of (left row, right row); right row -1 for an unmatched left row of a left join;
    /// nil when there would be more than `maxRows` pairs (found before they are all made).
    static func match(leftKeys: [Column], rightKeys: [Column], leftCount: Int, rightCount: Int, keepUnmatched: Bool,
                      maxRows: Int = Int(Int32.max), isCancelled: () -> Bool = { false }) -> (left: [Int32], right: [Int32])? {
        guard let pairs = pairs(leftKeys: leftKeys, rightKeys: rightKeys, leftCount: leftCount, rightCount: rightCount,
                                keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled) else { return nil }
        return (pairs.left ?? (0..<Int32(pairs.right.count)).map { $0 }, pairs.right)
    }

    /// The pairs as `match` gives them, with the left rows nil when they are every left row once,
    /// in order (each left row met one right row, or none in a left join): the usual join of
    /// orders to their customers, where the left rows need no array of their own.
    static func pairs(leftKeys: [Column], rightKeys: [Column], leftCount: Int, rightCount: Int, keepUnmatched: Bool,
                      maxRows: Int = Int(Int32.max), isCancelled: () -> Bool = { false }) -> Pairs? {
        if leftKeys.count == 1, let pairs = integerMatch(leftKeys[0], rightKeys[0], keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled) {
            return pairs
        }
        // Key both sides in one id space by grouping the concatenated key columns.
        let combined = zip(leftKeys, rightKeys).map { concatenate($0, $1) }
        let g = Grouping(columns: combined, n: leftCount + rightCount, isCancelled: isCancelled)
        if isCancelled() { return Pairs(left: [], right: []) }
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
    /// one that passes `maxRows` pairs gives nil. While every left row gives exactly one pair the
    /// left rows are not written: they are 0, 1, 2, … (`Pairs.left` nil when that lasts).
    @inline(__always)
    fileprivate static func probe(_ leftCount: Int, next: [Int32], keepUnmatched: Bool, maxRows: Int, isCancelled: () -> Bool,
                              first: (Int) -> Int32) -> Pairs? {
        var outLeft: [Int32] = [], outRight: [Int32] = []
        outRight.reserveCapacity(leftCount)
        var inOrder = true
        // Ctrl-C is polled every 4,096 left rows and every million pairs made, whichever comes
        // first: one left row may match millions.
        var nextCheck = 1 << 20
        for l in 0..<leftCount {
            if l & 0xFFF == 0 || outRight.count >= nextCheck {
                if isCancelled() { return Pairs(left: [], right: []) }
                nextCheck = outRight.count + 1 << 20
            }
            var r = first(l)
            if inOrder {
                // One pair for this row, as for every row before it: nothing to write on the left.
                if r >= 0 ? next[Int(r)] < 0 : keepUnmatched {
                    outRight.append(r)
                    if outRight.count > maxRows { return nil }
                    continue
                }
                inOrder = false
                outLeft.reserveCapacity(leftCount)
                outLeft.append(contentsOf: 0..<Int32(l))
            }
            if r < 0 && keepUnmatched {
                outLeft.append(Int32(l))
                outRight.append(-1)
            }
            while r >= 0 {
                outLeft.append(Int32(l))
                outRight.append(r)
                r = next[Int(r)]
            }
            if outRight.count > maxRows { return nil }
        }
        return Pairs(left: inOrder ? nil : outLeft, right: outRight)
    }

    /// The same pairs for one integer (or date) key of the same type on both sides, without
    /// copying the keys (`IntegerIndex`).
    private static func integerMatch(_ left: Column, _ right: Column, keepUnmatched: Bool, maxRows: Int, isCancelled: () -> Bool) -> Pairs?? {
        guard let index = IntegerIndex(right), index.probes(left) else { return nil }
        return index.probe(left, keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled)
    }

    /// The right side of a join on one integer, date or date-time key, built once and probed by
    /// any number of left rows: the right rows are chained per key in a table indexed by value
    /// (or a hash map when the values are spread wide), and each left row looks its key up.
    struct IntegerIndex {
        private enum Kind { case integer, date, dateTime }
        private let kind: Kind
        private let direct: Bool
        private let lo: Int64, hi: Int64
        private let map: DenseIdMap
        /// Per key slot, the first right row with that key; `next` chains the rest in order.
        private let head: [Int32], next: [Int32]

        /// nil when the column is not of integers, dates or date-times.
        init?(_ right: Column) {
            switch right.storage {
            case .int(let b): self.init(.integer, b, right.validity)
            case .int32(let b): self.init(.integer, b, right.validity)
            case .date(let b): self.init(.date, b, right.validity)
            case .dateTime(let b): self.init(.dateTime, b, right.validity)
            default: return nil
            }
        }

        private init<T: FixedWidthInteger>(_ kind: Kind, _ b: [T], _ bv: Bitmap?) {
            self.kind = kind
            var lo = Int64.max, hi = Int64.min
            for (r, x) in b.enumerated() where bv.map({ $0.isValid(r) }) ?? true { lo = min(lo, Int64(x)); hi = max(hi, Int64(x)) }
            let span = hi.subtractingReportingOverflow(lo)
            let direct = lo <= hi && !span.overflow && span.partialValue < Int64(max(4 * b.count, 1 << 16))
            var map = DenseIdMap(capacity: direct ? 16 : b.count)
            if !direct { for (r, x) in b.enumerated() where bv.map({ $0.isValid(r) }) ?? true { _ = map.id(for: Int64(x)) } }
            var head = [Int32](repeating: -1, count: direct ? Int(span.partialValue) + 1 : map.count)
            var next = [Int32](repeating: -1, count: b.count)
            (self.direct, self.lo, self.hi, self.map) = (direct, lo, hi, map)
            for r in stride(from: b.count - 1, through: 0, by: -1) where bv.map({ $0.isValid(r) }) ?? true {
                let s = Self.slot(Int64(b[r]), direct, lo, hi, map)
                next[r] = head[s]
                head[s] = Int32(r)
            }
            (self.head, self.next) = (head, next)
        }

        @inline(__always)
        private static func slot(_ k: Int64, _ direct: Bool, _ lo: Int64, _ hi: Int64, _ map: DenseIdMap) -> Int {
            if direct { return k >= lo && k <= hi ? Int(k &- lo) : -1 }
            return map.find(k).map { Int($0) } ?? -1
        }

        /// Whether `left` holds keys of the same type (integers of either width meet).
        func probes(_ left: Column) -> Bool {
            switch (left.storage, kind) {
            case (.int, .integer), (.int32, .integer), (.date, .date), (.dateTime, .dateTime): return true
            default: return false
            }
        }

        /// The pairs of `left`'s rows (a column that `probes` accepts) with the right rows.
        func probe(_ left: Column, keepUnmatched: Bool, maxRows: Int, isCancelled: () -> Bool) -> Pairs? {
            switch left.storage {
            case .int(let a), .dateTime(let a): return probe(a, left.validity, keepUnmatched, maxRows, isCancelled)
            case .int32(let a), .date(let a): return probe(a, left.validity, keepUnmatched, maxRows, isCancelled)
            default: return Pairs(left: [], right: [])
            }
        }

        /// How many rows joining `left` (a column that `probes` accepts) gives, without making
        /// the pairs: each left row's matches, or one for a row without any in a left join.
        func rowCount(_ left: Column, keepUnmatched: Bool) -> Int {
            switch left.storage {
            case .int(let a), .dateTime(let a): return rowCount(a, left.validity, keepUnmatched)
            case .int32(let a), .date(let a): return rowCount(a, left.validity, keepUnmatched)
            default: return 0
            }
        }

        private func rowCount<T: FixedWidthInteger>(_ a: [T], _ av: Bitmap?, _ keepUnmatched: Bool) -> Int {
            var rows = 0
            for l in a.indices {
                var r: Int32 = -1
                if av.map({ $0.isValid(l) }) ?? true {
                    let s = Self.slot(Int64(a[l]), direct, lo, hi, map)
                    if s >= 0 { r = head[s] }
                }
                if r < 0 && keepUnmatched { rows += 1 }
                while r >= 0 { rows += 1; r = next[Int(r)] }
            }
            return rows
        }

        private func probe<T: FixedWidthInteger>(_ a: [T], _ av: Bitmap?, _ keepUnmatched: Bool, _ maxRows: Int, _ isCancelled: () -> Bool) -> Pairs? {
            Join.probe(a.count, next: next, keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: isCancelled) { l in
                guard av.map({ $0.isValid(l) }) ?? true else { return -1 }
                let s = Self.slot(Int64(a[l]), direct, lo, hi, map)
                return s >= 0 ? head[s] : -1
            }
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

/// Ordering of rows: stable multi-key sorts with nulls last.
enum Sorting {
    /// A strict "row a before row b" test on one column's values (nulls not considered).
    static func lessThan(_ c: Column) -> (Int, Int) -> Bool {
        switch c.storage {
        case .int(let a), .dateTime(let a): return { a[$0] < a[$1] }
        case .int32(let a): return { a[$0] < a[$1] }
        case .double(let a): return { a[$0] < a[$1] }
        case .bool(let a): return { !a[$0] && a[$1] }
        case .date(let a): return { a[$0] < a[$1] }
        case .string(let codes, let dict):
            let rank = dict.sortRanks()
            return { rank[Int(codes[$0])] < rank[Int(codes[$1])] }
        }
    }

    /// "Row a sorts before row b" by `keys` (earlier keys first), nulls last, ties by row number.
    static func ordering(_ keys: [(column: Column, descending: Bool)]) -> (Int, Int) -> Bool {
        let tests = keys.map { (less: lessThan($0.column), column: $0.column, descending: $0.descending) }
        return { a, b in
            for t in tests {
                let an = t.column.isNull(a), bn = t.column.isNull(b)
                if an != bn { return bn }
                if an { continue }
                if t.less(a, b) { return !t.descending }
                if t.less(b, a) { return t.descending }
            }
            return a < b
        }
    }

    /// The row order that sorts by `keys`, stable, nulls last; nil when cancelled.
    ///
    /// A comparator cannot throw, so it polls `isCancelled` every 65,536 comparisons and, once
    /// cancelled, compares row numbers only, which lets the sort finish at once.
    static func permutation(_ keys: [(column: Column, descending: Bool)], n: Int, isCancelled: () -> Bool = { false }) -> [Int32]? {
        let before = ordering(keys)
        var order = (0..<Int32(n)).map { $0 }
        var comparisons = 0
        var cancelled = false
        order.sort { x, y in
            comparisons &+= 1
            if comparisons & 0xFFFF == 0 && !cancelled { cancelled = isCancelled() }
            return cancelled ? x < y : before(Int(x), Int(y))
        }
        return cancelled ? nil : order
    }

    /// The first `limit` rows of that order, without sorting the rest: a heap of the best
    /// `limit` rows seen, whose root is the one that would go last.
    static func top(_ keys: [(column: Column, descending: Bool)], limit: Int, n: Int) -> [Int32] {
        guard limit < n / 4 else { return Array((permutation(keys, n: n) ?? []).prefix(limit)) }
        let before = ordering(keys)
        var heap: [Int] = []
        heap.reserveCapacity(limit)
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var largest = i
                if l < heap.count && before(heap[largest], heap[l]) { largest = l }
                if r < heap.count && before(heap[largest], heap[r]) { largest = r }
                if largest == i { return }
                heap.swapAt(i, largest)
                i = largest
            }
        }
        func offer(_ row: Int) {
            if heap.count < limit {
                heap.append(row)
                var i = heap.count - 1
                while i > 0 && before(heap[(i - 1) / 2], heap[i]) {
                    heap.swapAt(i, (i - 1) / 2)
                    i = (i - 1) / 2
                }
            } else if limit > 0 && before(row, heap[0]) {
                heap[0] = row
                siftDown(0)
            }
        }
        // With a first key of plain values, a row whose key is strictly worse than the root's
        // cannot get in, and is turned away without the full comparison.
        func scan<T: Comparable>(_ a: [T], descending: Bool) {
            for (row, x) in a.enumerated() {
                if limit > 0 && heap.count == limit {
                    let root = a[heap[0]]
                    if descending ? x < root : x > root { continue }
                }
                offer(row)
            }
        }
        switch (keys.first?.column.validity == nil ? keys.first : nil)?.column.storage {
        case .double(let a)?: scan(a, descending: keys[0].descending)
        case .int(let a)?, .dateTime(let a)?: scan(a, descending: keys[0].descending)
        case .date(let a)?, .int32(let a)?: scan(a, descending: keys[0].descending)
        default: for row in 0..<n { offer(row) }
        }
        return heap.sorted(by: before).map { Int32($0) }
    }
}

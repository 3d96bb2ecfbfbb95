/// Ordering of rows: stable multi-key sorts with nulls last.
enum Sorting {
    /// A strict "row a before row b" test on one column's values (nulls not considered).
    static func lessThan(_ c: Column) -> (Int, Int) -> Bool {
        switch c.storage {
        case .int(let a), .dateTime(let a): return { a[$0] < a[$1] }
        case .double(let a): return { a[$0] < a[$1] }
        case .bool(let a): return { !a[$0] && a[$1] }
        case .date(let a): return { a[$0] < a[$1] }
        case .string(let codes, let dict):
            let rank = dict.sortRanks()
            return { rank[Int(codes[$0])] < rank[Int(codes[$1])] }
        }
    }

    /// The row order that sorts by `keys` (earlier keys first), stable, nulls last.
    static func permutation(_ keys: [(column: Column, descending: Bool)], n: Int) -> [Int32] {
        let tests = keys.map { (less: lessThan($0.column), column: $0.column, descending: $0.descending) }
        var order = (0..<Int32(n)).map { $0 }
        order.sort { x, y in
            let a = Int(x), b = Int(y)
            for t in tests {
                let an = t.column.isNull(a), bn = t.column.isNull(b)
                if an != bn { return bn }
                if an { continue }
                if t.less(a, b) { return !t.descending }
                if t.less(b, a) { return t.descending }
            }
            return x < y
        }
        return order
    }
}

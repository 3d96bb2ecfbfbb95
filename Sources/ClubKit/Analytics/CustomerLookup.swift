/// The buyers' dense numbers by key, for customer keys that are whole numbers in a short range
/// (the usual customer id): one slot per value of the range, so that another table's ids (the
/// customers table's, the feedback's) find their buyer by looking at one slot instead of being
/// grouped together with the buyers' keys. `types` reads the customers and feedback tables
/// through it; any other keys (text, dates, a range much wider than the ids) go the way of
/// `Grouping`, with the same answers.
struct CustomerLookup {
    /// The key of slot 0.
    private let low: Int64
    /// Per value from `low`: the buyer's dense number; `none` for a value no buyer has, `seen`
    /// once `firstRowsOfOthers` has met it.
    private var slot: [Int32]
    static let none: Int32 = -1, seen: Int32 = -2

    /// Nil unless `keys` (the buyers' keys, dense number by position) and `others` (ids of other
    /// tables, nulls allowed) are whole numbers whose range, over all of them, has at most twice
    /// as many values as there are keys and ids (so the slots take no more memory than the
    /// grouping they replace).
    init?(keys: Column, others: [Column]) {
        guard keys.nullCount == 0, let keyRange = Self.range(keys) else { return nil }
        var (low, high) = keyRange
        var total = keys.count
        for other in others {
            guard let (l, h) = Self.range(other) else { return nil }
            (low, high, total) = (min(low, l), max(high, h), total + other.count)
        }
        guard low <= high else { return nil }
        // The span as a magnitude: high − low may not fit in Int64.
        let span = UInt64(bitPattern: high &- low)
        guard span < UInt64(2 * total + 1024), span < UInt64(Int32.max) else { return nil }
        var slot = [Int32](repeating: Self.none, count: Int(span) + 1)
        // SAFETY: every key is in [low, high], so key − low < slot.count; c < keys.count ≤ Int32.max.
        slot.withUnsafeMutableBufferPointer { slot in
            Self.forEach(keys) { c, key in slot[Int(key &- low)] = Int32(c) }
        }
        (self.low, self.slot) = (low, slot)
    }

    /// The buyer with this key; `none` (or `seen`) when no buyer has it.
    @inline(__always)
    func customer(_ key: Int64) -> Int32 {
        let at = UInt64(bitPattern: key &- low)
        return at < UInt64(slot.count) ? slot[Int(at)] : Self.none
    }

    /// The rows of `ids` (a column given to `init`) holding a key no buyer has, each key's first
    /// row only, in row order; nulls are skipped. The order in which grouping the buyers' keys
    /// and then `ids` numbers the groups after the buyers'.
    mutating func firstRowsOfOthers(_ ids: Column) -> [Int] {
        var rows: [Int] = []
        let low = self.low
        slot.withUnsafeMutableBufferPointer { slot in
            Self.forEach(ids) { row, key in
                // SAFETY: `init` took the range of `ids` into [low, high].
                let at = Int(key &- low)
                guard slot[at] == Self.none else { return }
                slot[at] = Self.seen
                rows.append(row)
            }
        }
        return rows
    }

    /// The least and greatest non-null value of a column of whole numbers ((max, min) when it has
    /// none); nil for any other column.
    private static func range(_ column: Column) -> (Int64, Int64)? {
        guard case .int = column.type else { return nil }
        var (low, high) = (Int64.max, Int64.min)
        guard forEach(column, { _, v in low = min(low, v); high = max(high, v) }) else { return nil }
        return (low, high)
    }

    /// `body(row, value)` for each non-null row of a column of whole numbers, in row order; false
    /// (and nothing called) for any other storage.
    @discardableResult
    @inline(__always)
    static func forEach(_ column: Column, _ body: (Int, Int64) -> Void) -> Bool {
        let validity = column.validity
        switch column.storage {
        case .int(let a):
            a.withUnsafeBufferPointer { a in
                if let validity { for i in 0..<a.count where validity.isValid(i) { body(i, a[i]) } } else { for i in 0..<a.count { body(i, a[i]) } }
            }
        case .int32(let a):
            a.withUnsafeBufferPointer { a in
                if let validity { for i in 0..<a.count where validity.isValid(i) { body(i, Int64(a[i])) } } else { for i in 0..<a.count { body(i, Int64(a[i])) } }
            }
        default:
            return false
        }
        return true
    }
}

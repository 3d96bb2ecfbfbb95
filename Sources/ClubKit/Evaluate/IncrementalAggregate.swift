/// `agg … by key` over a large table with many groups, a block of rows at a time: the groups
/// are numbered as they first appear, block by block (the numbers a `Grouping` gives), and each
/// block is added straight into arrays per group that grow as groups appear. No group number per
/// row of the whole table exists (one block's, reused), and the arrays the blocks add into are
/// the answer's columns themselves. `orders | agg n = count(), spend = sum(amount), last =
/// max(date) by customer_id` over 100 million orders of 16 million customers then keeps, beside
/// its answer (24 bytes a customer), only the table from customer to group (4 bytes a
/// customer), where one pass kept a group number per order and each aggregate's working arrays.
///
/// Only aggregates whose answer is the one pass's, group for group, bit for bit: `count`; `sum`
/// of integers (wraps counted per group, so a sum may leave 64 bits and come back, and a total
/// past 64 bits is null with a warning); `sum` and `avg` of money (`Money`'s rule, at the scale
/// of the whole column: units added exactly, each total rounded once); `min` and `max` of
/// numbers, dates and date-times. One key column of integers, dates, date-times or texts (by
/// dictionary code). Anything else — or a first block that keeps no more than one group per
/// `BlockedAggregate.reductionLimit` rows, since a few groups are grouped and aggregated on both
/// cores by the one pass — gives nil, and the one pass runs.
enum IncrementalAggregate {
    /// The key column of the answer (one row per group, in order of first appearance) and one
    /// column per call; nil when the one pass must run instead. Polls `isCancelled` once a block.
    static func evaluate(key: Column, calls: [AggregateCall], inputs: [Column?], blockRows: Int,
                         isCancelled: () -> Bool, warnings: inout AggregateWarnings) throws(Diagnostic) -> [Column]? {
        guard blockRows > 0, zip(calls, inputs).allSatisfy(supported) else { return nil }
        func run<T: FixedWidthInteger>(_ values: [T], _ make: @escaping ([T]) -> ColumnStorage) throws(Diagnostic) -> [Column]? {
            let blocks = Blocks(key: key, values: values, make: make, calls: calls, inputs: inputs, blockRows: blockRows)
            return try blocks.run(isCancelled: isCancelled, warnings: &warnings)
        }
        switch key.storage {
        case .int(let a): return try run(a) { .int($0) }
        case .dateTime(let a): return try run(a) { .dateTime($0) }
        case .int32(let a): return try run(a) { .int32($0) }
        case .date(let a): return try run(a) { .date($0) }
        case .string(let codes, let dictionary): return try run(codes) { .string($0, dictionary) }
        case .double, .bool: return nil
        }
    }

    /// Whether a call can accumulate block by block (money sums are checked for a scale later,
    /// double extremes for NaN).
    private static func supported(_ pair: (call: AggregateCall, input: Column?)) -> Bool {
        switch pair.call.function {
        case .count: return true
        case .sum:
            guard let storage = pair.input?.storage else { return false }
            switch storage {
            case .int, .int32, .double: return true
            default: return false
            }
        case .avg:
            guard case .double? = pair.input?.storage else { return false }
            return true
        case .min, .max:
            guard let storage = pair.input?.storage else { return false }
            switch storage {
            case .int, .int32, .date, .dateTime, .double: return true
            default: return false
            }
        default: return false
        }
    }
}

/// One run over a key column whose values are `T`s.
private struct Blocks<T: FixedWidthInteger> {
    let key: Column
    let values: [T]
    let make: ([T]) -> ColumnStorage
    let calls: [AggregateCall]
    let inputs: [Column?]
    let blockRows: Int

    func run(isCancelled: () -> Bool, warnings: inout AggregateWarnings) throws(Diagnostic) -> [Column]? {
        let n = values.count
        var ids = [Int32](repeating: 0, count: Swift.min(blockRows, n))
        var numbers = values.withUnsafeBufferPointer { GroupNumbers($0, validity: key.validity) }
        var accumulators: [Accumulator] = []
        var columnOf: [(any GroupAccumulator, Counts?)] = []
        var start = 0
        while start < n {
            if isCancelled() { throw Diagnostic.interrupted }
            let rows = start..<Swift.min(start + blockRows, n)
            // SAFETY: `rows` lies below n = values.count, and ids has at least rows.count slots.
            values.withUnsafeBufferPointer { v in
                ids.withUnsafeMutableBufferPointer { numbers.number(v, validity: key.validity, rows: rows, into: $0) }
            }
            if start == 0 {
                // A few groups: the one pass does them on both cores.
                if numbers.count * BlockedAggregate.reductionLimit <= rows.count { return nil }
                guard let made = makeAccumulators(capacity: numbers.capacity) else { return nil }
                (accumulators, columnOf) = made
            }
            for a in accumulators { a.grow(to: numbers.count) }
            // SAFETY: ids[0..<rows.count] holds a group below numbers.count for each row.
            ids.withUnsafeBufferPointer { ids in
                let block = UnsafeBufferPointer(rebasing: ids[0..<rows.count])
                for a in accumulators { a.add(rows, groups: block) }
            }
            start = rows.upperBound
        }
        // The key table goes before the answer's columns are made.
        ids = []
        var keyColumn = numbers.column(make)
        keyColumn.display = key.display
        numbers = GroupNumbers()
        var columns = [keyColumn]
        for (a, counts) in columnOf { columns.append(a.finish(counts: counts, warnings: &warnings)) }
        return columns
    }

    /// Each call's accumulator (calls that count rows share one) and the counts it finishes
    /// with; nil when a call turns out not to accumulate exactly (doubles without a money scale,
    /// NaN among the extremes).
    private func makeAccumulators(capacity: Int) -> ([Accumulator], [(any GroupAccumulator, Counts?)])? {
        var all: [Accumulator] = []
        var rowCounts: Counts?
        func counts(_ input: Column?) -> Counts {
            if let validity = input?.validity {
                let c = Counts(validity: validity, capacity: capacity)
                all.append(.counts(c))
                return c
            }
            if let rowCounts { return rowCounts }
            let c = Counts(validity: nil, capacity: capacity)
            all.append(.counts(c))
            rowCounts = c
            return c
        }
        var columnOf: [(any GroupAccumulator, Counts?)] = []
        for (call, input) in zip(calls, inputs) {
            switch call.function {
            case .count:
                let c = counts(input)
                columnOf.append((c, nil))
            case .sum, .avg:
                guard let input else { return nil }
                // A group whose values are all null has a null sum: only then are values counted.
                let seen = input.validity != nil || call.function == .avg ? counts(input) : nil
                let sum: Accumulator
                switch input.storage {
                case .int(let a): sum = .sum64(IntegerSum(a, validity: input.validity, capacity: capacity))
                case .int32(let a): sum = .sum32(IntegerSum(a, validity: input.validity, capacity: capacity))
                case .double(let a):
                    let parts = a.count >= 1 << 20 ? 2 : 1
                    guard let scale = a.withUnsafeBufferPointer({ Money.scale(of: $0, valid: input.validity, parts: parts) }) else { return nil }
                    sum = .money(MoneySum(a, validity: input.validity, scale: scale, mean: call.function == .avg, capacity: capacity))
                default: return nil
                }
                all.append(sum)
                columnOf.append((sum.accumulator, seen))
            case .min, .max:
                guard let input else { return nil }
                let max = call.function == .max
                let extreme: Accumulator
                switch input.storage {
                // Each starts from the type's least value (for max) or greatest (for min).
                case .int(let a): extreme = .extreme64(Extreme(a, validity: input.validity, max: max, from: max ? .min : .max, capacity: capacity) { .int($0) })
                case .int32(let a): extreme = .extreme32(Extreme(a, validity: input.validity, max: max, from: max ? .min : .max, capacity: capacity) { .int32($0) })
                case .date(let a): extreme = .extreme32(Extreme(a, validity: input.validity, max: max, from: max ? .min : .max, capacity: capacity) { .date($0) })
                case .dateTime(let a): extreme = .extreme64(Extreme(a, validity: input.validity, max: max, from: max ? .min : .max, capacity: capacity) { .dateTime($0) })
                case .double(let a):
                    // NaN would not order (the one pass compares rows then).
                    guard !a.contains(where: \.isNaN) else { return nil }
                    extreme = .extremeDouble(Extreme(a, validity: input.validity, max: max, from: max ? -.infinity : .infinity, capacity: capacity) { .double($0) })
                default: return nil
                }
                all.append(extreme)
                columnOf.append((extreme.accumulator, nil))
            default: return nil
            }
        }
        return (all, columnOf)
    }
}

/// The groups of a key column numbered as they first appear, with each group's key: through a
/// table indexed by value when the values span no more slots than there are rows, else through
/// a hash map. Nulls form one group, numbered where the first null appears.
private struct GroupNumbers<T: FixedWidthInteger> {
    private var lo: Int64 = 0
    private var table: [Int32] = []
    private var map: DenseIdMap?
    private var nullGroup: Int32 = -1
    private(set) var keys: [T] = []
    /// The most groups there can be (the capacity reserved for the arrays per group).
    private(set) var capacity = 0

    init() {}

    init(_ v: UnsafeBufferPointer<T>, validity: Bitmap?) {
        let n = v.count
        var lo = Int64.max, hi = Int64.min
        if let validity {
            for i in 0..<n where validity.isValid(i) { lo = Swift.min(lo, Int64(v[i])); hi = Swift.max(hi, Int64(v[i])) }
        } else {
            for x in v { lo = Swift.min(lo, Int64(x)); hi = Swift.max(hi, Int64(x)) }
        }
        let span = hi.subtractingReportingOverflow(lo)
        let null = validity == nil ? 0 : 1
        if lo <= hi, !span.overflow, span.partialValue < Int64(Swift.max(n, 1 << 16)) {
            self.lo = lo
            table = [Int32](repeating: -1, count: Int(span.partialValue) + 1)
            capacity = Swift.min(n, table.count + null)
        } else {
            map = DenseIdMap(capacity: 1024)
            capacity = n
        }
        // Reserved, not touched: the pages of groups that never appear are never made.
        keys.reserveCapacity(capacity)
    }

    var count: Int { keys.count }

    /// Writes the group of each row in `rows` to `ids` (from ids[0]), numbering new groups.
    ///
    /// SAFETY: v[i] for i in rows, below v.count; ids[i − rows.lowerBound] below rows.count ≤
    /// ids.count; a table slot v[i] − lo lies in 0...hi − lo < table.count, since lo and hi are
    /// the least and greatest non-null values.
    mutating func number(_ v: UnsafeBufferPointer<T>, validity: Bitmap?, rows: Range<Int>, into ids: UnsafeMutableBufferPointer<Int32>) {
        let first = rows.lowerBound
        if map == nil {
            let lo = self.lo
            var keys = self.keys, nullGroup = self.nullGroup
            self.keys = []
            table.withUnsafeMutableBufferPointer { t in
                for i in rows {
                    if let validity, !validity.isValid(i) {
                        if nullGroup < 0 { nullGroup = Int32(keys.count); keys.append(0) }
                        ids[i - first] = nullGroup
                        continue
                    }
                    let x = v[i], slot = Int(Int64(x) &- lo)
                    var id = t[slot]
                    if id < 0 { id = Int32(keys.count); t[slot] = id; keys.append(x) }
                    ids[i - first] = id
                }
            }
            (self.keys, self.nullGroup) = (keys, nullGroup)
            return
        }
        var map = self.map!
        self.map = nil
        for i in rows {
            if let validity, !validity.isValid(i) {
                if nullGroup < 0 { nullGroup = Int32(keys.count); keys.append(0) }
                ids[i - first] = nullGroup
                continue
            }
            let before = map.count, x = v[i]
            let m = map.id(for: Int64(x))
            if map.count > before { keys.append(x) }
            // The map numbers values only; a null group met earlier sits before the later ones.
            ids[i - first] = nullGroup >= 0 && m >= nullGroup ? m + 1 : m
        }
        self.map = map
    }

    /// The groups' keys as a column (the null group null).
    func column(_ make: ([T]) -> ColumnStorage) -> Column {
        guard nullGroup >= 0 else { return Column(make(keys)) }
        var validity = Bitmap(count: keys.count)
        validity.set(Int(nullGroup), false)
        return Column(make(keys), validity: validity)
    }
}

/// The accumulators the blocks add into, each as its concrete type, so that its loops are
/// compiled for that type (called through the protocol, a generic class's loops would not be).
private enum Accumulator {
    case counts(Counts), money(MoneySum)
    case sum64(IntegerSum<Int64>), sum32(IntegerSum<Int32>)
    case extreme64(Extreme<Int64>), extreme32(Extreme<Int32>), extremeDouble(Extreme<Double>)

    var accumulator: any GroupAccumulator {
        switch self {
        case .counts(let a): return a
        case .money(let a): return a
        case .sum64(let a): return a
        case .sum32(let a): return a
        case .extreme64(let a): return a
        case .extreme32(let a): return a
        case .extremeDouble(let a): return a
        }
    }

    func grow(to count: Int) {
        switch self {
        case .counts(let a): a.grow(to: count)
        case .money(let a): a.grow(to: count)
        case .sum64(let a): a.grow(to: count)
        case .sum32(let a): a.grow(to: count)
        case .extreme64(let a): a.grow(to: count)
        case .extreme32(let a): a.grow(to: count)
        case .extremeDouble(let a): a.grow(to: count)
        }
    }

    func add(_ rows: Range<Int>, groups: UnsafeBufferPointer<Int32>) {
        switch self {
        case .counts(let a): a.add(rows, groups: groups)
        case .money(let a): a.add(rows, groups: groups)
        case .sum64(let a): a.add(rows, groups: groups)
        case .sum32(let a): a.add(rows, groups: groups)
        case .extreme64(let a): a.add(rows, groups: groups)
        case .extreme32(let a): a.add(rows, groups: groups)
        case .extremeDouble(let a): a.add(rows, groups: groups)
        }
    }
}

/// An aggregate's arrays per group, added to a block at a time.
private protocol GroupAccumulator: AnyObject {
    /// Makes room for `count` groups; the new ones have seen no value.
    func grow(to count: Int)
    /// Adds the rows `rows`, whose groups are `groups` (row rows.lowerBound + j in groups[j]).
    func add(_ rows: Range<Int>, groups: UnsafeBufferPointer<Int32>)
    /// The answer's column; `counts` are the values each group had, when its nulls need them.
    func finish(counts: Counts?, warnings: inout AggregateWarnings) -> Column
}

/// Rows per group (`count()`), or the rows whose value is not null (`count(x)`, and a sum's or
/// mean's values) when `validity` is given.
private final class Counts: GroupAccumulator {
    let validity: Bitmap?
    private(set) var counts: [Int64] = []

    init(validity: Bitmap?, capacity: Int) {
        self.validity = validity
        counts.reserveCapacity(capacity)
    }

    func grow(to count: Int) { counts.append(contentsOf: repeatElement(0, count: count - counts.count)) }

    /// SAFETY: every group is below counts.count (grown to the groups numbered so far).
    func add(_ rows: Range<Int>, groups: UnsafeBufferPointer<Int32>) {
        let first = rows.lowerBound
        counts.withUnsafeMutableBufferPointer { c in
            if let validity {
                for j in 0..<groups.count where validity.isValid(first + j) { c[Int(groups[j])] += 1 }
            } else {
                for g in groups { c[Int(g)] += 1 }
            }
        }
    }

    func finish(counts _: Counts?, warnings: inout AggregateWarnings) -> Column { Column(.int(counts)) }
}

/// Sums of money (`Money`'s rule at the column's scale): each group's units kept in a double's
/// 64 bits (their bit pattern, never a number until the end), so the array that adds them
/// becomes the sums' column in place. Wraps past 64 bits are counted per group in a dictionary:
/// they need more than a thousand amounts of 2^53 units in one group.
private final class MoneySum: GroupAccumulator {
    private let values: [Double], validity: Bitmap?, scale: Int, mean: Bool
    private var units: [Double] = []
    private var carry: [Int32: Int64] = [:]

    init(_ values: [Double], validity: Bitmap?, scale: Int, mean: Bool, capacity: Int) {
        (self.values, self.validity, self.scale, self.mean) = (values, validity, scale, mean)
        units.reserveCapacity(capacity)
    }

    func grow(to count: Int) { units.append(contentsOf: repeatElement(0, count: count - units.count)) }

    /// SAFETY: rows lie below values.count; every group is below units.count.
    func add(_ rows: Range<Int>, groups: UnsafeBufferPointer<Int32>) {
        let first = rows.lowerBound, p = Money.powers[scale], validity = self.validity
        var carry = self.carry
        self.carry = [:]
        values.withUnsafeBufferPointer { v in units.withUnsafeMutableBufferPointer { u in
            for j in 0..<groups.count {
                if let validity, !validity.isValid(first + j) { continue }
                let g = Int(groups[j]), m = Money.nearest(v[first + j] * p)
                let (sum, wrapped) = Int64(bitPattern: u[g].bitPattern).addingReportingOverflow(m)
                u[g] = Double(bitPattern: UInt64(bitPattern: sum))
                // The true sum is units + carry × 2^64.
                if wrapped { carry[groups[j], default: 0] += m > 0 ? 1 : -1 }
            }
        } }
        self.carry = carry
    }

    /// Each group's units as the double nearest their sum (the mean: that over the count), in
    /// place; a group without values is null.
    func finish(counts: Counts?, warnings: inout AggregateWarnings) -> Column {
        let n = counts?.counts, scale = self.scale, mean = self.mean, carry = self.carry
        var sums = units
        units = []
        // SAFETY: g < sums.count = the groups' count = n.count.
        sums.withUnsafeMutableBufferPointer { s in
            for g in 0..<s.count {
                let u = Int64(bitPattern: s[g].bitPattern)
                let sum = Money.double(u, carry: carry.isEmpty ? 0 : carry[Int32(g)] ?? 0, scale: scale)
                s[g] = mean && n![g] > 0 ? sum / Double(n![g]) : sum
            }
        }
        return ExpressionEvaluator.withoutNaN(sums, n.flatMap(nullWhereNone), count: &warnings.undefined)
    }
}

/// Exact sums of integers: each group's sum wraps, and its wraps are counted (as in the one
/// pass), so a sum may leave 64 bits and come back; a total past 64 bits is null with a warning.
private final class IntegerSum<V: BinaryInteger>: GroupAccumulator {
    private let values: [V], validity: Bitmap?
    private var sums: [Int64] = []
    private var carry: [Int32: Int64] = [:]

    init(_ values: [V], validity: Bitmap?, capacity: Int) {
        (self.values, self.validity) = (values, validity)
        sums.reserveCapacity(capacity)
    }

    func grow(to count: Int) { sums.append(contentsOf: repeatElement(0, count: count - sums.count)) }

    /// SAFETY: rows lie below values.count; every group is below sums.count.
    func add(_ rows: Range<Int>, groups: UnsafeBufferPointer<Int32>) {
        let first = rows.lowerBound, validity = self.validity
        var carry = self.carry
        self.carry = [:]
        values.withUnsafeBufferPointer { v in sums.withUnsafeMutableBufferPointer { s in
            for j in 0..<groups.count {
                if let validity, !validity.isValid(first + j) { continue }
                let g = Int(groups[j]), x = Int64(v[first + j])
                let (sum, wrapped) = s[g].addingReportingOverflow(x)
                s[g] = sum
                if wrapped { carry[groups[j], default: 0] += x > 0 ? 1 : -1 }
            }
        } }
        self.carry = carry
    }

    func finish(counts: Counts?, warnings: inout AggregateWarnings) -> Column {
        var valid = counts.flatMap { nullWhereNone($0.counts) }
        for (g, wraps) in carry where wraps != 0 {
            if valid == nil { valid = Bitmap(count: sums.count) }
            valid!.set(Int(g), false)
            warnings.overflow += 1
        }
        let column = Column(.int(sums), validity: valid)
        sums = []
        return column
    }
}

/// The least or greatest value per group, kept as values; a group whose values are all null is
/// null (0 beneath).
private final class Extreme<V: Comparable & Numeric>: GroupAccumulator {
    private let values: [V], validity: Bitmap?, max: Bool, identity: V, make: ([V]) -> ColumnStorage
    private var best: [V] = []
    /// Whether each group has met a value: only when the values have nulls. Otherwise every
    /// group has one, and `identity`, no greater (for max; for min no less) than any value,
    /// starts each group: the first value replaces it, or equals it.
    private var seen: [Bool] = []

    init(_ values: [V], validity: Bitmap?, max: Bool, from identity: V, capacity: Int, make: @escaping ([V]) -> ColumnStorage) {
        (self.values, self.validity, self.max, self.identity, self.make) = (values, validity, max, identity, make)
        best.reserveCapacity(capacity)
        if validity != nil { seen.reserveCapacity(capacity) }
    }

    func grow(to count: Int) {
        let more = count - best.count
        if validity != nil {
            best.append(contentsOf: repeatElement(0, count: more))
            seen.append(contentsOf: repeatElement(false, count: more))
        } else {
            best.append(contentsOf: repeatElement(identity, count: more))
        }
    }

    /// SAFETY: rows lie below values.count; every group is below best.count (= seen.count when
    /// the values have nulls).
    func add(_ rows: Range<Int>, groups: UnsafeBufferPointer<Int32>) {
        let first = rows.lowerBound, max = self.max
        values.withUnsafeBufferPointer { v in best.withUnsafeMutableBufferPointer { b in
            if let validity {
                seen.withUnsafeMutableBufferPointer { seen in
                    for j in 0..<groups.count where validity.isValid(first + j) {
                        let g = Int(groups[j]), x = v[first + j]
                        if !seen[g] { seen[g] = true; b[g] = x } else if max ? x > b[g] : x < b[g] { b[g] = x }
                    }
                }
            } else if max {
                for j in 0..<groups.count {
                    let g = Int(groups[j]), x = v[first + j]
                    if x > b[g] { b[g] = x }
                }
            } else {
                for j in 0..<groups.count {
                    let g = Int(groups[j]), x = v[first + j]
                    if x < b[g] { b[g] = x }
                }
            }
        } }
    }

    func finish(counts _: Counts?, warnings: inout AggregateWarnings) -> Column {
        var validity: Bitmap?
        if let g = seen.firstIndex(of: false) {
            var v = Bitmap(count: best.count)
            for k in g..<seen.count where !seen[k] { v.set(k, false) }
            validity = v
        }
        let column = Column(make(best), validity: validity)
        (best, seen) = ([], [])
        return column
    }
}

/// Null where a group has no value.
private func nullWhereNone(_ counts: [Int64]) -> Bitmap? {
    guard let first = counts.firstIndex(of: 0) else { return nil }
    var v = Bitmap(count: counts.count)
    for k in first..<counts.count where counts[k] == 0 { v.set(k, false) }
    return v
}

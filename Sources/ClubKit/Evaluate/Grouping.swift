/// An open-addressing hash map from Int64 keys to dense Int32 ids, assigned in first-seen order.
struct DenseIdMap {
    private var keys: [Int64]
    private var ids: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [Int64](repeating: 0, count: size)
        ids = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func hash(_ k: Int64) -> Int {
        var x = UInt64(bitPattern: k)
        x = (x ^ (x >> 33)) &* 0xff51afd7ed558ccd
        x = (x ^ (x >> 33)) &* 0xc4ceb9fe1a85ec53
        return Int(truncatingIfNeeded: x ^ (x >> 33))
    }

    /// The id of `key`, assigning the next one when new.
    @inline(__always)
    mutating func id(for key: Int64) -> Int32 {
        var s = Self.hash(key) & mask
        while true {
            let id = ids[s]
            if id < 0 { break }
            if keys[s] == key { return id }
            s = (s + 1) & mask
        }
        let id = Int32(count)
        keys[s] = key
        ids[s] = id
        count += 1
        if count * 2 > keys.count { grow() }
        return id
    }

    /// The id of `key` if present.
    @inline(__always)
    func find(_ key: Int64) -> Int32? {
        var s = Self.hash(key) & mask
        while true {
            let id = ids[s]
            if id < 0 { return nil }
            if keys[s] == key { return id }
            s = (s + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldIds = ids
        keys = [Int64](repeating: 0, count: oldKeys.count * 2)
        ids = [Int32](repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        for i in 0..<oldKeys.count where oldIds[i] >= 0 {
            var s = Self.hash(oldKeys[i]) & mask
            while ids[s] >= 0 { s = (s + 1) & mask }
            keys[s] = oldKeys[i]
            ids[s] = oldIds[i]
        }
    }
}

/// Rows split into groups: a group id per row (first-appearance order), and each group's first row.
///
/// Grouping polls `isCancelled` every `pollRows` rows. After Ctrl-C it stops early and returns a
/// grouping that is consistent (every id below `count`) but wrong, which the caller, polling
/// the same flag, throws away.
struct Grouping {
    var ids: [Int32]
    var count: Int
    var firstRow: [Int32]

    /// Rows between two polls of Ctrl-C: a millisecond or less of hashing.
    static var pollRows: Int { 1 << 16 }

    /// From this many rows a column is grouped on both cores (`inParallel`): a few
    /// milliseconds of work each, so a Ctrl-C still stops the statement soon after.
    static var parallelRows: Int { 1 << 20 }

    /// Groups the rows of `columns` (all of length `n`) by equal values; nulls form their own group.
    init(columns: [Column], n: Int, isCancelled: () -> Bool = { false }) {
        guard !columns.isEmpty else {
            ids = [Int32](repeating: 0, count: n)
            count = 1
            firstRow = [0]
            return
        }
        // Many rows of one column: both cores, when its values are dense enough.
        if columns.count == 1, n >= Self.parallelRows, let both = Grouping.inParallel(columns[0], parts: 2) {
            self = both
            return
        }
        if columns.count == 1, let single = Grouping.integers(columns[0], isCancelled: isCancelled) {
            self = single
            return
        }
        var (current, cardinality) = Grouping.atoms(columns[0], isCancelled: isCancelled)
        for c in columns.dropFirst() {
            let (next, card) = Grouping.atoms(c, isCancelled: isCancelled)
            let product = cardinality.multipliedReportingOverflow(by: card)
            if !product.overflow, product.partialValue < (1 << 62) {
                let card64 = Int64(card)
                for i in 0..<n { current[i] = current[i] * card64 + next[i] }
                cardinality = product.partialValue
            } else {
                // Too many combinations to multiply out: densify first, then combine.
                let (dense, count) = Grouping.densify(current, cardinality: nil, isCancelled: isCancelled)
                let card64 = Int64(card)
                for i in 0..<n { current[i] = Int64(dense[i]) * card64 + next[i] }
                cardinality = count * card
            }
        }
        let (dense, count) = Grouping.densify(current, cardinality: cardinality, isCancelled: isCancelled)
        ids = dense
        self.count = count
        var first = [Int32](repeating: -1, count: count)
        for i in 0..<n where first[Int(dense[i])] < 0 { first[Int(dense[i])] = Int32(i) }
        firstRow = first
    }

    /// One column of integers, dates, date-times or strings grouped in a single pass: through a table
    /// indexed by value when the values span a range no wider than a few times the row count,
    /// else through a hash map. Ids in order of first appearance, as the general path gives.
    static func integers(_ c: Column, isCancelled: () -> Bool = { false }) -> Grouping? {
        // SAFETY: the column's values are read only inside the closure, which the grouping
        // does not outlive (it keeps ids and row numbers, not pointers).
        switch c.storage {
        case .int(let a), .dateTime(let a): return a.withUnsafeBufferPointer { integers($0, c.validity, isCancelled) }
        case .int32(let a): return a.withUnsafeBufferPointer { integers($0, c.validity, isCancelled) }
        case .date(let a): return a.withUnsafeBufferPointer { integers($0, c.validity, isCancelled) }
        // A string's dictionary code names it (one code per distinct string), so the codes
        // group as integers do: no 64-bit atom per row.
        case .string(let codes, _): return codes.withUnsafeBufferPointer { integers($0, c.validity, isCancelled) }
        default: return nil
        }
    }

    /// One of the grouping kernels that keep raw memory: the per-row loop reads, looks up and
    /// writes without bounds checks.
    ///
    /// SAFETY: `ids` is declared full of n uninitialized Int32s (a trivial type) and every slot
    /// i < n is written below before `ids` is read: by the loop, or by the Ctrl-C fill of the
    /// rows it did not reach. v[i] and out[i] are read and written for i < n = v.count; the
    /// table index k = v[i] − lo is at most span = hi − lo, and the table has span + 1 slots.
    private static func integers<T: FixedWidthInteger>(_ v: UnsafeBufferPointer<T>, _ validity: Bitmap?, _ isCancelled: () -> Bool) -> Grouping {
        let n = v.count
        var ids = [Int32](unsafeUninitializedCapacity: n) { _, count in count = n }
        var firstRow: [Int32] = []
        var nullId: Int32 = -1
        var stoppedAt = n
        var lo = Int64.max, hi = Int64.min
        for x in v { lo = min(lo, Int64(x)); hi = max(hi, Int64(x)) }
        let span = hi.subtractingReportingOverflow(lo)
        // SAFETY: out[i] for i < n only (see the note above).
        ids.withUnsafeMutableBufferPointer { out in
            @inline(__always) func null(_ i: Int) -> Bool { validity.map { !$0.isValid(i) } ?? false }
            if n > 0, !span.overflow, span.partialValue < Int64(max(4 * n, 1 << 16)) {
                var table = [Int32](repeating: -1, count: Int(span.partialValue) + 1)
                // SAFETY: t[k] with 0 ≤ k ≤ span < t.count (see the note above).
                table.withUnsafeMutableBufferPointer { t in
                    for i in 0..<n {
                        if i & (pollRows - 1) == 0 && isCancelled() { stoppedAt = i; break }
                        if validity != nil && null(i) {
                            if nullId < 0 { nullId = Int32(firstRow.count); firstRow.append(Int32(i)) }
                            out[i] = nullId
                            continue
                        }
                        let k = Int(Int64(v[i]) &- lo)
                        var id = t[k]
                        if id < 0 { id = Int32(firstRow.count); t[k] = id; firstRow.append(Int32(i)) }
                        out[i] = id
                    }
                }
            } else {
                var map = DenseIdMap(capacity: 1024)
                // The map numbers values only; nulls take their group number among them.
                var groupOf: [Int32] = []
                for i in 0..<n {
                    if i & (pollRows - 1) == 0 && isCancelled() { stoppedAt = i; break }
                    if validity != nil && null(i) {
                        if nullId < 0 { nullId = Int32(firstRow.count); firstRow.append(Int32(i)) }
                        out[i] = nullId
                        continue
                    }
                    let m = Int(map.id(for: Int64(v[i])))
                    if m == groupOf.count { groupOf.append(Int32(firstRow.count)); firstRow.append(Int32(i)) }
                    out[i] = groupOf[m]
                }
            }
            // Stopped by Ctrl-C: the rows not reached join group 0, so every id is a group.
            if stoppedAt < n {
                for i in stoppedAt..<n { out[i] = 0 }
                if firstRow.isEmpty { firstRow.append(0) }
            }
        }
        return Grouping(ids: ids, count: firstRow.count, firstRow: firstRow)
    }

    private init(ids: [Int32], count: Int, firstRow: [Int32]) {
        self.ids = ids
        self.count = count
        self.firstRow = firstRow
    }

    /// Small dense atoms (0..<cardinality) per row for one column; null is the last atom.
    static func atoms(_ c: Column, isCancelled: () -> Bool) -> ([Int64], Int) {
        let n = c.count
        var atoms: [Int64]
        var card: Int
        switch c.storage {
        case .string(let codes, let dict):
            atoms = mapUnary(codes) { Int64($0) }
            card = dict.count + 1
            if let v = c.validity { for i in 0..<n where !v.isValid(i) { atoms[i] = Int64(dict.count) } }
            return (atoms, card)
        case .bool(let b):
            atoms = mapUnary(b) { $0 ? 1 : 0 }
            card = 3
            if let v = c.validity { for i in 0..<n where !v.isValid(i) { atoms[i] = 2 } }
            return (atoms, card)
        case .int, .dateTime, .date, .int32:
            // Any dense numbering serves as atoms; the one-column grouping is the fastest.
            let g = Grouping.integers(c, isCancelled: isCancelled)!
            return (mapUnary(g.ids) { Int64($0) }, max(g.count, 1))
        case .double(let a):
            (atoms, card) = densifyValues(mapUnary(a) { Int64(bitPattern: ($0 == 0 ? 0 : $0).bitPattern) }, c.validity, isCancelled)
        }
        return (atoms, card)
    }

    private static func densifyValues(_ values: [Int64], _ validity: Bitmap?, _ isCancelled: () -> Bool) -> ([Int64], Int) {
        var map = DenseIdMap()
        var out = [Int64](repeating: 0, count: values.count)
        var sawNull = false
        // SAFETY: i < v.count = values.count = out.count.
        values.withUnsafeBufferPointer { v in
            for i in 0..<v.count {
                if i & (pollRows - 1) == 0 && isCancelled() { break }  // the rest stay atom 0
                if let validity, !validity.isValid(i) {
                    out[i] = -1
                    sawNull = true
                } else {
                    out[i] = Int64(map.id(for: v[i]))
                }
            }
        }
        guard sawNull else { return (out, max(map.count, 1)) }
        let nullAtom = Int64(map.count)
        for i in 0..<out.count where out[i] < 0 { out[i] = nullAtom }
        return (out, map.count + 1)
    }

    /// Renumbers keys 0, 1, 2, … in order of first appearance.
    /// After Ctrl-C the keys not reached stay 0, in a group of at least one.
    static func densify(_ keys: [Int64], cardinality: Int?, isCancelled: () -> Bool = { false }) -> ([Int32], Int) {
        var out = [Int32](repeating: 0, count: keys.count)
        // A table as long as the combinations, when that is not much more than the rows: on a
        // few thousand rows a table of a million slots costs more in fresh pages (the kernel
        // clears each one) than the hash map costs in probes.
        if let cardinality, cardinality <= max(1 << 12, keys.count * 2) {
            var table = [Int32](repeating: -1, count: cardinality)
            var next: Int32 = 0
            for i in 0..<keys.count {
                if i & (pollRows - 1) == 0 && isCancelled() { return (out, max(Int(next), 1)) }
                let k = Int(keys[i])
                if table[k] < 0 { table[k] = next; next += 1 }
                out[i] = table[k]
            }
            return (out, Int(next))
        }
        var map = DenseIdMap(capacity: 1024)
        for i in 0..<keys.count {
            if i & (pollRows - 1) == 0 && isCancelled() { return (out, max(map.count, 1)) }
            out[i] = map.id(for: keys[i])
        }
        return (out, map.count)
    }
}

extension Grouping {
    /// One column of whole numbers, dates or texts (by dictionary code) without nulls, grouped on
    /// `parts` cores with the ids `integers` gives (order of first appearance): each part groups
    /// its own rows through its own table indexed by value, then the values a later part meets
    /// that no earlier part did are numbered next, in row order, and that part's rows are
    /// renumbered. Nil when the column has nulls or another type, or when its values span more
    /// than its row count (each part's table would be large): `integers` groups those.
    static func inParallel(_ c: Column, parts: Int) -> Grouping? {
        guard parts > 1, c.count >= parts, c.nullCount == 0 else { return nil }
        // SAFETY: the column's values are read only inside the closure, which the grouping
        // does not outlive.
        switch c.storage {
        case .int(let a), .dateTime(let a): return a.withUnsafeBufferPointer { inParallel($0, parts: parts) }
        case .int32(let a): return a.withUnsafeBufferPointer { inParallel($0, parts: parts) }
        case .date(let a): return a.withUnsafeBufferPointer { inParallel($0, parts: parts) }
        case .string(let codes, _): return codes.withUnsafeBufferPointer { inParallel($0, parts: parts) }
        default: return nil
        }
    }

    /// SAFETY: part k reads v[i] and writes out[i] only for i in its own rows
    /// [n × k / parts, n × (k + 1) / parts), below n = v.count = out.count, and a table slot
    /// v[i] − lo ≤ span < the table's count; `ids` is declared full of n uninitialized Int32s
    /// (a trivial type) and every slot is written by the part that owns it before it is read.
    /// The buffers outlive `Parallel.map`, which returns when every part is done.
    private static func inParallel<T: FixedWidthInteger>(_ v: UnsafeBufferPointer<T>, parts: Int) -> Grouping? {
        let n = v.count
        func rows(_ k: Int) -> Range<Int> { (n * k / parts)..<(n * (k + 1) / parts) }
        let values = Unchecked(v)
        let bounds = Parallel.map(parts) { k in
            var lo = Int64.max, hi = Int64.min
            for i in rows(k) { let x = Int64(values.value[i]); lo = min(lo, x); hi = max(hi, x) }
            return (lo, hi)
        }
        let lo = bounds.map(\.0).min()!, hi = bounds.map(\.1).max()!
        let span = hi.subtractingReportingOverflow(lo)
        guard !span.overflow, span.partialValue < Int64(n) else { return nil }
        let size = Int(span.partialValue) + 1
        // Left unset here: the parts below write ids[i] for every row, since rows(0..<parts) cover 0..<n.
        var ids: [Int32] = FreshMemory.array(count: n) { _ in }
        // Each part's table (value → its own number) and its groups' first rows.
        var local: [(table: [Int32], firstRow: [Int32])] = ids.withUnsafeMutableBufferPointer { out in
            let shared = Unchecked((v, out))
            return Parallel.map(parts) { k in
                let (v, out) = shared.value
                var table = [Int32](repeating: -1, count: size), firstRow: [Int32] = []
                // Room for every value the part can meet: pages are only touched as rows are added.
                firstRow.reserveCapacity(min(size, rows(k).count))
                table.withUnsafeMutableBufferPointer { t in
                    for i in rows(k) {
                        let slot = Int(Int64(v[i]) &- lo)
                        var id = t[slot]
                        if id < 0 { id = Int32(firstRow.count); t[slot] = id; firstRow.append(Int32(i)) }
                        out[i] = id
                    }
                }
                return (table, firstRow)
            }
        }
        // Part 0's numbers are the ids; each later part's groups take the id of the value an
        // earlier part met, or the next one.
        var table = local[0].table, firstRow = local[0].firstRow
        local[0] = ([], [])
        var renumber: [[Int32]] = [[]]
        for k in 1..<parts {
            let map = local[k].firstRow.map { row -> Int32 in
                let slot = Int(Int64(v[Int(row)]) - lo)
                if table[slot] < 0 { table[slot] = Int32(firstRow.count); firstRow.append(row) }
                return table[slot]
            }
            renumber.append(map)
            local[k] = ([], [])
        }
        // The later parts' rows renumbered, those rows split between the cores.
        let later = n / parts
        ids.withUnsafeMutableBufferPointer { out in
            let shared = Unchecked((out, renumber))
            _ = Parallel.map(parts) { k in
                let (out, renumber) = shared.value
                let mine = (later + (n - later) * k / parts)..<(later + (n - later) * (k + 1) / parts)
                for p in 1..<parts {
                    renumber[p].withUnsafeBufferPointer { map in
                        for i in rows(p).clamped(to: mine) { out[i] = map[Int(out[i])] }
                    }
                }
                return 0
            }
        }
        return Grouping(ids: ids, count: firstRow.count, firstRow: firstRow)
    }
}

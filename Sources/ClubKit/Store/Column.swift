/// The typed buffer behind a column. One contiguous array per column; strings are codes into a
/// shared `StringDictionary`. A null slot holds 0 (or the empty code 0) and is marked in the
/// column's validity bitmap.
enum ColumnStorage: Sendable {
    case int([Int64])
    /// Integers that all fit in 32 bits, as the loader keeps them (half the memory); every
    /// computed integer column is `int`. Code that does not read them directly uses `widened`.
    case int32([Int32])
    case double([Double])
    case bool([Bool])
    /// Days since 1970-01-01.
    case date([Int32])
    /// Seconds since 1970-01-01T00:00:00.
    case dateTime([Int64])
    case string([Int32], StringDictionary)
}

/// A column: a typed buffer plus a validity bitmap (`nil` when no value is null).
public struct Column: Sendable {
    var storage: ColumnStorage
    var validity: Bitmap?
    /// How the modes people read show the numbers (`42.3%`); the data modes ignore it. Rows
    /// picked from the column keep it (`where`, `sort`, `take`, `select`, joins); a column
    /// computed from it starts plain.
    var display: DisplayHint = .plain

    init(_ storage: ColumnStorage, validity: Bitmap? = nil) {
        self.storage = storage
        self.validity = validity.flatMap { $0.nullCount == 0 ? nil : $0 }
    }

    var type: DataType {
        switch storage {
        case .int, .int32: return .int
        case .double: return .double
        case .bool: return .bool
        case .date: return .date
        case .dateTime: return .datetime
        case .string: return .string
        }
    }

    var count: Int {
        switch storage {
        case .int(let a): return a.count
        case .int32(let a): return a.count
        case .double(let a): return a.count
        case .bool(let a): return a.count
        case .date(let a): return a.count
        case .dateTime(let a): return a.count
        case .string(let a, _): return a.count
        }
    }

    @inline(__always)
    func isNull(_ i: Int) -> Bool { validity.map { !$0.isValid(i) } ?? false }

    var nullCount: Int { validity?.nullCount ?? 0 }

    /// The value at row `i`, as a scalar (for rendering and tests, not for bulk work).
    func value(at i: Int) -> Value {
        if isNull(i) { return .null }
        switch storage {
        case .int(let a): return .int(a[i])
        case .int32(let a): return .int(Int64(a[i]))
        case .double(let a): return .double(a[i])
        case .bool(let a): return .bool(a[i])
        case .date(let a): return .date(a[i])
        case .dateTime(let a): return .dateTime(a[i])
        case .string(let c, let d): return .string(d.values[Int(c[i])])
        }
    }

    /// The column with 32-bit integers widened to 64 bits (the others as they are), for code
    /// that has no narrow path of its own.
    var widened: Column {
        guard case .int32(let a) = storage else { return self }
        return Column(.int(mapUnary(a) { Int64($0) }), validity: validity)
    }

    /// The rows at `indices`, in that order (with the column's display hint).
    func gather(_ indices: [Int32]) -> Column {
        var c = rows(indices)
        c.display = display
        return c
    }

    private func rows(_ indices: [Int32]) -> Column {
        let v = validity?.gather(indices)
        // Every index names a row: checked once here, not per value below.
        var lowest: Int32 = 0, highest: Int32 = -1
        for i in indices { lowest = Swift.min(lowest, i); highest = Swift.max(highest, i) }
        precondition(lowest >= 0 && Int(highest) < count, "a row outside the column")
        // SAFETY: every index read is 0 ≤ i ≤ highest < count = a.count (checked above); the
        // new array's n slots are each written once.
        func pick<T: BitwiseCopyable>(_ a: [T]) -> [T] {
            a.withUnsafeBufferPointer { a in indices.withUnsafeBufferPointer { indices in
                FreshMemory.array(count: indices.count) { out in
                    for j in 0..<indices.count { (out.baseAddress! + j).initialize(to: a[Int(indices[j])]) }
                }
            } }
        }
        switch storage {
        case .int(let a): return Column(.int(pick(a)), validity: v)
        case .int32(let a): return Column(.int32(pick(a)), validity: v)
        case .double(let a): return Column(.double(pick(a)), validity: v)
        case .bool(let a): return Column(.bool(pick(a)), validity: v)
        case .date(let a): return Column(.date(pick(a)), validity: v)
        case .dateTime(let a): return Column(.dateTime(pick(a)), validity: v)
        case .string(let c, let d): return Column(.string(pick(c), d), validity: v)
        }
    }

    /// Like `gather`, but an index of -1 yields null (the unmatched side of a left join).
    func gatherOptional(_ indices: [Int32]) -> Column {
        var c = optionalRows(indices)
        c.display = display
        return c
    }

    private func optionalRows(_ indices: [Int32]) -> Column {
        // Valid where the index names a row whose value is not null: a word of 64 rows at a time.
        let n = indices.count, own = validity
        var words = [UInt64](repeating: 0, count: (n + 63) >> 6)
        var highest: Int32 = -1
        // SAFETY: j < n = indices.count and j >> 6 < words.count.
        indices.withUnsafeBufferPointer { indices in words.withUnsafeMutableBufferPointer { words in
            for w in 0..<words.count {
                var bits: UInt64 = 0
                for j in (w << 6)..<Swift.min(n, (w + 1) << 6) {
                    let i = indices[j]
                    highest = Swift.max(highest, i)
                    if i >= 0 && (own?.isValid(Int(i)) ?? true) { bits |= 1 << UInt64(j & 63) }
                }
                words[w] = bits
            }
        } }
        precondition(Int(highest) < count, "a row past the column's end")
        let v = Bitmap(words: words, count: n)
        // SAFETY: every index read is ≥ 0 and at most `highest` < count = a.count; j < n.
        func pick<T: BitwiseCopyable>(_ a: [T], _ zero: T) -> [T] {
            a.withUnsafeBufferPointer { a in indices.withUnsafeBufferPointer { indices in
                FreshMemory.array(count: n) { out in
                    for j in 0..<n { let i = indices[j]; (out.baseAddress! + j).initialize(to: i >= 0 ? a[Int(i)] : zero) }
                }
            } }
        }
        switch storage {
        case .int(let a): return Column(.int(pick(a, 0)), validity: v)
        case .int32(let a): return Column(.int32(pick(a, 0)), validity: v)
        case .double(let a): return Column(.double(pick(a, 0)), validity: v)
        case .bool(let a): return Column(.bool(pick(a, false)), validity: v)
        case .date(let a): return Column(.date(pick(a, 0)), validity: v)
        case .dateTime(let a): return Column(.dateTime(pick(a, 0)), validity: v)
        case .string(let c, let d):
            // A null slot holds code 0, which must name a string even when no row gave one
            // (a left join to an empty table, `first` of no rows).
            return Column(.string(pick(c, 0), d.count > 0 ? d : StringDictionary(values: [""])), validity: v)
        }
    }

    /// The first `n` rows.
    func prefix(_ n: Int) -> Column {
        gather((0..<Int32(min(n, count))).map { $0 })
    }

    /// A column of `count` copies of `value` (nulls when `value` is null, typed as `type`).
    public static func repeating(_ value: Value, count: Int, type: DataType) -> Column {
        let nulls = value.isNull ? Bitmap(count: count, allValid: false) : nil
        switch (value, type) {
        case (.int(let x), _): return Column(.int([Int64](repeating: x, count: count)))
        case (.double(let x), _): return Column(.double([Double](repeating: x, count: count)))
        case (.bool(let x), _): return Column(.bool([Bool](repeating: x, count: count)))
        case (.date(let x), _): return Column(.date([Int32](repeating: x, count: count)))
        case (.dateTime(let x), _): return Column(.dateTime([Int64](repeating: x, count: count)))
        case (.string(let s), _):
            return Column(.string([Int32](repeating: 0, count: count), StringDictionary(values: [s])))
        case (.duration(let d), _): return Column(.int([Int64](repeating: d.days, count: count)))
        case (.null, .double): return Column(.double([Double](repeating: 0, count: count)), validity: nulls)
        case (.null, .bool): return Column(.bool([Bool](repeating: false, count: count)), validity: nulls)
        case (.null, .date): return Column(.date([Int32](repeating: 0, count: count)), validity: nulls)
        case (.null, .datetime): return Column(.dateTime([Int64](repeating: 0, count: count)), validity: nulls)
        case (.null, .string):
            return Column(.string([Int32](repeating: 0, count: count), StringDictionary(values: [""])), validity: nulls)
        case (.null, _): return Column(.int([Int64](repeating: 0, count: count)), validity: nulls)
        }
    }

    /// Bytes held by the buffer, the bitmap and (for strings) the dictionary.
    var bytes: Int {
        let b: Int
        switch storage {
        case .int(let a): b = a.count * 8
        case .int32(let a): b = a.count * 4
        case .double(let a): b = a.count * 8
        case .bool(let a): b = a.count
        case .date(let a): b = a.count * 4
        case .dateTime(let a): b = a.count * 8
        case .string(let a, let d): b = a.count * 4 + d.bytes
        }
        return b + (validity?.bytes ?? 0)
    }
}

/// A column's values and validity as raw buffers, for the writers' row loops: reading a cell
/// through `Column` retains its array, and threads writing parts of one table side by side would
/// contend on that reference count for every cell.
///
/// SAFETY: raw views of the column buffers, valid only inside `Cells.with`'s body (each view
/// comes from the column array's `withUnsafeBufferPointer`, nested around the body), and never
/// written through. A writer reads rows below the table's row count, which every column and
/// validity bitmap of the table holds.
struct Cells {
    enum Values {
        case int(UnsafeBufferPointer<Int64>), int32(UnsafeBufferPointer<Int32>), double(UnsafeBufferPointer<Double>)
        case bool(UnsafeBufferPointer<Bool>), date(UnsafeBufferPointer<Int32>), dateTime(UnsafeBufferPointer<Int64>)
        case string(UnsafeBufferPointer<Int32>)
    }
    let values: Values
    /// Validity words (bit set: a value), nil when no row is null.
    let valid: UnsafeBufferPointer<UInt64>?

    @inline(__always)
    func isNull(_ r: Int) -> Bool {
        guard let valid else { return false }
        return (valid[r >> 6] >> UInt64(r & 63)) & 1 == 0
    }

    /// Runs `body` with the cells of every column; the buffers are valid only inside it.
    static func with<R>(_ columns: [Column], _ body: ([Cells]) -> R) -> R {
        with(columns[...], [], body)
    }

    private static func with<R>(_ columns: ArraySlice<Column>, _ done: [Cells], _ body: ([Cells]) -> R) -> R {
        guard let c = columns.first else { return body(done) }
        let rest = columns.dropFirst()
        // SAFETY: each pointer is used only by `body`, which runs inside every enclosing closure.
        func next(_ values: Values) -> R {
            guard let words = c.validity?.words else { return with(rest, done + [Cells(values: values, valid: nil)], body) }
            return words.withUnsafeBufferPointer { with(rest, done + [Cells(values: values, valid: $0)], body) }
        }
        switch c.storage {
        case .int(let a): return a.withUnsafeBufferPointer { next(.int($0)) }
        case .int32(let a): return a.withUnsafeBufferPointer { next(.int32($0)) }
        case .double(let a): return a.withUnsafeBufferPointer { next(.double($0)) }
        case .bool(let a): return a.withUnsafeBufferPointer { next(.bool($0)) }
        case .date(let a): return a.withUnsafeBufferPointer { next(.date($0)) }
        case .dateTime(let a): return a.withUnsafeBufferPointer { next(.dateTime($0)) }
        case .string(let a, _): return a.withUnsafeBufferPointer { next(.string($0)) }
        }
    }
}

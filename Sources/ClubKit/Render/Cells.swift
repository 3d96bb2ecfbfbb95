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
    ///
    /// Each column's buffer is opened by a closure inside the previous one's, so the call goes
    /// as deep as the table is wide: a table of thousands of columns runs on the deep stack
    /// (`DeepStack`), as deep statements do.
    static func with<R>(_ columns: [Column], _ body: ([Cells]) -> R) -> R {
        var done: [Cells] = []
        done.reserveCapacity(columns.count)
        guard columns.count > 256 else { return with(columns[...], &done, body) }
        var outcome: R?
        _ = try? DeepStack.run { () throws(Diagnostic) in outcome = with(columns[...], &done, body) }
        return outcome ?? with(columns[...], &done, body)
    }

    private static func with<R>(_ columns: ArraySlice<Column>, _ done: inout [Cells], _ body: ([Cells]) -> R) -> R {
        guard let c = columns.first else { return body(done) }
        let rest = columns.dropFirst()
        // SAFETY: each pointer is used only by `body`, which runs inside every enclosing closure.
        func next(_ values: Values, _ done: inout [Cells]) -> R {
            guard let words = c.validity?.words else {
                done.append(Cells(values: values, valid: nil))
                return with(rest, &done, body)
            }
            return words.withUnsafeBufferPointer {
                done.append(Cells(values: values, valid: $0))
                return with(rest, &done, body)
            }
        }
        switch c.storage {
        case .int(let a): return a.withUnsafeBufferPointer { next(.int($0), &done) }
        case .int32(let a): return a.withUnsafeBufferPointer { next(.int32($0), &done) }
        case .double(let a): return a.withUnsafeBufferPointer { next(.double($0), &done) }
        case .bool(let a): return a.withUnsafeBufferPointer { next(.bool($0), &done) }
        case .date(let a): return a.withUnsafeBufferPointer { next(.date($0), &done) }
        case .dateTime(let a): return a.withUnsafeBufferPointer { next(.dateTime($0), &done) }
        case .string(let a, _): return a.withUnsafeBufferPointer { next(.string($0), &done) }
        }
    }
}

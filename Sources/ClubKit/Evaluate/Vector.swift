/// An evaluated expression: one value for every row, or a column.
enum Vec {
    case scalar(Value)
    case column(Column)

    /// The validity of `n` rows (nil: none null).
    func validity(_ n: Int) -> Bitmap? {
        switch self {
        case .scalar(let v): return v.isNull ? Bitmap(count: n, allValid: false) : nil
        case .column(let c): return c.validity
        }
    }

    var isNullScalar: Bool { if case .scalar(.null) = self { return true } else { return false } }
}

/// One side of a binary kernel: an array, or a constant broadcast to every row.
enum Operand<T> {
    case array([T])
    case constant(T)
}

/// Element-wise map of two operands into `n` results, with no per-row allocation. One of the
/// expression kernels' two raw-memory helpers (with `mapUnary`): every element-wise operator
/// goes through them, so their loops run without bounds checks or a zeroing pass.
///
/// SAFETY: the caller's arrays hold `n` elements each (operands of one expression over `n`
/// rows), so x[i] and y[i] are in bounds for i < n; every one of the `n` uninitialized slots
/// is initialized exactly once before `done = n` declares them so.
@inline(__always)
func mapBinary<A, B, R>(_ n: Int, _ a: Operand<A>, _ b: Operand<B>, _ f: (A, B) -> R) -> [R] {
    [R](unsafeUninitializedCapacity: n) { out, done in
        switch (a, b) {
        case let (.array(x), .array(y)):
            x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in for i in 0..<n { out.initializeElement(at: i, to: f(x[i], y[i])) } } }
        case let (.array(x), .constant(y)):
            x.withUnsafeBufferPointer { x in for i in 0..<n { out.initializeElement(at: i, to: f(x[i], y)) } }
        case let (.constant(x), .array(y)):
            y.withUnsafeBufferPointer { y in for i in 0..<n { out.initializeElement(at: i, to: f(x, y[i])) } }
        case let (.constant(x), .constant(y)):
            let r = f(x, y)
            for i in 0..<n { out.initializeElement(at: i, to: r) }
        }
        done = n
    }
}

/// `f` of every element of `x`, in order.
///
/// SAFETY: i < n = x.count reads x in bounds, and initializes each of the n slots once before
/// `done = n`.
@inline(__always)
func mapUnary<A, R>(_ x: [A], _ f: (A) -> R) -> [R] {
    let n = x.count
    return [R](unsafeUninitializedCapacity: n) { out, done in
        x.withUnsafeBufferPointer { x in for i in 0..<n { out.initializeElement(at: i, to: f(x[i])) } }
        done = n
    }
}

/// Views of vectors as typed operands; the checker guarantees the types fit.
enum Operands {
    static func int64(_ v: Vec) -> Operand<Int64> {
        switch v {
        case .scalar(let s):
            switch s {
            case .int(let x): return .constant(x)
            case .date(let d): return .constant(Int64(d))
            case .dateTime(let t): return .constant(t)
            case .bool(let b): return .constant(b ? 1 : 0)
            case .duration(let d): return .constant(d.days)
            case .double(let x): return .constant(Int64(clamping: x))
            default: return .constant(0)
            }
        case .column(let c):
            switch c.storage {
            case .int(let a), .dateTime(let a): return .array(a)
            case .int32(let a): return .array(a.map { Int64($0) })
            case .date(let a): return .array(a.map { Int64($0) })
            case .bool(let a): return .array(a.map { $0 ? 1 : 0 })
            case .double(let a): return .array(a.map { Int64(clamping: $0) })
            case .string(let a, _): return .array(a.map { Int64($0) })
            }
        }
    }

    static func double(_ v: Vec) -> Operand<Double> {
        switch v {
        case .scalar(let s): return .constant(s.doubleValue ?? 0)
        case .column(let c):
            switch c.storage {
            case .double(let a): return .array(a)
            case .int(let a): return .array(a.map { Double($0) })
            case .int32(let a): return .array(a.map { Double($0) })
            default: return .array([Double](repeating: 0, count: c.count))
            }
        }
    }

    /// Seconds since the epoch for a date or date-time vector.
    static func seconds(_ v: Vec) -> Operand<Int64> {
        switch v {
        case .scalar(.date(let d)): return .constant(Int64(d) * 86400)
        case .column(let c):
            if case .date(let a) = c.storage { return .array(a.map { Int64($0) * 86400 }) }
            return int64(v)
        default: return int64(v)
        }
    }

    /// Day numbers for a date or date-time vector (a date-time counts as its day).
    static func days(_ v: Vec) -> Operand<Int64> {
        switch v {
        case .scalar(.dateTime(let t)): return .constant(floorDiv(t, 86400))
        case .column(let c):
            if case .dateTime(let a) = c.storage { return .array(a.map { floorDiv($0, 86400) }) }
            return int64(v)
        default: return int64(v)
        }
    }

    /// Day numbers of a date vector, as stored (no widening copy).
    static func dateDays(_ v: Vec) -> Operand<Int32> {
        switch v {
        case .scalar(.date(let d)): return .constant(d)
        case .column(let c):
            if case .date(let a) = c.storage { return .array(a) }
            return .constant(0)
        default: return .constant(0)
        }
    }

    static func type(_ v: Vec) -> DataType {
        switch v {
        case .scalar(let s): return s.type
        case .column(let c): return c.type
        }
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

/// Turns a vector into a column of `n` rows of `type` (int → double, date → date-time, null → typed nulls).
func materialize(_ v: Vec, _ n: Int, as type: DataType) -> Column {
    switch v {
    case .scalar(let s):
        switch (s, type) {
        case (.int(let x), .double): return Column.repeating(.double(Double(x)), count: n, type: .double)
        case (.date(let d), .datetime): return Column.repeating(.dateTime(Int64(d) * 86400), count: n, type: .datetime)
        default: return Column.repeating(s, count: n, type: type)
        }
    case .column(let c):
        switch (c.storage, type) {
        case (.int(let a), .double): return Column(.double(a.map { Double($0) }), validity: c.validity)
        case (.int32(let a), .double): return Column(.double(a.map { Double($0) }), validity: c.validity)
        case (.date(let a), .datetime): return Column(.dateTime(a.map { Int64($0) * 86400 }), validity: c.validity)
        default: return c
        }
    }
}

/// A null-aware boolean column or scalar from values and validity.
func boolVec(_ values: [Bool], _ validity: Bitmap?, scalar: Bool) -> Vec {
    if scalar { return validity.map { $0.isValid(0) } ?? true ? .scalar(.bool(values[0])) : .scalar(.null) }
    return .column(Column(.bool(values), validity: validity))
}

extension Int64 {
    /// The integer nearest `x` toward zero, clamped to the 64-bit range (NaN gives 0): a
    /// conversion that cannot trap, whatever a double holds.
    init(clamping x: Double) {
        if x.isNaN { self = 0 } else if x >= 9.223372036854775807e18 { self = .max } else if x <= -9.223372036854775808e18 { self = .min } else { self = Int64(x) }
    }
}

/// `validity` with the rows where `bad` is set cleared, counting those that were valid (a
/// value behind a null is not counted again).
func nullWhere(_ bad: [Bool], _ validity: Bitmap?, count: inout Int) -> Bitmap? {
    guard bad.contains(true) else { return validity }
    var v = validity ?? Bitmap(count: bad.count)
    for i in bad.indices where bad[i] && v.isValid(i) {
        v.set(i, false)
        count += 1
    }
    return v
}

/// How the loader reads one column's fields, and the slot each value takes in the column buffer.
///
/// An inferred column starts as the kind its sampled values allow; a field that does not parse
/// as that kind narrows the column's candidate bits (`FieldParsing.classify`) and the load runs
/// again with the next kind in `FieldParsing.resolve` order. A declared column keeps its kind,
/// and a field that does not fit is a bad row.
enum FieldKind: Equatable, Sendable {
    case int, double, bool, date, dateTime, string
    /// An integer column whose values so far fit in 32 bits.
    case int32
    /// The user's date pattern (`with date_format`), without or with a time.
    case patternDate, patternDateTime
    /// Declared `date`: an ISO date or the pattern.
    case anyDate
    /// Declared `datetime`: an ISO date-time, an ISO date or the pattern.
    case anyDateTime
    /// Declared `double`: any decimal, integers beyond 64 bits too (an inferred float column
    /// leaves those to text rather than round them).
    case anyDouble
    /// Jalali dates and date-times in the built-in forms (`1402/07/15`, `1402-07-15 09:30`).
    case jalaliDate, jalaliDateTime
    /// Jalali dates read by the user's pattern, without or with a time.
    case jalaliPatternDate, jalaliPatternDateTime
    /// Declared `date` in a Jalali column: a built-in form or the pattern.
    case jalaliAnyDate
    /// Declared `datetime` in a Jalali column: a built-in date-time or date, or the pattern.
    case jalaliAnyDateTime

    /// The kind for a column whose candidate bits are `mask`: the first in the order of
    /// `FieldParsing.resolve`, so a field parses as this kind exactly when `classify` keeps that bit.
    static func inferred(_ mask: UInt16, pattern: DatePattern?, calendar: LoadCalendar) -> FieldKind {
        let mask = FieldParsing.possible(mask, calendar: calendar)
        if let pattern {
            if mask & FieldParsing.jalaliPattern != 0 { return pattern.hasTime ? .jalaliPatternDateTime : .jalaliPatternDate }
            if mask & FieldParsing.pattern != 0 { return pattern.hasTime ? .patternDateTime : .patternDate }
        }
        if mask & FieldParsing.int != 0 { return mask & FieldParsing.int32 != 0 ? .int32 : .int }
        if mask & FieldParsing.double != 0 { return .double }
        if mask & FieldParsing.bool != 0 { return .bool }
        if mask & FieldParsing.jalaliDate != 0 { return .jalaliDate }
        if mask & FieldParsing.date != 0 { return .date }
        if mask & FieldParsing.jalaliDateTime != 0 { return .jalaliDateTime }
        if mask & FieldParsing.dateTime != 0 { return .dateTime }
        return .string
    }

    /// The kind for a column declared `type`; `jalali` when its dates are Jalali.
    static func declared(_ type: DataType, jalali: Bool = false) -> FieldKind {
        switch type {
        case .int: return .int
        case .double: return .anyDouble
        case .bool: return .bool
        case .date: return jalali ? .jalaliAnyDate : .anyDate
        case .datetime: return jalali ? .jalaliAnyDateTime : .anyDateTime
        default: return .string
        }
    }

    /// Whether the kind reads Jalali dates.
    var isJalali: Bool {
        switch self {
        case .jalaliDate, .jalaliDateTime, .jalaliPatternDate, .jalaliPatternDateTime, .jalaliAnyDate, .jalaliAnyDateTime: return true
        default: return false
        }
    }

    /// How a field that does not parse as this kind is rewritten for a second try when it holds
    /// Persian or Arabic-Indic digits: as a number (`LocalDigits.latinNumber`: separators too) or
    /// digit by digit (`LocalDigits.latinDigits`, for dates); nil for bool and text.
    var localRewrite: ((UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>) -> Int?)? {
        switch self {
        case .int, .int32, .double, .anyDouble: return LocalDigits.latinNumber
        case .bool, .string: return nil
        default: return LocalDigits.latinDigits
        }
    }

    var type: DataType {
        switch self {
        case .int, .int32: return .int
        case .double, .anyDouble: return .double
        case .bool: return .bool
        case .date, .patternDate, .anyDate, .jalaliDate, .jalaliPatternDate, .jalaliAnyDate: return .date
        case .dateTime, .patternDateTime, .anyDateTime, .jalaliDateTime, .jalaliPatternDateTime, .jalaliAnyDateTime: return .datetime
        case .string: return .string
        }
    }

    /// Bytes per value in the column buffer.
    var width: Int {
        switch self {
        case .int, .double, .anyDouble, .dateTime, .patternDateTime, .anyDateTime, .jalaliDateTime, .jalaliPatternDateTime, .jalaliAnyDateTime: return 8
        case .date, .patternDate, .anyDate, .jalaliDate, .jalaliPatternDate, .jalaliAnyDate, .string, .int32: return 4
        case .bool: return 1
        }
    }
}

/// A column buffer as the loader fills it: one contiguous array of the kind's width.
enum RawColumn {
    case int64([Int64]), double([Double]), int32([Int32]), bool([Bool])

    /// Fresh arrays of `capacity` slots for `kinds`, whose base addresses `body` fills from
    /// several threads; `body` returns how many leading slots hold rows, and the arrays keep
    /// exactly those. Nothing is zeroed or copied: each slot is written once, in place.
    ///
    /// The arrays are made one after another, not nested one closure per column, so a file of
    /// 10,000 columns costs no deeper stack than a file of one.
    static func allocate(_ kinds: ArraySlice<FieldKind>, capacity: Int, _ body: ([UnsafeMutableRawPointer]) throws -> Int) throws -> (rows: Int, columns: [RawColumn]) {
        let capacity = max(capacity, 1)
        var columns: [RawColumn] = []
        var bases: [UnsafeMutableRawPointer] = []
        columns.reserveCapacity(kinds.count)
        bases.reserveCapacity(kinds.count)
        for kind in kinds {
            let (column, base): (RawColumn, UnsafeMutableRawPointer)
            switch kind.width {
            case 8 where kind.type == .double: (column, base) = slots(Double.self, capacity) { .double($0) }
            case 8: (column, base) = slots(Int64.self, capacity) { .int64($0) }
            case 4: (column, base) = slots(Int32.self, capacity) { .int32($0) }
            default: (column, base) = slots(Bool.self, capacity) { .bool($0) }
            }
            columns.append(column)
            bases.append(base)
        }
        let rows = try body(bases)
        for c in columns.indices { columns[c].keepFirst(rows) }
        return (rows, columns)
    }

    /// An array of `capacity` slots of a trivial type, counted as full but not written, and its
    /// storage's address.
    ///
    /// SAFETY: the elements are plain bytes (integers, doubles, bools), so a slot needs no
    /// initialisation before it is stored through the pointer; no slot is read before it is
    /// written (gaps between chunks are closed with `memmove`, and `keepFirst` drops the slots
    /// past the rows unread). The pointer is the array's own storage, which stays in place while
    /// the array is alive and is not mutated through Swift until `keepFirst`.
    private static func slots<T: BitwiseCopyable>(_: T.Type, _ capacity: Int, _ wrap: ([T]) -> RawColumn) -> (RawColumn, UnsafeMutableRawPointer) {
        var base: UnsafeMutableRawPointer?
        let array = [T](unsafeUninitializedCapacity: capacity) { buffer, count in
            base = UnsafeMutableRawPointer(buffer.baseAddress!)
            count = capacity
        }
        return (wrap(array), base!)
    }

    /// A text column of `rows` nulls: a column no row gave a value.
    static func allNull(rows: Int) -> Column {
        Column(.string([Int32](repeating: 0, count: rows), StringDictionary(values: [""])), validity: Bitmap(count: rows, allValid: false))
    }

    /// The validity of a column of `rows` from its chunks' null bits: each chunk's bit words,
    /// the row it starts at and how many rows it holds; nil when no row is null.
    static func validity(rows: Int, chunks: [(nulls: [UInt64], start: Int, count: Int)]) -> Bitmap? {
        guard chunks.contains(where: { !$0.nulls.isEmpty }) else { return nil }
        var v = Bitmap(count: rows)
        for chunk in chunks where !chunk.nulls.isEmpty {
            for (w, word) in chunk.nulls.enumerated() where word != 0 {
                var bits = word
                while bits != 0 {
                    let local = w << 6 + bits.trailingZeroBitCount
                    if local < chunk.count { v.set(chunk.start + local, false) }
                    bits &= bits - 1
                }
            }
        }
        return v
    }

    /// The finished column of `kind` over this buffer. A text column takes `dictionary`; one with
    /// no value at all still needs a string for code 0, which its null slots hold.
    func column(_ kind: FieldKind, validity: Bitmap?, dictionary: StringDictionary?) -> Column {
        switch (self, kind.type) {
        case (.int64(let a), .int): return Column(.int(a), validity: validity)
        case (.int64(let a), _): return Column(.dateTime(a), validity: validity)
        case (.double(let a), _): return Column(.double(a), validity: validity)
        case (.bool(let a), _): return Column(.bool(a), validity: validity)
        case (.int32(let a), .int): return Column(.int32(a), validity: validity)
        case (.int32(let a), .date): return Column(.date(a), validity: validity)
        case (.int32(let a), _):
            let strings = dictionary.flatMap { $0.count > 0 ? $0 : nil } ?? StringDictionary(values: [""])
            return Column(.string(a, strings), validity: validity)
        }
    }

    /// Keeps the first `n` slots. The array is taken out of the enum first so that it is
    /// uniquely referenced and shrinks in place (a shared array would be copied).
    private mutating func keepFirst(_ n: Int) {
        switch self {
        case .int64(var a): self = .bool([]); a.removeLast(a.count - n); self = .int64(a)
        case .double(var a): self = .bool([]); a.removeLast(a.count - n); self = .double(a)
        case .int32(var a): self = .bool([]); a.removeLast(a.count - n); self = .int32(a)
        case .bool(var a): self = .bool([]); a.removeLast(a.count - n); self = .bool(a)
        }
    }
}

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

    /// The kind for a column whose candidate bits are `mask`: the first in the order of
    /// `FieldParsing.resolve`, so a field parses as this kind exactly when `classify` keeps that bit.
    static func inferred(_ mask: UInt8, pattern: DatePattern?) -> FieldKind {
        if mask & FieldParsing.pattern != 0, let pattern { return pattern.hasTime ? .patternDateTime : .patternDate }
        if mask & FieldParsing.int != 0 { return mask & FieldParsing.int32 != 0 ? .int32 : .int }
        if mask & FieldParsing.double != 0 { return .double }
        if mask & FieldParsing.bool != 0 { return .bool }
        if mask & FieldParsing.date != 0 { return .date }
        if mask & FieldParsing.dateTime != 0 { return .dateTime }
        return .string
    }

    static func declared(_ type: DataType) -> FieldKind {
        switch type {
        case .int: return .int
        case .double: return .double
        case .bool: return .bool
        case .date: return .anyDate
        case .datetime: return .anyDateTime
        default: return .string
        }
    }

    var type: DataType {
        switch self {
        case .int, .int32: return .int
        case .double: return .double
        case .bool: return .bool
        case .date, .patternDate, .anyDate: return .date
        case .dateTime, .patternDateTime, .anyDateTime: return .datetime
        case .string: return .string
        }
    }

    /// Bytes per value in the column buffer.
    var width: Int {
        switch self {
        case .int, .double, .dateTime, .patternDateTime, .anyDateTime: return 8
        case .date, .patternDate, .anyDate, .string, .int32: return 4
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
    static func allocate(_ kinds: ArraySlice<FieldKind>, capacity: Int, _ body: ([UnsafeMutableRawPointer]) throws -> Int) throws -> (rows: Int, columns: [RawColumn]) {
        try allocate(kinds, capacity: max(capacity, 1), bases: [], body)
    }

    private static func allocate(_ kinds: ArraySlice<FieldKind>, capacity: Int, bases: [UnsafeMutableRawPointer],
                                 _ body: ([UnsafeMutableRawPointer]) throws -> Int) throws -> (rows: Int, columns: [RawColumn]) {
        guard let kind = kinds.first else { return (try body(bases), []) }
        var result: (rows: Int, columns: [RawColumn]) = (0, [])
        func make<T>(_: T.Type) throws -> [T] {
            try [T](unsafeUninitializedCapacity: capacity) { buffer, count in
                result = try allocate(kinds.dropFirst(), capacity: capacity, bases: bases + [UnsafeMutableRawPointer(buffer.baseAddress!)], body)
                count = result.rows
            }
        }
        let column: RawColumn
        switch kind.width {
        case 8 where kind == .double: column = .double(try make(Double.self))
        case 8: column = .int64(try make(Int64.self))
        case 4: column = .int32(try make(Int32.self))
        default: column = .bool(try make(Bool.self))
        }
        return (result.rows, [column] + result.columns)
    }
}

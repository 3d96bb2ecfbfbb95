import Foundation

// The pipelines of the differential test as plain data: one model, rendered once as clubsh text
// (DifferentialClubsh.swift) and once as SQL for sqlite3 (DifferentialSQL.swift). Each step
// records the columns going in and coming out, worked out here from docs/language.md, so the
// column names and types clubsh gives are checked too.

/// The column types the generator uses (`null` is only the type of the literal `null`).
enum DType: String {
    case int, double, bool, date, datetime, string, null

    var isNumeric: Bool { self == .int || self == .double }
}

/// A literal or a table cell.
enum DLit: Equatable {
    case null
    case int(Int64)
    /// A number of hundredths, written with two decimals (`-12.25`): its text is exact in
    /// clubsh, in the CSV file and in SQL.
    case cents(Int64)
    case bool(Bool)
    /// Days since 1970-01-01.
    case date(Int)
    /// Seconds since 1970-01-01T00:00:00.
    case datetime(Int64)
    /// The text, byte for byte as both engines see it.
    case string(String)

    var type: DType {
        switch self {
        case .null: return .null
        case .int: return .int
        case .cents: return .double
        case .bool: return .bool
        case .date: return .date
        case .datetime: return .datetime
        case .string: return .string
        }
    }

    /// The value as a number or text, so that 5 and 5.00 meet (for the generator's guesses).
    var key: String {
        switch self {
        case .int(let v): return "\(v * 100)"
        case .cents(let c): return "\(c)"
        case .date(let d): return "\(Int64(d) * 86400)"
        case .datetime(let t): return "\(t)"
        case .string(let s): return "'" + s
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// `-12.25` for -1225 hundredths.
    static func centsText(_ c: Int64) -> String {
        let sign = c < 0 ? "-" : ""
        let m = c.magnitude
        let frac = m % 100
        return "\(sign)\(m / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// The size used to keep arithmetic away from overflow: |value|, or for a date its
    /// distance in days from 2020-01-01.
    var bound: Double {
        switch self {
        case .int(let v): return Double(v.magnitude)
        case .cents(let c): return Double(c.magnitude) / 100
        case .date(let d): return Double(abs(d - DCivil.epoch2020))
        case .datetime(let t): return abs(Double(t) / 86400 - Double(DCivil.epoch2020))
        default: return 0
        }
    }
}

/// A column of a schema, with a bound on the size of its values (see `DLit.bound`) and, for a
/// column that comes unchanged from a table, some of its values (so that comparisons with
/// literals select something).
struct DCol {
    var name: String
    var type: DType
    var bound: Double
    var samples: [DLit] = []
    /// Numbers that are multiples of 1/16 or so (sums of them are exact in any order).
    var dyadic = true
    /// Whether clubsh and sqlite3 compute the values bit for bit alike. Not so for a standard
    /// deviation (Welford's update against two passes) or a sum or mean of numbers that are not
    /// dyadic (compensated against plain summation): such a column is only shown or aggregated,
    /// never compared, grouped, sorted or joined on, where a last-bit difference would decide.
    var identical = true
}

extension DCol {
    /// The column an expression computes.
    init(name: String, expr e: DExpr) {
        self.init(name: name, type: e.type, bound: e.bound, dyadic: e.dyadic, identical: e.identical)
    }
}

enum SortDirection {
    /// No word after the key: ascending for `sort`, descending for `top`.
    case unstated, asc, desc

    func descending(top: Bool) -> Bool { self == .desc || (self == .unstated && top) }
}

/// An expression of the generated pipelines.
indirect enum DExpr {
    case column(DCol)
    case literal(DLit)
    /// A parameter set with `let`, by name, and its value.
    case parameter(String, DLit)
    case negate(DExpr)
    /// `+ - * / %` on numbers; `+` on text; date ± whole days; date − date; date-time − date-time.
    case arithmetic(String, DExpr, DExpr)
    /// A date or date-time ± a duration literal (`3mo`, `1y`, `2w`, `10d`).
    case shift(DExpr, count: Int, unit: String, subtract: Bool)
    /// `== != < <= > >=`
    case compare(String, DExpr, DExpr)
    case and(DExpr, DExpr)
    case or(DExpr, DExpr)
    case not(DExpr)
    case isNull(DExpr, negated: Bool)
    case inList(DExpr, [DLit], negated: Bool)
    case between(DExpr, DExpr, DExpr, negated: Bool)
    /// Scalar functions: abs, floor, ceil, if, coalesce, year, month, day, weekday, month_start,
    /// days_between, contains, starts_with.
    case call(String, [DExpr])
    /// Only in `agg`: count (argument nil for `count()`), count_distinct, sum, avg, min, max,
    /// median, percentile (with its fraction), stddev, first, last.
    case aggregate(String, DExpr?, fraction: Double?)

    var type: DType {
        switch self {
        case .column(let c): return c.type
        case .literal(let l), .parameter(_, let l): return l.type
        case .negate(let e): return e.type
        case .arithmetic(let op, let a, let b):
            let (x, y) = (a.type, b.type)
            if x == .null || y == .null {
                let other = x == .null ? y : x
                return other == .null ? .null : (op == "/" && other.isNumeric ? .double : other)
            }
            if x.isNumeric && y.isNumeric { return op == "/" || x == .double || y == .double ? .double : .int }
            if x == .date && y == .date { return .int }
            if x == .datetime && y == .datetime { return .double }
            if x == .string { return .string }
            return .date
        case .shift(let e, _, _, _): return e.type
        case .compare, .and, .or, .not, .isNull, .inList, .between: return .bool
        case .call(let f, let args):
            switch f {
            case "year", "month", "day", "weekday", "days_between": return .int
            case "month_start": return .date
            case "contains", "starts_with": return .bool
            case "if": return DExpr.common(args[1].type, args[2].type)
            case "coalesce": return args.map(\.type).reduce(.null, DExpr.common)
            default: return args[0].type
            }
        case .aggregate(let f, let arg, _):
            switch f {
            case "count", "count_distinct": return .int
            case "sum": return arg!.type == .double ? .double : .int
            case "avg", "median", "percentile", "stddev": return .double
            default: return arg!.type
            }
        }
    }

    /// The type two values meet in, as the checker's `Types.common` for the pairs generated.
    static func common(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if (a == .date && b == .datetime) || (a == .datetime && b == .date) { return .datetime }
        return .double
    }

    /// A bound on the size of the values (see `DLit.bound`).
    var bound: Double {
        switch self {
        case .column(let c): return c.bound
        case .literal(let l), .parameter(_, let l): return l.bound
        case .negate(let e): return e.bound
        case .arithmetic(let op, let a, let b):
            switch op {
            case "*": return a.bound * b.bound
            case "/": return a.bound * 100
            case "%": return b.bound
            default: return a.bound + b.bound
            }
        case .shift(let e, let count, let unit, _): return e.bound + Double(count) * (unit == "y" ? 366 : unit == "mo" ? 31 : unit == "w" ? 7 : 1)
        case .call(let f, let args):
            switch f {
            case "year": return 2200
            case "month": return 12
            case "day": return 31
            case "weekday": return 7
            case "days_between": return args[0].bound + args[1].bound
            case "if": return max(args[1].bound, args[2].bound)
            case "coalesce": return args.map(\.bound).max() ?? 0
            default: return args[0].bound + 1
            }
        case .aggregate(let f, let arg, _):
            switch f {
            case "count", "count_distinct": return Double(DLimits.maxRows)
            case "sum": return arg!.bound * Double(DLimits.maxRows)
            case "stddev": return arg!.bound * 2
            default: return arg!.bound
            }
        default: return 1
        }
    }

    /// Whether the numbers are dyadic (see `DCol.dyadic`): integers, quarters and what `+ - *`,
    /// `%`, `abs`, `floor` and `ceil` make of them at moderate sizes; not a quotient, a mean or an
    /// interpolated median.
    var dyadic: Bool {
        switch self {
        case .column(let c): return c.dyadic
        case .literal(let l), .parameter(_, let l):
            if case .cents(let c) = l { return c % 25 == 0 }
            return true
        case .negate(let a): return a.dyadic
        case .arithmetic(let op, let a, let b):
            if a.type == .datetime { return false }
            return op != "/" && a.dyadic && b.dyadic && bound < 1e12
        case .call(let f, let args):
            switch f {
            case "if": return args[1].dyadic && args[2].dyadic
            case "coalesce": return args.allSatisfy(\.dyadic)
            case "abs", "floor", "ceil": return args[0].dyadic
            default: return true
            }
        case .aggregate(let f, let arg, _):
            switch f {
            case "avg", "median", "percentile", "stddev": return false
            default: return arg?.dyadic ?? true
            }
        default: return true
        }
    }

    /// Whether clubsh and sqlite3 compute it bit for bit alike (see `DCol.identical`).
    var identical: Bool {
        switch self {
        case .column(let c): return c.identical
        case .literal, .parameter: return true
        case .negate(let a), .not(let a), .isNull(let a, _), .inList(let a, _, _), .shift(let a, _, _, _): return a.identical
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b): return a.identical && b.identical
        case .between(let a, let b, let c, _): return a.identical && b.identical && c.identical
        case .call(_, let args): return args.allSatisfy(\.identical)
        case .aggregate(let f, let arg, _):
            guard let arg else { return true }
            switch f {
            case "count": return true
            case "stddev": return false
            case "sum", "avg": return arg.identical && (arg.type != .double || arg.dyadic)
            default: return arg.identical
            }
        }
    }

    /// Whether the expression holds an aggregate (an `agg` output, not a key).
    var hasAggregate: Bool {
        switch self {
        case .aggregate: return true
        case .column, .literal, .parameter: return false
        case .negate(let e), .not(let e), .isNull(let e, _), .inList(let e, _, _), .shift(let e, _, _, _): return e.hasAggregate
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b): return a.hasAggregate || b.hasAggregate
        case .between(let a, let b, let c, _): return a.hasAggregate || b.hasAggregate || c.hasAggregate
        case .call(_, let args): return args.contains(where: \.hasAggregate)
        }
    }
}

/// A generated pipeline step.
enum DStep {
    case filter(DExpr)
    /// An item without a name takes its column's or function's name.
    case select([(name: String?, expr: DExpr)])
    /// Each item may use the ones before it.
    case derive([(name: String, expr: DExpr)])
    case agg(keys: [(name: String?, expr: DExpr)], outputs: [(name: String?, expr: DExpr)])
    case sort([(expr: DExpr, direction: SortDirection)])
    case top(Int, [(expr: DExpr, direction: SortDirection)])
    case take(Int)
    /// No names: every column.
    case distinct([String])
    /// `on` pairs (left column, right column); `shorthand` pairs are written `on name` and drop
    /// the right key. `rightColumns` are the right table's columns in order.
    case join(left: Bool, table: String, on: [(left: String, right: String, shorthand: Bool)], rightColumns: [DCol])
    case count
}

/// A step with the columns that flow into it and out of it.
struct DPlannedStep {
    var step: DStep
    var input: [DCol]
    var output: [DCol]
}

/// A generated pipeline over one of the generated tables.
struct DPipeline {
    var source: String
    var sourceColumns: [DCol]
    var steps: [DPlannedStep]

    var output: [DCol] { steps.last?.output ?? sourceColumns }

    /// The pipeline cut after its first `n` steps (to minimise a disagreement).
    func prefix(_ n: Int) -> DPipeline { DPipeline(source: source, sourceColumns: sourceColumns, steps: Array(steps.prefix(n))) }
}

/// What the generator knows of a table or named result: its columns, its rows, and for each
/// column the most rows that share one value (how far a join on it can multiply rows).
struct DSource {
    var name: String
    var columns: [DCol]
    var rows: Int
    var fanOut: [String: Int]

    init(name: String, columns: [DCol], cells: [[String?]]) {
        self.name = name
        self.columns = columns
        rows = cells.count
        fanOut = [:]
        for (j, c) in columns.enumerated() {
            var counts: [String: Int] = [:]
            for row in cells { if let v = row[j] { counts[v, default: 0] += 1 } }
            fanOut[c.name] = counts.values.max() ?? 0
        }
    }
}

enum DLimits {
    /// No generated table or intermediate result is planned to pass this many rows.
    static let maxRows = 10_000
}

/// Calendar dates from day numbers and back, written here rather than borrowed from clubsh
/// (Howard Hinnant's `civil_from_days`), so dates are checked against an independent reading.
enum DCivil {
    static let epoch2020 = days(2020, 1, 1)

    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func text(_ days: Int) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// `2024-01-31 09:30:15`, as sqlite3 writes date-times.
    static func text(seconds t: Int64) -> String {
        let day = Int((t - ((t % 86400) + 86400) % 86400) / 86400)
        let s = Int(t - Int64(day) * 86400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(text(day)) \(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))"
    }
}

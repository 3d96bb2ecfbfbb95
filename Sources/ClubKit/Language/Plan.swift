/// The checked form of a pipeline: every name resolved, every expression typed. The evaluator
/// runs plans and never sees unresolved names.

/// A checked expression.
indirect enum TypedExpr: Sendable {
    /// A column of the input, by position.
    case column(Int, DataType)
    /// A literal or a parameter's value.
    case constant(Value, DataType)
    case unary(UnaryOperator, TypedExpr, DataType)
    case binary(BinaryOperator, TypedExpr, TypedExpr, DataType)
    case function(ScalarFunction, [TypedExpr], DataType)
    case isNull(TypedExpr, negated: Bool)
    case inList(TypedExpr, [Value], negated: Bool)
    /// Operators applied left to right (`Expr.chain`), each link with the type it yields.
    case chain(TypedExpr, [TypedLink])

    var type: DataType {
        switch self {
        case .column(_, let t), .constant(_, let t), .unary(_, _, let t), .binary(_, _, _, let t), .function(_, _, let t): return t
        case .isNull, .inList: return .bool
        case .chain(_, let links): return links.last!.type
        }
    }

    /// Whether the expression reads no column (so it can be computed once).
    var isConstant: Bool {
        switch self {
        case .column: return false
        case .constant: return true
        case .unary(_, let e, _): return e.isConstant
        case .binary(_, let a, let b, _): return a.isConstant && b.isConstant
        case .function(_, let args, _): return args.allSatisfy(\.isConstant)
        case .isNull(let e, _), .inList(let e, _, _): return e.isConstant
        case .chain(let first, let links): return first.isConstant && links.allSatisfy(\.operand.isConstant)
        }
    }
}

/// One checked link of a chain: `op operand`, giving `type`.
struct TypedLink: Sendable {
    var op: BinaryOperator
    var operand: TypedExpr
    var type: DataType
}

/// Scalar functions (brief §4).
enum ScalarFunction: String, CaseIterable, Sendable {
    case `if`, coalesce, abs, round, floor, ceil, sqrt, ln, exp, pow
    case lower, upper, len, contains, starts_with
    case year, quarter, month, day, weekday, month_start, year_start, month_name, days_between, days_since
}

/// Aggregate functions, usable inside `agg` (brief §4).
enum AggregateFunction: String, CaseIterable, Sendable {
    case count, count_distinct, sum, avg, min, max, median, percentile, stddev, first, last, mode
}

/// One aggregate to compute per group.
struct AggregateCall: Sendable {
    var function: AggregateFunction
    /// nil for `count()`.
    var argument: TypedExpr?
    /// The fraction for `percentile`.
    var fraction: Double
    var type: DataType
}

/// A checked pipeline step.
enum PlanStep: Sendable {
    case filter(TypedExpr)
    /// The output columns, in order.
    case project([(name: String, expr: TypedExpr)])
    /// Group by `keys`, compute `calls`, then compute `outputs` over [keys…, calls…].
    case aggregate(keys: [(name: String, expr: TypedExpr)], calls: [AggregateCall], outputs: [(name: String, expr: TypedExpr)])
    case sort([(expr: TypedExpr, descending: Bool)])
    case take(Int)
    /// Keep the first row of each distinct combination of these columns, and only them.
    case distinct([Int])
    case join(left: Bool, right: Plan, leftKeys: [TypedExpr], rightKeys: [TypedExpr], rightColumns: [Int], names: [String])
    case count
    /// Draw the table; the rows pass through unchanged.
    case chart(ChartSpec)
}

/// What to draw: the kind, which column holds the labels or x values, which hold the values,
/// and where an SVG goes.
struct ChartSpec: Sendable {
    var kind: ChartKind
    var label: Int?
    var series: [Int]
    /// `chart flow`: the column of where the rows go (`label` is where they come from).
    var target: Int? = nil
    var path: String?
    /// `to "file.svg" overwrite`: an existing file may be replaced.
    var overwrite = false
}

/// Where a plan's rows come from.
indirect enum PlanSource: Sendable {
    /// A loaded table, by name.
    case table(String)
    /// A named result, computed from its own plan (or taken from the catalog's cache).
    case result(String, Plan)
    /// An analytics command, a table function bound to the columns it will give.
    case analytics(AnalyticsCommand, Schema)
    /// A listing of the catalog: `tables`, `segments`, `params` or `formulas`.
    case listing(String, Schema)
}

/// A checked pipeline with its output schema.
struct Plan: Sendable {
    var source: PlanSource
    var steps: [PlanStep]
    var schema: Schema
}

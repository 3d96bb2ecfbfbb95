/// Checked expressions (`TypedExpr`) as SQL, with clubsh's semantics: int/int division is a
/// double, division by zero is null, a date meets a date-time as its midnight, months added
/// keep the day or clamp it to the month's end, functions outside their domain give null.
struct SQLExpressions {
    let compiler: SQLCompiler
    var dialect: SQLDialect { compiler.dialect }

    /// `e` over a row whose columns are spelled `columns` (by position).
    func sql(_ e: TypedExpr, _ columns: [String]) throws(SQLCompileError) -> String {
        // A part that reads no column is computed once, here, by clubsh itself: durations,
        // parameters, `days_since`'s as-of date and constant arithmetic become one literal.
        if e.isConstant {
            if case .constant(let v, let t) = e { return dialect.literal(v, t) }
            if e.type != .duration { return dialect.literal(constantValue(e), e.type) }
        }
        switch e {
        case .column(let i, _):
            return columns[i]
        case .constant(let v, let t):
            return dialect.literal(v, t)
        case .unary(.negate, let a, let type):
            let x = try sql(a, columns)
            return dialect == .spark && type == .int ? "try_subtract(0, \(x))" : integerChecked("(-\(x))", type)
        case .unary(.not, let a, _):
            return "(NOT \(try sql(a, columns)))"
        case .binary(let op, let a, let b, let type):
            return try binary(op, a, try sql(a, columns), b, try sql(b, columns), type)
        case .chain(let first, let links):
            var left = try sql(first, columns)
            var leftExpr = first
            for link in links {
                left = try binary(link.op, leftExpr, left, link.operand, try sql(link.operand, columns), link.type)
                // Only the type of what the links before yield matters from here on.
                leftExpr = .constant(.null, link.type)
            }
            return left
        case .isNull(let a, let negated):
            return "(\(try sql(a, columns)) IS \(negated ? "NOT " : "")NULL)"
        case .inList(let a, let values, let negated):
            let x = try sql(a, columns)
            guard !values.isEmpty else { return "(CASE WHEN \(x) IS NULL THEN NULL ELSE \(dialect.literal(.bool(negated), .bool)) END)" }
            let items = values.map { v -> String in
                let t = v.isNull ? a.type : (a.type == .datetime ? .datetime : Types.common(a.type, v.type) ?? v.type)
                return dialect.literal(v, t)
            }
            let lhs = a.type == .int && values.contains(where: { $0.type == .double }) ? dialect.double(x) : x
            return "(\(lhs) \(negated ? "NOT IN" : "IN") (\(items.joined(separator: ", "))))"
        case .function(let f, let args, let type):
            var parts: [String] = []
            for a in args { parts.append(try sql(a, columns)) }
            return try SQLFunctions(compiler: compiler).call(f, args, parts, type)
        }
    }

    /// The value of an expression that reads no column, as clubsh computes it.
    func constantValue(_ e: TypedExpr) -> Value {
        var evaluator = ExpressionEvaluator(table: Table(columnNames: [], columns: [], rowCount: 1), notes: EvaluationNotes())
        evaluator.calendar = compiler.calendar
        evaluator.language = compiler.language
        // A duration is a scalar only (no column holds one).
        if case .scalar(let v) = evaluator.eval(e) { return v }
        return evaluator.column(e).value(at: 0)
    }

    /// `a op b` for operands already spelled `x` and `y`.
    func binary(_ op: BinaryOperator, _ a: TypedExpr, _ x: String, _ b: TypedExpr, _ y: String, _ type: DataType) throws(SQLCompileError) -> String {
        switch op {
        case .and: return "(\(x) AND \(y))"
        case .or: return "(\(x) OR \(y))"
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            let sqlOp = [BinaryOperator.equal: "=", .notEqual: "<>"][op] ?? op.rawValue
            // A date meets a date-time as its midnight; text compares by bytes.
            if a.type != b.type, a.type == .datetime || b.type == .datetime {
                return "(\(dialect.timestamp(x)) \(sqlOp) \(dialect.timestamp(y)))"
            }
            let t = a.type == .null ? b.type : a.type
            return "(\(dialect.collate(x, t)) \(sqlOp) \(dialect.collate(y, t)))"
        case .add, .subtract, .multiply, .divide, .modulo:
            return try arithmetic(op, a, x, b, y, type)
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ a: TypedExpr, _ x: String, _ b: TypedExpr, _ y: String, _ type: DataType) throws(SQLCompileError) -> String {
        if a.type == .null || b.type == .null { return dialect.literal(.null, type) }
        switch (a.type, b.type) {
        case (.string, .string):
            return dialect == .spark ? "concat(\(x), \(y))" : "(\(x) || \(y))"
        case (.date, .date):
            return dialect.daysBetween(y, x)
        case (.datetime, .datetime):
            return "(\(dialect.double("\(epochSeconds(x)) - \(epochSeconds(y))")) / 86400)"
        case (.date, .int), (.int, .date):
            let (d, n) = a.type == .date ? (x, y) : (y, x)
            return addDays(d, op == .subtract ? "(-\(n))" : n)
        case (.date, .duration), (.duration, .date), (.datetime, .duration), (.duration, .datetime):
            let (dateSQL, dateType, duration) = a.type == .duration ? (y, b.type, a) : (x, a.type, b)
            guard case .duration(let span) = constantValue(duration) else { return dialect.literal(.null, type) }
            let sign: Int64 = op == .subtract ? -1 : 1
            return addMonths(dateSQL, Int(span.months * sign), days: span.extraDays * sign, time: dateType == .datetime)
        default:
            break
        }
        switch op {
        case .divide:
            return "(\(dialect.double(x)) / NULLIF(\(y), 0))"
        case .modulo:
            if type == .int { return "(\(x) % NULLIF(\(y), 0))" }
            switch dialect {
            case .sqlite: return "mod(\(x), NULLIF(\(y), 0))"
            case .postgres:
                // PostgreSQL has no remainder of doubles: x − y·trunc(x / y), as fmod.
                return "(\(x) - \(y) * trunc(\(dialect.double(x)) / NULLIF(\(y), 0)))"
            case .duckdb, .spark: return "(\(dialect.double(x)) % NULLIF(\(y), 0))"
            }
        default:
            let sqlOp = op.rawValue
            // An int meeting a double is a double (SQLite keeps integers where it can).
            if type == .double, dialect == .sqlite || a.type != b.type {
                let l = a.type == .int ? dialect.double(x) : x, r = b.type == .int ? dialect.double(y) : y
                return "(\(l) \(sqlOp) \(r))"
            }
            if dialect == .spark && type == .int {
                // Spark's try_ functions give null on overflow, as clubsh does.
                return "try_\(["+": "add", "-": "subtract", "*": "multiply"][sqlOp]!)(\(x), \(y))"
            }
            return integerChecked("(\(x) \(sqlOp) \(y))", type)
        }
    }

    /// Integer `+ - *` and negation: past 64 bits clubsh gives null. PostgreSQL and DuckDB stop
    /// with an error; SQLite would give a double, so there the result is kept only while it is
    /// an integer (Spark uses its `try_` functions, which give null).
    private func integerChecked(_ x: String, _ type: DataType) -> String {
        guard dialect == .sqlite, type == .int else { return x }
        return "(SELECT CASE WHEN typeof(v) = 'integer' THEN v END FROM (SELECT \(x) AS v))"
    }

    /// Seconds since 1970 of a date-time.
    private func epochSeconds(_ x: String) -> String {
        switch dialect {
        case .sqlite: return "CAST(strftime('%s', \(x)) AS INTEGER)"
        case .postgres: return "EXTRACT(EPOCH FROM \(x))"
        case .duckdb: return "epoch(\(x))"
        case .spark: return "unix_timestamp(\(x))"
        }
    }

    /// `d` (a date) moved by `n` days.
    func addDays(_ d: String, _ n: String) -> String {
        switch dialect {
        case .sqlite: return "date(\(d), \(n) || ' days')"
        case .postgres: return "(\(d) + CAST(\(n) AS INTEGER))"
        case .duckdb: return "CAST(\(d) + to_days(CAST(\(n) AS INTEGER)) AS DATE)"
        case .spark: return "date_add(\(d), CAST(\(n) AS INT))"
        }
    }

    /// `d` moved by whole months (the day kept, or clamped to the month's last day), then by
    /// days; a date-time keeps its time of day.
    func addMonths(_ d: String, _ months: Int, days: Int64, time: Bool) -> String {
        func signed(_ v: Int64) -> String { v >= 0 ? "+\(v)" : "\(v)" }
        switch dialect {
        case .sqlite:
            let fn = time ? "datetime" : "date"
            var moved = d
            if months != 0 {
                let day = "date(\(d), 'start of month', '\(signed(Int64(months))) months', '+' || (CAST(strftime('%d', \(d)) AS INTEGER) - 1) || ' days')"
                let last = "date(\(d), 'start of month', '\(signed(Int64(months) + 1)) months', '-1 day')"
                moved = "min(\(day), \(last))"
                if time { moved = "datetime(\(moved) || ' ' || time(\(d)))" }
            }
            return days == 0 ? "\(fn)(\(moved))" : "\(fn)(\(moved), '\(signed(days)) days')"
        case .postgres, .duckdb:
            // Both clamp the day to the month's end when adding months.
            let moved = "\(d) + INTERVAL '\(months) months' + INTERVAL '\(days) days'"
            return time ? "CAST(\(moved) AS TIMESTAMP)" : "CAST(\(moved) AS DATE)"
        case .spark:
            if time {
                return "(\(d) + make_interval(0, \(months), 0, \(days)))"
            }
            return "date_add(add_months(\(d), \(months)), \(days))"
        }
    }
}

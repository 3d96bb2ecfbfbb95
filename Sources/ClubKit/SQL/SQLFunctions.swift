/// clubsh's scalar functions (docs/language.md, "Expressions") as SQL, one dialect at a time.
struct SQLFunctions {
    let compiler: SQLCompiler
    var dialect: SQLDialect { compiler.dialect }

    /// `f(args…)` giving `type`, with the arguments already spelled `x`.
    func call(_ f: ScalarFunction, _ args: [TypedExpr], _ x: [String], _ type: DataType) throws(SQLCompileError) -> String {
        switch f {
        case .if:
            let (a, b) = (widened(x[1], args[1].type, to: type), widened(x[2], args[2].type, to: type))
            return "(CASE WHEN \(x[0]) THEN \(a) ELSE \(b) END)"
        case .coalesce:
            let parts = zip(x, args).map { widened($0, $1.type, to: type) }
            return parts.count == 1 ? parts[0] : "coalesce(\(parts.joined(separator: ", ")))"
        case .abs:
            return "abs(\(x[0]))"
        case .floor, .ceil, .round:
            if f == .round && x.count == 2 { return try roundDigits(dialect.double(x[0]), args[1], x[1]) }
            // Whole numbers are already whole.
            if type == .int { return x[0] }
            if f == .round { return roundHalfAway(x[0]) }
            let name = f == .floor ? "floor" : "ceil"
            return dialect == .spark ? dialect.double("\(name)(\(x[0]))") : "\(name)(\(x[0]))"
        case .sqrt:
            return "(CASE WHEN \(x[0]) >= 0 THEN sqrt(\(dialect.double(x[0]))) END)"
        case .ln:
            return "(CASE WHEN \(x[0]) > 0 THEN ln(\(dialect.double(x[0]))) END)"
        case .exp:
            return "exp(\(dialect.double(x[0])))"
        case .pow:
            // pow(0, negative) and a negative base to a fractional power have no value: null.
            let name = dialect == .postgres ? "power" : "pow"
            let (a, b) = (dialect.double(x[0]), dialect.double(x[1]))
            return "(CASE WHEN (\(x[0]) = 0 AND \(x[1]) < 0) OR (\(x[0]) < 0 AND \(b) <> floor(\(b))) THEN NULL ELSE \(name)(\(a), \(b)) END)"
        case .lower, .upper:
            guard dialect != .sqlite else {
                throw SQLCompileError("`\(f.rawValue)` cannot be compiled to SQLite: its \(f.rawValue)() changes only the letters A–Z, and clubsh changes every letter")
            }
            // clubsh upper-cases ß as SS (Unicode's full mapping); the engines map one
            // character to one, and DuckDB gives ẞ.
            return f == .upper ? "upper(replace(\(x[0]), 'ß', 'SS'))" : "lower(\(x[0]))"
        case .len:
            // clubsh counts characters as a reader sees them (grapheme clusters: "👍🏽" is one).
            guard dialect == .duckdb else {
                throw SQLCompileError("`len` cannot be compiled to \(dialect.displayName): it counts code points (\"👍🏽\" is 2), and clubsh counts characters as a reader sees them (\"👍🏽\" is 1)")
            }
            // DuckDB counts CR LF as two; a reader (and Unicode) sees one line break.
            return "length_grapheme(replace(\(x[0]), chr(13) || chr(10), chr(10)))"

        case .contains:
            switch dialect {
            case .postgres: return "(strpos(\(x[0]), \(x[1])) > 0)"
            case .duckdb: return "contains(\(x[0]), \(x[1]))"
            case .sqlite, .spark: return "(instr(\(x[0]), \(x[1])) > 0)"
            }
        case .starts_with:
            switch dialect {
            case .postgres, .duckdb: return "starts_with(\(x[0]), \(x[1]))"
            case .sqlite, .spark: return "(substr(\(x[0]), 1, length(\(x[1]))) = \(x[1]))"
            }
        case .year, .quarter, .month, .day, .weekday, .month_start, .year_start, .month_name:
            return try calendarPart(f, x[0])
        case .days_between, .days_since:
            return dialect.daysBetween(dialect.date(x[0]), dialect.date(x[1 % x.count]))
        }
    }

    /// A branch of `if` or `coalesce` in the type they meet in.
    private func widened(_ x: String, _ from: DataType, to type: DataType) -> String {
        if type == .double && from == .int { return dialect.double(x) }
        if type == .datetime && from == .date { return dialect.timestamp(x) }
        return x
    }

    /// Half away from zero, as clubsh rounds (PostgreSQL rounds doubles half to even, so it
    /// rounds them as decimals).
    private func roundHalfAway(_ x: String) -> String {
        dialect == .postgres ? dialect.double("round(CAST(\(x) AS NUMERIC))") : "round(\(x))"
    }

    /// `round(x, digits)`: digits below zero round to tens, hundreds, ….
    private func roundDigits(_ x: String, _ digits: TypedExpr, _ d: String) throws(SQLCompileError) -> String {
        switch dialect {
        case .postgres: return dialect.double("round(CAST(\(x) AS NUMERIC), CAST(\(d) AS INTEGER))")
        case .duckdb: return "round(\(x), CAST(\(d) AS INTEGER))"
        case .spark:
            guard digits.isConstant else {
                throw SQLCompileError("`round(x, digits)` with digits read from a column cannot be compiled to Spark SQL: Spark needs a fixed number of digits")
            }
            return "round(\(x), \(d))"
        case .sqlite:
            // SQLite reads negative digits as 0.
            if case .constant(.int(let k), _) = digits, k >= 0 { return "round(\(x), \(d))" }
            return "(CASE WHEN \(d) >= 0 THEN round(\(x), \(d)) ELSE round(\(x) / pow(10, -(\(d)))) * pow(10, -(\(d))) END)"
        }
    }

    /// The calendar functions, in the Gregorian calendar a database keeps.
    private func calendarPart(_ f: ScalarFunction, _ x: String) throws(SQLCompileError) -> String {
        guard compiler.calendar == .gregorian else {
            throw SQLCompileError("`\(f.rawValue)` under `.calendar jalali` cannot be compiled to SQL: \(dialect.displayName) reads dates in the Gregorian calendar")
        }
        switch f {
        case .year, .month, .day, .quarter:
            switch dialect {
            case .sqlite:
                if f == .quarter { return "((CAST(strftime('%m', \(x)) AS INTEGER) + 2) / 3)" }
                return "CAST(strftime('\(["year": "%Y", "month": "%m", "day": "%d"][f.rawValue]!)', \(x)) AS INTEGER)"
            case .postgres: return "CAST(EXTRACT(\(f.rawValue.uppercased()) FROM \(x)) AS BIGINT)"
            case .duckdb: return "\(f.rawValue)(\(x))"
            case .spark: return "CAST(\(f == .day ? "dayofmonth" : f.rawValue)(\(x)) AS BIGINT)"
            }
        case .weekday:
            // ISO: Monday 1 … Sunday 7.
            switch dialect {
            case .sqlite: return "((CAST(strftime('%w', \(x)) AS INTEGER) + 6) % 7 + 1)"
            case .postgres: return "CAST(EXTRACT(ISODOW FROM \(x)) AS BIGINT)"
            case .duckdb: return "isodow(\(x))"
            case .spark: return "CAST((dayofweek(\(x)) + 5) % 7 + 1 AS BIGINT)"
            }
        case .month_start, .year_start:
            let unit = f == .month_start ? "month" : "year"
            switch dialect {
            case .sqlite: return "date(\(x), 'start of \(unit)')"
            case .postgres, .duckdb: return "CAST(date_trunc('\(unit)', \(x)) AS DATE)"
            case .spark: return "trunc(CAST(\(x) AS DATE), '\(unit == "month" ? "MM" : "YEAR")')"
            }
        default:
            // month_name: the names clubsh writes in the session's language.
            let month = try calendarPart(.month, x)
            let names = (1...12).map { m in
                "WHEN \(m) THEN \(dialect.string(CalendarKind.gregorian.monthName(CivilDate.days(year: 2001, month: m, day: 1), language: compiler.language)))"
            }
            return "(CASE \(month) \(names.joined(separator: " ")) END)"
        }
    }
}

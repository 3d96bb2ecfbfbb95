import Foundation

/// Generated pipelines as one SQL query for sqlite3, written from the documented clubsh
/// semantics rather than from clubsh's code.
///
/// Every step is a CTE that carries `_o`, the row's place in the order clubsh promises, and the
/// query ends `ORDER BY _o`: a table in file order; `where`, `select`, `derive` keep the order;
/// `sort` is stable with nulls last both ways (ties by `_o`); `take` keeps the first rows; `agg`
/// and `distinct` give groups in order of first appearance (the least `_o` of the group); a join
/// keeps the left rows' order, and one left row's matches come in the right table's order (as
/// `Join` in ClubKit promises; docs/language.md says only that the left rows' order is kept).
///
/// Text reaches sqlite3 with the very bytes clubsh reads: both compare text byte by byte, so
/// they agree on equality and on order (UTF-8 byte order = code point order), composed and
/// decomposed accents included. Dates are ISO text; date-times are
/// `YYYY-MM-DD HH:MM:SS` text, and where a date meets a date-time both go through `datetime()`,
/// as clubsh reads the date as its midnight.
enum DSQL {
    static func quoteName(_ n: String) -> String { "\"" + n.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func literal(_ l: DLit) -> String {
        switch l {
        case .null: return "NULL"
        case .int(let v): return v < 0 ? "(\(v))" : String(v)
        case .cents(let c): return c < 0 ? "(\(DLit.centsText(c)))" : DLit.centsText(c)
        case .bool(let b): return b ? "1" : "0"
        case .date(let d): return "'\(DCivil.text(d))'"
        case .datetime(let t): return "'\(DCivil.text(seconds: t))'"
        case .string(let s):
            // Line breaks as char(10) and char(13), so that every query stays on one line.
            let quoted = "'" + s.replacingOccurrences(of: "'", with: "''")
                .replacingOccurrences(of: "\r", with: "' || char(13) || '").replacingOccurrences(of: "\n", with: "' || char(10) || '") + "'"
            return s.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) ? "(\(quoted))" : quoted
        }
    }

    /// The pipeline's rows in clubsh's order.
    static func query(_ p: DPipeline) -> String {
        let (with, last) = steps(p)
        return "\(with) SELECT \(p.output.map { quoteName($0.name) }.joined(separator: ", ")) FROM \(last) ORDER BY _o;"
    }

    /// A named result as a table that keeps its order in `_o` (the tables it reads never change).
    static func resultTable(_ name: String, _ p: DPipeline) -> String {
        let (with, last) = steps(p)
        return "CREATE TABLE \(name) AS \(with) SELECT \(p.output.map { quoteName($0.name) }.joined(separator: ", ")), "
            + "ROW_NUMBER() OVER (ORDER BY _o) AS _o FROM \(last);\n"
    }

    /// The CTEs of the steps (`WITH …`) and the name of the last.
    private static func steps(_ p: DPipeline) -> (String, String) {
        var ctes: [String] = ["s0 AS (SELECT * FROM \(p.source))"]
        var current = "s0"
        @discardableResult
        func add(_ body: String) -> String {
            let name = "s\(ctes.count)"
            // Materialized, so that a correlated subquery (first, last, percentile) does not
            // recompute the steps before it for every group.
            ctes.append("\(name) AS MATERIALIZED (\(body))")
            current = name
            return name
        }
        func list(_ cols: [DCol], _ prefix: String = "") -> String {
            cols.map { prefix + quoteName($0.name) }.joined(separator: ", ")
        }
        func sorted(_ cols: [DCol], _ keys: [(expr: DExpr, direction: SortDirection)], top: Bool) {
            let order = keys.map { "\(expr($0.expr)) \($0.direction.descending(top: top) ? "DESC" : "ASC") NULLS LAST" }
            add("SELECT \(list(cols)), ROW_NUMBER() OVER (ORDER BY \(order.joined(separator: ", ")), p._o) AS _o FROM \(current) AS p")
        }
        for planned in p.steps {
            let cols = planned.input
            switch planned.step {
            case .filter(let e):
                add("SELECT * FROM \(current) WHERE \(expr(e))")
            case .select(let items):
                let out = zip(items, planned.output).map { "\(expr($0.0.expr)) AS \(quoteName($0.1.name))" }
                add("SELECT \(out.joined(separator: ", ")), _o FROM \(current)")
            case .derive(let items):
                var now = cols
                for item in items {
                    var out = now.map { quoteName($0.name) }
                    let col = DCol(name: item.name, type: item.expr.type, bound: 0)
                    let computed = "\(expr(item.expr)) AS \(quoteName(item.name))"
                    if let i = now.firstIndex(where: { $0.name == item.name }) {
                        out[i] = computed
                        now[i] = col
                    } else {
                        out.append(computed)
                        now.append(col)
                    }
                    add("SELECT \(out.joined(separator: ", ")), _o FROM \(current)")
                }
            case .agg(let keys, let outputs):
                aggregate(keys, outputs, planned.output, from: current, add: add)
            case .sort(let keys):
                sorted(cols, keys, top: false)
            case .top(let n, let keys):
                sorted(cols, keys, top: true)
                add("SELECT * FROM \(current) ORDER BY _o LIMIT \(n)")
            case .take(let n):
                add("SELECT * FROM \(current) ORDER BY _o LIMIT \(n)")
            case .distinct:
                add("SELECT \(list(planned.output)), MIN(_o) AS _o FROM \(current) GROUP BY \(list(planned.output))")
            case .join(let isLeft, let table, let on, let rightTable):
                let rightColumns = planned.output.dropFirst(cols.count)
                let dropped = Set(on.filter(\.shorthand).map(\.right))
                let rightNames = rightTable.map(\.name).filter { !dropped.contains($0) }
                let picked = cols.map { "l.\(quoteName($0.name))" } + zip(rightNames, rightColumns).map { "r.\(quoteName($0.0)) AS \(quoteName($0.1.name))" }
                let condition = on.map { pair -> String in
                    let l = "l.\(quoteName(pair.left))", r = "r.\(quoteName(pair.right))"
                    let types = [cols.first { $0.name == pair.left }!.type, rightTable.first { $0.name == pair.right }!.type]
                    // A date meets a date-time as its midnight.
                    return types.contains(.datetime) ? "datetime(\(l)) = datetime(\(r))" : "\(l) = \(r)"
                }.joined(separator: " AND ")
                add("SELECT \(picked.joined(separator: ", ")), ROW_NUMBER() OVER (ORDER BY l._o, r._o) AS _o "
                    + "FROM \(current) AS l \(isLeft ? "LEFT JOIN" : "JOIN") \(table) AS r ON \(condition)")
            case .count:
                add("SELECT COUNT(*) AS \"count\", 1 AS _o FROM \(current)")
            }
        }
        return ("WITH \(ctes.joined(separator: ", "))", current)
    }

    /// `agg`: keys and aggregate arguments computed once per row (`_k0…`, `_a0…`), then grouped.
    /// median and percentile interpolate between the closest ranks (per group, ranks from a
    /// window); stddev is the sample standard deviation from a second pass around the mean;
    /// first and last are the first and last non-null values by `_o`.
    private static func aggregate(_ keys: [(name: String?, expr: DExpr)], _ outputs: [(name: String?, expr: DExpr)], _ output: [DCol],
                                  from source: String, add: (String) -> String) {
        var calls: [DExpr] = []
        func collect(_ e: DExpr) {
            switch e {
            case .aggregate: calls.append(e)
            case .arithmetic(_, let a, let b): collect(a); collect(b)
            case .negate(let a): collect(a)
            default: break
            }
        }
        outputs.forEach { collect($0.expr) }
        let keyNames = keys.indices.map { "_k\($0)" }
        var inputs = ["_o"] + keys.enumerated().map { "\(expr($0.element.expr)) AS _k\($0.offset)" }
        for (j, call) in calls.enumerated() {
            if case .aggregate(_, let arg?, _) = call { inputs.append("\(expr(arg)) AS _a\(j)") }
        }
        let input = add("SELECT \(inputs.joined(separator: ", ")) FROM \(source)")
        let partition = keyNames.isEmpty ? "" : "PARTITION BY \(keyNames.joined(separator: ", ")) "
        let groupBy = keyNames.isEmpty ? "" : " GROUP BY \(keyNames.joined(separator: ", "))"
        func match(_ q: String) -> String {
            keyNames.isEmpty ? "1" : keyNames.map { "\(q).\($0) IS g.\($0)" }.joined(separator: " AND ")
        }
        var sqlOf: [String] = []
        for (j, call) in calls.enumerated() {
            guard case .aggregate(let f, _, let fraction) = call else { continue }
            let a = "g._a\(j)"
            switch f {
            case "count": sqlOf.append(call.isCountStar ? "COUNT(*)" : "COUNT(\(a))")
            case "count_distinct": sqlOf.append("COUNT(DISTINCT \(a))")
            case "sum": sqlOf.append("SUM(\(a))")
            case "avg": sqlOf.append("AVG(\(a))")
            case "min": sqlOf.append("MIN(\(a))")
            case "max": sqlOf.append("MAX(\(a))")
            case "first", "last":
                sqlOf.append("(SELECT i._a\(j) FROM \(input) AS i WHERE \(match("i")) AND i._a\(j) IS NOT NULL ORDER BY i._o \(f == "first" ? "ASC" : "DESC") LIMIT 1)")
            case "median", "percentile":
                let p = fraction ?? 0.5
                let h = "((n - 1) * \(p))"
                let q = add("SELECT \(keyNames.map { $0 + ", " }.joined())"
                    + "MAX(CASE WHEN r = CAST(\(h) AS INTEGER) THEN x END) AS lo_x, MAX(CASE WHEN r = CAST(\(h) AS INTEGER) + 1 THEN x END) AS hi_x, "
                    + "MAX(\(h) - CAST(\(h) AS INTEGER)) AS f FROM (SELECT \(keyNames.map { $0 + ", " }.joined())_a\(j) AS x, "
                    + "ROW_NUMBER() OVER (\(partition)ORDER BY _a\(j)) - 1 AS r, COUNT(*) OVER (\(partition.trimmingCharacters(in: .whitespaces))) AS n "
                    + "FROM \(input) WHERE _a\(j) IS NOT NULL)\(groupBy)")
                sqlOf.append("(SELECT q.lo_x + q.f * (coalesce(q.hi_x, q.lo_x) - q.lo_x) FROM \(q) AS q WHERE \(match("q")))")
            case "stddev":
                let q = add("SELECT \(keyNames.map { $0 + ", " }.joined())SUM((x - m) * (x - m)) AS ss, COUNT(*) AS n "
                    + "FROM (SELECT \(keyNames.map { $0 + ", " }.joined())_a\(j) AS x, AVG(_a\(j)) OVER (\(partition.trimmingCharacters(in: .whitespaces))) AS m "
                    + "FROM \(input) WHERE _a\(j) IS NOT NULL)\(groupBy)")
                sqlOf.append("(SELECT CASE WHEN q.n >= 2 THEN sqrt(q.ss / (q.n - 1)) END FROM \(q) AS q WHERE \(match("q")))")
            default: preconditionFailure("unknown aggregate \(f)")
            }
        }
        var next = 0
        func replaced(_ e: DExpr) -> String {
            expr(e) { call in
                defer { next += 1 }
                _ = call
                return sqlOf[next]
            }
        }
        var select = keys.indices.map { "g._k\($0) AS \(quoteName(output[$0].name))" }
        for (k, o) in outputs.enumerated() { select.append("\(replaced(o.expr)) AS \(quoteName(output[keys.count + k].name))") }
        _ = add("SELECT \(select.joined(separator: ", ")), MIN(g._o) AS _o FROM \(input) AS g\(groupBy.replacingOccurrences(of: "_k", with: "g._k"))")
    }

    /// An expression; `aggregate` renders the aggregate calls, in the order they are met.
    static func expr(_ e: DExpr, aggregate: ((DExpr) -> String)? = nil) -> String {
        func x(_ e: DExpr) -> String { expr(e, aggregate: aggregate) }
        switch e {
        case .column(let c): return quoteName(c.name)
        case .literal(let l), .parameter(_, let l): return literal(l)
        case .negate(let a): return "(-\(x(a)))"
        case .arithmetic(let op, let a, let b):
            switch (a.type, b.type) {
            case (.string, _): return "(\(x(a)) || \(x(b)))"
            case (.date, .date): return "CAST(round(julianday(\(x(a))) - julianday(\(x(b)))) AS INTEGER)"
            case (.datetime, .datetime): return "((CAST(strftime('%s', \(x(a))) AS INTEGER) - CAST(strftime('%s', \(x(b))) AS INTEGER)) / 86400.0)"
            case (.date, _): return op == "+" ? "date(\(x(a)), (\(x(b))) || ' days')" : "date(\(x(a)), (-(\(x(b)))) || ' days')"
            case (_, .date): return "date(\(x(b)), (\(x(a))) || ' days')"
            default: break
            }
            switch op {
            case "/": return "(CAST(\(x(a)) AS REAL) / \(x(b)))"
            case "%": return e.type == .int ? "(\(x(a)) % \(x(b)))" : "mod(\(x(a)), \(x(b)))"
            default: return "(\(x(a)) \(op) \(x(b)))"
            }
        case .shift(let d, let count, let unit, let subtract):
            let sign = subtract ? -1 : 1
            let value = x(d)
            let time = d.type == .datetime
            switch unit {
            case "d", "w":
                return "\(time ? "datetime" : "date")(\(value), '\(sign * count * (unit == "w" ? 7 : 1)) days')"
            default:
                // Whole months, kept on the same day of the month or clamped to the month's last
                // day; a date-time keeps its time of day.
                let months = sign * count * (unit == "y" ? 12 : 1)
                func signed(_ v: Int) -> String { v >= 0 ? "+\(v)" : "\(v)" }
                let day = "min(date(\(value), 'start of month', '\(signed(months)) months', '+' || (CAST(strftime('%d', \(value)) AS INTEGER) - 1) || ' days'), "
                    + "date(\(value), 'start of month', '\(signed(months + 1)) months', '-1 day'))"
                return time ? "datetime(\(day) || ' ' || time(\(value)))" : day
            }
        case .compare(let op, let a, let b):
            let sqlOp = ["==": "=", "!=": "<>"][op] ?? op
            // A date (or date text) meets a date-time as its midnight.
            if [a.type, b.type].contains(.datetime) {
                return "(datetime(\(x(a))) \(sqlOp) datetime(\(x(b))))"
            }
            return "(\(x(a)) \(sqlOp) \(x(b)))"
        case .and(let a, let b): return "(\(x(a)) AND \(x(b)))"
        case .or(let a, let b): return "(\(x(a)) OR \(x(b)))"
        case .not(let a): return "(NOT \(x(a)))"
        case .isNull(let a, let negated): return "(\(x(a)) IS \(negated ? "NOT " : "")NULL)"
        case .inList(let a, let items, let negated):
            let time = a.type == .datetime
            let list = items.map { time && $0 != .null ? "datetime(\(literal($0)))" : literal($0) }
            return "(\(time ? "datetime(\(x(a)))" : x(a)) \(negated ? "NOT IN" : "IN") (\(list.joined(separator: ", "))))"
        case .between(let a, let lo, let hi, let negated):
            if a.type == .datetime {
                return "(datetime(\(x(a))) \(negated ? "NOT BETWEEN" : "BETWEEN") datetime(\(x(lo))) AND datetime(\(x(hi))))"
            }
            return "(\(x(a)) \(negated ? "NOT BETWEEN" : "BETWEEN") \(x(lo)) AND \(x(hi)))"
        case .call(let f, let args):
            // Branches of if and coalesce meet in their common type: a date as a date-time's midnight.
            let a = args.map { e.type == .datetime && $0.type == .date && (f == "if" || f == "coalesce") ? "datetime(\(x($0)))" : x($0) }
            switch f {
            case "if": return "(CASE WHEN \(a[0]) THEN \(a[1]) ELSE \(a[2]) END)"
            case "contains": return "(instr(\(a[0]), \(a[1])) > 0)"
            case "starts_with": return "(substr(\(a[0]), 1, length(\(a[1]))) = \(a[1]))"
            case "year": return "CAST(strftime('%Y', \(a[0])) AS INTEGER)"
            case "month": return "CAST(strftime('%m', \(a[0])) AS INTEGER)"
            case "day": return "CAST(strftime('%d', \(a[0])) AS INTEGER)"
            case "weekday": return "((CAST(strftime('%w', \(a[0])) AS INTEGER) + 6) % 7 + 1)"
            case "month_start": return "date(\(a[0]), 'start of month')"
            case "days_between": return "CAST(round(julianday(date(\(a[1]))) - julianday(date(\(a[0])))) AS INTEGER)"
            default: return "\(f)(\(a.joined(separator: ", ")))"
            }
        case .aggregate:
            guard let aggregate else { preconditionFailure("an aggregate outside agg") }
            return aggregate(e)
        }
    }
}

extension DExpr {
    var isCountStar: Bool { if case .aggregate("count", nil, _) = self { return true } else { return false } }
}


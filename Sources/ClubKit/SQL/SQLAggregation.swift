/// `agg … by …` as SQL: keys and arguments computed once per row, the windows some aggregates
/// need, the groups (in order of first appearance: the least `_ord`), then the outputs.
///
/// Aggregates keep clubsh's definitions (docs/language.md, "Pipeline steps"): `median` and
/// `percentile` interpolate between the closest ranks, `stddev` is the sample deviation, `first`
/// and `last` are the first and last non-null values in row order, `mode` the most frequent
/// non-null value with a tie going to the value met first. Where a dialect has no such
/// aggregate, a window over the group computes it.
struct SQLAggregation {
    let compiler: SQLCompiler
    let input: SQLRelation
    let keys: [(name: String, expr: TypedExpr)]
    let calls: [AggregateCall]
    let outputs: [(name: String, expr: TypedExpr)]

    var dialect: SQLDialect { compiler.dialect }

    func add(to query: inout SQLQuery) throws(SQLCompileError) -> SQLRelation {
        let expressions = SQLExpressions(compiler: compiler)
        let names = input.columns.map { dialect.quote($0.name) }
        let keyNames = keys.indices.map { "_k\($0)" }
        let partition = keyNames.isEmpty ? "" : "PARTITION BY \(keyNames.joined(separator: ", ")) "

        // The keys and arguments, once per row.
        var rows = keyNames.isEmpty ? [] : try zip(keys, keyNames).map { (k, n) throws(SQLCompileError) in "\(try expressions.sql(k.expr, names)) AS \(n)" }
        // Sums of money: a table's column of known scale sums its units at that scale; any
        // other argument finds its scale in the query, once for an argument summed twice
        // (`spend = sum(x * 2), mean = avg(x * 2)`), from the first call's column.
        var money = SQLMoneyScales(dialect: dialect), sameAs: [Int: Int] = [:], known: [Int: (argument: Int, scale: Int)] = [:]
        var argumentSQL: [String?] = []
        for (j, call) in calls.enumerated() {
            let a = try call.argument.map { a throws(SQLCompileError) in try expressions.sql(a, names) }
            argumentSQL.append(a)
            guard let a else { continue }
            rows.append("\(a) AS _a\(j)")
            // The first call's column with the same argument (an engine then sums it once).
            let first = (0...j).first { argumentSQL[$0] == a && SQLMoneyScales.adds(calls[$0]) } ?? j
            if SQLMoneyScales.adds(call), case .column(let i, .double)? = call.argument, let origin = input.columns[i].origin,
               let scale = compiler.columnMoneyScale(origin.table, origin.column) {
                known[j] = (first, scale)
            } else if SQLMoneyScales.adds(call) {
                sameAs[j] = first
                money.include("_a\(first)")
            }
        }
        var source = query.add(SQLSelect(columns: rows + [query.order], from: input.name), [])
        let scales = money.arguments.isEmpty ? nil : money.relation(over: source, &query)

        // Windows: ranks for percentiles, means for stddev (SQLite), first/last, and mode's counts.
        var first: [String] = [], second: [String] = []
        for (j, call) in calls.enumerated() {
            let a = "_a\(j)"
            let nonNullFirst = "CASE WHEN \(a) IS NULL THEN 1 ELSE 0 END"
            switch call.function {
            case .median where dialect == .sqlite, .percentile where dialect == .sqlite:
                first.append("ROW_NUMBER() OVER (\(partition)ORDER BY \(a) ASC NULLS LAST) AS _r\(j)")
                first.append("COUNT(\(a)) OVER (\(partition.trimmingTrailingSpace)) AS _n\(j)")
            case .stddev where dialect == .sqlite:
                first.append("AVG(\(a)) OVER (\(partition.trimmingTrailingSpace)) AS _m\(j)")
            case .first, .last:
                let direction = call.function == .first ? "ASC" : "DESC"
                first.append("FIRST_VALUE(\(a)) OVER (\(partition)ORDER BY \(nonNullFirst), \(query.order) \(direction)) AS _f\(j)")
            case .mode:
                let byValue = "PARTITION BY \((keyNames + [a]).joined(separator: ", "))"
                first.append("COUNT(*) OVER (\(byValue)) AS _c\(j)")
                first.append("MIN(\(query.order)) OVER (\(byValue)) AS _p\(j)")
                second.append("FIRST_VALUE(\(a)) OVER (\(partition)ORDER BY \(nonNullFirst), _c\(j) DESC, _p\(j) ASC) AS _f\(j)")
            default:
                break
            }
        }
        for windows in [first, second] where !windows.isEmpty {
            source = query.add(SQLSelect(columns: ["*"] + windows, from: source.name), [])
        }

        // The groups.
        var grouped = keyNames
        for (j, call) in calls.enumerated() {
            if let (k, scale) = known[j] {
                let sum = dialect.moneySum("_a\(k)", scale: scale)
                grouped.append("\(call.function == .avg ? "\(sum) / NULLIF(COUNT(_a\(k)), 0)" : sum) AS _g\(j)")
            } else if let first = sameAs[j] {
                grouped.append("\(money.aggregate(mean: call.function == .avg, "_a\(first)")) AS _g\(j)")
            } else {
                grouped.append("\(try aggregate(call, j)) AS _g\(j)")
            }
        }
        // The factors' one row beside every row of the groups.
        var select = SQLSelect(columns: grouped + ["MIN(\(query.order)) AS \(query.order)"], from: source.name + (scales.map { " CROSS JOIN \($0.name)" } ?? ""))
        select.groupBy = keyNames
        select.comment = keyNames.isEmpty ? "one row for the whole table" : "one row a group, in order of first appearance"
        let groups = query.add(select, [])

        // The outputs, over [keys…, aggregates…].
        let inner = keyNames + calls.indices.map { "_g\($0)" }
        var out: [String] = []
        for o in outputs { out.append("\(try expressions.sql(o.expr, inner)) AS \(dialect.quote(o.name))") }
        return query.add(SQLSelect(columns: out + [query.order], from: groups.name), outputs.map { SQLColumn(name: $0.name, type: $0.expr.type) })
    }

    /// One aggregate over the group's rows, reading `_a{j}` and its windows.
    private func aggregate(_ call: AggregateCall, _ j: Int) throws(SQLCompileError) -> String {
        let a = "_a\(j)"
        let argType = call.argument?.type ?? .null
        switch call.function {
        case .count:
            return call.argument == nil ? "COUNT(*)" : "COUNT(\(a))"
        case .count_distinct:
            return "COUNT(DISTINCT \(a))"
        case .sum:
            // Spark's try_sum is null past 64 bits, as clubsh's sum.
            if call.type == .int && dialect == .spark { return "try_sum(\(a))" }
            guard call.type == .int, dialect == .postgres || dialect == .duckdb else { return "SUM(\(a))" }
            // Both sum integers exactly in a wider type: a total past 64 bits is null, as in clubsh.
            return "CAST(CASE WHEN SUM(\(a)) BETWEEN -9223372036854775808 AND 9223372036854775807 THEN SUM(\(a)) END AS BIGINT)"
        case .avg:
            // Numbers are summed as money (`SQLMoneyScales`); this is the mean of anything else.
            return "AVG(\(dialect.double(a)))"
        case .min, .max:
            if dialect == .postgres && argType == .bool { return call.function == .min ? "bool_and(\(a))" : "bool_or(\(a))" }
            return "\(call.function == .min ? "MIN" : "MAX")(\(dialect.collate(a, argType)))"
        case .median, .percentile:
            let p = call.function == .median ? 0.5 : call.fraction
            let fraction = "\(p)"
            switch dialect {
            case .postgres: return "percentile_cont(\(fraction)) WITHIN GROUP (ORDER BY \(dialect.double(a)))"
            case .duckdb: return "quantile_cont(\(dialect.double(a)), \(fraction))"
            case .spark: return "percentile(\(dialect.double(a)), \(fraction))"
            case .sqlite:
                // Linear interpolation between the ranks around (n − 1)·p, as quantile_cont.
                let h = "((_n\(j) - 1) * \(fraction))"
                let lo = "MAX(CASE WHEN _r\(j) - 1 = CAST(\(h) AS INTEGER) THEN CAST(\(a) AS REAL) END)"
                let hi = "MAX(CASE WHEN _r\(j) - 1 = CAST(\(h) AS INTEGER) + 1 THEN CAST(\(a) AS REAL) END)"
                let f = "MAX(\(h) - CAST(\(h) AS INTEGER))"
                return "(\(lo) + \(f) * (coalesce(\(hi), \(lo)) - \(lo)))"
            }
        case .stddev:
            guard dialect == .sqlite else { return dialect.double("stddev_samp(\(a))") }
            return "(CASE WHEN COUNT(\(a)) >= 2 THEN sqrt(SUM((\(a) - _m\(j)) * (\(a) - _m\(j))) / (COUNT(\(a)) - 1)) END)"
        case .first, .last, .mode:
            // The window gave every row of the group the same value.
            if dialect == .postgres && call.type == .bool { return "bool_or(_f\(j))" }
            return "MAX(\(dialect.collate("_f\(j)", call.type)))"
        }
    }
}

extension String {
    /// Without the trailing space `PARTITION BY … ` carries before an `ORDER BY`.
    var trimmingTrailingSpace: String { hasSuffix(" ") ? String(dropLast()) : self }
}

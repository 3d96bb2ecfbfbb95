/// A step or function that a dialect cannot express: the compiler says so rather than run any
/// part of the plan in memory.
public struct SQLCompileError: Error, Equatable, Sendable {
    /// One line naming the step or function and the dialect, such as
    /// "`chart` cannot be compiled to SQL: it draws, it does not compute".
    public var message: String

    init(_ message: String) { self.message = message }
}

/// Compiles a bound plan (`Plan`, from the `Checker`; no data read) to one SQL query that gives
/// the rows clubsh would give, in clubsh's order, in the chosen dialect.
///
/// Every step is a common table expression that carries `_ord`, the row's place in the order
/// clubsh promises: a table in scan order, `sort` stable with nulls last both ways, `agg` and
/// `distinct` in order of first appearance (the least `_ord` of the group), a join in the left
/// rows' order. The query ends `ORDER BY _ord`. Named results become CTEs of their own.
///
/// ```swift
/// let compiler = SQLCompiler(dialect: .postgres)
/// let sql = try compiler.compile(plan, tableName: { "\"warehouse\".\"\($0)\"" })
/// ```
///
/// The semantics kept and the ones a dialect cannot keep are listed in docs/language.md,
/// "Compiling to SQL".
struct SQLCompiler {
    var dialect: SQLDialect
    /// The calendar of the session: under `jalali` the month functions cannot be compiled.
    var calendar: CalendarKind
    /// The language `month_name` writes in.
    var language: Language
    /// The columns of a loaded table (the plan names tables, not their columns).
    var tableSchema: (String) -> Schema?
    /// The transactions of `use`, for the analytics commands; nil before `use`.
    var transactions: SQLTransactions?
    /// A segment's checked plan and the column its customers are matched by (`pareto in S`).
    var segment: (String) throws(SQLCompileError) -> (plan: Plan, customer: String) = { name throws(SQLCompileError) in
        throw SQLCompileError("the segment `\(name)` is not known")
    }
    /// The decimal scale (`Money`) of a table's double column, when every subset of its values
    /// sums at that scale to the decimals clubsh adds (at most 2^50 units each, 2^63 in all):
    /// `agg sum` of the column itself then sums units at that scale, without finding it in the
    /// query (`SQLMoneyScales`). Nil: the query finds it.
    var columnMoneyScale: (_ table: String, _ column: String) -> Int? = { _, _ in nil }

    init(dialect: SQLDialect, calendar: CalendarKind = .gregorian, language: Language = .english, tableSchema: @escaping (String) -> Schema?) {
        self.dialect = dialect
        self.calendar = calendar
        self.language = language
        self.tableSchema = tableSchema
    }

    /// SQL for a bound plan: one query, formatted for reading (one clause a line, CTEs
    /// indented). `tableName` maps a loaded table's clubsh name to its quoted SQL name.
    func compile(_ plan: Plan, tableName: (String) -> String) throws(SQLCompileError) -> String {
        var query = SQLQuery(dialect: dialect, taken: names(plan))
        let relation = try relation(plan, &query, tableName)
        var final = SQLSelect(columns: relation.columns.map { dialect.quote($0.name) }, from: relation.name)
        final.orderBy = [query.order]
        return query.text(final)
    }

    /// The plan's rows as the last CTE of `query`.
    func relation(_ plan: Plan, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        var current = try source(plan.source, &query, tableName)
        for step in plan.steps {
            current = try self.step(step, current, &query, tableName)
        }
        return current
    }

    /// Every column name the plan's relations have, lower-cased: the order column must differ.
    private func names(_ plan: Plan) -> Set<String> {
        var out = Set(plan.schema.names)
        switch plan.source {
        case .table(let name): out.formUnion(tableSchema(name)?.names ?? [])
        case .result(_, let inner): out.formUnion(names(inner))
        case .analytics(_, let schema), .listing(_, let schema): out.formUnion(schema.names)
        }
        if let t = transactions {
            out.formUnion(tableSchema(t.roles.table)?.names ?? [])
            out.formUnion((t.customers?.schema.names ?? []) + (t.feedback?.schema.names ?? []))
        }
        for step in plan.steps {
            switch step {
            case .project(let items): out.formUnion(items.map(\.name))
            case .aggregate(let keys, _, let outputs): out.formUnion(keys.map(\.name) + outputs.map(\.name))
            case .join(_, let right, _, _, _, let all): out.formUnion(all); out.formUnion(names(right))
            default: break
            }
        }
        return Set(out.map { $0.lowercased() })
    }

    private func source(_ source: PlanSource, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        switch source {
        case .table(let name):
            guard let schema = tableSchema(name) else { throw SQLCompileError("the table `\(name)` is not known") }
            let columns = schema.fields.map { SQLColumn(name: $0.name, type: $0.type, origin: SQLOrigin(table: name, column: $0.name)) }
            var select = SQLSelect(columns: columns.map { dialect.quote($0.name) } + ["\(dialect.scanOrder) AS \(query.order)"], from: tableName(name))
            select.comment = "the table \(name), in scan order"
            return query.add(select, columns)
        case .result(let name, let plan):
            if let done = query.results[name] { return done }
            let inner = try relation(plan, &query, tableName)
            let done = query.rename(inner, to: name)
            query.results[name] = done
            return done
        case .analytics(let command, let schema):
            guard let transactions else { throw SQLCompileError("`\(command.name)` needs the transactions: name them first with `use`") }
            return try SQLAnalytics(compiler: self, transactions: transactions).relation(command, schema, &query, tableName)
        case .listing(let name, _):
            throw SQLCompileError("`\(name)` lists the session's catalog, which is not in the database")
        }
    }

    private func step(_ step: PlanStep, _ input: SQLRelation, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        let names = input.columns.map { dialect.quote($0.name) }
        let expressions = SQLExpressions(compiler: self)
        switch step {
        case .filter(let e):
            var select = SQLSelect(columns: ["*"], from: input.name)
            select.filter = try expressions.sql(e, names)
            return query.add(select, input.columns)
        case .project(let items):
            var columns: [String] = []
            for item in items {
                let e = try expressions.sql(item.expr, names)
                columns.append(e == dialect.quote(item.name) ? e : "\(e) AS \(dialect.quote(item.name))")
            }
            let select = SQLSelect(columns: columns + [query.order], from: input.name)
            // A column taken as it is keeps where it came from.
            return query.add(select, items.map { item in
                var origin: SQLOrigin?
                if case .column(let i, _) = item.expr { origin = input.columns[i].origin }
                return SQLColumn(name: item.name, type: item.expr.type, origin: origin)
            })
        case .aggregate(let keys, let calls, let outputs):
            return try SQLAggregation(compiler: self, input: input, keys: keys, calls: calls, outputs: outputs).add(to: &query)
        case .sort(let keys):
            var order: [String] = []
            for key in keys {
                let e = dialect.collate(try expressions.sql(key.expr, names), key.expr.type)
                order.append("\(e) \(key.descending ? "DESC" : "ASC") NULLS LAST")
            }
            let select = SQLSelect(columns: names + ["ROW_NUMBER() OVER (ORDER BY \((order + [query.order]).joined(separator: ", "))) AS \(query.order)"],
                                   from: input.name)
            return query.add(select, input.columns)
        case .take(let n):
            var select = SQLSelect(columns: ["*"], from: input.name)
            select.orderBy = [query.order]
            select.limit = n
            return query.add(select, input.columns)
        case .distinct(let picked):
            let columns = picked.map { input.columns[$0] }
            var select = SQLSelect(columns: picked.map { names[$0] } + ["MIN(\(query.order)) AS \(query.order)"], from: input.name)
            select.groupBy = picked.map { names[$0] }
            select.comment = "distinct, in order of first appearance"
            return query.add(select, columns)
        case .join(let isLeft, let rightPlan, let leftKeys, let rightKeys, let rightColumns, let allNames):
            // `allNames` names every output column: the left's, then the right's kept.
            let outputNames = Array(allNames.suffix(rightColumns.count))
            let right = try relation(rightPlan, &query, tableName)
            let l = input.columns.map { "l.\(dialect.quote($0.name))" }
            let r = right.columns.map { "r.\(dialect.quote($0.name))" }
            var conditions: [String] = []
            for (a, b) in zip(leftKeys, rightKeys) {
                var x = try expressions.sql(a, l), y = try expressions.sql(b, r)
                if a.type != b.type, a.type == .datetime || b.type == .datetime {
                    x = dialect.timestamp(x)
                    y = dialect.timestamp(y)
                }
                conditions.append("\(x) = \(y)")
            }
            let picked = zip(rightColumns, outputNames).map { i, name in
                right.columns[i].name == name ? r[i] : "\(r[i]) AS \(dialect.quote(name))"
            }
            var select = SQLSelect(columns: l + picked + ["ROW_NUMBER() OVER (ORDER BY l.\(query.order), r.\(query.order)) AS \(query.order)"],
                                   from: "\(input.name) AS l\n\(isLeft ? "LEFT JOIN" : "JOIN") \(right.name) AS r ON \(conditions.joined(separator: " AND "))")
            select.comment = "\(isLeft ? "left join" : "join"): the left rows' order, then the right's"
            // A join may repeat rows: its columns' values are no longer a part of a table's.
            let columns = input.columns.map { SQLColumn(name: $0.name, type: $0.type) }
                + zip(rightColumns, outputNames).map { SQLColumn(name: $1, type: right.columns[$0].type) }
            return query.add(select, columns)
        case .count:
            let select = SQLSelect(columns: ["COUNT(*) AS \(dialect.quote("count"))", "1 AS \(query.order)"], from: input.name)
            return query.add(select, [SQLColumn(name: "count", type: .int)])
        case .chart:
            throw SQLCompileError("`chart` cannot be compiled to SQL: it draws the rows, and a database only gives them back")
        }
    }
}

/// A column of a compiled relation: its name in SQL and its clubsh type.
struct SQLColumn {
    var name: String
    var type: DataType
    /// The table column whose values these are, some of them in some order (through `where`,
    /// `sort`, `take`, `distinct` and `select` of the column itself); nil for anything computed.
    var origin: SQLOrigin?
}

/// A column of a table, by the table's clubsh name.
struct SQLOrigin: Equatable {
    var table: String
    var column: String
}

/// A CTE and its columns (besides `_ord`).
struct SQLRelation {
    var name: String
    var columns: [SQLColumn]
}

/// One `SELECT`, a clause a line.
struct SQLSelect {
    var columns: [String]
    var from: String
    var filter: String?
    var groupBy: [String] = []
    var orderBy: [String] = []
    var limit: Int?
    /// A line saying why the step looks as it does.
    var comment: String?

    init(columns: [String], from: String) {
        self.columns = columns
        self.from = from
    }

    var lines: [String] {
        var out: [String] = []
        if let comment { out.append("-- " + comment) }
        out.append("SELECT " + columns.joined(separator: ", "))
        if !from.isEmpty { out += ("FROM " + from).split(separator: "\n").map(String.init) }
        if let filter { out.append("WHERE " + filter) }
        if !groupBy.isEmpty { out.append("GROUP BY " + groupBy.joined(separator: ", ")) }
        if !orderBy.isEmpty { out.append("ORDER BY " + orderBy.joined(separator: ", ")) }
        if let limit { out.append("LIMIT \(limit)") }
        return out
    }
}

/// The CTEs of a query being compiled.
struct SQLQuery {
    /// The column that carries each row's place in clubsh's order: `_ord`, or `_ord_1`, … when
    /// a column of the plan has that name (engines match unquoted names without regard to case).
    let order: String

    let dialect: SQLDialect
    private(set) var ctes: [(name: String, select: SQLSelect)] = []
    /// Recursive CTEs, given as text (`WITH RECURSIVE`), by name.
    private var recursive: [String: [String]] = [:]
    /// Named results already compiled, so a result read twice is one CTE.
    var results: [String: SQLRelation] = [:]

    init(dialect: SQLDialect, taken: Set<String> = []) {
        self.dialect = dialect
        var order = "_ord", k = 0
        while taken.contains(order) { k += 1; order = "_ord_\(k)" }
        self.order = order
    }

    /// Adds a step as the next CTE, `s1`, `s2`, ….
    mutating func add(_ select: SQLSelect, _ columns: [SQLColumn]) -> SQLRelation {
        let name = "s\(ctes.count + 1)"
        ctes.append((name, select))
        return SQLRelation(name: name, columns: columns)
    }

    /// A recursive CTE of the given body (a `UNION ALL` that names itself).
    mutating func addRecursive(name: String, _ body: String) -> SQLRelation {
        recursive[name] = body.split(separator: "\n").map(String.init)
        ctes.append((name, SQLSelect(columns: [], from: "")))
        return SQLRelation(name: name, columns: [])
    }

    /// The last CTE renamed after the named result it computes.
    mutating func rename(_ relation: SQLRelation, to result: String) -> SQLRelation {
        let name = dialect.quote(result)
        if let i = ctes.lastIndex(where: { $0.name == relation.name }), i == ctes.count - 1 {
            ctes[i].name = name
            ctes[i].select.comment = (ctes[i].select.comment.map { $0 + "; " } ?? "") + "the named result \(result)"
            return SQLRelation(name: name, columns: relation.columns)
        }
        var select = SQLSelect(columns: ["*"], from: relation.name)
        select.comment = "the named result \(result)"
        ctes.append((name, select))
        return SQLRelation(name: name, columns: relation.columns)
    }

    /// The whole query: the CTEs indented under `WITH`, then the final select and `;`.
    func text(_ final: SQLSelect) -> String {
        var out: [String] = []
        if !ctes.isEmpty {
            out.append(recursive.isEmpty ? "WITH" : "WITH RECURSIVE")
            for (i, cte) in ctes.enumerated() {
                out.append("  \(cte.name) AS (")
                out += (recursive[cte.name] ?? cte.select.lines).map { "    " + $0 }
                out.append(i == ctes.count - 1 ? "  )" : "  ),")
            }
        }
        out += final.lines
        return out.joined(separator: "\n") + ";"
    }
}

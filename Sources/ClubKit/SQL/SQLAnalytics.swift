/// The transactions of `use`, as the SQL compiler needs them: the table, its role columns and
/// their types, and the as-of date.
struct SQLTransactions {
    var roles: TransactionRoles
    var customerType: DataType
    var dateType: DataType
    var asOf: Int32
    /// The `customers` and `feedback` tables `types` and `kpi` read beside the transactions:
    /// in an engine its own, else the loaded ones; nil when there is none.
    var customers: SQLSideTable?
    var feedback: SQLSideTable?
    /// The amounts' decimal scale (`Money`), asked when a command sums spend: the customers'
    /// spends are then sums of whole units, as in memory. Nil: the compensated form.
    var moneyScale: () -> Int? = { nil }
}

/// Analytics commands as SQL, from the same definitions as the in-memory kernels
/// (docs/language.md, "Transactions and analytics"; `TransactionData`, `RFM.swift`,
/// `Pareto.swift`).
///
/// Every command starts from one per-customer summary, the SQL form of
/// `TransactionData.summary()`: the transactions with a customer and a date on or before the
/// as-of date (a date-time counts by its day), a null amount counting 0, grouped by customer in
/// order of first appearance. `customers360` and the segments over it are named results and
/// compile as any pipeline does.
struct SQLAnalytics {
    let compiler: SQLCompiler
    let transactions: SQLTransactions
    var dialect: SQLDialect { compiler.dialect }

    /// The commands compiled so far; any other is refused by name.
    static let compiled = ["retention", "churn", "cohort", "rfm", "pareto", "kpi", "types"]

    func relation(_ command: AnalyticsCommand, _ schema: Schema, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        var args = CommandArguments(command)
        do {
            switch command.name {
            case "pareto":
                return try pareto(in: try ParetoCommand.options(&args)?.0, &query, tableName)
            case "rfm":
                return rfm(bins: try RFMCommand.options(&args), &query, tableName)
            case "retention":
                switch try RetentionCommand.options(&args) {
                case .remaining(let start, let remaining): return constant(RetentionCommand.typed(start: start, remaining: remaining).table, &query)
                case .crr(let start, let end, let new): return constant(RetentionCommand.typed(start: start, end: end, new: new).table, &query)
                case .period(let from, let to): return try retention(from: from, to: to, &query, tableName)
                case .byMonth: return try retentionByMonth(&query, tableName)
                }
            case "cohort":
                return try cohort(counts: try CohortCommand.options(&args), columns: schema.fields.count, &query, tableName)
            case "kpi":
                switch try KPICommand.options(&args) {
                case .by(let period): return try kpi(by: period, &query, tableName)
                case .board(let days): return kpiBoard(days: days, &query, tableName)
                }
            case "types":
                return try types(try TypesCommand.options(&args), &query, tableName)
            case "churn":
                switch try ChurnCommand.options(&args) {
                case .typed(let start, let lost): return constant(ChurnCommand.typed(start: start, lost: lost).table, &query)
                case .retention(let percent): return constant(ChurnCommand.fromRetention(percent).table, &query)
                case .period(let from, let to): return try retention(from: from, to: to, &query, tableName)
                case .byMonth: return try retentionByMonth(&query, tableName)
                }
            default:
                throw SQLCompileError("`\(command.name)` cannot be compiled to SQL yet: it runs only in memory (compiled so far: customers360 and segments, \(Self.compiled.joined(separator: ", ")))")
            }
        } catch let error as SQLCompileError {
            throw error
        } catch let error as Diagnostic {
            throw SQLCompileError(error.message)
        } catch {
            throw SQLCompileError("\(error)")
        }
    }

    var key: String { dialect.quote(transactions.roles.customer) }

    /// One row per customer: `first_day`, `last_day`, `orders`, `spend`, in order of first
    /// appearance, and with the amounts' scale (`money`) `units`, the spend in units of 10^-scale.
    func summary(_ query: inout SQLQuery, _ tableName: (String) -> String) -> (customers: SQLRelation, money: Int?) {
        let money = transactions.moneyScale()
        return (summaryParts(&query, tableName, money: money).customers, money)
    }

    /// The transactions that take part (`customer`, `day`, `amount`, `_ord`) and the summary
    /// over them, its spend summed at the scale `money` (`moneySum`) or compensated.
    func summaryParts(_ query: inout SQLQuery, _ tableName: (String) -> String, money: Int? = nil) -> (rows: SQLRelation, customers: SQLRelation) {
        let transactionsCTE = transactionRows(&query, tableName)
        let spend = money.map { ["\(moneySum("amount", scale: $0)) AS spend", "SUM(\(units("amount", scale: $0))) AS units"] } ?? ["\(compensatedSum("amount")) AS spend"]
        var per = SQLSelect(columns: [key, "MIN(day) AS first_day", "MAX(day) AS last_day", "COUNT(*) AS orders"] + spend
                                      + ["MIN(\(query.order)) AS \(query.order)"], from: transactionsCTE.name)
        per.groupBy = [key]
        per.comment = "one row per customer, in order of first appearance"
        return (transactionsCTE, query.add(per, []))
    }

    /// The transactions that take part: `customer`, `day`, `amount` (a null amount counting 0)
    /// and, when `ordered`, `_ord`, their place in the table (numbering them costs a pass of its
    /// own: a command that reads no order goes without).
    func transactionRows(_ query: inout SQLQuery, _ tableName: (String) -> String, ordered: Bool = true) -> SQLRelation {
        let r = transactions.roles
        let day = dialect.date(dialect.quote(r.date))
        var scan = SQLSelect(columns: [key, "\(day) AS day", "\(dialect.double("coalesce(\(dialect.quote(r.amount)), 0)")) AS amount"]
                                 + (ordered ? ["\(dialect.scanOrder) AS \(query.order)"] : []), from: tableName(r.table))
        scan.comment = "the transactions of `use`: a customer, a date on or before the as-of date"
        let rows = query.add(scan, [])
        var kept = SQLSelect(columns: ["*"], from: rows.name)
        kept.filter = "\(key) IS NOT NULL AND day IS NOT NULL AND day <= \(dialect.literal(.date(transactions.asOf), .date))"
        return query.add(kept, [])
    }

    /// A command over numbers typed in (`retention start 100 remaining 90`) reads no data:
    /// clubsh computes its row, and the query gives it back.
    private func constant(_ table: Table, _ query: inout SQLQuery) -> SQLRelation {
        let columns = table.columns.enumerated().map { i, c in SQLColumn(name: table.columnNames[i], type: c.type) }
        let values = columns.indices.map { "\(dialect.literal(table.columns[$0].value(at: 0), columns[$0].type)) AS \(dialect.quote(columns[$0].name))" }
        var select = SQLSelect(columns: values + ["1 AS \(query.order)"], from: "")
        select.comment = "numbers typed in: computed by clubsh"
        return query.add(select, columns)
    }

    /// `retention from A to B` (and `churn from A to B`): customers active in the base period
    /// [A − L, A − 1] (L = the days of [A, B]), of them those active in [A, B], the customers
    /// active in [A, B], the new ones (first purchase in [A, B]) and the reactivated, as
    /// `RetentionPeriod` counts them.
    private func retention(from: Int32, to: Int32, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        guard to <= transactions.asOf else {
            throw SQLCompileError("the period runs to \(CivilDate.format(to)), past the as-of date \(CivilDate.format(transactions.asOf)): its last \(to - transactions.asOf) days have no data")
        }
        let baseFrom = from - (to - from + 1), baseTo = from - 1
        let rows = transactionRows(&query, tableName, ordered: false)
        let totals = retentionCounts(from: from, to: to, rows, &query)
        func day(_ d: Int32) -> String { dialect.literal(.date(d), .date) }
        let end = dialect.quote("end")
        let rate = { (e: String) in "\(self.dialect.double(e)) / NULLIF(start, 0) * 100" }
        let columns = RetentionPeriod.schema.fields.map { SQLColumn(name: $0.name, type: $0.type) }
        var select = SQLSelect(columns: [
            "\(day(from)) AS \(dialect.quote("from"))", "\(day(to)) AS \(dialect.quote("to"))", "\(day(baseFrom)) AS base_from", "\(day(baseTo)) AS base_to",
            "start", "retained", "start - retained AS lost", end, "new", "\(end) - retained - new AS reactivated",
            "\(rate("retained")) AS retention", "100 - \(rate("retained")) AS churn", "\(rate("\(end) - new")) AS crr", "1 AS \(query.order)",
        ], from: totals.name)
        select.comment = "retention = retained / start × 100, churn = 100 − retention, CRR = (end − new) / start × 100"
        return query.add(select, columns)
    }

    /// One row: `start` (customers active in the base period [A − L, A − 1], L the days of
    /// [A, B]), `retained` (of them, active in [A, B]), `end` (active in [A, B]) and `new`
    /// (first purchase in [A, B]), from the transactions that take part (`rows`).
    func retentionCounts(from: Int32, to: Int32, _ rows: SQLRelation, _ query: inout SQLQuery) -> SQLRelation {
        let baseFrom = from - (to - from + 1), baseTo = from - 1
        func day(_ d: Int32) -> String { dialect.literal(.date(d), .date) }
        func during(_ a: Int32, _ b: Int32) -> String { "MAX(CASE WHEN day BETWEEN \(day(a)) AND \(day(b)) THEN 1 ELSE 0 END)" }
        var flags = SQLSelect(columns: [key, "\(during(baseFrom, baseTo)) AS in_base", "\(during(from, to)) AS in_period",
                                        "CASE WHEN MIN(day) BETWEEN \(day(from)) AND \(day(to)) THEN 1 ELSE 0 END AS is_new"], from: rows.name)
        flags.groupBy = [key]
        flags.comment = "per customer: active in the base period \(CivilDate.format(baseFrom)) … \(CivilDate.format(baseTo)), in the period, new in it"
        let customers = query.add(flags, [])
        let count = { (e: String) in "CAST(coalesce(SUM(\(e)), 0) AS \(self.dialect.typeName(.int)))" }
        var counts = SQLSelect(columns: ["\(count("in_base")) AS start", "\(count("in_base * in_period")) AS retained",
                                         "\(count("in_period")) AS \(dialect.quote("end"))", "\(count("is_new")) AS new"], from: customers.name)
        counts.comment = "the counts"
        return query.add(counts, [])
    }

    /// `retention by month` (and `churn by month`): each calendar month from the second month
    /// of data to the as-of month against the month before — customers active in each, active
    /// in both, and new (their first month) — as `retentionByMonth` counts them.
    private func retentionByMonth(_ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        guard compiler.calendar == .gregorian else {
            throw SQLCompileError("`retention by month` under `.calendar jalali` cannot be compiled to SQL: \(dialect.displayName) reads dates in the Gregorian calendar")
        }
        let months = try customerMonths(&query, tableName)
        let asOf = CivilDate.civil(Int(transactions.asOf)), last = asOf.year * 12 + asOf.month - 1
        let bigint = dialect.typeName(.int)
        // One pass over each customer's months in order: the month before it with a purchase
        // tells whether the customer was kept (the month just before) or is new (none before).
        var lagged = SQLSelect(columns: ["m", "LAG(m) OVER (PARTITION BY \(key) ORDER BY m) AS prev"], from: months.name)
        lagged.comment = "each customer's months with a purchase and the one before"
        let previous = query.add(lagged, [])
        var active = SQLSelect(columns: ["m", "COUNT(*) AS active", "SUM(CASE WHEN prev = m - 1 THEN 1 ELSE 0 END) AS retained",
                                         "SUM(CASE WHEN prev IS NULL THEN 1 ELSE 0 END) AS new"], from: previous.name)
        active.groupBy = ["m"]
        active.comment = "per month: customers active, active the month before too, in their first month"
        let perMonth = query.add(active, [])
        let series = monthSeries(from: "(SELECT MIN(m) FROM \(perMonth.name))", to: last, &query)
        var counts = SQLSelect(columns: ["\(monthStart("s.m")) AS month", "CAST(coalesce(p.active, 0) AS \(bigint)) AS start",
                                         "CAST(coalesce(c.retained, 0) AS \(bigint)) AS retained", "CAST(coalesce(c.active, 0) AS \(bigint)) AS \(dialect.quote("end"))",
                                         "CAST(coalesce(c.new, 0) AS \(bigint)) AS new", "s.m AS \(query.order)"],
                               from: "\(series.name) AS s\nLEFT JOIN \(perMonth.name) AS p ON p.m = s.m - 1\nLEFT JOIN \(perMonth.name) AS c ON c.m = s.m")
        counts.filter = "s.m > (SELECT MIN(m) FROM \(perMonth.name))"
        counts.comment = "each month from the second against the month before"
        let totals = query.add(counts, [])
        let end = dialect.quote("end")
        let rate = { (e: String) in "\(self.dialect.double(e)) / NULLIF(start, 0) * 100" }
        let select = SQLSelect(columns: ["month", "start", "retained", "start - retained AS lost", end, "new", "\(end) - retained - new AS reactivated",
                                         "\(rate("retained")) AS retention", "100 - \(rate("retained")) AS churn", "\(rate("\(end) - new")) AS crr", query.order],
                               from: totals.name)
        return query.add(select, RetentionPeriod.monthlySchema.fields.map { SQLColumn(name: $0.name, type: $0.type) })
    }

    /// Each customer's months with a purchase, `m` = year × 12 + month − 1 (Gregorian).
    private func customerMonths(_ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        let rows = transactionRows(&query, tableName, ordered: false)
        let functions = SQLFunctions(compiler: compiler)
        let year = try functions.call(.year, [.column(0, .date)], ["day"], .int), month = try functions.call(.month, [.column(0, .date)], ["day"], .int)
        var distinct = SQLSelect(columns: [key, "\(year) * 12 + \(month) - 1 AS m"], from: rows.name)
        distinct.groupBy = [key, "\(year) * 12 + \(month) - 1"]
        distinct.comment = "each customer's months with a purchase (a month as year × 12 + month − 1)"
        return query.add(distinct, [])
    }

    /// The months `from` (an SQL expression) to `to`, a row each, in `m`.
    private func monthSeries(from: String, to: Int, _ query: inout SQLQuery) -> SQLRelation {
        if dialect == .spark {
            var select = SQLSelect(columns: ["explode(sequence(\(from), \(to))) AS m"], from: "")
            select.comment = "every month from the first to the as-of month"
            return query.add(select, [])
        }
        return query.addRecursive(name: "month_series", """
            SELECT CAST(\(from) AS \(dialect.typeName(.int))) AS m
            UNION ALL
            SELECT m + 1 FROM month_series WHERE m < \(to)
            """)
    }

    /// The first day of month `m` (year × 12 + month − 1).
    private func monthStart(_ m: String) -> String {
        switch dialect {
        case .sqlite: return "printf('%04d-%02d-01', \(m) / 12, \(m) % 12 + 1)"
        case .postgres: return "make_date(CAST(\(m) / 12 AS INTEGER), CAST(\(m) % 12 + 1 AS INTEGER), 1)"
        case .duckdb: return "make_date(CAST(\(m) // 12 AS BIGINT), CAST(\(m) % 12 + 1 AS BIGINT), 1)"
        case .spark: return "make_date(CAST(\(m) div 12 AS INT), CAST(\(m) % 12 + 1 AS INT), 1)"
        }
    }

    /// `cohort monthly [counts]`: a row per month of first purchase, `m0`, `m1`, … the customers
    /// of the cohort active k months later (or their % of the cohort, to 0.1), null where
    /// month k has not begun by the as-of date. The columns are the bound ones: from the month
    /// of the loaded table's first transaction.
    private func cohort(counts: Bool, columns: Int, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        guard compiler.calendar == .gregorian else {
            throw SQLCompileError("`cohort` under `.calendar jalali` cannot be compiled to SQL: \(dialect.displayName) reads dates in the Gregorian calendar")
        }
        let months = try customerMonths(&query, tableName)
        let asOf = CivilDate.civil(Int(transactions.asOf)), last = asOf.year * 12 + asOf.month - 1
        let cohorts = max(0, columns - 2), first = last - cohorts + 1
        var firsts = SQLSelect(columns: [key, "MIN(m) AS c"], from: months.name)
        firsts.groupBy = [key]
        firsts.comment = "each customer's cohort: the month of the first purchase"
        let cohortOf = query.add(firsts, [])
        var sized = SQLSelect(columns: ["c", "COUNT(*) AS size"], from: cohortOf.name)
        sized.groupBy = ["c"]
        let sizes = query.add(sized, [])
        var active = SQLSelect(columns: ["f.c", "a.m - f.c AS k", "COUNT(*) AS active"], from: "\(months.name) AS a\nJOIN \(cohortOf.name) AS f ON a.\(key) = f.\(key)")
        active.groupBy = ["f.c", "a.m - f.c"]
        active.comment = "per cohort and months since: customers active"
        let cells = query.add(active, [])
        let series = monthSeries(from: "\(first)", to: last, &query)
        var out = ["\(monthStart("s.m")) AS cohort", "CAST(coalesce(MAX(z.size), 0) AS \(dialect.typeName(.int))) AS customers"]
        for k in 0..<cohorts {
            let n = "coalesce(MAX(CASE WHEN x.k = \(k) THEN x.active END), 0)"
            let value = counts ? "CAST(\(n) AS \(dialect.typeName(.int)))" : "round(\(dialect.double(n)) / MAX(z.size) * 1000) / 10"
            let cell = dialect == .postgres && !counts ? "round(CAST(\(dialect.double(n)) / MAX(z.size) * 1000 AS NUMERIC)) / 10" : value
            out.append("CASE WHEN s.m + \(k) > \(last) OR coalesce(MAX(z.size), 0) = 0 THEN NULL ELSE \(dialect == .postgres && !counts ? dialect.double(cell) : cell) END AS \(dialect.quote("m\(k)"))")
        }
        var select = SQLSelect(columns: out + ["s.m AS \(query.order)"],
                               from: "\(series.name) AS s\nLEFT JOIN \(sizes.name) AS z ON z.c = s.m\nLEFT JOIN \(cells.name) AS x ON x.c = s.m")
        select.groupBy = ["s.m"]
        select.comment = "a row per cohort, a column per month since"
        let columns = [SQLColumn(name: "cohort", type: .date), SQLColumn(name: "customers", type: .int)]
            + (0..<cohorts).map { SQLColumn(name: "m\($0)", type: counts ? .int : .double) }
        return query.add(select, columns)
    }

    /// `kpi by month|quarter`: a row per calendar period from the first transaction's to the
    /// as-of date's — orders, revenue, active customers, new customers (first purchase in it)
    /// and AOV = revenue / orders, null without orders — as `kpi(by:)` counts them.
    private func kpi(by period: KPIPeriod, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        guard compiler.calendar == .gregorian else {
            throw SQLCompileError("`kpi by \(period.rawValue)` under `.calendar jalali` cannot be compiled to SQL: \(dialect.displayName) reads dates in the Gregorian calendar")
        }
        let rows = transactionRows(&query, tableName, ordered: false)
        let money = transactions.moneyScale()
        let functions = SQLFunctions(compiler: compiler)
        let year = try functions.call(.year, [.column(0, .date)], ["day"], .int), month = try functions.call(.month, [.column(0, .date)], ["day"], .int)
        let monthIndex = "\(year) * 12 + \(month) - 1"
        let index = period == .month ? monthIndex : integerDivision(monthIndex, "3")
        var tagged = SQLSelect(columns: [key, "amount", "\(index) AS p"], from: rows.name)
        tagged.comment = "each transaction's \(period.rawValue) (a month as year × 12 + month − 1\(period == .quarter ? ", a quarter as that ÷ 3" : ""))"
        let periods = query.add(tagged, [])
        var totals = SQLSelect(columns: ["p", "COUNT(*) AS orders", "\(money.map { moneySum("amount", scale: $0) } ?? compensatedSum("amount")) AS revenue", "COUNT(DISTINCT \(key)) AS active"], from: periods.name)
        totals.groupBy = ["p"]
        let perPeriod = query.add(totals, [])
        var firsts = SQLSelect(columns: [key, "MIN(p) AS p"], from: periods.name)
        firsts.groupBy = [key]
        let firstOf = query.add(firsts, [])
        var fresh = SQLSelect(columns: ["p", "COUNT(*) AS new"], from: firstOf.name)
        fresh.groupBy = ["p"]
        fresh.comment = "customers whose first purchase falls in the \(period.rawValue)"
        let new = query.add(fresh, [])
        let asOf = CivilDate.civil(Int(transactions.asOf)), lastMonth = asOf.year * 12 + asOf.month - 1
        let series = monthSeries(from: "(SELECT MIN(p) FROM \(periods.name))", to: period == .month ? lastMonth : lastMonth / 3, &query)
        let bigint = dialect.typeName(.int)
        var select = SQLSelect(columns: [
            "\(monthStart(period == .month ? "s.m" : "s.m * 3")) AS \(dialect.quote(period.rawValue))",
            "CAST(coalesce(t.orders, 0) AS \(bigint)) AS orders", "coalesce(t.revenue, 0) AS revenue",
            "CAST(coalesce(t.active, 0) AS \(bigint)) AS active_customers", "CAST(coalesce(n.new, 0) AS \(bigint)) AS new_customers",
            "t.revenue / NULLIF(t.orders, 0) AS aov", "s.m AS \(query.order)",
        ], from: "\(series.name) AS s\nLEFT JOIN \(perPeriod.name) AS t ON t.p = s.m\nLEFT JOIN \(new.name) AS n ON n.p = s.m")
        select.comment = "a row per \(period.rawValue); AOV = revenue / orders"
        return query.add(select, KPIPeriod.schema(period).map { SQLColumn(name: $0.0, type: $0.1) })
    }

    /// Customers by spend (ties by customer), share, cumulative share and ABC class.
    /// `in SEGMENT` keeps the customers whose key is among the segment's customer column.
    private func pareto(in segment: String?, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        var (customers, money) = summary(&query, tableName)
        if let segment {
            let (plan, column) = try compiler.segment(segment)
            guard let field = plan.schema.fields.first(where: { $0.name == column }), Types.comparable(field.type, transactions.customerType) else {
                throw SQLCompileError("segment `\(segment)` has no customers with a purchase, so there is no 80/20 to find")
            }
            let members = try compiler.relation(Plan(source: .result(segment, plan), steps: [], schema: plan.schema), &query, tableName)
            var within = SQLSelect(columns: ["*"], from: customers.name)
            within.filter = "\(key) IN (SELECT \(dialect.quote(column)) FROM \(members.name))"
            within.comment = "the customers of the segment \(segment)"
            customers = query.add(within, [])
        }
        let order = "spend DESC, \(dialect.collate(key, transactions.customerType)) ASC"
        // With the amounts' scale the totals are sums of the customers' units, made doubles once.
        let sum = { (window: String) in money.map { self.money(units: "SUM(units) OVER (\(window))", scale: $0) } ?? "SUM(spend) OVER (\(window))" }
        let total = "NULLIF(\(sum("")), 0)"
        var ranked = SQLSelect(columns: [
            "ROW_NUMBER() OVER (ORDER BY \(order)) AS \(dialect.quote("rank"))", key, "spend",
            "spend / \(total) * 100 AS share",
            "\(sum("ORDER BY \(order) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW")) / \(total) * 100 AS cumulative_share",
        ], from: customers.name)
        ranked.comment = "pareto: by spend, largest first, ties by customer"
        let shares = query.add(ranked, [])
        let columns = [SQLColumn(name: "rank", type: .int), SQLColumn(name: transactions.roles.customer, type: transactions.customerType),
                       SQLColumn(name: "spend", type: .double), SQLColumn(name: "share", type: .double),
                       SQLColumn(name: "cumulative_share", type: .double), SQLColumn(name: "class", type: .string)]
        let classed = SQLSelect(columns: [dialect.quote("rank"), key, "spend", "share", "cumulative_share",
                                          "CASE WHEN cumulative_share <= 80 THEN 'A' WHEN cumulative_share <= 95 THEN 'B' ELSE 'C' END AS \(dialect.quote("class"))",
                                          "\(dialect.quote("rank")) AS \(query.order)"], from: shares.name)
        return query.add(classed, columns)
    }

    /// Recency, frequency, monetary, scores 1…bins by rank (the customer at rank i of n from
    /// the worst scores ⌊i·bins / n⌋ + 1, ties by customer), the RFM code and the RF segment.
    private func rfm(bins: Int, _ query: inout SQLQuery, _ tableName: (String) -> String) -> SQLRelation {
        let customers = summary(&query, tableName).customers
        let byKey = "\(dialect.collate(key, transactions.customerType)) ASC"
        let asOf = dialect.literal(.date(transactions.asOf), .date)
        let recency = dialect.daysBetween("last_day", asOf)
        func score(_ order: String) -> String {
            integerDivision("(ROW_NUMBER() OVER (ORDER BY \(order), \(byKey)) - 1) * \(bins)", "COUNT(*) OVER ()") + " + 1"
        }
        var measured = SQLSelect(columns: [key, "\(recency) AS recency", "orders AS frequency", "spend AS monetary"], from: customers.name)
        measured.comment = "rfm as of \(CivilDate.format(transactions.asOf)): recency in days, frequency = transactions, monetary = total spend"
        let base = query.add(measured, [])
        var scored = SQLSelect(columns: [key, "recency", "frequency", "monetary",
                                         "\(score("recency DESC")) AS r", "\(score("frequency ASC")) AS f", "\(score("monetary ASC")) AS m",
                                         "ROW_NUMBER() OVER (ORDER BY \(byKey)) AS \(query.order)"], from: base.name)
        scored.comment = "scores 1–\(bins) by rank, \(bins) best, ties by customer"
        let scores = query.add(scored, [])
        let r5 = integerDivision("(r - 1) * 5", "\(bins)") + " + 1", f5 = integerDivision("(f - 1) * 5", "\(bins)") + " + 1"
        let rescaled = query.add(SQLSelect(columns: ["*", "\(r5) AS r5", "\(f5) AS f5"], from: scores.name), [])
        let segments: [(String, String)] = [
            ("r5 = 5 AND f5 >= 4", "Champions"), ("r5 BETWEEN 3 AND 4 AND f5 >= 4", "Frequent Buyers"),
            ("r5 >= 4 AND f5 BETWEEN 2 AND 3", "Potential Loyalist"), ("r5 = 5 AND f5 = 1", "Recent First-Timers"),
            ("r5 = 4 AND f5 = 1", "Promising"), ("r5 = 3 AND f5 = 3", "Need Attention"), ("r5 = 3 AND f5 <= 2", "About to Sleep"),
            ("r5 <= 2 AND f5 = 5", "Can't Lose Them"), ("r5 <= 2 AND f5 BETWEEN 3 AND 4", "At Risk"), ("r5 = 1 AND f5 = 1", "Lost"),
        ]
        let segment = "CASE " + segments.map { "WHEN \($0.0) THEN \(dialect.string($0.1))" }.joined(separator: " ") + " ELSE 'Hibernating' END"
        let text = { (c: String) in self.dialect == .sqlite ? c : "CAST(\(c) AS \(self.dialect.typeName(.string)))" }
        let code = dialect == .spark ? "concat(\(text("r")), \(text("f")), \(text("m")))" : "\(text("r")) || \(text("f")) || \(text("m"))"
        var named = SQLSelect(columns: [key, "recency", "frequency", "monetary", "r", "f", "m", "\(code) AS rfm", "\(segment) AS segment", query.order],
                              from: rescaled.name)
        named.comment = "the segment from the R and F scores, rescaled to 1–5"
        let columns = [SQLColumn(name: transactions.roles.customer, type: transactions.customerType), SQLColumn(name: "recency", type: .int),
                       SQLColumn(name: "frequency", type: .int), SQLColumn(name: "monetary", type: .double), SQLColumn(name: "r", type: .int),
                       SQLColumn(name: "f", type: .int), SQLColumn(name: "m", type: .int), SQLColumn(name: "rfm", type: .string),
                       SQLColumn(name: "segment", type: .string)]
        return query.add(named, columns)
    }

    /// The compensated sum of the doubles `x` (`SQLDialect.compensatedSum`).
    func compensatedSum(_ x: String) -> String { dialect.compensatedSum(x) }

    /// A sum of money as clubsh adds it (`Money`) when the amounts have a scale: each amount as
    /// a whole number of units of 10^-scale, summed exactly (the scale is only given when no
    /// customer's sum can pass 64 bits), then made a double once.
    func moneySum(_ x: String, scale: Int) -> String { dialect.moneySum(x, scale: scale) }

    /// A whole number of units of 10^-scale (such as a sum of the customers' `units`) made a
    /// double once: the total of sums of money, as clubsh adds them.
    func money(units: String, scale: Int) -> String { dialect.money(units: units, factor: String(Int(Money.powers[scale]))) }

    /// `x` in whole units of 10^-scale.
    private func units(_ x: String, scale: Int) -> String { dialect.moneyUnits(x, factor: String(Int(Money.powers[scale]))) }

    /// Whole-number division of non-negative integers.
    func integerDivision(_ a: String, _ b: String) -> String {
        switch dialect {
        case .sqlite, .postgres: return "(\(a)) / (\(b))"
        case .duckdb: return "(\(a)) // (\(b))"
        case .spark: return "(\(a)) div (\(b))"
        }
    }
}

/// `types | members` as SQL: one row per customer known by the as-of date with the headline
/// type, every type that applies and the evidence, as `TransactionData.customerTypes` writes
/// them (Analytics/CustomerTypes.swift) — the same words, numbers and ISO dates, built in the
/// query byte for byte.
///
/// What the engines cannot write as clubsh does is refused by name: decimals in `rating`, `nps`,
/// `joined` or `contacted` (clubsh shows them in its own number format), a `complaint` of dates,
/// and any date under `.calendar jalali`.
extension SQLAnalytics {
    func typeMembers(_ o: TypesCommand.Options, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        guard compiler.calendar == .gregorian else {
            throw SQLCompileError("`types | members` under `.calendar jalali` cannot be compiled to SQL: its evidence writes Jalali dates")
        }
        try refuseDecimals()
        let asOf = transactions.asOf
        let day = { (d: Int32) in self.dialect.literal(.date(d), .date) }
        let money = transactions.moneyScale()
        let (rows, per) = summaryParts(&query, tableName, money: money)
        let gaps = longestGaps(o, rows, &query)
        let feedback = try feedbackTexts(o, &query, tableName)
        let text = dialect.typeName(.string)
        let number = { (x: String) in "CAST(\(x) AS \(text))" }
        let since = dialect.daysBetween("p.last_day", day(asOf))
        let gap = "CASE WHEN g.gap IS NOT NULL AND g.gap > \(since) THEN g.gap ELSE \(since) END"
        let dissatisfied = feedback.map { _ in "n.reasons IS NOT NULL" } ?? "1 = 0"
        let new = "\(dialect.daysBetween("p.first_day", day(asOf))) < \(o.newDays)"
        let inactive = "\(since) > \(o.inactiveDays)"
        let loyal = "p.orders >= \(o.loyalOrders) AND \(gap) <= \(o.loyalGap) AND \(feedback.map { _ in "coalesce(l.positive, 1) = 1" } ?? "1 = 1") AND \(since) <= \(o.inactiveDays)"
        let found = [("dissatisfied", dissatisfied), ("new", new), ("inactive", inactive), ("loyal", loyal)]
        let applies = "substr(" + cat(found.map { "CASE WHEN \($1) THEN \(dialect.string(", " + $0)) ELSE '' END" }) + ", 3)"
        let loyalEvidence = cat([number("p.orders"), "' purchases, longest gap '", number(gap), dialect.string(" days in the last \(o.loyalDays)"),
                                 feedback.map { _ in "CASE WHEN l.fk IS NOT NULL THEN ', latest feedback positive' ELSE '' END" } ?? "''"])
        var typed = SQLSelect(columns: [
            "p.\(key) AS who",
            "CASE " + found.map { "WHEN \($1) THEN \(dialect.string($0)) " }.joined() + "ELSE 'regular' END AS type",
            "CASE WHEN \(applies) = '' THEN 'regular' ELSE \(applies) END AS applies",
            "CASE WHEN \(dissatisfied) THEN \(feedback == nil ? "NULL" : "n.reasons") "
                + "WHEN \(new) THEN \(cat(["'first purchase '", dateText("p.first_day"), "', '", number(dialect.daysBetween("p.first_day", day(asOf))), "' days ago'"])) "
                + "WHEN \(inactive) THEN \(cat(["'no purchase for '", number(since), "' days'"])) "
                + "WHEN \(loyal) THEN \(loyalEvidence) END AS evidence",
            "p.orders AS orders", "p.spend AS spend", "p.first_day AS first_order", "p.last_day AS last_order", "\(since) AS days_since_last",
            "\(feedback == nil ? "NULL" : "f.said") AS last_feedback",
        ], from: "\(per.name) AS p\nLEFT JOIN \(gaps.name) AS g ON g.\(key) = p.\(key)"
            + (feedback.map { "\nLEFT JOIN \($0.negative.name) AS n ON n.fk = p.\(key)\nLEFT JOIN \($0.latest.name) AS l ON l.fk = p.\(key)\nLEFT JOIN \($0.last.name) AS f ON f.fk = p.\(key)" } ?? ""))
        typed.comment = "each buyer's type by precedence, the types that apply and the evidence for the headline"
        var everyone = query.add(typed, []).name
        let bigint = dialect.typeName(.int), double = dialect.typeName(.double)
        if let stages = try nonBuyers(per, &query, tableName, evidence: true) {
            let nulls = "CAST(NULL AS \(dialect.typeName(.date))) AS first_order, CAST(NULL AS \(dialect.typeName(.date))) AS last_order, CAST(NULL AS \(bigint)) AS days_since_last"
            let union = "\(everyone)\nUNION ALL\nSELECT who, type, type AS applies, evidence, 0 AS orders, CAST(0 AS \(double)) AS spend, \(nulls), CAST(NULL AS \(text)) AS last_feedback FROM \(stages.name)"
            everyone = query.add(SQLSelect(columns: ["*"], from: "(SELECT * FROM \(union)) AS u"), []).name
        }
        var columns: [(String, DataType)] = [(transactions.roles.customer, transactions.customerType), ("type", .string), ("applies", .string), ("evidence", .string),
                                             ("orders", .int), ("spend", .double), ("first_order", .date), ("last_order", .date), ("days_since_last", .int)]
        var out = ["e.who AS \(key)", "e.type", "e.applies", "e.evidence", "CAST(e.orders AS \(bigint)) AS orders", "\(dialect.double("e.spend")) AS spend",
                   "e.first_order", "e.last_order", "CAST(e.days_since_last AS \(bigint)) AS days_since_last"]
        var from = "\(everyone) AS e"
        if let channel = try lastChannel(&query, tableName) {
            out.append("c.channel AS \(dialect.quote("last_channel"))")
            from += "\nLEFT JOIN \(channel.relation.name) AS c ON c.who = e.who"
            columns.append(("last_channel", channel.type))
        }
        out += ["e.last_feedback", "ROW_NUMBER() OVER (ORDER BY \(dialect.collate("e.who", transactions.customerType))) AS \(query.order)"]
        columns.append(("last_feedback", .string))
        var select = SQLSelect(columns: out, from: from)
        select.comment = "a row per customer, by customer"
        return query.add(select, columns.map { SQLColumn(name: $0.0, type: $0.1) })
    }

    /// The longest gap between purchase days whose later day is in the loyal window, per buyer.
    func longestGaps(_ o: TypesCommand.Options, _ rows: SQLRelation, _ query: inout SQLQuery) -> SQLRelation {
        var lagged = SQLSelect(columns: [key, "day", "LAG(day) OVER (PARTITION BY \(key) ORDER BY day) AS prev"], from: rows.name)
        lagged.comment = "each purchase day and the one before it, per customer"
        let previous = query.add(lagged, [])
        let from = dialect.literal(.date(transactions.asOf - o.loyalDays + 1), .date)
        var widest = SQLSelect(columns: [key, "MAX(CASE WHEN prev IS NOT NULL AND day >= \(from) THEN \(dialect.daysBetween("prev", "day")) END) AS gap"],
                               from: previous.name)
        widest.groupBy = [key]
        widest.comment = "the longest gap between purchases over the last \(o.loyalDays) days"
        return query.add(widest, [])
    }

    /// Text joined; null when any part is null.
    func cat(_ parts: [String]) -> String {
        dialect == .spark ? "concat(\(parts.joined(separator: ", ")))" : "(\(parts.joined(separator: " || ")))"
    }

    /// A date as ISO text, `2024-03-15`, whatever the engine's settings.
    func dateText(_ d: String) -> String {
        switch dialect {
        case .sqlite: return d
        case .postgres: return "to_char(\(d), 'YYYY-MM-DD')"
        case .duckdb: return "strftime(\(d), '%Y-%m-%d')"
        case .spark: return "date_format(\(d), 'yyyy-MM-dd')"
        }
    }

    /// Refuses the columns whose values the evidence would show in clubsh's number format.
    private func refuseDecimals() throws(SQLCompileError) {
        let named: [(SQLSideTable?, [String])] = [(transactions.feedback, ["rating", "nps"]), (transactions.customers, ["joined", "contacted"])]
        for (table, names) in named {
            guard let table else { continue }
            for name in names where table.schema.fields.first(where: { $0.name == name })?.type == .double {
                throw SQLCompileError("`types | members` cannot be compiled to SQL when \(table.name)'s `\(name)` holds decimals: its evidence shows them as clubsh does")
            }
        }
        if let type = transactions.feedback?.schema.fields.first(where: { $0.name == "complaint" })?.type, type == .date || type == .datetime {
            throw SQLCompileError("`types | members` cannot be compiled to SQL when feedback's `complaint` holds dates")
        }
    }

    /// The channel of each buyer's latest transaction (the later row of a day), when the
    /// transactions have a `channel` column.
    private func lastChannel(_ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> (relation: SQLRelation, type: DataType)? {
        let r = transactions.roles
        guard let schema = compiler.tableSchema(r.table), let field = schema.fields.first(where: { $0.name == "channel" }) else { return nil }
        let day = dialect.date(dialect.quote(r.date))
        var scan = SQLSelect(columns: ["\(key) AS who", "\(day) AS day", "\(dialect.quote("channel")) AS channel", "\(dialect.scanOrder) AS \(query.order)"],
                             from: tableName(r.table))
        scan.comment = "each transaction's channel"
        let rows = query.add(scan, [])
        var ranked = SQLSelect(columns: ["who", "channel", "ROW_NUMBER() OVER (PARTITION BY who ORDER BY day DESC, \(query.order) DESC) AS nth"], from: rows.name)
        ranked.filter = "who IS NOT NULL AND day IS NOT NULL AND day <= \(dialect.literal(.date(transactions.asOf), .date))"
        let latest = query.add(ranked, [])
        var last = SQLSelect(columns: ["who", "channel"], from: latest.name)
        last.filter = "nth = 1"
        last.comment = "the channel of each buyer's latest transaction"
        return (query.add(last, []), field.type)
    }

    /// From the `feedback` table, per customer (`fk`): the reasons of the latest negative answer
    /// within `feedback_days` (`FeedbackAnswers.reasons`), whether there is an answer within
    /// `loyal_days` and the latest is positive, and the latest answer of all as text
    /// (`FeedbackAnswers.said`). Nil without a usable feedback table.
    private func feedbackTexts(_ o: TypesCommand.Options, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError)
        -> (negative: SQLRelation, latest: SQLRelation, last: SQLRelation)? {
        guard let answers = try feedbackAnswers(&query, tableName) else { return nil }
        let text = dialect.typeName(.string)
        func number(_ name: String) -> String { "CAST(\(name) AS \(text))" }
        let on = answers.dated ? cat(["' on '", dateText("day")]) : "''"
        // The complaint's words: "a complaint" for a yes, the text quoted otherwise.
        let said = "substr(" + cat(["coalesce(\(cat(["', NPS '", number("nps")])), '')", "coalesce(\(cat(["', rating '", number("rating")])), '')",
                                    "coalesce(\(cat(["', '", "complaint_text"])), '')"]) + ", 3)"
        let reasons = "substr(" + cat(["coalesce(\(cat(["', '", "complaint_text"])), '')", "CASE WHEN rating <= 2 THEN \(cat(["', rating '", number("rating")])) ELSE '' END",
                                       "CASE WHEN nps <= 6 THEN \(cat(["', NPS '", number("nps")])) ELSE '' END"]) + ", 3)"
        let negativeFrom = dialect.literal(.date(transactions.asOf - o.feedbackDays + 1), .date)
        let loyalFrom = dialect.literal(.date(transactions.asOf - o.loyalDays + 1), .date)
        let isNegative = "(complaint_text IS NOT NULL OR rating <= 2 OR nps <= 6)"
        let isPositive = "CASE WHEN complaint_text IS NULL AND (rating IS NOT NULL OR nps IS NOT NULL) AND (rating IS NULL OR rating >= 4) AND (nps IS NULL OR nps >= 9) THEN 1 ELSE 0 END"
        let latestFirst = "ORDER BY day DESC, \(query.order) DESC"
        var ranked = SQLSelect(columns: [
            "fk", "\(cat([reasons, on])) AS reasons", "CASE WHEN \(said) = '' THEN \(cat(["'an answer'", on])) ELSE \(cat([said, on])) END AS said", "\(isPositive) AS positive",
            "CASE WHEN \(isNegative) AND day >= \(negativeFrom) THEN ROW_NUMBER() OVER (PARTITION BY fk, CASE WHEN \(isNegative) AND day >= \(negativeFrom) THEN 1 ELSE 0 END \(latestFirst)) END AS nth_negative",
            "CASE WHEN day >= \(loyalFrom) THEN ROW_NUMBER() OVER (PARTITION BY fk, CASE WHEN day >= \(loyalFrom) THEN 1 ELSE 0 END \(latestFirst)) END AS nth_latest",
            "ROW_NUMBER() OVER (PARTITION BY fk \(latestFirst)) AS nth",
        ], from: answers.relation.name)
        ranked.comment = "each answer's words; the latest negative one, the latest of the last \(o.loyalDays) days and the latest of all"
        let all = query.add(ranked, [])
        func pick(_ column: String, _ nth: String) -> SQLRelation {
            var s = SQLSelect(columns: ["fk", column], from: all.name)
            s.filter = "\(nth) = 1"
            return query.add(s, [])
        }
        return (pick("reasons", "nth_negative"), pick("positive", "nth_latest"), pick("said", "nth"))
    }

    /// The feedback answers that take part (a customer and a day on or before the as-of date):
    /// `fk`, `day`, `complaint_text` (null for none: empty, no, n, false, 0, none or - after
    /// trimming spaces and tabs, false, 0), `rating` and `nps` as given, `_ord`; and
    /// whether the table has a date column. Nil without a usable feedback table.
    func feedbackAnswers(_ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> (relation: SQLRelation, dated: Bool)? {
        guard let feedback = transactions.feedback else { return nil }
        let schema = feedback.schema
        func type(_ name: String) -> DataType? { schema.fields.first { $0.name == name }?.type }
        var looked = [transactions.roles.customer]
        for name in ["customer_id", "customer", "id"] where !looked.contains(name) { looked.append(name) }
        guard let whoName = looked.first(where: { type($0) != nil }), let whoType = type(whoName),
              Types.comparable(whoType, transactions.customerType), whoType != .double else { return nil }
        let asOf = transactions.asOf
        let day: String
        switch type("date") {
        case nil: day = dialect.literal(.date(asOf), .date)
        case .date?: day = dialect.quote("date")
        case .datetime?: day = dialect.date(dialect.quote("date"))
        default: return nil
        }
        let c = dialect.quote("complaint")
        let complaint: String
        switch type("complaint") {
        case .string?:
            let plain = "lower(\(trimmed(c)))"
            complaint = "CASE WHEN \(c) IS NULL OR \(plain) IN ('', 'no', 'n', 'false', '0', 'none', '-') THEN NULL "
                + "WHEN \(plain) IN ('yes', 'y', 'true', '1') THEN 'a complaint' ELSE \(cat(["'complaint \"'", c, "'\"'"])) END"
        case .bool?: complaint = "CASE WHEN \(c) THEN 'a complaint' END"
        case .int?, .double?: complaint = "CASE WHEN \(c) <> 0 THEN 'a complaint' END"
        case nil, .null?: complaint = "CAST(NULL AS \(dialect.typeName(.string)))"
        // Dates: a complaint whenever given (`types | members`, which would quote them, refuses them).
        default: complaint = "CASE WHEN \(c) IS NOT NULL THEN 'a complaint' END"
        }
        func score(_ name: String) -> String {
            type(name)?.isNumeric == true ? dialect.quote(name) : dialect.literal(.null, .int)
        }
        var scan = SQLSelect(columns: ["\(dialect.quote(whoName)) AS fk", "\(day) AS day", "\(complaint) AS complaint_text", "\(score("rating")) AS rating",
                                       "\(score("nps")) AS nps", "\(dialect.scanOrder) AS \(query.order)"], from: tableName(feedback.name))
        scan.comment = "the feedback answers and their words"
        let scanned = query.add(scan, [])
        var kept = SQLSelect(columns: ["*"], from: scanned.name)
        kept.filter = "fk IS NOT NULL AND day IS NOT NULL AND day <= \(dialect.literal(.date(asOf), .date))"
        return (query.add(kept, []), type("date") != nil)
    }

    /// Text without the spaces and tabs at its ends.
    func trimmed(_ c: String) -> String {
        switch dialect {
        case .spark: return "trim(BOTH ' \\t' FROM \(c))"
        case .sqlite: return "trim(\(c), ' ' || char(9))"
        case .duckdb: return "trim(\(c), ' ' || chr(9))"
        case .postgres: return "btrim(\(c), ' ' || chr(9))"
        }
    }
}

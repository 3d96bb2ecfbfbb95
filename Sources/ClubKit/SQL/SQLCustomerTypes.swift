/// `types` as SQL: the customer types of `TypeAssignment` (Analytics/CustomerTypes.swift), from
/// the same per-customer summary as the other commands, the `customers` table (people who
/// never bought) and the `feedback` table (dissatisfied, and loyal's latest answer), as
/// `customerTypes` counts them. The working (which tables were missing and why) stays with the
/// in-memory command; the table is the same.
extension SQLAnalytics {
    /// `types [with …]`: a row per type in `TypesCommand.customerTypeOrder` — customers, share of
    /// the customers known by the as-of date, revenue (their spend), its share, the playbook.
    func types(_ o: TypesCommand.Options, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> SQLRelation {
        if o.members { return try typeMembers(o, &query, tableName) }
        let asOf = transactions.asOf
        let day = { (d: Int32) in self.dialect.literal(.date(d), .date) }
        let money = transactions.moneyScale()
        let (rows, per) = summaryParts(&query, tableName, money: money)
        let gaps = longestGaps(o, rows, &query)

        let verdicts = try feedbackVerdicts(o, &query, tableName)
        let since = dialect.daysBetween("p.last_day", day(asOf))
        let gap = "CASE WHEN g.gap IS NOT NULL AND g.gap > \(since) THEN g.gap ELSE \(since) END"
        let positive = verdicts.map { _ in "coalesce(l.positive, 1) = 1" } ?? "1 = 1"
        var typed = SQLSelect(columns: [
            "p.\(key) AS who", "p.spend AS spend", money == nil ? "0 AS units" : "p.units AS units",
            """
            CASE WHEN \(verdicts.map { _ in "n.fk IS NOT NULL" } ?? "1 = 0") THEN 'dissatisfied' \
            WHEN \(dialect.daysBetween("p.first_day", day(asOf))) < \(o.newDays) THEN 'new' \
            WHEN \(since) > \(o.inactiveDays) THEN 'inactive' \
            WHEN p.orders >= \(o.loyalOrders) AND \(gap) <= \(o.loyalGap) AND \(positive) THEN 'loyal' \
            ELSE 'regular' END AS type
            """,
        ], from: "\(per.name) AS p\nLEFT JOIN \(gaps.name) AS g ON g.\(key) = p.\(key)"
            + (verdicts.map { "\nLEFT JOIN \($0.negative.name) AS n ON n.fk = p.\(key)\nLEFT JOIN \($0.latest.name) AS l ON l.fk = p.\(key)" } ?? ""))
        typed.comment = "each buyer's type by precedence: dissatisfied › new › inactive › loyal › regular"
        let buyers = query.add(typed, [])
        var everyone = buyers.name
        if let stages = try nonBuyers(per, &query, tableName) {
            let all = query.add(SQLSelect(columns: ["who", "spend", "units", "type"], from: "\(buyers.name)\nUNION ALL\nSELECT who, CAST(0 AS \(dialect.typeName(.double))) AS spend, 0 AS units, type FROM \(stages.name)"), [])
            everyone = all.name
        }
        // With the amounts' scale a type's revenue and the total are sums of the customers'
        // units, made doubles once, as clubsh adds money.
        let revenueOf = { (spend: String) in money.map { self.money(units: "SUM(units)", scale: $0) } ?? spend }
        var grouped = SQLSelect(columns: ["type", "COUNT(*) AS customers", "\(revenueOf("SUM(spend)")) AS revenue"], from: everyone)
        grouped.groupBy = ["type"]
        let counts = query.add(grouped, [])
        var totals = SQLSelect(columns: ["COUNT(*) AS known"], from: everyone)
        totals.comment = "the customers known by the as-of date"
        let known = query.add(totals, [])
        let revenue = query.add(SQLSelect(columns: ["\(revenueOf(compensatedSum("spend"))) AS total"], from: per.name), [])
        let playbooks = compiler.language == .persian ? TypesCommand.persianPlaybooks : TypesCommand.playbooks
        let names = TypesCommand.customerTypeOrder.enumerated().map { k, name in
            "SELECT \(dialect.string(name)) AS type, \(dialect.string(playbooks[name]!)) AS playbook, \(k + 1) AS \(query.order)"
        }
        let list = query.add(SQLSelect(columns: ["*"], from: "(\(names.joined(separator: "\nUNION ALL\n"))) AS t"), [])
        let bigint = dialect.typeName(.int)
        var select = SQLSelect(columns: [
            "t.type", "CAST(coalesce(c.customers, 0) AS \(bigint)) AS customers",
            "\(dialect.double("coalesce(c.customers, 0)")) / CASE WHEN k.known > 0 THEN k.known ELSE 1 END * 100 AS share",
            "\(dialect.double("coalesce(c.revenue, 0)")) AS revenue",
            "\(dialect.double("coalesce(c.revenue, 0)")) / NULLIF(r.total, 0) * 100 AS revenue_share",
            "t.playbook", "t.\(query.order)",
        ], from: "\(list.name) AS t\nLEFT JOIN \(counts.name) AS c ON c.type = t.type\nCROSS JOIN \(known.name) AS k\nCROSS JOIN \(revenue.name) AS r")
        select.comment = "a row per type: customers, share of the known, revenue, share of all revenue, the playbook"
        let columns: [(String, DataType)] = [("type", .string), ("customers", .int), ("share", .double), ("revenue", .double), ("revenue_share", .double), ("playbook", .string)]
        return query.add(select, columns.map { SQLColumn(name: $0.0, type: $0.1) })
    }

    /// The people of the `customers` table who had not bought by the as-of date, each on the
    /// first row of their id, with their stage (`TypesCommand.stage`): member_no_purchase,
    /// potential or lead; people first seen after the as-of date are left out. Nil without a
    /// usable customers table (clubsh's working says why; no one is counted).
    ///
    /// With `evidence`, each one's `evidence` too, in `TypesCommand.stage`'s words.
    func nonBuyers(_ per: SQLRelation, _ query: inout SQLQuery, _ tableName: (String) -> String, evidence: Bool = false) throws(SQLCompileError) -> SQLRelation? {
        guard let customers = transactions.customers else { return nil }
        let schema = customers.schema
        guard let idName = [transactions.roles.customer, "id", "customer_id"].first(where: { schema.index(of: $0) != nil }),
              let idType = schema.fields.first(where: { $0.name == idName })?.type,
              Types.comparable(idType, transactions.customerType), idType != .double else { return nil }
        let asOf = dialect.literal(.date(transactions.asOf), .date)
        func type(_ name: String) -> DataType? { schema.fields.first { $0.name == name }?.type }
        /// The column's day when it holds dates, else null.
        func on(_ name: String) -> String {
            switch type(name) {
            case .date?: return dialect.quote(name)
            case .datetime?: return dialect.date(dialect.quote(name))
            default: return dialect.literal(.null, .date)
            }
        }
        /// 1 when the column holds a value that is not a date (text not empty, true, a number), else 0.
        func undated(_ name: String) -> String {
            let c = dialect.quote(name)
            switch type(name) {
            case nil, .date?, .datetime?, .null?: return "0"
            case .string?: return "CASE WHEN \(c) IS NOT NULL AND \(c) <> '' THEN 1 ELSE 0 END"
            case .bool?: return "CASE WHEN \(c) THEN 1 ELSE 0 END"
            default: return "CASE WHEN \(c) IS NOT NULL THEN 1 ELSE 0 END"
            }
        }
        /// The column's value as the evidence writes a value that is not a date.
        func words(_ name: String) -> String {
            let c = dialect.quote(name)
            switch type(name) {
            case .string?: return c
            case .bool?: return "'true'"
            case .int?: return "CAST(\(c) AS \(dialect.typeName(.string)))"
            default: return "CAST(NULL AS \(dialect.typeName(.string)))"
            }
        }
        let member = type("member") == .bool ? "CASE WHEN \(dialect.quote("member")) THEN 1 ELSE 0 END" : "0"
        var scan = SQLSelect(columns: ["\(dialect.quote(idName)) AS who", "\(on("joined")) AS joined_on", "\(undated("joined")) AS joined_text",
                                       "\(on("contacted")) AS contacted_on", "\(undated("contacted")) AS contacted_text",
                                       "\(on("first_seen")) AS seen_on", "\(member) AS is_member"]
                                 + (evidence ? ["\(words("joined")) AS joined_words", "\(words("contacted")) AS contacted_words"] : [])
                                 + ["\(dialect.scanOrder) AS \(query.order)"],
                               from: tableName(customers.name))
        scan.comment = "the customers table: joined, contacted, first seen, member"
        let people = query.add(scan, [])
        var firsts = SQLSelect(columns: ["c.*", "ROW_NUMBER() OVER (PARTITION BY c.who ORDER BY c.\(query.order)) AS nth"],
                               from: "\(people.name) AS c\nLEFT JOIN \(per.name) AS p ON p.\(key) = c.who")
        firsts.filter = "c.who IS NOT NULL AND p.\(key) IS NULL"
        firsts.comment = "people who never bought by the as-of date"
        let never = query.add(firsts, [])
        let seen = "coalesce(seen_on, CASE WHEN joined_on IS NULL THEN contacted_on WHEN contacted_on IS NULL OR joined_on < contacted_on THEN joined_on ELSE contacted_on END)"
        let noContacted = type("contacted") == nil ? "1 = 1" : "1 = 0"
        var staged = SQLSelect(columns: ["who", """
            CASE WHEN joined_on <= \(asOf) OR joined_text = 1 THEN 'member_no_purchase' \
            WHEN joined_on IS NULL AND joined_text = 0 AND is_member = 1 THEN 'member_no_purchase' \
            WHEN contacted_on <= \(asOf) OR contacted_text = 1 OR \(noContacted) THEN 'potential' \
            ELSE 'lead' END AS type
            """] + (evidence ? ["""
            CASE WHEN joined_on <= \(asOf) THEN \(cat(["'a member (joined '", dateText("joined_on"), "') who never bought'"])) \
            WHEN joined_text = 1 THEN \(cat(["'a member (joined '", "joined_words", "') who never bought'"])) \
            WHEN joined_on IS NULL AND joined_text = 0 AND is_member = 1 THEN 'a member who never bought' \
            WHEN contacted_on <= \(asOf) THEN \(cat(["'contacted '", dateText("contacted_on"), "', never bought, not a member'"])) \
            WHEN contacted_text = 1 THEN \(cat(["'contacted ('", "contacted_words", "'), never bought, not a member'"])) \
            WHEN \(noContacted) THEN 'in customers, never bought, not a member' \
            ELSE \(cat(["'known'", "coalesce(\(cat(["' since '", dateText(seen)])), '')", "', not contacted yet, never bought'"])) END AS evidence
            """] : []), from: never.name)
        staged.filter = "nth = 1 AND (\(seen) IS NULL OR \(seen) <= \(asOf))"
        staged.comment = "each one's stage on their first row; people first seen after the as-of date are left out"
        return query.add(staged, [])
    }

    /// From the `feedback` table, per customer (`fk`): a negative answer (a complaint, a rating
    /// of 1–2 or an NPS of 0–6) within `feedback_days`, and whether the latest answer within
    /// `loyal_days` is positive (no complaint, every score given high). Nil without a usable
    /// feedback table.
    private func feedbackVerdicts(_ o: TypesCommand.Options, _ query: inout SQLQuery, _ tableName: (String) -> String) throws(SQLCompileError) -> (negative: SQLRelation, latest: SQLRelation)? {
        guard let (dated, _) = try feedbackAnswers(&query, tableName) else { return nil }
        let asOf = transactions.asOf
        var negative = SQLSelect(columns: ["fk"], from: dated.name)
        negative.filter = "(complaint_text IS NOT NULL OR rating <= 2 OR nps <= 6) AND day >= \(dialect.literal(.date(asOf - o.feedbackDays + 1), .date))"
        negative.groupBy = ["fk"]
        negative.comment = "a complaint, a rating of 1–2 or an NPS of 0–6 in the last \(o.feedbackDays) days"
        let negatives = query.add(negative, [])
        let isPositive = "CASE WHEN complaint_text IS NULL AND (rating IS NOT NULL OR nps IS NOT NULL) AND (rating IS NULL OR rating >= 4) AND (nps IS NULL OR nps >= 9) THEN 1 ELSE 0 END"
        var ranked = SQLSelect(columns: ["fk", "\(isPositive) AS positive", "ROW_NUMBER() OVER (PARTITION BY fk ORDER BY day DESC, \(query.order) DESC) AS nth"], from: dated.name)
        ranked.filter = "day >= \(dialect.literal(.date(asOf - o.loyalDays + 1), .date))"
        ranked.comment = "the answers of the last \(o.loyalDays) days, latest first (the later row of a day)"
        let latest = query.add(ranked, [])
        var last = SQLSelect(columns: ["fk", "positive"], from: latest.name)
        last.filter = "nth = 1"
        return (negatives, query.add(last, []))
    }
}

/// A table the analytics read beside the transactions (`customers`, `feedback`): its name for
/// the compiler's table names and its columns.
struct SQLSideTable {
    var name: String
    var schema: Schema
}

/// `kpi [days N]`, the board, as SQL: the measures of `TransactionData.kpi(days:)` and, from the
/// `feedback` table, NPS and CSAT as `KPICommand` adds them — each a row (measure, value).
extension SQLAnalytics {
    func kpiBoard(days: Int32, _ query: inout SQLQuery, _ tableName: (String) -> String) -> SQLRelation {
        let asOf = transactions.asOf
        let money = transactions.moneyScale()
        let (rows, per) = summaryParts(&query, tableName, money: money)
        let recent = retentionCounts(from: asOf - days + 1, to: asOf, rows, &query)
        let annual = retentionCounts(from: asOf - 364, to: asOf, rows, &query)
        let double = dialect.double
        var people = SQLSelect(columns: ["COUNT(*) AS customers", "coalesce(SUM(CASE WHEN orders >= 2 THEN 1 ELSE 0 END), 0) AS repeaters"], from: per.name)
        people.comment = "customers, and those with 2+ purchases"
        let buyers = query.add(people, [])
        var orders = SQLSelect(columns: ["COUNT(*) AS n", "coalesce(\(money.map { moneySum("amount", scale: $0) } ?? compensatedSum("amount")), 0) AS revenue",
                                         "coalesce(\(dialect.daysBetween("MIN(day)", dialect.literal(.date(asOf), .date))), 0) + 1 AS span_days"], from: rows.name)
        orders.comment = "transactions, revenue, and the days from the first to the as-of date"
        let totals = query.add(orders, [])
        // Simple CLV (margin 100%, a 3-year cap), as `simpleCLV`: AOV × purchases per year × lifetime.
        let n = "CASE WHEN o.n > 1 THEN o.n ELSE 1 END", customers = "CASE WHEN b.customers > 1 THEN b.customers ELSE 1 END"
        let leastYears = dialect.literal(.double(1.0 / 365), .double)
        let span = "CASE WHEN \(double("o.span_days")) / 365 > \(leastYears) THEN \(double("o.span_days")) / 365 ELSE \(leastYears) END"
        let annualRetention = "\(double("a.retained")) / NULLIF(a.start, 0) * 100"
        let lifetime = "CASE WHEN a.start > 0 AND \(annualRetention) < 100 AND 1 / (1 - \(annualRetention) / 100) < 3 THEN 1 / (1 - \(annualRetention) / 100) ELSE \(double("3")) END"
        let rate = "\(double("p.retained")) / NULLIF(p.start, 0) * 100"
        var figures = SQLSelect(columns: [
            "\(double("b.customers")) AS customers", "\(double("p.\(dialect.quote("end"))")) AS active_customers", "\(double("p.new")) AS new_customers",
            "\(rate) AS retention_pct", "100 - \(rate) AS churn_pct",
            "\(double("b.repeaters")) / NULLIF(b.customers, 0) * 100 AS repeat_rate_pct",
            "\(double("o.n")) / NULLIF(b.customers, 0) AS purchase_frequency",
            "o.revenue / NULLIF(o.n, 0) AS average_order_value",
            "o.revenue / \(n) * (\(double(n)) / \(customers) / \(span)) * \(lifetime) AS simple_clv",
        ], from: "\(buyers.name) AS b\nCROSS JOIN \(totals.name) AS o\nCROSS JOIN \(recent.name) AS p\nCROSS JOIN \(annual.name) AS a")
        figures.comment = "the board over the last \(days) days against the \(days) before; simple CLV with margin 100% and a 3-year cap"
        let board = query.add(figures, [])
        let measures = ["customers", "active_customers", "new_customers", "retention_pct", "churn_pct", "repeat_rate_pct", "purchase_frequency",
                        "average_order_value", "simple_clv"]
        var parts = measures.enumerated().map { k, m in "SELECT \(dialect.string(m)) AS measure, \(double(m)) AS value, \(k + 1) AS \(query.order) FROM \(board.name)" }
        // NPS and CSAT from the feedback table's `nps` and `rating`, left out (as in clubsh)
        // when an answer is not a whole number of the scale or there is none.
        if let feedback = transactions.feedback {
            for (k, (column, measure, low, high)) in [("nps", "nps", 0, 10), ("rating", "csat_pct", 1, 5)].enumerated() {
                guard let field = feedback.schema.fields.first(where: { $0.name == column }), field.type.isNumeric else { continue }
                let x = dialect.quote(column)
                let valid = "\(x) = floor(\(x)) AND \(x) >= \(low) AND \(x) <= \(high)"
                let count = { (c: String) in "coalesce(SUM(CASE WHEN \(c) THEN 1 ELSE 0 END), 0)" }
                let (good, goodAt) = column == "nps" ? ("\(x) >= 9", "\(x) <= 6") : ("\(x) >= 4", "1 = 0")
                var scores = SQLSelect(columns: ["\(count("\(x) IS NOT NULL AND NOT (\(valid))")) AS outside", "\(count(valid)) AS answers",
                                                 "\(count("\(valid) AND \(good)")) AS high", "\(count("\(valid) AND \(goodAt)")) AS low"],
                                       from: tableName(feedback.name))
                scores.comment = "the feedback's \(column): whole numbers \(low)–\(high)"
                let tally = query.add(scores, [])
                let value = column == "nps" ? "\(double("high")) / answers * 100 - \(double("low")) / answers * 100" : "\(double("high")) / answers * 100"
                parts.append("SELECT \(dialect.string(measure)) AS measure, \(value) AS value, \(measures.count + k + 1) AS \(query.order) FROM \(tally.name) WHERE outside = 0 AND answers > 0")
            }
        }
        var select = SQLSelect(columns: ["*"], from: "(\(parts.joined(separator: "\nUNION ALL\n"))) AS m")
        select.comment = "a row per measure"
        return query.add(select, [SQLColumn(name: "measure", type: .string), SQLColumn(name: "value", type: .double)])
    }
}

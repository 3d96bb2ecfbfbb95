/// Which table holds the transactions, and which of its columns play the customer, date and
/// amount roles (brief §6, `use`).
struct TransactionRoles: Equatable, Sendable {
    var table: String
    var customer: String
    var date: String
    var amount: String
    /// Whether `as_of` was given; otherwise the latest transaction date is used.
    var asOfGiven: Bool

    /// What is wrong with these roles in a table of this schema (a role's column gone, dates
    /// that are not dates, amounts that are not numbers), or nil when they fit.
    func problem(with schema: Schema) -> String? {
        for (role, column) in [("customer", customer), ("date", date), ("amount", amount)] where schema.index(of: column) == nil {
            return "`\(table)` has no column `\(column)` for the \(role)"
        }
        let dateType = schema.fields[schema.index(of: date)!].type
        if dateType != .date && dateType != .datetime { return "the date column `\(date)` holds \(article(dateType)), not dates" }
        let amountType = schema.fields[schema.index(of: amount)!].type
        if !amountType.isNumeric { return "the amount column `\(amount)` holds \(article(amountType)), not numbers" }
        return nil
    }

    /// Names tried, in order, for a role that `use` does not name.
    static let guesses: [String: [String]] = [
        "customer": ["customer_id", "customer", "client_id", "cust_id", "cust", "member_id", "user_id"],
        "date": ["date", "order_date", "purchase_date", "transaction_date", "day", "datetime", "timestamp", "created_at"],
        "amount": ["amount", "total", "value", "spend", "revenue", "sales", "price"],
    ]
}

extension SessionCatalog {
    /// `use table [(customer = …, date = …, amount = …)] [as_of date]`.
    func use(_ name: Name, roles: [UseRole], asOf asOfExpr: Expr?) throws(Diagnostic) -> [Output] {
        // An engine's table: its columns alone (no rows come here); the analytics commands over
        // it are compiled to SQL and run there.
        let isRemote = tables[name.text] == nil && remoteSchema(name.text) != nil
        guard tables[name.text] != nil || definition(name.text) != nil || isRemote else {
            throw Diagnostic("unknown table `\(name.text)`", at: name.location, hint: Suggest.hint(for: name.text, among: knownNames) ?? "load it first")
        }
        let t = isRemote ? Table(names: remoteSchema(name.text)!.names, builders: remoteSchema(name.text)!.fields.map { TextColumnBuilder($0.type) })
            : try table(named: name.text, at: name.location)
        var chosen: [String: String] = [:]
        for r in roles {
            guard TransactionRoles.guesses[r.role.text] != nil else {
                throw Diagnostic("unknown role `\(r.role.text)`", at: r.role.location,
                                 hint: Suggest.hint(for: r.role.text, among: ["customer", "date", "amount"]) ?? "the roles are customer, date and amount")
            }
            guard t.schema.index(of: r.column.text) != nil else {
                throw Diagnostic("`\(name.text)` has no column `\(r.column.text)`", at: r.column.location, hint: Suggest.hint(for: r.column.text, among: t.columnNames))
            }
            chosen[r.role.text] = t.columnNames[t.schema.index(of: r.column.text)!]
        }
        for role in ["customer", "date", "amount"] where chosen[role] == nil {
            let tried = TransactionRoles.guesses[role]!
            if let hit = tried.first(where: { t.column($0) != nil }) {
                chosen[role] = hit
            } else if role == "date", let only = onlyColumn(t, where: { $0 == .date || $0 == .datetime }) {
                chosen[role] = only
            } else {
                throw Diagnostic("`\(name.text)` has no \(role) column; looked for \(tried.joined(separator: ", "))", at: name.location,
                                 hint: "name it: use \(name.text) (\(role) = …)")
            }
        }
        let customer = chosen["customer"]!, date = chosen["date"]!, amount = chosen["amount"]!
        let dateType = t.column(date)!.type
        guard dateType == .date || dateType == .datetime else {
            throw Diagnostic("the date column `\(date)` holds \(article(dateType)), not dates", at: name.location,
                             hint: "load it with `types (\(date): date)` or a `date_format`")
        }
        guard t.column(amount)!.type.isNumeric else {
            throw Diagnostic("the amount column `\(amount)` holds \(article(t.column(amount)!.type)), not numbers", at: name.location)
        }
        var day: Int32
        if let asOfExpr {
            switch try scalar(asOfExpr).0 {
            case .date(let d): day = d
            case .dateTime(let s): day = Int32(floorDiv(s, 86400))
            default: throw Diagnostic("`as_of` takes a date, like 2024-06-30", at: asOfExpr.location)
            }
        } else {
            guard let latest = isRemote ? try remoteLatestDay(name.text, column: date) : Self.latestDay(t.column(date)!) else {
                throw Diagnostic("`\(name.text)` has no transactions to take the as-of date from", at: name.location, hint: "give one: use \(name.text) as_of 2024-06-30")
            }
            day = latest
        }
        // What reads customers360 or the as-of date must still work with the new ones.
        try allOrNothing { () throws(Diagnostic) in
            change(\.transactions, to: TransactionRoles(table: name.text, customer: customer, date: date, amount: amount, asOfGiven: asOfExpr != nil))
            if asOf != day {
                change(\.asOf, to: day)
                touch(Dependencies.asOf)
            }
            touch(Customers360.name)
            if let broken = try brokenDependents(of: [Dependencies.asOf, Customers360.name]) {
                throw Diagnostic("this `use` would break \(broken.names): \(broken.reason)", at: name.location,
                                 hint: "the previous `use` stays; `drop` what it would break first, or keep the same columns and as-of date")
            }
        }
        return [.message("transactions: \(name.text) · customer = \(customer) · date = \(date) · amount = \(amount) · as of \(calendar.format(day))")]
    }

    private func onlyColumn(_ t: Table, where ok: (DataType) -> Bool) -> String? {
        let matches = t.columnNames.filter { ok(t.column($0)!.type) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The latest day in a date or date-time column.
    static func latestDay(_ c: Column) -> Int32? {
        var best: Int64?
        for i in 0..<c.count where !c.isNull(i) {
            let v: Int64
            switch c.storage {
            case .date(let a): v = Int64(a[i])
            case .dateTime(let a): v = floorDiv(a[i], 86400)
            default: return nil
            }
            if best == nil || v > best! { best = v }
        }
        return best.map { Int32($0) }
    }
}

/// customers360: one row per customer of the transactions table (brief §6) — first_order,
/// last_order, orders, spend, avg_order, days_since_last — with the attributes of a loaded
/// `customers` table joined on when it has a matching id. It is an ordinary pipeline, built as
/// one (never as text to parse), so it is live and cached like any named result; its text is
/// what `describe` and the listings show.
enum Customers360 {
    static let name = "customers360"

    /// The attributes a loaded `customers` table adds, and the column it is joined on.
    private static func attributes(_ r: TransactionRoles, catalog: SessionCatalog) -> (key: String, columns: [String])? {
        guard r.table != "customers", let customers = catalog.tables["customers"],
              let key = [r.customer, "id", "customer_id"].first(where: { customers.column($0) != nil }) else { return nil }
        let columns = customers.columnNames.filter { $0 != key && !own(r).contains($0) }
        return columns.isEmpty ? nil : (key, columns)
    }

    /// The columns customers360 computes, the customer last.
    private static func own(_ r: TransactionRoles) -> [String] {
        ["first_order", "last_order", "orders", "spend", "avg_order", "days_since_last", r.customer]
    }

    /// The definition. Transactions after the as-of date take no part (as in every analysis),
    /// so days_since_last is never negative; nor do rows without a date.
    static func definition(_ r: TransactionRoles, catalog: SessionCatalog) -> Definition {
        let at = SourceLocation(line: 1, column: 1)
        func column(_ name: String) -> Expr { .name(name, at) }
        func call(_ function: String, _ arguments: Expr...) -> Expr { .call(function, arguments, at) }
        func named(_ name: String?, _ e: Expr) -> NamedExpr { NamedExpr(name: name, expr: e, location: at) }
        var steps: [Step] = [
            .filter(.binary(.greaterEqual, call("days_since", column(r.date)), .literal(.int(0), at), at)),
            .aggregate([named("first_order", call("min", column(r.date))), named("last_order", call("max", column(r.date))), named("orders", call("count")),
                        named("spend", call("sum", column(r.amount))), named("avg_order", call("avg", column(r.amount)))],
                       by: [named(nil, column(r.customer))]),
            .derive([named("days_since_last", call("days_since", column("last_order")))]),
        ]
        func q(_ s: String) -> String { "`\(s)`" }
        var text = "\(q(r.table)) | where days_since(\(q(r.date))) >= 0 | agg first_order = min(\(q(r.date))), last_order = max(\(q(r.date))), orders = count(), "
            + "spend = sum(\(q(r.amount))), avg_order = avg(\(q(r.amount))) by \(q(r.customer)) | derive days_since_last = days_since(last_order)"
        if let (key, attributes) = attributes(r, catalog: catalog) {
            let order = own(r).suffix(1) + own(r).dropLast() + attributes
            steps += [.join(left: true, Name(text: "customers", location: at), on: .binary(.equal, column(r.customer), column(key), at)),
                      .select(order.map { named(nil, column($0)) })]
            text += " | left join customers on \(q(r.customer)) == \(q(key)) | select " + order.map(q).joined(separator: ", ")
        }
        let pipeline = Pipeline(source: Name(text: r.table, location: at), steps: steps.map { PipelineStep(step: $0, location: at) })
        return Definition(kind: .derived, pipeline: pipeline, text: text)
    }
}

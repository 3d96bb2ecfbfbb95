/// Runs analytics commands (brief §6): each gives a table, and the working a trainer would write
/// on a board. Results are cached until the transactions, the feedback table or the as-of date
/// change.
extension SessionCatalog {
    /// Binds an analytics command: its output schema and what it reads, from the catalog's
    /// schemas alone; nothing is computed (brief §6; docs/architecture.md).
    func bindAnalytics(_ command: AnalyticsCommand) throws(Diagnostic) -> AnalyticsBinding {
        guard let definition = AnalyticsCommands.named(command.name) else {
            throw Diagnostic("unknown command `\(command.name)`", at: command.location, hint: Suggest.hint(for: command.name, among: AnalyticsCommands.names))
        }
        return try definition.bind(command, in: self)
    }

    /// The command's result, from the cache when nothing it reads has changed.
    func analyticsResult(_ command: AnalyticsCommand) throws(Diagnostic) -> AnalyticsResult {
        let key = command.text
        if let hit = analyticsCache[key], hit.inputs == inputs(hit.result.reads) { return hit.result }
        guard let definition = AnalyticsCommands.named(command.name) else {
            throw Diagnostic("unknown command `\(command.name)`", at: command.location)
        }
        var result = try definition.run(command, in: self)
        for (c, name) in result.table.columnNames.enumerated() where result.table.columns[c].type == .double {
            result.table.columns[c].display = definition.display(column: name)
        }
        // Work stopped early by Ctrl-C gives a wrong result: it is never kept or shown.
        if isCancelled() { throw Diagnostic.interrupted }
        // Numbers typed in can be large enough to overflow a figure (1e308 × 10): an infinity or
        // NaN is never shown as a result.
        for (name, column) in zip(result.table.columnNames, result.table.columns) {
            guard case .double(let values) = column.storage else { continue }
            if let i = values.indices.first(where: { !values[$0].isFinite && !column.isNull($0) }) {
                throw Diagnostic("`\(name)` would be \(values[i].isNaN ? "undefined" : "too large to be a finite number") with these numbers", at: command.location,
                                 hint: "check the numbers given; each figure must come out finite")
            }
        }
        analyticsCache[key] = (result, inputs(result.reads))
        return result
    }

    /// The versions of `names` now: a result computed from them is current while these hold.
    func inputs(_ names: [String]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: Set(names).map { ($0, versions[$0] ?? 0) })
    }

    /// The model fits over the transactions read as `reads`: BG/NBD and MBG/NBD once per unit
    /// and data, Gamma-Gamma once per data (it does not depend on the unit).
    func modelFits(reads: [String], at: SourceLocation) -> ModelFits {
        let cancelled = isCancelled
        return ModelFits(
            bgnbd: { [unowned self] s, unitDays throws(Diagnostic) in
                try fitted("bgnbd \(unitDays)", reads: reads, at: at) { () throws(Diagnostic) in try s.fitBGNBD(isCancelled: cancelled, at: at) }
            },
            mbgnbd: { [unowned self] s, unitDays throws(Diagnostic) in
                try fitted("mbgnbd \(unitDays)", reads: reads, at: at) { () throws(Diagnostic) in try s.fitMBGNBD(isCancelled: cancelled, at: at) }
            },
            gammaGamma: { [unowned self] s throws(Diagnostic) in
                try fitted("gammagamma", reads: reads, at: at) { () throws(Diagnostic) in try s.fitGammaGamma(isCancelled: cancelled, at: at) }
            })
    }

    /// A model fit kept while the transactions it was fitted on are unchanged; a failed fit is
    /// kept too, and fails again at once at the new statement.
    func fitted<T>(_ key: String, reads: [String], at: SourceLocation, _ fit: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        let now = inputs(reads)
        if let kept = fits[key], kept.inputs == now, let result = kept.fit as? Result<T, Diagnostic> {
            switch result {
            case .success(let value): return value
            case .failure(var error):
                error.location = at
                throw error
            }
        }
        do {
            let value = try fit()
            fits[key] = (Result<T, Diagnostic>.success(value), now)
            return value
        } catch {
            if error != .interrupted { fits[key] = (Result<T, Diagnostic>.failure(error), now) }
            throw error
        }
    }

    /// The transactions of `use`, or a clear error saying how to name them.
    func transactionData(for command: String, at location: SourceLocation) throws(Diagnostic) -> (TransactionData, [String]) {
        try transactionData(for: command, at: location, asOf: asOf)
    }

    /// The transactions of `use` up to another as-of date (`lifecycle from A to B`).
    func transactionData(for command: String, at location: SourceLocation, asOf: Int32) throws(Diagnostic) -> (TransactionData, [String]) {
        guard let roles = transactions else {
            throw Diagnostic("`\(command)` needs the transactions: name them first with `use`", at: location,
                             hint: "for example: use orders (customer = customer_id, date = date, amount = amount)")
        }
        if tables[roles.table] == nil, remote(roles.table) != nil {
            throw Diagnostic("`\(command)` computes in clubsh and needs the transactions here", at: location,
                             hint: "copy them first: orders = \(roles.table), then `use orders`")
        }
        let table = try table(named: roles.table, at: location)
        if let problem = roles.problem(with: table.schema) {
            throw Diagnostic("\(problem); run `use` again", at: location)
        }
        // Kept while the table (its version), the roles and the as-of date are the same: what a
        // command works out per customer from it is kept with it (`CustomerFacts`).
        let key = TransactionDataKey(roles: roles, version: versions[roles.table] ?? 0, asOf: asOf)
        var data: TransactionData
        if let kept = transactionDataCache, kept.key == key {
            data = kept.data
        } else {
            data = TransactionData(table, roles, asOf: asOf)
            // Grouping stopped by Ctrl-C gives wrong customers: never kept.
            if isCancelled() { throw Diagnostic.interrupted }
            transactionDataCache = (key, data)
        }
        data.calendar = calendar
        return (data, [roles.table, Dependencies.asOf, Customers360.name, Dependencies.calendar])
    }

    /// The customer column of the transactions and the names a command over them reads, for
    /// binding: the same checks as `transactionData`, on the schema alone.
    func transactionKey(for command: String, at location: SourceLocation) throws(Diagnostic) -> (key: Schema.Field, reads: [String]) {
        guard let roles = transactions else {
            throw Diagnostic("`\(command)` needs the transactions: name them first with `use`", at: location,
                             hint: "for example: use orders (customer = customer_id, date = date, amount = amount)")
        }
        let schema = try schema(of: roles.table, at: location)
        if let problem = roles.problem(with: schema) {
            throw Diagnostic("\(problem); run `use` again", at: location)
        }
        guard let i = schema.index(of: roles.customer) else { throw Diagnostic("the transactions have no column `\(roles.customer)`; run `use` again", at: location) }
        return (Schema.Field(name: roles.customer, type: schema.fields[i].type), [roles.table, Dependencies.asOf, Customers360.name])
    }

    /// The schema of a loaded table or named result, without computing it.
    func schema(of name: String, at location: SourceLocation) throws(Diagnostic) -> Schema {
        if let t = tables[name] { return t.schema }
        if let s = remoteSchema(name) { return s }
        if let plan = try checkedResult(Name(text: name, location: location)) { return plan.schema }
        throw Diagnostic("unknown table `\(name)`", at: location, hint: Suggest.hint(for: name, among: knownNames))
    }
}

/// "90.0%": a rate to one decimal, as a trainer writes it.
func rate(_ x: Double) -> String {
    let r = ScalarFunctions.round(x, 1)
    return (r == r.rounded() ? String(format: "%.1f", r) : ValueFormat.displayDouble(r)) + "%"
}

/// A number as it appears in the working: integers plain, others to 2 decimals, and a number
/// below 0.1 to its first two significant digits, so a point worth 0.004 never reads as 0.
func shown(_ x: Double) -> String {
    if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
    guard x.isFinite, abs(x) < 0.1 else { return ValueFormat.displayDouble(ScalarFunctions.round(x, 2)) }
    var digits: Int64 = 2, scaled = abs(x) * 100
    while scaled < 10 && digits < 17 { scaled *= 10; digits += 1 }
    return ValueFormat.displayDouble(ScalarFunctions.round(x, digits))
}

/// A one-row table from named values.
func row(_ pairs: [(String, Value)]) -> Table {
    Table(columnNames: pairs.map(\.0), columns: pairs.map { Column.repeating($0.1, count: 1, type: $0.1.type == .null ? .double : $0.1.type) })
}

extension SessionCatalog {
    /// The column of a segment's rows that names its customers, for matching them with the
    /// transactions: the customer column of `use`, else `customer_id`, `id`, `customer` or
    /// `client_id` (a segment over the customers table matches by `id`), as `profile` matches.
    func customerColumn(of segment: String, at location: SourceLocation) throws(Diagnostic) -> String {
        let names = try checkedPlan(segment).schema.names
        let key = transactions?.customer ?? "customer_id"
        guard let found = [key, "customer_id", "id", "customer", "client_id"].first(where: names.contains) else {
            throw Diagnostic("segment `\(segment)` has no column to match customers by (`\(key)`, `customer_id`, `id`, `customer` or `client_id`)", at: location)
        }
        return found
    }
}

/// What a kept `TransactionData` was built from: the `use` roles, the version of their table
/// (renewed by a reload, or by any change to what a named result reads) and the as-of date.
struct TransactionDataKey: Equatable {
    var roles: TransactionRoles
    var version: Int
    var asOf: Int32
}

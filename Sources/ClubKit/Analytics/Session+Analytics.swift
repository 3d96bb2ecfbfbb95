/// Runs analytics commands (brief §6): each gives a table, and the working a trainer would write
/// on a board. Results are cached until the transactions, the feedback table or the as-of date
/// change.
extension Session {
    /// What an analytics command produced.
    struct AnalyticsResult {
        var table: Table
        /// The formula with the numbers put in, shown above the table in table mode.
        var work: [String]
        var reads: [String]
    }

    public func analytics(_ command: AnalyticsCommand) throws(Diagnostic) -> (table: Table, reads: [String]) {
        let r = try analyticsResult(command)
        return (r.table, r.reads)
    }

    /// The command's result, from the cache when nothing it reads has changed.
    func analyticsResult(_ command: AnalyticsCommand) throws(Diagnostic) -> AnalyticsResult {
        let key = command.text
        if let hit = analyticsCache[key], hit.inputs == inputs(hit.result.reads) { return hit.result }
        let result = try runAnalytics(command)
        analyticsCache[key] = (result, inputs(result.reads))
        return result
    }

    private func inputs(_ names: [String]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: Set(names).map { ($0, versions[$0] ?? 0) })
    }

    private func runAnalytics(_ command: AnalyticsCommand) throws(Diagnostic) -> AnalyticsResult {
        var args = CommandArguments(command)
        let result: AnalyticsResult
        switch command.name {
        case "retention": result = try retention(&args)
        case "churn": result = try churn(&args)
        case "nps", "csat": result = try satisfaction(command.name, &args)
        case "rfm": result = try rfm(&args)
        case "types": result = try customerTypes(&args)
        case "cohort": result = try cohort(&args)
        case "pareto": result = try pareto(&args)
        case "kpi": result = try kpi(&args)
        case "clv": result = args.flag("model") ? try modelCLV(&args) : try clv(&args)
        case "bgnbd": result = try bgnbd(&args)
        case "gammagamma": result = try gammagamma(&args)
        case "value": result = try value(&args)
        default: throw Diagnostic("unknown command `\(command.name)`", at: command.location)
        }
        try args.finish()
        // Work stopped early by Ctrl-C gives a wrong result: it is never kept or shown.
        if isCancelled() { throw Diagnostic.interrupted }
        return result
    }

    /// The transactions of `use`, or a clear error saying how to name them.
    func transactionData(for command: String, at location: SourceLocation) throws(Diagnostic) -> (TransactionData, [String]) {
        guard let roles = transactions else {
            throw Diagnostic("`\(command)` needs the transactions: name them first with `use`", at: location,
                             hint: "for example: use orders (customer = customer_id, date = date, amount = amount)")
        }
        let table = try table(named: roles.table, at: location)
        if let problem = roles.problem(with: table.schema) {
            throw Diagnostic("\(problem); run `use` again", at: location)
        }
        return (TransactionData(table, roles, asOf: asOf), [roles.table, Dependencies.asOf, Customers360.name])
    }
}

/// The words and values after an analytics command's name, consumed as the command reads them;
/// anything left over is an error that names it.
struct CommandArguments {
    let command: AnalyticsCommand
    private var remaining: [AnalyticsCommand.Argument]

    init(_ command: AnalyticsCommand) {
        self.command = command
        remaining = command.arguments
    }

    var isEmpty: Bool { remaining.isEmpty }

    /// Whether `word` is present (consumed).
    mutating func flag(_ word: String) -> Bool {
        guard let i = remaining.firstIndex(where: { if case .word(word, _) = $0 { return true } else { return false } }) else { return false }
        remaining.remove(at: i)
        return true
    }

    /// The value after `word`, if the word is present.
    mutating func value(_ word: String) throws(Diagnostic) -> Value? {
        guard let i = remaining.firstIndex(where: { if case .word(word, _) = $0 { return true } else { return false } }) else { return nil }
        guard i + 1 < remaining.count, case .value(let v, _) = remaining[i + 1] else {
            throw Diagnostic("`\(word)` needs a value after it", at: location(i), hint: "for example: \(command.name) \(word) 30")
        }
        remaining.removeSubrange(i...(i + 1))
        return v
    }

    /// A finite number after `word`.
    mutating func number(_ word: String) throws(Diagnostic) -> Double? {
        let at = valueLocation(word)
        guard let v = try value(word) else { return nil }
        guard let d = v.doubleValue else { throw Diagnostic("`\(word)` takes a number, not \(ValueFormat.display(v))", at: at) }
        guard d.isFinite else { throw Diagnostic("`\(word)` takes a finite number", at: at) }
        return d
    }

    /// A whole number after `word` within `range` (a duration counts its days), or `value`
    /// when the word is absent.
    mutating func whole(_ word: String, default value: Int, in range: ClosedRange<Int>) throws(Diagnostic) -> Int {
        let at = valueLocation(word)
        guard let v = try self.value(word) else { return value }
        let n: Double?
        switch v {
        case .int(let x): n = Double(x)
        case .double(let x): n = x
        case .duration(let d): n = Double(d.days)
        default: n = nil
        }
        guard let n, n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            throw Diagnostic("`\(word)` takes a whole number from \(grouped(range.lowerBound)) to \(grouped(range.upperBound))", at: at)
        }
        return Int(n)
    }

    /// Where the value after `word` stands (else the word, else the command), for errors.
    private func valueLocation(_ word: String) -> SourceLocation {
        guard let i = remaining.firstIndex(where: { if case .word(word, _) = $0 { return true } else { return false } }) else { return command.location }
        return location(i + 1 < remaining.count ? i + 1 : i)
    }

    /// A date after `word`.
    mutating func date(_ word: String) throws(Diagnostic) -> Int32? {
        let at = remaining.firstIndex(where: { if case .word(word, _) = $0 { return true } else { return false } }).map(location) ?? command.location
        guard let v = try value(word) else { return nil }
        guard case .date(let d) = v else { throw Diagnostic("`\(word)` takes a date like 2024-06-30", at: at) }
        return d
    }

    /// The next bare word (a column or table name), consumed.
    mutating func word() -> (String, SourceLocation)? {
        guard let first = remaining.first, case .word(let w, let loc) = first else { return nil }
        remaining.removeFirst()
        return (w, loc)
    }

    private func location(_ i: Int) -> SourceLocation {
        switch remaining[i] {
        case .word(_, let l), .value(_, let l): return l
        }
    }

    /// Fails on anything not consumed.
    func finish() throws(Diagnostic) {
        guard let first = remaining.first else { return }
        switch first {
        case .word(let w, let l): throw Diagnostic("`\(command.name)` does not take `\(w)`", at: l, hint: "`.help \(command.name)` shows how to write it")
        case .value(let v, let l): throw Diagnostic("`\(command.name)` does not take the value \(ValueFormat.display(v)) here", at: l)
        }
    }
}

/// "90.0%": a rate to one decimal, as a trainer writes it.
func rate(_ x: Double) -> String {
    let r = ScalarFunctions.round(x, 1)
    return (r == r.rounded() ? String(format: "%.1f", r) : ValueFormat.displayDouble(r)) + "%"
}

/// A number as it appears in the working: integers plain, others to 2 decimals.
func shown(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : ValueFormat.displayDouble(ScalarFunctions.round(x, 2))
}

/// A one-row table from named values.
func row(_ pairs: [(String, Value)]) -> Table {
    Table(columnNames: pairs.map(\.0), columns: pairs.map { Column.repeating($0.1, count: 1, type: $0.1.type == .null ? .double : $0.1.type) })
}

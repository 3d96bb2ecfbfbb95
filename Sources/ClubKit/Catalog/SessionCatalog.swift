import Foundation

/// Everything named in one clubsh session — loaded tables, named results and segments,
/// parameters, formulas, the `use` roles and as-of date, numbered results — and what keeps
/// them live: a version per name, the graph of what reads what, checked plans and computed
/// tables kept while current, and a journal that undoes a failed statement
/// (SessionCatalog+Definitions, +AllOrNothing). The checker binds against it through `Catalog`;
/// its executor reads its tables. `Session` runs statements over it. No global state: two
/// sessions share nothing.
final class SessionCatalog: Catalog {
    /// Loaded tables, by name, and the order they were loaded in.
    var tables: [String: Table] = [:]
    var tableOrder: [String] = []
    /// Named results and segments: their definitions, evaluated on use and cached.
    var definitions: [String: Definition] = [:]
    var definitionOrder: [String] = []
    var parameters: [String: Value] = [:]
    var parameterOrder: [String] = []
    /// The transactions table and its roles, once `use` has named them.
    var transactions: TransactionRoles?
    /// The date `days_since` counts to: the `use` as-of date, else the one given at start, else today.
    var asOf: Int32

    /// A version per name, renewed whenever that thing changes (a load, a `let`, a new
    /// definition) and whenever anything it reads, directly or not, changes. Versions come from
    /// one counter that never goes back, so what was computed during a statement that failed
    /// and was undone can never pass for current.
    var versions: [String: Int] = [:]
    var nextVersion = 1
    /// While a statement may still fail: how to put back each thing it has changed so far.
    var journal: [() -> Void]?
    /// What each named result reads directly (tables, results, parameters, `@as_of`,
    /// `@catalog`, `formula:f`), recorded when it is checked.
    var reads: [String: Set<String>] = [:]
    /// The same graph the other way round: who reads each name directly.
    var readers: [String: Set<String>] = [:]
    /// Checked plans of named results, current while their version is the one they were checked at.
    var plans: [String: (plan: Plan, version: Int)] = [:]
    /// Computed tables of named results, current while their version is the one they were computed at.
    var cache: [String: (table: Table, version: Int)] = [:]
    /// The rows of customers360 counted without making it (`customers360Rows`), per its version.
    var customers360RowCount: (version: Int, rows: Int)?
    /// Results being checked now, outermost first (a name met again closes a cycle).
    var checking: [String] = []
    /// Results being computed now (to refuse re-entry through a listing).
    var computing = Set<String>()
    /// How many checks and computations of named results are under way, one inside another,
    /// and which of them failed (with whether in their own definition) — forgotten when the
    /// outermost one ends.
    var depth = 0
    var failures: [String: (error: Diagnostic, own: Bool)] = [:]
    /// The last error handed on from a result to the statement that reads it (so it is
    /// attributed to the result where it arose, once).
    var relayed: Diagnostic?
    /// customers360's definition, kept while its text is the same.
    var derived: Definition?
    /// Analytics command results with the versions of what they read.
    var analyticsCache: [String: (result: AnalyticsResult, inputs: [String: Int])] = [:]
    /// The transactions of `use` as the analytics read them, with what they have worked out
    /// per customer, while the key holds (`transactionData(for:at:asOf:)`); one as-of date at a time.
    var transactionDataCache: (key: TransactionDataKey, data: TransactionData)?
    /// Model fits (a `Result` each, failures included) with the versions of what they were
    /// fitted on: `bgnbd`, `clv model` and their variants fit each model once per data.
    var fits: [String: (fit: Any, inputs: [String: Int])] = [:]
    /// User formulas: `formula crr(S, E, N) = …`.
    var formulas: [String: (parameters: [String], body: Expr, text: String)] = [:]
    var formulaOrder: [String] = []
    /// Points programs: `program club = earn 1 per 10, …` (SessionCatalog+Programs).
    var programs: [String: ProgramDefinition] = [:]
    var programOrder: [String] = []
    /// Campaigns: `campaign spring = contacts … window 30d` (SessionCatalog+Campaigns).
    var campaigns: [String: CampaignDefinition] = [:]
    var campaignOrder: [String] = []
    /// Attached engines by name (`attach postgres "…" as pg`), in the order attached
    /// (SessionCatalog+Engines).
    var engines: [String: AttachedEngine] = [:]
    var engineOrder: [String] = []
    /// How many times each named result or segment has been computed (for tests and `.timer`).
    var computations: [String: Int] = [:]
    /// How many times each named result or segment has been checked (for tests).
    var checks: [String: Int] = [:]

    /// Every result shown so far, as `_`, `_1`, `_2`, … (see `NumberedResults`).
    var numbered = NumberedResults()
    /// Polled while statements run; the shell sets it (through `Session`) to read its Ctrl-C flag.
    var isCancelled: @Sendable () -> Bool = { false }
    /// What one statement may ask for before it allocates (`.limit memory`).
    var memoryLimit = MemoryLimit.standard
    /// The language of text written for people, such as the playbooks (`.lang en|fa`).
    var language = Language.english {
        didSet { if language != oldValue { touch(Dependencies.language) } }
    }
    /// The calendar months are counted in (`.calendar gregorian|jalali`).
    var calendar = CalendarKind.gregorian {
        // Any named result may read `year`, `month` or `month_start`: all are computed again.
        didSet { if calendar != oldValue { touch([Dependencies.calendar] + definitionOrder) } }
    }

    init(asOf: Int32) {
        self.asOf = asOf
    }

    // MARK: - What the checker reads

    func tableSchema(_ name: String) -> Schema? { (tables[name] ?? numberedTable(name))?.schema ?? remoteSchema(name) }

    /// `_` or `_N` when that result is a table.
    func numberedTable(_ name: String) -> Table? { numbered.table(name) }

    /// Why `_N` cannot be read, when its table was released to save memory.
    func released(_ name: Name) -> Diagnostic? {
        guard tables[name.text] == nil, definitions[name.text] == nil, let statement = numbered.released(name.text) else { return nil }
        return Diagnostic("result \(name.text) was released to save memory; re-run its statement", at: name.location,
                          hint: "it was `\(statement)`")
    }

    func resultDefinition(_ name: String) -> Pipeline? { definition(name)?.pipeline }
    /// A parameter's value; `_` or `_N` when it is a value, or a table of one row and one
    /// column (`orders | count`, then `_ * 2`).
    func parameter(_ name: String) -> Value? {
        if let v = parameters[name] { return v }
        switch numbered.output(name) {
        case .value(let v)?: return v
        case .table(let t)? where t.rowCount == 1 && t.columns.count == 1: return t.columns[0].value(at: 0)
        default: return nil
        }
    }
    func formula(_ name: String) -> (parameters: [String], body: Expr)? {
        formulas[name].map { ($0.parameters, $0.body) }
    }
    var knownNames: [String] { tableOrder + definitionOrder + (transactions == nil ? [] : [Customers360.name]) + parameterOrder + programOrder + remoteTableNames }

    /// Raises the version of `name` and of everything that reads it, directly or not, so each is
    /// checked and computed again on next use (and nothing else is).
    func touch(_ name: String) { touch([name]) }

    /// Touches several names in one walk of the graph.
    func touch(_ names: [String]) {
        var seeds = names + [Dependencies.catalog]
        // customers360 joins a `customers` table when there is one, loaded before or after `use`.
        if names.contains("customers"), transactions != nil { seeds.append(Customers360.name) }
        for n in Set(seeds).union(readers(of: seeds)) {
            change(\.versions, n, to: nextVersion)
            nextVersion += 1
            change(\.cache, n, to: nil)
            change(\.plans, n, to: nil)
        }
    }

    /// The columns of each listing, known without making it.
    func listingSchema(_ name: String) -> Schema? {
        let fields: [(String, DataType)]
        switch name {
        case "tables": fields = [("name", .string), ("kind", .string), ("rows", .int), ("columns", .int), ("bytes", .int)]
        case "segments": fields = [("name", .string), ("base", .string), ("members", .int), ("share_of_base", .double), ("definition", .string)]
        case "params": fields = [("name", .string), ("value", .string), ("type", .string), ("used_by", .string)]
        case "formulas": fields = [("name", .string), ("parameters", .string), ("definition", .string)]
        case "programs": fields = [("name", .string), ("tiers", .string), ("definition", .string), ("used_by", .string)]
        case "campaigns": fields = [("name", .string), ("contacts", .string), ("window_days", .int), ("definition", .string), ("used_by", .string)]
        default: return nil
        }
        return Schema(fields.map { Schema.Field(name: $0.0, type: $0.1) })
    }

    func listing(_ name: String) -> Table? {
        var skipped: [String] = []
        switch name {
        case "tables": return tablesListing(skipped: &skipped)
        case "segments": return SegmentReports(catalog: self).segmentsListing(skipped: &skipped)
        case "params": return parametersListing()
        case "formulas": return formulasListing()
        case "programs": return programsListing()
        case "campaigns": return campaignsListing()
        default: return nil
        }
    }

    // MARK: - Evaluating

    /// Runs a checked plan, returning the table and any warnings.
    func evaluate(_ plan: Plan) throws(Diagnostic) -> (table: Table, warnings: [Output]) {
        let notes = EvaluationNotes()
        let table = try executor(notes).run(plan)
        return (table, notes.messages.map(Output.warning))
    }

    /// An executor over this session: its tables and numbered results, named results from the
    /// cache, and the Ctrl-C flag.
    func executor(_ notes: EvaluationNotes) -> Executor {
        var executor = Executor(table: { [unowned self] in self.tables[$0] ?? self.numberedTable($0) }, notes: notes)
        executor.isCancelled = isCancelled
        executor.memoryLimit = memoryLimit
        executor.calendar = calendar
        executor.language = language
        executor.resolve = { [unowned self] name throws(Diagnostic) in try self.materialize(name, notes: notes) }
        executor.analytics = { [unowned self] command throws(Diagnostic) in try self.analyticsResult(command).table }
        executor.listing = { [unowned self] name in self.listing(name) }
        executor.remote = { [unowned self] plan throws(Diagnostic) in try self.runRemotely(plan) }
        return executor
    }

    /// Checks and evaluates an expression that reads no table, with its warnings.
    func scalar(_ expr: Expr) throws(Diagnostic) -> (Value, [Output]) {
        let typed = try Checker(catalog: self).scalar(expr)
        let notes = EvaluationNotes()
        let value = ExpressionEvaluator(table: Table(columnNames: [], columns: [], rowCount: 1), notes: notes, calendar: calendar, language: language).column(typed).value(at: 0)
        return (value, notes.messages.map(Output.warning))
    }

    func setParameter(_ name: Name, _ expr: Expr) throws(Diagnostic) -> [Output] {
        if tables[name.text] != nil || definition(name.text) != nil || programs[name.text] != nil || campaigns[name.text] != nil {
            throw Diagnostic("`\(name.text)` is already a \(tables[name.text] != nil ? "table" : programs[name.text] != nil ? "program" : campaigns[name.text] != nil ? "campaign" : "result")", at: name.location, hint: "choose another name for the parameter")
        }
        let (value, warnings) = try scalar(expr)
        let old = parameters[name.text]
        try allOrNothing { () throws(Diagnostic) in
            if parameters[name.text] == nil { appendUndoably(\.parameterOrder, name.text) }
            guard parameters[name.text] != value else { return }
            change(\.parameters, name.text, to: value)
            touch(name.text)
            // A value of another type may not leave a result that reads it unusable.
            if let broken = try brokenDependents(of: [name.text]) {
                let shown = if case .string(let text) = value { "\"\(text)\"" } else { ValueFormat.display(value) }
                throw Diagnostic("setting `\(name.text)` to \(shown) would break \(broken.names): \(broken.reason)", at: name.location,
                                 hint: "`\(name.text)` keeps its value" + (old.map { $0.type != value.type } == true ? "; give it one of the same type" : ""))
            }
        }
        let users = dependents(of: name.text)
        return warnings
            + [.message("\(name.text) = \(ValueFormat.display(value))" + (users.isEmpty ? "" : " (used by \(users.joined(separator: ", ")))"))]
    }

    // MARK: - Listings

    func tablesListing(skipped: inout [String]) -> Table {
        var names: [String] = [], kinds: [String] = [], rows: [Int64] = [], columns: [Int64] = [], bytes: [Int64] = []
        for name in tableOrder {
            let t = tables[name]!
            names.append(name); kinds.append("table")
            rows.append(Int64(t.rowCount)); columns.append(Int64(t.columns.count)); bytes.append(Int64(t.bytes))
        }
        for name in definitionOrder + (transactions == nil ? [] : [Customers360.name]) {
            guard let def = definition(name), !computing.contains(name), !checking.contains(name) else { continue }
            let t: Table
            do { t = try materialize(name) } catch {
                skipped.append("`\(name)`: \(error.text)")
                continue
            }
            names.append(name)
            switch def.kind {
            case .result: kinds.append("result")
            case .segment: kinds.append("segment")
            case .derived: kinds.append("derived")
            }
            rows.append(Int64(t.rowCount)); columns.append(Int64(t.columns.count)); bytes.append(Int64(t.bytes))
        }
        // An engine's tables: their columns, but no rows or bytes (counting them would read them).
        let local = names.count
        for name in remoteTableNames {
            names.append(name); kinds.append("\(remote(name)!.engine.engine.kind.rawValue) table")
            rows.append(0); columns.append(Int64(remoteSchema(name)?.fields.count ?? 0)); bytes.append(0)
        }
        var known = Bitmap(count: names.count)
        for i in local..<names.count { known.set(i, false) }
        return Table(columnNames: ["name", "kind", "rows", "columns", "bytes"],
                     columns: [stringColumn(names), stringColumn(kinds), Column(.int(rows), validity: known), Column(.int(columns)), Column(.int(bytes), validity: known)],
                     rowCount: names.count)
    }
}

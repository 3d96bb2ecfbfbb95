import Foundation

/// The catalog of everything named in one clubsh session — tables, named results, segments,
/// parameters — and the one entry point that runs statements. No global state: two sessions
/// share nothing.
///
///     let session = Session()
///     session.run("load \"Samples/data/orders.csv\"\norders | count") { outcome in
///         print(outcome)
///         return true
///     }
public final class Session: Catalog {
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
    /// Model fits (a `Result` each, failures included) with the versions of what they were
    /// fitted on: `bgnbd`, `clv model` and their variants fit each model once per data.
    var fits: [String: (fit: Any, inputs: [String: Int])] = [:]
    /// User formulas: `formula crr(S, E, N) = …`.
    var formulas: [String: (parameters: [String], body: Expr, text: String)] = [:]
    var formulaOrder: [String] = []
    /// How many times each named result or segment has been computed (for tests and `.timer`).
    var computations: [String: Int] = [:]
    /// How many times each named result or segment has been checked (for tests).
    var checks: [String: Int] = [:]

    /// Every result shown so far, as `_`, `_1`, `_2`, … (see `NumberedResults`).
    public internal(set) var numbered = NumberedResults()

    /// Told how a load is going (file, share done, rows so far, bytes); the shell draws a bar.
    public var loadProgress: (@Sendable (String, Double, Int, Int) -> Void)?
    /// Polled while statements run; the shell sets it to read its Ctrl-C flag.
    public var isCancelled: @Sendable () -> Bool = { false }
    /// The folder relative paths in statements are read from and written to (a notebook's own,
    /// under `clubsh run`); nil: the working directory. `~/` is the home folder either way.
    public var directory: String?
    /// What one statement may ask for before it allocates (`.limit memory`).
    public var memoryLimit = MemoryLimit.standard
    /// Called before a statement writes to a standard stream (`export … to "/dev/stdout"`), so
    /// the shell can first write out what it has buffered.
    public var beforeWritingStandardStream: @Sendable () -> Void = {}

    public init(asOf: Int32? = nil) {
        self.asOf = asOf ?? Int32(Int(Date().timeIntervalSince1970) / 86400)
    }

    // MARK: - Catalog

    func tableSchema(_ name: String) -> Schema? { (tables[name] ?? numberedTable(name))?.schema }

    /// `_` or `_N` when that result is a table.
    func numberedTable(_ name: String) -> Table? { numbered.table(name) }

    /// Why `_N` cannot be read, when its table was released to save memory.
    func released(_ name: Name) -> Diagnostic? {
        guard tables[name.text] == nil, definitions[name.text] == nil, let statement = numbered.released(name.text) else { return nil }
        return Diagnostic("result \(name.text) was released to save memory; re-run its statement", at: name.location,
                          hint: "it was `\(statement)`")
    }

    func resultDefinition(_ name: String) -> Pipeline? { definition(name)?.pipeline }
    func parameter(_ name: String) -> Value? {
        if let v = parameters[name] { return v }
        if case .value(let v)? = numbered.output(name) { return v }
        return nil
    }
    func formula(_ name: String) -> (parameters: [String], body: Expr)? {
        formulas[name].map { ($0.parameters, $0.body) }
    }
    var knownNames: [String] { tableOrder + definitionOrder + (transactions == nil ? [] : [Customers360.name]) + parameterOrder }

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
        default: return nil
        }
        return Schema(fields.map { Schema.Field(name: $0.0, type: $0.1) })
    }

    func listing(_ name: String) -> Table? {
        var skipped: [String] = []
        switch name {
        case "tables": return tablesListing(skipped: &skipped)
        case "segments": return segmentsListing(skipped: &skipped)
        case "params": return parametersListing()
        case "formulas": return formulasListing()
        default: return nil
        }
    }

    /// A listing with a warning for each entry left out because it cannot be computed now.
    private func listed(_ make: (inout [String]) -> Table) -> [Output] {
        var skipped: [String] = []
        let table = make(&skipped)
        return skipped.map { Output.warning("left out \($0)") } + [.table(table)]
    }

    // MARK: - Running

    /// Runs every statement of `source` in order, reporting each outcome to `handle`; stops when
    /// `handle` returns false. A failed statement changes nothing.
    public func run(_ source: String, handle: (Result<(Statement, [Output]), Diagnostic>) -> Bool) {
        var parser = Parser(source)
        while true {
            let statement: Statement
            do {
                guard let s = try DeepStack.run({ () throws(Diagnostic) in try parser.next() }) else { return }
                statement = s
            } catch {
                if !handle(.failure(error)) { return }
                parser.skipStatement()
                continue
            }
            do throws(Diagnostic) {
                let outputs: [Output]
                do {
                    outputs = try DeepStack.run { () throws(Diagnostic) in try execute(statement) }
                } catch where error.location == .statement {
                    // Found while running, with no place of its own: the statement's.
                    var placed = error
                    placed.location = statement.location
                    throw placed
                }
                // A table or value that a named result reads is kept however old it is.
                let readers = self.readers
                for o in outputs {
                    switch o {
                    case .table, .value: numbered.append(o, statement: statement.text) { readers["_\($0)"] != nil }
                    default: break
                    }
                }
                if !handle(.success((statement, outputs))) { return }
            } catch {
                if !handle(.failure(error)) { return }
            }
        }
    }

    /// Runs one parsed statement.
    public func execute(_ statement: Statement) throws(Diagnostic) -> [Output] {
        let at = statement.location
        switch statement.kind {
        case .dotCommand(let name, let arguments):
            return [.dotCommand(name: name, arguments: arguments)]
        case .load(let path, let alias, let options):
            return try load(path: path, alias: alias, options: options, at: at)
        case .tables:
            return listed(tablesListing)
        case .describe(let name):
            let plan = try Checker(catalog: self).check(Pipeline(source: name, steps: []))
            return [.table(Describe.table(try evaluate(plan).table))]
        case .assign(let name, let pipeline):
            return try define(name, .result, pipeline, text: definitionText(statement.text))
        case .segment(let name, let source, let predicate, let command):
            let pipeline = Pipeline(source: source, steps: [PipelineStep(step: .filter(predicate), location: predicate.location)], command: command)
            return try define(name, .segment(base: command?.text ?? source.text), pipeline, text: definitionText(statement.text))
        case .formula(let name, let parameters, let body):
            return try defineFormula(name, parameters, body, text: statement.text)
        case .formulas:
            return [.table(formulasListing())]
        case .letParameter(let name, let expr):
            return try setParameter(name, expr)
        case .drop(let names, let cascade):
            return try drop(names, cascade: cascade)
        case .export(let pipeline, let path, let overwrite):
            _ = try Exporter.format(of: path, at: at)
            let plan = try Checker(catalog: self).check(pipeline)
            let (table, warnings) = try evaluate(plan)
            try Exporter.write(table, to: FilePath.resolve(path, in: directory), overwrite: overwrite, at: at, isCancelled: isCancelled,
                               beforeStandardStream: beforeWritingStandardStream)
            let format = ["json": OutputMode.json, "jsonl": .jsonl][(path as NSString).pathExtension.lowercased()]
            let written = format.map { TableRenderer(mode: $0, maxRows: 0).warnings(for: table) } ?? []
            return warnings + written.map(Output.warning) + [.message("exported \(count(table.rowCount, "row")) to \(path)")]
        case .pipeline(let pipeline):
            return try show(pipeline)
        case .expression(let expr):
            if case .name(let n, let loc) = expr, tables[n] != nil || definition(n) != nil || numberedTable(n) != nil || released(Name(text: n, location: loc)) != nil {
                return try show(Pipeline(source: Name(text: n, location: loc), steps: []))
            }
            let (value, warnings) = try scalar(expr)
            return warnings + [.value(value)]
        case .segments:
            return listed(segmentsListing)
        case .profile(let name, let by):
            return try profile(name, by: by)
        case .compare(let names):
            return try compare(names)
        case .overlap(let names):
            return try overlap(names[0], names[1])
        case .params:
            return [.table(parametersListing())]
        case .use(let table, let roles, let asOfExpr):
            return try use(table, roles: roles, asOf: asOfExpr)
        }
    }

    /// A pipeline's table, with a caption when it reads a segment.
    private func show(_ pipeline: Pipeline) throws(Diagnostic) -> [Output] {
        let plan = try Checker(catalog: self).check(pipeline)
        let (table, warnings) = try evaluate(plan)
        var outputs: [Output] = warnings
        if let command = pipeline.command {
            outputs += try analyticsResult(command).work.map(Output.caption)
        } else if let def = definition(pipeline.source.text), case .segment = def.kind {
            outputs.append(.caption(try segmentCaption(pipeline.source.text)))
        }
        if case .chart(let spec)? = plan.steps.last {
            let chart = Chart(spec: spec, table: table)
            if let path = spec.path {
                try writeChart(chart, to: path, overwrite: spec.overwrite, at: pipeline.steps.last!.location)
                return outputs + [.message("wrote \(chart.title) to \(path)")]
            }
            return outputs + [.chart(chart)]
        }
        return outputs + [.table(table)]
    }

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
        executor.resolve = { [unowned self] name throws(Diagnostic) in try self.materialize(name, notes: notes) }
        executor.analytics = { [unowned self] command throws(Diagnostic) in try self.analyticsResult(command).table }
        executor.listing = { [unowned self] name in self.listing(name) }
        return executor
    }

    /// Checks and evaluates an expression that reads no table, with its warnings.
    func scalar(_ expr: Expr) throws(Diagnostic) -> (Value, [Output]) {
        let typed = try Checker(catalog: self).scalar(expr)
        let notes = EvaluationNotes()
        let value = ExpressionEvaluator(table: Table(columnNames: [], columns: [], rowCount: 1), notes: notes).column(typed).value(at: 0)
        return (value, notes.messages.map(Output.warning))
    }

    /// Evaluates one statement given as text and returns its table (for tests and tools).
    public func query(_ source: String) throws(Diagnostic) -> Table {
        var parser = Parser(source)
        guard let statement = try DeepStack.run({ () throws(Diagnostic) in try parser.next() }) else {
            throw Diagnostic("nothing to run", at: SourceLocation(line: 1, column: 1))
        }
        for output in try DeepStack.run({ () throws(Diagnostic) in try execute(statement) }) {
            if case .table(let t) = output { return t }
            if case .value(let v) = output { return Table(columnNames: ["value"], columns: [Column.repeating(v, count: 1, type: v.type)]) }
        }
        throw Diagnostic("the statement gave no table", at: statement.location)
    }

    private func setParameter(_ name: Name, _ expr: Expr) throws(Diagnostic) -> [Output] {
        if tables[name.text] != nil || definition(name.text) != nil {
            throw Diagnostic("`\(name.text)` is already a \(tables[name.text] != nil ? "table" : "result")", at: name.location, hint: "choose another name for the parameter")
        }
        let (value, warnings) = try scalar(expr)
        try allOrNothing { () throws(Diagnostic) in
            if parameters[name.text] == nil { appendUndoably(\.parameterOrder, name.text) }
            guard parameters[name.text] != value else { return }
            change(\.parameters, name.text, to: value)
            touch(name.text)
            // A value of another type may not leave a result that reads it unusable.
            if let broken = try brokenDependents(of: [name.text]) {
                let shown = if case .string(let text) = value { "\"\(text)\"" } else { ValueFormat.display(value) }
                throw Diagnostic("setting `\(name.text)` to \(shown) would break \(broken.names): \(broken.reason)", at: name.location,
                                 hint: "`\(name.text)` keeps its value; give it one of the same type")
            }
        }
        let users = dependents(of: name.text)
        return warnings
            + [.message("\(name.text) = \(ValueFormat.display(value))" + (users.isEmpty ? "" : " (used by \(users.joined(separator: ", ")))"))]
    }

    /// `big = orders | where …` → `orders | where …`.
    private func definitionText(_ statement: String) -> String {
        guard let eq = statement.firstIndex(of: "=") else { return statement }
        return statement[statement.index(after: eq)...].trimmingCharacters(in: .whitespaces)
    }

    private func tablesListing(skipped: inout [String]) -> Table {
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
        return Table(columnNames: ["name", "kind", "rows", "columns", "bytes"],
                     columns: [stringColumn(names), stringColumn(kinds), Column(.int(rows)), Column(.int(columns)), Column(.int(bytes))],
                     rowCount: names.count)
    }
}

/// A string column whose rows each pick one of `labels` labels by number: each label is made
/// once, and codes follow first appearance as in `stringColumn`.
func labelColumn(_ choice: [Int], labels: Int, _ label: (Int) -> String) -> Column {
    var dict = StringDictionary.Builder()
    var codeOf = [Int32](repeating: -1, count: labels)
    let codes = choice.map { k -> Int32 in
        if codeOf[k] < 0 { codeOf[k] = dict.code(for: label(k)) }
        return codeOf[k]
    }
    return Column(.string(codes, StringDictionary(dict)))
}

/// A column of strings (small, for listings).
func stringColumn(_ values: [String], nulls: [Bool]? = nil) -> Column {
    var builder = StringDictionary.Builder()
    let codes = values.map { builder.code(for: $0) }
    let dict = StringDictionary(builder)
    var validity: Bitmap?
    if let nulls, nulls.contains(true) {
        var v = Bitmap(count: values.count)
        for (i, isNull) in nulls.enumerated() where isNull { v.set(i, false) }
        validity = v
    }
    return Column(.string(codes, dict), validity: validity)
}

/// A column of doubles where nil is null (small, for listings).
func doubleColumn(_ values: [Double?]) -> Column {
    var v = Bitmap(count: values.count)
    for (i, x) in values.enumerated() where x == nil || !(x!.isFinite) { v.set(i, false) }
    return Column(.double(values.map { $0.flatMap { $0.isFinite ? $0 : nil } ?? 0 }), validity: v)
}

/// "1,234 rows".
func count(_ n: Int, _ noun: String) -> String {
    "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")"
}

/// 1234567 → "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (k, ch) in digits.enumerated() {
        if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}

import Foundation

/// One clubsh session: the entry point that runs statements, over a catalog of everything
/// named in it (`SessionCatalog`). It reads statements, dispatches each to the catalog, the
/// loader, the writers or the segment reports, and keeps what each shows as `_`, `_1`, ….
///
///     let session = Session()
///     session.run("load \"Samples/data/orders.csv\"\norders | count") { outcome in
///         print(outcome)
///         return true
///     }
public final class Session {
    /// Tables, results, parameters and formulas, with their versions, graph and caches.
    let catalog: SessionCatalog

    /// Every result shown so far, as `_`, `_1`, `_2`, … (see `NumberedResults`).
    public var numbered: NumberedResults { catalog.numbered }
    /// Told how a load is going (file, share done, rows so far, bytes); the shell draws a bar.
    public var loadProgress: (@Sendable (String, Double, Int, Int) -> Void)?
    /// Polled while statements run; the shell sets it to read its Ctrl-C flag.
    public var isCancelled: @Sendable () -> Bool {
        get { catalog.isCancelled }
        set { catalog.isCancelled = newValue }
    }
    /// The language of text written for people, such as the playbooks of `types` (`.lang`).
    public var language: Language {
        get { catalog.language }
        set { catalog.language = newValue }
    }
    /// The calendar months are counted in by `retention by month` and `cohort monthly`, and dates
    /// print in where people read them (`.calendar`).
    public var calendar: CalendarKind {
        get { catalog.calendar }
        set { catalog.calendar = newValue }
    }
    /// The attached engines in the order attached, with the bytes sent to and received from
    /// each since its `attach` (`.timer` shows what one statement moved).
    public var engineTraffic: [(name: String, traffic: EngineTraffic)] {
        catalog.engineOrder.compactMap { name in catalog.engines[name].map { (name, $0.engine.traffic) } }
    }
    /// The folder relative paths in statements are read from and written to (a notebook's own,
    /// under `clubsh run`); nil: the working directory. `~/` is the home folder either way.
    public var directory: String?
    /// What one statement may ask for before it allocates (`.limit memory`).
    public var memoryLimit: MemoryLimit {
        get { catalog.memoryLimit }
        set { catalog.memoryLimit = newValue }
    }
    /// Called before a statement writes to a standard stream (`export … to "/dev/stdout"`), so
    /// the shell can first write out what it has buffered.
    public var beforeWritingStandardStream: @Sendable () -> Void = {}

    public init(asOf: Int32? = nil) {
        catalog = SessionCatalog(asOf: asOf ?? Int32(Int(Date().timeIntervalSince1970) / 86400))
    }

    // MARK: - Running

    /// Runs every statement of `source` in order, reporting each outcome to `handle`; stops when
    /// `handle` returns false. A failed statement changes nothing.
    public func run(_ source: String, handle: (Result<(Statement, [Output]), Diagnostic>) -> Bool) {
        var parser = Parser(source, calendar: { [catalog] in catalog.calendar })
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
                let readers = catalog.readers
                for o in outputs {
                    switch o {
                    case .table, .value: catalog.numbered.append(o, statement: statement.text) { readers["_\($0)"] != nil }
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
            return listed(catalog.tablesListing)
        case .describe(let name):
            if let remote = try catalog.describeRemote(name) { return [.table(remote)] }
            let plan = try Checker(catalog: catalog).check(Pipeline(source: name, steps: []))
            return [.table(Describe.table(try catalog.evaluate(plan).table))]
        case .assign(let name, let pipeline):
            return try catalog.define(name, .result, pipeline, text: Session.definitionText(statement.text))
        case .segment(let name, let source, let predicate, let command):
            let pipeline = Pipeline(source: source, steps: [PipelineStep(step: .filter(predicate), location: predicate.location)], command: command)
            return try catalog.define(name, .segment(base: command?.text ?? source.text), pipeline, text: Session.definitionText(statement.text))
        case .formula(let name, let parameters, let body):
            return try catalog.defineFormula(name, parameters, body, text: statement.text)
        case .formulas:
            return [.table(catalog.formulasListing())]
        case .program(let name, let spec):
            // A program written over several lines is listed on one.
            let text = Session.definitionText(statement.text).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            return try catalog.defineProgram(name, spec, text: text)
        case .programs:
            return [.table(catalog.programsListing())]
        case .campaign(let name, let spec):
            let text = Session.definitionText(statement.text).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            return try catalog.defineCampaign(name, spec, text: text)
        case .campaigns:
            return [.table(catalog.campaignsListing())]
        case .letParameter(let name, let expr):
            return try catalog.setParameter(name, expr)
        case .drop(let names, let cascade):
            return try catalog.drop(names, cascade: cascade)
        case .export(let pipeline, let path, let overwrite):
            _ = try Exporter.format(of: path, at: at)
            let plan = try Checker(catalog: catalog).check(pipeline)
            let (table, warnings) = try catalog.evaluate(plan)
            try Exporter.write(table, to: FilePath.resolve(path, in: directory), overwrite: overwrite, at: at, isCancelled: isCancelled,
                               beforeStandardStream: beforeWritingStandardStream)
            let format = ["json": OutputMode.json, "jsonl": .jsonl][(path as NSString).pathExtension.lowercased()]
            let written = format.map { TableRenderer(mode: $0, maxRows: 0).warnings(for: table) } ?? []
            return warnings + written.map(Output.warning) + [.message("exported \(count(table.rowCount, "row")) to \(path)")]
        case .exportToEngine(let pipeline, let target, let overwrite):
            let plan = try Checker(catalog: catalog).check(pipeline)
            let (table, warnings) = try catalog.evaluate(plan)
            return try warnings + catalog.allOrNothing { () throws(Diagnostic) in try catalog.exportToEngine(table, target: target, overwrite: overwrite) }
        case .attach(let kind, let target, let alias):
            return try catalog.allOrNothing { () throws(Diagnostic) in try catalog.attach(kind, target: target, as: alias, at: at) }
        case .detach(let alias):
            return try catalog.allOrNothing { () throws(Diagnostic) in try catalog.detach(alias) }
        case .pipeline(let pipeline):
            return try show(pipeline)
        case .explainSQL(let dialect, let pipeline):
            return [.text(try explainSQL(pipeline, dialect: dialect, at: at))]
        case .expression(let expr):
            if case .name(let n, let loc) = expr, catalog.tables[n] != nil || catalog.definition(n) != nil || catalog.numberedTable(n) != nil || catalog.remote(n) != nil
                || catalog.released(Name(text: n, location: loc)) != nil {
                return try show(Pipeline(source: Name(text: n, location: loc), steps: []))
            }
            let (value, warnings) = try catalog.scalar(expr)
            return warnings + [.value(value)]
        case .segments:
            return listed(reports.segmentsListing)
        case .profile(let name, let by):
            return try reports.profile(name, by: by)
        case .compare(let names):
            return try reports.compare(names)
        case .overlap(let names):
            return try reports.overlap(names[0], names[1])
        case .params:
            return [.table(catalog.parametersListing())]
        case .use(let table, let roles, let asOfExpr):
            return try catalog.use(table, roles: roles, asOf: asOfExpr)
        }
    }

    /// A pipeline's table, with a caption when it reads a segment.
    private func show(_ pipeline: Pipeline) throws(Diagnostic) -> [Output] {
        let plan = try Checker(catalog: catalog).check(pipeline)
        let (table, warnings) = try catalog.evaluate(plan)
        var outputs: [Output] = warnings
        // The working is written by the in-memory kernels; an engine gives only the table.
        if let command = pipeline.command, !catalog.transactionsAreRemote {
            outputs += try catalog.analyticsResult(command).work.map(Output.caption)
        } else if let def = catalog.definition(pipeline.source.text), case .segment = def.kind {
            outputs.append(.caption(try reports.segmentCaption(pipeline.source.text)))
        }
        if case .chart(let spec)? = plan.steps.last {
            let chart = Chart(spec: spec, table: table, calendar: catalog.calendar)
            if let path = spec.path {
                try writeChart(chart, to: path, overwrite: spec.overwrite, at: pipeline.steps.last!.location)
                return outputs + [.message("wrote \(chart.title) to \(path)")]
            }
            return outputs + [.chart(chart)]
        }
        return outputs + [.table(table)]
    }

    /// `segments`, `profile`, `compare` and `overlap` over this session's catalog.
    private var reports: SegmentReports { SegmentReports(catalog: catalog) }

    /// Evaluates one statement given as text and returns its table (for tests and tools).
    public func query(_ source: String) throws(Diagnostic) -> Table {
        var parser = Parser(source, calendar: { [catalog] in catalog.calendar })
        guard let statement = try DeepStack.run({ () throws(Diagnostic) in try parser.next() }) else {
            throw Diagnostic("nothing to run", at: SourceLocation(line: 1, column: 1))
        }
        for output in try DeepStack.run({ () throws(Diagnostic) in try execute(statement) }) {
            if case .table(let t) = output { return t }
            if case .value(let v) = output { return Table(columnNames: ["value"], columns: [Column.repeating(v, count: 1, type: v.type)]) }
        }
        throw Diagnostic("the statement gave no table", at: statement.location)
    }

    /// `big = orders | where …` → `orders | where …`: the text after the first `=`, without the
    /// spaces and tabs at either end (Foundation's `.whitespaces`, `isSpaceOrTab`; line breaks
    /// stay). Trimmed here rather than with `trimmingCharacters`, whose first use in a process
    /// costs more than a small model fit.
    static func definitionText(_ statement: String) -> String {
        guard let eq = statement.firstIndex(of: "=") else { return statement }
        let scalars = statement.unicodeScalars[statement.index(after: eq)...]
        guard let first = scalars.firstIndex(where: { !isSpaceOrTab($0) }),
              let last = scalars.lastIndex(where: { !isSpaceOrTab($0) }) else { return "" }
        return String(scalars[first...last])
    }

    /// Foundation's `CharacterSet.whitespaces`: tab, the characters of Unicode's category Zs
    /// (space separators) and U+200B, the zero-width space.
    static func isSpaceOrTab(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// A listing with a warning for each entry left out because it cannot be computed now.
    private func listed(_ make: (inout [String]) -> Table) -> [Output] {
        var skipped: [String] = []
        let table = make(&skipped)
        return skipped.map { Output.warning("left out \($0)") } + [.table(table)]
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

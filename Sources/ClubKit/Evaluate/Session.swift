import Foundation

/// The catalog of everything named in one clubsh session — tables, named results, parameters —
/// and the one entry point that runs statements. No global state: two sessions share nothing.
///
///     let session = Session()
///     session.run("load \"Samples/data/orders.csv\"\norders | count") { outcome in
///         print(outcome)
///         return true
///     }
public final class Session: Catalog {
    /// Loaded tables, by name, and the order they were loaded in.
    public private(set) var tables: [String: Table] = [:]
    public private(set) var tableOrder: [String] = []
    /// Where each table was loaded from (for messages).
    var tableSources: [String: String] = [:]
    /// Named results: their definitions, recomputed on use.
    public private(set) var results: [String: Pipeline] = [:]
    public private(set) var resultOrder: [String] = []
    public private(set) var parameters: [String: Value] = [:]
    public private(set) var parameterOrder: [String] = []
    /// The date `days_since` counts to: today unless set.
    public var asOf: Int32

    public init(asOf: Int32? = nil) {
        self.asOf = asOf ?? Int32(Int(Date().timeIntervalSince1970) / 86400)
    }

    // MARK: - Catalog

    public func tableSchema(_ name: String) -> Schema? { tables[name]?.schema }
    public func resultDefinition(_ name: String) -> Pipeline? { results[name] }
    public func parameter(_ name: String) -> Value? { parameters[name] }
    public var knownNames: [String] { tableOrder + resultOrder + parameterOrder }

    // MARK: - Running

    /// Runs every statement of `source` in order, reporting each outcome to `handle`; stops when
    /// `handle` returns false. A failed statement changes nothing.
    public func run(_ source: String, handle: (Result<(Statement, [Output]), Diagnostic>) -> Bool) {
        var parser = Parser(source)
        while true {
            let statement: Statement
            do {
                guard let s = try parser.next() else { return }
                statement = s
            } catch {
                if !handle(.failure(error)) { return }
                parser.skipStatement()
                continue
            }
            do {
                let outputs = try execute(statement)
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
            return [.table(tablesListing())]
        case .describe(let name):
            let plan = try Checker(catalog: self).check(Pipeline(source: name, steps: []))
            return [.table(Describe.table(evaluate(plan).table))]
        case .assign(let name, let pipeline):
            if tables[name.text] != nil {
                throw Diagnostic("`\(name.text)` is a loaded table", at: name.location, hint: "choose another name for the result, or `drop \(name.text)` first")
            }
            if parameters[name.text] != nil {
                throw Diagnostic("`\(name.text)` is a parameter", at: name.location, hint: "choose another name for the result")
            }
            let plan = try Checker(catalog: self).checkDefinition(name.text, pipeline)
            let (table, warnings) = evaluate(plan)
            if results[name.text] == nil { resultOrder.append(name.text) }
            results[name.text] = pipeline
            return warnings + [.message("\(name.text): \(count(table.rowCount, "row")) × \(count(table.columns.count, "column"))")]
        case .letParameter(let name, let expr):
            if tables[name.text] != nil || results[name.text] != nil {
                throw Diagnostic("`\(name.text)` is already a \(tables[name.text] != nil ? "table" : "result")", at: name.location, hint: "choose another name for the parameter")
            }
            let typed = try Checker(catalog: self).scalar(expr)
            let notes = EvaluationNotes()
            let value = ExpressionEvaluator(table: Table(columnNames: [], columns: [], rowCount: 1), notes: notes).column(typed).value(at: 0)
            if parameters[name.text] == nil { parameterOrder.append(name.text) }
            parameters[name.text] = value
            return notes.messages.map(Output.warning) + [.message("\(name.text) = \(ValueFormat.display(value))")]
        case .drop(let names):
            for n in names where tables[n.text] == nil && results[n.text] == nil && parameters[n.text] == nil {
                throw Diagnostic("nothing is named `\(n.text)`", at: n.location, hint: Suggest.hint(for: n.text, among: knownNames))
            }
            for n in names {
                tables[n.text] = nil
                results[n.text] = nil
                parameters[n.text] = nil
                tableOrder.removeAll { $0 == n.text }
                resultOrder.removeAll { $0 == n.text }
                parameterOrder.removeAll { $0 == n.text }
            }
            return [.message("dropped \(names.map(\.text).joined(separator: ", "))")]
        case .export(let pipeline, let path, let overwrite):
            let plan = try Checker(catalog: self).check(pipeline)
            let (table, warnings) = evaluate(plan)
            try Exporter.write(table, to: path, overwrite: overwrite, at: at)
            return warnings + [.message("exported \(count(table.rowCount, "row")) to \(path)")]
        case .pipeline(let pipeline):
            let plan = try Checker(catalog: self).check(pipeline)
            let (table, warnings) = evaluate(plan)
            return warnings + [.table(table)]
        case .expression(let expr):
            if case .name(let n, let loc) = expr, tables[n] != nil || results[n] != nil {
                let plan = try Checker(catalog: self).check(Pipeline(source: Name(text: n, location: loc), steps: []))
                let (table, warnings) = evaluate(plan)
                return warnings + [.table(table)]
            }
            let typed = try Checker(catalog: self).scalar(expr)
            let notes = EvaluationNotes()
            let value = ExpressionEvaluator(table: Table(columnNames: [], columns: [], rowCount: 1), notes: notes).column(typed).value(at: 0)
            return notes.messages.map(Output.warning) + [.value(value)]
        }
    }

    /// Runs a checked plan, returning the table and any warnings.
    func evaluate(_ plan: Plan) -> (table: Table, warnings: [Output]) {
        let notes = EvaluationNotes()
        let table = Executor(tables: tables, notes: notes).run(plan)
        return (table, notes.messages.map(Output.warning))
    }

    /// Evaluates a pipeline given as text (for tests and tools).
    public func query(_ source: String) throws(Diagnostic) -> Table {
        var parser = Parser(source)
        guard let statement = try parser.next() else { throw Diagnostic("nothing to run", at: SourceLocation(line: 1, column: 1)) }
        for output in try execute(statement) {
            if case .table(let t) = output { return t }
            if case .value(let v) = output { return Table(columnNames: ["value"], columns: [Column.repeating(v, count: 1, type: v.type)]) }
        }
        throw Diagnostic("the statement gave no table", at: statement.location)
    }

    // MARK: - Statements

    private func load(path: String, alias: Name?, options: [LoadOption], at: SourceLocation) throws(Diagnostic) -> [Output] {
        var csv = CSVOptions()
        for option in options {
            switch (option.name, option.value) {
            case ("lenient", _): csv.lenient = true
            case ("header", .bool(let b)): csv.header = b
            case ("names", .names(let n)): csv.names = n
            case ("date_format", .string(let f)):
                guard DatePattern(f) != nil else {
                    throw Diagnostic("date_format \"\(f)\" is not a date pattern", at: option.location, hint: "use y, M, d (and H, m, s), like \"yyyyMMdd\" or \"dd/MM/yyyy\"")
                }
                csv.dateFormat = f
            case ("types", .types(let pairs)):
                for (column, typeName) in pairs {
                    guard let t = DataType.named(typeName), t != .duration, t != .null else {
                        throw Diagnostic("unknown type `\(typeName)`", at: option.location,
                                         hint: Suggest.hint(for: typeName, among: ["int", "double", "bool", "date", "datetime", "string"]) ?? "the types are int, double, bool, date, datetime, string")
                    }
                    csv.types[column] = t
                }
            case ("delim", .word(let w)), ("delim", .string(let w)):
                switch w {
                case "tab", "\t", "\\t": csv.delimiter = .byte(9)
                case "whitespace", "space", "spaces": csv.delimiter = .whitespace
                case "comma": csv.delimiter = .byte(44)
                case "semicolon": csv.delimiter = .byte(59)
                case "pipe": csv.delimiter = .byte(124)
                default:
                    guard w.utf8.count == 1, let b = w.utf8.first, b != 34, b != 10 else {
                        throw Diagnostic("`delim` takes one character, `tab` or `whitespace`, not \"\(w)\"", at: option.location)
                    }
                    csv.delimiter = .byte(b)
                }
            default:
                throw Diagnostic("option `\(option.name)` does not take that value", at: option.location)
            }
        }
        let name = alias?.text ?? Self.tableName(forPath: path)
        if results[name] != nil || parameters[name] != nil {
            throw Diagnostic("`\(name)` is already a \(results[name] != nil ? "named result" : "parameter")", at: alias?.location ?? at,
                             hint: "load it under another name with `as`")
        }
        let started = Date()
        let result: LoadResult
        do {
            result = try CSVReader.read(path: path, options: csv)
        } catch let e as LoadError {
            var hint: String?
            if e.line == 0, e.message == "no such file" { hint = Self.nearbyFile(path).map { "did you mean \"\($0)\"?" } }
            throw Diagnostic("cannot load \(e.description)", at: at, hint: hint)
        } catch {
            throw Diagnostic("cannot load \(path): \(error)", at: at)
        }
        if tables[name] == nil { tableOrder.append(name) }
        tables[name] = result.table
        tableSources[name] = path
        let seconds = Date().timeIntervalSince(started)
        var outputs: [Output] = [.message("loaded \(name): \(count(result.table.rowCount, "row")) × \(count(result.table.columns.count, "column")) from \(path) in \(String(format: "%.2f", seconds)) s")]
        if result.skippedRows > 0 {
            let lines = result.skipped.map { "line \($0.line): \($0.message)" }.joined(separator: "; ")
            outputs.append(.warning("skipped \(count(result.skippedRows, "row")) that did not parse (\(lines)\(result.skippedRows > result.skipped.count ? "; …" : ""))"))
        }
        return outputs
    }

    /// `Samples/data/orders.csv` → `orders`: the file stem, made into an identifier.
    static func tableName(forPath path: String) -> String {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var name = String(stem.unicodeScalars.map { isIdentifierPart($0) ? Character($0) : "_" })
        if let f = name.unicodeScalars.first, !isIdentifierStart(f) { name = "_" + name }
        return name.isEmpty ? "table" : name
    }

    /// A file in the same folder whose name is close to the missing one.
    static func nearbyFile(_ path: String) -> String? {
        let dir = (path as NSString).deletingLastPathComponent
        let file = (path as NSString).lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir),
              let match = Suggest.closest(to: file, among: entries) else { return nil }
        return dir.isEmpty ? match : (dir as NSString).appendingPathComponent(match)
    }

    private func tablesListing() -> Table {
        var names: [String] = [], kinds: [String] = [], rows: [Int64] = [], columns: [Int64] = [], bytes: [Int64] = []
        for name in tableOrder {
            let t = tables[name]!
            names.append(name); kinds.append("table")
            rows.append(Int64(t.rowCount)); columns.append(Int64(t.columns.count)); bytes.append(Int64(t.bytes))
        }
        for name in resultOrder {
            guard let def = results[name], let plan = try? Checker(catalog: self).check(def) else { continue }
            let t = evaluate(plan).table
            names.append(name); kinds.append("result")
            rows.append(Int64(t.rowCount)); columns.append(Int64(t.columns.count)); bytes.append(Int64(t.bytes))
        }
        return Table(columnNames: ["name", "kind", "rows", "columns", "bytes"],
                     columns: [Column(.string(names.indices.map { Int32($0) }, StringDictionary(values: names))),
                               stringColumn(kinds), Column(.int(rows)), Column(.int(columns)), Column(.int(bytes))],
                     rowCount: names.count)
    }
}

/// A column of strings (small, for listings).
func stringColumn(_ values: [String], nulls: [Bool]? = nil) -> Column {
    let dict = StringDictionary()
    let codes = values.map { dict.code(for: $0) }
    var validity: Bitmap?
    if let nulls, nulls.contains(true) {
        var v = Bitmap(count: values.count)
        for (i, isNull) in nulls.enumerated() where isNull { v.set(i, false) }
        validity = v
    }
    return Column(.string(codes, dict), validity: validity)
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

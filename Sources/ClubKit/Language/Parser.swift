/// A hand-written recursive-descent parser: tokens → statements (brief §2–§4).
///
/// It hands out one statement at a time so a script runs up to its first bad statement; after
/// an error, `skipStatement()` moves past it (for `--keep-going`).
///
///     var parser = Parser("orders | where amount > 100 | take 5")
///     let statement = try parser.next()
/// The words that start a pipeline step. The parser switches over every case, and help and
/// completion list them all, so a new step is a case here, its parsing, and its help topic.
enum StepWord: String, CaseIterable {
    case `where`, select, derive, agg, sort, take, top, distinct, join, left, count, chart
}

/// The words that start a statement, in the order `.help` lists them.
enum StatementWord: String, CaseIterable {
    case load, tables, describe, `let`, drop, export, segment, segments, profile, compare, overlap, params, use, formula, formulas, program, programs, campaigns, explain, attach, detach
}

public struct Parser {
    let tokens: [Token]
    let lines: [Substring]
    var p = 0
    /// How deep the expression being parsed nests (see `maxDepth`).
    var depth = 0

    /// The step names, for "did you mean".
    static var stepNames: [String] { StepWord.allCases.map(\.rawValue) }
    /// Words that start a statement.
    static var statementWords: [String] { StatementWord.allCases.map(\.rawValue) }

    /// The calendar a date literal is read in, asked as each statement is parsed: a `.calendar`
    /// dot command earlier in the same text applies to the statements after it.
    var calendar: () -> CalendarKind = { .gregorian }

    init(_ source: String, calendar: @escaping () -> CalendarKind = { .gregorian }) {
        self.calendar = calendar
        tokens = Lexer.tokenize(source)
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Parses every statement of `source` (stopping at the first error).
    public static func parseAll(_ source: String) throws -> [Statement] {
        var parser = Parser(source)
        var out: [Statement] = []
        while let s = try parser.next() { out.append(s) }
        return out
    }

    var current: Token { tokens[p] }
    func peek(_ k: Int = 1) -> Token { tokens[min(p + k, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    /// Moves past the rest of the current statement.
    mutating func skipStatement() {
        while current.kind != .end && current.kind != .eof { advance() }
        if current.kind == .end { advance() }
    }

    /// The next statement, or nil at the end of the input.
    mutating func next() throws(Diagnostic) -> Statement? {
        while current.kind == .end { advance() }
        if current.kind == .eof { return nil }
        let start = current, startIndex = p
        let kind = try statement()
        try invalidCheck()
        guard current.kind == .end || current.kind == .eof else {
            // `retension start 100 …`: a misspelt statement or command reads as a name followed
            // by stray words; say what it was likely meant to be.
            if p == startIndex + 1, case .identifier(let w, _) = start.kind,
               let hint = Suggest.hint(for: w, among: Parser.statementWords + AnalyticsCommands.names) {
                throw Diagnostic("unknown statement `\(w)`", at: start.location, hint: hint)
            }
            throw Diagnostic("unexpected \(current.display); expected the end of the statement", at: current.location,
                             hint: extraHint())
        }
        let last = tokens[max(p - 1, 0)]
        if current.kind == .end { advance() }
        return Statement(kind: kind, location: start.location, text: text(from: start.location, to: last.location))
    }

    func extraHint() -> String? {
        if current.isSymbol("=") { return "use `==` to compare" }
        if let w = current.word, Parser.stepNames.contains(w) { return "steps are separated by `|`" }
        return nil
    }

    func text(from a: SourceLocation, to b: SourceLocation) -> String {
        guard a.line >= 1, b.line <= lines.count, a.line <= b.line else { return "" }
        if a.line == b.line {
            let l = Array(lines[a.line - 1].unicodeScalars)
            let end = min(l.count, b.column - 1 + b.length)
            let from = min(max(0, a.column - 1), end)
            return String(String.UnicodeScalarView(l[from..<end]))
        }
        return lines[(a.line - 1)...(b.line - 1)].joined(separator: "\n").trimmingSpaces()
    }

    // MARK: - Statements

    mutating func statement() throws(Diagnostic) -> StatementKind {
        let t = current
        // `| agg …` on a line of its own: the pipeline it continues already ran.
        if t.isSymbol("|") {
            throw Diagnostic("a statement cannot start with `|`", at: t.location,
                             hint: "at the prompt a complete line runs at once: to continue a pipeline on the next line, end the line with `|` (orders |⏎ agg …)")
        }
        if case .dotCommand(let name, let args) = t.kind {
            advance()
            return .dotCommand(name, args)
        }
        // `help` and `help TOPIC` are `.help` for people who type it without the dot.
        if t.word == "help", peek().kind == .end || peek().kind == .eof || (peek().word != nil && (peek(2).kind == .end || peek(2).kind == .eof)) {
            advance()
            let topic = current.word ?? ""
            if !topic.isEmpty { advance() }
            return .dotCommand("help", topic)
        }
        // `campaign NAME = …` defines a campaign; `campaign NAME [by COLUMN]` measures it.
        if t.word == CampaignCommand.help.name, peek().word != nil, peek(2).isSymbol("=") { advance(); return try campaign() }
        if let w = t.word, AnalyticsCommand.names.contains(w), !peek().isSymbol("=") {
            return .pipeline(try pipelineSteps(source: Name(text: w, location: t.location), command: try command()))
        }
        if let w = t.word, peek().kind != .symbol("="), !peek().isSymbol("|") {
            // Every statement word has a case (the compiler checks); a `where` tells a
            // statement from a table of the same name.
            switch StatementWord(rawValue: w) {
            case .load?: advance(); return try load()
            case .tables? where peek().kind == .end || peek().kind == .eof: advance(); return .tables
            case .describe?: advance(); return .describe(try name("a table name"))
            case .let?: advance(); return try letParameter()
            case .drop?:
                advance()
                let names = try nameList()
                let cascade = current.word == "cascade"
                if cascade { advance() }
                return .drop(names, cascade: cascade)
            case .segment? where peek().word != nil: advance(); return try segment()
            case .segments? where peek().kind == .end || peek().kind == .eof: advance(); return .segments
            case .params? where peek().kind == .end || peek().kind == .eof: advance(); return .params
            case .profile? where peek().word != nil:
                advance()
                let n = try name("a segment to profile")
                var by: Name?
                if current.word == "by" { advance(); by = try name("a numeric column after `by`") }
                return .profile(n, by: by)
            case .compare? where peek().word != nil: advance(); return .compare(try nameList("a segment to compare"))
            case .overlap? where peek().word != nil:
                advance()
                let names = try nameList("a segment")
                guard names.count == 2 else { throw Diagnostic("`overlap` takes two segments, as in `overlap vip, lapsed`", at: t.location) }
                return .overlap(names)
            case .use? where peek().word != nil: advance(); return try use()
            case .formulas? where peek().kind == .end || peek().kind == .eof: advance(); return .formulas
            case .formula? where peek().word != nil: advance(); return try formula()
            case .export?: advance(); return try export()
            case .program? where peek().word != nil: advance(); return try program()
            case .programs? where peek().kind == .end || peek().kind == .eof: advance(); return .programs
            case .campaigns? where peek().kind == .end || peek().kind == .eof: advance(); return .campaigns
            case .attach? where peek().word != nil: advance(); return try attach()
            case .detach? where peek().word != nil && (peek(2).kind == .end || peek(2).kind == .eof):
                advance()
                return .detach(try name("an engine's name after `detach`"))
            case .explain? where peek().word == "sql": advance(); return try explainSQL()
            case .tables?, .segment?, .segments?, .params?, .profile?, .compare?, .overlap?, .use?, .formulas?, .formula?, .program?, .programs?, .campaigns?, .explain?,
                 .attach?, .detach?, nil: break
            }
        }
        if case .identifier(let n, _) = t.kind, peek().isSymbol("=") {
            advance(); advance()
            if let w = current.word, AnalyticsCommand.names.contains(w) {
                let source = Name(text: w, location: current.location)
                return .assign(Name(text: n, location: t.location), try pipelineSteps(source: source, command: try command()))
            }
            let source = try name("a table or result to name")
            let pipeline = try pipelineSteps(source: source)
            return .assign(Name(text: n, location: t.location), pipeline)
        }
        let expr = try expression()
        if current.isSymbol("|") {
            guard case .name(let n, let loc) = expr else {
                throw Diagnostic("a pipeline starts with a table or result name", at: expr.location)
            }
            return .pipeline(try pipelineSteps(source: Name(text: n, location: loc)))
        }
        return .expression(expr)
    }

    /// `explain sql [dialect NAME] <pipeline or command>`: the pipeline bound, not run, and
    /// shown as one SQL query.
    mutating func explainSQL() throws(Diagnostic) -> StatementKind {
        let sql = advance()
        var dialect = SQLDialect.duckdb
        // `dialect` followed by a word picks the dialect; followed by `|` it is a table's name.
        if current.word == "dialect", let w = peek().word {
            advance()
            guard let d = SQLDialect(rawValue: w.lowercased()) else {
                throw Diagnostic("unknown SQL dialect `\(w)`", at: current.location,
                                 hint: Suggest.hint(for: w.lowercased(), among: SQLDialect.allCases.map(\.rawValue)) ?? "the dialects are \(SQLDialect.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            dialect = d
            advance()
        }
        guard current.kind != .end, current.kind != .eof else {
            throw Diagnostic("`explain sql` needs a pipeline to compile", at: sql.location,
                             hint: "for example: explain sql orders | agg spend = sum(amount) by channel")
        }
        let at = current.location
        switch try statement() {
        case .pipeline(let pipeline):
            return .explainSQL(dialect, pipeline)
        case .expression(.name(let n, let loc)):
            return .explainSQL(dialect, Pipeline(source: Name(text: n, location: loc), steps: []))
        default:
            throw Diagnostic("`explain sql` compiles a pipeline, a table or an analytics command, not this statement", at: at,
                             hint: "for example: explain sql orders | where amount > 100")
        }
    }

    mutating func load() throws(Diagnostic) -> StatementKind {
        guard case .string(let path) = current.kind else {
            throw Diagnostic("`load` needs a file path in quotes", at: current.location, hint: "for example: load \"Samples/data/orders.csv\"")
        }
        advance()
        var alias: Name?
        var options: [LoadOption] = []
        // `sheet "Orders"` picks a workbook's sheet; it may come before or after `as`.
        for _ in 0..<2 {
            if current.word == "sheet" && !options.contains(where: { $0.name == "sheet" }) {
                options.append(try loadOption())
            } else if current.word == "as" && alias == nil {
                advance()
                alias = try name("a table name after `as`")
            }
        }
        if current.word == "with" {
            advance()
            repeat {
                if current.isSymbol(",") { advance() }
                options.append(try loadOption())
            } while current.isSymbol(",")
        }
        return .load(path: path, as: alias, options: options)
    }

    private static let loadOptionNames = ["delim", "header", "names", "date_format", "calendar", "types", "lenient", "sheet", "format"]

    mutating func loadOption() throws(Diagnostic) -> LoadOption {
        guard let w = current.word else {
            throw Diagnostic("expected a load option (\(Self.loadOptionNames.joined(separator: ", "))), found \(current.display)", at: current.location)
        }
        let loc = current.location
        advance()
        switch w {
        case "lenient":
            return LoadOption(name: w, value: .flag, location: loc)
        case "delim", "delimiter":
            switch current.kind {
            case .string(let s): advance(); return LoadOption(name: "delim", value: .string(s), location: loc)
            case .identifier(let s, _): advance(); return LoadOption(name: "delim", value: .word(s), location: loc)
            case .symbol(let s) where s != ",": advance(); return LoadOption(name: "delim", value: .string(s), location: loc)
            default: throw Diagnostic("`delim` takes a character in quotes, `tab` or `whitespace`", at: current.location)
            }
        case "header":
            guard let b = current.word, b == "true" || b == "false" else {
                throw Diagnostic("`header` takes true or false", at: current.location)
            }
            advance()
            return LoadOption(name: w, value: .bool(b == "true"), location: loc)
        case "sheet":
            guard case .string(let s) = current.kind else {
                throw Diagnostic("`sheet` takes the sheet's name in quotes, like sheet \"Orders\"", at: current.location)
            }
            advance()
            return LoadOption(name: w, value: .string(s), location: loc)
        case "date_format":
            guard case .string(let s) = current.kind else {
                throw Diagnostic("`date_format` takes a pattern in quotes, like \"yyyyMMdd\"", at: current.location)
            }
            advance()
            return LoadOption(name: w, value: .string(s), location: loc)
        case "format":
            guard let format = current.word else {
                throw Diagnostic("`format` takes csv or json", at: current.location)
            }
            advance()
            return LoadOption(name: w, value: .word(format), location: loc)
        case "calendar":
            guard let calendar = current.word else {
                throw Diagnostic("`calendar` takes jalali or gregorian", at: current.location)
            }
            advance()
            return LoadOption(name: w, value: .word(calendar), location: loc)
        case "names":
            try expect("(", "after `names`")
            var names: [String] = []
            repeat {
                if current.isSymbol(",") { advance() }
                names.append(try name("a column name").text)
            } while current.isSymbol(",")
            try expect(")", "to close `names (…)`")
            return LoadOption(name: w, value: .names(names), location: loc)
        case "types":
            try expect("(", "after `types`")
            var pairs: [(String, String)] = []
            repeat {
                if current.isSymbol(",") { advance() }
                let column = try name("a column name").text
                try expect(":", "between a column and its type, as in `types (joined: date)`")
                pairs.append((column, try name("a type (int, double, bool, date, datetime, string)").text))
            } while current.isSymbol(",")
            try expect(")", "to close `types (…)`")
            return LoadOption(name: w, value: .types(pairs), location: loc)
        default:
            throw Diagnostic("unknown load option `\(w)`", at: loc,
                             hint: Suggest.hint(for: w, among: Self.loadOptionNames) ?? "the options are \(Self.loadOptionNames.joined(separator: ", "))")
        }
    }

    mutating func letParameter() throws(Diagnostic) -> StatementKind {
        let n = try name("a parameter name after `let`")
        guard current.isSymbol("=") else {
            throw Diagnostic("expected `=` after `let \(n.text)`", at: current.location, hint: "for example: let threshold = 1000")
        }
        advance()
        return .letParameter(n, try expression())
    }

    mutating func nameList(_ what: String = "a name to drop") throws(Diagnostic) -> [Name] {
        var names = [try name(what)]
        while current.isSymbol(",") {
            advance()
            names.append(try name(what))
        }
        return names
    }

    mutating func segment() throws(Diagnostic) -> StatementKind {
        let n = try name("a segment name")
        guard current.isSymbol("=") else {
            throw Diagnostic("expected `=` after `segment \(n.text)`", at: current.location, hint: "for example: segment vip = customers360 where spend >= 1000")
        }
        advance()
        if let w = current.word, AnalyticsCommand.names.contains(w) {
            let source = Name(text: w, location: current.location)
            let command = try command()
            guard current.word == "where" else { throw Diagnostic("expected `where` and a condition after `\(command.text)`", at: current.location) }
            advance()
            return .segment(n, source: source, predicate: try expression(), command: command)
        }
        let source = try name("a table, result or segment to take the segment from")
        guard current.word == "where" else {
            throw Diagnostic("expected `where` and a condition after `segment \(n.text) = \(source.text)`", at: current.location,
                             hint: "for example: segment \(n.text) = \(source.text) where spend >= 1000")
        }
        advance()
        return .segment(n, source: source, predicate: try expression(), command: nil)
    }

    mutating func use() throws(Diagnostic) -> StatementKind {
        let table = try name("the transactions table after `use`")
        var roles: [UseRole] = []
        if current.isSymbol("(") {
            advance()
            repeat {
                if current.isSymbol(",") { advance() }
                let role = try name("a role (customer, date or amount)")
                try expect("=", "after the role `\(role.text)`")
                roles.append(UseRole(role: role, column: try name("a column name")))
            } while current.isSymbol(",")
            try expect(")", "to close the roles")
        }
        var asOf: Expr?
        if current.word == "as_of" {
            advance()
            asOf = try expression()
        }
        return .use(table, roles: roles, asOf: asOf)
    }

    mutating func export() throws(Diagnostic) -> StatementKind {
        var pipeline: Pipeline
        if let w = current.word, AnalyticsCommand.names.contains(w) {
            let source = Name(text: w, location: current.location)
            pipeline = try pipelineSteps(source: source, command: try command())
        } else {
            let source = try name("a table or result to export")
            pipeline = Pipeline(source: source, steps: [])
            if current.isSymbol("|") { pipeline = try pipelineSteps(source: source) }
        }
        let source = pipeline.source
        guard current.word == "to" else {
            throw Diagnostic("expected `to \"file.csv\"` after `export \(source.text)`", at: current.location)
        }
        advance()
        // `export vip to pg.club_vip`: a table in an attached engine.
        if case .identifier(let target, _) = current.kind, target.contains(".") {
            let name = Name(text: target, location: advance().location)
            let overwrite = current.word == "overwrite"
            if overwrite { advance() }
            return .exportToEngine(pipeline, table: name, overwrite: overwrite)
        }
        guard case .string(let path) = current.kind else {
            throw Diagnostic("`export … to` needs a file path in quotes, or an attached engine's table (pg.NAME)", at: current.location)
        }
        advance()
        var overwrite = false
        if current.word == "overwrite" {
            advance()
            overwrite = true
        }
        return .export(pipeline, path: path, overwrite: overwrite)
    }

    /// `attach postgres "host=/tmp/pg dbname=club" as pg`, `attach spark "local[2]" as sp`.
    mutating func attach() throws(Diagnostic) -> StatementKind {
        let kindName = try name("an engine (\(EngineKind.allCases.map(\.rawValue).joined(separator: " or ")))")
        guard EngineKind(rawValue: kindName.text) != nil else {
            throw Diagnostic("unknown engine `\(kindName.text)`", at: kindName.location,
                             hint: Suggest.hint(for: kindName.text, among: EngineKind.allCases.map(\.rawValue)) ?? "the engines are \(EngineKind.allCases.map(\.rawValue).joined(separator: " and "))")
        }
        guard case .string(let target) = current.kind else {
            throw Diagnostic("`attach \(kindName.text)` needs where the engine is, in quotes", at: current.location,
                             hint: kindName.text == "postgres" ? "for example: attach postgres \"host=/tmp/pg dbname=club\" as pg" : "for example: attach spark \"local[2]\" as sp")
        }
        advance()
        guard current.word == "as" else {
            throw Diagnostic("expected `as NAME` after the engine's address", at: current.location, hint: "the name prefixes its tables: `as pg` gives pg.orders")
        }
        advance()
        let alias = try name("a name for the engine after `as`")
        guard !alias.text.contains(".") else { throw Diagnostic("an engine's name has no `.`", at: alias.location) }
        return .attach(kindName.text, target: target, as: alias)
    }

    // MARK: - Pipelines

    mutating func pipelineSteps(source: Name, command: AnalyticsCommand? = nil) throws(Diagnostic) -> Pipeline {
        var command = command
        // `types | members`: the per-customer form of a command.
        if command != nil, current.isSymbol("|"), peek().word == "members" {
            advance()
            command?.arguments.append(.word("members", advance().location))
        }
        var steps: [PipelineStep] = []
        while current.isSymbol("|") {
            advance()
            try invalidCheck()
            let loc = current.location
            steps.append(PipelineStep(step: try step(), location: loc))
        }
        return Pipeline(source: source, steps: steps, command: command)
    }

    /// An analytics command: its name, then words and values up to `|`, `where` or the end.
    mutating func command() throws(Diagnostic) -> AnalyticsCommand {
        let head = advance()
        var arguments: [AnalyticsCommand.Argument] = []
        var sawWith = false
        while true {
            try invalidCheck()
            let t = current
            if t.kind == .end || t.kind == .eof || t.isSymbol("|") || t.word == "where" { break }
            switch t.kind {
            case .symbol(","): advance()
            case .identifier(let w, _):
                advance()
                // `with` opens the options, after the command's name or after its dates
                // (`lifecycle from A to B with new_days 30`); a second one is an error.
                if w == "with" && !sawWith {
                    sawWith = true
                    continue
                }
                var word = w
                while current.isSymbol("."), case .identifier(let more, _) = peek().kind {
                    advance(); advance()
                    word += "." + more
                }
                arguments.append(.word(word, t.location))
            case .int(let v): advance(); arguments.append(.value(.int(v), t.location))
            case .double(let v): advance(); arguments.append(.value(.double(v), t.location))
            case .percent(let v): advance(); arguments.append(.percent(v, t.location))
            case .string(let v): advance(); arguments.append(.value(.string(v), t.location))
            case .date(let v): advance(); arguments.append(.value(try date(v, at: t.location), t.location))
            case .duration(let v): advance(); arguments.append(.value(.duration(v), t.location))
            default:
                throw Diagnostic("unexpected \(t.display) in `\(head.word ?? "")`", at: t.location, hint: "`.help \(head.word ?? "")` shows how to write it")
            }
        }
        return AnalyticsCommand(name: head.word ?? "", arguments: arguments, location: head.location)
    }

    /// `formula name(a, b) = expression`.
    mutating func formula() throws(Diagnostic) -> StatementKind {
        let n = try name("a formula name")
        try expect("(", "after the formula name, as in `formula crr(S, E, N) = (E - N) / S * 100`")
        var parameters: [Name] = []
        if !current.isSymbol(")") {
            repeat {
                if current.isSymbol(",") { advance() }
                parameters.append(try name("a parameter name"))
            } while current.isSymbol(",")
        }
        try expect(")", "to close the parameters")
        try expect("=", "before the formula's expression")
        return .formula(n, parameters, try expression())
    }

    mutating func step() throws(Diagnostic) -> Step {
        let t = current
        guard let w = t.word else {
            throw Diagnostic("expected a step after `|`, found \(t.display)", at: t.location, hint: "the steps are \(Self.stepNames.filter { $0 != "left" }.joined(separator: ", "))")
        }
        guard let word = StepWord(rawValue: w) else {
            throw Diagnostic("unknown step `\(w)`", at: t.location,
                             hint: Suggest.hint(for: w, among: Self.stepNames) ?? "the steps are \(Self.stepNames.filter { $0 != "left" }.joined(separator: ", "))")
        }
        advance()
        switch word {
        case .where: return .filter(try expression())
        case .select: return .select(try namedExprs(requireNames: false))
        case .derive: return .derive(try namedExprs(requireNames: true))
        case .agg:
            let aggs = current.word == "by" ? [] : try namedExprs(requireNames: false)
            var by: [NamedExpr] = []
            if current.word == "by" {
                advance()
                by = try namedExprs(requireNames: false)
            }
            if aggs.isEmpty && by.isEmpty { throw Diagnostic("`agg` needs at least one aggregate, like `agg n = count()`", at: t.location) }
            return .aggregate(aggs, by: by)
        case .sort: return .sort(try sortKeys().map(\.key))
        case .take: return .take(try count(after: "take"))
        case .top:
            let n = try count(after: "top")
            guard current.word == "by" else {
                throw Diagnostic("expected `by` after `top \(n)`", at: current.location, hint: "for example: top 10 by spend")
            }
            advance()
            var keys = try sortKeys()
            for k in keys.indices where !keys[k].explicit { keys[k].key.descending = true }
            return .top(n, keys.map(\.key))
        case .distinct:
            var names: [Name] = []
            if current.kind != .end && current.kind != .eof && !current.isSymbol("|") {
                names.append(try name("a column name"))
                while current.isSymbol(",") { advance(); names.append(try name("a column name")) }
            }
            return .distinct(names)
        case .join, .left:
            if word == .left {
                guard current.word == "join" else { throw Diagnostic("expected `join` after `left`", at: current.location) }
                advance()
            }
            let other = try name("a table to join")
            guard current.word == "on" else {
                throw Diagnostic("expected `on` after `join \(other.text)`", at: current.location, hint: "for example: join customers on customer_id == id")
            }
            advance()
            return .join(left: word == .left, other, on: try expression())
        case .count: return .count
        case .chart:
            guard let k = current.word, let kind = ChartKind(rawValue: k) else {
                throw Diagnostic("`chart` takes bar, line, hist, heatmap or flow", at: current.location,
                                 hint: current.word.flatMap { Suggest.hint(for: $0, among: ChartKind.allCases.map(\.rawValue)) } ?? "for example: chart bar")
            }
            advance()
            var column: Name?
            if kind == .hist { column = try name("the column to draw a histogram of, as in `chart hist amount`") }
            var path: String?
            var overwrite = false
            if current.word == "to" {
                advance()
                guard case .string(let p) = current.kind else { throw Diagnostic("`chart … to` needs a file name in quotes, like \"spend.svg\"", at: current.location) }
                advance()
                path = p
                if current.word == "overwrite" {
                    advance()
                    overwrite = true
                }
            }
            if current.isSymbol("|") { throw Diagnostic("`chart` is the last step of a pipeline", at: current.location) }
            return .chart(kind, column: column, path: path, overwrite: overwrite)
        }
    }

    mutating func count(after word: String) throws(Diagnostic) -> Int {
        guard case .int(let n) = current.kind, n >= 0 else {
            throw Diagnostic("`\(word)` needs a whole number of rows", at: current.location, hint: "for example: \(word) 10\(word == "top" ? " by spend" : "")")
        }
        advance()
        return Int(n)
    }

    mutating func sortKeys() throws(Diagnostic) -> [(key: SortKey, explicit: Bool)] {
        var keys: [(SortKey, Bool)] = []
        repeat {
            if current.isSymbol(",") { advance() }
            let e = try expression()
            var descending = false, explicit = false
            if let w = current.word, w == "desc" || w == "asc" {
                descending = w == "desc"
                explicit = true
                advance()
            }
            keys.append((SortKey(expr: e, descending: descending), explicit))
        } while current.isSymbol(",")
        return keys
    }

    mutating func namedExprs(requireNames: Bool) throws(Diagnostic) -> [NamedExpr] {
        var out: [NamedExpr] = []
        repeat {
            if current.isSymbol(",") { advance() }
            let loc = current.location
            if case .identifier(let n, _) = current.kind, peek().isSymbol("=") {
                advance(); advance()
                out.append(NamedExpr(name: n, expr: try expression(), location: loc))
            } else {
                let e = try expression()
                if requireNames {
                    throw Diagnostic("`derive` needs a name for each new column", at: e.location, hint: "write `name = expression`")
                }
                out.append(NamedExpr(name: nil, expr: e, location: loc))
            }
        } while current.isSymbol(",")
        return out
    }
}

/// The analytics commands (brief §6), each described once by a type that conforms to
/// `AnalyticsCommandDefinition`: its help, how its arguments read, the schema it gives (bound
/// from the catalog's schemas, touching no data) and how it runs. The parser, the checker,
/// `.help`, Tab completion and "did you mean" all read `AnalyticsCommands.all`, so a new
/// command is one new file and one line here (docs/architecture.md).
enum AnalyticsCommands {
    /// Every analytics command, in the order `.help` lists them.
    static var all: [any AnalyticsCommandDefinition.Type] {
        [RFMCommand.self, TypesCommand.self, RetentionCommand.self, ChurnCommand.self, CohortCommand.self, ParetoCommand.self,
         KPICommand.self, CLVCommand.self, RepeatCommand.self, AcquisitionCommand.self, NPSCommand.self, CSATCommand.self, BGNBDCommand.self, MBGNBDCommand.self,
         GammaGammaCommand.self, ValueCommand.self, LifecycleCommand.self, PlanCommand.self, SimulateCommand.self, TiersCommand.self, PointsCommand.self, CampaignCommand.self]
    }

    /// The names that start an analytics source.
    static let names: [String] = all.map { $0.help.name }

    static func named(_ name: String) -> (any AnalyticsCommandDefinition.Type)? {
        all.first { $0.help.name == name }
    }
}

/// One analytics command: a table function of the session's data, like DuckDB's. Binding reads
/// the arguments and says which columns will come out; running computes them. The executor
/// checks that what ran matches what was bound.
protocol AnalyticsCommandDefinition {
    /// What the arguments say.
    associatedtype Options
    /// Name, usage, meaning and a runnable example, for `.help` and completion.
    static var help: HelpTopic { get }
    /// Reads the words and values after the command's name (errors point at them).
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options
    /// The output schema and the names read, from schemas alone: no data is touched, so Tab
    /// completion and checking stay instant on any table. (`cohort`, whose columns are months,
    /// reads the span of the transaction dates, as DuckDB's PIVOT reads its values.)
    static func bind(_ options: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding
    /// Computes the table and the working shown above it.
    static func run(_ options: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult
    /// How the modes people read show a column of the result: `.percent` for a share stored in
    /// percent (`42.3%`), `.oneDecimal` for a rate; `.plain` (the default) for the rest.
    static func display(column: String) -> DisplayHint
}

extension AnalyticsCommandDefinition {
    static func display(column: String) -> DisplayHint { .plain }

    static func bind(_ command: AnalyticsCommand, in catalog: SessionCatalog) throws(Diagnostic) -> AnalyticsBinding {
        var args = CommandArguments(command)
        let options = try options(&args)
        try args.finish()
        return try bind(options, in: catalog, at: command.location)
    }

    static func run(_ command: AnalyticsCommand, in catalog: SessionCatalog) throws(Diagnostic) -> AnalyticsResult {
        var args = CommandArguments(command)
        let options = try options(&args)
        try args.finish()
        return try run(options, in: catalog, at: command.location)
    }
}

/// What an analytics command produced.
struct AnalyticsResult {
    var table: Table
    /// The formula with the numbers put in, shown above the table in table mode.
    var work: [String]
    /// Tables, results and `@as_of` whose change changes the result.
    var reads: [String]
}

/// What binding an analytics command gives: the columns it will return and what it reads.
struct AnalyticsBinding: Sendable {
    var schema: Schema
    /// Tables, results and `@as_of` whose change changes the result.
    var reads: [String]

    init(_ fields: [(String, DataType)], reads: [String]) {
        schema = Schema(fields.map { Schema.Field(name: $0.0, type: $0.1) })
        self.reads = reads
    }

    init(_ schema: Schema, reads: [String]) {
        self.schema = schema
        self.reads = reads
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
        let v: Value
        switch i + 1 < remaining.count ? remaining[i + 1] : nil {
        case .value(let x, _)?: v = x
        case .percent(let fraction, _)?: v = .double(fraction)
        case .word(let name, let at)?:
            throw Diagnostic("`\(word)` takes a value written out, not the name `\(name)`", at: at,
                             hint: "an analytics command's options take numbers, percentages and dates as written, not parameters")
        case nil: throw Diagnostic("`\(word)` needs a value after it", at: location(i), hint: "for example: \(command.name) \(word) 30")
        }
        remaining.removeSubrange(i...(i + 1))
        return v
    }

    /// A percentage after `word`, in percent points: `90%` and a bare `90` are both 90, and a
    /// bare `1` is 1% (docs/language.md, "Percentages"). A bare number between 0 and 1 is
    /// refused as ambiguous (`0.3` may mean 30% or 0.3%), and so is one outside `range`.
    mutating func percent(_ word: String, in range: ClosedRange<Double>) throws(Diagnostic) -> Double? {
        guard let i = remaining.firstIndex(where: { if case .word(word, _) = $0 { return true } else { return false } }) else { return nil }
        let at = i + 1 < remaining.count ? location(i + 1) : location(i)
        let points: Double
        switch i + 1 < remaining.count ? remaining[i + 1] : nil {
        case .percent(let fraction, _)?:
            points = fraction * 100
        case .value(let v, _)?:
            guard let n = v.doubleValue, n.isFinite else { throw Diagnostic("`\(word)` takes a percentage like 30%, not \(ValueFormat.display(v))", at: at) }
            guard n <= 0 || n >= 1 else {
                throw Diagnostic("`\(word) \(ValueFormat.display(v))` is ambiguous: a bare number counts percent points", at: at,
                                 hint: "write \(ValueFormat.displayDouble(n * 100))% for that share, or \(ValueFormat.display(v))% for under one percent")
            }
            points = n
        case .word?, nil:
            throw Diagnostic("`\(word)` needs a percentage after it", at: at, hint: "for example: \(command.name) \(word) 30%")
        }
        guard range.contains(points) else {
            throw Diagnostic("`\(word)` must be from \(ValueFormat.displayDouble(range.lowerBound))% to \(ValueFormat.displayDouble(range.upperBound))%, not \(ValueFormat.displayDouble(points))%", at: at)
        }
        remaining.removeSubrange(i...(i + 1))
        return points
    }

    /// A finite number after `word`.
    mutating func number(_ word: String) throws(Diagnostic) -> Double? {
        let at = valueLocation(word)
        // A count or an amount written with `%` would silently become a hundredth of itself.
        if let i = remaining.firstIndex(where: { if case .word(word, _) = $0 { return true } else { return false } }),
           i + 1 < remaining.count, case .percent(let fraction, _) = remaining[i + 1] {
            throw Diagnostic("`\(word)` takes a number, not a percentage (\(String(format: "%.12g", fraction * 100))%)", at: at,
                             hint: "write it without `%`")
        }
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
    /// Where the value after `word` is (for a caret under it); the command when it is absent.
    func valueLocation(_ word: String) -> SourceLocation {
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

    /// The next bare word, left in place.
    func peekWord() -> (String, SourceLocation)? {
        guard let first = remaining.first, case .word(let w, let loc) = first else { return nil }
        return (w, loc)
    }

    /// The next bare word (a column or table name), consumed.
    mutating func word() -> (String, SourceLocation)? {
        guard let first = remaining.first, case .word(let w, let loc) = first else { return nil }
        remaining.removeFirst()
        return (w, loc)
    }

    private func location(_ i: Int) -> SourceLocation {
        switch remaining[i] {
        case .word(_, let l), .value(_, let l), .percent(_, let l): return l
        }
    }

    /// Fails on anything not consumed.
    func finish() throws(Diagnostic) {
        guard let first = remaining.first else { return }
        switch first {
        case .word(let w, let l):
            // A word of the command's own usage, left over: given twice, or with a form it does not combine with.
            let words = AnalyticsCommands.named(command.name).map { $0.help.usage.split(whereSeparator: { " ·[]|,".contains($0) }).map(String.init) } ?? []
            if words.contains(w) {
                throw Diagnostic("`\(w)` does not go with the rest of this `\(command.name)`: it is given twice, or belongs to another form", at: l,
                                 hint: "the forms are: \(AnalyticsCommands.named(command.name)?.help.usage ?? command.name)")
            }
            throw Diagnostic("`\(command.name)` does not take `\(w)`", at: l,
                             hint: Suggest.hint(for: w, among: words.filter { $0.allSatisfy { $0.isLowercase || $0 == "_" } }) ?? "`.help \(command.name)` shows how to write it")
        case .value(let v, let l): throw Diagnostic("`\(command.name)` does not take the value \(ValueFormat.display(v)) here", at: l)
        case .percent(let v, let l): throw Diagnostic("`\(command.name)` does not take the value \(String(format: "%.12g", v * 100))% here", at: l)
        }
    }
}


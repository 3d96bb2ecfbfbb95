/// NPS and CSAT (brief §6).
///
/// NPS = % promoters (9–10) − % detractors (0–6) of the answers on a 0–10 scale (Reichheld 2003).
/// CSAT = % of answers that are 4 or 5 on a 1–5 scale. Both also take the counts typed in, so a
/// trainer needs no table: `nps promoters 50 passives 30 detractors 20`, `csat satisfied 80 total 100`.
enum NPSCommand: SurveyCommand {
    static func display(column: String) -> DisplayHint {
        column == "nps" ? .oneDecimal : (column == "promoters_pct" || column == "detractors_pct" ? .percent : .plain)
    }

    static let help = HelpTopic(name: "nps", group: .analytics, usage: "nps TABLE.COLUMN · nps promoters P passives A detractors D",
                                meaning: "NPS = % promoters (9–10) − % detractors (0–6)", example: "nps promoters 50 passives 30 detractors 20")
    static let columns: [(String, DataType)] = [("responses", .int), ("promoters", .int), ("passives", .int), ("detractors", .int),
                                                ("promoters_pct", .double), ("detractors_pct", .double), ("nps", .double)]
    static let scale: ClosedRange<Int64> = 0...10
    static let defaultColumn = "nps"
    static func score(_ values: [Int64], column: String, reads: [String]) -> AnalyticsResult { nps(values, column: column, reads: reads) }
    static let countWords = ["promoters", "passives", "detractors"]
    static func score(counts c: [Int64]) -> AnalyticsResult {
        nps(promoters: c[0], passives: c[1], detractors: c[2], column: "the answers typed in", reads: [])
    }
}

enum CSATCommand: SurveyCommand {
    static func display(column: String) -> DisplayHint { ["csat"].contains(column) ? .percent : .plain }

    static let help = HelpTopic(name: "csat", group: .analytics, usage: "csat TABLE.COLUMN · csat satisfied S total T",
                                meaning: "CSAT = % of answers 4–5 on a 1–5 scale", example: "csat satisfied 80 total 100")
    static let columns: [(String, DataType)] = [("responses", .int), ("satisfied", .int), ("csat", .double)]
    static let scale: ClosedRange<Int64> = 1...5
    static let defaultColumn = "rating"
    static func score(_ values: [Int64], column: String, reads: [String]) -> AnalyticsResult { csat(values, column: column, reads: reads) }
    static let countWords = ["satisfied", "total"]
    static func score(counts c: [Int64]) -> AnalyticsResult { csat(satisfied: c[0], responses: c[1], reads: []) }
}

/// A score over survey answers (`nps`, `csat`): `table.column`, or the feedback table's own
/// column when none is named.
/// What a satisfaction command reads: a column of answers (nil: the feedback table's own), or
/// the counts typed in, in the order of `countWords`.
enum SurveyInput {
    case answers(SurveyColumn?)
    case counts([Int64])
}

protocol SurveyCommand: AnalyticsCommandDefinition where Options == SurveyInput {
    /// The output columns.
    static var columns: [(String, DataType)] { get }
    /// The answers' scale: every answer is a whole number in it.
    static var scale: ClosedRange<Int64> { get }
    /// The feedback table's column read when none is named.
    static var defaultColumn: String { get }
    /// The score over the answers, with the working.
    static func score(_ values: [Int64], column: String, reads: [String]) -> AnalyticsResult
    /// The words of the typed-in form (`promoters`, `passives`, `detractors`).
    static var countWords: [String] { get }
    /// The score from counts typed in, checked already.
    static func score(counts: [Int64]) -> AnalyticsResult
}

extension SurveyCommand {
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> SurveyInput {
        let at = args.command.location
        let locations = countWords.map { args.valueLocation($0) }
        var counts: [Int64?] = []
        for (word, location) in zip(countWords, locations) {
            guard let n = try args.number(word) else { counts.append(nil); continue }
            guard n >= 0, n == n.rounded(), n < 1e15 else { throw Diagnostic("`\(word)` takes a whole number of answers, not \(shown(n))", at: location) }
            counts.append(Int64(n))
        }
        guard counts.contains(where: { $0 != nil }) else { return .answers(try SurveyColumn.read(&args, kind: help.name)) }
        guard let all = counts as? [Int64] ?? nil else {
            let missing = zip(countWords, counts).filter { $0.1 == nil }.map { "`\($0.0)`" }
            throw Diagnostic("`\(help.name)` with counts needs \(missing.joined(separator: " and ")) too", at: at, hint: "for example: \(help.example)")
        }
        if countWords.last == "total", all[0] > all[1] {
            throw Diagnostic("satisfied is \(all[0]), more than the \(all[1]) answers in total", at: locations[0])
        }
        guard all.reduce(0, +) > 0 else { throw Diagnostic("there are no answers, so there is no score", at: at) }
        return .counts(all)
    }

    static func bind(_ o: SurveyInput, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        switch o {
        case .answers(let column):
            return AnalyticsBinding(columns, reads: [try SurveyColumn.resolve(column, kind: help.name, defaultColumn: defaultColumn, in: catalog, at: location).table])
        case .counts:
            return AnalyticsBinding(columns, reads: [])
        }
    }

    static func run(_ o: SurveyInput, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        switch o {
        case .answers(let column):
            let survey = try SurveyColumn.resolve(column, kind: help.name, defaultColumn: defaultColumn, in: catalog, at: location)
            let values = try survey.scores(in: catalog, range: scale)
            return score(values, column: "\(survey.table).\(survey.column)", reads: [survey.table])
        case .counts(let counts):
            return score(counts: counts)
        }
    }
}

/// The survey answers a satisfaction command reads: `table.column`.
struct SurveyColumn {
    var table: String, column: String, location: SourceLocation

    init(table: String, column: String, location: SourceLocation) {
        self.table = table
        self.column = column
        self.location = location
    }

    /// The column the command names; nil when it names none.
    static func read(_ args: inout CommandArguments, kind: String) throws(Diagnostic) -> SurveyColumn? {
        guard let (w, loc) = args.word() else { return nil }
        let parts = w.split(separator: ".").map(String.init)
        guard parts.count == 2 else { throw Diagnostic("name the answers as table.column, like feedback.\(kind == "nps" ? "nps" : "rating")", at: loc) }
        return SurveyColumn(table: parts[0], column: parts[1], location: loc)
    }
}

extension SurveyColumn {
    /// The named column, or the feedback table's own (nps / rating); it must exist.
    static func resolve(_ named: SurveyColumn?, kind: String, defaultColumn column: String, in catalog: SessionCatalog, at: SourceLocation) throws(Diagnostic) -> SurveyColumn {
        guard let named else {
            guard catalog.tables["feedback"]?.column(column) != nil else {
                throw Diagnostic("`\(kind)` needs the survey answers: name them as table.column", at: at, hint: "for example: \(kind) feedback.\(column)")
            }
            return SurveyColumn(table: "feedback", column: column, location: at)
        }
        let schema = try catalog.schema(of: named.table, at: named.location)
        guard schema.index(of: named.column) != nil else {
            throw Diagnostic("`\(named.table)` has no column `\(named.column)`", at: named.location, hint: Suggest.hint(for: named.column, among: schema.names))
        }
        return named
    }

    /// The non-null answers of a column, which must be whole numbers in `range`.
    func scores(in catalog: SessionCatalog, range: ClosedRange<Int64>) throws(Diagnostic) -> [Int64] {
        let (tableName, columnName, at) = (table, column, location)
        guard catalog.tables[tableName] != nil || catalog.isDefinition(tableName) || catalog.analyticsCache[tableName] != nil else {
            throw Diagnostic("unknown table `\(tableName)`", at: at, hint: Suggest.hint(for: tableName, among: catalog.knownNames))
        }
        // A named result that cannot be computed says why (and Ctrl-C stops here).
        let t = try catalog.table(named: tableName, at: at)
        guard let c = t.column(columnName) else {
            throw Diagnostic("`\(tableName)` has no column `\(columnName)`", at: at, hint: Suggest.hint(for: columnName, among: t.columnNames))
        }
        var out: [Int64] = []
        var outside = 0
        for i in 0..<c.count where !c.isNull(i) {
            switch c.value(at: i) {
            case .int(let v) where range.contains(v): out.append(v)
            // Compared as doubles first: 1e300 is whole but no Int64.
            case .double(let v) where v == v.rounded() && v >= Double(range.lowerBound) && v <= Double(range.upperBound): out.append(Int64(v))
            default: outside += 1
            }
        }
        guard outside == 0 else {
            throw Diagnostic("\(outside) answer\(outside == 1 ? "" : "s") in \(tableName).\(columnName) \(outside == 1 ? "is" : "are") not a whole number from \(range.lowerBound) to \(range.upperBound)", at: at)
        }
        guard !out.isEmpty else { throw Diagnostic("\(tableName).\(columnName) has no answers, so there is no score", at: at) }
        return out
    }
}

extension NPSCommand {
    static func nps(_ values: [Int64], column: String, reads: [String]) -> AnalyticsResult {
        let promoters = Int64(values.filter { $0 >= 9 }.count), detractors = Int64(values.filter { $0 <= 6 }.count)
        return nps(promoters: promoters, passives: Int64(values.count) - promoters - detractors, detractors: detractors, column: column, reads: reads)
    }

    static func nps(promoters: Int64, passives: Int64, detractors: Int64, column: String, reads: [String]) -> AnalyticsResult {
        let responses = promoters + passives + detractors
        let n = Double(responses)
        let p = Double(promoters) / n * 100, d = Double(detractors) / n * 100
        let table = row([("responses", .int(responses)), ("promoters", .int(promoters)), ("passives", .int(passives)), ("detractors", .int(detractors)),
                         ("promoters_pct", .double(p)), ("detractors_pct", .double(d)), ("nps", .double(p - d))])
        return AnalyticsResult(table: table, work: [
            "\(column): \(responses) answers; promoters (9–10) \(promoters), detractors (0–6) \(detractors)",
            "NPS = % promoters − % detractors = \(rate(p)) − \(rate(d)) = \(ValueFormat.displayDouble(((p - d) * 10).rounded() / 10))",
        ], reads: reads)
    }
}

extension CSATCommand {
    static func csat(_ values: [Int64], column: String, reads: [String]) -> AnalyticsResult {
        csat(satisfied: Int64(values.filter { $0 >= 4 }.count), responses: Int64(values.count), reads: reads)
    }

    static func csat(satisfied: Int64, responses: Int64, reads: [String]) -> AnalyticsResult {
        let c = Double(satisfied) / Double(responses) * 100
        let table = row([("responses", .int(responses)), ("satisfied", .int(satisfied)), ("csat", .double(c))])
        return AnalyticsResult(table: table, work: ["CSAT = (satisfied (4–5) / responses) × 100 = (\(satisfied) / \(responses)) × 100 = \(rate(c))"], reads: reads)
    }
}

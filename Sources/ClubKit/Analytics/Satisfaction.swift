/// NPS and CSAT (brief §6).
///
/// NPS = % promoters (9–10) − % detractors (0–6) of the answers on a 0–10 scale (Reichheld 2003).
/// CSAT = % of answers that are 4 or 5 on a 1–5 scale.
extension Session {
    func satisfaction(_ kind: String, _ args: inout CommandArguments) throws(Diagnostic) -> AnalyticsResult {
        let at = args.command.location
        let (tableName, columnName, location) = try surveyColumn(kind, &args)
        let values = try scores(tableName, columnName, location, range: kind == "nps" ? 0...10 : 1...5)
        return kind == "nps" ? Self.nps(values, column: "\(tableName).\(columnName)", reads: [tableName], at: at)
                             : Self.csat(values, column: "\(tableName).\(columnName)", reads: [tableName], at: at)
    }

    /// `table.column`, or the feedback table's nps / rating column.
    private func surveyColumn(_ kind: String, _ args: inout CommandArguments) throws(Diagnostic) -> (String, String, SourceLocation) {
        if let (w, loc) = args.word() {
            let parts = w.split(separator: ".").map(String.init)
            guard parts.count == 2 else { throw Diagnostic("name the answers as table.column, like feedback.\(kind == "nps" ? "nps" : "rating")", at: loc) }
            return (parts[0], parts[1], loc)
        }
        let column = kind == "nps" ? "nps" : "rating"
        guard tables["feedback"]?.column(column) != nil else {
            throw Diagnostic("`\(kind)` needs the survey answers: name them as table.column", at: args.command.location, hint: "for example: \(kind) feedback.\(column)")
        }
        return ("feedback", column, args.command.location)
    }

    /// The non-null answers of a column, which must be whole numbers in `range`.
    func scores(_ tableName: String, _ columnName: String, _ at: SourceLocation, range: ClosedRange<Int64>) throws(Diagnostic) -> [Int64] {
        guard tables[tableName] != nil || isDefinition(tableName) || analyticsCache[tableName] != nil else {
            throw Diagnostic("unknown table `\(tableName)`", at: at, hint: Suggest.hint(for: tableName, among: knownNames))
        }
        // A named result that cannot be computed says why (and Ctrl-C stops here).
        let t = try table(named: tableName, at: at)
        guard let c = t.column(columnName) else {
            throw Diagnostic("`\(tableName)` has no column `\(columnName)`", at: at, hint: Suggest.hint(for: columnName, among: t.columnNames))
        }
        var out: [Int64] = []
        var outside = 0
        for i in 0..<c.count where !c.isNull(i) {
            switch c.value(at: i) {
            case .int(let v) where range.contains(v): out.append(v)
            case .double(let v) where v == v.rounded() && range.contains(Int64(v)): out.append(Int64(v))
            default: outside += 1
            }
        }
        guard outside == 0 else {
            throw Diagnostic("\(outside) answer\(outside == 1 ? "" : "s") in \(tableName).\(columnName) \(outside == 1 ? "is" : "are") not a whole number from \(range.lowerBound) to \(range.upperBound)", at: at)
        }
        guard !out.isEmpty else { throw Diagnostic("\(tableName).\(columnName) has no answers, so there is no score", at: at) }
        return out
    }

    static func nps(_ values: [Int64], column: String, reads: [String], at: SourceLocation) -> AnalyticsResult {
        let promoters = values.filter { $0 >= 9 }.count, detractors = values.filter { $0 <= 6 }.count
        let n = Double(values.count)
        let p = Double(promoters) / n * 100, d = Double(detractors) / n * 100
        let table = row([("responses", .int(Int64(values.count))), ("promoters", .int(Int64(promoters))),
                         ("passives", .int(Int64(values.count - promoters - detractors))), ("detractors", .int(Int64(detractors))),
                         ("promoters_pct", .double(p)), ("detractors_pct", .double(d)), ("nps", .double(p - d))])
        return AnalyticsResult(table: table, work: [
            "\(column): \(values.count) answers; promoters (9–10) \(promoters), detractors (0–6) \(detractors)",
            "NPS = % promoters − % detractors = \(rate(p)) − \(rate(d)) = \(ValueFormat.displayDouble(((p - d) * 10).rounded() / 10))",
        ], reads: reads)
    }

    static func csat(_ values: [Int64], column: String, reads: [String], at: SourceLocation) -> AnalyticsResult {
        let satisfied = values.filter { $0 >= 4 }.count
        let c = Double(satisfied) / Double(values.count) * 100
        let table = row([("responses", .int(Int64(values.count))), ("satisfied", .int(Int64(satisfied))), ("csat", .double(c))])
        return AnalyticsResult(table: table, work: ["CSAT = (satisfied (4–5) / responses) × 100 = (\(satisfied) / \(values.count)) × 100 = \(rate(c))"], reads: reads)
    }
}

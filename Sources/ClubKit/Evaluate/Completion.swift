import Foundation

/// What Tab offers at the prompt: steps after `|`, the columns of the table flowing into the
/// current step, table / result / segment / parameter names, functions, keywords, and file paths
/// inside `load "…"`. The shell owns one for its prompt; it only binds (never runs) what it
/// checks, so Tab stays instant on any table.
public struct Completer {
    /// What Tab binds against: the session's catalog, read only.
    let catalog: SessionCatalog
    /// The folder relative paths are read from (`.cd`), asked at each Tab.
    let folder: () -> String?

    public init(_ session: Session) {
        catalog = session.catalog
        folder = { [weak session] in session?.directory }
    }

    /// Completions of the word that ends at the end of `line` (the text before the cursor).
    /// Where a step reads columns (`where`, `sort`, `by`, inside `agg`, …) and nothing is typed
    /// yet, the columns flowing into it come alone, not functions and keywords; after a statement word
    /// or an analytics command, what may follow it. A word that is itself a candidate stays
    /// among the matches when longer ones exist (`segment`, `segments`), so Tab-Tab lists both
    /// instead of jumping to the longer.
    public func completions(for line: String) -> [String] {
        let word = String(line.reversed().prefix { isWordCharacter($0) }.reversed())
        let before = String(line.dropLast(word.count))
        if isInsideString(before) { return fileCompletions(line) }
        let trimmed = before.trimmingCharacters(in: .whitespaces)
        let candidates: [String]
        if trimmed.hasSuffix("|") {
            candidates = Parser.stepNames + ["members"]
        } else if trimmed.isEmpty || trimmed.hasSuffix(";") {
            candidates = Parser.statementWords + AnalyticsCommand.names + catalog.knownNames + catalog.formulaOrder + ["customers360"]
        } else if let following = wordsAfter(statementHead: trimmed) {
            candidates = following
        } else {
            let columns = columns(flowingInto: before)
            // Tab-Tab with nothing typed yet, where a step reads columns: the columns (and
            // parameters), not every function and keyword. Once a prefix is typed the list is
            // short, and a function such as days_since is offered beside days_since_last.
            if word.isEmpty, readsColumns(trimmed), !columns.isEmpty {
                return matches(columns + catalog.parameterOrder, word)
            }
            candidates = columns + catalog.knownNames + ScalarFunction.allCases.map(\.rawValue)
                + AggregateFunction.allCases.map(\.rawValue) + catalog.formulaOrder
                + ["and", "or", "not", "in", "between", "is", "null", "true", "false", "by", "asc", "desc", "on", "as", "with", "to", "overwrite", "cascade"]
        }
        return matches(candidates, word)
    }

    /// The candidates that extend `word`, sorted and without repeats; `word` itself only when
    /// longer ones exist.
    private func matches(_ candidates: [String], _ word: String) -> [String] {
        var seen = Set<String>()
        let longer = candidates.filter { $0.hasPrefix(word) && $0 != word && seen.insert($0).inserted }.sorted()
        return !longer.isEmpty && candidates.contains(word) ? ([word] + longer).sorted() : longer
    }

    /// Whether the step being typed reads columns: it holds `where` (a segment's too), `sort`,
    /// `top`, `by`, `select`, `derive`, `distinct`, `on` or `agg`.
    private func readsColumns(_ text: String) -> Bool {
        let step = text.split(separator: "|").last.map(String.init) ?? text
        let words = Set(step.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == "," }).map(String.init))
        return !words.isDisjoint(with: ["where", "sort", "top", "agg", "select", "derive", "distinct", "on", "by", "chart"])
    }

    /// What may follow a statement word or an analytics command typed alone (`use `, `drop `,
    /// `retention `); nil when the text is not such a head.
    private func wordsAfter(statementHead text: String) -> [String]? {
        let words = text.split(separator: " ").map(String.init)
        guard let head = words.first, !text.contains("|") else { return nil }
        // `simulate ` and `tiers ` take a program's name first.
        if head == SimulateCommand.help.name || head == TiersCommand.help.name, words.count == 1 { return catalog.programOrder }
        // `campaign ` takes a campaign's name first.
        if head == CampaignCommand.help.name, words.count == 1 { return catalog.campaignOrder }
        // After its name: `by` to measure, or `=` to define (the definition's words are not options).
        if head == CampaignCommand.help.name, words.count == 2 { return ["by"] }
        if let command = AnalyticsCommands.named(head) {
            // The option words of its usage: the lower-case words after its name (`start`, `remaining`, `by`, …),
            // not what follows a `|` there (`| members` is offered after a `|`).
            let own = command.help.usage.replacingOccurrences(of: "| members", with: "")
            let usage = own.split(whereSeparator: { " ·[]|".contains($0) }).map(String.init)
            let options = usage.filter { w in w != head && w.allSatisfy { $0.isLowercase || $0 == "_" } }
            return options.filter { !words.dropFirst().contains($0) }
        }
        guard words.count == 1, let statement = StatementWord(rawValue: head) else { return nil }
        switch statement {
        case .use, .describe: return catalog.knownNames
        case .drop: return catalog.knownNames + catalog.campaignOrder + ["cascade"]
        case .profile, .compare, .overlap: return catalog.segmentNames
        case .segment, .let, .formula, .load, .export, .program: return []
        case .tables, .segments, .params, .formulas, .programs, .campaigns: return []
        case .explain: return ["sql"]
        case .attach: return EngineKind.allCases.map(\.rawValue)
        case .detach: return catalog.engineOrder
        }
    }

    private func isWordCharacter(_ c: Character) -> Bool {
        c == "." || c.unicodeScalars.allSatisfy { isIdentifierPart($0) }
    }

    private func isInsideString(_ text: String) -> Bool {
        var quote: Character?
        for c in text {
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c }
        }
        return quote != nil
    }

    /// The schema entering the step being typed: the pipeline up to the last `|`, checked.
    private func columns(flowingInto text: String) -> [String] {
        let statement = text.split(separator: ";").last.map(String.init) ?? text
        guard let bar = statement.lastIndex(of: "|") else {
            // Still typing the source's first step (`segment x = customers360 where …`): the source's columns.
            let words = statement.split(whereSeparator: { $0 == " " || $0 == "=" })
            for w in words.reversed() {
                // A word that does not check as a source is not one: nothing to offer from it.
                if let schema = catalog.tableSchema(String(w)) ?? (try? Checker(catalog: catalog).check(Pipeline(source: Name(text: String(w), location: SourceLocation(line: 1, column: 1)), steps: [])))?.schema {
                    return schema.names
                }
            }
            return []
        }
        var source = String(statement[..<bar])
        if let eq = source.firstIndex(of: "="), source[..<eq].split(separator: " ").count == 1, !source[source.index(after: eq)...].hasPrefix("=") {
            source = String(source[source.index(after: eq)...])  // `name = pipeline`
        }
        // Parsing and checking recurse with the nesting of what was typed: on a deep stack. A
        // half-typed pipeline that does not check has no columns to offer; Tab offers none.
        let names = try? DeepStack.run { () throws(Diagnostic) -> [String] in
            var parser = Parser(source, calendar: { [catalog] in catalog.calendar })
            guard let s = try parser.next() else { return [] }
            let pipeline: Pipeline
            switch s.kind {
            case .pipeline(let p): pipeline = p
            case .expression(.name(let n, let loc)): pipeline = Pipeline(source: Name(text: n, location: loc), steps: [])
            default: return []
            }
            return try Checker(catalog: catalog).check(pipeline).schema.names
        }
        return names ?? []
    }

    private func fileCompletions(_ line: String) -> [String] {
        guard let quote = line.lastIndex(where: { $0 == "\"" || $0 == "'" }) else { return [] }
        let typed = String(line[line.index(after: quote)...])
        let dir = typed.contains("/") ? String(typed[...typed.lastIndex(of: "/")!]) : ""
        let prefix = String(typed.dropFirst(dir.count))
        // `~/` lists the home folder, and a relative path the session's folder, as `load` reads them.
        let base = self.folder()
        let resolved = FilePath.resolve(dir, in: base)
        let folder = dir.isEmpty ? (base.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "") : resolved
        // A folder that cannot be listed has no names to offer; Tab offers none.
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return [] }
        return entries.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }.sorted().map { name in
            var isDirectory: ObjCBool = false
            // A name that vanished since the listing is offered as it was listed, without a slash.
            let exists = FileManager.default.fileExists(atPath: folder + name, isDirectory: &isDirectory)
            return dir + name + (exists && isDirectory.boolValue ? "/" : "")
        }
    }
}

import ClubKit

/// The help text: statements and pipeline steps of the language, and the dot commands.
enum Help {
    static let statements: [(String, String)] = [
        ("load \"FILE.csv\" [as NAME] [with …]", "load a CSV file into a table (options: delim, header, names, date_format, types, lenient)"),
        ("tables", "list tables and named results with rows, columns and bytes"),
        ("describe NAME", "columns with type, nulls, distinct values, min and max"),
        ("NAME", "show a table or result"),
        ("NAME | STEP | STEP …", "a pipeline (steps below)"),
        ("NAME = PIPELINE", "a named, live result"),
        ("let NAME = EXPR", "a parameter usable in any expression"),
        ("drop NAME", "forget a table, result or parameter"),
        ("export NAME to \"FILE\" [overwrite]", "write a table or result (.csv .tsv .json .jsonl .md)"),
        ("EXPR", "a scalar expression, such as (90 / 100) * 100"),
    ]

    static let steps: [(String, String)] = [
        ("where COND", "keep the rows where COND is true"),
        ("select a, b, c = EXPR", "keep and compute columns"),
        ("derive c = EXPR", "add or replace columns"),
        ("agg n = count(), s = sum(x) by k", "aggregate (count, count_distinct, sum, avg, min, max, median, percentile, stddev, first, last)"),
        ("sort a desc, b", "order rows (nulls last)"),
        ("take N", "the first N rows"),
        ("top N by x", "the N rows with the largest x"),
        ("distinct a, b", "the distinct combinations of a, b"),
        ("join T on a == b", "rows with a match in T (`left join` keeps the rest)"),
        ("count", "the number of rows"),
    ]

    static func text(topic: String?) -> String {
        if let topic {
            let t = topic.hasPrefix(".") ? String(topic.dropFirst()) : topic
            if let c = DotCommands.all.first(where: { $0.name == t }) { return "\(c.usage)\n  \(c.help)\n" }
            if let s = (statements + steps).first(where: { $0.0.split(separator: " ").first.map(String.init) == t }) { return "\(s.0)\n  \(s.1)\n" }
            return "no help for \(topic); `.help` lists the topics\n"
        }
        func block(_ title: String, _ rows: [(String, String)]) -> String {
            let w = rows.map { $0.0.count }.max() ?? 0
            return title + "\n" + rows.map { "  " + $0.0.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n"
        }
        return block("statements:", statements) + "\n" + block("pipeline steps:", steps) + "\n"
            + block("commands:", DotCommands.all.map { ($0.usage, $0.help) })
            + "\nStatements end at a newline or `;`; a line ending in `|` continues. `#` starts a comment.\n"
    }
}

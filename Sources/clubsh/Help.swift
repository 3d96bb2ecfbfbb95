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
        ("segment NAME = SOURCE where COND", "a live segment of a table, result, segment or command"),
        ("segments", "segments with base, members, share of base and definition"),
        ("profile SEGMENT [by COLUMN]", "size, shares and numeric means against the base"),
        ("compare A, B, …", "profiles side by side, with the rest of the base"),
        ("overlap A, B", "members in both, only A, only B"),
        ("params", "parameters, their values and what uses them"),
        ("use TABLE [(customer = c, date = d, amount = a)] [as_of DATE]", "name the transactions; makes customers360"),
        ("formula NAME(A, B) = EXPR", "a formula of your own, then NAME(1, 2) in any expression"),
        ("formulas", "the formulas defined"),
    ]

    static let analytics: [(String, String)] = [
        ("customers360", "one row per customer: first_order, last_order, orders, spend, avg_order, days_since_last"),
        ("rfm [bins N]", "recency, frequency, monetary, scores 1–N and the RF segment"),
        ("types [with new_days N, inactive_days N, loyal_orders N, feedback_days N]", "the customer types with playbooks; `types | members` per customer"),
        ("retention start S end E [new N]", "retention = E / S × 100, or CRR = (E − N) / S × 100"),
        ("retention from DATE to DATE", "S, retained, lost, E, N, retention, churn, CRR from the data"),
        ("retention by month", "the same for each calendar month"),
        ("churn start S lost L · churn retention R% · churn from DATE to DATE", "churn rate"),
        ("cohort monthly [counts]", "acquisition-month cohorts by months since the first purchase"),
        ("pareto", "customers by spend with cumulative share and ABC class"),
        ("kpi [days N]", "customers, active, new, retention, churn, repeat rate, frequency, AOV, CLV, NPS, CSAT"),
        ("clv [margin M%] [years Y]", "simple CLV = AOV × purchases per year × margin × lifetime"),
        ("nps TABLE.COLUMN · csat TABLE.COLUMN", "NPS (% 9–10 − % 0–6), CSAT (% 4–5)"),
        ("value by COLUMN · value by segments A, B", "revenue, share, customers and revenue per customer per group"),
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
            if let s = (statements + steps + analytics).first(where: { $0.0.split(separator: " ").first.map(String.init) == t }) { return "\(s.0)\n  \(s.1)\n" }
            return "no help for \(topic); `.help` lists the topics\n"
        }
        func block(_ title: String, _ rows: [(String, String)]) -> String {
            let w = rows.map { $0.0.count }.max() ?? 0
            return title + "\n" + rows.map { "  " + $0.0.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n"
        }
        return block("statements:", statements) + "\n" + block("pipeline steps:", steps) + "\n" + block("analytics (each gives a table):", analytics) + "\n"
            + block("commands:", DotCommands.all.map { ($0.usage, $0.help) })
            + "\nStatements end at a newline or `;`; a line ending in `|` continues. `#` starts a comment.\n"
    }
}

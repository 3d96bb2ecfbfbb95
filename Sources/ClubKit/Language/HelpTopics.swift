/// One help topic: how to write it, what it means, and an example that runs on the sample data
/// (after the tour's loads and `use orders`).
public struct HelpTopic: Sendable {
    public enum Group: String, Sendable, CaseIterable {
        case statement = "statements", step = "pipeline steps", analytics = "analytics (each gives a table)", function = "functions", aggregate = "aggregates (inside agg)"
    }

    public var name: String
    public var group: Group
    public var usage: String
    public var meaning: String
    var example: String

    /// The text of `.help NAME`.
    public var text: String { "\(usage)\n  \(meaning)\n  example: \(example)\n" }
}

/// Every statement, step, analytics command and function, for `.help` and completion. Tests
/// check that each has an entry and that every example parses.
public enum HelpTopics {
    public static let all: [HelpTopic] = statements + steps + analytics + functions + aggregates

    public static func topic(_ name: String) -> HelpTopic? { all.first { $0.name == name } }

    /// Every statement's topic, in the order of `StatementWord`.
    static var statements: [HelpTopic] { StatementWord.allCases.map(topic) }

    /// A statement's topic: one case per statement word, so a new word needs its help here.
    static func topic(_ word: StatementWord) -> HelpTopic {
        switch word {
        case .load: return .init(name: "load", group: .statement, usage: "load \"FILE.csv|FILE.json|FILE.jsonl|FILE.xlsx\" [sheet \"NAME\"] [as NAME] [with delim …, header …, names (…), date_format \"…\", calendar jalali|gregorian, types (…), lenient, format csv|json]", meaning: "read a CSV file, a JSON array of objects or JSON Lines, or a sheet of an .xlsx workbook (the first unless `sheet` names one), into a table", example: "load \"Samples/data/orders.csv\"")
        case .tables: return .init(name: "tables", group: .statement, usage: "tables", meaning: "tables, results and segments with rows, columns and bytes", example: "tables")
        case .describe: return .init(name: "describe", group: .statement, usage: "describe NAME", meaning: "each column's type, nulls, distinct values, min, max and bytes", example: "describe orders")
        case .`let`: return .init(name: "let", group: .statement, usage: "let NAME = EXPR", meaning: "a parameter usable in any expression", example: "let threshold = 1000")
        case .drop: return .init(name: "drop", group: .statement, usage: "drop NAME, … [cascade]", meaning: "forget tables, results, segments or parameters", example: "drop threshold")
        case .export: return .init(name: "export", group: .statement, usage: "export SOURCE [| STEP …] to \"FILE\" [overwrite]", meaning: "write CSV, TSV, JSON, JSON lines, Markdown or an Excel workbook by extension (.csv .tsv .json .jsonl .md .xlsx); an existing file needs overwrite", example: "export orders | where amount > 500 to \"out/big.csv\" overwrite")
        case .segment: return .init(name: "segment", group: .statement, usage: "segment NAME = SOURCE where COND", meaning: "a live segment of a table, result, segment or analytics command", example: "segment vip = customers360 where spend >= 1000 and orders >= 5")
        case .segments: return .init(name: "segments", group: .statement, usage: "segments", meaning: "segments with base, members, share of base and definition", example: "segments")
        case .profile: return .init(name: "profile", group: .statement, usage: "profile SEGMENT [by COLUMN]", meaning: "size, share of base and revenue, numeric means against the base", example: "profile vip")
        case .compare: return .init(name: "compare", group: .statement, usage: "compare A, B, …", meaning: "profiles side by side, with the rest of the base", example: "compare vip, lapsed")
        case .overlap: return .init(name: "overlap", group: .statement, usage: "overlap A, B", meaning: "members in both, only A, only B", example: "overlap vip, lapsed")
        case .params: return .init(name: "params", group: .statement, usage: "params", meaning: "parameters, their values and what uses them", example: "params")
        case .use: return .init(name: "use", group: .statement, usage: "use TABLE [(customer = C, date = D, amount = A)] [as_of DATE]", meaning: "name the transactions; makes customers360", example: "use orders (customer = customer_id, date = date, amount = amount)")
        case .formula: return .init(name: "formula", group: .statement, usage: "formula NAME(A, B, …) = EXPR", meaning: "a formula of your own, callable in any expression", example: "formula crr(S, E, N) = (E - N) / S * 100")
        case .formulas: return .init(name: "formulas", group: .statement, usage: "formulas", meaning: "the formulas defined", example: "formulas")
        case .program: return .init(name: "program", group: .statement,
                                    usage: "program NAME = earn P per R [, first_bonus B] [, referral_bonus B] [, birthday_bonus B] [, channel_bonus (CHANNEL Mx, …)] [, expire D] [, point_value V] [, tiers (NAME T, …) [over D]] [, redeem S%]",
                                    meaning: "a live points program (values may be parameters); run it with `simulate NAME` and `tiers NAME from A to B`",
                                    example: "program club = earn 1 per 10, first_bonus 50, expire 365d, point_value 0.01, tiers (silver 500, gold 2000) over 365d, redeem 40%")
        case .programs: return .init(name: "programs", group: .statement, usage: "programs", meaning: "the points programs defined, their tiers and what uses them", example: "programs")
        case .explain: return .init(name: "explain", group: .statement, usage: "explain sql [dialect postgres|spark|duckdb|sqlite] PIPELINE",
                                    meaning: "the pipeline or analytics command as one SQL query to run in a warehouse, without reading any data (dialect duckdb unless named)",
                                    example: "explain sql dialect postgres orders | agg spend = sum(amount) by channel")
        case .attach: return .init(name: "attach", group: .statement, usage: "attach postgres \"CONNINFO\" as NAME · attach spark \"MASTER\" as NAME", meaning: "connect a PostgreSQL database (libpq) or a Spark engine (spark-sql); its tables are NAME.TABLE, pipelines over them run in the engine and only the answer comes back", example: "attach postgres \"host=/tmp/pg dbname=club\" as pg")
        case .detach: return .init(name: "detach", group: .statement, usage: "detach NAME", meaning: "disconnect an attached engine", example: "detach pg")
        case .campaigns: return .init(name: "campaigns", group: .statement, usage: "campaigns", meaning: "the campaigns defined (`campaign NAME = CONTACTS … window D`), their contacts table, window and what uses them", example: "campaigns")
        }
    }

    /// Every step's topic, in the order of `StepWord` (`left join` is under `join`), then
    /// `members`, which follows only an analytics command.
    static var steps: [HelpTopic] { StepWord.allCases.compactMap(topic) + [.init(name: "members", group: .step, usage: "types | members", meaning: "one row per customer of the types", example: "types | members | take 5")] }

    /// A step's topic: one case per step word, so a new step needs its help here.
    static func topic(_ word: StepWord) -> HelpTopic? {
        switch word {
        case .`where`: return .init(name: "where", group: .step, usage: "where COND", meaning: "keep the rows where COND is true (null counts as false)", example: "orders | where amount > 100 and channel == \"web\"")
        case .select: return .init(name: "select", group: .step, usage: "select a, b, c = EXPR", meaning: "keep and compute columns", example: "orders | select customer_id, amount, vat = amount * 9%")
        case .derive: return .init(name: "derive", group: .step, usage: "derive c = EXPR, …", meaning: "add or replace columns", example: "orders | derive year = year(date), big = amount > 500")
        case .agg: return .init(name: "agg", group: .step, usage: "agg NAME = AGGREGATE, … [by KEY, …]", meaning: "one row per key (or one row), with aggregates", example: "orders | agg orders = count(), spend = sum(amount) by customer_id")
        case .sort: return .init(name: "sort", group: .step, usage: "sort a [desc], b", meaning: "order rows, stable, nulls last", example: "orders | sort amount desc, customer_id")
        case .take: return .init(name: "take", group: .step, usage: "take N", meaning: "the first N rows", example: "orders | take 5")
        case .top: return .init(name: "top", group: .step, usage: "top N by x", meaning: "the N rows with the largest x", example: "orders | top 10 by amount")
        case .distinct: return .init(name: "distinct", group: .step, usage: "distinct a, b", meaning: "the distinct combinations of the columns", example: "orders | distinct channel")
        case .join: return .init(name: "join", group: .step, usage: "[left] join T on a == b", meaning: "rows with a match in T; `left join` keeps the rest", example: "orders | left join customers on customer_id == id")
        case .count: return .init(name: "count", group: .step, usage: "count", meaning: "the number of rows", example: "orders | count")
        case .chart: return .init(name: "chart", group: .step, usage: "chart bar|line|heatmap|flow · chart hist COLUMN [to \"FILE.svg\" [overwrite]]", meaning: "draw the table in the terminal, or as a standalone SVG (an existing file needs overwrite)", example: "orders | agg revenue = sum(amount) by channel | chart bar")
        case .left: return nil
        }
    }

    /// customers360 (made by `use`), then each analytics command's own topic.
    static var analytics: [HelpTopic] {
        [HelpTopic(name: "customers360", group: .analytics, usage: "customers360", meaning: "one row per customer: first_order, last_order, orders, spend, avg_order, days_since_last", example: "customers360 | top 5 by spend")] + AnalyticsCommands.all.map { $0.help }
    }

    /// Every scalar function's topic, in the order of `ScalarFunction`.
    static var functions: [HelpTopic] { ScalarFunction.allCases.map(topic) }

    /// A function's topic: one case per function, so a new function needs its help here.
    static func topic(_ function: ScalarFunction) -> HelpTopic {
        switch function {
        case .`if`: return .init(name: "if", group: .function, usage: "if(cond, a, b)", meaning: "a where cond is true, else b", example: "orders | select size = if(amount > 100, \"big\", \"small\")")
        case .coalesce: return .init(name: "coalesce", group: .function, usage: "coalesce(a, b, …)", meaning: "the first value that is not null", example: "customers | select year = coalesce(birth_year, 0)")
        case .abs: return .init(name: "abs", group: .function, usage: "abs(x)", meaning: "the absolute value", example: "abs(-3)")
        case .round: return .init(name: "round", group: .function, usage: "round(x[, digits])", meaning: "rounded half away from zero", example: "round(2.345, 2)")
        case .floor: return .init(name: "floor", group: .function, usage: "floor(x)", meaning: "rounded down", example: "floor(2.7)")
        case .ceil: return .init(name: "ceil", group: .function, usage: "ceil(x)", meaning: "rounded up", example: "ceil(2.1)")
        case .sqrt: return .init(name: "sqrt", group: .function, usage: "sqrt(x)", meaning: "the square root (null for negatives)", example: "sqrt(16)")
        case .ln: return .init(name: "ln", group: .function, usage: "ln(x)", meaning: "the natural logarithm", example: "ln(exp(1))")
        case .exp: return .init(name: "exp", group: .function, usage: "exp(x)", meaning: "e to the power x", example: "exp(1)")
        case .pow: return .init(name: "pow", group: .function, usage: "pow(x, y)", meaning: "x to the power y", example: "pow(1.01, 12)")
        case .lower: return .init(name: "lower", group: .function, usage: "lower(text)", meaning: "lower case", example: "customers | select lower(city)")
        case .upper: return .init(name: "upper", group: .function, usage: "upper(text)", meaning: "upper case", example: "customers | select upper(city)")
        case .len: return .init(name: "len", group: .function, usage: "len(text)", meaning: "the number of characters", example: "customers | select name, n = len(name)")
        case .contains: return .init(name: "contains", group: .function, usage: "contains(text, part)", meaning: "whether text contains part", example: "customers | where contains(name, \"Trading\")")
        case .starts_with: return .init(name: "starts_with", group: .function, usage: "starts_with(text, part)", meaning: "whether text starts with part", example: "customers | where starts_with(name, \"Sara\")")
        case .year: return .init(name: "year", group: .function, usage: "year(date)", meaning: "the year", example: "orders | agg n = count() by y = year(date)")
        case .month: return .init(name: "month", group: .function, usage: "month(date)", meaning: "the month, 1–12", example: "orders | agg n = count() by m = month(date)")
        case .day: return .init(name: "day", group: .function, usage: "day(date)", meaning: "the day of the month", example: "orders | select d = day(date) | take 3")
        case .weekday: return .init(name: "weekday", group: .function, usage: "weekday(date)", meaning: "ISO weekday, Monday 1 … Sunday 7", example: "orders | agg n = count() by w = weekday(date)")
        case .quarter: return .init(name: "quarter", group: .function, usage: "quarter(date)", meaning: "the quarter of the year, 1–4, in the session's calendar (under .calendar jalali Farvardin–Khordad is 1)", example: "orders | agg revenue = sum(amount) by y = year(date), q = quarter(date)")
        case .year_start: return .init(name: "year_start", group: .function, usage: "year_start(date)", meaning: "the first day of the date's year (1 Farvardin under .calendar jalali)", example: "orders | agg revenue = sum(amount) by y = year_start(date)")
        case .month_name: return .init(name: "month_name", group: .function, usage: "month_name(date)", meaning: "the month's name in the session's calendar: Farvardin … Esfand under .calendar jalali, January … December otherwise; in Persian with .lang fa", example: "orders | agg revenue = sum(amount) by m = month_start(date), name = month_name(date)")
        case .month_start: return .init(name: "month_start", group: .function, usage: "month_start(date)", meaning: "the first day of the date's month", example: "orders | agg revenue = sum(amount) by month = month_start(date)")
        case .days_between: return .init(name: "days_between", group: .function, usage: "days_between(from, to)", meaning: "to − from in days", example: "days_between(2024-01-01, 2024-06-30)")
        case .days_since: return .init(name: "days_since", group: .function, usage: "days_since(date)", meaning: "days from date to the as-of date", example: "customers360 | where days_since(last_order) > 180d")
        }
    }

    static let aggregates: [HelpTopic] = AggregateFunction.allCases.map { f in
        let usage = f == .count ? "count() · count(x)" : f == .percentile ? "percentile(x, 0.9)" : "\(f.rawValue)(x)"
        let meaning: String
        switch f {
        case .count: meaning = "rows, or non-null values of x"
        case .count_distinct: meaning = "distinct non-null values"
        case .sum: meaning = "the total (compensated summation)"
        case .avg: meaning = "the mean"
        case .min: meaning = "the smallest value"
        case .max: meaning = "the largest value"
        case .median: meaning = "the middle value (interpolated)"
        case .percentile: meaning = "the value below which the fraction falls (interpolated)"
        case .stddev: meaning = "the sample standard deviation"
        case .first: meaning = "the first non-null value"
        case .last: meaning = "the last non-null value"
        case .mode: meaning = "the most frequent non-null value (a tie goes to the value met first)"
        }
        let call = f == .count ? "count()" : f == .percentile ? "percentile(amount, 0.9)" : f == .mode ? "mode(channel)" : "\(f.rawValue)(amount)"
        return HelpTopic(name: f.rawValue, group: .aggregate, usage: usage, meaning: meaning, example: "orders | agg x = \(call) by \(f == .mode ? "customer_id" : "channel")")
    }
}

import Foundation

/// Random pipelines over the generated tables, typed as the checker types them and kept to
/// moderate magnitudes (no integer or date overflow: that is the numeric policy's business, not
/// this test's).
struct DGenerator {
    var rng: SeededGenerator
    private(set) var sources: [String: DSource]
    /// Whether sqlite3 has its math functions (sqrt for stddev, mod for `%` of doubles).
    let math: Bool
    private var names = 0

    /// Integer and double results stay below this (far from 2^63, and exact enough as doubles).
    static let numberLimit = 1e15
    /// Dates stay within this many days of 2020-01-01.
    static let dateLimit = 20_000.0

    /// Parameters the pipelines may use in place of literals (`let lim_int = 5`).
    private(set) var parameters: [(name: String, value: DLit)] = []

    init(seed: UInt64, sources: [DSource], math: Bool) {
        rng = SeededGenerator(seed: seed)
        self.sources = Dictionary(uniqueKeysWithValues: sources.map { ($0.name, $0) })
        self.math = math
        for t in [DType.int, .double, .date, .datetime, .string, .bool] {
            if case .literal(let value) = literal(t, parameter: false) { parameters.append(("lim_\(t.rawValue)", value)) }
        }
    }

    /// Makes `source` (a named result) available to later pipelines.
    mutating func add(_ source: DSource) { sources[source.name] = source }

    /// The sources pipelines start from and join, with weights: mostly `t`.
    private var weightedSources: [(name: String, weight: Int)] {
        sources.keys.sorted().map { ($0, $0 == "t" ? 12 : $0.hasPrefix("r") ? 2 : 3) }
    }

    private mutating func pickSource() -> String {
        let choices = weightedSources
        return choices[rng.weighted(choices.map(\.weight))].name
    }

    // MARK: - Pipelines

    /// A pipeline over `source`, or over a source picked at random.
    mutating func pipeline(from given: String? = nil) -> DPipeline {
        names = 0
        let source = given ?? pickSource()
        var columns = sources[source]!.columns
        var rows = sources[source]!.rows
        var steps: [DPlannedStep] = []
        let count = rng.weighted([0, 3, 4, 4, 3, 2])
        while steps.count < count {
            guard let (step, output, newRows) = step(columns, rows: rows, last: steps.count == count - 1) else { continue }
            steps.append(DPlannedStep(step: step, input: columns, output: output))
            columns = output
            rows = newRows
            if case .count = step { break }
        }
        return DPipeline(source: source, sourceColumns: sources[source]!.columns, steps: steps)
    }

    /// One step over `columns`, its output columns and an upper estimate of its rows; nil to try again.
    private mutating func step(_ columns: [DCol], rows: Int, last: Bool) -> (DStep, [DCol], Int)? {
        // Columns the two engines may compute a last bit apart are shown and aggregated only.
        let usable = columns.filter(\.identical)
        switch rng.weighted([26, 10, 7, 16, 11, 6, 5, 6, 11, last ? 3 : 1]) {
        case 0:
            return (.filter(bool(usable, depth: rng.weighted([3, 4, 2, 1]))), columns, rows)
        case 1:
            var out = columns
            var items: [(name: String, expr: DExpr)] = []
            for _ in 0..<rng.weighted([0, 6, 3, 1]) {
                let e = value(out.filter(\.identical), depth: rng.int(0...2))
                let name = rng.chance(0.25) ? rng.pick(out).name : fresh()
                items.append((name, e))
                let col = DCol(name: name, expr: e)
                if let i = out.firstIndex(where: { $0.name == name }) { out[i] = col } else { out.append(col) }
            }
            return (.derive(items), out, rows)
        case 2:
            var items: [(name: String?, expr: DExpr)] = []
            var out: [DCol] = []
            for _ in 0..<rng.int(1...4) {
                if rng.chance(0.6) {
                    let c = rng.pick(columns)
                    guard !out.contains(where: { $0.name == c.name }) else { continue }
                    items.append((nil, .column(c)))
                    out.append(c)
                } else {
                    let e = value(usable, depth: rng.int(0...2))
                    let unnamed = Self.defaultName(e, items.count)
                    let name = rng.chance(0.25) && !out.contains(where: { $0.name == unnamed }) ? nil : fresh()
                    items.append((name, e))
                    out.append(DCol(name: name ?? unnamed, expr: e))
                }
            }
            guard !items.isEmpty else { return nil }
            return (.select(items), out, rows)
        case 3:
            return aggregate(columns, rows: rows)
        case 4:
            guard !usable.isEmpty else { return nil }
            return (.sort(sortKeys(usable)), columns, rows)
        case 5:
            guard !usable.isEmpty else { return nil }
            let n = rng.int(0...15)
            return (.top(n, sortKeys(usable)), columns, min(rows, n))
        case 6:
            let n = rng.int(0...30)
            return (.take(n), columns, min(rows, n))
        case 7:
            var picked: [DCol] = []
            for _ in 0..<rng.weighted([usable.count == columns.count ? 3 : 0, 4, 3, 2]) where !usable.isEmpty {
                let c = rng.pick(usable)
                if !picked.contains(where: { $0.name == c.name }) { picked.append(c) }
            }
            guard !picked.isEmpty || usable.count == columns.count else { return nil }
            return (.distinct(picked.map(\.name)), picked.isEmpty ? columns : picked, rows)
        case 8:
            return join(columns, rows: rows)
        default:
            return (.count, [DCol(name: "count", type: .int, bound: Double(DLimits.maxRows))], 1)
        }
    }

    private mutating func sortKeys(_ columns: [DCol]) -> [(expr: DExpr, direction: SortDirection)] {
        (0..<rng.weighted([0, 5, 3, 2])).map { _ in
            let e: DExpr = rng.chance(0.9) ? .column(rng.pick(columns)) : value(columns, depth: 1)
            return (e, [SortDirection.unstated, .asc, .desc][rng.int(0...2)])
        }
    }

    private mutating func aggregate(_ columns: [DCol], rows: Int) -> (DStep, [DCol], Int)? {
        let usable = columns.filter(\.identical)
        var keys: [(name: String?, expr: DExpr)] = []
        var out: [DCol] = []
        for _ in 0..<rng.weighted([3, 5, 3, 1]) {
            if rng.chance(0.85) {
                guard !usable.isEmpty else { continue }
                let c = rng.pick(usable)
                guard !out.contains(where: { $0.name == c.name }) else { continue }
                keys.append((nil, .column(c)))
                out.append(c)
            } else {
                let e = rng.chance(0.5) ? int(usable, depth: 1) : value(usable, depth: 1)
                let unnamed = Self.defaultName(e, keys.count)
                let name = rng.chance(0.3) && !out.contains(where: { $0.name == unnamed }) ? nil : fresh()
                keys.append((name, e))
                out.append(DCol(name: name ?? unnamed, expr: e))
            }
        }
        var outputs: [(name: String?, expr: DExpr)] = []
        for _ in 0..<rng.int(1...4) {
            var e = aggregateCall(columns)
            if rng.chance(0.2) {
                // Aggregates combined in an expression: `sum(x) / count()`, `max(y) - min(y)`, `avg(x) * 2`.
                let ops = ["+", "-", "*", "/"]
                if e.type.isNumeric {
                    let other: DExpr
                    if rng.chance(0.3) {
                        other = literal(rng.chance(0.5) ? .int : .double)
                    } else {
                        var o = aggregateCall(columns)
                        var tries = 0
                        while !o.type.isNumeric && tries < 10 { o = aggregateCall(columns); tries += 1 }
                        guard o.type.isNumeric else { return nil }
                        other = o
                    }
                    let combined = DExpr.arithmetic(rng.pick(ops), e, other)
                    if combined.bound < Self.numberLimit { e = combined }
                }
            }
            // Now and then unnamed, to take the default name: `count`, `sum_x`, `sum`, `expr2`.
            let d = Self.defaultName(e, outputs.count)
            if rng.chance(0.3), !out.contains(where: { $0.name == d }) {
                outputs.append((nil, e))
                out.append(DCol(name: d, expr: e))
            } else {
                let name = fresh()
                outputs.append((name, e))
                out.append(DCol(name: name, expr: e))
            }
        }
        return (.agg(keys: keys, outputs: outputs), out, rows)
    }

    private mutating func aggregateCall(_ columns: [DCol]) -> DExpr {
        if rng.chance(0.08) { return .aggregate("count", nil, fraction: nil) }
        let arg: DExpr = rng.chance(0.85) ? .column(rng.pick(columns)) : value(columns.filter(\.identical), depth: 1)
        // Distinct values of a column the engines compute a last bit apart would not agree.
        var functions = arg.identical ? ["count", "count_distinct", "min", "max", "first", "last"] : ["count", "min", "max", "first", "last"]
        if arg.type.isNumeric {
            functions += ["sum", "sum", "avg", "avg", "median", "percentile", "percentile"]
            if math { functions += ["stddev", "stddev"] }
        }
        if arg.type == .null { functions = ["count", "count_distinct"] }
        let f = rng.pick(functions)
        return .aggregate(f, arg, fraction: f == "percentile" ? rng.pick([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) : nil)
    }

    private mutating func join(_ columns: [DCol], rows: Int) -> (DStep, [DCol], Int)? {
        let name = pickSource()
        let right = sources[name]!
        func compatible(_ a: DType, _ b: DType) -> Bool {
            let temporal: Set<DType> = [.date, .datetime]
            return (a.isNumeric && b.isNumeric) || (a == .string && b == .string) || (temporal.contains(a) && temporal.contains(b))
        }
        var candidates: [(left: String, right: String, shorthand: Bool)] = []
        for l in columns where l.identical {
            for r in right.columns where r.identical && compatible(l.type, r.type) {
                candidates.append((l.name, r.name, l.name == r.name))
            }
        }
        guard !candidates.isEmpty else { return nil }
        // Mostly pairs whose columns share values (so the join meets rows) or share a name
        // (`join u on k`), other pairs the rest.
        func samples(_ cols: [DCol], _ name: String) -> [DLit] { cols.first { $0.name == name }?.samples ?? [] }
        let meeting = candidates.filter { pair in
            let r = Set(samples(right.columns, pair.right).map(\.key))
            return samples(columns, pair.left).contains { r.contains($0.key) }
        }
        var on: [(left: String, right: String, shorthand: Bool)] = []
        for _ in 0..<rng.weighted([0, 5, 2]) {
            let same = candidates.filter(\.shorthand)
            let pair = !meeting.isEmpty && rng.chance(0.6) ? rng.pick(meeting) : !same.isEmpty && rng.chance(0.6) ? rng.pick(same) : rng.pick(candidates)
            if !on.contains(where: { $0.left == pair.left || $0.right == pair.right }) { on.append(pair) }
        }
        // The most right rows any one left row can meet.
        let fanOut = on.map { right.fanOut[$0.right] ?? right.rows }.min() ?? 0
        let estimate = rows * max(fanOut, 1)
        guard estimate <= DLimits.maxRows / 2 else { return nil }
        // docs/language.md: a right column whose name is taken gets the table's name as a suffix,
        // and `on id` does not repeat the right key; a name still taken then gets 2, 3, … (as
        // the checker does).
        var out = columns
        let dropped = Set(on.filter(\.shorthand).map(\.right))
        for c in right.columns where !dropped.contains(c.name) {
            var n = c.name
            if out.contains(where: { $0.name == n }) { n = "\(n)_\(name)" }
            let base = n
            var k = 2
            while out.contains(where: { $0.name == n }) { n = "\(base)\(k)"; k += 1 }
            var renamed = c
            renamed.name = n
            out.append(renamed)
        }
        return (.join(left: rng.chance(0.4), table: name, on: on, rightColumns: right.columns), out, estimate)
    }

    /// The name clubsh gives an unnamed item, as docs/language.md says: a column keeps its name,
    /// a function call is named after the function and its column (`sum_amount`) or the
    /// function alone, anything else `expr1`, `expr2`, … by its place in the list. A parameter
    /// is written as a name too, and names an item as a column does.
    static func defaultName(_ e: DExpr, _ index: Int) -> String {
        func written(_ e: DExpr?) -> String? {
            switch e {
            case .column(let c)?: return c.name
            case .parameter(let name, _)?: return name
            default: return nil
            }
        }
        switch e {
        case .column, .parameter: return written(e)!
        case .call(let f, let args): return written(args.first).map { "\(f)_\($0)" } ?? f
        case .aggregate(let f, let arg, _): return written(arg).map { "\(f)_\($0)" } ?? f
        default: return "expr\(index + 1)"
        }
    }

    /// A new column name: `n1`, `n2`, … and now and then a Persian one; never a column of a
    /// source (named results have such names too).
    private mutating func fresh() -> String {
        let taken = Set(sources.values.flatMap { $0.columns.map(\.name) })
        while true {
            names += 1
            let name = rng.chance(0.15) ? "مقدار\(names)" : "n\(names)"
            if !taken.contains(name) { return name }
        }
    }

    // MARK: - Expressions

    /// A value of any column type.
    private mutating func value(_ columns: [DCol], depth: Int) -> DExpr {
        switch rng.weighted([4, 3, 1, 2, 1, 2]) {
        case 0: return int(columns, depth: depth)
        case 1: return double(columns, depth: depth)
        case 2: return bool(columns, depth: depth)
        case 3: return date(columns, depth: depth)
        case 4: return datetime(columns, depth: depth)
        default: return string(columns, depth: depth)
        }
    }

    private mutating func typed(_ t: DType, _ columns: [DCol], depth: Int) -> DExpr {
        switch t {
        case .int: return int(columns, depth: depth)
        case .double: return double(columns, depth: depth)
        case .bool: return bool(columns, depth: depth)
        case .date: return date(columns, depth: depth)
        case .datetime: return datetime(columns, depth: depth)
        default: return string(columns, depth: depth)
        }
    }

    /// A date or a date-time.
    private mutating func temporal(_ columns: [DCol], depth: Int) -> DExpr {
        rng.chance(0.6) ? date(columns, depth: depth) : datetime(columns, depth: depth)
    }

    private mutating func column(_ columns: [DCol], _ t: DType) -> DExpr? {
        let matching = columns.filter { $0.type == t }
        return matching.isEmpty ? nil : .column(rng.pick(matching))
    }

    /// A number of either kind.
    private mutating func number(_ columns: [DCol], depth: Int) -> DExpr {
        rng.chance(0.55) ? int(columns, depth: depth) : double(columns, depth: depth)
    }

    /// `e` when its values stay moderate, else a plain column or literal of its type.
    private mutating func moderate(_ e: DExpr, _ columns: [DCol], _ t: DType) -> DExpr {
        let limit = t == .date || t == .datetime ? Self.dateLimit : Self.numberLimit
        if e.bound < limit { return e }
        return column(columns, t).flatMap { $0.bound < limit ? $0 : nil } ?? literal(t)
    }

    mutating func int(_ columns: [DCol], depth: Int) -> DExpr {
        let choice = rng.weighted([6, 2, depth > 0 ? 10 : 0])
        if choice == 0, let c = column(columns, .int) { return c }
        if choice <= 1 { return literal(.int) }
        let e: DExpr
        switch rng.weighted([4, 2, 2, 1, 1, 2, 1, 1, 1, 1]) {
        case 0: e = .arithmetic(rng.pick(["+", "-"]), int(columns, depth: depth - 1), int(columns, depth: depth - 1))
        case 1: e = .arithmetic("*", int(columns, depth: depth - 1), int(columns, depth: depth - 1))
        case 2: e = .arithmetic("%", int(columns, depth: depth - 1), rng.chance(0.7) ? nonZero(.int) : int(columns, depth: depth - 1))
        case 3: e = .negate(int(columns, depth: depth - 1))
        case 4: e = .call("abs", [int(columns, depth: depth - 1)])
        case 5: e = .call(rng.pick(["year", "month", "day", "weekday"]), [temporal(columns, depth: depth - 1)])
        case 6: e = rng.chance(0.5) ? .arithmetic("-", date(columns, depth: depth - 1), date(columns, depth: depth - 1))
                                    : .call("days_between", [temporal(columns, depth: depth - 1), temporal(columns, depth: depth - 1)])
        case 7: e = .call("if", [bool(columns, depth: depth - 1), int(columns, depth: depth - 1), int(columns, depth: depth - 1)])
        case 8: e = .call("coalesce", [int(columns, depth: depth - 1), rng.chance(0.2) ? .literal(.null) : literal(.int)]
                          + (rng.chance(0.2) ? [literal(.int)] : []))
        default: e = .arithmetic(rng.pick(["+", "-"]), int(columns, depth: depth - 1), literal(.int))
        }
        return moderate(e, columns, .int)
    }

    mutating func double(_ columns: [DCol], depth: Int) -> DExpr {
        let choice = rng.weighted([6, 2, depth > 0 ? 10 : 0])
        if choice == 0, let c = column(columns, .double) { return c }
        if choice <= 1 { return literal(.double) }
        let e: DExpr
        switch rng.weighted([4, 2, 3, math ? 1 : 0, 1, 2, 1, 1, 1]) {
        case 0: e = .arithmetic(rng.pick(["+", "-"]), double(columns, depth: depth - 1), number(columns, depth: depth - 1))
        case 1: e = .arithmetic("*", number(columns, depth: depth - 1), double(columns, depth: depth - 1))
        case 2: e = .arithmetic("/", number(columns, depth: depth - 1), rng.chance(0.5) ? nonZero(rng.chance(0.5) ? .int : .double) : number(columns, depth: depth - 1))
        case 3: e = .arithmetic("%", double(columns, depth: depth - 1), rng.chance(0.7) ? nonZero(.double) : number(columns, depth: depth - 1))
        case 4: e = .negate(double(columns, depth: depth - 1))
        case 5: e = .call(math ? rng.pick(["abs", "floor", "ceil"]) : "abs", [double(columns, depth: depth - 1)])
        case 6: e = .call("if", [bool(columns, depth: depth - 1), double(columns, depth: depth - 1), number(columns, depth: depth - 1)])
        case 7: e = .call("coalesce", [double(columns, depth: depth - 1), rng.chance(0.5) ? literal(.double) : literal(.int)])
        default: e = .arithmetic("-", datetime(columns, depth: depth - 1), datetime(columns, depth: depth - 1))
        }
        return moderate(e, columns, .double)
    }

    mutating func date(_ columns: [DCol], depth: Int) -> DExpr {
        let choice = rng.weighted([6, 1, depth > 0 ? 8 : 0])
        if choice == 0, let c = column(columns, .date) { return c }
        if choice <= 1 { return literal(.date) }
        let e: DExpr
        switch rng.weighted([3, 3, 1, 1, 1]) {
        case 0:
            // date ± a small whole number of days (a column of small integers or a literal).
            let days: DExpr = columns.filter { $0.type == .int && $0.bound <= 1000 }.isEmpty || rng.chance(0.4)
                ? literal(.int) : .column(rng.pick(columns.filter { $0.type == .int && $0.bound <= 1000 }))
            let d = date(columns, depth: depth - 1)
            e = rng.chance(0.5) ? .arithmetic("-", d, days) : (rng.chance(0.8) ? .arithmetic("+", d, days) : .arithmetic("+", days, d))
        case 1:
            let unit = rng.pick(["mo", "mo", "y", "w", "d"])
            e = .shift(date(columns, depth: depth - 1), count: rng.int(0...(unit == "y" ? 3 : 14)), unit: unit, subtract: rng.chance(0.4))
        case 2: e = .call("month_start", [temporal(columns, depth: depth - 1)])
        case 3: e = .call("if", [bool(columns, depth: depth - 1), date(columns, depth: depth - 1), date(columns, depth: depth - 1)])
        default: e = .call("coalesce", [date(columns, depth: depth - 1), literal(.date)])
        }
        return moderate(e, columns, .date)
    }

    mutating func datetime(_ columns: [DCol], depth: Int) -> DExpr {
        let choice = rng.weighted([6, 1, depth > 0 ? 5 : 0])
        if choice == 0, let c = column(columns, .datetime) { return c }
        if choice <= 1 { return literal(.datetime) }
        let e: DExpr
        switch rng.weighted([3, 1, 1]) {
        case 0:
            let unit = rng.pick(["mo", "y", "w", "d"])
            e = .shift(datetime(columns, depth: depth - 1), count: rng.int(0...(unit == "y" ? 3 : 14)), unit: unit, subtract: rng.chance(0.4))
        case 1:
            // A date meets a date-time as its midnight.
            e = .call("if", [bool(columns, depth: depth - 1), datetime(columns, depth: depth - 1), temporal(columns, depth: depth - 1)])
        default:
            e = .call("coalesce", [datetime(columns, depth: depth - 1), rng.chance(0.5) ? date(columns, depth: depth - 1) : literal(.datetime)])
        }
        return moderate(e, columns, .datetime)
    }

    mutating func string(_ columns: [DCol], depth: Int) -> DExpr {
        let choice = rng.weighted([6, 2, depth > 0 ? 4 : 0])
        if choice == 0, let c = column(columns, .string) { return c }
        if choice <= 1 { return literal(.string) }
        switch rng.weighted([3, 1, 1]) {
        case 0: return .arithmetic("+", string(columns, depth: depth - 1), string(columns, depth: depth - 1))
        case 1: return .call("if", [bool(columns, depth: depth - 1), string(columns, depth: depth - 1), string(columns, depth: depth - 1)])
        default: return .call("coalesce", [string(columns, depth: depth - 1), literal(.string)])
        }
    }

    mutating func bool(_ columns: [DCol], depth: Int) -> DExpr {
        switch rng.weighted([8, 1, depth > 0 ? 4 : 0, depth > 0 ? 1 : 0, 2, 2, 2, 1, 1, 2]) {
        case 0:
            // A comparison within one family of types; mostly a column against a literal.
            let t = presentType(columns, [rng.chance(0.5) ? DType.int : .double, .string, .date, .bool, .datetime], [5, 3, 2, 1, 1])
            let ops = t == .bool ? ["==", "!="] : ["==", "!=", "!=", "<", "<=", ">", ">=", "<", ">="]
            let left = rng.chance(0.8) ? (column(columns, t) ?? typed(t, columns, depth: depth)) : typed(t, columns, depth: depth)
            let right: DExpr
            switch rng.weighted([24, 12, 8, 1]) {
            case 0: right = sample(left) ?? literal(t.isNumeric ? (rng.chance(0.5) ? .int : .double) : t == .datetime && rng.chance(0.4) ? .date : t)
            case 1:
                // Another column of the family (a column against itself only when there is no other).
                let others = columns.filter { c in
                    [t, t == .int ? .double : t == .double ? .int : t == .datetime ? .date : t].contains(c.type) && { if case .column(let l) = left { return l.name != c.name } else { return true } }()
                }
                right = others.isEmpty ? typed(t, columns, depth: depth) : .column(rng.pick(others))
            case 2: right = typed(t, columns, depth: max(depth - 1, 0))
            default: right = .literal(.null)
            }
            return rng.chance(0.8) ? .compare(rng.pick(ops), left, right) : .compare(rng.pick(ops), right, left)
        case 1:
            // A date or date-time column against text, which clubsh reads as a date.
            guard let d = column(columns, rng.chance(0.6) ? .date : .datetime), case .literal(.date(let day)) = literal(.date, parameter: false) else {
                return bool(columns, depth: depth)
            }
            return .compare(rng.pick(["==", "<", ">=", "!="]), d, .literal(.string(DCivil.text(day))))
        case 9:
            let text = rng.chance(0.85) ? (column(columns, .string) ?? string(columns, depth: 0)) : string(columns, depth: max(depth - 1, 0))
            let needle: DExpr
            if case .literal(.string(let sample))? = sample(text), rng.chance(0.7) {
                // A piece of one of the column's own values: its start, or a middle part.
                let characters = Array(sample)
                let from = rng.chance(0.5) ? 0 : rng.int(0...characters.count)
                needle = .literal(.string(String(characters[from..<min(characters.count, from + rng.int(0...3))])))
            } else if rng.chance(0.6) {
                needle = .literal(.string(rng.pick(["a", "al", "e", "é", "Ca", "ca", "ت", "تهر", "", "ß", "b", "ش", "|", "'"])))
            } else {
                needle = string(columns, depth: 0)
            }
            return .call(rng.pick(["contains", "starts_with"]), [text, needle])
        case 2: return rng.chance(0.4) ? .and(bool(columns, depth: depth - 1), bool(columns, depth: depth - 1))
                                       : .or(bool(columns, depth: depth - 1), bool(columns, depth: depth - 1))
        case 3: return .not(bool(columns, depth: depth - 1))
        case 4: return .isNull(rng.chance(0.8) && !columns.isEmpty ? .column(rng.pick(columns)) : value(columns, depth: max(depth - 1, 0)), negated: rng.chance(0.6))
        case 5:
            let t = presentType(columns, [.int, .double, .string, .date, .datetime], [3, 2, 3, 1, 1])
            let left = column(columns, t) ?? typed(t, columns, depth: 0)
            var items = (0..<rng.int(1...4)).map { _ -> DLit in
                if case .literal(let l)? = sample(left) { return l }
                if case .literal(let l) = literal(t.isNumeric ? (rng.chance(0.7) ? .int : .double) : t == .datetime && rng.chance(0.3) ? .date : t, parameter: false) { return l }
                return .null
            }
            if rng.chance(0.1) { items.insert(.null, at: rng.int(0...items.count)) }
            return .inList(left, items, negated: rng.chance(0.3))
        case 6:
            let t = presentType(columns, [.int, .double, .date, .string, .datetime], [3, 2, 2, 1, 1])
            let left = column(columns, t) ?? typed(t, columns, depth: 0)
            var (low, high) = (sample(left) ?? literal(t), sample(left) ?? literal(t))
            // Mostly low ≤ high (the other way round selects nothing).
            if case .literal(let a) = low, case .literal(let b) = high, Self.less(b, a), rng.chance(0.85) { (low, high) = (high, low) }
            return .between(left, low, high, negated: rng.chance(0.3))
        case 7:
            return column(columns, .bool) ?? .literal(.bool(true))
        default:
            return .literal(.bool(rng.chance(0.7)))
        }
    }

    /// A literal of type `t` drawn near the generated data, so comparisons select something;
    /// now and then the parameter of that type instead.
    mutating func literal(_ t: DType, parameter: Bool = true) -> DExpr {
        if parameter, rng.chance(0.08), let p = parameters.first(where: { $0.value.type == t }) { return .parameter(p.name, p.value) }
        switch t {
        case .int: return .literal(.int(Int64(rng.chance(0.7) ? rng.int(-10...12) : rng.int(-1000...1000))))
        case .double: return .literal(.cents(Int64(rng.chance(0.7) ? rng.int(-40...40) * 25 : rng.int(-100_000...100_000))))
        case .bool: return .literal(.bool(rng.chance(0.5)))
        case .date: return .literal(.date(DCivil.epoch2020 + rng.int(-30...2250)))
        case .datetime:
            return .literal(.datetime(Int64(DCivil.epoch2020 + rng.int(-30...2250)) * 86400 + (rng.chance(0.3) ? 0 : Int64(rng.int(0...86399)))))
        case .string:
            let pool = rng.chance(0.6) ? DTables.words : rng.chance(0.5) ? DTables.cities : DTables.channels
            let w = rng.pick(pool.filter { !$0.unicodeScalars.contains("\r") })
            let nfd = w.decomposedStringWithCanonicalMapping
            return .literal(.string(nfd != w && rng.chance(0.4) ? nfd : w))
        case .null: return .literal(.null)
        }
    }

    /// One of `types` by `weights`, mostly one that some column has (so a condition reads rows).
    private mutating func presentType(_ columns: [DCol], _ types: [DType], _ weights: [Int]) -> DType {
        let present = Set(columns.map(\.type))
        var t: DType
        repeat { t = types[rng.weighted(weights)] } while !present.contains(t) && !present.isDisjoint(with: types) && rng.chance(0.9)
        return t
    }

    /// Order of two literals of one type (for `between` bounds).
    static func less(_ a: DLit, _ b: DLit) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y
        case let (.cents(x), .cents(y)): return x < y
        case let (.date(x), .date(y)): return x < y
        case let (.datetime(x), .datetime(y)): return x < y
        case let (.string(x), .string(y)): return x < y
        default: return false
        }
    }

    /// Mostly one of the column's own values, when `e` is a column that has some.
    private mutating func sample(_ e: DExpr) -> DExpr? {
        guard case .column(let c) = e else { return nil }
        // A carriage return cannot be written in a clubsh literal.
        let samples = c.samples.filter { if case .string(let s) = $0 { return !s.unicodeScalars.contains("\r") } else { return true } }
        guard !samples.isEmpty, rng.chance(0.75) else { return nil }
        return .literal(rng.pick(samples))
    }

    private mutating func nonZero(_ t: DType) -> DExpr {
        if t == .int { return .literal(.int(Int64(rng.pick([-7, -3, -2, 2, 3, 4, 5, 10])))) }
        return .literal(.cents(Int64(rng.pick([-250, -75, -50, 25, 50, 125, 300]))))
    }
}

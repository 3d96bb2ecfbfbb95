/// What the checker needs to know about the session: names and their shapes, not data.
protocol Catalog {
    /// The schema of a loaded table.
    func tableSchema(_ name: String) -> Schema?
    /// The definition of a named result.
    func resultDefinition(_ name: String) -> Pipeline?
    /// A parameter's value.
    func parameter(_ name: String) -> Value?
    /// The date `days_since` counts to.
    var asOf: Int32 { get }
    /// Every table, result and parameter name, for "did you mean".
    var knownNames: [String] { get }
    /// Binds an analytics command: the columns it will give and the names it reads, without
    /// running it.
    func bindAnalytics(_ command: AnalyticsCommand) throws(Diagnostic) -> AnalyticsBinding
    /// A user formula's parameters and body.
    func formula(_ name: String) -> (parameters: [String], body: Expr)?
    /// The columns of the listing statements `tables`, `segments`, `params` and `formulas`.
    func listingSchema(_ name: String) -> Schema?
    /// The checked plan of the named result `name` when the catalog keeps checked plans (nil:
    /// the checker checks the definition itself); throws, at `name`, when it cannot be used.
    func checkedResult(_ name: Name) throws(Diagnostic) -> Plan?
    /// The calendar a quoted date compared with a date column is read in (`.calendar`).
    var calendar: CalendarKind { get }
}

extension Catalog {
    func checkedResult(_ name: Name) throws(Diagnostic) -> Plan? { nil }
    var calendar: CalendarKind { .gregorian }
}

/// Resolves names and types: AST → plan (brief §4). Errors point at the offending name.
///
///     let plan = try Checker(catalog: session).check(pipeline)
struct Checker {
    let catalog: Catalog
    /// Named results being checked, outermost first (to refuse cycles).
    var resolving: [String] = []
    /// A formula's parameters while its body is checked.
    var locals: [String: TypedExpr] = [:]
    /// Formulas being expanded (to refuse one that calls itself).
    var expanding: [String] = []
    /// Every table, result, segment and parameter the checked statement reads, directly or
    /// through a result it uses (`@as_of` for the as-of date).
    let dependencies = Dependencies()

    /// The calendar a quoted date compared with a date column is read in: the session's, or
    /// for a named result the one it was defined under, as its date literals were.
    var calendar: CalendarKind

    init(catalog: Catalog) {
        self.catalog = catalog
        calendar = catalog.calendar
    }

    // MARK: - Pipelines

    /// Checks a pipeline and everything it reads.
    func check(_ pipeline: Pipeline) throws(Diagnostic) -> Plan {
        var (source, schema) = try resolveSource(pipeline.source, command: pipeline.command)
        var steps: [PlanStep] = []
        for s in pipeline.steps {
            for step in try check(s, schema: &schema) { steps.append(step) }
        }
        return Plan(source: source, steps: steps, schema: schema)
    }

    /// The plan for `defining` refers to itself through `source`?
    func checkDefinition(_ name: String, _ pipeline: Pipeline) throws(Diagnostic) -> Plan {
        var inner = self
        inner.resolving.append(name)
        return try inner.check(pipeline)
    }

    func resolveSource(_ name: Name, command: AnalyticsCommand? = nil) throws(Diagnostic) -> (PlanSource, Schema) {
        if let command {
            let binding = try catalog.bindAnalytics(command)
            dependencies.names.formUnion(binding.reads)
            return (.analytics(command, binding.schema), binding.schema)
        }
        if resolving.contains(name.text) {
            throw Diagnostic("`\(name.text)` cannot be defined in terms of itself (\((resolving + [name.text]).joined(separator: " → ")))", at: name.location)
        }
        if let plan = try catalog.checkedResult(name) {
            dependencies.names.insert(name.text)
            return (.result(name.text, plan), plan.schema)
        }
        if let schema = catalog.tableSchema(name.text) {
            // A numbered result (`_`, `_3`) changes with the catalog; its own name pins it.
            if name.text.hasPrefix("_") { dependencies.names.insert(Dependencies.catalog) }
            dependencies.names.insert(name.text)
            return (.table(name.text), schema)
        }
        if let definition = catalog.resultDefinition(name.text) {
            dependencies.names.insert(name.text)
            var inner = self
            inner.resolving.append(name.text)
            let plan = try inner.check(definition)
            return (.result(name.text, plan), plan.schema)
        }
        if catalog.parameter(name.text) != nil {
            throw Diagnostic("`\(name.text)` is a parameter, not a table", at: name.location)
        }
        if let schema = catalog.listingSchema(name.text) {
            dependencies.names.insert(Dependencies.catalog)
            return (.listing(name.text, schema), schema)
        }
        throw Diagnostic("unknown table `\(name.text)`", at: name.location,
                         hint: Suggest.hint(for: name.text, among: catalog.knownNames) ?? "`tables` lists what is loaded")
    }

    func check(_ s: PipelineStep, schema: inout Schema) throws(Diagnostic) -> [PlanStep] {
        switch s.step {
        case .filter(let e):
            let t = try expression(e, schema)
            guard t.type == .bool || t.type == .null else {
                throw Diagnostic("`where` needs a true/false condition, but this is \(article(t.type))", at: e.location,
                                 hint: "compare it, as in `amount > 100`")
            }
            return [.filter(t)]
        case .select(let items):
            var out: [(name: String, expr: TypedExpr)] = []
            for (k, item) in items.enumerated() {
                let t = try expression(item.expr, schema)
                out.append((item.name ?? defaultName(item.expr, k), t))
            }
            try checkUnique(out.map(\.name), items.map(\.location))
            schema = Schema(out.map { Schema.Field(name: $0.name, type: $0.expr.type) })
            return [.project(out)]
        case .derive(let items):
            var steps: [PlanStep] = []
            for item in items {
                let t = try expression(item.expr, schema)
                var out = schema.fields.enumerated().map { (name: $0.element.name, expr: TypedExpr.column($0.offset, $0.element.type)) }
                let name = item.name ?? "expr"
                if let i = schema.fields.firstIndex(where: { $0.name == name }) { out[i] = (name, t) } else { out.append((name, t)) }
                schema = Schema(out.map { Schema.Field(name: $0.name, type: $0.expr.type) })
                steps.append(.project(out))
            }
            return steps
        case .aggregate(let items, let by):
            var keys: [(name: String, expr: TypedExpr)] = []
            for (k, item) in by.enumerated() {
                keys.append((item.name ?? defaultName(item.expr, k), try expression(item.expr, schema)))
            }
            let collector = AggregateCollector(input: schema, keyCount: keys.count)
            let keySchema = Schema(keys.map { Schema.Field(name: $0.name, type: $0.expr.type) })
            var outputs: [(name: String, expr: TypedExpr)] = keys.enumerated().map { (name: $0.element.name, expr: .column($0.offset, $0.element.expr.type)) }
            for (k, item) in items.enumerated() {
                let t = try expression(item.expr, keySchema, aggregates: collector)
                outputs.append((item.name ?? defaultName(item.expr, k), t))
            }
            try checkUnique(outputs.map(\.name), by.map(\.location) + items.map(\.location))
            schema = Schema(outputs.map { Schema.Field(name: $0.name, type: $0.expr.type) })
            return [.aggregate(keys: keys, calls: collector.calls, outputs: outputs)]
        case .sort(let keys):
            return [.sort(try sortKeys(keys, schema))]
        case .take(let n):
            return [.take(n)]
        case .top(let n, let keys):
            return [.sort(try sortKeys(keys, schema)), .take(n)]
        case .distinct(let names):
            var indices: [Int] = []
            for n in names {
                guard let i = schema.index(of: n.text) else { throw unknownColumn(n.text, n.location, schema) }
                indices.append(i)
            }
            if indices.isEmpty { indices = Array(schema.fields.indices) }
            schema = Schema(indices.map { schema.fields[$0] })
            return [.distinct(indices)]
        case .join(let isLeft, let other, let condition):
            return [try join(isLeft, other, condition, &schema)]
        case .count:
            schema = Schema([Schema.Field(name: "count", type: .int)])
            return [.count]
        case .chart(let kind, let column, let path, let overwrite):
            var spec = try chartSpec(kind, column, path, schema, at: s.location)
            spec.overwrite = overwrite
            return [.chart(spec)]
        }
    }

    /// Which columns a chart draws. bar and heatmap: the first non-numeric column labels the
    /// rows (else the first column); line: the first date column is x (else the labels);
    /// the numeric columns are the values — for a heatmap of a cohort table the `m0`, `m1`, …
    /// columns only.
    func chartSpec(_ kind: ChartKind, _ column: Name?, _ path: String?, _ schema: Schema, at: SourceLocation) throws(Diagnostic) -> ChartSpec {
        let fields = schema.fields
        let numeric = fields.indices.filter { fields[$0].type.isNumeric }
        if kind == .hist {
            guard let column, let i = schema.index(of: column.text) else {
                throw unknownColumn(column?.text ?? "", column?.location ?? at, schema)
            }
            guard fields[i].type.isNumeric else { throw Diagnostic("`chart hist` needs a numeric column; `\(column.text)` is \(article(fields[i].type))", at: column.location) }
            return ChartSpec(kind: kind, label: nil, series: [i], path: path)
        }
        if kind == .flow {
            // From, to and how many: the first two text columns and the first numeric one, the
            // shape `lifecycle` and `tiers` give.
            let texts = fields.indices.filter { fields[$0].type == .string }
            guard texts.count >= 2, let count = numeric.first else {
                throw Diagnostic("`chart flow` needs two text columns (from, to) and a numeric one (how many)", at: at,
                                 hint: "for example: lifecycle from 2023-12-31 to 2024-06-30 | chart flow")
            }
            return ChartSpec(kind: kind, label: texts[0], series: [count], target: texts[1], path: path)
        }
        var label = fields.indices.first { !fields[$0].type.isNumeric && fields[$0].type != .bool }
        if kind == .line, let d = fields.indices.first(where: { fields[$0].type == .date || fields[$0].type == .datetime }) { label = d }
        var series = numeric.filter { $0 != label }
        if label == nil, let first = series.first, series.count > 1 { label = first; series.removeFirst() }
        if kind == .heatmap {
            let cells = series.filter { i in let n = fields[i].name; return n.count > 1 && n.first == "m" && n.dropFirst().allSatisfy(\.isNumber) }
            if !cells.isEmpty { series = cells }
        }
        guard !series.isEmpty else {
            throw Diagnostic("`chart \(kind.rawValue)` needs at least one numeric column to draw", at: at, hint: "add one with `agg` or `select`")
        }
        return ChartSpec(kind: kind, label: label, series: series, path: path)
    }

    func checkUnique(_ names: [String], _ locations: [SourceLocation]) throws(Diagnostic) {
        var seen = Set<String>()
        for (k, n) in names.enumerated() where !seen.insert(n).inserted {
            throw Diagnostic("the column name `\(n)` is used twice", at: k < locations.count ? locations[k] : locations.last!,
                             hint: "give one of them another name with `name = …`")
        }
    }

    func sortKeys(_ keys: [SortKey], _ schema: Schema) throws(Diagnostic) -> [(expr: TypedExpr, descending: Bool)] {
        var out: [(expr: TypedExpr, descending: Bool)] = []
        for k in keys { out.append((try expression(k.expr, schema), k.descending)) }
        return out
    }

    func join(_ isLeft: Bool, _ other: Name, _ condition: Expr, _ schema: inout Schema) throws(Diagnostic) -> PlanStep {
        let rightPlan = try check(Pipeline(source: other, steps: []))
        let right = rightPlan.schema
        var pairs: [(Expr, Expr)] = []
        func split(_ e: Expr) throws(Diagnostic) {
            switch e {
            case .binary(.and, let a, let b, _): try split(a); try split(b)
            case .chain(let first, let links) where links.allSatisfy({ $0.op == .and }):
                try split(first)
                for link in links { try split(link.operand) }
            case .binary(.equal, let a, let b, _): pairs.append((a, b))
            case .name: pairs.append((e, e))
            default:
                throw Diagnostic("`join … on` takes equalities joined by `and`, like `customer_id == id`", at: e.location)
            }
        }
        try split(condition)
        var leftKeys: [TypedExpr] = [], rightKeys: [TypedExpr] = []
        var sameNamedRight = Set<Int>()
        for (a, b) in pairs {
            var l: TypedExpr, r: TypedExpr
            // Each orientation is a trial: a side that does not type in a table is not that
            // table's key; when neither fits, the `try`s below report why.
            if let x = try? expression(a, schema), let y = try? expression(b, right) {
                (l, r) = (x, y)
            } else if let x = try? expression(b, schema), let y = try? expression(a, right) {
                (l, r) = (x, y)
            } else {
                // Report the side that does not resolve in either table.
                _ = try expression(a, schema)
                _ = try expression(b, right)
                throw Diagnostic("cannot match the two sides of this condition to the two tables", at: a.location)
            }
            if case .name(let an, _) = a, case .name(let bn, _) = b, an == bn, case .column(let ri, _) = r { sameNamedRight.insert(ri) }
            guard let common = Types.common(l.type, r.type), common != .duration else {
                throw Diagnostic("cannot join \(article(l.type)) with \(article(r.type))", at: a.location)
            }
            leftKeys.append(l)
            rightKeys.append(r)
        }
        let rightColumns = right.fields.indices.filter { !sameNamedRight.contains($0) }
        var names = schema.names
        var fields = schema.fields
        for i in rightColumns {
            var n = right.fields[i].name
            if names.contains(n) { n = "\(n)_\(other.text)" }
            var k = 2
            let base = n
            while names.contains(n) { n = "\(base)\(k)"; k += 1 }
            names.append(n)
            fields.append(Schema.Field(name: n, type: right.fields[i].type))
        }
        schema = Schema(fields)
        return .join(left: isLeft, right: rightPlan, leftKeys: leftKeys, rightKeys: rightKeys, rightColumns: rightColumns, names: names)
    }
}


/// The names a statement reads.
final class Dependencies {
    /// The pseudo-name of the session's as-of date.
    static let asOf = "@as_of"
    /// The pseudo-name that changes whenever anything named changes (for listings).
    static let catalog = "@catalog"
    /// The pseudo-name of the language the playbooks are written in (`.lang`).
    static let language = "@lang"
    /// The pseudo-name of the calendar months are counted in (`.calendar`).
    static let calendar = "@calendar"
    var names = Set<String>()
}

/// Collects the aggregate calls of one `agg` step.
final class AggregateCollector {
    let input: Schema
    let keyCount: Int
    var calls: [AggregateCall] = []
    init(input: Schema, keyCount: Int) {
        self.input = input
        self.keyCount = keyCount
    }
}

/// "a number", "a date", … for messages.
func article(_ t: DataType) -> String {
    switch t {
    case .int, .double: return "a number"
    case .bool: return "true/false"
    case .date: return "a date"
    case .datetime: return "a date-time"
    case .string: return "text"
    case .duration: return "a duration"
    case .null: return "null"
    }
}

/// Type rules of operators.
enum Types {
    /// The type two values meet in (int and double → double; null fits anything).
    static func common(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if a.isNumeric && b.isNumeric { return .double }
        if (a == .date && b == .datetime) || (a == .datetime && b == .date) { return .datetime }
        if (a.isNumeric && b == .duration) || (a == .duration && b.isNumeric) { return a == .duration ? b : a }
        return nil
    }

    static func comparable(_ a: DataType, _ b: DataType) -> Bool { common(a, b) != nil }

    static func binary(_ op: BinaryOperator, _ a: DataType, _ b: DataType, at loc: SourceLocation) throws(Diagnostic) -> DataType {
        switch op {
        case .and, .or:
            guard (a == .bool || a == .null) && (b == .bool || b == .null) else {
                throw Diagnostic("`\(op.rawValue)` joins true/false conditions, but \(a == .bool ? "the right side" : "the left side") is \(article(a == .bool ? b : a))", at: loc)
            }
            return .bool
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            guard comparable(a, b) else { throw Diagnostic("cannot compare \(article(a)) with \(article(b))", at: loc) }
            if a == .bool && b == .bool && !(op == .equal || op == .notEqual) {
                throw Diagnostic("true/false values can only be compared with == and !=", at: loc)
            }
            return .bool
        case .add, .subtract, .multiply, .divide, .modulo:
            if a == .null || b == .null {
                let other = a == .null ? b : a
                return other == .null ? .null : (op == .divide && other.isNumeric ? .double : other)
            }
            if a.isNumeric && b.isNumeric {
                return op == .divide || a == .double || b == .double ? .double : .int
            }
            switch (op, a, b) {
            case (.subtract, .date, .date): return .int
            case (.subtract, .datetime, .datetime): return .double
            case (.add, .date, .int), (.subtract, .date, .int), (.add, .int, .date): return .date
            case (.add, .date, .duration), (.subtract, .date, .duration), (.add, .duration, .date): return .date
            case (.add, .datetime, .duration), (.subtract, .datetime, .duration), (.add, .duration, .datetime): return .datetime
            case (.add, .string, .string): return .string
            case (.add, .duration, .duration), (.subtract, .duration, .duration): return .duration
            default:
                let verb = ["+": "add", "-": "subtract", "*": "multiply", "/": "divide", "%": "take the remainder of"][op.rawValue]!
                throw Diagnostic("cannot \(verb) \(article(a)) and \(article(b))", at: loc)
            }
        }
    }
}

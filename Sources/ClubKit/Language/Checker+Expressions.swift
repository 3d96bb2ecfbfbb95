/// Checking expressions: names to columns or parameters, types by operator and function,
/// aggregates collected for `agg`, formulas expanded.
extension Checker {

    /// Checks an expression that reads no table (a statement like `(90 / 100) * 100`).
    func scalar(_ e: Expr) throws(Diagnostic) -> TypedExpr {
        try expression(e, Schema([]))
    }

    func expression(_ e: Expr, _ schema: Schema, aggregates: AggregateCollector? = nil) throws(Diagnostic) -> TypedExpr {
        switch e {
        case .literal(let v, _):
            return .constant(v, v.type)
        case .name(let n, let loc):
            if let local = locals[n] { return local }
            if let i = schema.index(of: n) { return .column(i, schema.fields[i].type) }
            if let v = catalog.parameter(n) {
                dependencies.names.insert(n)
                return .constant(v, v.type)
            }
            if let aggregates, aggregates.input.index(of: n) != nil {
                throw Diagnostic("`\(n)` is neither a group key nor inside an aggregate", at: loc,
                                 hint: "aggregate it, as in `sum(\(n))`, or add it after `by`")
            }
            throw unknownColumn(n, loc, schema)
        case .unary(.negate, let a, let loc):
            let t = try expression(a, schema, aggregates: aggregates)
            guard t.type.isNumeric || t.type == .null else { throw Diagnostic("cannot negate \(article(t.type))", at: loc) }
            return .unary(.negate, t, t.type)
        case .unary(.not, let a, let loc):
            let t = try expression(a, schema, aggregates: aggregates)
            guard t.type == .bool || t.type == .null else { throw Diagnostic("`not` needs true/false, but this is \(article(t.type))", at: loc) }
            return .unary(.not, t, .bool)
        case .binary(let op, let a, let b, let loc):
            var l = try expression(a, schema, aggregates: aggregates)
            var r = try expression(b, schema, aggregates: aggregates)
            if op.isComparison { (l, r) = try coerceLiterals(l, r, loc) }
            return .binary(op, l, r, try Types.binary(op, l.type, r.type, at: loc))
        case .chain(let first, let links):
            // Each link is typed against what the links before it yield, as nested binary
            // operations would be, but in a loop.
            let head = try expression(first, schema, aggregates: aggregates)
            var type = head.type
            var typed: [TypedLink] = []
            typed.reserveCapacity(links.count)
            for link in links {
                let r = try expression(link.operand, schema, aggregates: aggregates)
                type = try Types.binary(link.op, type, r.type, at: link.location)
                typed.append(TypedLink(op: link.op, operand: r, type: type))
            }
            return .chain(head, typed)
        case .isNull(let a, let negated, _):
            return .isNull(try expression(a, schema, aggregates: aggregates), negated: negated)
        case .inList(let a, let items, let negated, let loc):
            let t = try expression(a, schema, aggregates: aggregates)
            var values: [Value] = []
            for item in items {
                var v = try constantValue(item, schema)
                if case .string(let s) = v, t.type == .date || t.type == .datetime { v = try dateLiteral(s, t.type, item.location) }
                guard v.isNull || Types.comparable(t.type, v.type) else {
                    throw Diagnostic("cannot compare \(article(t.type)) with \(article(v.type)) in this list", at: item.location)
                }
                values.append(v)
            }
            _ = loc
            return .inList(t, values, negated: negated)
        case .between(let a, let low, let high, let negated, let loc):
            let x = Expr.binary(.and, .binary(.greaterEqual, a, low, loc), .binary(.lessEqual, a, high, loc), loc)
            return try expression(negated ? .unary(.not, x, loc) : x, schema, aggregates: aggregates)
        case .call(let name, let args, let loc):
            if let f = AggregateFunction(rawValue: name) {
                guard let aggregates else {
                    throw Diagnostic("`\(name)` is an aggregate; use it inside `agg`", at: loc, hint: "for example: agg total = \(name)(\(name == "count" ? "" : "amount"))")
                }
                return try aggregateCall(f, args, loc, aggregates)
            }
            if ScalarFunction(rawValue: name) == nil, let formula = catalog.formula(name) {
                return try expand(name, formula, args, loc, schema, aggregates)
            }
            guard let f = ScalarFunction(rawValue: name) else {
                throw Diagnostic("unknown function `\(name)`", at: loc,
                                 hint: Suggest.hint(for: name, among: ScalarFunction.allCases.map(\.rawValue) + AggregateFunction.allCases.map(\.rawValue)))
            }
            var typed: [TypedExpr] = []
            for a in args { typed.append(try expression(a, schema, aggregates: aggregates)) }
            if f == .days_since { dependencies.names.insert(Dependencies.asOf) }
            // The month's name follows `.lang`; every date function follows `.calendar`, which
            // the catalog handles by computing every named result again.
            if f == .month_name { dependencies.names.insert(Dependencies.language) }
            return try Functions.check(f, typed, args.map(\.location), at: loc, asOf: catalog.asOf)
        }
    }

    /// A user formula: its body checked with the parameters bound to the arguments.
    func expand(_ name: String, _ formula: (parameters: [String], body: Expr), _ args: [Expr], _ loc: SourceLocation,
                        _ schema: Schema, _ aggregates: AggregateCollector?) throws(Diagnostic) -> TypedExpr {
        guard args.count == formula.parameters.count else {
            throw Diagnostic("`\(name)` takes \(formula.parameters.count) argument\(formula.parameters.count == 1 ? "" : "s") (\(formula.parameters.joined(separator: ", "))), not \(args.count)", at: loc)
        }
        guard !expanding.contains(name) else { throw Diagnostic("the formula `\(name)` calls itself", at: loc) }
        var inner = self
        inner.expanding.append(name)
        for (p, a) in zip(formula.parameters, args) { inner.locals[p] = try expression(a, schema, aggregates: aggregates) }
        dependencies.names.insert("formula:" + name)
        return try inner.expression(formula.body, schema, aggregates: aggregates)
    }

    func aggregateCall(_ f: AggregateFunction, _ args: [Expr], _ loc: SourceLocation, _ collector: AggregateCollector) throws(Diagnostic) -> TypedExpr {
        var typed: [TypedExpr] = []
        for a in args { typed.append(try expression(a, collector.input)) }
        let expected = f == .count ? 0...1 : f == .percentile ? 2...2 : 1...1
        guard expected.contains(typed.count) else {
            throw Diagnostic("`\(f.rawValue)` takes \(f == .percentile ? "a column and a fraction, as in percentile(amount, 0.9)" : f == .count ? "no argument or one" : "one argument")", at: loc)
        }
        var fraction = 0.0
        if f == .percentile {
            guard case .constant(let v, _) = typed[1], let p = v.doubleValue, p >= 0, p <= 1 else {
                throw Diagnostic("the fraction of `percentile` must be a number from 0 to 1", at: args[1].location)
            }
            fraction = p
        }
        let argType = typed.first?.type
        let type: DataType
        switch f {
        case .count, .count_distinct: type = .int
        case .sum:
            guard let t = argType, t.isNumeric || t == .null else { throw aggregateType(f, argType, loc) }
            type = t == .null ? .int : t
        case .avg, .median, .percentile, .stddev:
            guard let t = argType, t.isNumeric || t == .null else { throw aggregateType(f, argType, loc) }
            type = .double
        case .min, .max, .first, .last, .mode:
            guard let t = argType, t != .duration else { throw aggregateType(f, argType, loc) }
            type = t
        }
        collector.calls.append(AggregateCall(function: f, argument: typed.first, fraction: fraction, type: type))
        return .column(collector.keyCount + collector.calls.count - 1, type)
    }

    func aggregateType(_ f: AggregateFunction, _ t: DataType?, _ loc: SourceLocation) -> Diagnostic {
        Diagnostic("`\(f.rawValue)` needs numbers, but this is \(t.map(article) ?? "nothing")", at: loc)
    }

    /// A value that does not depend on a row: a literal or a parameter (for `in` lists).
    func constantValue(_ e: Expr, _ schema: Schema) throws(Diagnostic) -> Value {
        let t = try expression(e, schema)
        switch t {
        case .constant(let v, _): return v
        case .unary(.negate, .constant(let v, _), _):
            if case .int(let x) = v { return .int(-x) }
            if case .double(let x) = v { return .double(-x) }
            return v
        default: throw Diagnostic("a list after `in` holds fixed values, not columns", at: e.location)
        }
    }

    /// `date >= "2024-01-01"` compares as dates.
    func coerceLiterals(_ l: TypedExpr, _ r: TypedExpr, _ loc: SourceLocation) throws(Diagnostic) -> (TypedExpr, TypedExpr) {
        if case .constant(.string(let s), _) = r, l.type == .date || l.type == .datetime {
            return (l, .constant(try dateLiteral(s, l.type, loc), l.type))
        }
        if case .constant(.string(let s), _) = l, r.type == .date || r.type == .datetime {
            return (.constant(try dateLiteral(s, r.type, loc), r.type), r)
        }
        return (l, r)
    }

    func dateLiteral(_ s: String, _ type: DataType, _ loc: SourceLocation) throws(Diagnostic) -> Value {
        if calendar == .jalali {
            // The date part read in Jalali, the time of day as ISO writes it.
            let date = String(s.prefix(10)), time = s.dropFirst(10)
            let parts = date.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
               let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
                guard let day = JalaliDate.days(year: y, month: m, day: d) else {
                    throw Diagnostic("\"\(s)\" is not a Jalali date: \(JalaliDate.problem(year: y, month: m, day: d) ?? "")", at: loc,
                                     hint: "under `.calendar jalali` dates are read in the Jalali calendar (1402-07-15)")
                }
                if time.isEmpty { return type == .date ? .date(Int32(day)) : .dateTime(Int64(day) * 86400) }
                if let t = DateParser.isoDateTime("1970-01-01" + time) { return .dateTime(Int64(day) * 86400 + t) }
            }
            throw Diagnostic("\"\(s)\" is not a date", at: loc, hint: "write dates as 1402-07-15 (no quotes needed)")
        }
        if let d = DateParser.isoDate(s) { return type == .date ? .date(d) : .dateTime(Int64(d) * 86400) }
        if let t = DateParser.isoDateTime(s) { return .dateTime(t) }
        throw Diagnostic("\"\(s)\" is not a date", at: loc, hint: "write dates as 2024-01-31 (no quotes needed)")
    }

    func unknownColumn(_ n: String, _ loc: SourceLocation, _ schema: Schema) -> Diagnostic {
        // A numbered result of another shape than one cell: say so, not "unknown".
        if schema.fields.isEmpty, !n.hasPrefix("_"), catalog.tableSchema(n) != nil || catalog.resultDefinition(n) != nil || AnalyticsCommands.named(n) != nil {
            return Diagnostic("`\(n)` is a table, not a value", at: loc,
                              hint: "a value is a number, text or date; to name a table write `name = \(n) | …`, or reduce it to one cell (`\(n) | count`)")
        }
        if schema.fields.isEmpty, n.hasPrefix("_"), catalog.tableSchema(n) != nil {
            return Diagnostic("`\(n)` is a table, not one value: only a result of one row and one column is a number", at: loc,
                              hint: "read it as a table with `\(n) | …`, or reduce it to one cell first (`… | count`, `… | agg x = sum(…)`)")
        }
        // A name alone as a statement may be a misspelt statement or command (`segmnets`).
        let candidates = schema.names + catalog.knownNames + (schema.fields.isEmpty ? Parser.statementWords + AnalyticsCommands.names : [])
        let hint = Suggest.hint(for: n, among: candidates)
            ?? (schema.fields.isEmpty ? nil : "the columns are \(schema.names.prefix(12).joined(separator: ", "))\(schema.names.count > 12 ? ", …" : "")")
        return Diagnostic(schema.fields.isEmpty ? "unknown name `\(n)`" : "unknown column `\(n)`", at: loc, hint: hint)
    }

    func defaultName(_ e: Expr, _ index: Int) -> String {
        switch e {
        case .name(let n, _): return n
        case .call(let f, let args, _):
            if args.isEmpty { return f }
            if case .name(let n, _) = args[0] { return "\(f)_\(n)" }
            return f
        default: return "expr\(index + 1)"
        }
    }}

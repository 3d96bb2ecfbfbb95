/// Generated pipelines as clubsh text. Every operand that is not a name or a plain literal is
/// parenthesised, so the text means what the model means whatever the precedence.
enum DClubsh {
    static func text(_ p: DPipeline) -> String {
        ([p.source] + p.steps.map { step($0.step) }).joined(separator: " | ")
    }

    static func step(_ s: DStep) -> String {
        func named(_ items: [(name: String?, expr: DExpr)]) -> String {
            items.map { item in item.name.map { "\($0) = \(expr(item.expr))" } ?? expr(item.expr) }.joined(separator: ", ")
        }
        func keys(_ ks: [(expr: DExpr, direction: SortDirection)]) -> String {
            ks.map { k in
                let e = operand(k.expr)
                switch k.direction {
                case .unstated: return e
                case .asc: return e + " asc"
                case .desc: return e + " desc"
                }
            }.joined(separator: ", ")
        }
        switch s {
        case .filter(let e): return "where " + expr(e)
        case .select(let items): return "select " + named(items)
        case .derive(let items): return "derive " + items.map { "\($0.name) = \(expr($0.expr))" }.joined(separator: ", ")
        case .agg(let by, let outputs): return "agg " + named(outputs) + (by.isEmpty ? "" : " by " + named(by))
        case .sort(let ks): return "sort " + keys(ks)
        case .top(let n, let ks): return "top \(n) by " + keys(ks)
        case .take(let n): return "take \(n)"
        case .distinct(let names): return names.isEmpty ? "distinct" : "distinct " + names.joined(separator: ", ")
        case .join(let isLeft, let table, let on, _):
            let condition = on.map { $0.shorthand ? $0.left : "\($0.left) == \($0.right)" }.joined(separator: " and ")
            return (isLeft ? "left join " : "join ") + table + " on " + condition
        case .count: return "count"
        }
    }

    static func literal(_ l: DLit) -> String {
        switch l {
        case .null: return "null"
        case .int(let v): return String(v)
        case .cents(let c): return DLit.centsText(c)
        case .bool(let b): return b ? "true" : "false"
        case .date(let d): return DCivil.text(d)
        case .datetime(let t): return DCivil.text(seconds: t).replacingOccurrences(of: " ", with: "T")
        case .string(let s):
            // The escapes the language has: \" \\ \n \t (a carriage return has none; the generator
            // keeps it out of literals).
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t") + "\""
        }
    }

    /// An operand: a name or a non-negative literal as it is, anything else in parentheses.
    static func operand(_ e: DExpr) -> String {
        switch e {
        case .column, .parameter: return expr(e)
        case .literal(let l):
            switch l {
            case .int(let v) where v < 0: return "(\(expr(e)))"
            case .cents(let c) where c < 0: return "(\(expr(e)))"
            default: return expr(e)
            }
        case .call, .aggregate: return expr(e)
        default: return "(\(expr(e)))"
        }
    }

    static func expr(_ e: DExpr) -> String {
        switch e {
        case .column(let c): return c.name
        case .literal(let l): return literal(l)
        case .parameter(let name, _): return name
        case .negate(let a): return "-" + operand(a)
        case .arithmetic(let op, let a, let b): return "\(operand(a)) \(op) \(operand(b))"
        case .shift(let d, let count, let unit, let subtract): return "\(operand(d)) \(subtract ? "-" : "+") \(count)\(unit)"
        case .compare(let op, let a, let b): return "\(operand(a)) \(op) \(operand(b))"
        case .and(let a, let b): return "\(operand(a)) and \(operand(b))"
        case .or(let a, let b): return "\(operand(a)) or \(operand(b))"
        case .not(let a): return "not " + operand(a)
        case .isNull(let a, let negated): return operand(a) + (negated ? " is not null" : " is null")
        case .inList(let a, let items, let negated):
            return "\(operand(a)) \(negated ? "not in" : "in") [\(items.map(literal).joined(separator: ", "))]"
        case .between(let a, let lo, let hi, let negated):
            return "\(operand(a)) \(negated ? "not between" : "between") \(operand(lo)) and \(operand(hi))"
        case .call(let f, let args): return "\(f)(\(args.map(expr).joined(separator: ", ")))"
        case .aggregate(let f, let arg, let fraction):
            guard let arg else { return "\(f)()" }
            return fraction.map { "\(f)(\(expr(arg)), \($0))" } ?? "\(f)(\(expr(arg)))"
        }
    }
}

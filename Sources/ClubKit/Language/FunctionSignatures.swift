/// Argument and result types of the scalar functions.
enum Functions {
    static func check(_ f: ScalarFunction, _ args: [TypedExpr], _ locations: [SourceLocation], at loc: SourceLocation, asOf: Int32) throws(Diagnostic) -> TypedExpr {
        func arity(_ n: ClosedRange<Int>, _ usage: String) throws(Diagnostic) {
            guard n.contains(args.count) else {
                throw Diagnostic("`\(f.rawValue)` takes \(n.lowerBound == n.upperBound ? "\(n.lowerBound)" : "\(n.lowerBound) or \(n.upperBound)") argument\(n.upperBound == 1 ? "" : "s")", at: loc, hint: "usage: \(usage)")
            }
        }
        func need(_ i: Int, _ ok: (DataType) -> Bool, _ what: String) throws(Diagnostic) {
            let t = args[i].type
            guard t == .null || ok(t) else {
                throw Diagnostic("`\(f.rawValue)` needs \(what), but this is \(article(t))", at: locations[i])
            }
        }
        let numeric: (DataType) -> Bool = { $0.isNumeric }
        let temporal: (DataType) -> Bool = { $0 == .date || $0 == .datetime }
        let text: (DataType) -> Bool = { $0 == .string }
        switch f {
        case .if:
            try arity(3...3, "if(condition, then, else)")
            try need(0, { $0 == .bool }, "a true/false condition first")
            guard let t = Types.common(args[1].type, args[2].type) else {
                throw Diagnostic("the two branches of `if` differ: \(article(args[1].type)) and \(article(args[2].type))", at: loc)
            }
            return .function(f, args, t)
        case .coalesce:
            guard !args.isEmpty else { throw Diagnostic("`coalesce` needs at least one argument", at: loc) }
            var t = DataType.null
            for (i, a) in args.enumerated() {
                guard let c = Types.common(t, a.type) else {
                    throw Diagnostic("`coalesce` arguments must share a type; this is \(article(a.type))", at: locations[i])
                }
                t = c
            }
            return .function(f, args, t)
        case .abs, .floor, .ceil:
            try arity(1...1, "\(f.rawValue)(x)")
            try need(0, numeric, "a number")
            return .function(f, args, args[0].type == .null ? .int : args[0].type)
        case .round:
            try arity(1...2, "round(x) or round(x, digits)")
            try need(0, numeric, "a number")
            if args.count == 2 { try need(1, { $0 == .int }, "a whole number of digits") }
            return .function(f, args, args.count == 2 ? .double : (args[0].type == .null ? .int : args[0].type))
        case .sqrt, .ln, .exp:
            try arity(1...1, "\(f.rawValue)(x)")
            try need(0, numeric, "a number")
            return .function(f, args, .double)
        case .pow:
            try arity(2...2, "pow(base, exponent)")
            try need(0, numeric, "a number")
            try need(1, numeric, "a number")
            return .function(f, args, .double)
        case .lower, .upper:
            try arity(1...1, "\(f.rawValue)(text)")
            try need(0, text, "text")
            return .function(f, args, .string)
        case .len:
            try arity(1...1, "len(text)")
            try need(0, text, "text")
            return .function(f, args, .int)
        case .contains, .starts_with:
            try arity(2...2, "\(f.rawValue)(text, part)")
            try need(0, text, "text")
            try need(1, text, "text")
            return .function(f, args, .bool)
        case .year, .quarter, .month, .day, .weekday:
            try arity(1...1, "\(f.rawValue)(date)")
            try need(0, temporal, "a date")
            return .function(f, args, .int)
        case .month_start, .year_start:
            try arity(1...1, "\(f.rawValue)(date)")
            try need(0, temporal, "a date")
            return .function(f, args, .date)
        case .month_name:
            try arity(1...1, "month_name(date)")
            try need(0, temporal, "a date")
            return .function(f, args, .string)
        case .days_between:
            try arity(2...2, "days_between(from, to)")
            try need(0, temporal, "a date")
            try need(1, temporal, "a date")
            return .function(f, args, .int)
        case .days_since:
            try arity(1...1, "days_since(date)")
            try need(0, temporal, "a date")
            return .function(.days_between, [args[0], .constant(.date(asOf), .date)], .int)
        }
    }
}

/// Expressions (brief §4): precedence from `or` down to literals and calls.
extension Parser {
    mutating func invalidCheck() throws(Diagnostic) {
        if case .invalid(let message) = current.kind { throw Diagnostic(message, at: current.location) }
    }

    /// Parses one expression.
    mutating func expression() throws(Diagnostic) -> Expr {
        try nested { (p: inout Parser) throws(Diagnostic) in try p.or() }
    }

    /// How deep brackets, calls, lists, `not` and unary minus may nest. Each level costs stack
    /// in the parser, the checker and the evaluator, so the limit keeps every stage far from
    /// the end of the stack; sums and conditions of any length are flat and not limited.
    static let maxDepth = 1_000

    /// Runs `body` one nesting level deeper, refusing to go past `maxDepth`.
    mutating func nested<T>(_ body: (inout Parser) throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        guard depth <= Self.maxDepth else {
            throw Diagnostic("the expression nests more than \(grouped(Self.maxDepth)) levels deep", at: current.location,
                             hint: "split it into named parts with `let` or `derive`")
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    mutating func or() throws(Diagnostic) -> Expr {
        let first = try and()
        var links: [ChainLink] = []
        while current.word == "or" {
            let loc = advance().location
            links.append(ChainLink(op: .or, operand: try and(), location: loc))
        }
        return .chained(first, links)
    }

    mutating func and() throws(Diagnostic) -> Expr {
        let first = try not()
        var links: [ChainLink] = []
        while current.word == "and" {
            let loc = advance().location
            links.append(ChainLink(op: .and, operand: try not(), location: loc))
        }
        return .chained(first, links)
    }

    mutating func not() throws(Diagnostic) -> Expr {
        if current.word == "not" {
            let loc = advance().location
            return .unary(.not, try nested { (p: inout Parser) throws(Diagnostic) in try p.not() }, loc)
        }
        return try comparison()
    }

    mutating func comparison() throws(Diagnostic) -> Expr {
        let left = try additive()
        if case .symbol(let s) = current.kind, let op = BinaryOperator(rawValue: s), op.isComparison {
            let loc = advance().location
            return .binary(op, left, try additive(), loc)
        }
        if current.isSymbol("=") {
            throw Diagnostic("`=` names a value; to compare, use `==`", at: current.location, hint: "did you mean `==`?")
        }
        var negated = false
        let loc = current.location
        if current.word == "not", let w = peek().word, w == "in" || w == "between" {
            negated = true
            advance()
        }
        switch current.word {
        case "is":
            advance()
            var neg = false
            if current.word == "not" { advance(); neg = true }
            guard current.word == "null" else { throw Diagnostic("expected `null` after `is`", at: current.location) }
            advance()
            return .isNull(left, negated: neg, loc)
        case "in":
            advance()
            guard current.isSymbol("[") || current.isSymbol("(") else {
                throw Diagnostic("`in` takes a list in brackets", at: current.location, hint: "for example: channel in [\"web\", \"app\"]")
            }
            let close = current.isSymbol("[") ? "]" : ")"
            advance()
            var items: [Expr] = []
            if !current.isSymbol(close) {
                repeat {
                    if current.isSymbol(",") { advance() }
                    items.append(try expression())
                } while current.isSymbol(",")
            }
            try expect(close, "to close the list")
            return .inList(left, items, negated: negated, loc)
        case "between":
            advance()
            let low = try additive()
            guard current.word == "and" else { throw Diagnostic("expected `and` in `between … and …`", at: current.location) }
            advance()
            return .between(left, low, try additive(), negated: negated, loc)
        default:
            return left
        }
    }

    mutating func additive() throws(Diagnostic) -> Expr {
        let first = try multiplicative()
        var links: [ChainLink] = []
        while case .symbol(let s) = current.kind, s == "+" || s == "-" {
            let loc = advance().location
            links.append(ChainLink(op: s == "+" ? .add : .subtract, operand: try multiplicative(), location: loc))
        }
        return .chained(first, links)
    }

    mutating func multiplicative() throws(Diagnostic) -> Expr {
        let first = try unary()
        var links: [ChainLink] = []
        while case .symbol(let s) = current.kind, s == "*" || s == "/" || s == "%" {
            let loc = advance().location
            links.append(ChainLink(op: BinaryOperator(rawValue: s)!, operand: try unary(), location: loc))
        }
        return .chained(first, links)
    }

    mutating func unary() throws(Diagnostic) -> Expr {
        if current.isSymbol("-") {
            let loc = advance().location
            let operand = try nested { (p: inout Parser) throws(Diagnostic) in try p.unary() }
            switch operand {
            // -9223372036854775808 is the one integer whose digits alone do not fit.
            case .literal(.int(let v), let l) where v != .min: return .literal(.int(-v), loc.through(l))
            case .literal(.double(let v), let l): return .literal(.double(-v), loc.through(l))
            default: return .unary(.negate, operand, loc)
            }
        }
        if current.isSymbol("+") { advance(); return try nested { (p: inout Parser) throws(Diagnostic) in try p.unary() } }
        return try primary()
    }

    mutating func primary() throws(Diagnostic) -> Expr {
        try invalidCheck()
        let t = current
        switch t.kind {
        case .int(let v): advance(); return .literal(.int(v), t.location)
        case .double(let v): advance(); return .literal(.double(v), t.location)
        case .percent(let v): advance(); return .literal(.double(v), t.location)
        case .string(let s): advance(); return .literal(.string(s), t.location)
        case .date(let d): advance(); return .literal(try date(d, at: t.location), t.location)
        case .duration(let d): advance(); return .literal(.duration(d), t.location)
        case .symbol("("):
            advance()
            let e = try expression()
            try expect(")", "to close `(`")
            return e
        case .identifier(let n, let quoted):
            advance()
            if !quoted {
                switch n {
                case "true": return .literal(.bool(true), t.location)
                case "false": return .literal(.bool(false), t.location)
                case "null": return .literal(.null, t.location)
                default: break
                }
            }
            if current.isSymbol("(") && !quoted {
                advance()
                var args: [Expr] = []
                if !current.isSymbol(")") {
                    repeat {
                        if current.isSymbol(",") { advance() }
                        args.append(try expression())
                    } while current.isSymbol(",")
                }
                try expect(")", "to close the arguments of `\(n)(`")
                return .call(n, args, t.location)
            }
            return .name(n, t.location)
        case .multiplier(let m):
            throw Diagnostic("a multiplier like `\(ValueFormat.displayDouble(m))x` goes only in `channel_bonus (…)`", at: t.location,
                             hint: "in an expression, multiply: `* \(ValueFormat.displayDouble(m))`")
        case .end, .eof:
            throw Diagnostic("the statement ends where a value was expected", at: t.location)
        default:
            throw Diagnostic("expected a value, found \(t.display)", at: t.location)
        }
    }

    mutating func expect(_ symbol: String, _ why: String) throws(Diagnostic) {
        try invalidCheck()
        guard current.isSymbol(symbol) else {
            throw Diagnostic("expected `\(symbol)` \(why), found \(current.display)", at: current.location)
        }
        advance()
    }

    mutating func name(_ what: String) throws(Diagnostic) -> Name {
        try invalidCheck()
        guard case .identifier(let n, _) = current.kind else {
            throw Diagnostic("expected \(what), found \(current.display)", at: current.location)
        }
        return Name(text: n, location: advance().location)
    }
    /// The day a date literal names in the calendar in force now (`.calendar`): read once, as
    /// the statement is parsed, so a named result keeps the day it was defined with.
    func date(_ literal: DateLiteral, at location: SourceLocation) throws(Diagnostic) -> Value {
        let calendar = calendar()
        switch literal.value(in: calendar) {
        case .success(let v): return v
        case .failure(.notGregorian):
            var hint: String?
            if JalaliDate.days(year: literal.year, month: literal.month, day: literal.day) != nil {
                hint = "a Jalali date? `.calendar jalali` reads date literals in the Jalali calendar"
            }
            throw Diagnostic("`\(literal.text)` is not a valid date (write YYYY-MM-DD)", at: location, hint: hint)
        case .failure(.notJalali(let why)):
            var hint = "under `.calendar jalali` date literals are Jalali (1402-07-15 is 2023-10-07); `.calendar gregorian` reads them as Gregorian"
            if CivilDate.isValid(year: literal.year, month: literal.month, day: literal.day) {
                let d = Int32(CivilDate.days(year: literal.year, month: literal.month, day: literal.day))
                if JalaliDate.jalali(Int(d)) != nil {
                    hint = "under `.calendar jalali` date literals are Jalali: the Gregorian \(CivilDate.format(d)) is written \(CalendarKind.jalali.format(d))"
                }
            }
            throw Diagnostic("`\(literal.text)` is not a Jalali date: \(why)", at: location, hint: hint)
        }
    }
}

/// Expressions (brief §4): precedence from `or` down to literals and calls.
extension Parser {
    mutating func invalidCheck() throws(Diagnostic) {
        if case .invalid(let message) = current.kind { throw Diagnostic(message, at: current.location) }
    }

    /// Parses one expression.
    public mutating func expression() throws(Diagnostic) -> Expr { try or() }

    mutating func or() throws(Diagnostic) -> Expr {
        var e = try and()
        while current.word == "or" {
            let loc = advance().location
            e = .binary(.or, e, try and(), loc)
        }
        return e
    }

    mutating func and() throws(Diagnostic) -> Expr {
        var e = try not()
        while current.word == "and" {
            let loc = advance().location
            e = .binary(.and, e, try not(), loc)
        }
        return e
    }

    mutating func not() throws(Diagnostic) -> Expr {
        if current.word == "not" {
            let loc = advance().location
            return .unary(.not, try not(), loc)
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
        var e = try multiplicative()
        while case .symbol(let s) = current.kind, s == "+" || s == "-" {
            let loc = advance().location
            e = .binary(s == "+" ? .add : .subtract, e, try multiplicative(), loc)
        }
        return e
    }

    mutating func multiplicative() throws(Diagnostic) -> Expr {
        var e = try unary()
        while case .symbol(let s) = current.kind, s == "*" || s == "/" || s == "%" {
            let loc = advance().location
            e = .binary(BinaryOperator(rawValue: s)!, e, try unary(), loc)
        }
        return e
    }

    mutating func unary() throws(Diagnostic) -> Expr {
        if current.isSymbol("-") {
            let loc = advance().location
            let operand = try unary()
            switch operand {
            case .literal(.int(let v), let l): return .literal(.int(-v), loc.through(l))
            case .literal(.double(let v), let l): return .literal(.double(-v), loc.through(l))
            default: return .unary(.negate, operand, loc)
            }
        }
        if current.isSymbol("+") { advance(); return try unary() }
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
        case .date(let d): advance(); return .literal(.date(d), t.location)
        case .dateTime(let d): advance(); return .literal(.dateTime(d), t.location)
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
    }}

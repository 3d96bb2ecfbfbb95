/// Counts of rows that became null for a reason the user should hear about.
final class EvaluationNotes {
    var divisionByZero = 0
    var overflow = 0
    var outOfDomain = 0

    /// The warnings to show, one line each.
    var messages: [String] {
        var out: [String] = []
        if divisionByZero > 0 { out.append("division by zero in \(divisionByZero) row\(divisionByZero == 1 ? "" : "s") gave null") }
        if overflow > 0 { out.append("integer overflow in \(overflow) row\(overflow == 1 ? "" : "s") gave null") }
        if outOfDomain > 0 { out.append("\(outOfDomain) value\(outOfDomain == 1 ? "" : "s") outside a function's domain (sqrt or ln of a negative number) gave null") }
        return out
    }
}

/// Evaluates checked expressions over a table, a column at a time.
struct ExpressionEvaluator {
    let table: Table
    let notes: EvaluationNotes
    var n: Int { table.rowCount }

    /// The expression as a column of the table's length.
    func column(_ e: TypedExpr) -> Column {
        materialize(eval(e), n, as: e.type)
    }

    func eval(_ e: TypedExpr) -> Vec {
        switch e {
        case .column(let i, _):
            return .column(table.columns[i])
        case .constant(let v, _):
            return .scalar(v)
        case .unary(.negate, let a, _):
            let v = eval(a)
            if v.isNullScalar { return v }
            return run(scalar: isScalar(v)) { n in
                switch Operands.type(v) {
                case .int: return Column(.int(mapBinary(n, Operands.int64(v), .constant(0)) { x, _ in 0 &- x }), validity: v.validity(n))
                default: return Column(.double(mapBinary(n, Operands.double(v), .constant(0)) { x, _ in -x }), validity: v.validity(n))
                }
            }
        case .unary(.not, let a, _):
            let v = eval(a)
            if v.isNullScalar { return v }
            return run(scalar: isScalar(v)) { n in
                Column(.bool(mapBinary(n, Operands.int64(v), .constant(0)) { x, _ in x == 0 }), validity: v.validity(n))
            }
        case .binary(let op, let a, let b, let type):
            let l = eval(a), r = eval(b)
            switch op {
            case .and, .or: return logic(op, l, r)
            case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return compare(op, l, r)
            default: return arithmetic(op, l, r, type)
            }
        case .isNull(let a, let negated):
            let v = eval(a)
            if isScalar(v) { return .scalar(.bool(v.isNullScalar != negated)) }
            let validity = v.validity(n)
            var out = [Bool](repeating: negated, count: n)
            if let validity { for i in 0..<n where !validity.isValid(i) { out[i] = !negated } }
            return .column(Column(.bool(out)))
        case .inList(let a, let values, let negated):
            return inList(eval(a), values, negated)
        case .function(let f, let args, let type):
            return ScalarFunctions.eval(f, args.map(eval), type: type, n: n, notes: notes)
        }
    }

    private func isScalar(_ v: Vec) -> Bool { if case .scalar = v { return true } else { return false } }

    /// Runs a kernel over `n` rows, or over one row when every input is a scalar.
    private func run(scalar: Bool, _ kernel: (Int) -> Column) -> Vec {
        if scalar { return .scalar(kernel(1).value(at: 0)) }
        return .column(kernel(n))
    }

    // MARK: - Arithmetic

    private func arithmetic(_ op: BinaryOperator, _ l: Vec, _ r: Vec, _ type: DataType) -> Vec {
        if l.isNullScalar || r.isNullScalar { return .scalar(.null) }
        let lt = Operands.type(l), rt = Operands.type(r)
        return run(scalar: isScalar(l) && isScalar(r)) { n in
            let validity = Bitmap.and(l.validity(n), r.validity(n))
            switch type {
            case .int where lt == .date && rt == .date:
                return Column(.int(mapBinary(n, Operands.int64(l), Operands.int64(r), -)), validity: validity)
            case .int:
                return integerArithmetic(op, Operands.int64(l), Operands.int64(r), n, validity)
            case .double where lt == .datetime && rt == .datetime:
                return Column(.double(mapBinary(n, Operands.int64(l), Operands.int64(r)) { Double($0 - $1) / 86400 }), validity: validity)
            case .double:
                return doubleArithmetic(op, Operands.double(l), Operands.double(r), n, validity)
            case .date:
                return Column(.date(dateArithmetic(op, l, r, n, seconds: false).map { Int32(truncatingIfNeeded: $0) }), validity: validity)
            case .datetime:
                return Column(.dateTime(dateArithmetic(op, l, r, n, seconds: true)), validity: validity)
            case .string:
                let a = materialize(l, n, as: .string), b = materialize(r, n, as: .string)
                guard case .string(let ac, let ad) = a.storage, case .string(let bc, let bd) = b.storage else { return a }
                let dict = StringDictionary()
                let codes = (0..<n).map { dict.code(for: ad.values[Int(ac[$0])] + bd.values[Int(bc[$0])]) }
                return Column(.string(codes, dict), validity: validity)
            default:
                return Column.repeating(.null, count: n, type: type)
            }
        }
    }

    private func integerArithmetic(_ op: BinaryOperator, _ a: Operand<Int64>, _ b: Operand<Int64>, _ n: Int, _ validity: Bitmap?) -> Column {
        var bad = [Bool](repeating: false, count: 0)
        var values: [Int64]
        switch op {
        case .add: values = mapBinary(n, a, b) { $0 &+ $1 }; bad = mapBinary(n, a, b) { $0.addingReportingOverflow($1).overflow }
        case .subtract: values = mapBinary(n, a, b) { $0 &- $1 }; bad = mapBinary(n, a, b) { $0.subtractingReportingOverflow($1).overflow }
        case .multiply: values = mapBinary(n, a, b) { $0 &* $1 }; bad = mapBinary(n, a, b) { $0.multipliedReportingOverflow(by: $1).overflow }
        default:  // modulo; division of integers yields a double and never comes here
            values = mapBinary(n, a, b) { $1 == 0 ? 0 : $0 % $1 }
            let zero = mapBinary(n, a, b) { _, y in y == 0 }
            return Column(.int(values), validity: nullWhere(zero, validity, count: &notes.divisionByZero))
        }
        return Column(.int(values), validity: nullWhere(bad, validity, count: &notes.overflow))
    }

    private func doubleArithmetic(_ op: BinaryOperator, _ a: Operand<Double>, _ b: Operand<Double>, _ n: Int, _ validity: Bitmap?) -> Column {
        switch op {
        case .add: return Column(.double(mapBinary(n, a, b, +)), validity: validity)
        case .subtract: return Column(.double(mapBinary(n, a, b, -)), validity: validity)
        case .multiply: return Column(.double(mapBinary(n, a, b, *)), validity: validity)
        default:
            let values = op == .divide ? mapBinary(n, a, b) { $1 == 0 ? 0 : $0 / $1 } : mapBinary(n, a, b) { $1 == 0 ? 0 : $0.truncatingRemainder(dividingBy: $1) }
            let zero = mapBinary(n, a, b) { _, y in y == 0 }
            return Column(.double(values), validity: nullWhere(zero, validity, count: &notes.divisionByZero))
        }
    }

    /// Clears validity where `bad` is set among valid rows, counting them.
    private func nullWhere(_ bad: [Bool], _ validity: Bitmap?, count: inout Int) -> Bitmap? {
        guard bad.contains(true) else { return validity }
        var v = validity ?? Bitmap(count: bad.count)
        for i in bad.indices where bad[i] && v.isValid(i) {
            v.set(i, false)
            count += 1
        }
        return v
    }

    /// date ± days or duration, date-time ± duration.
    private func dateArithmetic(_ op: BinaryOperator, _ l: Vec, _ r: Vec, _ n: Int, seconds: Bool) -> [Int64] {
        // Put the date on the left.
        let (date, other) = Operands.type(l) == .date || Operands.type(l) == .datetime ? (l, r) : (r, l)
        let sign: Int64 = op == .subtract ? -1 : 1
        let base = Operands.int64(date)
        if case .scalar(.duration(let d)) = other {
            let months = Int(d.months * sign), days = d.extraDays * sign
            return mapBinary(n, base, .constant(0)) { x, _ in
                if seconds {
                    let day = floorDiv(x, 86400)
                    return Int64(CivilDate.addMonths(Int(day), months)) * 86400 + (x - day * 86400) + days * 86400
                }
                return Int64(CivilDate.addMonths(Int(x), months)) + days
            }
        }
        return mapBinary(n, base, Operands.int64(other)) { $0 + sign * $1 * (seconds ? 86400 : 1) }
    }

    // MARK: - Comparison

    private func compare(_ op: BinaryOperator, _ l: Vec, _ r: Vec) -> Vec {
        if l.isNullScalar || r.isNullScalar { return .scalar(.null) }
        let lt = Operands.type(l), rt = Operands.type(r)
        return run(scalar: isScalar(l) && isScalar(r)) { n in
            let validity = Bitmap.and(l.validity(n), r.validity(n))
            let values: [Bool]
            if lt == .string && rt == .string {
                values = compareStrings(op, l, r, n)
            } else if (lt == .int || lt == .duration || lt == .bool) && (rt == .int || rt == .duration || rt == .bool) {
                values = compareOperands(op, Operands.int64(l), Operands.int64(r), n)
            } else if lt.isNumeric || rt.isNumeric {
                values = compareOperands(op, Operands.double(l), Operands.double(r), n)
            } else if lt == .date && rt == .date {
                values = compareOperands(op, Operands.dateDays(l), Operands.dateDays(r), n)
            } else {
                values = compareOperands(op, Operands.seconds(l), Operands.seconds(r), n)
            }
            return Column(.bool(values), validity: validity)
        }
    }

    private func compareOperands<T: Comparable>(_ op: BinaryOperator, _ a: Operand<T>, _ b: Operand<T>, _ n: Int) -> [Bool] {
        switch op {
        case .equal: return mapBinary(n, a, b, ==)
        case .notEqual: return mapBinary(n, a, b, !=)
        case .less: return mapBinary(n, a, b, <)
        case .lessEqual: return mapBinary(n, a, b, <=)
        case .greater: return mapBinary(n, a, b, >)
        default: return mapBinary(n, a, b, >=)
        }
    }

    private static func test(_ op: BinaryOperator, _ a: String, _ b: String) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessEqual: return a <= b
        case .greater: return a > b
        default: return a >= b
        }
    }

    /// Strings compare once per distinct value when one side is a literal or both share a dictionary.
    private func compareStrings(_ op: BinaryOperator, _ l: Vec, _ r: Vec, _ n: Int) -> [Bool] {
        switch (l, r) {
        case (.column(let c), .scalar(.string(let s))), (.scalar(.string(let s)), .column(let c)):
            guard case .string(let codes, let dict) = c.storage else { return [] }
            let flipped: Bool = { if case .scalar = l { return true } else { return false } }()
            let perCode = dict.values.map { flipped ? Self.test(op, s, $0) : Self.test(op, $0, s) }
            return mapUnary(codes) { perCode[Int($0)] }
        case (.column(let a), .column(let b)):
            guard case .string(let ac, let ad) = a.storage, case .string(let bc, let bd) = b.storage else { return [] }
            if ad === bd && (op == .equal || op == .notEqual) {
                return compareOperands(op, .array(ac), .array(bc), n)
            }
            return (0..<n).map { Self.test(op, ad.values[Int(ac[$0])], bd.values[Int(bc[$0])]) }
        case (.scalar(.string(let a)), .scalar(.string(let b))):
            return [Self.test(op, a, b)]
        default:
            return [Bool](repeating: false, count: n)
        }
    }

    // MARK: - Logic

    /// Three-valued `and` / `or`: false and anything is false, true or anything is true, else null.
    private func logic(_ op: BinaryOperator, _ l: Vec, _ r: Vec) -> Vec {
        let scalar = isScalar(l) && isScalar(r)
        let m = scalar ? 1 : n
        let a = materialize(l, m, as: .bool), b = materialize(r, m, as: .bool)
        guard case .bool(let x) = a.storage, case .bool(let y) = b.storage else { return .scalar(.null) }
        if a.validity == nil && b.validity == nil {
            let values = op == .or ? mapBinary(m, .array(x), .array(y)) { $0 || $1 } : mapBinary(m, .array(x), .array(y)) { $0 && $1 }
            return boolVec(values, nil, scalar: scalar)
        }
        let dominant = op == .or  // the value that decides the result alone
        var values = [Bool](repeating: false, count: m)
        var validity = Bitmap(count: m)
        for i in 0..<m {
            let xv = !a.isNull(i), yv = !b.isNull(i)
            if (xv && x[i] == dominant) || (yv && y[i] == dominant) {
                values[i] = dominant
            } else if xv && yv {
                values[i] = !dominant
            } else {
                validity.set(i, false)
            }
        }
        return boolVec(values, validity, scalar: scalar)
    }

    // MARK: - in

    private func inList(_ v: Vec, _ values: [Value], _ negated: Bool) -> Vec {
        if v.isNullScalar { return v }
        let type = Operands.type(v)
        return run(scalar: isScalar(v)) { n in
            let validity = v.validity(n)
            let out: [Bool]
            switch type {
            case .string:
                let set = Set(values.compactMap { if case .string(let s) = $0 { return s } else { return nil } })
                if case .column(let c) = v, case .string(let codes, let dict) = c.storage {
                    let perCode = dict.values.map { set.contains($0) != negated }
                    out = mapUnary(codes) { perCode[Int($0)] }
                } else if case .scalar(.string(let s)) = v {
                    out = [set.contains(s) != negated]
                } else { out = [] }
            case .int, .bool, .date:
                let set = Set(values.compactMap { value -> Int64? in
                    switch value {
                    case .int(let x): return x
                    case .bool(let b): return b ? 1 : 0
                    case .date(let d): return Int64(d)
                    // A whole number beyond 64 bits equals no integer (and would not convert).
                    case .double(let d) where d == d.rounded() && d >= -0x1p63 && d < 0x1p63: return Int64(d)
                    default: return nil
                    }
                })
                out = mapBinary(n, Operands.int64(v), .constant(0)) { x, _ in set.contains(x) != negated }
            case .datetime:
                let set = Set(values.compactMap { value -> Int64? in
                    if case .dateTime(let t) = value { return t }
                    if case .date(let d) = value { return Int64(d) * 86400 }
                    return nil
                })
                out = mapBinary(n, Operands.int64(v), .constant(0)) { x, _ in set.contains(x) != negated }
            default:
                let set = Set(values.compactMap(\.doubleValue))
                out = mapBinary(n, Operands.double(v), .constant(0)) { x, _ in set.contains(x) != negated }
            }
            // `x in [a, null]` is `x == a or x == null`: true for a, otherwise null rather than
            // false (and `not in` the same, negated), as three-valued logic has it.
            if values.contains(where: \.isNull) {
                var unknown = validity ?? Bitmap(count: n)
                for i in 0..<n where out[i] == negated { unknown.set(i, false) }
                return Column(.bool(out), validity: unknown)
            }
            return Column(.bool(out), validity: validity)
        }
    }
}

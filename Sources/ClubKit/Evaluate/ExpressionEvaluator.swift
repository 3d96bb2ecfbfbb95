/// Counts of rows that became null for a reason the user should hear about.
final class EvaluationNotes {
    var divisionByZero = 0
    var overflow = 0
    var outOfDomain = 0
    /// Double results with no value, such as inf − inf or 0 × inf (NaN elsewhere).
    var undefined = 0
    /// Dates and date-times that would fall outside the years 1–9999.
    var dateOutOfRange = 0
    /// Durations longer than 10,000 years.
    var durationOverflow = 0
    /// Dates moved by months under `.calendar jalali` from or to outside the Jalali years
    /// clubsh converts (1178–1501).
    var outsideJalaliYears = 0

    /// The warnings to show, one line each.
    var messages: [String] {
        func rows(_ n: Int) -> String { "\(grouped(n)) row\(n == 1 ? "" : "s")" }
        var out: [String] = []
        if divisionByZero > 0 { out.append("division by zero in \(rows(divisionByZero)) gave null") }
        if overflow > 0 { out.append("integer overflow in \(rows(overflow)) gave null (integers hold at most ±9223372036854775807)") }
        if outOfDomain > 0 { out.append("\(grouped(outOfDomain)) value\(outOfDomain == 1 ? "" : "s") outside a function's domain (such as sqrt or ln of a negative number) gave null") }
        if undefined > 0 { out.append("\(rows(undefined)) had no defined value (such as inf − inf or 0 × inf) and gave null") }
        if dateOutOfRange > 0 { out.append("a date outside the years 1–9999 in \(rows(dateOutOfRange)) gave null") }
        if durationOverflow > 0 { out.append("a duration longer than 10,000 years gave null") }
        if outsideJalaliYears > 0 { out.append("moving a date by Jalali months outside the years 1178–1501 in \(rows(outsideJalaliYears)) gave null (`.calendar gregorian` moves it by Gregorian months)") }
        return out
    }
}

/// Evaluates checked expressions over a table, a column at a time.
struct ExpressionEvaluator {
    let table: Table
    let notes: EvaluationNotes
    /// Polled at each node: after Ctrl-C the rest of the expression is null at once, and the
    /// executor, which polls too, throws the result away.
    var isCancelled: @Sendable () -> Bool = { false }
    /// The calendar `year`, `month`, `day` and `month_start` read dates in (`.calendar`).
    var calendar = CalendarKind.gregorian
    /// The language `month_name` writes in (`.lang`).
    var language = Language.english
    var n: Int { table.rowCount }

    /// The expression as a column of the table's length.
    func column(_ e: TypedExpr) -> Column {
        materialize(eval(e), n, as: e.type)
    }

    func eval(_ e: TypedExpr) -> Vec {
        if isCancelled() { return .scalar(.null) }
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
                case .int:
                    // Only the smallest integer has no negative: it becomes null, as any overflow.
                    let x = Operands.int64(v)
                    let bad = mapBinary(n, x, .constant(0)) { x, _ in x == .min }
                    return Column(.int(mapBinary(n, x, .constant(0)) { x, _ in 0 &- x }), validity: nullWhere(bad, v.validity(n), count: &notes.overflow))
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
            return binary(op, eval(a), eval(b), type)
        case .chain(let first, let links):
            // Left to right, one link at a time: no recursion along the chain.
            var value = eval(first)
            for link in links { value = binary(link.op, value, eval(link.operand), link.type) }
            return value
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
            return ScalarFunctions.eval(f, args.map(eval), type: type, n: n, notes: notes, calendar: calendar, language: language)
        }
    }

    private func binary(_ op: BinaryOperator, _ l: Vec, _ r: Vec, _ type: DataType) -> Vec {
        switch op {
        case .and, .or: return logic(op, l, r)
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return compare(op, l, r)
        default: return arithmetic(op, l, r, type)
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
                let (values, valid) = dateArithmetic(op, l, r, n, seconds: false, validity)
                return Column(.date(values.map { Int32(truncatingIfNeeded: $0) }), validity: valid)
            case .datetime:
                let (values, valid) = dateArithmetic(op, l, r, n, seconds: true, validity)
                return Column(.dateTime(values), validity: valid)
            case .duration:
                guard case .scalar(.duration(let a)) = l, case .scalar(.duration(let b)) = r else { return Column.repeating(.null, count: n, type: .duration) }
                let sign: Int64 = op == .subtract ? -1 : 1
                let sum = Duration(months: a.months + sign * b.months, days: a.extraDays + sign * b.extraDays)
                guard abs(sum.months) <= Duration.maxMonths, abs(sum.extraDays) <= Duration.maxDays else {
                    notes.durationOverflow += 1
                    return Column.repeating(.null, count: n, type: .duration)
                }
                return Column.repeating(.duration(sum), count: n, type: .duration)
            case .string:
                let a = materialize(l, n, as: .string), b = materialize(r, n, as: .string)
                guard case .string(let ac, let ad) = a.storage, case .string(let bc, let bd) = b.storage else { return a }
                var dict = StringDictionary.Builder()
                let codes = (0..<n).map { dict.code(for: ad.values[Int(ac[$0])] + bd.values[Int(bc[$0])]) }
                return Column(.string(codes, StringDictionary(dict)), validity: validity)
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
            // x % -1 is 0 for every x; asked of the smallest integer, Swift's % would trap.
            values = mapBinary(n, a, b) { $1 == 0 || $1 == -1 ? 0 : $0 % $1 }
            let zero = mapBinary(n, a, b) { _, y in y == 0 }
            return Column(.int(values), validity: nullWhere(zero, validity, count: &notes.divisionByZero))
        }
        return Column(.int(values), validity: nullWhere(bad, validity, count: &notes.overflow))
    }

    /// Overflow gives ±inf, which is kept; an operation without a value (inf − inf, 0 × inf,
    /// inf / inf, inf % x) gives null and a warning, so NaN never reaches a column.
    private func doubleArithmetic(_ op: BinaryOperator, _ a: Operand<Double>, _ b: Operand<Double>, _ n: Int, _ validity: Bitmap?) -> Column {
        var validity = validity
        var values: [Double]
        switch op {
        case .add: values = mapBinary(n, a, b, +)
        case .subtract: values = mapBinary(n, a, b, -)
        case .multiply: values = mapBinary(n, a, b, *)
        default:
            values = op == .divide ? mapBinary(n, a, b) { $1 == 0 ? 0 : $0 / $1 } : mapBinary(n, a, b) { $1 == 0 ? 0 : $0.truncatingRemainder(dividingBy: $1) }
            validity = nullWhere(mapBinary(n, a, b) { _, y in y == 0 }, validity, count: &notes.divisionByZero)
        }
        return ExpressionEvaluator.withoutNaN(values, validity, count: &notes.undefined)
    }

    /// `values` as a column with every NaN turned into a counted null.
    static func withoutNaN(_ values: [Double], _ validity: Bitmap?, count: inout Int) -> Column {
        guard values.contains(where: \.isNaN) else { return Column(.double(values), validity: validity) }
        var v = validity ?? Bitmap(count: values.count)
        var values = values
        for i in values.indices where values[i].isNaN {
            if v.isValid(i) { count += 1 }
            v.set(i, false)
            values[i] = 0
        }
        return Column(.double(values), validity: v)
    }

    /// date ± days or duration, date-time ± duration: day numbers (or seconds) and their
    /// validity, where a result outside the years 1–9999 is a counted null.
    private func dateArithmetic(_ op: BinaryOperator, _ l: Vec, _ r: Vec, _ n: Int, seconds: Bool, _ validity: Bitmap?) -> ([Int64], Bitmap?) {
        // Put the date on the left.
        let (date, other) = Operands.type(l) == .date || Operands.type(l) == .datetime ? (l, r) : (r, l)
        let sign: Int64 = op == .subtract ? -1 : 1
        let base = Operands.int64(date)
        let unit: Int64 = seconds ? 86400 : 1
        let lowest = Int64(CivilDate.minDay) * unit, highest = (Int64(CivilDate.maxDay) + 1) * unit - 1
        /// nil when the result leaves the calendar (or Int64).
        let results: [Int64?]
        /// Rows whose months could not be counted in the Jalali calendar.
        var outsideJalali: [Bool] = []
        if case .scalar(.duration(let d)) = other {
            // Durations are bounded (10,000 years), so only the calendar range can be left.
            // Months are the session calendar's: under Jalali, 1402-06-31 + 1mo is 1402-07-30.
            let months = Int(d.months * sign), days = d.extraDays * sign
            let calendar = months == 0 ? CalendarKind.gregorian : calendar
            if calendar == .jalali { outsideJalali = [Bool](repeating: false, count: n) }
            results = mapBinary(n, base, .constant(0)) { x, _ in
                let day = floorDiv(x, unit)
                guard day >= Int64(CivilDate.minDay), day <= Int64(CivilDate.maxDay) else { return nil }  // behind a null
                guard let shifted = calendar.addMonths(Int(day), months) else { return Int64.max }
                let moved = Int64(shifted) + days
                return moved * unit + (x - day * unit)
            }
            if calendar == .jalali { for i in 0..<n where results[i] == Int64.max { outsideJalali[i] = true } }
        } else {
            results = mapBinary(n, base, Operands.int64(other)) { x, k in
                let step = k.multipliedReportingOverflow(by: sign * unit)
                let sum = x.addingReportingOverflow(step.partialValue)
                return step.overflow || sum.overflow ? nil : sum.partialValue
            }
        }
        var bad = [Bool](repeating: false, count: n)
        var values = [Int64](repeating: 0, count: n)
        for i in 0..<n where outsideJalali.isEmpty || !outsideJalali[i] {
            if let v = results[i], v >= lowest, v <= highest { values[i] = v } else { bad[i] = true }
        }
        let inRange = nullWhere(bad, validity, count: &notes.dateOutOfRange)
        return (values, outsideJalali.isEmpty ? inRange : nullWhere(outsideJalali, inRange, count: &notes.outsideJalaliYears))
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
        case .equal: return ByteText.equal(a, b)
        case .notEqual: return !ByteText.equal(a, b)
        case .less: return ByteText.less(a, b)
        case .lessEqual: return !ByteText.less(b, a)
        case .greater: return ByteText.less(b, a)
        default: return !ByteText.less(a, b)
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
                let set = Set(values.compactMap { if case .string(let s) = $0 { return ByteText.Key(text: s) } else { return nil } })
                if case .column(let c) = v, case .string(let codes, let dict) = c.storage {
                    let perCode = dict.values.map { set.contains(ByteText.Key(text: $0)) != negated }
                    out = mapUnary(codes) { perCode[Int($0)] }
                } else if case .scalar(.string(let s)) = v {
                    out = [set.contains(ByteText.Key(text: s)) != negated]
                } else { out = [] }
            case .int, .bool, .date:
                let set = Set(values.compactMap { value -> Int64? in
                    switch value {
                    case .int(let x): return x
                    case .bool(let b): return b ? 1 : 0
                    case .date(let d): return Int64(d)
                    // A date equals a date-time at its midnight, as `==` has it (the column is
                    // of dates here, so the set holds day numbers).
                    case .dateTime(let t) where type == .date && t % 86400 == 0: return t / 86400
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

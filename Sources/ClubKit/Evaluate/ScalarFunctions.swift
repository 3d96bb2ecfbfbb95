import Foundation

/// Kernels of the scalar functions. String functions run once per distinct dictionary value.
enum ScalarFunctions {
    static func eval(_ f: ScalarFunction, _ args: [Vec], type: DataType, n rows: Int, notes: EvaluationNotes, calendar: CalendarKind = .gregorian, language: Language = .english) -> Vec {
        let scalar = args.allSatisfy { if case .scalar = $0 { return true } else { return false } }
        let n = scalar ? 1 : rows
        let result = compute(f, args, type: type, n: n, notes: notes, calendar: calendar, language: language)
        return scalar ? .scalar(result.value(at: 0)) : .column(result)
    }

    private static func compute(_ f: ScalarFunction, _ args: [Vec], type: DataType, n: Int, notes: EvaluationNotes, calendar: CalendarKind, language: Language) -> Column {
        switch f {
        case .if:
            let cond = materialize(args[0], n, as: .bool)
            let a = materialize(args[1], n, as: type), b = materialize(args[2], n, as: type)
            guard case .bool(let c) = cond.storage else { return a }
            let pick: [Int32] = (0..<n).map { i in c[i] && !cond.isNull(i) ? Int32(i) : -1 }
            return choose(pick, a, b)
        case .coalesce:
            var result = materialize(args[0], n, as: type)
            for next in args.dropFirst() where result.validity != nil {
                let b = materialize(next, n, as: type)
                let pick: [Int32] = (0..<n).map { result.isNull($0) ? -1 : Int32($0) }
                result = choose(pick, result, b)
            }
            return result
        case .abs, .floor, .ceil, .round:
            let x = args[0]
            if args.count == 2 {
                return Column(.double(mapBinary(n, Operands.double(x), Operands.int64(args[1]), round)),
                              validity: Bitmap.and(x.validity(n), args[1].validity(n)))
            }
            if type == .int {
                let a = Operands.int64(x)
                guard f == .abs else { return Column(.int(mapBinary(n, a, .constant(0)) { v, _ in v }), validity: x.validity(n)) }
                // The smallest integer has no positive counterpart: null, as any integer overflow.
                let values = mapBinary(n, a, .constant(0)) { v, _ in v == .min ? v : Swift.abs(v) }
                let bad = mapBinary(n, a, .constant(0)) { v, _ in v == .min }
                return Column(.int(values), validity: nullWhere(bad, x.validity(n), count: &notes.overflow))
            }
            let rule: (Double) -> Double
            switch f {
            case .abs: rule = { Swift.abs($0) }
            case .floor: rule = { $0.rounded(.down) }
            case .ceil: rule = { $0.rounded(.up) }
            default: rule = { $0.rounded(.toNearestOrAwayFromZero) }
            }
            return Column(.double(mapBinary(n, Operands.double(x), .constant(0)) { v, _ in rule(v) }), validity: x.validity(n))
        case .sqrt, .ln, .exp, .pow:
            // Overflow gives ±inf (exp(1000), pow(10, 400)); outside the domain — sqrt or ln of
            // a negative number, ln(0), pow(0, -1), pow(-8, 1/3) — there is no value: null.
            let a = Operands.double(args[0])
            let b = args.count > 1 ? Operands.double(args[1]) : .constant(0)
            let values: [Double] = mapBinary(n, a, b) { x, y in
                switch f {
                case .sqrt: return x.squareRoot()
                case .ln: return x == 0 ? .nan : log(x)
                case .exp: return Foundation.exp(x)
                default: return x == 0 && y < 0 ? .nan : Foundation.pow(x, y)
                }
            }
            let validity = Bitmap.and(args[0].validity(n), args.count > 1 ? args[1].validity(n) : nil)
            return ExpressionEvaluator.withoutNaN(values, validity, count: &notes.outOfDomain)
        case .lower, .upper:
            return mapStrings(args[0], n) { s in
                var dict = StringDictionary.Builder()
                let remap = s.values.map { dict.code(for: f == .lower ? $0.lowercased() : $0.uppercased()) }
                return (remap, StringDictionary(dict))
            }
        case .len:
            return perDistinct(args[0], n) { Int64($0.count) }.map { Column(.int($0.0), validity: $0.1) } ?? Column.repeating(.null, count: n, type: .int)
        case .contains, .starts_with:
            guard case .scalar(let needleValue) = args[1] else {
                let a = materialize(args[0], n, as: .string), b = materialize(args[1], n, as: .string)
                guard case .string(let ac, let ad) = a.storage, case .string(let bc, let bd) = b.storage else { return a }
                let values = (0..<n).map { i -> Bool in
                    let s = ad.values[Int(ac[i])], t = bd.values[Int(bc[i])]
                    return f == .contains ? ByteText.contains(s, t) : ByteText.hasPrefix(s, t)
                }
                return Column(.bool(values), validity: Bitmap.and(a.validity, b.validity))
            }
            guard case .string(let needle) = needleValue else { return Column.repeating(.null, count: n, type: .bool) }
            return perDistinct(args[0], n) { f == .contains ? ByteText.contains($0, needle) : ByteText.hasPrefix($0, needle) }
                .map { Column(.bool($0.0), validity: $0.1) } ?? Column.repeating(.null, count: n, type: .bool)
        case .year, .quarter, .month, .day, .weekday:
            let values: [Int64] = perDay(args[0], n) { d in
                if f == .weekday { return Int64(CivilDate.weekday(Int(d))) }
                if f == .quarter { return Int64(calendar.quarter(Int(d))) }
                let c = calendar.parts(Int(d))
                return Int64(f == .year ? c.year : f == .month ? c.month : c.day)
            }
            return Column(.int(values), validity: args[0].validity(n))
        case .month_start:
            let values: [Int32] = perDay(args[0], n) { d in calendar.monthStart(Int(d)) }
            return Column(.date(values), validity: args[0].validity(n))
        case .year_start:
            let values: [Int32] = perDay(args[0], n) { d in Int32(calendar.yearStart(Int(d))) }
            return Column(.date(values), validity: args[0].validity(n))
        case .month_name:
            // Twelve names at most: a dictionary of the names, a code per row.
            var dict = StringDictionary.Builder()
            let codes: [Int32] = perDay(args[0], n) { d in dict.code(for: calendar.monthName(Int(d), language: language)) }
            return Column(.string(codes, StringDictionary(dict)), validity: args[0].validity(n))
        case .days_between:
            let values = mapBinary(n, Operands.days(args[0]), Operands.days(args[1])) { a, b in b - a }
            return Column(.int(values), validity: Bitmap.and(args[0].validity(n), args[1].validity(n)))
        case .days_since:
            return Column.repeating(.null, count: n, type: .int)  // rewritten to days_between by the checker
        }
    }

    /// `x` rounded to `digits` after the point (before it when negative), half away from zero.
    /// Past the digits a double holds, `x` is already as round as it gets.
    static func round(_ x: Double, _ digits: Int64) -> Double {
        guard x.isFinite, digits < 400 else { return x }
        if digits >= 0 {
            let scale = Foundation.pow(10.0, Double(digits))
            let scaled = x * scale
            guard scale.isFinite, scaled.isFinite, Swift.abs(scaled) < 0x1p52 else { return x }
            return scaled.rounded(.toNearestOrAwayFromZero) / scale
        }
        let scale = Foundation.pow(10.0, Double(-max(digits, -400)))
        guard scale.isFinite else { return 0 }
        return (x / scale).rounded(.toNearestOrAwayFromZero) * scale
    }

    /// Row `i` from `a` where `pick[i] >= 0`, else from `b`.
    private static func choose(_ pick: [Int32], _ a: Column, _ b: Column) -> Column {
        let a = a.widened, b = b.widened
        // Gather both sides by row and select; a and b have the same type.
        let n = pick.count
        var validity = Bitmap(count: n)
        for i in 0..<n where (pick[i] >= 0 ? a.isNull(i) : b.isNull(i)) { validity.set(i, false) }
        func sel<T>(_ x: [T], _ y: [T]) -> [T] { (0..<n).map { pick[$0] >= 0 ? x[$0] : y[$0] } }
        switch (a.storage, b.storage) {
        case let (.int(x), .int(y)): return Column(.int(sel(x, y)), validity: validity)
        case let (.double(x), .double(y)): return Column(.double(sel(x, y)), validity: validity)
        case let (.bool(x), .bool(y)): return Column(.bool(sel(x, y)), validity: validity)
        case let (.date(x), .date(y)): return Column(.date(sel(x, y)), validity: validity)
        case let (.dateTime(x), .dateTime(y)): return Column(.dateTime(sel(x, y)), validity: validity)
        case let (.string(x, dx), .string(y, dy)):
            var dict = StringDictionary.Builder()
            let codes = (0..<n).map { pick[$0] >= 0 ? dict.code(for: dx.values[Int(x[$0])]) : dict.code(for: dy.values[Int(y[$0])]) }
            return Column(.string(codes, StringDictionary(dict)), validity: validity)
        default: return a
        }
    }

    /// `f` of each row's day number. For a date column spanning under 65,536 days, `f` runs
    /// once per day of that span and the rows look their day up (dates repeat: a few hundred
    /// days over millions of orders).
    private static func perDay<R>(_ v: Vec, _ n: Int, _ f: (Int64) -> R) -> [R] {
        if case .column(let c) = v, case .date(let a) = c.storage, let lo = a.min(), let hi = a.max(), Int(hi) - Int(lo) < 1 << 16 {
            let table = (Int64(lo)...Int64(hi)).map(f)
            return mapUnary(a) { table[Int($0 &- lo)] }
        }
        return mapBinary(n, Operands.days(v), .constant(0)) { d, _ in f(d) }
    }

    /// Applies `f` once per distinct string and spreads the results over the rows.
    private static func perDistinct<R>(_ v: Vec, _ n: Int, _ f: (String) -> R) -> ([R], Bitmap?)? {
        let c = materialize(v, n, as: .string)
        guard case .string(let codes, let dict) = c.storage else { return nil }
        let perCode = dict.values.map(f)
        return (mapUnary(codes) { perCode[Int($0)] }, c.validity)
    }

    private static func mapStrings(_ v: Vec, _ n: Int, _ remap: (StringDictionary) -> ([Int32], StringDictionary)) -> Column {
        let c = materialize(v, n, as: .string)
        guard case .string(let codes, let dict) = c.storage else { return c }
        let (table, newDict) = remap(dict)
        return Column(.string(mapUnary(codes) { table[Int($0)] }, newDict), validity: c.validity)
    }
}

/// Sums of money in SQL, by `Money`'s rule (docs/language.md, "Sums of money"): amounts that
/// are decimals of at most 6 places are added as whole numbers of units of 10^-scale and made a
/// double once; others are added compensated.
///
/// The analytics' summary knows its scale before compiling (`SQLTransactions.moneyScale`); an
/// `agg` finds it in the query, over the very values it adds, as `Aggregates` does in memory
/// (`moneyScale(_:)`): so `sum(amount * 2)`, a derived column or a filtered one get the scale
/// clubsh gives them, whatever their provenance.
extension SQLDialect {
    /// Whether the double `x` is the double nearest to a decimal of `scale` places with at most
    /// 2^53 units (`Money.onGrid`).
    func onMoneyGrid(_ x: String, scale: Int) -> String {
        let p = Int(Money.powers[scale])
        return "abs(\(x) * \(p)) <= 9007199254740992 AND round(\(x) * \(p)) / \(p) = \(x)"
    }

    /// The fewest decimal places (0…6) the double `x` reads with, 7 for none (more places, ±inf,
    /// NaN, too many units); 0 for null, which takes no part.
    func moneyPlaces(_ x: String) -> String {
        "CASE WHEN \(x) IS NULL THEN 0 " + (0...Money.maxScale).map { "WHEN \(onMoneyGrid(x, scale: $0)) THEN \($0) " }.joined()
            + "ELSE \(Money.maxScale + 1) END"
    }

    /// `x` in whole units of 10^-scale (`factor` = 10^scale, a literal or a column).
    func moneyUnits(_ x: String, factor: String) -> String {
        "CAST(round(\(x) * \(factor)) AS \(typeName(.int)))"
    }

    /// A whole number of units made a double once, divided by `factor` (10^scale): exact while
    /// the units fit in 2^53, as `Money.double`; past that rounded twice (to a double, then divided).
    func money(units: String, factor: String) -> String {
        "\(double(units)) / \(factor)"
    }

    /// A sum of doubles without a decimal scale as clubsh sums them, compensated (Neumaier): in
    /// effect the exact sum of the doubles rounded once, so that equal totals tie and unequal
    /// ones do not. Engines sum doubles plainly (PostgreSQL's NUMERIC would first round each to
    /// 15 digits), so each value is split into a multiple of 2⁻²⁰, whose sum is exact below 2³³,
    /// and the small rest, whose rounding errors fall far below the total's last bit. A value of
    /// 2⁵² or more is a whole number already and its own high part: no product overflows, and
    /// an infinity adds no NaN.
    func compensatedSum(_ x: String) -> String {
        let small = "abs(\(x)) < 4503599627370496"
        let high = "CASE WHEN \(small) THEN round(\(x) * 1048576) / 1048576 ELSE \(x) END"
        let low = "CASE WHEN \(small) THEN \(x) - round(\(x) * 1048576) / 1048576 ELSE 0 END"
        return "(SUM(\(high)) + SUM(\(low)))"
    }

    /// The sum of `x` at a scale known when compiling: its units summed exactly (the scale is
    /// only given when no sum of units can pass 64 bits), then made a double once.
    func moneySum(_ x: String, scale: Int) -> String {
        let p = String(Int(Money.powers[scale]))
        return money(units: "SUM(\(moneyUnits(x, factor: p)))", factor: p)
    }
}

/// An `agg`'s sums and means of numbers as clubsh adds them (`Aggregates`, `Money`): the scale
/// of each argument is found over all the rows the `agg` reads (two small CTEs of one row), and
/// each group sums units at that scale, or compensated when there is none.
struct SQLMoneyScales {
    let dialect: SQLDialect
    /// The argument columns (`_a{j}`) that are summed as money, each once, by their column.
    private(set) var arguments: [String] = []

    init(dialect: SQLDialect) { self.dialect = dialect }

    /// Whether an aggregate adds numbers by the rule for money: `sum` of doubles, `avg` of
    /// integers or doubles (an integer is its own unit at scale 0).
    static func adds(_ call: AggregateCall) -> Bool {
        guard let t = call.argument?.type else { return false }
        switch call.function {
        case .sum: return t == .double
        case .avg: return t == .double || t == .int
        default: return false
        }
    }

    /// The argument column as a double (an engine's `real` column is widened first, as clubsh
    /// reads it).
    func value(_ argument: String) -> String {
        dialect.double(argument)
    }

    /// Notes that the argument column `argument` (`_a{j}`) is summed as money.
    mutating func include(_ argument: String) {
        if !arguments.contains(argument) { arguments.append(argument) }
    }

    /// The CTEs that give each argument's factor 10^scale, or null for the compensated form, as
    /// one row read beside the groups.
    ///
    /// With s the most places any value needs (`moneyPlaces`), the scale is s when s ≤ 6, no sum
    /// of units can pass 64 bits (the largest value's units times the values) and the largest
    /// value has at most 2^50 units (below which a value reads as the same decimal at a larger
    /// scale; clubsh checks each value again up to 2^53, the engines sum such columns compensated).
    func relation(over rows: SQLRelation, _ query: inout SQLQuery) -> SQLRelation {
        var found: [String] = []
        for a in arguments {
            let x = value(a), k = a.dropFirst(2)
            found += ["MAX(\(dialect.moneyPlaces(x))) AS _ms\(k)", "MAX(abs(\(x))) AS _mx\(k)", "COUNT(\(x)) AS _mn\(k)"]
        }
        var select = SQLSelect(columns: found, from: rows.name)
        select.comment = "sums of money: the decimal places, the largest value and the count of each argument"
        let stats = query.add(select, [])
        let factors = arguments.map { a -> String in
            let k = a.dropFirst(2)
            let p = "CASE _ms\(k) " + (0...Money.maxScale).map { "WHEN \($0) THEN \(Int(Money.powers[$0])) " }.joined() + "END"
            let fits = "_mx\(k) * (\(p)) <= 1125899906842624 AND _mx\(k) * (\(p)) * _mn\(k) < 9223372036854775807"
            return "CASE WHEN _ms\(k) <= \(Money.maxScale) AND \(fits) THEN \(p) END AS _mp\(k)"
        }
        var scales = SQLSelect(columns: factors, from: stats.name)
        scales.comment = "each argument's 10^scale, or null: summed compensated"
        return query.add(scales, [])
    }

    /// The aggregate over a group: the sum (or mean) of the argument `a` in units of 10^-scale
    /// when it has a scale, else compensated.
    func aggregate(mean: Bool, _ a: String) -> String {
        let x = value(a), factor = "MAX(_mp\(a.dropFirst(2)))"
        let exact = dialect.money(units: "SUM(\(dialect.moneyUnits(x, factor: "_mp\(a.dropFirst(2))")))", factor: factor)
        let sum = "(CASE WHEN \(factor) IS NULL THEN \(dialect.compensatedSum(x)) ELSE \(exact) END)"
        return mean ? "(\(sum) / NULLIF(COUNT(\(x)), 0))" : sum
    }
}

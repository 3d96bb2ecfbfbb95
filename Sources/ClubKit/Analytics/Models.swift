import Foundation

/// Predictive models (brief §6): `bgnbd`, `gammagamma` and `clv model`.
enum BGNBDCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "bgnbd", group: .analytics, usage: "bgnbd [unit days|weeks] [horizon 39w] · bgnbd params", meaning: "BG/NBD fit (r, alpha, a, b) and per customer p_alive and expected purchases", example: "bgnbd | where p_alive < 0.3 and spend > 100")

    struct Options {
        var unit: (name: String, days: Double)
        /// In units; nil: the calibration period's length.
        var horizon: Double?
        /// `params`: the fitted parameters as a one-row table instead of the customers.
        var params: Bool
    }

    /// The columns of `bgnbd params` and `mbgnbd params`.
    static let paramsColumns: [(String, DataType)] = [("unit", .string), ("r", .double), ("alpha", .double), ("a", .double), ("b", .double),
                                                       ("log_likelihood", .double), ("customers", .int)]

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let params = args.flag("params")
        let unit = try ModelOptions.unit(&args)
        return Options(unit: unit, horizon: try ModelOptions.horizon(&args, unitDays: unit.days), params: params)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "bgnbd", at: location)
        if o.params { return AnalyticsBinding(paramsColumns, reads: reads) }
        return AnalyticsBinding([(key.name, key.type), ("frequency", .int), ("recency", .double), ("T", .double), ("spend", .double),
                                 ("p_alive", .double), ("expected_purchases", .double)], reads: reads)
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "bgnbd", at: location)
        let fits = catalog.modelFits(reads: reads, at: location)
        if o.params {
            let (m, ll) = try fits.bgnbd(data.repeatSummary(unitDays: o.unit.days), o.unit.days)
            return parameters(o.unit.name, [m.r, m.alpha, m.a, m.b], ll, customers: data.customerCount, model: "BG/NBD", reads: reads)
        }
        return try data.bgnbd(o, fits: fits, reads: reads, at: location)
    }

    /// `… params`: the fit as one row, for a script to read.
    static func parameters(_ unit: String, _ p: [Double], _ logLikelihood: Double, customers: Int, model: String, reads: [String]) -> AnalyticsResult {
        AnalyticsResult(table: row([("unit", .string(unit)), ("r", .double(p[0])), ("alpha", .double(p[1])), ("a", .double(p[2])), ("b", .double(p[3])),
                                    ("log_likelihood", .double(logLikelihood)), ("customers", .int(Int64(customers)))]),
                        work: ["\(model) fitted by maximum likelihood on \(grouped(customers)) customers, in \(unit)"], reads: reads)
    }
}

enum GammaGammaCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "gammagamma", group: .analytics, usage: "gammagamma · gammagamma params", meaning: "Gamma-Gamma spend model (p, q, v) and expected spend per purchase", example: "gammagamma | top 5 by expected_spend")

    /// Whether `params` asks for the fitted parameters as a one-row table.
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Bool { args.flag("params") }

    static func bind(_ params: Bool, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "gammagamma", at: location)
        if params {
            return AnalyticsBinding([("p", .double), ("q", .double), ("v", .double), ("log_likelihood", .double), ("customers", .int)], reads: reads)
        }
        return AnalyticsBinding([(key.name, key.type), ("frequency", .int), ("avg_spend", .double), ("expected_spend", .double)], reads: reads)
    }

    static func run(_ params: Bool, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "gammagamma", at: location)
        let fits = catalog.modelFits(reads: reads, at: location)
        if params {
            let (m, ll, customers) = try fits.gammaGamma(data.repeatSummary(unitDays: 7))
            return AnalyticsResult(table: row([("p", .double(m.p)), ("q", .double(m.q)), ("v", .double(m.v)), ("log_likelihood", .double(ll)),
                                               ("customers", .int(Int64(customers)))]),
                                   work: ["Gamma-Gamma fitted by maximum likelihood on \(grouped(customers)) customers with repeat purchases"], reads: reads)
        }
        return try data.gammagamma(fits: fits, reads: reads)
    }
}

/// Per customer, in the chosen unit: x = repeat purchase days (same-day purchases merge),
    /// t_x = first to last purchase, T = first purchase to the as-of date; the mean value of the
    /// repeat purchase days; total spend.
struct RepeatSummary {
    var x: [Double] = [], tx: [Double] = [], T: [Double] = []
    var repeatMean: [Double?] = []
    var spend: [Double] = []
    /// The calibration period's length (first transaction to as-of) in the unit.
    var period = 0.0
    /// The customers grouped by identical (x, t_x, T), for the fits and the per-customer figures.
    var groups = BGNBDData(x: [], tx: [], T: [])
}

/// The model fits a command needs, each kept by the catalog while the transactions it was
/// fitted on are unchanged (`SessionCatalog.modelFits`).
struct ModelFits {
    /// BG/NBD on a repeat summary in a unit of so many days.
    let bgnbd: (RepeatSummary, Double) throws(Diagnostic) -> (model: BGNBD, logLikelihood: Double)
    /// MBG/NBD on a repeat summary in a unit of so many days.
    let mbgnbd: (RepeatSummary, Double) throws(Diagnostic) -> (model: MBGNBD, logLikelihood: Double)
    /// Gamma-Gamma on a repeat summary.
    let gammaGamma: (RepeatSummary) throws(Diagnostic) -> (model: GammaGamma, logLikelihood: Double, customers: Int)
}

extension TransactionData {
    /// Each customer's transactions are brought together by a counting sort on the customer
    /// (in row order), and their days sorted only where they are not in order already.
    func repeatSummary(unitDays: Double) -> RepeatSummary {
        let n = customerCount, rows = count
        var start = [Int](repeating: 0, count: n + 1)
        for c in customer { start[Int(c) + 1] += 1 }
        for c in 0..<n { start[c + 1] += start[c] }
        var order = [Int32](repeating: 0, count: rows), next = start
        for i in 0..<rows {
            let c = Int(customer[i])
            order[next[c]] = Int32(i)
            next[c] += 1
        }
        var out = RepeatSummary()
        out.x.reserveCapacity(n)
        out.tx.reserveCapacity(n)
        out.T.reserveCapacity(n)
        out.repeatMean.reserveCapacity(n)
        out.spend.reserveCapacity(n)
        var days: [Int32] = []
        // Each customer's spend and repeat spend are sums of money (`Money`), at the amounts' scale.
        var totals = MoneySums(count: n, scale: moneyScale, checked: false), repeatTotals = totals
        for c in 0..<n {
            days.removeAll(keepingCapacity: true)
            var sorted = true
            for k in start[c]..<start[c + 1] {
                let d = day[Int(order[k])]
                if let previous = days.last, d < previous { sorted = false }
                days.append(d)
            }
            if !sorted { days.sort() }
            let first = days.first ?? asOf, last = days.last ?? asOf
            var distinct = 0
            for k in days.indices where k == 0 || days[k] != days[k - 1] { distinct += 1 }
            for k in start[c]..<start[c + 1] {
                let i = Int(order[k])
                if day[i] != first { repeatTotals.add(amount[i], to: c) }
                totals.add(amount[i], to: c)
            }
            let x = Double(max(distinct - 1, 0))
            out.x.append(x)
            out.tx.append(Double(last - first) / unitDays)
            out.T.append(Double(asOf - first) / unitDays)
            out.repeatMean.append(x > 0 ? repeatTotals[c] / x : nil)
            out.spend.append(totals[c])
        }
        out.period = Double(asOf - (day.min() ?? asOf)) / unitDays
        out.groups = BGNBDData(x: out.x, tx: out.tx, T: out.T)
        return out
    }
}

extension RepeatSummary {
    /// Fits BG/NBD by maximum likelihood (`fit`).
    func fitBGNBD(isCancelled: () -> Bool, at: SourceLocation) throws(Diagnostic) -> (model: BGNBD, logLikelihood: Double) {
        try fit(BGNBD.self, named: "BG/NBD", isCancelled: isCancelled, at: at)
    }

    /// Fits a four-parameter repeat-purchase model (r, alpha, a, b) by maximum likelihood:
    /// BFGS with the analytic gradient on the log-parameters over the customers grouped by
    /// identical (x, t_x, T), Nelder–Mead from its end point where it does not converge.
    /// Without a repeat purchase neither model has a fit, and one that does not converge to
    /// parameters within e^±20 is an error, never a model.
    func fit<M: RepeatPurchaseModel>(_: M.Type, named name: String, isCancelled cancelled: () -> Bool, at: SourceLocation) throws(Diagnostic) -> (model: M, logLikelihood: Double) {
        guard x.contains(where: { $0 > 0 }) else {
            throw Diagnostic("no customer made a repeat purchase, so the \(name) model cannot be fitted", at: at)
        }
        let grouped = groups
        let objective: ([Double]) -> (value: Double, gradient: [Double]) = { p in
            // Once Ctrl-C is pressed every point is refused and the search ends at once.
            if cancelled() { return (.infinity, [0, 0, 0, 0]) }
            let parameters = p.map { exp($0) }
            let (sum, gradient) = M(r: parameters[0], alpha: parameters[1], a: parameters[2], b: parameters[3]).totalLogLikelihoodAndGradient(grouped)
            // In log-parameters: ∂/∂ln θ = θ · ∂/∂θ.
            return sum.isFinite ? (-sum, zip(gradient, parameters).map { -$0 * $1 }) : (.infinity, [0, 0, 0, 0])
        }
        // Parameters beyond e^±20 (r, a or b near 0 or in the hundreds of millions, α beyond a
        // million years in days) describe no customers, only a likelihood without a maximum.
        let result = minimizeWithFallback(objective, from: [0, 0, 0, 0], bound: 20)
        if cancelled() { throw Diagnostic.interrupted }
        let p = result.point.map { exp($0) }
        guard result.converged, result.value.isFinite, result.point.allSatisfy({ abs($0) <= 20 }), p.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw Diagnostic("the \(name) fit did not converge after \(result.evaluations) evaluations", at: at,
                             hint: "the data may not support the model; try another unit or a longer calibration period")
        }
        return (M(r: p[0], alpha: p[1], a: p[2], b: p[3]), -result.value)
    }

    /// BFGS (`BFGS.minimize`) on log-parameters. Where it does not converge, or ends where a
    /// log-parameter is beyond ±`bound` (a likelihood that only flattens out toward a degenerate
    /// model, whose gradient vanishes there without a maximum), Nelder–Mead searches from the start.
    private func minimizeWithFallback(_ f: ([Double]) -> (value: Double, gradient: [Double]), from start: [Double], bound: Double) -> NelderMead.Result {
        let quasiNewton = BFGS.minimize(f, from: start)
        if quasiNewton.converged && quasiNewton.point.allSatisfy({ abs($0) <= bound }) { return quasiNewton }
        var simplex = NelderMead.minimize({ f($0).value }, from: start)
        simplex.evaluations += quasiNewton.evaluations
        return simplex
    }

    /// Fits Gamma-Gamma on the customers with repeat purchases.
    func fitGammaGamma(isCancelled cancelled: () -> Bool, at: SourceLocation) throws(Diagnostic) -> (model: GammaGamma, logLikelihood: Double, customers: Int) {
        let s = self
        let rows = s.x.indices.compactMap { i -> (x: Double, m: Double)? in
            guard s.x[i] > 0, let m = s.repeatMean[i], m > 0 else { return nil }
            return (s.x[i], m)
        }
        guard rows.count >= 2 else {
            throw Diagnostic("Gamma-Gamma needs customers with repeat purchases of positive value; \(rows.count == 0 ? "there are none" : "there is only one")", at: at)
        }
        let data = GammaGammaData(rows)
        let objective: ([Double]) -> (value: Double, gradient: [Double]) = { p in
            if cancelled() { return (.infinity, [0, 0, 0]) }
            let parameters = p.map { exp($0) }
            let (sum, gradient) = GammaGamma(p: parameters[0], q: parameters[1], v: parameters[2]).totalLogLikelihoodAndGradient(data)
            return sum.isFinite ? (-sum, zip(gradient, parameters).map { -$0 * $1 }) : (.infinity, [0, 0, 0])
        }
        // Spend has no scale (v follows the currency), so any finite parameters are a fit.
        let result = minimizeWithFallback(objective, from: [0, 0, 0], bound: .infinity)
        if cancelled() { throw Diagnostic.interrupted }
        let p = result.point.map { exp($0) }
        guard result.converged, result.value.isFinite, p[1] > 1 else {
            throw Diagnostic("the Gamma-Gamma fit did not converge to a usable model (q must exceed 1)", at: at)
        }
        return (GammaGamma(p: p[0], q: p[1], v: p[2]), -result.value, rows.count)
    }

    /// Per customer, 1 / P(alive) and the number of their (x, T) pair; per pair, the expected
    /// purchases if alive at each horizon (`horizons.count` per pair, in order). The divisor is
    /// computed once per distinct (x, t_x, T) group, the expectation — a hypergeometric series,
    /// the costly part — once per distinct (x, T) pair (T counts whole days, so few pairs), both
    /// on all cores.
    func expectations(_ m: some RepeatPurchaseModel, horizons: [Double]) -> (divisor: [Double], pair: [Int32], ifAlive: [Double]) {
        let g = groups
        let groupCount = g.xIndex.count
        let pairs = Grouping(columns: [Column(.int((0..<groupCount).map { Int64(g.xIndex[$0] * g.distinctT.count + g.tIndex[$0]) }))], n: groupCount)
        let pairCount = groupCount == 0 ? 0 : pairs.count
        func blocks(_ total: Int, _ per: Int) -> Int { max((total + per - 1) / per, 1) }
        let perPair = Parallel.map(blocks(pairCount, 1024)) { block -> [Double] in
            (block * 1024..<min(pairCount, (block + 1) * 1024)).flatMap { p -> [Double] in
                let first = Int(pairs.firstRow[p])
                let x = g.distinctX[g.xIndex[first]], T = g.distinctT[g.tIndex[first]]
                return horizons.map { m.expectedPurchasesIfAlive($0, x: x, T: T) }
            }
        }.flatMap { $0 }
        let divisorOfGroup = Parallel.map(blocks(groupCount, BGNBDData.block)) { block -> [Double] in
            (block * BGNBDData.block..<min(groupCount, (block + 1) * BGNBDData.block)).map {
                m.aliveDivisor(x: g.distinctX[g.xIndex[$0]], tx: g.distinctTx[g.txIndex[$0]], T: g.distinctT[g.tIndex[$0]])
            }
        }.flatMap { $0 }
        return (g.group.map { divisorOfGroup[Int($0)] }, g.group.map { pairs.ids[Int($0)] }, perPair)
    }
}

/// What the per-customer expectations need from a model of repeat purchases and drop-out
/// (BG/NBD, MBG/NBD): expected purchases in (T, T + t] if still alive, and 1 / P(alive).
protocol RepeatPurchaseModel {
    init(r: Double, alpha: Double, a: Double, b: Double)
    func totalLogLikelihood(_ data: BGNBDData) -> Double
    /// The total log-likelihood and its gradient in (r, alpha, a, b).
    func totalLogLikelihoodAndGradient(_ data: BGNBDData) -> (value: Double, gradient: [Double])
    var r: Double { get }
    var alpha: Double { get }
    var a: Double { get }
    var b: Double { get }
    func pAlive(x: Double, tx: Double, T: Double) -> Double
    func expectedPurchasesIfAlive(_ t: Double, x: Double, T: Double) -> Double
    func aliveDivisor(x: Double, tx: Double, T: Double) -> Double
}

/// The options the models share: `unit days|weeks` and `horizon`.
enum ModelOptions {
    static func unit(_ args: inout CommandArguments) throws(Diagnostic) -> (name: String, days: Double) {
        guard args.flag("unit") else { return ("weeks", 7) }
        guard let (w, loc) = args.word() else { throw Diagnostic("`unit` takes days or weeks", at: args.command.location) }
        switch w {
        case "days", "day": return ("days", 1)
        case "weeks", "week": return ("weeks", 7)
        default: throw Diagnostic("unknown unit `\(w)`", at: loc, hint: "use `unit days` or `unit weeks`")
        }
    }

    /// A horizon given as a duration (`12w`, `6mo`) or a number of units: more than nothing
    /// and at most 100 years, the span over which the models' sums stay accurate.
    static func horizon(_ args: inout CommandArguments, unitDays: Double) throws(Diagnostic) -> Double? {
        guard let v = try args.value("horizon") else { return nil }
        let units: Double
        switch v {
        case .duration(let d): units = Double(d.days) / unitDays
        case .int(let n): units = Double(n)
        case .double(let n): units = n
        default: throw Diagnostic("`horizon` takes a duration like 39w or 12mo", at: args.command.location)
        }
        guard units > 0, units * unitDays <= 36_500 else {
            throw Diagnostic("`horizon` must be more than nothing and at most 100 years (5,214w or 1,200mo)", at: args.command.location)
        }
        return units
    }

}

/// "r = 0.2426, alpha = 4.4136": fitted parameters as the working shows them.
func params(_ values: [(String, Double)]) -> String {
    values.map { "\($0.0) = \(ValueFormat.printf("%.4f", $0.1))" }.joined(separator: ", ")
}

extension TransactionData {

    func bgnbd(_ o: BGNBDCommand.Options, fits: ModelFits, reads: [String], at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let s = repeatSummary(unitDays: o.unit.days)
        let (m, ll) = try fits.bgnbd(s, o.unit.days)
        return try customers(of: m, named: "BG/NBD", logLikelihood: ll, summary: s, o, aliveNote: "", reads: reads, at: at)
    }

    /// Per customer under a fitted BG/NBD or MBG/NBD: frequency, recency, T, spend, p_alive and
    /// expected purchases over the horizon, with the fit in the working. Figures that are not
    /// finite numbers (a fit too extreme for them) are an error, never NaN in the table.
    func customers(of m: some RepeatPurchaseModel, named name: String, logLikelihood ll: Double, summary s: RepeatSummary, _ o: BGNBDCommand.Options,
                   aliveNote: String, reads: [String], at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (unitName, n) = (o.unit.name, customerCount)
        let t = o.horizon ?? s.period
        let (divisor, pair, ifAlive) = s.expectations(m, horizons: [t])
        let pAlive = divisor.map { 1 / $0 }, expected = (0..<n).map { ifAlive[Int(pair[$0])] / divisor[$0] }
        let fitted = params([("r", m.r), ("alpha", m.alpha), ("a", m.a), ("b", m.b)])
        guard pAlive.allSatisfy(\.isFinite), expected.allSatisfy(\.isFinite) else {
            throw Diagnostic("the \(name) fit (\(fitted)) is too extreme to give every customer's expectations", at: at,
                             hint: "the data may not support the model; try another unit or a shorter horizon")
        }
        let table = Table(columnNames: [keyName, "frequency", "recency", "T", "spend", "p_alive", "expected_purchases"],
                          columns: [keys, Column(.int(s.x.map { Int64($0) })), Column(.double(s.tx)), Column(.double(s.T)), Column(.double(s.spend)),
                                    Column(.double(pAlive)), Column(.double(expected))])
        return AnalyticsResult(table: table, work: [
            "\(name) on \(grouped(n)) customers, in \(unitName), calibration to \(calendar.format(asOf)): \(fitted); log-likelihood = \(ValueFormat.printf("%.2f", ll))",
            "p_alive = P(still active)\(aliveNote); expected_purchases over the next \(shown(t)) \(unitName)",
        ], reads: reads)
    }

    func gammagamma(fits: ModelFits, reads: [String]) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        let s = repeatSummary(unitDays: 7)
        let (m, ll, customers) = try fits.gammaGamma(s)
        let table = Table(columnNames: [data.keyName, "frequency", "avg_spend", "expected_spend"],
                          columns: [data.keys, Column(.int(s.x.map { Int64($0) })), doubleColumn(s.repeatMean),
                                    Column(.double(s.x.indices.map { m.expectedSpend(x: s.x[$0], m: s.repeatMean[$0] ?? 0) }))])
        return AnalyticsResult(table: table, work: [
            "Gamma-Gamma on \(grouped(customers)) customers with repeat purchases: \(params([("p", m.p), ("q", m.q), ("v", m.v)])); log-likelihood = \(ValueFormat.printf("%.2f", ll))",
            "avg_spend = mean value of the repeat purchase days; expected_spend = E[spend per purchase], the population mean for customers without repeats",
        ], reads: reads)
    }

    func modelCLV(_ o: ModelCLVOptions, fits: ModelFits, reads: [String], at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        let (unitName, unitDays) = o.unit
        let (months, discount, margin) = (o.months, o.discount, o.margin)
        let s = repeatSummary(unitDays: unitDays)
        let (bg, _) = try fits.bgnbd(s, unitDays)
        let (gg, _, _) = try fits.gammaGamma(s)
        let month = 30 / unitDays
        let n = data.customerCount
        var clv = [Double](repeating: 0, count: n), purchases = [Double](repeating: 0, count: n), spend = [Double](repeating: 0, count: n)
        let (divisor, pair, ifAlive) = s.expectations(bg, horizons: (1...months).map { Double($0) * month })
        let discountFactor = (1...months).map { pow(1 + discount, Double($0)) }
        for c in 0..<n {
            spend[c] = gg.expectedSpend(x: s.x[c], m: s.repeatMean[c] ?? 0)
            var before = 0.0
            for i in 1...months {
                let upTo = ifAlive[Int(pair[c]) * months + i - 1] / divisor[c]
                clv[c] += margin * spend[c] * (upTo - before) / discountFactor[i - 1]
                before = upTo
            }
            purchases[c] = before
        }
        guard clv.allSatisfy(\.isFinite), purchases.allSatisfy(\.isFinite) else {
            throw Diagnostic("the fitted models are too extreme to give every customer's CLV over \(months) months", at: at,
                             hint: "the data may not support the models; try another unit or a shorter horizon")
        }
        let table = Table(columnNames: [data.keyName, "p_alive", "expected_purchases", "expected_spend", "clv"],
                          columns: [data.keys, Column(.double(divisor.map { 1 / $0 })),
                                    Column(.double(purchases)), Column(.double(spend)), Column(.double(clv))])
        return AnalyticsResult(table: table, work: [
            "model CLV over \(months) months (a month = 30 days), \(rate(discount * 100)) discount a month, margin \(rate(margin * 100)); BG/NBD in \(unitName): \(params([("r", bg.r), ("alpha", bg.alpha), ("a", bg.a), ("b", bg.b)])); Gamma-Gamma: \(params([("p", gg.p), ("q", gg.q), ("v", gg.v)]))",
            "clv = Σ months i: margin × expected_spend × (purchases by month i − by month i−1) / (1 + discount)^i",
        ], reads: reads)
    }
}

/// `clv model [horizon 12mo] [discount 1%] [margin 100%]`: Σ over months i of
/// margin × E[spend] × (E[Y(i months)] − E[Y(i−1 months)]) / (1 + discount)^i.
/// `clv model [unit …] [horizon 12mo] [discount 1%] [margin M%]`.
struct ModelCLVOptions {
    var unit: (name: String, days: Double)
    var months: Int, discount: Double, margin: Double

    init(_ args: inout CommandArguments) throws(Diagnostic) {
        let at = args.command.location
        unit = try ModelOptions.unit(&args)
        months = Int((try ModelOptions.horizon(&args, unitDays: 30) ?? 12).rounded())
        discount = (try args.percent("discount", in: 0...100) ?? 1) / 100
        margin = (try args.percent("margin", in: 0...100) ?? 100) / 100
        guard months >= 1 else { throw Diagnostic("`horizon` must be at least one month", at: at) }
        guard margin > 0 else { throw Diagnostic("`margin` is a share of revenue above 0%, like 30%", at: at) }
    }
}

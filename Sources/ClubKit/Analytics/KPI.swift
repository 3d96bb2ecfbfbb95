/// Simple CLV and the KPI board (brief §6).
///
/// Simple CLV = AOV × purchases per customer per year × margin × expected lifetime in years,
/// where the lifetime is 1 / annual churn (the last 365 days against the 365 before), capped by
/// `years`. Repeat rate = customers with 2+ transactions / customers with 1+.
enum KPICommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "kpi", group: .analytics, usage: "kpi [days N] · kpi by month|quarter", meaning: "customers, active, new, retention, churn, repeat rate, frequency, AOV, CLV, NPS, CSAT; by month or quarter: orders, revenue, active and new customers, AOV per calendar month or quarter", example: "kpi")

    enum Options {
        /// The board over the recent period of this many days.
        case board(days: Int32)
        /// A row per calendar month or quarter (`.calendar`).
        case by(KPIPeriod)
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        if args.flag("by") {
            let at = args.command.location
            guard let (word, loc) = args.word() else { throw Diagnostic("`kpi by` takes `month` or `quarter`", at: at, hint: "kpi by month") }
            guard let period = KPIPeriod(rawValue: word) else {
                throw Diagnostic("`kpi by` takes `month` or `quarter`, not `\(word)`", at: loc, hint: Suggest.hint(for: word, among: KPIPeriod.allCases.map(\.rawValue)) ?? "kpi by month")
            }
            if args.valueLocation("days") != at { throw Diagnostic("`days` goes with the board (`kpi days 30`), not with `kpi by \(word)`", at: args.valueLocation("days")) }
            return .by(period)
        }
        return .board(days: Int32(try args.whole("days", default: 90, in: 1...36_500)))
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (_, reads) = try catalog.transactionKey(for: "kpi", at: location)
        guard case .by(let period) = o else { return AnalyticsBinding([("measure", .string), ("value", .double)], reads: reads + ["feedback"]) }
        return AnalyticsBinding(KPIPeriod.schema(period), reads: reads + [Dependencies.calendar])
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, transactionReads) = try catalog.transactionData(for: "kpi", at: location)
        let days: Int32
        switch o {
        case .by(let period):
            return try data.kpi(by: period, calendar: catalog.calendar, reads: transactionReads + [Dependencies.calendar], memoryLimit: catalog.memoryLimit, at: location)
        case .board(let d): days = d
        }
        var (measures, work) = data.kpi(days: days)
        var reads = transactionReads
        if let fb = catalog.tables["feedback"] {
            // Answers that cannot be scored leave the measure out, and the work says why.
            if fb.column("nps") != nil {
                do throws(Diagnostic) {
                    let n = NPSCommand.nps(try SurveyColumn(table: "feedback", column: "nps", location: location).scores(in: catalog, range: NPSCommand.scale), column: "feedback.nps", reads: [])
                    measures.append(("nps", n.table.column("nps")?.value(at: 0).doubleValue))
                } catch {
                    work.append("nps left out: \(error.message)")
                }
                reads.append("feedback")
            }
            if fb.column("rating") != nil {
                do throws(Diagnostic) {
                    let v = try SurveyColumn(table: "feedback", column: "rating", location: location).scores(in: catalog, range: CSATCommand.scale)
                    measures.append(("csat_pct", CSATCommand.csat(v, column: "feedback.rating", reads: []).table.column("csat")?.value(at: 0).doubleValue))
                } catch {
                    work.append("csat_pct left out: \(error.message)")
                }
                reads.append("feedback")
            }
        }
        let table = Table(columnNames: ["measure", "value"], columns: [stringColumn(measures.map(\.0)), doubleColumn(measures.map(\.1))])
        return AnalyticsResult(table: table, work: work, reads: reads)
    }
}

enum CLVCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "clv", group: .analytics, usage: "clv [margin M%] [years Y] · clv aov A frequency F [margin M%] [years Y] [churn C%] · clv model [horizon 12mo] [discount 1%] [margin M%]", meaning: "simple CLV = AOV × purchases per year × margin × lifetime, or model CLV from BG/NBD and Gamma-Gamma", example: "clv margin 30% years 3")

    enum Options {
        case simple(margin: Double, years: Double)
        /// The numbers typed in: AOV, purchases per year, margin, the years cap, an annual churn.
        case typed(aov: Double, perYear: Double, margin: Double, years: Double?, churn: Double?)
        case model(ModelCLVOptions)
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let at = args.command.location
        if args.flag("model") { return .model(try ModelCLVOptions(&args)) }
        let (aovAt, frequencyAt) = (args.valueLocation("aov"), args.valueLocation("frequency"))
        let aov = try args.number("aov"), frequency = try args.number("frequency")
        let margin = try args.percent("margin", in: 0...100) ?? 100
        let years = try args.number("years")
        let churn = try args.percent("churn", in: 0...100)
        guard margin > 0 else { throw Diagnostic("`margin` is a share of revenue above 0%, like 30%", at: at) }
        if let years { guard years > 0 && years <= 1_000 else { throw Diagnostic("`years` must be more than 0 and at most 1,000", at: at) } }
        if aov != nil || frequency != nil || churn != nil {
            guard let aov, let frequency else {
                throw Diagnostic(churn != nil && aov == nil && frequency == nil ? "`churn` goes with the typed-in form: `clv aov A frequency F … churn C%`" : "`clv` with numbers needs `aov` and `frequency`",
                                 at: at, hint: "for example: clv aov 50 frequency 4 margin 30% churn 20%; from the data, `clv margin M% years Y`")
            }
            guard aov >= 0 else { throw Diagnostic("`aov` is an average order value, not negative", at: aovAt) }
            guard frequency >= 0 else { throw Diagnostic("`frequency` is purchases per customer per year, not negative", at: frequencyAt) }
            guard years != nil || churn != nil else {
                throw Diagnostic("`clv` with numbers needs the lifetime: `years Y`, or `churn C%` for 1 / churn years", at: at,
                                 hint: "for example: clv aov 50 frequency 4 margin 30% churn 20%")
            }
            if let churn, churn == 0, years == nil {
                throw Diagnostic("with a churn of 0% the lifetime is endless; give `years` as a cap", at: at)
            }
            return .typed(aov: aov, perYear: frequency, margin: margin / 100, years: years, churn: churn.map { $0 / 100 })
        }
        return .simple(margin: margin / 100, years: years ?? 3)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        switch o {
        case .typed:
            return AnalyticsBinding([("aov", .double), ("purchases_per_year", .double), ("margin", .double), ("lifetime_years", .double), ("clv", .double)],
                                    reads: [])
        case .simple:
            let (_, reads) = try catalog.transactionKey(for: "clv", at: location)
            return AnalyticsBinding([("aov", .double), ("purchases_per_year", .double), ("margin", .double), ("lifetime_years", .double), ("clv", .double)],
                                    reads: reads)
        case .model:
            let (key, reads) = try catalog.transactionKey(for: "clv model", at: location)
            return AnalyticsBinding([(key.name, key.type), ("p_alive", .double), ("expected_purchases", .double), ("expected_spend", .double), ("clv", .double)],
                                    reads: reads)
        }
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        switch o {
        case .simple(let margin, let years):
            let (data, reads) = try catalog.transactionData(for: "clv", at: location)
            return data.clv(margin: margin, years: years, reads: reads)
        case .typed(let aov, let perYear, let margin, let years, let churn):
            return typed(aov: aov, perYear: perYear, margin: margin, years: years, churn: churn)
        case .model(let model):
            let (data, reads) = try catalog.transactionData(for: "clv model", at: location)
            return try data.modelCLV(model, fits: catalog.modelFits(reads: reads, at: location), reads: reads, at: location)
        }
    }
}

extension CLVCommand {
    /// Simple CLV from the numbers typed in, with the working: the lifetime is `years`, or
    /// 1 / annual churn (capped by `years` when both are given).
    static func typed(aov: Double, perYear: Double, margin: Double, years: Double?, churn: Double?) -> AnalyticsResult {
        var lifetime = years ?? 0
        var work: [String] = []
        if let churn, churn > 0 {
            lifetime = years.map { min(1 / churn, $0) } ?? 1 / churn
            work.append("lifetime = 1 / annual churn = 1 / \(rate(churn * 100)) = \(shown(1 / churn)) years" + (years.map { 1 / churn > $0 ? ", capped at \(shown($0))" : "" } ?? ""))
        }
        let value = aov * perYear * margin * lifetime
        work.append("CLV = AOV × purchases per year × margin × lifetime = \(shown(aov)) × \(shown(perYear)) × \(rate(margin * 100)) × \(shown(lifetime)) = \(shown(value))")
        let table = row([("aov", .double(aov)), ("purchases_per_year", .double(perYear)), ("margin", .double(margin)),
                         ("lifetime_years", .double(lifetime)), ("clv", .double(value))])
        return AnalyticsResult(table: table, work: work, reads: [])
    }
}

enum ValueCommand: AnalyticsCommandDefinition {
    static func display(column: String) -> DisplayHint { ["share_of_revenue"].contains(column) ? .percent : .plain }

    static let help = HelpTopic(name: "value", group: .analytics, usage: "value by COLUMN · value by segments A, B", meaning: "revenue, share, customers and revenue per customer per group", example: "value by city")

    enum Options {
        case column(String, SourceLocation)
        case segments([(String, SourceLocation)])
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let at = args.command.location
        guard args.flag("by") else { throw Diagnostic("`value` takes `by COLUMN` or `by segments A, B`", at: at, hint: "for example: value by city") }
        if args.flag("segments") {
            var names: [(String, SourceLocation)] = []
            while let word = args.word() { names.append(word) }
            return .segments(names)
        }
        guard let (column, loc) = args.word() else { throw Diagnostic("`value by` needs a column or `segments`", at: at) }
        return .column(column, loc)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let base = try catalog.schema(of: Customers360.name, at: location)
        var reads = [Customers360.name, Dependencies.asOf]
        switch o {
        case .column(let column, let loc):
            guard base.index(of: column) != nil else {
                throw Diagnostic("customers360 has no column `\(column)`", at: loc, hint: Suggest.hint(for: column, among: base.names))
            }
        case .segments(let names):
            for (name, loc) in names {
                guard let def = catalog.definition(name), case .segment = def.kind else {
                    throw Diagnostic("unknown segment `\(name)`", at: loc, hint: Suggest.hint(for: name, among: catalog.segmentNames))
                }
                reads.append(name)
            }
        }
        return AnalyticsBinding([("group", .string), ("revenue", .double), ("share_of_revenue", .double), ("customers", .int),
                                 ("revenue_per_customer", .double)], reads: reads)
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        try value(o, in: catalog, at: location)
    }
}

extension TransactionData {
    struct SimpleCLV {
        var aov: Double, perYear: Double, margin: Double, lifetime: Double, value: Double
        var work: [String]
    }

    /// `annual`: the retention of the last 365 days, when the caller has it.
    func simpleCLV(margin: Double, years: Double, annual: RetentionPeriod? = nil) -> SimpleCLV {
        let data = self
        let revenue = data.revenue()
        let n = Double(max(data.count, 1)), customers = Double(max(data.customerCount, 1))
        let firstDay = data.dayRange()?.low ?? data.asOf
        let spanYears = max(Double(data.asOf - firstDay + 1) / 365, 1.0 / 365)
        let aov = revenue / n
        let perYear = n / customers / spanYears
        let annual = annual ?? RetentionPeriod(data, from: data.asOf - 364, to: data.asOf)
        var lifetime = years
        var lifetimeWork: String
        if let r = annual.retention, r < 100 {
            let churn = 1 - r / 100
            lifetime = min(1 / churn, years)
            lifetimeWork = "annual churn = lost / start = \(grouped(annual.lost)) / \(grouped(annual.start)) = \(rate(churn * 100)) (customers of the 365 days before the last 365 who did not buy again in them); "
                + "lifetime = 1 / annual churn = 1 / \(rate(churn * 100)) = \(shown(1 / churn)) years" + (1 / churn > years ? ", capped at \(shown(years))" : "")
        } else {
            lifetimeWork = annual.start == 0 ? "lifetime = \(shown(years)) years (the cap: no customers in the year before the last, so no annual churn)"
                                             : "lifetime = \(shown(years)) years (the cap: no annual churn)"
        }
        let value = aov * perYear * margin * lifetime
        return SimpleCLV(aov: aov, perYear: perYear, margin: margin, lifetime: lifetime, value: value, work: [
            "AOV = revenue / transactions = \(shown(revenue)) / \(grouped(data.count)) = \(shown(aov)); purchases per year = \(grouped(data.count)) / \(grouped(data.customerCount)) customers / \(shown(spanYears)) years = \(shown(perYear))",
            lifetimeWork,
            "CLV = AOV × purchases per year × margin × lifetime = \(shown(aov)) × \(shown(perYear)) × \(rate(margin * 100)) × \(shown(lifetime)) = \(shown(value))",
        ])
    }

    func clv(margin: Double, years: Double, reads: [String]) -> AnalyticsResult {
        let c = simpleCLV(margin: margin, years: years)
        let table = row([("aov", .double(c.aov)), ("purchases_per_year", .double(c.perYear)), ("margin", .double(c.margin)),
                         ("lifetime_years", .double(c.lifetime)), ("clv", .double(c.value))])
        return AnalyticsResult(table: table, work: c.work, reads: reads)
    }

    /// The KPI board's measures over the transactions (the feedback measures are added by
    /// `KPICommand`), with the working.
    func kpi(days: Int32) -> (measures: [(String, Double?)], work: [String]) {
        let data = self
        let s = data.summary()
        // The period and the year (each against the as long before it) from one pass.
        let (from, yearFrom) = (data.asOf - days + 1, data.asOf - 364)
        let active = data.active(RetentionPeriod.periods(from: from, to: data.asOf) + RetentionPeriod.periods(from: yearFrom, to: data.asOf))
        let period = RetentionPeriod(data, from: from, to: data.asOf, active: active, bit: 0)
        let customers = data.customerCount
        let repeaters = s.transactions.filter { $0 >= 2 }.count
        let revenue = data.revenue()
        let clv = simpleCLV(margin: 1, years: 3, annual: RetentionPeriod(data, from: yearFrom, to: data.asOf, active: active, bit: 2))
        let measures: [(String, Double?)] = [
            ("customers", Double(customers)),
            ("active_customers", Double(period.end)),
            ("new_customers", Double(period.new)),
            ("retention_pct", period.retention),
            ("churn_pct", period.retention.map { 100 - $0 }),
            ("repeat_rate_pct", customers == 0 ? nil : Double(repeaters) / Double(customers) * 100),
            ("purchase_frequency", customers == 0 ? nil : Double(data.count) / Double(customers)),
            ("average_order_value", data.count == 0 ? nil : revenue / Double(data.count)),
            ("simple_clv", clv.value),
        ]
        var work = ["KPIs as of \(data.calendar.format(data.asOf)): active, new and retention over the last \(days) days against the \(days) days before; simple CLV with margin 100% and a 3-year cap",
                    "active = customers with a purchase in the last \(days) days = \(grouped(period.end)); new = of them, first purchase in those days = \(grouped(period.new))"]
        if let r = period.retention {
            work.append("retention = retained / start = \(grouped(period.retained)) / \(grouped(period.start)) = \(rate(r)); churn = lost / start = \(grouped(period.lost)) / \(grouped(period.start)) = \(rate(100 - r))")
        }
        if customers > 0 {
            work.append("repeat rate = customers with 2+ purchases / customers = \(grouped(repeaters)) / \(grouped(customers)) = \(rate(Double(repeaters) / Double(customers) * 100)); "
                        + "purchase frequency = transactions / customers = \(grouped(data.count)) / \(grouped(customers)) = \(shown(Double(data.count) / Double(customers)))")
        }
        work += clv.work
        return (measures, work)
    }
}

extension ValueCommand {
    /// `value by COLUMN` or `value by segments a, b, …`: revenue, share of revenue, customers and
    /// revenue per customer for each group of customers360, largest first.
    static func value(_ options: Options, in catalog: SessionCatalog, at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let base = try catalog.table(named: Customers360.name, at: at)
        guard let spend = base.column("spend") else { throw Diagnostic("customers360 has no spend column", at: at) }
        let total = Aggregates.whole(.sum, spend) ?? 0
        var groups: [(String, Double, Int)] = []
        var reads = [Customers360.name, Dependencies.asOf]
        switch options {
        case .segments(let names):
            for (name, loc) in names {
                guard let def = catalog.definition(name), case .segment = def.kind else {
                    throw Diagnostic("unknown segment `\(name)`", at: loc, hint: Suggest.hint(for: name, among: catalog.segmentNames))
                }
                let t = try catalog.materialize(name, at: loc)
                guard let c = t.column("spend") ?? t.column("monetary") else { throw Diagnostic("segment `\(name)` has no spend or monetary column", at: loc) }
                groups.append((name, Aggregates.whole(.sum, c) ?? 0, t.rowCount))
                reads.append(name)
            }
        case .column(let column, let loc):
            guard let key = base.column(column) else {
                throw Diagnostic("customers360 has no column `\(column)`", at: loc, hint: Suggest.hint(for: column, among: base.columnNames))
            }
            let g = Grouping(columns: [key], n: base.rowCount)
            let revenue = Aggregates.compute(AggregateCall(function: .sum, argument: nil, fraction: 0, type: .double), input: spend, grouping: g)
            let members = Aggregates.compute(AggregateCall(function: .count, argument: nil, fraction: 0, type: .int), input: nil, grouping: g)
            groups = (0..<g.count).map { k in
                (ValueFormat.display(key.value(at: Int(g.firstRow[k]))), revenue.value(at: k).doubleValue ?? 0, Int(members.value(at: k).doubleValue ?? 0))
            }
        }
        groups.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        let table = Table(columnNames: ["group", "revenue", "share_of_revenue", "customers", "revenue_per_customer"],
                          columns: [stringColumn(groups.map(\.0)), Column(.double(groups.map(\.1))),
                                    doubleColumn(groups.map { total == 0 ? nil : $0.1 / total * 100 }), Column(.int(groups.map { Int64($0.2) })),
                                    doubleColumn(groups.map { $0.2 == 0 ? nil : $0.1 / Double($0.2) })])
        return AnalyticsResult(table: table, work: ["value of each group of customers360 (revenue = spend), largest first; total revenue \(shown(total))"], reads: reads)
    }
}

/// `simulate PROGRAM [by month] [| members]`: a points program (`program club = …`) run over
/// the history of the `use` transactions, as of the as-of date. Seed 002
/// (`002_428103cbea7bbad5.txt`) on points: «این روش به کسب و کارها این امکان را می دهد که به
/// مشتریان خود را بر اساس فعالیت ها و خریدهایشان پاداش دهند», "it lets businesses reward their
/// customers by their activity and purchases". The arithmetic, and every choice the seed leaves
/// open, is in docs/language.md, "Points programs".
enum SimulateCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "simulate", group: .analytics, usage: "simulate PROGRAM [by month] [| members]",
                                meaning: "a points program run over the transactions: members, revenue and points issued, redeemed, expired and outstanding per tier, liability and reward cost; `by month` per month; `| members` per customer",
                                example: "simulate club")

    struct Options {
        var program: String
        var at: SourceLocation
        var byMonth: Bool
        var members: Bool
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        guard case let (name, at)? = args.word().flatMap({ $0.0 != "by" && $0.0 != "members" ? $0 : nil }) else {
            throw Diagnostic("`simulate` takes a program's name", at: args.command.location, hint: "for example: simulate club (after `program club = earn 1 per 10`)")
        }
        var byMonth = false
        if args.flag("by") {
            guard args.flag("month") else { throw Diagnostic("`simulate … by` takes `month`", at: args.command.location, hint: "simulate \(name) by month") }
            byMonth = true
        }
        let members = args.flag("members")
        if byMonth && members { throw Diagnostic("`simulate … by month` has no `| members` form", at: args.command.location, hint: "simulate \(name) | members") }
        return Options(program: name, at: at, byMonth: byMonth, members: members)
    }

    /// The tables' columns, from the program's tier names and the customer column alone.
    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "simulate", at: location)
        let (def, _) = try catalog.program(o.program, at: o.at)
        // The calendar counts the months and places the birthday credits (a birth month is one of its).
        let all = reads + [o.program, "customers", Dependencies.calendar]
        if o.members {
            return AnalyticsBinding([(key.name, key.type), ("tier", .string), ("first_purchase", .date), ("orders", .int), ("revenue", .double),
                                     ("order_points", .double), ("first_bonus_points", .double), ("referral_points", .double), ("birthday_points", .double),
                                     ("points_issued", .double), ("points_redeemed", .double), ("points_expired", .double), ("points_outstanding", .double),
                                     ("tier_points", .double), ("liability", .double)], reads: all)
        }
        if o.byMonth {
            let tiers = catalog.tierNames(def.spec).map { ("members_" + $0, DataType.int) }
            return AnalyticsBinding([("month", .date), ("members", .int), ("new_members", .int)] + tiers
                                    + [("revenue", .double)] + pointColumns.map { ($0, DataType.double) }, reads: all)
        }
        return AnalyticsBinding([("tier", .string), ("min_points", .double), ("members", .int), ("share", .double), ("revenue", .double), ("revenue_share", .double)]
                                + pointColumns.map { ($0, DataType.double) }, reads: all)
    }

    /// The point and money figures of the summary and of each month, in order.
    static let pointColumns = ["points_issued", "points_redeemed", "points_expired", "points_outstanding", "liability", "reward_cost", "cost_share"]

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (_, rules) = try catalog.program(o.program, at: o.at)
        let (data, reads) = try catalog.transactionData(for: "simulate", at: location)
        // The calendar counts the months and places the birthday credits (a birth month is one of its).
        let all = reads + [o.program, "customers", Dependencies.calendar]
        let head = "program \(o.program) as of \(CivilDate.format(data.asOf)): \(rules.summary)"
        if o.byMonth {
            let (multiplier, customers) = try inputs(rules, data, in: catalog, at: location)
            let months = try data.pointsMonths(rules, multiplier: multiplier, customers: customers, calendar: catalog.calendar,
                                               isCancelled: catalog.isCancelled, at: location)
            return AnalyticsResult(table: months.monthlyTable(catalog.calendar), work: [head] + months.monthlyWork() + months.notes, reads: all)
        }
        let ledger = try ledger(rules, data, in: catalog, at: location)
        if o.members { return AnalyticsResult(table: ledger.membersTable(), work: [head] + ledger.membersWork() + ledger.notes, reads: all) }
        return AnalyticsResult(table: ledger.summaryTable(), work: [head] + ledger.summaryWork() + ledger.notes, reads: all)
    }

    /// The program run over `data`, with the channel multipliers of its rows and the referrers
    /// and birth months of the customers table.
    static func ledger(_ rules: LoyaltyRules, _ data: TransactionData, in catalog: SessionCatalog,
                       at location: SourceLocation) throws(Diagnostic) -> PointsLedger {
        let (multiplier, customers) = try inputs(rules, data, in: catalog, at: location)
        return try data.pointsLedger(rules, multiplier: multiplier, customers: customers, calendar: catalog.calendar,
                                     isCancelled: catalog.isCancelled, at: location)
    }

    /// What a run reads besides the transactions: each transaction's channel multiplier, and
    /// the customers table's referrers and birth months, with a note for each that cannot be used.
    static func inputs(_ rules: LoyaltyRules, _ data: TransactionData, in catalog: SessionCatalog,
                       at location: SourceLocation) throws(Diagnostic) -> (multiplier: [Double]?, customers: ProgramCustomers) {
        var notes: [String] = []
        let multiplier = try channelMultipliers(rules, data, in: catalog, notes: &notes, at: location)
        var customers = ProgramCustomers.read(catalog.tables["customers"], data: data, rules: rules, calendar: catalog.calendar)
        customers.notes = notes + customers.notes
        return (multiplier, customers)
    }

    /// Each transaction's channel multiplier, from the `channel` column of the transactions
    /// (1 for a channel the program does not name, or a null channel); nil when the program
    /// has no channel bonus or the transactions no channel.
    static func channelMultipliers(_ rules: LoyaltyRules, _ data: TransactionData, in catalog: SessionCatalog, notes: inout [String],
                                   at location: SourceLocation) throws(Diagnostic) -> [Double]? {
        guard !rules.channels.isEmpty else { return nil }
        guard let roles = catalog.transactions, let channel = try catalog.table(named: roles.table, at: location).column("channel") else {
            notes.append("the transactions have no `channel` column, so channel_bonus does not apply")
            return nil
        }
        var byRow: (Int) -> Double
        switch channel.storage {
        case .string(let codes, let dictionary):
            let perCode = dictionary.values.map { rules.multiplier($0) }
            byRow = { channel.isNull($0) ? 1 : perCode[Int(codes[$0])] }
            let unseen = rules.channels.filter { dictionary.existingCode($0.channel) == nil }.map { "`\($0.channel)`" }
            if !unseen.isEmpty { notes.append("no transaction has the channel \(unseen.joined(separator: ", ")), so its multiplier never applies") }
            // Every row with a channel: one look-up by code per row.
            if channel.validity == nil {
                guard let rows = data.rows else { return codes.map { perCode[Int($0)] } }
                return rows.map { perCode[Int(codes[Int($0)])] }
            }
        default:
            byRow = { channel.isNull($0) ? 1 : rules.multiplier(ValueFormat.plain(channel.value(at: $0))) }
        }
        guard let rows = data.rows else { return (0..<data.count).map(byRow) }
        return rows.map { byRow(Int($0)) }
    }
}

/// `tiers PROGRAM from DATE to DATE`: how members moved between the program's tiers from one
/// date to another, each date an as-of date of its own (as `lifecycle from A to B` does for
/// the customer types). Seed 002 on rewarding the loyal by level: «پاداش دهی سریع به مشتریان
/// وفادار», "rewarding loyal customers quickly".
enum TiersCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "tiers", group: .analytics, usage: "tiers PROGRAM from DATE to DATE",
                                meaning: "how many members moved from each tier of a points program to each other between two dates (from_tier, to_tier, customers, share_of_from)",
                                example: "tiers club from 2023-12-31 to 2024-06-30")

    /// Not a member by the first date.
    static let notYetMember = "(not yet a member)"

    struct Options {
        var program: String
        var at: SourceLocation
        var from: Int32, to: Int32
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        guard case let (name, at)? = args.word().flatMap({ $0.0 != "from" ? $0 : nil }) else {
            throw Diagnostic("`tiers` takes a program's name, then `from DATE to DATE`", at: args.command.location, hint: "for example: tiers club from 2023-12-31 to 2024-06-30")
        }
        let dates = args.valueLocation("from")
        guard let from = try args.date("from"), let to = try args.date("to") else {
            throw Diagnostic("`tiers` takes `from DATE to DATE`", at: dates, hint: "for example: tiers \(name) from 2023-12-31 to 2024-06-30")
        }
        guard from < to else { throw Diagnostic("`tiers` needs the first date before the second", at: dates) }
        return Options(program: name, at: at, from: from, to: to)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (_, reads) = try catalog.transactionKey(for: "tiers", at: location)
        _ = try catalog.program(o.program, at: o.at)
        return AnalyticsBinding([("from_tier", .string), ("to_tier", .string), ("customers", .int), ("share_of_from", .double)],
                                reads: reads + [o.program, "customers", Dependencies.calendar])
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (_, rules) = try catalog.program(o.program, at: o.at)
        guard o.to <= catalog.asOf else {
            throw Diagnostic("`tiers … to \(CivilDate.format(o.to))` is after the as-of date \(CivilDate.format(catalog.asOf))", at: location,
                             hint: "transactions after the as-of date take part in no analysis; `use … as_of DATE` moves it")
        }
        let (before, reads) = try catalog.transactionData(for: "tiers", at: location, asOf: o.from)
        let (after, _) = try catalog.transactionData(for: "tiers", at: location, asOf: o.to)
        let a = try SimulateCommand.ledger(rules, before, in: catalog, at: location)
        let b = try SimulateCommand.ledger(rules, after, in: catalog, at: location)
        // Match the members at `to` with the accounts at `from` by customer key.
        let g = Grouping(columns: [Join.concatenate(a.keys, b.keys)], n: a.accounts + b.accounts)
        var earlier = [Int32: Int]()
        for i in 0..<a.accounts where a.isMember(i) { earlier[g.ids[i]] = a.tier[i] }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: rules.tiers.count), count: rules.tiers.count + 1)
        var moved = 0, total = 0
        for j in 0..<b.accounts where b.isMember(j) {
            let from = earlier[g.ids[a.accounts + j]].map { $0 + 1 } ?? 0
            counts[from][b.tier[j]] += 1
            total += 1
            if from != b.tier[j] + 1 { moved += 1 }
        }
        var fromTier: [String] = [], toTier: [String] = [], n: [Int64] = [], share: [Double] = []
        let names = [notYetMember] + rules.tiers.map(\.name)
        for f in counts.indices {
            let all = counts[f].reduce(0, +)
            for t in counts[f].indices where counts[f][t] > 0 {
                fromTier.append(names[f]); toTier.append(rules.tiers[t].name); n.append(Int64(counts[f][t]))
                share.append(round2(Double(counts[f][t]) / Double(all) * 100))
            }
        }
        let window = rules.tierWindowDays.map { "earned in the \(grouped($0)) days ending on each date" } ?? "earned by each date"
        let work = ["program \(o.program): tiers as of \(CivilDate.format(o.from)) and as of \(CivilDate.format(o.to)), each from the transactions by then, by points \(window): "
                    + tierLine(rules),
                    "\(grouped(moved)) of \(grouped(total)) members changed tier or joined; share_of_from = customers / all members in that tier as of \(CivilDate.format(o.from))"]
            + Array(Set(a.notes + b.notes)).sorted()
        let table = Table(columnNames: ["from_tier", "to_tier", "customers", "share_of_from"],
                          columns: [stringColumn(fromTier), stringColumn(toTier), Column(.int(n)), Column(.double(share))])
        return AnalyticsResult(table: table, work: work, reads: Array(Set(reads + [o.program, "customers"])).sorted())
    }

    /// "base under 500, silver from 500, gold from 2,000".
    static func tierLine(_ rules: LoyaltyRules) -> String {
        rules.tiers.enumerated().map { i, t in
            i == 0 ? (rules.tiers.count > 1 ? "\(t.name) under \(grouped(rules.tiers[1].threshold))" : "\(t.name) for every member") : "\(t.name) from \(grouped(t.threshold))"
        }.joined(separator: ", ")
    }
}

/// `points spend S rate R [earn P] [multiplier M] [bonus B] [point_value V]`: a trainer's
/// typed-in form of the points arithmetic (seed 002's «امتیازدهی», points per purchase):
/// floor(S / R) × P × M, rounded down, plus the bonus.
enum PointsCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "points", group: .analytics, usage: "points spend S rate R [earn P] [multiplier M] [bonus B] [point_value V]",
                                meaning: "the points an order earns, with the working: floor(spend / rate) × earn × multiplier + bonus",
                                example: "points spend 1200000 rate 10000 bonus 50")

    struct Options {
        var spend: Double, rate: Double, earn: Double, multiplier: Double, bonus: Double
        var pointValue: Double?
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let at = args.command.location, spendAt = args.valueLocation("spend"), rateAt = args.valueLocation("rate")
        let earnAt = args.valueLocation("earn"), multiplierAt = args.valueLocation("multiplier"), bonusAt = args.valueLocation("bonus")
        let valueAt = args.valueLocation("point_value")
        guard let spend = try args.number("spend"), let rate = try args.number("rate") else {
            throw Diagnostic("`points` takes `spend S rate R`", at: at, hint: "for example: points spend 1200000 rate 10000 bonus 50")
        }
        guard spend >= 0 else { throw Diagnostic("`spend` must be 0 or more (in a simulation a refund earns nothing)", at: spendAt) }
        guard rate > 0 else { throw Diagnostic("`rate` must be more than 0: points are floor(spend / rate)", at: rateAt) }
        let earn = try args.number("earn") ?? 1
        guard earn > 0 else { throw Diagnostic("`earn` must be more than 0 points", at: earnAt) }
        let multiplier = try args.number("multiplier") ?? 1
        guard multiplier >= 0 else { throw Diagnostic("`multiplier` must be 0 or more", at: multiplierAt) }
        let bonus = try args.number("bonus") ?? 0
        guard bonus >= 0, bonus == bonus.rounded(), bonus <= LoyaltyRules.maxPoints else {
            throw Diagnostic("`bonus` takes a whole number of points from 0 to 9,007,199,254,740,992", at: bonusAt)
        }
        let pointValue = try args.number("point_value")
        if let v = pointValue, v < 0 { throw Diagnostic("`point_value` must be 0 or more", at: valueAt) }
        return Options(spend: spend, rate: rate, earn: earn, multiplier: multiplier, bonus: bonus, pointValue: pointValue)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        AnalyticsBinding([("spend", .double), ("rate", .double), ("order_points", .double), ("bonus", .double), ("points", .double)]
                         + (o.pointValue != nil ? [("value", .double)] : []), reads: [])
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let steps = (o.spend / o.rate).rounded(.down)
        let orderPoints = (steps * o.earn * o.multiplier).rounded(.down)
        let points = orderPoints + o.bonus
        guard points <= LoyaltyRules.maxPoints else {
            throw TransactionData.tooManyPoints("this order", at: location, hint: "lower `spend`, `earn` or `multiplier`, or raise `rate`")
        }
        // 1,200,000 / 10,000 = 120 points + 50 bonus = 170 points
        let quotient = o.spend / o.rate
        var line = quotient == steps ? "\(grouped(o.spend)) / \(grouped(o.rate)) = \(grouped(steps))"
            : "floor(\(grouped(o.spend)) / \(grouped(o.rate))) = floor(\(ValueFormat.displayDouble(quotient))) = \(grouped(steps))"
        if o.earn != 1 || o.multiplier != 1 {
            line += [o.earn != 1 ? " × \(shown(o.earn)) points" : nil, o.multiplier != 1 ? " × \(shown(o.multiplier)) (multiplier)" : nil].compactMap { $0 }.joined()
            line += steps * o.earn * o.multiplier == orderPoints ? " = \(grouped(orderPoints))" : " = \(ValueFormat.displayDouble(steps * o.earn * o.multiplier)), rounded down to \(grouped(orderPoints))"
        }
        line += " points"
        if o.bonus > 0 { line += " + \(grouped(o.bonus)) bonus = \(grouped(points)) points" }
        var work = [line]
        var pairs: [(String, Value)] = [("spend", .double(o.spend)), ("rate", .double(o.rate)), ("order_points", .double(orderPoints)),
                                        ("bonus", .double(o.bonus)), ("points", .double(points))]
        if let v = o.pointValue {
            work.append("worth \(grouped(points)) × \(shown(v)) = \(grouped(points * v))")
            pairs.append(("value", .double(round2(points * v))))
        }
        return AnalyticsResult(table: row(pairs), work: work, reads: [])
    }
}

/// Rounded to 2 decimals: hundredths of a point, cents of money, shares to 0.01%.
func round2(_ x: Double) -> Double {
    guard x.isFinite, abs(x) < 1e15 else { return x }
    return (x * 100).rounded() / 100
}

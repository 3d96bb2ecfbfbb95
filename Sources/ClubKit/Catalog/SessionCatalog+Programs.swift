/// A points program kept by name: its clauses as written, resolved on each use.
struct ProgramDefinition: Sendable {
    var spec: ProgramSpec
    /// The definition as the user wrote it (after `=`).
    var text: String
}

/// Points programs: `program club = earn 1 per rate, …` is a named, live definition like a
/// segment. Its values are expressions over parameters; the catalog records the parameters
/// (and formulas) each program reads, so `let rate = 20` touches the program and everything
/// that reads it (`simulate club`, results over it), and a `let` that would make the program
/// invalid (a rate of 0, text for a number) is refused as a redefinition of a segment is.
extension SessionCatalog {
    /// What else holds `name` — "a loaded table", "a named result", "a parameter", "a program" or
    /// "a campaign" — leaving out `kind`, the kind being (re)defined; nil when nothing does.
    func holder(of name: String, besides kind: String) -> String? {
        [("a loaded table", tables[name] != nil), ("a named result", definition(name) != nil), ("a parameter", parameters[name] != nil),
         ("a program", programs[name] != nil), ("a campaign", campaigns[name] != nil)]
            .first { $0.0 != kind && $0.1 }?.0
    }

    /// Defines or redefines a program after resolving every value; refused, changing nothing,
    /// when a value is invalid or when something that reads the program would no longer check.
    func defineProgram(_ name: Name, _ spec: ProgramSpec, text: String) throws(Diagnostic) -> [Output] {
        if let taken = holder(of: name.text, besides: "a program") {
            throw Diagnostic("`\(name.text)` is \(taken)", at: name.location, hint: "choose another name for the program")
        }
        let (rules, reads) = try resolveProgram(spec)
        try allOrNothing { () throws(Diagnostic) in
            let previous = programs[name.text]
            change(\.programs, name.text, to: ProgramDefinition(spec: spec, text: text))
            if previous == nil { appendUndoably(\.programOrder, name.text) }
            record(name.text, reads: reads)
            touch(name.text)
            if previous != nil, let broken = try brokenDependents(of: [name.text]) {
                throw Diagnostic("redefining the program `\(name.text)` would break \(broken.names): \(broken.reason)", at: name.location)
            }
        }
        return [.message("program \(name.text): \(rules.summary)")]
    }

    /// The program named `name`, resolved now, or an error at `location` with "did you mean".
    func program(_ name: String, at location: SourceLocation) throws(Diagnostic) -> (ProgramDefinition, LoyaltyRules) {
        guard let def = programs[name] else {
            throw Diagnostic("unknown program `\(name)`", at: location,
                             hint: Suggest.hint(for: name, among: programOrder) ?? (programOrder.isEmpty ? "define one first, as in `program club = earn 1 per 10`" : "the programs are \(programOrder.joined(separator: ", "))"))
        }
        do {
            return (def, try resolveProgram(def.spec).rules)
        } catch {
            throw Diagnostic("in program `\(name)`: \(error.message)", at: location, hint: error.hint)
        }
    }

    /// Every value of `spec` evaluated and checked, with the names they read (parameters,
    /// formulas). Errors point at the value in the program's text.
    func resolveProgram(_ spec: ProgramSpec) throws(Diagnostic) -> (rules: LoyaltyRules, reads: Set<String>) {
        var reads = Set<String>()
        func value(_ e: Expr) throws(Diagnostic) -> Value {
            let checker = Checker(catalog: self)
            let typed = try checker.scalar(e)
            reads.formUnion(checker.dependencies.names)
            return ExpressionEvaluator(table: Table(columnNames: [], columns: [], rowCount: 1), notes: EvaluationNotes(), calendar: calendar).column(typed).value(at: 0)
        }
        func number(_ e: Expr, _ what: String, _ range: ClosedRange<Double>, whole: Bool = false, hint: String? = nil) throws(Diagnostic) -> Double {
            let v = try value(e)
            guard let x = v.doubleValue, !v.isNull else {
                throw Diagnostic("`\(what)` takes a number, not \(v.isNull ? "null" : ValueFormat.display(v))", at: e.location, hint: hint)
            }
            guard x.isFinite else { throw Diagnostic("`\(what)` takes a finite number, not \(ValueFormat.displayDouble(x))", at: e.location, hint: hint) }
            if x < range.lowerBound && range.upperBound == .greatestFiniteMagnitude {
                throw Diagnostic("`\(what)` takes a number of \(grouped(range.lowerBound)) or more, not \(ValueFormat.displayDouble(x))", at: e.location, hint: hint)
            }
            guard range.contains(x), !whole || x == x.rounded() else {
                let upper = range.upperBound == LoyaltyRules.maxPoints ? "9,007,199,254,740,992" : grouped(range.upperBound)
                throw Diagnostic("`\(what)` takes \(whole ? "a whole number" : "a number") from \(grouped(range.lowerBound)) to \(upper), not \(ValueFormat.displayDouble(x))",
                                 at: e.location, hint: hint)
            }
            return x
        }
        func days(_ e: Expr, _ what: String) throws(Diagnostic) -> Int {
            let v = try value(e)
            let n: Int64?
            switch v {
            case .duration(let d): n = d.days
            case .int(let x): n = x
            case .double(let x) where x == x.rounded() && abs(x) < 1e15: n = Int64(x)
            default: n = nil
            }
            guard let n, (1...36_500).contains(n) else {
                throw Diagnostic("`\(what)` takes a time from 1 day to 100 years, like 365d or 12mo, not \(ValueFormat.display(v))", at: e.location,
                                 hint: what == "expire" ? "leave `expire` out for points that never expire" : nil)
            }
            return Int(n)
        }
        let maxPoints = LoyaltyRules.maxPoints
        let earnPoints = try number(spec.earnPoints, "earn", 0...maxPoints, hint: "for example: earn 1 per 10")
        guard earnPoints > 0 else { throw Diagnostic("`earn` takes a number of points more than 0", at: spec.earnPoints.location, hint: "for example: earn 1 per 10") }
        let per = try number(spec.earnPer, "per", -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, hint: "an order earns floor(amount / per) × earn points")
        guard per > 0 else {
            throw Diagnostic("`per` takes an amount more than 0: an order earns floor(amount / per) × earn points", at: spec.earnPer.location)
        }
        var rules = LoyaltyRules(earnPoints: earnPoints, earnPer: per, tiers: [])
        rules.firstBonus = try spec.firstBonus.map { c throws(Diagnostic) in try number(c.value, "first_bonus", 0...maxPoints, whole: true) }
        rules.referralBonus = try spec.referralBonus.map { c throws(Diagnostic) in try number(c.value, "referral_bonus", 0...maxPoints, whole: true) }
        rules.birthdayBonus = try spec.birthdayBonus.map { c throws(Diagnostic) in try number(c.value, "birthday_bonus", 0...maxPoints, whole: true) }
        for c in spec.channelBonus {
            guard !rules.channels.contains(where: { $0.channel == c.channel }) else {
                throw Diagnostic("the channel `\(c.channel)` is given twice in `channel_bonus`", at: c.location)
            }
            rules.channels.append(.init(channel: c.channel, multiplier: try number(c.multiplier, "channel_bonus", 0...maxPoints, hint: "a multiplier, like `app 2x`")))
        }
        rules.expireDays = try spec.expire.map { c throws(Diagnostic) in try days(c.value, "expire") }
        rules.pointValue = try spec.pointValue.map { c throws(Diagnostic) in
            try number(c.value, "point_value", 0...Double.greatestFiniteMagnitude, hint: "what one point is worth in the amount's money, like 0.01")
        }
        rules.redeemShare = try spec.redeem.map { c throws(Diagnostic) in
            try number(c.value, "redeem", 0...1, hint: "a share of the points, like 40% (a bare 40 would be forty times every point)")
        } ?? 0
        rules.tierWindowDays = try spec.tierWindow.map { c throws(Diagnostic) in try days(c.value, "over") }
        var tiers: [LoyaltyRules.Tier] = []
        for t in spec.tiers {
            let threshold = try number(t.threshold, "tiers", 0...maxPoints, hint: "the points a tier starts at, as in `tiers (silver 500, gold 2000)`")
            if tiers.contains(where: { $0.name == t.name.text }) { throw Diagnostic("the tier `\(t.name.text)` is given twice", at: t.name.location) }
            if let last = tiers.last, threshold <= last.threshold {
                throw Diagnostic("tiers go from the fewest points up: `\(t.name.text) \(grouped(threshold))` cannot follow `\(last.name) \(grouped(last.threshold))`",
                                 at: t.name.location, hint: "write them in order, each starting at more points than the one before")
            }
            tiers.append(.init(name: t.name.text, threshold: threshold))
        }
        if tiers.first?.threshold != 0 {
            if let clash = spec.tiers.first(where: { $0.name.text == LoyaltyRules.baseTier }) {
                throw Diagnostic("`\(LoyaltyRules.baseTier)` is the tier below the first; it starts at 0 points", at: clash.name.location,
                                 hint: "to name the lowest tier yourself, give it 0 points: tiers (bronze 0, silver 500)")
            }
            tiers.insert(.init(name: LoyaltyRules.baseTier, threshold: 0), at: 0)
        }
        rules.tiers = tiers
        return (rules, reads)
    }

    /// `programs`: each program, its tiers, its definition and what reads it.
    func programsListing() -> Table {
        let names = programOrder
        let tiers = names.map { tierNames(programs[$0]!.spec).joined(separator: ", ") }
        let users = names.map { dependents(of: $0).joined(separator: ", ") }
        return Table(columnNames: ["name", "tiers", "definition", "used_by"],
                     columns: [stringColumn(names), stringColumn(tiers), stringColumn(names.map { programs[$0]!.text }),
                               stringColumn(users, nulls: users.map(\.isEmpty))],
                     rowCount: names.count)
    }

    /// The tier names of a program as written (the base tier first), for binding without
    /// evaluating: a tier that starts at 0 names the base tier only when its value is a literal
    /// 0 or a parameter that holds 0 now.
    func tierNames(_ spec: ProgramSpec) -> [String] {
        if let rules = try? resolveProgram(spec).rules { return rules.tiers.map(\.name) }
        return [LoyaltyRules.baseTier] + spec.tiers.map(\.name.text)
    }
}

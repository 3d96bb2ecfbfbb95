/// A campaign kept by name: its contacts, roles and values as written, resolved on each use.
struct CampaignDefinition: Sendable {
    var spec: CampaignSpec
    /// The definition as the user wrote it (after `=`).
    var text: String
}

/// A campaign with every role and value resolved: the contacts' columns, the window in days
/// and the margin as a share (docs/language.md, "Campaigns").
struct CampaignRules: Equatable, Sendable {
    var contacts: String
    var customer: String
    var date: String
    var group: String
    /// Nil when the contacts have no cost column: every contact then costs 0.
    var cost: String?
    var windowDays: Int
    /// The share of revenue that is profit (0–1), for the ROI; 1 when not given.
    var margin: Double
    var marginGiven: Bool

    /// Names tried, in order, for a role the definition does not name.
    static let guesses: [String: [String]] = [
        "customer": TransactionRoles.guesses["customer"]!,
        "date": ["date", "contact_date", "contacted", "contacted_at", "sent", "sent_at", "send_date", "day", "datetime", "timestamp"],
        "group": ["group", "variant", "arm", "cell", "test_group", "treatment"],
        "cost": ["cost", "contact_cost", "cost_per_contact"],
    ]
    static let roles = ["customer", "date", "group", "cost"]

    /// One line that says what the campaign reads, for the definition's message and the working.
    var summary: String {
        "\(contacts) · customer = \(customer) · date = \(date) · group = \(group) · cost = \(cost ?? "none (0 per contact)") · window \(windowDays) day\(windowDays == 1 ? "" : "s") · margin \(rate(margin * 100))"
    }
}

/// Campaigns: `campaign spring = contacts (…) window 30d` is a named, live definition like a
/// points program. It reads its contacts table and the parameters of its values; reloading the
/// contacts or a `let` touches it and everything that reads it (`campaign spring`), and a
/// change that would make it invalid (a column gone, a window of 0) is refused.
extension SessionCatalog {
    /// Defines or redefines a campaign after resolving it; refused, changing nothing, when it
    /// does not resolve or when something that reads it would no longer check.
    func defineCampaign(_ name: Name, _ spec: CampaignSpec, text: String) throws(Diagnostic) -> [Output] {
        if let taken = holder(of: name.text, besides: "a campaign") {
            throw Diagnostic("`\(name.text)` is \(taken)", at: name.location, hint: "choose another name for the campaign")
        }
        let (rules, reads) = try resolveCampaign(spec)
        try allOrNothing { () throws(Diagnostic) in
            let previous = campaigns[name.text]
            change(\.campaigns, name.text, to: CampaignDefinition(spec: spec, text: text))
            if previous == nil { appendUndoably(\.campaignOrder, name.text) }
            record(name.text, reads: reads)
            touch(name.text)
            if previous != nil, let broken = try brokenDependents(of: [name.text]) {
                throw Diagnostic("redefining the campaign `\(name.text)` would break \(broken.names): \(broken.reason)", at: name.location)
            }
        }
        return [.message("campaign \(name.text): \(rules.summary)")]
    }

    /// The campaign named `name`, resolved now, or an error at `location` with "did you mean".
    func campaign(_ name: String, at location: SourceLocation) throws(Diagnostic) -> CampaignRules {
        guard let def = campaigns[name] else {
            throw Diagnostic("unknown campaign `\(name)`", at: location,
                             hint: Suggest.hint(for: name, among: campaignOrder)
                                ?? (campaignOrder.isEmpty ? "define one first, as in `campaign spring = contacts window 30d`" : "the campaigns are \(campaignOrder.joined(separator: ", "))"))
        }
        do {
            return try resolveCampaign(def.spec).rules
        } catch {
            throw Diagnostic("in campaign `\(name)`: \(error.message)", at: location, hint: error.hint)
        }
    }

    /// The roles found in the contacts' columns and the values evaluated and checked, with the
    /// names they read (the contacts, parameters, formulas). Errors point into the definition.
    func resolveCampaign(_ spec: CampaignSpec) throws(Diagnostic) -> (rules: CampaignRules, reads: Set<String>) {
        var reads: Set<String> = [spec.contacts.text]
        let source = spec.contacts
        let schema = try schema(of: source.text, at: source.location)
        var chosen: [String: String] = [:]
        for r in spec.roles {
            guard CampaignRules.roles.contains(r.role.text) else {
                throw Diagnostic("unknown role `\(r.role.text)`", at: r.role.location,
                                 hint: Suggest.hint(for: r.role.text, among: CampaignRules.roles) ?? "the roles are customer, date, group and cost")
            }
            guard chosen[r.role.text] == nil else { throw Diagnostic("the role `\(r.role.text)` is given twice", at: r.role.location) }
            guard let i = schema.index(of: r.column.text) else {
                throw Diagnostic("`\(source.text)` has no column `\(r.column.text)`", at: r.column.location, hint: Suggest.hint(for: r.column.text, among: schema.fields.map(\.name)))
            }
            chosen[r.role.text] = schema.fields[i].name
        }
        for role in CampaignRules.roles where chosen[role] == nil {
            let tried = CampaignRules.guesses[role]!
            if let hit = tried.lazy.compactMap({ schema.index(of: $0) }).first {
                chosen[role] = schema.fields[hit].name
            } else if role != "cost" {
                throw Diagnostic("`\(source.text)` has no \(role) column; looked for \(tried.joined(separator: ", "))", at: source.location,
                                 hint: "name it: \(source.text) (\(role) = …)")
            }
        }
        func type(_ column: String) -> DataType { schema.fields[schema.index(of: column)!].type }
        let date = chosen["date"]!, group = chosen["group"]!
        guard type(date) == .date || type(date) == .datetime else {
            throw Diagnostic("the contact date column `\(date)` holds \(article(type(date))), not dates", at: source.location,
                             hint: "load it with `types (\(date): date)` or a `date_format`")
        }
        guard type(group) == .string else {
            throw Diagnostic("the group column `\(group)` holds \(article(type(group))), not text: treatment or control", at: source.location)
        }
        if let cost = chosen["cost"], !type(cost).isNumeric {
            throw Diagnostic("the cost column `\(cost)` holds \(article(type(cost))), not numbers", at: source.location)
        }
        func value(_ e: Expr) throws(Diagnostic) -> Value {
            let checker = Checker(catalog: self)
            let typed = try checker.scalar(e)
            reads.formUnion(checker.dependencies.names)
            return ExpressionEvaluator(table: Table(columnNames: [], columns: [], rowCount: 1), notes: EvaluationNotes(), calendar: calendar).column(typed).value(at: 0)
        }
        let w = try value(spec.window)
        let days: Int64?
        switch w {
        case .duration(let d): days = d.days
        case .int(let x): days = x
        case .double(let x) where x == x.rounded() && abs(x) < 1e15: days = Int64(x)
        default: days = nil
        }
        guard let days, (1...36_500).contains(days) else {
            let zero = days == 0
            throw Diagnostic("`window` takes a time from 1 day to 100 years, like 30d or 8w, not \(ValueFormat.display(w))", at: spec.window.location,
                             hint: zero ? "a window of 0 days holds no day after the contact, so no one could respond" : nil)
        }
        var margin = 1.0
        if let m = spec.margin {
            let v = try value(m)
            guard let x = v.doubleValue, !v.isNull, x.isFinite, (0...1).contains(x) else {
                throw Diagnostic("`margin` takes a share from 0% to 100%, like 30%, not \(ValueFormat.display(v))", at: m.location,
                                 hint: "the share of revenue that is profit; a bare 30 would be thirty times the revenue")
            }
            margin = x
        }
        let rules = CampaignRules(contacts: source.text, customer: chosen["customer"]!, date: date, group: group, cost: chosen["cost"],
                                  windowDays: Int(days), margin: margin, marginGiven: spec.margin != nil)
        return (rules, reads)
    }

    /// `campaigns`: each campaign, its contacts, its window, its definition and what reads it.
    func campaignsListing() -> Table {
        let names = campaignOrder
        let rules = names.map { try? resolveCampaign(campaigns[$0]!.spec).rules }
        let windows = rules.map { $0.map { Int64($0.windowDays) } }
        let users = names.map { dependents(of: $0).joined(separator: ", ") }
        return Table(columnNames: ["name", "contacts", "window_days", "definition", "used_by"],
                     columns: [stringColumn(names), stringColumn(names.map { campaigns[$0]!.spec.contacts.text }), intColumn(windows),
                               stringColumn(names.map { campaigns[$0]!.text }), stringColumn(users, nulls: users.map(\.isEmpty))],
                     rowCount: names.count)
    }
}

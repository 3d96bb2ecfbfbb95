/// `campaign NAME = CONTACTS [(customer = C, date = D, group = G, cost = K)] window W [margin M%]`.
/// The roles are those of `use`, with `group` (treatment or control) and `cost`; a role left
/// out is guessed from the column names. `window` and `margin` are expressions, so a parameter
/// may stand for either (docs/language.md, "Campaigns").
extension Parser {
    /// The clause words after the contacts, in the order `.help campaign` lists them.
    static let campaignClauses = ["window", "margin"]

    mutating func campaign() throws(Diagnostic) -> StatementKind {
        let n = try name("a campaign name")
        try expect("=", "after `campaign \(n.text)`")
        let contacts = try name("the contacts table, as in `campaign \(n.text) = contacts window 30d`")
        var roles: [UseRole] = []
        if current.isSymbol("(") {
            advance()
            repeat {
                if current.isSymbol(",") { advance() }
                let role = try name("a role (customer, date, group or cost)")
                try expect("=", "after the role `\(role.text)`")
                roles.append(UseRole(role: role, column: try name("a column name")))
            } while current.isSymbol(",")
            try expect(")", "to close the roles")
        }
        var window: (Expr, SourceLocation)?
        var margin: Expr?
        while let word = current.word {
            guard Self.campaignClauses.contains(word) else {
                throw Diagnostic("unknown campaign clause `\(word)`", at: current.location,
                                 hint: Suggest.hint(for: word, among: Self.campaignClauses) ?? "the clauses are window and margin")
            }
            let at = advance().location
            if word == "window" {
                guard window == nil else { throw Diagnostic("`window` is given twice", at: at) }
                window = (try expression(), at)
            } else {
                guard margin == nil else { throw Diagnostic("`margin` is given twice", at: at) }
                margin = try expression()
            }
            if current.isSymbol(",") { advance() }
        }
        guard let window else {
            throw Diagnostic("a campaign needs `window D`, the days after a contact that an order counts as a response", at: current.location,
                             hint: "for example: campaign \(n.text) = \(contacts.text) window 30d")
        }
        return .campaign(n, CampaignSpec(contacts: contacts, roles: roles, window: window.0, windowLocation: window.1, margin: margin))
    }
}

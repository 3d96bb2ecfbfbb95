/// `program NAME = earn P per R, first_bonus B, referral_bonus B, birthday_bonus B,
/// channel_bonus (CHANNEL Mx, …), expire D, point_value V, tiers (NAME T, …) [over D], redeem S%`.
/// Clauses in any order, each at most once; only `earn` is required. Values are expressions,
/// so a parameter may stand for any of them (docs/language.md, "Points programs").
extension Parser {
    /// The clause words, in the order `.help program` lists them.
    static let programClauses = ["earn", "first_bonus", "referral_bonus", "birthday_bonus", "channel_bonus", "expire", "point_value", "tiers", "redeem"]

    mutating func program() throws(Diagnostic) -> StatementKind {
        let n = try name("a program name")
        guard current.isSymbol("=") else {
            throw Diagnostic("expected `=` after `program \(n.text)`", at: current.location, hint: "for example: program club = earn 1 per 10, first_bonus 50")
        }
        advance()
        var earn: (points: Expr, per: Expr, at: SourceLocation)?
        var spec = ProgramSpec(earnPoints: .literal(.int(1), n.location), earnPer: .literal(.int(1), n.location), earnLocation: n.location)
        var seen = Set<String>()
        repeat {
            if current.isSymbol(",") { advance() }
            try invalidCheck()
            let t = current
            guard let word = t.word else {
                throw Diagnostic("expected a program clause (\(Self.programClauses.joined(separator: ", "))), found \(t.display)", at: t.location)
            }
            guard Self.programClauses.contains(word) else {
                throw Diagnostic("unknown program clause `\(word)`", at: t.location,
                                 hint: Suggest.hint(for: word, among: Self.programClauses) ?? "the clauses are \(Self.programClauses.joined(separator: ", "))")
            }
            guard seen.insert(word).inserted else { throw Diagnostic("`\(word)` is given twice", at: t.location) }
            advance()
            switch word {
            case "earn":
                let points = try expression()
                guard current.word == "per" else {
                    throw Diagnostic("expected `per` after the points of `earn`", at: current.location,
                                     hint: "for example: earn 1 per 10 (one point for each 10 of the amount)")
                }
                advance()
                earn = (points, try expression(), t.location)
            case "first_bonus": spec.firstBonus = .init(value: try expression(), location: t.location)
            case "referral_bonus": spec.referralBonus = .init(value: try expression(), location: t.location)
            case "birthday_bonus": spec.birthdayBonus = .init(value: try expression(), location: t.location)
            case "expire": spec.expire = .init(value: try expression(), location: t.location)
            case "point_value": spec.pointValue = .init(value: try expression(), location: t.location)
            case "redeem": spec.redeem = .init(value: try expression(), location: t.location)
            case "channel_bonus":
                spec.channelLocation = t.location
                try expect("(", "after `channel_bonus`, as in `channel_bonus (app 2x)`")
                repeat {
                    if current.isSymbol(",") { advance() }
                    let at = current.location
                    let channel: String
                    switch current.kind {
                    case .identifier(let c, _), .string(let c): channel = c
                    default: throw Diagnostic("expected a channel, found \(current.display)", at: at, hint: "for example: channel_bonus (app 2x, web 1.5x)")
                    }
                    advance()
                    let multiplier: Expr
                    if case .multiplier(let m) = current.kind {
                        multiplier = .literal(.double(m), current.location)
                        advance()
                    } else {
                        multiplier = try expression()
                    }
                    spec.channelBonus.append(.init(channel: channel, multiplier: multiplier, location: at))
                } while current.isSymbol(",")
                try expect(")", "to close `channel_bonus (…)`")
            case "tiers":
                spec.tiersLocation = t.location
                try expect("(", "after `tiers`, as in `tiers (silver 500, gold 2000)`")
                repeat {
                    if current.isSymbol(",") { advance() }
                    let tier = try name("a tier name, as in `tiers (silver 500, gold 2000)`")
                    spec.tiers.append(.init(name: tier, threshold: try expression()))
                } while current.isSymbol(",")
                try expect(")", "to close `tiers (…)`")
                if current.word == "over" {
                    let at = advance().location
                    spec.tierWindow = .init(value: try expression(), location: at)
                }
            default: break
            }
        } while current.isSymbol(",")
        guard let earn else {
            throw Diagnostic("a program needs `earn P per R`", at: n.location, hint: "for example: program \(n.text) = earn 1 per 10")
        }
        spec.earnPoints = earn.points
        spec.earnPer = earn.per
        spec.earnLocation = earn.at
        return .program(n, spec)
    }
}

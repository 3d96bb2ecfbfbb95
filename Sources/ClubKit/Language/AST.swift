/// The syntax tree the parser produces. Plain values; names are not resolved yet.

/// An expression with its place in the source.
indirect enum Expr: Equatable, Sendable {
    case literal(Value, SourceLocation)
    /// A column or parameter name.
    case name(String, SourceLocation)
    case unary(UnaryOperator, Expr, SourceLocation)
    case binary(BinaryOperator, Expr, Expr, SourceLocation)
    case call(String, [Expr], SourceLocation)
    case isNull(Expr, negated: Bool, SourceLocation)
    case inList(Expr, [Expr], negated: Bool, SourceLocation)
    case between(Expr, Expr, Expr, negated: Bool, SourceLocation)
    /// `a + b - c …`, `a and b and c …`: two or more operators of one precedence level, applied
    /// left to right. Kept flat, so a sum of a million terms needs no million-deep recursion to
    /// check, run or free.
    case chain(Expr, [ChainLink])

    var location: SourceLocation {
        switch self {
        case .literal(_, let l), .name(_, let l), .unary(_, _, let l), .binary(_, _, _, let l), .call(_, _, let l),
             .isNull(_, _, let l), .inList(_, _, _, let l), .between(_, _, _, _, let l):
            return l
        case .chain(_, let links):
            return links[0].location
        }
    }

    /// `first` followed by `links`: the expression itself, one binary operation, or a chain.
    static func chained(_ first: Expr, _ links: [ChainLink]) -> Expr {
        switch links.count {
        case 0: return first
        case 1: return .binary(links[0].op, first, links[0].operand, links[0].location)
        default: return .chain(first, links)
        }
    }
}

/// One step of a chain: the operator, where it stands, and its right operand.
struct ChainLink: Equatable, Sendable {
    var op: BinaryOperator
    var operand: Expr
    var location: SourceLocation
}

enum UnaryOperator: String, Sendable { case negate = "-", not }

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and, or

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }

    var isArithmetic: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .modulo: return true
        default: return false
        }
    }
}

/// `name = expr`, or a bare `expr` whose name is derived from it.
struct NamedExpr: Equatable, Sendable {
    var name: String?
    var expr: Expr
    var location: SourceLocation
}

/// A sort key: an expression and a direction.
struct SortKey: Equatable, Sendable {
    var expr: Expr
    var descending: Bool
}

/// A name as written, with its place.
struct Name: Equatable, Sendable {
    var text: String
    var location: SourceLocation
}

/// One step of a pipeline (brief §4).
enum Step: Equatable, Sendable {
    case filter(Expr)
    case select([NamedExpr])
    case derive([NamedExpr])
    case aggregate([NamedExpr], by: [NamedExpr])
    case sort([SortKey])
    case take(Int)
    case top(Int, [SortKey])
    case distinct([Name])
    case join(left: Bool, Name, on: Expr)
    case count
    /// `chart bar|line|heatmap` · `chart hist COLUMN`, optionally `to "file.svg" [overwrite]`.
    case chart(ChartKind, column: Name?, path: String?, overwrite: Bool = false)
}

/// The kinds of chart (brief §4).
enum ChartKind: String, CaseIterable, Sendable {
    case bar, line, hist, heatmap, flow
}

/// A step with its place in the source.
struct PipelineStep: Equatable, Sendable {
    var step: Step
    var location: SourceLocation
}

/// `SOURCE | STEP | STEP …`.
struct Pipeline: Equatable, Sendable {
    /// The table, result or segment read; for an analytics command, the command's name.
    var source: Name
    var steps: [PipelineStep]
    /// Set when the source is an analytics command such as `rfm bins 5`.
    var command: AnalyticsCommand? = nil
}

/// An analytics command (brief §6): a name, then words and values — `retention start 100 end 90`,
/// `types with new_days 30`, `nps feedback.nps`.
struct AnalyticsCommand: Equatable, Sendable {
    enum Argument: Equatable, Sendable {
        case word(String, SourceLocation)
        case value(Value, SourceLocation)
        /// A number written with `%`, as a fraction: `90%` is 0.9.
        case percent(Double, SourceLocation)
    }

    var name: String
    var arguments: [Argument]
    var location: SourceLocation

    /// The command names that start a source.
    static var names: [String] { AnalyticsCommands.names }

    /// The command as text, for captions and cache keys.
    var text: String {
        ([name] + arguments.map { arg -> String in
            switch arg {
            case .word(let w, _): return w
            case .value(let v, _): return v.type == .string ? "\"\(ValueFormat.plain(v))\"" : ValueFormat.plain(v)
            case .percent(let v, _): return String(format: "%.12g", v * 100) + "%"
            }
        }).joined(separator: " ")
    }
}

/// A `with` option of `load`.
struct LoadOption: Equatable, Sendable {
    enum Value: Equatable, Sendable {
        case flag
        case word(String)
        case string(String)
        case bool(Bool)
        case names([String])
        case types([(String, String)])

        static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.flag, .flag): return true
            case let (.word(x), .word(y)), let (.string(x), .string(y)): return x == y
            case let (.bool(x), .bool(y)): return x == y
            case let (.names(x), .names(y)): return x == y
            case let (.types(x), .types(y)): return x.map { $0.0 + ":" + $0.1 } == y.map { $0.0 + ":" + $0.1 }
            default: return false
            }
        }
    }

    var name: String
    var value: Value
    var location: SourceLocation
}

/// One statement (brief §3).
enum StatementKind: Equatable, Sendable {
    case load(path: String, as: Name?, options: [LoadOption])
    case tables
    case describe(Name)
    /// `name = pipeline`: a named, live result.
    case assign(Name, Pipeline)
    /// `let name = expr`: a parameter.
    case letParameter(Name, Expr)
    case drop([Name], cascade: Bool)
    /// `segment name = source where predicate`.
    case segment(Name, source: Name, predicate: Expr, command: AnalyticsCommand?)
    case segments
    /// `profile s [by column]`.
    case profile(Name, by: Name?)
    case compare([Name])
    case overlap([Name])
    case params
    /// `use table [(role = column, …)] [as_of date]`.
    case use(Name, roles: [UseRole], asOf: Expr?)
    /// `formula name(a, b) = expression`.
    case formula(Name, [Name], Expr)
    case formulas
    /// `program name = earn P per R, …`: a points program (docs/language.md, "Points programs").
    case program(Name, ProgramSpec)
    case programs
    /// `campaign name = contacts (customer = …, date = …, group = …, cost = …) window 30d [margin 30%]`:
    /// a measured campaign (docs/language.md, "Campaigns").
    case campaign(Name, CampaignSpec)
    case campaigns
    case export(Pipeline, path: String, overwrite: Bool)
    /// `explain sql [dialect NAME] pipeline`: the pipeline compiled to SQL, not run.
    case explainSQL(SQLDialect, Pipeline)
    /// `export vip to pg.club_vip [overwrite]`: a table written in an attached engine.
    case exportToEngine(Pipeline, table: Name, overwrite: Bool)
    /// `attach postgres "host=… dbname=…" as pg`: the engine kind, where it is, its name.
    case attach(String, target: String, as: Name)
    /// `detach pg`.
    case detach(Name)
    case pipeline(Pipeline)
    /// A scalar expression, or a bare name to show.
    case expression(Expr)
    /// `.name args`: handled by the shell.
    case dotCommand(String, String)
}

/// `customer = customer_id` in `use`.
struct UseRole: Equatable, Sendable {
    var role: Name
    var column: Name
}

/// A statement with its place and its own source text (for echoing and notebooks).
public struct Statement: Equatable, Sendable {
    var kind: StatementKind
    public var location: SourceLocation
    public var text: String

    /// The name of a dot command (`.mode csv`: "mode"), which the shell carries out; nil for
    /// any other statement.
    public var dotCommandName: String? {
        guard case .dotCommand(let name, _) = kind else { return nil }
        return name
    }

    /// The words after a dot command's name (`.mode csv`: "csv"); nil for any other statement.
    public var dotCommandArguments: String? {
        guard case .dotCommand(_, let arguments) = kind else { return nil }
        return arguments
    }
}

/// A points program as written: `program club = earn 1 per rate, first_bonus 50, …`. Every
/// value is an expression (a literal or a parameter), resolved when the program is used, so the
/// program follows `let`. Only `earn` is required.
struct ProgramSpec: Equatable, Sendable {
    /// A value clause: the expression and where its word stands (for errors).
    struct Clause: Equatable, Sendable {
        var value: Expr
        var location: SourceLocation
    }
    /// `channel_bonus (app 2x, web 1.5x)`: a channel's multiplier.
    struct ChannelBonus: Equatable, Sendable {
        var channel: String
        var multiplier: Expr
        var location: SourceLocation
    }
    /// `tiers (silver 500, gold 2000)`: a tier's name and the points it starts at.
    struct Tier: Equatable, Sendable {
        var name: Name
        var threshold: Expr
    }

    /// `earn P per R`: P points per R of the amount.
    var earnPoints: Expr
    var earnPer: Expr
    var earnLocation: SourceLocation
    var firstBonus: Clause?
    var referralBonus: Clause?
    var birthdayBonus: Clause?
    var channelBonus: [ChannelBonus] = []
    var channelLocation: SourceLocation?
    var expire: Clause?
    var pointValue: Clause?
    var tiers: [Tier] = []
    var tiersLocation: SourceLocation?
    /// `over 365d` after the tiers: the trailing window tiers count points in.
    var tierWindow: Clause?
    var redeem: Clause?
}

/// A campaign as written: `campaign spring = contacts (customer = customer_id, group = group)
/// window 30d margin 30%`. The roles not named are guessed when the campaign is resolved; the
/// window and the margin are expressions (a literal or a parameter), so the campaign follows `let`.
struct CampaignSpec: Equatable, Sendable {
    /// The table (or named result) of the contacts.
    var contacts: Name
    /// The roles named in brackets: customer, date, group, cost.
    var roles: [UseRole]
    /// `window 30d`: the days after the contact an order counts as a response.
    var window: Expr
    var windowLocation: SourceLocation
    /// `margin 30%`: the share of revenue that is profit, for the ROI (100% when absent).
    var margin: Expr?
}

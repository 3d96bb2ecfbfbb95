/// A place in a statement's source text: 1-based line and column (in Unicode scalars) and how
/// many columns the offending text spans, for the caret.
public struct SourceLocation: Equatable, Sendable {
    public var line: Int
    public var column: Int
    public var length: Int

    init(line: Int, column: Int, length: Int = 1) {
        self.line = line
        self.column = column
        self.length = max(1, length)
    }

    /// From the start of `self` to the end of `other` when both are on one line.
    func through(_ other: SourceLocation) -> SourceLocation {
        guard other.line == line, other.column >= column else { return self }
        return SourceLocation(line: line, column: column, length: other.column + other.length - column)
    }
}

/// An error or warning found while lexing, parsing, checking or evaluating: what, where, and
/// what was probably meant. Created where the problem is found, rendered in one place by the
/// shell (a caret at the prompt, `file:line:column` in scripts).
public struct Diagnostic: Error, Equatable, Sendable {
    public enum Severity: String, Sendable { case error, warning }
    /// What stopped the statement, for code that acts on it (the message is for the user only).
    public enum Kind: Sendable {
        /// Something in the statement or its data is wrong.
        case problem
        /// Ctrl-C: nothing is wrong, and nothing changed.
        case interrupted
    }

    var severity: Severity
    public var kind: Kind = .problem
    public var location: SourceLocation
    public var message: String
    /// "did you mean `amount`?" and the like.
    var hint: String?

    public init(_ message: String, at location: SourceLocation, hint: String? = nil, severity: Severity = .error) {
        self.message = message
        self.location = location
        self.hint = hint
        self.severity = severity
    }

    /// The statement was stopped by Ctrl-C.
    static let interrupted: Diagnostic = {
        var d = Diagnostic("interrupted; nothing changed", at: SourceLocation(line: 1, column: 1))
        d.kind = .interrupted
        return d
    }()

    /// The one-line form: `message; hint`.
    public var text: String { hint.map { "\(message); \($0)" } ?? message }

    /// `origin:line:column: message; hint` — the form used outside the prompt.
    public func rendered(origin: String, lineOffset: Int = 0) -> String {
        let prefix = severity == .warning ? "warning: " : ""
        return "\(origin):\(location.line + lineOffset):\(location.column): \(prefix)\(text)"
    }
}

/// "did you mean …" by edit distance.
public enum Suggest {
    /// The candidate closest to `name`, when close enough to be a likely typo.
    public static func closest(to name: String, among candidates: [String]) -> String? {
        let lower = name.lowercased()
        var best: (String, Int)?
        for c in candidates {
            let d = distance(lower, c.lowercased())
            let limit = max(1, min(3, c.count / 3 + (c.count >= 4 ? 1 : 0)))
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    /// "; did you mean `x`?" or nil.
    public static func hint(for name: String, among candidates: [String]) -> String? {
        closest(to: name, among: candidates).map { "did you mean `\($0)`?" }
    }

    /// Damerau–Levenshtein distance (adjacent transpositions count one).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}

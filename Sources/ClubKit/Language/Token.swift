/// A lexical token with its place in the source.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// A name; `quoted` when written in back-quotes (never a keyword then).
        case identifier(String, quoted: Bool)
        case int(Int64)
        case double(Double)
        /// `30%`, already divided by 100.
        case percent(Double)
        case string(String)
        case date(Int32)
        case dateTime(Int64)
        case duration(Duration)
        /// `2x`, `1.5x`: a multiplier, as `channel_bonus (app 2x)` writes one.
        case multiplier(Double)
        /// Operators and punctuation: `| , ; ( ) [ ] = == != < <= > >= + - * / % :`.
        case symbol(String)
        /// A dot command and the rest of its line: `.mode csv`.
        case dotCommand(String, String)
        /// The end of a statement (a newline or `;`).
        case end
        case eof
        /// Text the lexer could not read; the parser reports it when it reaches it.
        case invalid(String)
    }

    var kind: Kind
    var location: SourceLocation

    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }

    /// The identifier's text when this is an unquoted identifier (a possible keyword).
    var word: String? {
        if case .identifier(let s, false) = kind { return s }
        return nil
    }

    /// How the token reads in a message.
    var display: String {
        switch kind {
        case .identifier(let s, _): return "`\(s)`"
        case .int(let v): return "`\(v)`"
        case .double(let v): return "`\(v)`"
        case .percent(let v): return "`\(v * 100)%`"
        case .string(let s): return "\"\(s)\""
        case .date(let d): return "`\(CivilDate.format(d))`"
        case .dateTime(let t): return "`\(CivilDate.formatDateTime(t))`"
        case .duration(let d): return "`\(d.text)`"
        case .multiplier(let m): return "`\(ValueFormat.displayDouble(m))x`"
        case .symbol(let s): return "`\(s)`"
        case .dotCommand(let n, _): return "`.\(n)`"
        case .end: return "the end of the statement"
        case .eof: return "the end of the input"
        case .invalid(let m): return m
        }
    }
}

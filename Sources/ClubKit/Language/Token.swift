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
        /// `2024-01-31` or `2024-01-31T09:30`, as written: which day it names depends on the
        /// calendar in force when its statement is parsed (`.calendar`), so the parser reads it.
        case date(DateLiteral)
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
        case .date(let d): return "`\(d.text)`"
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

/// A date literal as written, `YYYY-MM-DD` with an optional time: a month 1–12 and a day 1–31,
/// not yet a day of any calendar.
struct DateLiteral: Equatable, Sendable {
    var year: Int, month: Int, day: Int
    /// Seconds since midnight for a date-time literal.
    var seconds: Int?
    /// The literal as written.
    var text: String

    /// The value it names in `calendar`, or why it names none.
    func value(in calendar: CalendarKind) -> Result<Value, DateLiteralProblem> {
        let number: Int
        switch calendar {
        case .gregorian:
            guard CivilDate.isValid(year: year, month: month, day: day) else { return .failure(.notGregorian) }
            number = CivilDate.days(year: year, month: month, day: day)
        case .jalali:
            guard let n = JalaliDate.days(year: year, month: month, day: day) else {
                return .failure(.notJalali(JalaliDate.problem(year: year, month: month, day: day) ?? "not a day"))
            }
            number = n
        }
        guard let seconds else { return .success(.date(Int32(number))) }
        return .success(.dateTime(Int64(number) * 86400 + Int64(seconds)))
    }
}

/// Why a date literal names no day in the calendar in force.
enum DateLiteralProblem: Error {
    case notGregorian
    /// The reason from `JalaliDate.problem`.
    case notJalali(String)
}

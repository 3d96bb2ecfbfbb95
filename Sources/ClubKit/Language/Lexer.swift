/// Turns source text into tokens (brief §2).
///
/// Statements end at a newline or `;`, except that a newline inside brackets, after `|` or `,`,
/// or before a line that starts with `|` continues the statement. Problems become `.invalid`
/// tokens so that statements before them still run; the parser reports them in place.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var i = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private var tokens: [Token] = []

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    /// All tokens, ending with `.eof`.
    static func tokenize(_ source: String) -> [Token] {
        var lexer = Lexer(source)
        return lexer.run()
    }

    private var column: Int { i - lineStart + 1 }

    private func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < scalars.count ? scalars[i + k] : nil }

    private mutating func emit(_ kind: Token.Kind, line: Int, column: Int, length: Int) {
        tokens.append(Token(kind: kind, location: SourceLocation(line: line, column: column, length: length)))
    }

    private var atStatementStart: Bool {
        guard let last = tokens.last else { return true }
        return last.kind == .end
    }

    mutating func run() -> [Token] {
        while let c = peek() {
            let startLine = line, startColumn = column, start = i
            switch c {
            case " ", "\t", "\r", "\u{FEFF}":
                i += 1
            case "\n":
                i += 1
                line += 1
                lineStart = i
                if depth == 0 && !continuesAfter() && !nextLineStartsWithPipe() { endStatement(line: startLine, column: startColumn) }
            case "#":
                while let d = peek(), d != "\n" { i += 1 }
            case ";":
                i += 1
                depth = 0
                endStatement(line: startLine, column: startColumn)
            case "\"", "'":
                lexString(quote: c)
            case "`":
                lexQuotedIdentifier()
            case "." where atStatementStart && peek(1).map(isIdentifierStart) == true:
                i += 1
                let nameStart = i
                while let d = peek(), isIdentifierPart(d) { i += 1 }
                let name = String(String.UnicodeScalarView(scalars[nameStart..<i]))
                let restStart = i
                while let d = peek(), d != "\n" { i += 1 }
                var rest = String(String.UnicodeScalarView(scalars[restStart..<i]))
                rest = rest.trimmingSpaces()
                emit(.dotCommand(name, rest), line: startLine, column: startColumn, length: i - start)
            default:
                if digitValue(c) != nil || (c == "." && peek(1).flatMap(digitValue) != nil) {
                    lexNumber()
                } else if isIdentifierStart(c) {
                    while let d = peek(), isIdentifierPart(d) { i += 1 }
                    // `pg.orders`: a table of an attached engine is one name, its dot included.
                    if peek() == ".", let d = peek(1), isIdentifierStart(d) {
                        i += 1
                        while let d = peek(), isIdentifierPart(d) { i += 1 }
                    }
                    let s = String(String.UnicodeScalarView(scalars[start..<i]))
                    emit(.identifier(s, quoted: false), line: startLine, column: startColumn, length: i - start)
                } else {
                    lexSymbol()
                }
            }
        }
        if !atStatementStart { endStatement(line: line, column: column) }
        emit(.eof, line: line, column: column, length: 1)
        return tokens
    }

    private mutating func endStatement(line: Int, column: Int) {
        if !atStatementStart { emit(.end, line: line, column: column, length: 1) }
    }

    /// A trailing `|` or `,` carries the statement onto the next line.
    private func continuesAfter() -> Bool {
        guard let last = tokens.last else { return false }
        return last.isSymbol("|") || last.isSymbol(",")
    }

    /// Whether the next line with text (skipping blank and comment lines) starts with `|`.
    private func nextLineStartsWithPipe() -> Bool {
        var k = i
        while k < scalars.count {
            let c = scalars[k]
            if c == " " || c == "\t" || c == "\r" || c == "\n" { k += 1; continue }
            if c == "#" { while k < scalars.count && scalars[k] != "\n" { k += 1 }; continue }
            return c == "|" && !(k + 1 < scalars.count && scalars[k + 1] == "|")
        }
        return false
    }

    private mutating func lexString(quote: Unicode.Scalar) {
        let startLine = line, startColumn = column
        i += 1
        var s = String.UnicodeScalarView()
        while true {
            guard let c = peek(), c != "\n" else {
                emit(.invalid("unterminated string (add the closing \(quote))"), line: startLine, column: startColumn, length: 1)
                return
            }
            i += 1
            if c == quote { break }
            if c == "\\", let e = peek() {
                i += 1
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "\\", "\"", "'": s.append(e)
                default:
                    emit(.invalid("unknown escape `\\\(e)` in string (use \\\", \\\\, \\n or \\t)"), line: startLine, column: column - 2, length: 2)
                    skipToLineEnd()
                    return
                }
            } else {
                s.append(c)
            }
        }
        emit(.string(String(s)), line: startLine, column: startColumn, length: column - startColumn)
    }

    private mutating func skipToLineEnd() {
        while let c = peek(), c != "\n" { i += 1 }
    }

    private mutating func lexQuotedIdentifier() {
        let startLine = line, startColumn = column
        i += 1
        let start = i
        while let c = peek(), c != "`", c != "\n" { i += 1 }
        guard peek() == "`" else {
            emit(.invalid("unterminated back-quoted name (add the closing `)"), line: startLine, column: startColumn, length: 1)
            return
        }
        let name = String(String.UnicodeScalarView(scalars[start..<i]))
        i += 1
        emit(.identifier(name, quoted: true), line: startLine, column: startColumn, length: column - startColumn)
    }

    /// Reads a run of digits (ASCII, Persian or Arabic-Indic; `_` or the Persian thousands
    /// separator `٬` between digits) as ASCII.
    private mutating func digits() -> String {
        var out = ""
        while let c = peek() {
            if let d = digitValue(c) { out.append(Character(Unicode.Scalar(48 + UInt8(d)))); i += 1 }
            else if c == "_", let n = peek(1), digitValue(n) != nil, !out.isEmpty { i += 1 }
            // `٬` groups thousands, as the loader reads it: three digits after it, then no digit.
            else if c == "\u{066C}", !out.isEmpty, (1...3).allSatisfy({ peek($0).flatMap(digitValue) != nil }),
                    peek(4).flatMap(digitValue) == nil { i += 1 }
            else { break }
        }
        return out
    }

    private mutating func lexNumber() {
        let startLine = line, startColumn = column, start = i
        let intPart = digits()
        // A date or date-time: 2024-01-31, 2024-01-31T09:30[:00]
        if intPart.count == 4, peek() == "-", let a = peek(1), let b = peek(2), digitValue(a) != nil, digitValue(b) != nil, peek(3) == "-" {
            let save = i
            i += 1
            let month = digits()
            if peek() == "-" {
                i += 1
                let day = digits()
                // The calendar is the parser's to apply; here only the shape: a month 1–12, a day 1–31.
                if month.count == 2, day.count == 2, let y = Int(intPart), let m = Int(month), let d = Int(day),
                   (1...12).contains(m), (1...31).contains(d) {
                    var literal = DateLiteral(year: y, month: m, day: d, seconds: nil, text: String(String.UnicodeScalarView(scalars[start..<i])))
                    if peek() == "T", let h1 = peek(1), digitValue(h1) != nil {
                        i += 1
                        let hh = digits()
                        var seconds = 0
                        guard peek() == ":" else { return invalidNumber(start, startLine, startColumn, "a time needs hours and minutes, like 2024-01-31T09:30") }
                        i += 1
                        let mm = digits()
                        if peek() == ":" { i += 1; seconds = Int(digits()) ?? 99 }
                        guard let h = Int(hh), let mi = Int(mm), h < 24, mi < 60, seconds < 60 else {
                            return invalidNumber(start, startLine, startColumn, "not a valid time of day")
                        }
                        literal.seconds = h * 3600 + mi * 60 + seconds
                        literal.text = String(String.UnicodeScalarView(scalars[start..<i]))
                    }
                    emit(.date(literal), line: startLine, column: startColumn, length: i - start)
                    return
                }
                return invalidNumber(start, startLine, startColumn, "`\(String(String.UnicodeScalarView(scalars[start..<i])))` is not a valid date (write YYYY-MM-DD)")
            }
            i = save
        }
        var text = intPart
        var isFloat = false
        // The decimal point, or the Persian decimal separator `٫`.
        if peek() == "." || peek() == "\u{066B}", let n = peek(1), digitValue(n) != nil {
            i += 1
            text += "." + digits()
            isFloat = true
        }
        if let e = peek(), e == "e" || e == "E" {
            var k = 1
            if let s = peek(1), s == "+" || s == "-" { k = 2 }
            if let d = peek(k), digitValue(d) != nil {
                text += "e"
                if k == 2 { text += String(Character(peek(1)!)) }
                i += k
                text += digits()
                isFloat = true
            }
        }
        // Suffixes: percent and durations.
        if peek() == "%", !(peek(1).map { isIdentifierStart($0) || digitValue($0) != nil || $0 == "(" } ?? false) {
            i += 1
            emit(.percent((Double(text) ?? 0) / 100), line: startLine, column: startColumn, length: i - start)
            return
        }
        if let c = peek(), isIdentifierStart(c) {
            let suffixStart = i
            while let d = peek(), isIdentifierPart(d) { i += 1 }
            let suffix = String(String.UnicodeScalarView(scalars[suffixStart..<i]))
            // `2x`, `1.5x`: a multiplier (`channel_bonus (app 2x)`).
            if suffix == "x", let m = Double(text) {
                emit(.multiplier(m), line: startLine, column: startColumn, length: i - start)
                return
            }
            guard !isFloat, let n = Int64(text) else {
                return invalidNumber(start, startLine, startColumn, "durations are whole numbers followed by d, w, mo or y, like 30d")
            }
            let duration: Duration?
            switch suffix {
            case "d" where n <= Duration.maxDays: duration = Duration(days: n)
            case "w" where n <= Duration.maxDays / 7: duration = Duration(days: n * 7)
            case "mo" where n <= Duration.maxMonths: duration = Duration(months: n)
            case "y" where n <= Duration.maxMonths / 12: duration = Duration(months: n * 12)
            case "d", "w", "mo", "y":
                return invalidNumber(start, startLine, startColumn, "a duration can be at most 10,000 years (3,652,425d, 521,775w, 120,000mo or 10,000y)")
            default: duration = nil
            }
            guard let duration else {
                return invalidNumber(start, startLine, startColumn, "unknown unit `\(suffix)` after a number (durations use d, w, mo or y, like 30d or 6mo)")
            }
            emit(.duration(duration), line: startLine, column: startColumn, length: i - start)
            return
        }
        if !isFloat, let v = Int64(text) {
            emit(.int(v), line: startLine, column: startColumn, length: i - start)
        } else if !isFloat {
            invalidNumber(start, startLine, startColumn, "`\(text)` does not fit in a 64-bit integer (at most 9223372036854775807); write it as a decimal such as \(text.prefix(1)).\(text.dropFirst().prefix(3))e\(text.count - 1), or in quotes to compare it with text")
        } else if let v = Double(text) {
            emit(.double(v), line: startLine, column: startColumn, length: i - start)
        } else {
            invalidNumber(start, startLine, startColumn, "`\(text)` is not a number")
        }
    }

    private mutating func invalidNumber(_ start: Int, _ line: Int, _ column: Int, _ message: String) {
        while let c = peek(), isIdentifierPart(c) || c == "-" || c == ":" { i += 1 }
        emit(.invalid(message), line: line, column: column, length: i - start)
    }

    private mutating func lexSymbol() {
        let startLine = line, startColumn = column
        let c = peek()!
        let next = peek(1)
        let two: String? = next.map { String(Character(c)) + String(Character($0)) }
        if let two, ["==", "!=", "<=", ">=", "<>"].contains(two) {
            i += 2
            emit(.symbol(two == "<>" ? "!=" : two), line: startLine, column: startColumn, length: 2)
            return
        }
        if let two, two == "&&" || two == "||" {
            i += 2
            emit(.invalid("`\(two)` is not an operator here; write `\(two == "&&" ? "and" : "or")`"), line: startLine, column: startColumn, length: 2)
            return
        }
        switch c {
        case "(", "[": depth += 1
        case ")", "]": depth = max(0, depth - 1)
        default: break
        }
        i += 1
        if "|,()[]=<>+-*/%:.".unicodeScalars.contains(c) {
            emit(.symbol(String(Character(c))), line: startLine, column: startColumn, length: 1)
        } else if c == "!" {
            emit(.invalid("`!` is not an operator here; write `not` (or `!=` to compare)"), line: startLine, column: startColumn, length: 1)
        } else {
            emit(.invalid("unexpected character `\(Character(c))`"), line: startLine, column: startColumn, length: 1)
        }
    }
}

/// The value of a decimal digit in ASCII, Persian (۰–۹) or Arabic-Indic (٠–٩).
func digitValue(_ c: Unicode.Scalar) -> Int? {
    switch c.value {
    case 0x30...0x39: return Int(c.value - 0x30)
    case 0x6F0...0x6F9: return Int(c.value - 0x6F0)
    case 0x660...0x669: return Int(c.value - 0x660)
    default: return nil
    }
}

func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
    c == "_" || (c.properties.isAlphabetic && digitValue(c) == nil)
}

func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
    if isIdentifierStart(c) || digitValue(c) != nil || c == "\u{200C}" || c == "\u{200D}" { return true }
    switch c.properties.generalCategory {
    case .nonspacingMark, .spacingMark, .decimalNumber: return true
    default: return false
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

/// Output modes (brief §7).
public enum OutputMode: String, CaseIterable, Sendable {
    case table, csv, tsv, json, jsonl, markdown, line
}

/// Turns a table or value into text in one output mode.
///
///     TableRenderer(mode: .table, maxRows: 20, maxWidth: 80).render(table)
public struct TableRenderer {
    var mode: OutputMode
    /// Table mode shows at most this many rows, the first and last halves, with `…` between
    /// (`Int.max`: every row).
    var maxRows: Int
    /// Table mode fits the box in this many terminal columns (nil: no limit, as in a file).
    var maxWidth: Int?
    /// What table mode does with a table wider than `maxWidth`.
    var wide: WideTables
    /// Colour styles for table mode on a terminal.
    var style: Style
    /// How a null shows (`.nullvalue`): nil is table mode's `null` and an empty CSV/TSV field.
    var nullText: String?
    /// Whether CSV and TSV start with the column names (`.headers`).
    var headers: Bool
    /// The digits numbers and dates are shown in, in the modes people read (table, markdown,
    /// line); CSV, TSV and JSON keep Latin digits for the programs that read them.
    var digits: Digits = .latin
    /// The calendar dates read in, in the same modes (`.calendar jalali`: `1403-01-01`).
    var calendar: CalendarKind = .gregorian
    /// Table mode on a terminal: each cell holding right-to-left text (Persian, Arabic, Hebrew)
    /// is wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069), so a
    /// terminal that reorders bidirectional text keeps it inside its cell and the borders where
    /// they are. The marks take no columns (`DisplayWidth` counts them zero); files and pipes
    /// never get them.
    var isolateRightToLeft = false

    /// `.digits latin|persian`.
    public enum Digits: String, CaseIterable, Sendable {
        case latin, persian

        /// `text` with its digits, decimal point and thousands separators in this script:
        /// ۰–۹, `٫` and `٬` for Persian.
        public func write(_ text: String) -> String {
            guard self == .persian else { return text }
            var out = String.UnicodeScalarView()
            for u in text.unicodeScalars {
                switch u {
                case "0"..."9": out.append(Unicode.Scalar(0x06F0 + u.value - 48)!)
                case ".": out.append("\u{066B}")
                case ",": out.append("\u{066C}")
                default: out.append(u)
                }
            }
            return String(out)
        }
    }

    /// How table mode shows a table too wide for `maxWidth`.
    public enum WideTables: Sendable {
        /// Shorten long text, then leave out middle columns behind a `…` column, as DuckDB does.
        case elide
        /// Every column: each row as a list of `column │ value` lines, long values wrapped (`.columns`).
        case list
    }

    /// ANSI escapes used in table mode; `Style.plain` has none.
    public struct Style: Sendable {
        var header: String, number: String, null: String, dim: String, reset: String
        public static let plain = Style(header: "", number: "", null: "", dim: "", reset: "")
        public static let ansi = Style(header: "\u{1B}[1m", number: "\u{1B}[36m", null: "\u{1B}[2m", dim: "\u{1B}[2m", reset: "\u{1B}[0m")
    }

    public init(mode: OutputMode, maxRows: Int = 20, maxWidth: Int? = nil, wide: WideTables = .elide, style: Style = .plain,
                nullText: String? = nil, headers: Bool = true, digits: Digits = .latin, calendar: CalendarKind = .gregorian,
                isolateRightToLeft: Bool = false) {
        self.isolateRightToLeft = isolateRightToLeft
        self.digits = digits
        self.calendar = calendar
        self.nullText = nullText
        self.headers = headers
        self.mode = mode
        self.maxRows = max(0, maxRows)
        self.maxWidth = maxWidth
        self.wide = wide
        self.style = style
    }

    public func render(_ t: Table) -> String {
        switch mode {
        case .table: return boxed(t)
        case .csv: return DelimitedWriter.write(t, separator: 44, headers: headers, null: nullText ?? "")
        case .tsv: return DelimitedWriter.write(t, separator: 9, headers: headers, null: nullText ?? "")
        case .json: return json(t, lines: false)
        case .jsonl: return json(t, lines: true)
        case .markdown: return markdown(t)
        case .line: return lineMode(t)
        }
    }

    /// What the user should hear about writing `t` in this mode (JSON has no infinity).
    public func warnings(for t: Table) -> [String] {
        mode == .json || mode == .jsonl ? JSONWriter.warning(for: t).map { [$0] } ?? [] : []
    }

    /// A single value: plain text in table and line modes, a one-cell table otherwise.
    public func render(_ v: Value) -> String {
        switch mode {
        case .table, .line: return (v.isNull ? ValueFormat.visible(nullText ?? "null") : shown(v)) + "\n"
        default: return render(Table(columnNames: ["value"], columns: [Column.repeating(v, count: 1, type: v.type == .null ? .string : v.type)]))
        }
    }

    /// A cell as people read it: numbers and dates in the chosen digits, other text as it is.
    /// A column with a display hint shows its shares as `42.3%` (`DisplayHint`).
    func shown(_ c: Column, _ r: Int) -> String {
        if c.display != .plain, case .double(let a) = c.storage, !c.isNull(r), let text = c.display.text(a[r]) {
            return digits.write(text)
        }
        return shown(c.value(at: r))
    }

    /// A value as people read it: numbers in the chosen digits, dates in the chosen calendar.
    func shown(_ v: Value) -> String {
        switch v {
        case .date, .dateTime: return digits.write(calendar.display(v))
        case .int, .double: return digits.write(ValueFormat.display(v))
        default: return ValueFormat.display(v)
        }
    }

    // MARK: - Data modes

    private func json(_ t: Table, lines: Bool) -> String {
        JSONWriter.write(t, lines: lines)
    }

    private func markdown(_ t: Table) -> String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "| " + t.columnNames.map(esc).joined(separator: " | ") + " |\n"
        out += "|" + t.columns.map { $0.type.isNumeric ? " ---: |" : " --- |" }.joined() + "\n"
        for r in 0..<t.rowCount {
            out += "| " + t.columns.map { esc($0.isNull(r) ? nullText ?? "" : shown($0, r)) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    private func lineMode(_ t: Table) -> String {
        let names = t.columnNames.map(ValueFormat.visible)
        let width = names.map(DisplayWidth.of).max() ?? 0
        var blocks: [String] = []
        for r in 0..<t.rowCount {
            blocks.append(zip(names, t.columns).map { name, c in
                String(repeating: " ", count: width - DisplayWidth.of(name)) + name + " = " + (c.isNull(r) ? nullText ?? "null" : shown(c, r))
            }.joined(separator: "\n") + "\n")
        }
        return blocks.joined(separator: "\n")
    }
}

/// JSON text for values.
enum JSON {
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    static func value(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .int, .double, .bool: return ValueFormat.plain(v)
        default: return string(ValueFormat.plain(v))
        }
    }
}

/// Terminal display width: wide East Asian characters count two, combining marks and
/// zero-width joiners count zero, so Persian and CJK text lines up.
public enum DisplayWidth {
    public static func of(_ s: String) -> Int {
        var w = 0
        for u in s.unicodeScalars { w += width(u) }
        return w
    }

    /// Whether `s` holds a letter of a right-to-left script: Hebrew, Arabic (Persian among it),
    /// Syriac, Thaana, NKo and their presentation forms.
    public static func hasRightToLeft(_ s: String) -> Bool {
        s.unicodeScalars.contains { u in
            let v = u.value
            return (0x0590...0x08FF).contains(v) || (0xFB1D...0xFDFF).contains(v) || (0xFE70...0xFEFF).contains(v)
                || (0x10800...0x10FFF).contains(v) || (0x1E800...0x1EFFF).contains(v)
        }
    }

    /// `s` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE when it holds right-to-left
    /// text (zero columns wide either way).
    static func isolated(_ s: String) -> String {
        hasRightToLeft(s) ? "\u{2068}" + s + "\u{2069}" : s
    }

    static func width(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x300 { return v < 0x20 ? 0 : 1 }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v) ||
            (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) ||
            (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }
}

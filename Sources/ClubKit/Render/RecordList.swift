/// Table mode under `.columns`: a table too wide for the width shows every column, each row as
/// a list under a rule that numbers it, one `column  type │ value` line per column, and values
/// longer than the width wrapped onto the lines below (as psql's expanded display does).
///
///     ─[ row 1 ]─────────────────
///     customer_id  int    │ 17
///     note         string │ a note too long for one line wraps
///                         │ onto the next
extension TableRenderer {
    func listed(_ t: Table, rows: [Int?], cells: [[String]], names: [String], types: [String], limit: Int) -> String {
        let typeWidth = types.map(DisplayWidth.of).max() ?? 0
        // Names give way to values: at least 10 columns of value beside them.
        let nameWidth = min(names.map(DisplayWidth.of).max() ?? 0, max(4, limit - typeWidth - 5 - 10))
        let valueWidth = max(10, limit - nameWidth - typeWidth - 5)
        let widest = cells.joined().map(DisplayWidth.of).max() ?? 0
        let ruleWidth = min(limit, nameWidth + typeWidth + 5 + min(widest, valueWidth))
        let numeric = t.columns.map { $0.type.isNumeric }
        func pad(_ s: String, _ w: Int) -> String {
            let text = DisplayWidth.truncate(s, to: w)
            return (isolateRightToLeft ? DisplayWidth.isolated(text) : text) + String(repeating: " ", count: max(0, w - DisplayWidth.of(text)))
        }
        func value(_ s: String) -> String { isolateRightToLeft ? DisplayWidth.isolated(s) : s }
        func paint(_ color: String, _ text: String) -> String { color.isEmpty ? text : color + text + style.reset }
        let bar = paint(style.dim, "│")
        let indent = String(repeating: " ", count: nameWidth + 2 + typeWidth)
        var out = ""
        for (ri, row) in rows.enumerated() {
            guard let row else { out += "…\n"; continue }
            let title = "─[ row \(grouped(row + 1)) ]"
            out += paint(style.dim, title + String(repeating: "─", count: max(0, ruleWidth - DisplayWidth.of(title)))) + "\n"
            for k in names.indices {
                let color = t.columns[k].isNull(row) ? style.null : (numeric[k] ? style.number : "")
                let pieces = DisplayWidth.wrap(cells[ri][k], to: valueWidth)
                out += paint(style.header, pad(names[k], nameWidth)) + "  " + paint(style.dim, pad(types[k], typeWidth)) + " " + bar + " " + paint(color, value(pieces[0])) + "\n"
                for piece in pieces.dropFirst() { out += indent + " " + bar + " " + paint(color, value(piece)) + "\n" }
            }
        }
        return out + footer(rows: t.rowCount, columns: t.columns.count, shownColumns: t.columns.count)
    }
}

extension DisplayWidth {
    /// `s` cut to at most `width` terminal columns, ending in `…` when it was cut.
    static func truncate(_ s: String, to width: Int) -> String {
        guard of(s) > width else { return s }
        guard width > 1 else { return "…" }
        var out = ""
        var used = 0
        for ch in s {
            let w = of(String(ch))
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// `s` in pieces of at most `width` terminal columns, broken after the last space that
    /// leaves a piece non-empty, else between characters (at least one piece, and at least one
    /// character in each, however narrow the width). The pieces joined give `s` back.
    static func wrap(_ s: String, to width: Int) -> [String] {
        var pieces: [String] = []
        var piece: [Character] = []
        var used = 0
        for ch in s {
            let w = of(String(ch))
            while used + w > width && !piece.isEmpty {
                // Carry the word under way to the next piece when a space ends an earlier one.
                var cut = piece.count
                if let space = piece.lastIndex(of: " "), space + 1 < piece.count { cut = space + 1 }
                pieces.append(String(piece[..<cut]))
                piece = Array(piece[cut...])
                used = piece.reduce(0) { $0 + of(String($1)) }
            }
            piece.append(ch)
            used += w
        }
        return pieces + [String(piece)]
    }
}

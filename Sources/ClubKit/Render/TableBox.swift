/// Table mode: the rows shown, in a box aligned by display width and fitted to the width of the
/// terminal (or `.maxwidth`), so a wide table never wraps in the middle of its lines.
extension TableRenderer {
    /// The rows table mode shows: every row, or the first and last halves of `maxRows` with nil
    /// for the `…` row between them.
    func shownRows(_ n: Int) -> [Int?] {
        guard n > maxRows else { return Array(0..<n) }
        let head = maxRows - maxRows / 2, tail = maxRows / 2
        return Array(0..<head) + [nil] + Array((n - tail)..<n)
    }

    /// `100 rows (20 shown)`, then `, 9 columns (6 shown)` when columns were left out.
    func footer(rows n: Int, columns: Int, shownColumns: Int) -> String {
        var text = count(n, "row") + (n > maxRows ? " (\(grouped(maxRows)) shown)" : "")
        if shownColumns < columns { text += ", \(count(columns, "column")) (\(grouped(shownColumns)) shown)" }
        return text + "\n"
    }

    func boxed(_ t: Table) -> String {
        let n = t.rowCount
        let rows = shownRows(n)
        let numeric = t.columns.map { $0.type.isNumeric }
        let cells: [[String]] = rows.map { r in
            guard let r else { return t.columns.map { _ in "…" } }
            return t.columns.map { $0.isNull(r) ? ValueFormat.visible(nullText ?? "null") : shown($0, r) }
        }
        let types = t.columns.map { $0.type.rawValue }
        let names = t.columnNames.map(ValueFormat.visible)
        var natural = names.indices.map { max(DisplayWidth.of(names[$0]), DisplayWidth.of(types[$0])) }
        for row in cells { for (k, c) in row.enumerated() { natural[k] = max(natural[k], DisplayWidth.of(c)) } }
        if let limit = maxWidth, wide == .list, BoxFit.width(natural) > limit {
            return listed(t, rows: rows, cells: cells, names: names, types: types, limit: limit)
        }
        let fit = BoxFit(widths: natural, shrinkable: t.columns.map { $0.type == .string }, limit: maxWidth)

        func line(_ l: String, _ m: String, _ r: String) -> String {
            style.dim + l + fit.widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: m) + r + style.reset + "\n"
        }
        func pad(_ s: String, _ w: Int, right: Bool) -> String {
            let cut = DisplayWidth.truncate(s, to: w)
            let space = String(repeating: " ", count: max(0, w - DisplayWidth.of(cut)))
            let text = isolateRightToLeft ? DisplayWidth.isolated(cut) : cut
            return right ? space + text : text + space
        }
        func paint(_ color: String, _ text: String) -> String { color.isEmpty ? text : color + text + style.reset }
        let bar = style.dim + "│" + style.reset
        // One line of the box: the text of each shown column, `…` in the column left-out ones stand behind.
        func row(_ text: (Int) -> (String, color: String, right: Bool)) -> String {
            bar + zip(fit.columns, fit.widths).map { k, w in
                guard let k else { return " " + paint(style.dim, "…") + " " }
                let (s, color, right) = text(k)
                return " " + paint(color, pad(s, w, right: right)) + " "
            }.joined(separator: bar) + bar + "\n"
        }
        var out = line("┌", "┬", "┐")
        out += row { (names[$0], style.header, false) }
        out += row { (types[$0], style.dim, false) }
        out += line("├", "┼", "┤")
        for (ri, cellsOfRow) in cells.enumerated() {
            out += row { k in
                let isNull = rows[ri].map { t.columns[k].isNull($0) } ?? false
                return (cellsOfRow[k], isNull ? style.null : (numeric[k] ? style.number : ""), numeric[k] && rows[ri] != nil)
            }
        }
        out += line("└", "┴", "┘")
        return out + footer(rows: n, columns: t.columns.count, shownColumns: fit.columns.count { $0 != nil })
    }
}

/// Which columns a box shows, and how wide, to fit in `limit` terminal columns. Text that fits
/// is never touched; otherwise, as DuckDB's box does:
///
/// 1. when shortening the longest text columns (to no fewer than `shortest` columns, ending in
///    `…`) makes every column fit, they are shortened just enough;
/// 2. else columns are taken from both ends in turn (first, last, second, second to last, …),
///    text columns at most a third of the width, while they fit beside a `…` column that stands
///    for the middle ones left out;
/// 3. when not even one column fits, the first is shown, shortened to the width if it is text.
///
/// Only text is shortened: a cut number or date would read as another one.
struct BoxFit: Equatable {
    /// Column indices in display order; nil is the `…` column.
    var columns: [Int?]
    /// The width of each of `columns`, text only (without the spaces and bars around it).
    var widths: [Int]

    /// Text columns are not shortened below this to make every column fit: 12 columns, fewer
    /// on a narrow screen (a quarter of it, at least 4).
    static func shortest(_ limit: Int) -> Int { min(12, max(4, limit / 4)) }

    /// A box's width from its columns' text widths: a bar, then each column with a space on
    /// either side and a bar.
    static func width(_ widths: [Int]) -> Int { widths.reduce(1) { $0 + $1 + 3 } }

    init(widths natural: [Int], shrinkable: [Bool], limit: Int?) {
        columns = natural.indices.map { $0 }
        widths = natural
        guard let limit, Self.width(natural) > limit, !natural.isEmpty else { return }
        func capped(_ cap: Int) -> [Int] { natural.indices.map { shrinkable[$0] ? min(natural[$0], cap) : natural[$0] } }
        if natural.count == 1 {
            widths = [shrinkable[0] ? max(1, min(natural[0], limit - 4)) : natural[0]]
            return
        }
        // 1. The widest cap on text that fits every column: capped(low) fits, capped(high) does not.
        let longest = natural.indices.filter { shrinkable[$0] }.map { natural[$0] }.max() ?? 0
        let shortest = Self.shortest(limit)
        if longest > shortest, Self.width(capped(shortest)) <= limit {
            var low = shortest, high = longest
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if Self.width(capped(middle)) <= limit { low = middle } else { high = middle }
            }
            widths = capped(low)
            return
        }
        // 2. From both ends in turn, beside the `…` column (one character: 4 with its spaces and bar).
        let w = capped(max(shortest, limit / 3))
        var left: [Int] = [], right: [Int] = []
        var used = 1 + 4
        var low = 0, high = natural.count - 1
        var fromLeft = true
        while low <= high {
            let k = fromLeft ? low : high
            guard used + w[k] + 3 <= limit else { break }
            used += w[k] + 3
            if fromLeft { left.append(k); low += 1 } else { right.insert(k, at: 0); high -= 1 }
            fromLeft.toggle()
        }
        var leftWidths = left.map { w[$0] }
        if left.isEmpty {
            // 3. Not one column fits: the first, cut to what is left beside the `…` column.
            left = [0]
            leftWidths = [shrinkable[0] ? max(1, min(w[0], limit - 1 - 4 - 3)) : w[0]]
            right = []
        }
        columns = left.map { $0 } + [nil] + right.map { $0 }
        widths = leftWidths + [1] + right.map { w[$0] }
    }
}

/// A table as an HTML `<table>` for `clubsh run --html`: the rows table mode shows (the first and
/// last of `maxRows`, a `…` row between) and the same footer (`100 rows (20 shown)`). Each cell
/// is escaped, with control characters shown as table mode shows them, and text cells carry
/// `dir="auto"` so Persian reads right to left inside a left-to-right page.
extension TableRenderer {
    /// At most this many columns, the first and last halves with a `…` column between: a
    /// page (and its print) has a width too, and ten thousand columns would be one line of ink.
    public static let htmlMaxColumns = 40

    /// The columns an HTML table shows: every column, or the first and last halves of
    /// `htmlMaxColumns` with nil for the `…` column between.
    static func shownColumns(_ n: Int) -> [Int?] {
        let limit = htmlMaxColumns
        guard n > limit else { return Array(0..<n) }
        let head = limit - limit / 2, tail = limit / 2
        return Array(0..<head) + [nil] + Array((n - tail)..<n)
    }

    /// The table as HTML: a scrolling `<div>` holding the `<table>`, then the footer line.
    public func html(_ t: Table) -> String {
        let rows = shownRows(t.rowCount)
        let columns = Self.shownColumns(t.columns.count)
        var out = "<div class=\"table\"><table>\n<thead><tr>"
        for k in columns {
            guard let k else { out += "<th class=\"gap\">…</th>"; continue }
            let numeric = t.columns[k].type.isNumeric
            out += "<th\(numeric ? " class=\"num\"" : "") dir=\"auto\"><span class=\"name\">\(HTML.visible(t.columnNames[k]))</span>"
            out += "<span class=\"type\">\(t.columns[k].type.rawValue)</span></th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for r in rows {
            guard let r else {
                out += "<tr class=\"gap\">" + String(repeating: "<td>…</td>", count: columns.count) + "</tr>\n"
                continue
            }
            out += "<tr>"
            for k in columns {
                guard let k else { out += "<td class=\"gap\">…</td>"; continue }
                let c = t.columns[k]
                if c.isNull(r) {
                    out += "<td class=\"null\">\(HTML.visible(nullText ?? "null"))</td>"
                } else if c.type.isNumeric {
                    out += "<td class=\"num\">\(HTML.visible(shown(c, r)))</td>"
                } else if c.type == .string {
                    out += "<td dir=\"auto\">\(HTML.visible(shown(c, r)))</td>"
                } else {
                    out += "<td>\(HTML.visible(shown(c, r)))</td>"
                }
            }
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n"
        let shown = columns.count { $0 != nil }
        let footer = footer(rows: t.rowCount, columns: t.columns.count, shownColumns: shown)
        return out + "<p class=\"rows\">\(HTML.text(String(footer.dropLast())))</p>\n"
    }
}

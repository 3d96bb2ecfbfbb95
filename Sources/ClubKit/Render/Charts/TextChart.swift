/// Charts as terminal text: Unicode blocks on a terminal, plain ASCII elsewhere, fitted to a width.
extension Chart {
    /// Draws the chart in `width` columns; `unicode` false gives plain characters.
    public func text(width: Int, unicode: Bool) -> String {
        let width = max(width, 30)
        switch spec.kind {
        case .bar, .hist: return bars(width: width, unicode: unicode)
        case .line: return width < 50 ? sparklines(unicode: unicode) : lines(width: width, unicode: unicode)
        case .heatmap: return heatmap(width: width, unicode: unicode)
        case .flow: return flow(width: width, unicode: unicode)
        }
    }

    /// A flow as lines: each source with its total, then a bar per target, scaled to the
    /// largest link, with the count and the share of the source.
    private func flow(width: Int, unicode: Bool) -> String {
        let nodes = flowNodes
        let total = Dictionary(uniqueKeysWithValues: nodes.from.map { ($0.name, $0.total) })
        let nameWidth = min(24, (links.map { DisplayWidth.of($0.to) }.max() ?? 1) + 4)
        let valueWidth = links.map { Chart.short($0.value).count }.max() ?? 1
        let barWidth = max(5, width - nameWidth - valueWidth - 10)
        let top = links.map(\.value).max() ?? 0
        let glyph: Character = unicode ? "█" : "#"
        var out = title + "\n"
        var shown = 0
        for source in nodes.from {
            guard shown < 60 else { break }
            out += "\(fit(source.name, width)) (\(Chart.short(source.total)))\n"
            for l in links where l.from == source.name {
                shown += 1
                let cells = top > 0 ? Int(l.value / top * Double(barWidth)) : 0
                let share = total[source.name].map { $0 > 0 ? l.value / $0 * 100 : 0 } ?? 0
                out += pad((unicode ? "  → " : "  > ") + fit(l.to, nameWidth - 4), nameWidth) + " " + String(repeating: glyph, count: max(cells, 1))
                    + " " + Chart.short(l.value) + " (" + ValueFormat.displayDouble((share * 10).rounded() / 10) + "%)\n"
            }
        }
        if links.count > shown { out += "… \(links.count - shown) more flows not drawn\n" }
        return out
    }

    private func fit(_ s: String, _ w: Int) -> String {
        var out = ""
        for ch in s {
            if DisplayWidth.of(out + String(ch)) > w - (DisplayWidth.of(s) > w ? 1 : 0) { return out + "…" }
            out.append(ch)
        }
        return out
    }

    private func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
        let space = String(repeating: " ", count: max(0, w - DisplayWidth.of(s)))
        return right ? space + s : s + space
    }

    private func bars(width: Int, unicode: Bool) -> String {
        let rows = min(labels.count, 40)
        let labelWidth = min(24, labels.prefix(rows).map(DisplayWidth.of).max() ?? 1)
        let valueWidth = series.flatMap { $0.values.prefix(rows).map { ($0.map(Chart.short) ?? "null").count } }.max() ?? 1
        let barWidth = max(5, width - labelWidth - valueWidth - 3)
        // Each series on its own scale: revenue and an order count share a chart, not units.
        let tops = series.map { s in max(s.values.compactMap { $0 }.max() ?? 0, 0) }
        let glyphs: [Character] = unicode ? ["█", "▓", "▒", "░"] : ["#", "=", "+", "-"]
        let eighths: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var out = title + "\n"
        if series.count > 1 {
            out += series.enumerated().map { "\(glyphs[$0.offset % glyphs.count]) \($0.element.name)" }.joined(separator: "   ") + "\n"
        }
        for r in 0..<rows {
            for (k, s) in series.enumerated() {
                let label = k == 0 ? pad(fit(labels[r], labelWidth), labelWidth) : String(repeating: " ", count: labelWidth)
                let v = s.values[r]
                let top = tops[k]
                let cells = top > 0 ? max(0, v ?? 0) / top * Double(barWidth) : 0
                var bar = String(repeating: glyphs[k % glyphs.count], count: Int(cells))
                if unicode && k == 0 { bar += eighths[Int((cells - cells.rounded(.down)) * 8)] }
                out += label + " " + bar + " " + (v.map(Chart.short) ?? "null") + "\n"
            }
        }
        if labels.count > rows { out += "… \(labels.count - rows) more rows not drawn\n" }
        return out
    }

    private func lines(width: Int, unicode: Bool) -> String {
        let height = 12
        let lo = min(minValue, 0), hi = maxValue > lo ? maxValue : lo + 1
        let axisWidth = max(Chart.short(hi).count, Chart.short(lo).count)
        let plotWidth = width - axisWidth - 2
        var grid = [[Character]](repeating: [Character](repeating: " ", count: plotWidth), count: height)
        let marks: [Character] = unicode ? ["●", "○", "◆", "▲"] : ["*", "o", "+", "x"]
        let n = labels.count
        for (k, s) in series.enumerated() {
            for (i, v) in s.values.enumerated() {
                guard let v else { continue }
                let x = n <= 1 ? 0 : Int((Double(i) / Double(n - 1) * Double(plotWidth - 1)).rounded())
                let y = Int((Chart.position(v, lo, hi) * Double(height - 1)).rounded())
                grid[height - 1 - y][x] = marks[k % marks.count]
            }
        }
        var out = title + "\n"
        if series.count > 1 { out += series.enumerated().map { "\(marks[$0.offset % marks.count]) \($0.element.name)" }.joined(separator: "   ") + "\n" }
        for (r, row) in grid.enumerated() {
            let axis = r == 0 ? Chart.short(hi) : r == height - 1 ? Chart.short(lo) : ""
            out += pad(axis, axisWidth, right: true) + " " + (unicode ? "│" : "|") + String(row) + "\n"
        }
        out += String(repeating: " ", count: axisWidth + 1) + (unicode ? "└" : "+") + String(repeating: unicode ? "─" : "-", count: plotWidth) + "\n"
        let first = labels.first ?? "", last = labels.last ?? ""
        out += String(repeating: " ", count: axisWidth + 2) + first + String(repeating: " ", count: max(1, plotWidth - DisplayWidth.of(first) - DisplayWidth.of(last))) + last + "\n"
        return out
    }

    /// The narrow form of a line chart: one sparkline per series.
    private func sparklines(unicode: Bool) -> String {
        let levels: [Character] = unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : ["_", ".", "-", "~", "=", "+", "*", "#"]
        let nameWidth = series.map { DisplayWidth.of($0.name) }.max() ?? 0
        var out = title + "\n"
        for s in series {
            let vs = s.values.compactMap { $0 }
            let lo = vs.min() ?? 0, hi = vs.max() ?? 0
            let line = String(s.values.map { v -> Character in
                guard let v else { return " " }
                return levels[Int(Chart.position(v, lo, hi) * 7)]
            })
            out += pad(s.name, nameWidth) + " " + line + " " + Chart.short(lo) + " … " + Chart.short(hi) + "\n"
        }
        return out
    }

    private func heatmap(width: Int, unicode: Bool) -> String {
        let shades: [Character] = unicode ? [" ", "░", "▒", "▓", "█"] : [" ", ".", ":", "*", "#"]
        let labelWidth = min(16, labels.map(DisplayWidth.of).max() ?? 1)
        let cellWidth = max(6, (series.map { $0.name.count }.max() ?? 0) + 1)
        let fitting = max(1, (width - labelWidth - 1) / cellWidth)
        let shown = Array(series.prefix(fitting))
        let top = max(maxValue, 0)
        var out = title + "\n"
        out += String(repeating: " ", count: labelWidth + 1) + shown.map { pad($0.name, cellWidth, right: true) }.joined() + "\n"
        for r in labels.indices.prefix(60) {
            out += pad(fit(labels[r], labelWidth), labelWidth) + " "
            for s in shown {
                guard let v = s.values[r] else { out += String(repeating: " ", count: cellWidth); continue }
                let shade = shades[top > 0 ? min(4, Int(max(0, v) / top * 4.999)) : 0]
                out += pad(String(shade) + Chart.short(ScalarFunctions.round(v, 1)), cellWidth, right: true)
            }
            out += "\n"
        }
        if shown.count < series.count { out += "… \(series.count - shown.count) more columns do not fit; widen the terminal or draw it `to \"file.svg\"`\n" }
        return out
    }
}

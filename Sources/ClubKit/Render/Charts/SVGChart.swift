/// Charts as standalone SVG: axes, labels, title and values, sized to read on a slide.
extension Chart {
    static let palette = ["#3b6ea5", "#e07b39", "#5a9e5a", "#c04e4e", "#8a6bb0", "#9c7a3c"]

    var svg: String {
        switch spec.kind {
        case .bar, .hist: return barsSVG()
        case .line: return lineSVG()
        case .heatmap: return heatmapSVG()
        }
    }

    private func esc(_ s: String) -> String { Self.xmlText(s) }

    /// Text for an XML 1.0 document: markup characters as entities, and the characters XML 1.0
    /// does not allow at all (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) shown as
    /// escapes like the table does, as is every other control character.
    static func xmlText(_ s: String) -> String {
        var out = ""
        for u in ValueFormat.visible(s).unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\u{FFFE}", "\u{FFFF}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    private func document(width: Int, height: Int, _ body: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="DejaVu Sans, Vazirmatn, Noto Sans, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="32" font-size="22" text-anchor="middle" font-weight="bold">\(esc(title))</text>
        \(body)</svg>

        """
    }

    private func legend(x: Int, y: Int) -> String {
        guard series.count > 1 else { return "" }
        return series.enumerated().map { k, s in
            "<rect x=\"\(x + k * 160)\" y=\"\(y - 12)\" width=\"14\" height=\"14\" fill=\"\(Self.palette[k % Self.palette.count])\"/><text x=\"\(x + k * 160 + 20)\" y=\"\(y)\" font-size=\"15\">\(esc(s.name))</text>\n"
        }.joined()
    }

    private func barsSVG() -> String {
        let rows = min(labels.count, 40)
        let rowHeight = 30 * max(1, series.count) + 10
        let labelWidth = min(260, 20 + 9 * (labels.prefix(rows).map(DisplayWidth.of).max() ?? 4))
        let width = 960, plotWidth = width - labelWidth - 140
        let top = 70 + (series.count > 1 ? 24 : 0)
        let height = top + rows * rowHeight + 40
        let tops = series.map { s in max(s.values.compactMap { $0 }.max() ?? 0, 0) }
        var body = legend(x: labelWidth, y: 62)
        body += "<line x1=\"\(labelWidth)\" y1=\"\(top - 5)\" x2=\"\(labelWidth)\" y2=\"\(top + rows * rowHeight)\" stroke=\"#333\"/>\n"
        for r in 0..<rows {
            let y = top + r * rowHeight
            body += "<text x=\"\(labelWidth - 8)\" y=\"\(y + rowHeight / 2 + 5)\" font-size=\"16\" text-anchor=\"end\">\(esc(labels[r]))</text>\n"
            for (k, s) in series.enumerated() {
                let v = max(0, s.values[r] ?? 0)
                let w = tops[k] > 0 ? Int(v / tops[k] * Double(plotWidth)) : 0
                let by = y + 5 + k * 30
                body += "<rect x=\"\(labelWidth)\" y=\"\(by)\" width=\"\(w)\" height=\"24\" fill=\"\(Self.palette[k % Self.palette.count])\"/>"
                body += "<text x=\"\(labelWidth + w + 6)\" y=\"\(by + 18)\" font-size=\"15\">\(esc(s.values[r].map(Chart.short) ?? "null"))</text>\n"
            }
        }
        return document(width: width, height: height, body)
    }

    private func lineSVG() -> String {
        let width = 960, height = 540, left = 100, right = 40, top = 80, bottom = 70
        let plotW = width - left - right, plotH = height - top - bottom
        let lo = min(minValue, 0), hi = maxValue > lo ? maxValue : lo + 1
        let n = labels.count
        func x(_ i: Int) -> Int { left + (n <= 1 ? 0 : Int(Double(i) / Double(n - 1) * Double(plotW))) }
        func y(_ v: Double) -> Int { top + plotH - Int(Chart.position(v, lo, hi) * Double(plotH)) }
        var body = legend(x: left, y: 62)
        body += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotH)\" stroke=\"#333\"/><line x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(left + plotW)\" y2=\"\(top + plotH)\" stroke=\"#333\"/>\n"
        for t in 0...4 {
            let v = Chart.value(at: Double(t) / 4, lo, hi)
            body += "<line x1=\"\(left - 5)\" y1=\"\(y(v))\" x2=\"\(left + plotW)\" y2=\"\(y(v))\" stroke=\"#ddd\"/><text x=\"\(left - 10)\" y=\"\(y(v) + 5)\" font-size=\"14\" text-anchor=\"end\">\(esc(Chart.short(v)))</text>\n"
        }
        let step = max(1, n / 8)
        for i in stride(from: 0, to: n, by: step) {
            body += "<text x=\"\(x(i))\" y=\"\(top + plotH + 24)\" font-size=\"14\" text-anchor=\"middle\">\(esc(labels[i]))</text>\n"
        }
        for (k, s) in series.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            let points = s.values.enumerated().compactMap { i, v in v.map { "\(x(i)),\(y($0))" } }.joined(separator: " ")
            body += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            if n <= 60 {
                for (i, v) in s.values.enumerated() { if let v { body += "<circle cx=\"\(x(i))\" cy=\"\(y(v))\" r=\"4\" fill=\"\(color)\"/>" } }
                body += "\n"
            }
        }
        return document(width: width, height: height, body)
    }

    private func heatmapSVG() -> String {
        let cell = 58, rowHeight = 30, labelWidth = 150
        let rows = min(labels.count, 60)
        let width = max(480, labelWidth + series.count * cell + 40)
        let top = 90
        let height = top + rows * rowHeight + 30
        let hi = max(maxValue, 0)
        var body = ""
        for (k, s) in series.enumerated() {
            body += "<text x=\"\(labelWidth + k * cell + cell / 2)\" y=\"\(top - 10)\" font-size=\"14\" text-anchor=\"middle\">\(esc(s.name))</text>\n"
        }
        for r in 0..<rows {
            let y = top + r * rowHeight
            body += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 20)\" font-size=\"14\" text-anchor=\"end\">\(esc(labels[r]))</text>\n"
            for (k, s) in series.enumerated() {
                guard let v = s.values[r] else { continue }
                let t = hi > 0 ? max(0, min(1, v / hi)) : 0
                // White to the palette's blue, by value.
                let (rr, gg, bb) = (Int(255 - t * (255 - 59)), Int(255 - t * (255 - 110)), Int(255 - t * (255 - 165)))
                let fill = "rgb(\(rr),\(gg),\(bb))"
                body += "<rect x=\"\(labelWidth + k * cell)\" y=\"\(y)\" width=\"\(cell - 2)\" height=\"\(rowHeight - 2)\" fill=\"\(fill)\"/>"
                body += "<text x=\"\(labelWidth + k * cell + cell / 2 - 1)\" y=\"\(y + 19)\" font-size=\"13\" text-anchor=\"middle\" fill=\"\(t > 0.55 ? "white" : "#222")\">\(esc(Chart.short(ScalarFunctions.round(v, 1))))</text>\n"
            }
        }
        return document(width: width, height: height, body)
    }
}

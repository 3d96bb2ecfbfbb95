/// Charts as standalone SVG: axes, labels, title and values, sized to read on a slide.
extension Chart {
    static let palette = ["#3b6ea5", "#e07b39", "#5a9e5a", "#c04e4e", "#8a6bb0", "#9c7a3c"]

    var svg: String {
        switch spec.kind {
        case .bar, .hist: return barsSVG()
        case .line: return lineSVG()
        case .heatmap: return heatmapSVG()
        case .flow: return flowSVG()
        }
    }

    /// A Sankey diagram: the sources on the left, the targets on the right, each as tall as its
    /// total, and a band for each flow as wide as its number.
    private func flowSVG() -> String {
        let nodes = flowNodes
        let width = 960, top = 80, plotHeight = 560, nodeWidth = 18, gap = 12
        let left = 240, right = width - 240
        let total = max(nodes.from.map(\.total).reduce(0, +), 1e-300)
        // Pixels per unit: the side with more nodes needs more room for its gaps.
        let gaps = Double(max(nodes.from.count, nodes.to.count) - 1) * Double(gap)
        let scale = max(0, Double(plotHeight) - gaps) / total
        func layout(_ side: [(name: String, total: Double)]) -> [String: (y: Double, h: Double)] {
            var y = Double(top), out: [String: (y: Double, h: Double)] = [:]
            for n in side {
                out[n.name] = (y, max(1, n.total * scale))
                y += max(1, n.total * scale) + Double(gap)
            }
            return out
        }
        let fromBox = layout(nodes.from), toBox = layout(nodes.to)
        // Bands leave each source in the order of their targets and reach each target in the
        // order of their sources, so that they cross as little as they can.
        let fromRank = Dictionary(uniqueKeysWithValues: nodes.from.enumerated().map { ($1.name, $0) })
        let toRank = Dictionary(uniqueKeysWithValues: nodes.to.enumerated().map { ($1.name, $0) })
        var start: [Int: Double] = [:], end: [Int: Double] = [:]
        var used: [String: Double] = [:]
        for k in links.indices.sorted(by: { (fromRank[links[$0].from]!, toRank[links[$0].to]!) < (fromRank[links[$1].from]!, toRank[links[$1].to]!) }) {
            start[k] = fromBox[links[k].from]!.y + used["<" + links[k].from, default: 0]
            used["<" + links[k].from, default: 0] += links[k].value * scale
        }
        for k in links.indices.sorted(by: { (toRank[links[$0].to]!, fromRank[links[$0].from]!) < (toRank[links[$1].to]!, fromRank[links[$1].from]!) }) {
            end[k] = toBox[links[k].to]!.y + used[">" + links[k].to, default: 0]
            used[">" + links[k].to, default: 0] += links[k].value * scale
        }
        let colour = Dictionary(uniqueKeysWithValues: nodes.to.enumerated().map { ($1.name, Self.palette[$0 % Self.palette.count]) })
        var body = "<text x=\"\(left)\" y=\"\(top - 16)\" font-size=\"15\" text-anchor=\"end\">\(esc(sides.0))</text>"
        body += "<text x=\"\(right)\" y=\"\(top - 16)\" font-size=\"15\">\(esc(sides.1))</text>\n"
        for (k, l) in links.enumerated() {
            // A filled band: along its top edge, down its right end, back along its bottom edge.
            let h = max(l.value * scale, 0.5)
            let y0 = start[k]!, y1 = end[k]!
            let x0 = left + nodeWidth, x1 = right, mid = (x0 + x1) / 2
            let d = "M\(x0),\(Self.px(y0)) C\(mid),\(Self.px(y0)) \(mid),\(Self.px(y1)) \(x1),\(Self.px(y1)) L\(x1),\(Self.px(y1 + h)) C\(mid),\(Self.px(y1 + h)) \(mid),\(Self.px(y0 + h)) \(x0),\(Self.px(y0 + h)) Z"
            body += "<path d=\"\(d)\" fill=\"\(colour[l.to] ?? Self.palette[0])\" fill-opacity=\"0.5\" stroke=\"none\"><title>\(esc(l.from)) → \(esc(l.to)): \(esc(Chart.short(l.value)))</title></path>\n"
        }
        for n in nodes.from {
            let box = fromBox[n.name]!
            body += "<rect x=\"\(left)\" y=\"\(Self.px(box.y))\" width=\"\(nodeWidth)\" height=\"\(Self.px(box.h))\" fill=\"#555\"/>"
            body += "<text x=\"\(left - 8)\" y=\"\(Self.px(box.y + box.h / 2 + 5))\" font-size=\"14\" text-anchor=\"end\">\(esc(n.name)) (\(esc(Chart.short(n.total))))</text>\n"
        }
        for n in nodes.to {
            let box = toBox[n.name]!
            body += "<rect x=\"\(right)\" y=\"\(Self.px(box.y))\" width=\"\(nodeWidth)\" height=\"\(Self.px(box.h))\" fill=\"\(colour[n.name]!)\"/>"
            body += "<text x=\"\(right + nodeWidth + 8)\" y=\"\(Self.px(box.y + box.h / 2 + 5))\" font-size=\"14\">\(esc(n.name)) (\(esc(Chart.short(n.total))))</text>\n"
        }
        return document(width: width, height: top + plotHeight + 40, body)
    }

    /// A coordinate with at most one decimal.
    static func px(_ v: Double) -> String { ValueFormat.displayDouble((v * 10).rounded() / 10) }

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

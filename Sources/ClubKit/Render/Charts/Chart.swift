import Foundation

/// A chart of a table: the data prepared once, drawn as terminal text (`text`) or SVG (`svg`).
public struct Chart: Sendable {
    let spec: ChartSpec
    let title: String
    /// Row labels (or histogram bins).
    let labels: [String]
    /// Series names and values, nil where null.
    let series: [(name: String, values: [Double?])]
    /// `chart flow`: each row's from, to and how many (rows without a positive finite number
    /// are left out), and the names of the two sides.
    var links: [(from: String, to: String, value: Double)] = []
    var sides = ("from", "to")

    /// `calendar`: the one date labels read in (`.calendar jalali`: a month bucket made by
    /// `month_start` reads 1402-07-01), as in the table modes.
    init(spec: ChartSpec, table: Table, calendar: CalendarKind = .gregorian) {
        self.spec = spec
        // ±inf has no place on an axis: such values are left out, and the title says so.
        var infinite = 0
        func finite(_ v: Value) -> Double? {
            guard let x = v.doubleValue else { return nil }
            if !x.isFinite { infinite += 1; return nil }
            return x
        }
        let leftOut = { infinite == 0 ? "" : " (\(grouped(infinite)) infinite value\(infinite == 1 ? "" : "s") left out)" }
        if spec.kind == .hist, let i = spec.series.first {
            let c = table.columns[i]
            let values = (0..<c.count).compactMap { finite(c.value(at: $0)) }
            let (labels, counts) = Chart.histogram(values)
            self.labels = labels
            series = [("rows", counts.map { Double($0) })]
            title = "\(table.columnNames[i]): \(grouped(values.count)) values" + leftOut()
            return
        }
        labels = (0..<table.rowCount).map { r in spec.label.map { calendar.display(table.columns[$0].value(at: r)) } ?? String(r + 1) }
        if spec.kind == .flow, let from = spec.label, let to = spec.target, let count = spec.series.first {
            // Rows of the same from and to are one flow, their numbers summed.
            var place: [String: Int] = [:]
            for r in 0..<table.rowCount {
                guard let v = finite(table.columns[count].value(at: r)), v > 0 else { continue }
                let a = ValueFormat.display(table.columns[from].value(at: r)), b = ValueFormat.display(table.columns[to].value(at: r))
                let key = a + "\u{0}" + b
                if let k = place[key] { links[k].value += v } else { place[key] = links.count; links.append((a, b, v)) }
            }
            sides = (table.columnNames[from], table.columnNames[to])
            series = [(table.columnNames[count], links.map { Optional($0.value) })]
            title = "\(table.columnNames[count]) from \(sides.0) to \(sides.1)" + leftOut()
            return
        }
        series = spec.series.map { i in
            (table.columnNames[i], (0..<table.rowCount).map { finite(table.columns[i].value(at: $0)) })
        }
        let names = series.map(\.name)
        let byWhat = spec.label.map { " by \(table.columnNames[$0])" } ?? ""
        title = (spec.kind == .heatmap ? "\(table.columnNames[spec.label ?? 0]) × \(names.first ?? "")…\(names.last ?? "")" : names.joined(separator: ", ") + byWhat) + leftOut()
    }

    /// Where `v` lies from `lo` (0) to `hi` (1), clamped; halves are subtracted so that the
    /// span between the largest finite doubles does not overflow.
    static func position(_ v: Double, _ lo: Double, _ hi: Double) -> Double {
        guard hi > lo else { return 0 }
        return max(0, min(1, (v / 2 - lo / 2) / (hi / 2 - lo / 2)))
    }

    /// The value at `fraction` of the way from `lo` to `hi`, without overflow.
    static func value(at fraction: Double, _ lo: Double, _ hi: Double) -> Double {
        fraction == 0 ? lo : fraction == 1 ? hi : lo * (1 - fraction) + hi * fraction
    }

    /// Bins by Sturges' rule (at most 20), equal width from the minimum to the maximum.
    static func histogram(_ values: [Double]) -> ([String], [Int]) {
        guard let lo = values.min(), let hi = values.max() else { return ([], []) }
        let k = max(1, min(20, Int((log2(Double(values.count))).rounded(.up)) + 1))
        let top = hi > lo ? hi : lo + 1
        // A value goes to the bin whose edges hold it, compared with the edges themselves: the
        // same numbers the labels show, however large the span.
        let edges = (0...k).map { value(at: Double($0) / Double(k), lo, top) }
        var counts = [Int](repeating: 0, count: k)
        for v in values { counts[(1..<k).first { v < edges[$0] }.map { $0 - 1 } ?? k - 1] += 1 }
        let labels = (0..<k).map { b in "\(short(edges[b])) – \(short(edges[b + 1]))" }
        return (labels, counts)
    }

    /// A number for a chart: at most 2 decimals, thousands grouped (very large numbers in
    /// scientific notation).
    static func short(_ x: Double) -> String {
        guard abs(x) < 1e15 else { return ValueFormat.displayDouble(x) }
        let r = (x * 100).rounded() / 100
        guard abs(r) >= 1000 else { return ValueFormat.displayDouble(r) }
        let whole = r.rounded(.towardZero)
        let fraction = ValueFormat.displayDouble(abs(r - whole) + 1).dropFirst()  // ".96" or ""
        return (r < 0 && whole == 0 ? "-" : "") + grouped(Int(whole)) + fraction
    }

    /// `chart flow`'s nodes in order of first appearance: the sources and the targets, each
    /// with its total.
    var flowNodes: (from: [(name: String, total: Double)], to: [(name: String, total: Double)]) {
        func totals(_ key: ((from: String, to: String, value: Double)) -> String) -> [(name: String, total: Double)] {
            var order: [String] = [], sum: [String: Double] = [:]
            for l in links {
                let k = key(l)
                if sum[k] == nil { order.append(k) }
                sum[k, default: 0] += l.value
            }
            return order.map { ($0, sum[$0]!) }
        }
        return (totals { $0.from }, totals { $0.to })
    }

    var maxValue: Double { series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0 }
    var minValue: Double { series.flatMap { $0.values.compactMap { $0 } }.min() ?? 0 }
}

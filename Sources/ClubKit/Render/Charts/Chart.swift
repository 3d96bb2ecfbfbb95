import Foundation

/// A chart of a table: the data prepared once, drawn as terminal text (`text`) or SVG (`svg`).
public struct Chart: Sendable {
    public let spec: ChartSpec
    public let title: String
    /// Row labels (or histogram bins).
    let labels: [String]
    /// Series names and values, nil where null.
    let series: [(name: String, values: [Double?])]

    public init(spec: ChartSpec, table: Table) {
        self.spec = spec
        if spec.kind == .hist, let i = spec.series.first {
            let c = table.columns[i]
            let values = (0..<c.count).compactMap { c.value(at: $0).doubleValue }
            let (labels, counts) = Chart.histogram(values)
            self.labels = labels
            series = [("rows", counts.map { Double($0) })]
            title = "\(table.columnNames[i]): \(grouped(values.count)) values"
            return
        }
        labels = (0..<table.rowCount).map { r in spec.label.map { ValueFormat.display(table.columns[$0].value(at: r)) } ?? String(r + 1) }
        series = spec.series.map { i in
            (table.columnNames[i], (0..<table.rowCount).map { table.columns[i].value(at: $0).doubleValue })
        }
        let names = series.map(\.name)
        let byWhat = spec.label.map { " by \(table.columnNames[$0])" } ?? ""
        title = spec.kind == .heatmap ? "\(table.columnNames[spec.label ?? 0]) × \(names.first ?? "")…\(names.last ?? "")" : names.joined(separator: ", ") + byWhat
    }

    /// Bins by Sturges' rule (at most 20), equal width from the minimum to the maximum.
    static func histogram(_ values: [Double]) -> ([String], [Int]) {
        guard let lo = values.min(), let hi = values.max() else { return ([], []) }
        let k = max(1, min(20, Int((log2(Double(values.count))).rounded(.up)) + 1))
        let width = hi > lo ? (hi - lo) / Double(k) : 1
        var counts = [Int](repeating: 0, count: k)
        for v in values { counts[min(k - 1, Int((v - lo) / width))] += 1 }
        let labels = (0..<k).map { b in "\(short(lo + Double(b) * width)) – \(short(lo + Double(b + 1) * width))" }
        return (labels, counts)
    }

    /// A number for a chart: at most 2 decimals, thousands grouped.
    static func short(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        guard abs(r) >= 1000 else { return ValueFormat.displayDouble(r) }
        let whole = r.rounded(.towardZero)
        let fraction = ValueFormat.displayDouble(abs(r - whole) + 1).dropFirst()  // ".96" or ""
        return (r < 0 && whole == 0 ? "-" : "") + grouped(Int(whole)) + fraction
    }

    var maxValue: Double { series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0 }
    var minValue: Double { series.flatMap { $0.values.compactMap { $0 } }.min() ?? 0 }
}

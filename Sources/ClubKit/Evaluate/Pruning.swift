/// Projection pushdown in its simplest form: before a run of steps that pass the input's
/// columns on (filter, sort, take, join), the executor drops the columns that neither they nor
/// the step that ends the run read, and renumbers the steps to read what is left. In
/// `orders | where amount > 100 | agg n = count() by city` the filter copies `amount` and
/// `city` only; a join picks only the right-hand columns still read. Each operator says what it
/// reads (`PhysicalOperator.reads`); nothing here knows the steps.
enum Pruning {
    /// `table` without the columns that `steps[start…]` never read, with those steps renumbered
    /// to match. Unchanged when the run of pass-through steps reaches the end of the pipeline,
    /// since then every column is in the result.
    static func prune(_ table: Table, _ steps: inout [PlanStep], from start: Int) -> Table {
        let operators = steps[start...].map(\.physical)
        guard let end = operators.firstIndex(where: { !$0.passesColumnsOn }) else { return table }
        // The width of each step's input, from the first of the run to the one that ends it.
        var widths = [table.columns.count]
        for op in operators[..<end] { widths.append(widths.last! + op.appendedColumns) }
        // Backwards: what each step's input must hold for the rest to run.
        var needed = operators[end].reads
        var rightKept: [Int: [Int]] = [:]
        for i in stride(from: end - 1, through: 0, by: -1) {
            let op = operators[i], width = widths[i]
            if op.appendedColumns > 0 {
                rightKept[i] = needed.filter { $0 >= width }.map { $0 - width }.sorted()
                needed = needed.filter { $0 < width }
            }
            needed.formUnion(op.reads)
        }
        // Forwards: keep the needed columns and renumber each step to read them.
        let keep = needed.sorted()
        var map = [Int](repeating: -1, count: table.columns.count)
        for (new, old) in keep.enumerated() { map[old] = new }
        for i in 0...end {
            let op = operators[i]
            steps[start + i] = op.renumbered(map, rightKept: rightKept[i])
            if i < end, op.appendedColumns > 0, let kept = rightKept[i] {
                let width = map.count, keptWidth = map.filter { $0 >= 0 }.count
                var next = map + [Int](repeating: -1, count: op.appendedColumns)
                for (k, j) in kept.enumerated() { next[width + j] = keptWidth + k }
                map = next
            }
        }
        return Table(columnNames: keep.map { table.columnNames[$0] }, columns: keep.map { table.columns[$0] }, rowCount: table.rowCount)
    }
}

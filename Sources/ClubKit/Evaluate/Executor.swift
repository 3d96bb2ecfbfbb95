/// Runs checked plans: each step takes a table and returns a new one, a column at a time.
struct Executor {
    /// A loaded table (or numbered result) by name.
    let table: (String) -> Table?
    let notes: EvaluationNotes
    /// Supplies a named result or segment (from the session's cache when it is current).
    var resolve: (String) -> Table? = { _ in nil }
    /// Polled between steps and inside long loops; true means the user pressed Ctrl-C.
    var isCancelled: @Sendable () -> Bool = { false }
    /// What one step may ask for before it allocates.
    var memoryLimit = MemoryLimit.standard

    func run(_ plan: Plan) throws(Diagnostic) -> Table {
        var table: Table
        switch plan.source {
        case .table(let name): table = self.table(name) ?? Table(columnNames: [], columns: [], rowCount: 0)
        case .result(let name, let inner):
            if let resolved = resolve(name) { table = resolved } else { table = try run(inner) }
        case .computed(_, let t): table = t
        }
        var k = 0
        while k < plan.steps.count {
            if isCancelled() { throw Diagnostic.interrupted }
            // `sort … | take n` (and `top n by …`) keeps the n first rows without sorting the rest.
            if case .sort(let keys) = plan.steps[k], k + 1 < plan.steps.count, case .take(let n) = plan.steps[k + 1] {
                let evaluator = ExpressionEvaluator(table: table, notes: notes, isCancelled: isCancelled)
                let columns = keys.map { (column: evaluator.column($0.expr), descending: $0.descending) }
                table = table.gather(Sorting.top(columns, limit: n, n: table.rowCount), keeping: Pruning.needed(plan.steps[(k + 2)...]))
                k += 2
                continue
            }
            table = try apply(plan.steps[k], to: table, then: plan.steps[(k + 1)...])
            k += 1
        }
        // A step stopped by Ctrl-C returns early with a wrong table: it is never used.
        if isCancelled() { throw Diagnostic.interrupted }
        return table
    }

    /// Runs one step; `rest` (the steps after it) says which columns a filter, sort or join
    /// must carry along.
    func apply(_ step: PlanStep, to table: Table, then rest: ArraySlice<PlanStep>) throws(Diagnostic) -> Table {
        let expressions = ExpressionEvaluator(table: table, notes: notes, isCancelled: isCancelled)
        switch step {
        case .filter(let predicate):
            return table.gather(selection(expressions.eval(predicate), table.rowCount), keeping: Pruning.needed(rest))
        case .project(let items):
            return Table(columnNames: items.map(\.name), columns: items.map { expressions.column($0.expr) }, rowCount: table.rowCount)
        case .aggregate(let keys, let calls, let outputs):
            let keyColumns = keys.map { expressions.column($0.expr) }
            let grouping = Grouping(columns: keyColumns, n: table.rowCount, isCancelled: isCancelled)
            if isCancelled() { throw Diagnostic.interrupted }
            var columns = keyColumns.map { $0.gather(grouping.firstRow) }
            // Each aggregate is its own pass over the rows: on a large table they run side by
            // side, each exactly as it would alone.
            let inputs = calls.map { $0.argument.map(expressions.column) }
            let parallel = table.rowCount >= 1 << 20 && calls.count > 1
            let aggregate = { [isCancelled] (k: Int) -> (Column, AggregateWarnings) in
                var warnings = AggregateWarnings()
                if isCancelled() { return (Column.repeating(.null, count: grouping.count, type: calls[k].type), warnings) }
                return (Aggregates.compute(calls[k], input: inputs[k], grouping: grouping, warnings: &warnings), warnings)
            }
            for (column, warnings) in parallel ? Parallel.map(calls.count, aggregate) : calls.indices.map(aggregate) {
                columns.append(column)
                notes.overflow += warnings.overflow
                notes.undefined += warnings.undefined
            }
            let names = keys.map(\.name) + calls.indices.map { "_agg\($0)" }
            let intermediate = Table(columnNames: names, columns: columns, rowCount: grouping.count)
            let outer = ExpressionEvaluator(table: intermediate, notes: notes, isCancelled: isCancelled)
            return Table(columnNames: outputs.map(\.name), columns: outputs.map { outer.column($0.expr) }, rowCount: grouping.count)
        case .sort(let keys):
            let columns = keys.map { (column: expressions.column($0.expr), descending: $0.descending) }
            guard let order = Sorting.permutation(columns, n: table.rowCount, isCancelled: isCancelled) else { throw Diagnostic.interrupted }
            return table.gather(order, keeping: Pruning.needed(rest))
        case .take(let n):
            return table.prefix(n)
        case .distinct(let indices):
            let grouping = Grouping(columns: indices.map { table.columns[$0] }, n: table.rowCount, isCancelled: isCancelled)
            let picked = Table(columnNames: indices.map { table.columnNames[$0] }, columns: indices.map { table.columns[$0] }, rowCount: table.rowCount)
            return picked.gather(grouping.firstRow)
        case .join(let keepUnmatched, let rightPlan, let leftKeys, let rightKeys, let rightColumns, let names):
            let right = try run(rightPlan)
            let rightExpressions = ExpressionEvaluator(table: right, notes: notes, isCancelled: isCancelled)
            // Each output row costs its two row numbers and a value per column (8 bytes, or the
            // string code's 4); rows are numbered in 32 bits.
            let rowBytes = 8 + 8 * names.count
            let maxRows = min(Int(Int32.max), memoryLimit.bytes / rowBytes)
            guard let (l, r) = Join.match(leftKeys: leftKeys.map(expressions.column), rightKeys: rightKeys.map(rightExpressions.column),
                                          leftCount: table.rowCount, rightCount: right.rowCount, keepUnmatched: keepUnmatched,
                                          maxRows: maxRows, isCancelled: isCancelled) else {
                let limit = maxRows == Int(Int32.max) ? "a table can hold" : "fit in the memory limit of \(MemoryLimit.text(memoryLimit.bytes))"
                throw Diagnostic("the join gives more than \(grouped(maxRows)) rows, more than \(limit)", at: .statement,
                                 hint: "narrow or aggregate the tables before joining\(maxRows == Int(Int32.max) ? "" : ", or raise the limit with `.limit memory 64GB`")")
            }
            guard !l.isEmpty || !isCancelled() else { throw Diagnostic.interrupted }
            let needed = Pruning.needed(rest)
            let width = table.columns.count
            // Every left row matched once, in order: the left columns need no copy.
            let identity = l.count == table.rowCount && l.elementsEqual(0..<Int32(l.count))
            let left = identity ? table.columns : table.gather(l, keeping: needed).columns
            let picked = rightColumns.enumerated().map { j, c in
                needed.map { $0.contains(width + j) } ?? true ? right.columns[c].gatherOptional(r) : right.columns[c].standIn
            }
            return Table(columnNames: names, columns: left + picked, rowCount: l.count)
        case .count:
            return Table(columnNames: ["count"], columns: [Column(.int([Int64(table.rowCount)]))], rowCount: 1)
        case .chart:
            return table
        }
    }

    /// The rows where a condition is true (null counts as false).
    private func selection(_ v: Vec, _ n: Int) -> [Int32] {
        switch v {
        case .scalar(.bool(true)): return (0..<Int32(n)).map { $0 }
        case .scalar: return []
        case .column(let c):
            guard case .bool(let values) = c.storage else { return [] }
            var out: [Int32] = []
            out.reserveCapacity(n / 4)
            if let validity = c.validity {
                for (i, keep) in values.enumerated() where keep && validity.isValid(i) { out.append(Int32(i)) }
            } else {
                for (i, keep) in values.enumerated() where keep { out.append(Int32(i)) }
            }
            return out
        }
    }
}

/// `agg … by …`: one row per group of the keys, with the aggregates, then the output
/// expressions over [keys…, aggregates…].
struct AggregateOperator: PhysicalOperator {
    var keys: [(name: String, expr: TypedExpr)]
    var calls: [AggregateCall]
    var outputs: [(name: String, expr: TypedExpr)]

    var reads: Set<Int> {
        var used = keys.reduce(into: Set<Int>()) { $0.formUnion($1.expr.columnsRead) }
        for call in calls { if let a = call.argument { used.formUnion(a.columnsRead) } }
        return used
    }
    var passesColumnsOn: Bool { false }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep {
        var renumberedCalls = calls
        for k in renumberedCalls.indices { renumberedCalls[k].argument = calls[k].argument?.renumbered(map) }
        // The outputs read the intermediate [keys…, aggregates…], not the input.
        return .aggregate(keys: keys.map { ($0.name, $0.expr.renumbered(map)) }, calls: renumberedCalls, outputs: outputs)
    }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table {
        let expressions = executor.evaluator(input)
        let isCancelled = executor.isCancelled
        let keyColumns = keys.map { expressions.column($0.expr) }
        let inputs = calls.map { $0.argument.map(expressions.column) }
        // Many groups of one key over a large table: a block at a time, without a group number
        // per row, into the answer's own columns.
        if keyColumns.count == 1, input.rowCount / 2 >= executor.blockRows {
            var warnings = AggregateWarnings()
            if let columns = try IncrementalAggregate.evaluate(key: keyColumns[0], calls: calls, inputs: inputs, blockRows: executor.blockRows,
                                                               isCancelled: isCancelled, warnings: &warnings) {
                executor.notes.overflow += warnings.overflow
                executor.notes.undefined += warnings.undefined
                return output(columns, groups: columns[0].count, in: executor)
            }
        }
        let grouping = Grouping(columns: keyColumns, n: input.rowCount, isCancelled: isCancelled)
        if isCancelled() { throw Diagnostic.interrupted }
        var columns = keyColumns.map { $0.gather(grouping.firstRow) }
        // Each aggregate is its own pass over the rows: on a large table they run side by
        // side, each exactly as it would alone. With a group per few rows (a row per customer
        // of 100 million orders) their working arrays are as large as the columns, so they run
        // one at a time instead, the largest (sum, mean and the like, with several arrays per
        // group) first, while no other result is held yet.
        let manyGroups = grouping.count > input.rowCount / 16
        let parallel = input.rowCount >= 1 << 20 && calls.count > 1 && !manyGroups
        let calls = self.calls
        let aggregate = { (k: Int) -> (Column, AggregateWarnings) in
            var warnings = AggregateWarnings()
            if isCancelled() { return (Column.repeating(.null, count: grouping.count, type: calls[k].type), warnings) }
            return (Aggregates.compute(calls[k], input: inputs[k], grouping: grouping, warnings: &warnings), warnings)
        }
        var results: [(Column, AggregateWarnings)]
        if parallel {
            results = Parallel.map(calls.count, aggregate)
        } else {
            let order = calls.indices.sorted { (Self.workingArrays(calls[$0].function), $1) > (Self.workingArrays(calls[$1].function), $0) }
            var computed = [(Column, AggregateWarnings)?](repeating: nil, count: calls.count)
            for k in order { computed[k] = aggregate(k) }
            results = computed.map { $0! }
        }
        for (column, warnings) in results {
            columns.append(column)
            executor.notes.overflow += warnings.overflow
            executor.notes.undefined += warnings.undefined
        }
        return output(columns, groups: grouping.count, in: executor)
    }

    /// The output expressions over [keys…, aggregates…], one row per group.
    private func output(_ columns: [Column], groups: Int, in executor: Executor) -> Table {
        let names = keys.map(\.name) + calls.indices.map { "_agg\($0)" }
        let intermediate = Table(columnNames: names, columns: columns, rowCount: groups)
        let outer = executor.evaluator(intermediate)
        return Table(columnNames: outputs.map(\.name), columns: outputs.map { outer.column($0.expr) }, rowCount: groups)
    }

    /// About how many arrays of a value per group an aggregate works with.
    private static func workingArrays(_ f: AggregateFunction) -> Int {
        switch f {
        case .sum, .avg, .stddev: return 5
        case .median, .percentile, .mode, .count_distinct: return 3
        default: return 1
        }
    }
}

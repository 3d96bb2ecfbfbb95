/// `join T on a == b` and `left join`: each left row with each right row of equal keys (see
/// `Join`), the left columns then the picked right ones. After pruning it picks only the right
/// columns that later steps read.
struct JoinOperator: PhysicalOperator {
    var keepUnmatched: Bool
    var right: Plan
    var leftKeys: [TypedExpr], rightKeys: [TypedExpr]
    /// The right table's columns in the output, by position in the right table.
    var rightColumns: [Int]
    /// The output's column names: the left's, then the picked right ones.
    var names: [String]

    var reads: Set<Int> { leftKeys.reduce(into: Set<Int>()) { $0.formUnion($1.columnsRead) } }
    var passesColumnsOn: Bool { true }
    var appendedColumns: Int { rightColumns.count }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep {
        let kept = rightKept ?? Array(rightColumns.indices)
        let leftNames = names.prefix(names.count - rightColumns.count)
        let keptLeft = map.indices.filter { map[$0] >= 0 }.sorted { map[$0] < map[$1] }.map { leftNames[$0] }
        return .join(left: keepUnmatched, right: right, leftKeys: leftKeys.map { $0.renumbered(map) }, rightKeys: rightKeys,
                     rightColumns: kept.map { rightColumns[$0] }, names: keptLeft + kept.map { names[names.count - rightColumns.count + $0] })
    }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table {
        try run(input, prepared: prepare(in: executor), in: executor)
    }

    /// The right table and, for one integer or date key, its index: made once for any number
    /// of left tables (the blocks of `BlockedAggregate`).
    struct Prepared {
        let right: Table
        let keys: [Column]
        let index: Join.IntegerIndex?
    }

    func prepare(in executor: Executor) throws(Diagnostic) -> Prepared {
        let right = try executor.run(self.right)
        let keys = rightKeys.map(executor.evaluator(right).column)
        return Prepared(right: right, keys: keys, index: Self.indexes(leftKeys, rightKeys) ? Join.IntegerIndex(keys[0]) : nil)
    }

    /// Whether the right side is matched through an index (`Join.IntegerIndex`): one key, an
    /// integer, date or date-time on both sides.
    static func indexes(_ leftKeys: [TypedExpr], _ rightKeys: [TypedExpr]) -> Bool {
        leftKeys.count == 1 && leftKeys[0].type == rightKeys[0].type && [.int, .date, .datetime].contains(rightKeys[0].type)
    }

    func run(_ input: Table, prepared: Prepared, in executor: Executor) throws(Diagnostic) -> Table {
        let right = prepared.right
        let leftColumns = leftKeys.map(executor.evaluator(input).column)
        // Each output row costs its two row numbers and a value per column (8 bytes, or the
        // string code's 4); rows are numbered in 32 bits.
        let rowBytes = 8 + 8 * names.count
        let maxRows = min(Int(Int32.max), executor.memoryLimit.bytes / rowBytes)
        let matched: Join.Pairs?
        if let index = prepared.index, index.probes(leftColumns[0]) {
            matched = index.probe(leftColumns[0], keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: executor.isCancelled)
        } else {
            matched = Join.pairs(leftKeys: leftColumns, rightKeys: prepared.keys, leftCount: input.rowCount, rightCount: right.rowCount,
                                 keepUnmatched: keepUnmatched, maxRows: maxRows, isCancelled: executor.isCancelled)
        }
        guard let pairs = matched else {
            let limit = maxRows == Int(Int32.max) ? "a table can hold" : "fit in the memory limit of \(MemoryLimit.text(executor.memoryLimit.bytes))"
            throw Diagnostic("the join gives more than \(grouped(maxRows)) rows, more than \(limit)", at: .statement,
                             hint: "narrow or aggregate the tables before joining\(maxRows == Int(Int32.max) ? "" : ", or raise the limit with `.limit memory 64GB`")")
        }
        let r = pairs.right
        guard !r.isEmpty || !executor.isCancelled() else { throw Diagnostic.interrupted }
        // Every left row once, in order (`left` nil): the left columns need no copy.
        let left = pairs.left.map { input.gather($0).columns } ?? input.columns
        // An inner join has a right row for every pair: no nulls to make on the right.
        let picked = rightColumns.map { keepUnmatched ? right.columns[$0].gatherOptional(r) : right.columns[$0].gather(r) }
        return Table(columnNames: names, columns: left + picked, rowCount: r.count)
    }
}

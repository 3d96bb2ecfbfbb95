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
        let right = try executor.run(self.right)
        let leftExpressions = executor.evaluator(input), rightExpressions = executor.evaluator(right)
        // Each output row costs its two row numbers and a value per column (8 bytes, or the
        // string code's 4); rows are numbered in 32 bits.
        let rowBytes = 8 + 8 * names.count
        let maxRows = min(Int(Int32.max), executor.memoryLimit.bytes / rowBytes)
        guard let (l, r) = Join.match(leftKeys: leftKeys.map(leftExpressions.column), rightKeys: rightKeys.map(rightExpressions.column),
                                      leftCount: input.rowCount, rightCount: right.rowCount, keepUnmatched: keepUnmatched,
                                      maxRows: maxRows, isCancelled: executor.isCancelled) else {
            let limit = maxRows == Int(Int32.max) ? "a table can hold" : "fit in the memory limit of \(MemoryLimit.text(executor.memoryLimit.bytes))"
            throw Diagnostic("the join gives more than \(grouped(maxRows)) rows, more than \(limit)", at: .statement,
                             hint: "narrow or aggregate the tables before joining\(maxRows == Int(Int32.max) ? "" : ", or raise the limit with `.limit memory 64GB`")")
        }
        guard !l.isEmpty || !executor.isCancelled() else { throw Diagnostic.interrupted }
        // Every left row matched once, in order: the left columns need no copy.
        // SAFETY: the closure reads only indices below the buffer's own count.
        let identity = l.count == input.rowCount && l.withUnsafeBufferPointer { b in (0..<b.count).allSatisfy { b[$0] == Int32($0) } }
        let left = identity ? input.columns : input.gather(l).columns
        return Table(columnNames: names, columns: left + rightColumns.map { right.columns[$0].gatherOptional(r) }, rowCount: l.count)
    }
}

/// `distinct a, b`: the first row of each distinct combination of the columns, and only them.
struct DistinctOperator: PhysicalOperator {
    var columns: [Int]

    var reads: Set<Int> { Set(columns) }
    var passesColumnsOn: Bool { false }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep { .distinct(columns.map { map[$0] }) }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table {
        let grouping = Grouping(columns: columns.map { input.columns[$0] }, n: input.rowCount, isCancelled: executor.isCancelled)
        let picked = Table(columnNames: columns.map { input.columnNames[$0] }, columns: columns.map { input.columns[$0] }, rowCount: input.rowCount)
        return picked.gather(grouping.firstRow)
    }
}

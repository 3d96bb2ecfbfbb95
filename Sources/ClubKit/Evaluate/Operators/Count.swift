/// `count`: the number of rows, as a one-row table.
struct CountOperator: PhysicalOperator {
    var reads: Set<Int> { [] }
    var passesColumnsOn: Bool { false }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep { .count }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table {
        Table(columnNames: ["count"], columns: [Column(.int([Int64(input.rowCount)]))], rowCount: 1)
    }
}

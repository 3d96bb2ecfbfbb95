/// `take n`: the first n rows.
struct TakeOperator: PhysicalOperator {
    var n: Int

    var reads: Set<Int> { [] }
    var passesColumnsOn: Bool { true }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep { .take(n) }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table { input.prefix(n) }
}

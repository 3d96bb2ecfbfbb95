/// `sort`: the rows in key order, stable, nulls last. Followed by `take n` (as `top n by` is),
/// it keeps the n first rows without sorting the rest.
struct SortOperator: PhysicalOperator {
    var keys: [(expr: TypedExpr, descending: Bool)]
    /// The rows wanted, when a `take` follows.
    var limit: Int?

    init(keys: [(expr: TypedExpr, descending: Bool)], limit: Int? = nil) {
        self.keys = keys
        self.limit = limit
    }

    var reads: Set<Int> { keys.reduce(into: Set<Int>()) { $0.formUnion($1.expr.columnsRead) } }
    var passesColumnsOn: Bool { true }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep { .sort(keys.map { ($0.expr.renumbered(map), $0.descending) }) }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table {
        let expressions = executor.evaluator(input)
        let columns = keys.map { (column: expressions.column($0.expr), descending: $0.descending) }
        if let limit { return input.gather(Sorting.top(columns, limit: limit, n: input.rowCount)) }
        guard let order = Sorting.permutation(columns, n: input.rowCount, isCancelled: executor.isCancelled) else { throw Diagnostic.interrupted }
        return input.gather(order)
    }
}

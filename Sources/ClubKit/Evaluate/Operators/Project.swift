/// `select` and `derive`: the output columns, each an expression over the input.
struct ProjectOperator: PhysicalOperator {
    var items: [(name: String, expr: TypedExpr)]

    var reads: Set<Int> { items.reduce(into: Set<Int>()) { $0.formUnion($1.expr.columnsRead) } }
    var passesColumnsOn: Bool { false }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep { .project(items.map { ($0.name, $0.expr.renumbered(map)) }) }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table {
        let expressions = executor.evaluator(input)
        return Table(columnNames: items.map(\.name), columns: items.map { item in
            var column = expressions.column(item.expr)
            // A column selected as it is keeps its display hint; one computed from it is plain.
            if case .column = item.expr {} else { column.display = .plain }
            return column
        }, rowCount: input.rowCount)
    }
}

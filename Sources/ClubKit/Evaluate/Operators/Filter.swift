/// `where`: the rows where the condition is true (null counts as false), every column kept.
struct FilterOperator: PhysicalOperator {
    var predicate: TypedExpr

    var reads: Set<Int> { predicate.columnsRead }
    var passesColumnsOn: Bool { true }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep { .filter(predicate.renumbered(map)) }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table {
        input.gather(Self.selection(executor.evaluator(input).eval(predicate), input.rowCount))
    }

    /// The rows where a condition is true.
    static func selection(_ v: Vec, _ n: Int) -> [Int32] {
        switch v {
        case .scalar(.bool(true)): return (0..<Int32(n)).map { $0 }
        case .scalar: return []
        case .column(let c):
            guard case .bool(let values) = c.storage else { return [] }
            var out: [Int32] = []
            out.reserveCapacity(n / 4)
            // SAFETY: `values` holds the column's n rows, so every index below n is in bounds.
            values.withUnsafeBufferPointer { b in
                if let validity = c.validity {
                    for i in 0..<n where b[i] && validity.isValid(i) { out.append(Int32(i)) }
                } else {
                    for i in 0..<n where b[i] { out.append(Int32(i)) }
                }
            }
            return out
        }
    }
}

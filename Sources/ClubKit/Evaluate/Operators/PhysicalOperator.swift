/// A physical operator: the running form of one plan step, in a file of its own. Each says
/// which input columns it reads and whether it passes the input's columns on, so the executor
/// can drop the columns no later step reads before any are copied (`Pruning`).
protocol PhysicalOperator {
    /// The input columns it reads, by position.
    var reads: Set<Int> { get }
    /// True when its output is the input's columns, in place (a filter, sort, take; a join
    /// appends the right table's after them); false when it builds columns of its own (select,
    /// derive, agg, distinct, count), so what comes after reads only those.
    var passesColumnsOn: Bool { get }
    /// The same step reading column `map[i]` where it read `i`. A join also keeps only the
    /// right-hand columns in `rightKept` (nil: all).
    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep
    /// Columns added after the input's (a join's right-hand columns).
    var appendedColumns: Int { get }
    /// Runs the step on `input`.
    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table
}

extension PhysicalOperator {
    var appendedColumns: Int { 0 }
}

extension PlanStep {
    /// The operator that runs this step: the one place that maps steps to operators.
    var physical: any PhysicalOperator {
        switch self {
        case .filter(let predicate): return FilterOperator(predicate: predicate)
        case .project(let items): return ProjectOperator(items: items)
        case .aggregate(let keys, let calls, let outputs): return AggregateOperator(keys: keys, calls: calls, outputs: outputs)
        case .sort(let keys): return SortOperator(keys: keys)
        case .take(let n): return TakeOperator(n: n)
        case .distinct(let columns): return DistinctOperator(columns: columns)
        case .join(let left, let right, let leftKeys, let rightKeys, let rightColumns, let names):
            return JoinOperator(keepUnmatched: left, right: right, leftKeys: leftKeys, rightKeys: rightKeys, rightColumns: rightColumns, names: names)
        case .count: return CountOperator()
        case .chart(let spec): return ChartOperator(spec: spec)
        }
    }
}

extension TypedExpr {
    /// The columns the expression reads.
    var columnsRead: Set<Int> {
        var used = Set<Int>()
        collectColumns(into: &used)
        return used
    }

    private func collectColumns(into used: inout Set<Int>) {
        switch self {
        case .column(let i, _): used.insert(i)
        case .constant: break
        case .unary(_, let a, _), .isNull(let a, _), .inList(let a, _, _): a.collectColumns(into: &used)
        case .binary(_, let a, let b, _): a.collectColumns(into: &used); b.collectColumns(into: &used)
        case .function(_, let args, _): for a in args { a.collectColumns(into: &used) }
        case .chain(let first, let links):
            first.collectColumns(into: &used)
            for link in links { link.operand.collectColumns(into: &used) }
        }
    }

    /// The expression reading column `map[i]` where it read `i`.
    func renumbered(_ map: [Int]) -> TypedExpr {
        switch self {
        case .column(let i, let t): return .column(map[i], t)
        case .constant: return self
        case .unary(let op, let a, let t): return .unary(op, a.renumbered(map), t)
        case .isNull(let a, let negated): return .isNull(a.renumbered(map), negated: negated)
        case .inList(let a, let values, let negated): return .inList(a.renumbered(map), values, negated: negated)
        case .binary(let op, let a, let b, let t): return .binary(op, a.renumbered(map), b.renumbered(map), t)
        case .function(let f, let args, let t): return .function(f, args.map { $0.renumbered(map) }, t)
        case .chain(let first, let links):
            return .chain(first.renumbered(map), links.map { TypedLink(op: $0.op, operand: $0.operand.renumbered(map), type: $0.type) })
        }
    }
}

/// Which columns the rest of a pipeline reads, so that a filter, sort or join copies only
/// those: projection pushdown in its simplest form. In
/// `orders | where amount > 100 | agg n = count() by city`, the filter gathers `amount`'s and
/// `city`'s rows and leaves empty stand-ins for the others, which nothing later reads.
enum Pruning {
    /// The input column positions that `steps` read, up to the first step that builds a table
    /// of its own (select, derive's projection, agg, distinct, count); nil when every column
    /// reaches the result (the pipeline ends, or draws a chart, first). Positions at or past a
    /// join's left width are the join's right-hand columns.
    static func needed(_ steps: ArraySlice<PlanStep>) -> Set<Int>? {
        var used = Set<Int>()
        for step in steps {
            switch step {
            case .filter(let e):
                collect(e, into: &used)
            case .sort(let keys):
                for k in keys { collect(k.expr, into: &used) }
            case .take:
                break
            case .join(_, _, let leftKeys, _, _, _):
                for k in leftKeys { collect(k, into: &used) }
            case .project(let items):
                for item in items { collect(item.expr, into: &used) }
                return used
            case .aggregate(let keys, let calls, _):
                for k in keys { collect(k.expr, into: &used) }
                for call in calls { if let a = call.argument { collect(a, into: &used) } }
                return used
            case .distinct(let columns):
                used.formUnion(columns)
                return used
            case .count:
                return used
            case .chart:
                return nil
            }
        }
        return nil
    }

    static func collect(_ e: TypedExpr, into used: inout Set<Int>) {
        switch e {
        case .column(let i, _): used.insert(i)
        case .constant: break
        case .unary(_, let a, _), .isNull(let a, _), .inList(let a, _, _): collect(a, into: &used)
        case .binary(_, let a, let b, _): collect(a, into: &used); collect(b, into: &used)
        case .function(_, let args, _): for a in args { collect(a, into: &used) }
        case .chain(let first, let links):
            collect(first, into: &used)
            for link in links { collect(link.operand, into: &used) }
        }
    }
}

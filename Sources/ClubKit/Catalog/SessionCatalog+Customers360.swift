/// customers360 from the per-customer summary the analytics share, and a segment of it filtered
/// before the join with `customers` when its condition reads only the summary's columns.
extension SessionCatalog {
    /// customers360 from the shared per-customer summary of the transactions, when that gives
    /// exactly what its pipeline would (its first three steps — where, agg, derive): the
    /// customer column without nulls, a date column of dates, amounts that are doubles without
    /// nulls, and finite sums. The steps after them (the join with `customers`, the select) run
    /// as usual. Nil: run the whole pipeline.
    func customers360FromSummary(_ plan: Plan, notes: EvaluationNotes) throws(Diagnostic) -> Table? {
        guard let base = try customers360Summary(plan) else { return nil }
        return try runAfterSummary(base, Array(plan.steps.dropFirst(3)), schema: plan.schema, notes: notes)
    }

    /// The table of customers360's first three steps (where, agg, derive) made from the summary,
    /// or nil when the summary does not give exactly that table: its columns at the positions
    /// `wanted` (all seven when nil), of the customers `rows` (every one, in order, when nil).
    private func customers360Summary(_ plan: Plan, columns wanted: [Int]? = nil, rows: [Int32]? = nil) throws(Diagnostic) -> Table? {
        guard let roles = transactions, plan.steps.count >= 3, case .aggregate(_, _, let outputs) = plan.steps[1],
              case .project(let derived) = plan.steps[2], derived.count == 7,
              let source = try? table(named: roles.table),
              let keys = source.column(roles.customer), keys.nullCount == 0,
              let dates = source.column(roles.date), case .date = dates.storage,
              let amounts = source.column(roles.amount), case .double = amounts.storage, amounts.nullCount == 0
        else { return nil }
        let (data, _) = try transactionData(for: Customers360.name, at: SourceLocation(line: 1, column: 1))
        guard data.customerCount > 0 else { return nil }
        let s = data.summary()
        guard s.spend.allSatisfy(\.isFinite) else { return nil }
        // The pipeline's own columns, by name and type, or it is not the one this stands for.
        let names = derived.map(\.name), types: [DataType] = [data.keys.type, .date, .date, .int, .double, .double, .int]
        let expected = outputs.map(\.name) + [derived[6].name]
        guard names == [roles.customer, "first_order", "last_order", "orders", "spend", "avg_order", "days_since_last"],
              expected == names, zip(types, derived).allSatisfy({ $0 == $1.expr.type }) else { return nil }
        let n = rows?.count ?? data.customerCount
        let asOf = Int64(data.asOf)
        // SAFETY: each row number is a customer number below customerCount, the count of the
        // summary's arrays (the filter that chose them ran over a table of customerCount rows);
        // each new array's n slots are written once.
        func make<T: BitwiseCopyable>(_ value: (Int) -> T) -> [T] {
            guard let rows else { return FreshMemory.array(count: n) { out in for c in 0..<n { out.initializeElement(at: c, to: value(c)) } } }
            precondition(rows.allSatisfy { $0 >= 0 && Int($0) < data.customerCount }, "a customer outside the summary")
            return FreshMemory.array(count: n) { out in for k in 0..<n { out.initializeElement(at: k, to: value(Int(rows[k]))) } }
        }
        func column(_ i: Int) -> Column {
            switch i {
            case 0: return rows.map { data.keys.gather($0) } ?? data.keys
            case 1: return Column(.date(rows == nil ? s.first : make { s.first[$0] }))
            case 2: return Column(.date(rows == nil ? s.last : make { s.last[$0] }))
            case 3: return Column(.int(make { Int64(s.transactions[$0]) }))
            case 4: return Column(.double(rows == nil ? s.spend : make { s.spend[$0] }))
            case 5: return Column(.double(make { s.spend[$0] / Double(s.transactions[$0]) }))
            default: return Column(.int(make { asOf - Int64(s.last[$0]) }))
            }
        }
        let positions = wanted ?? Array(0..<7)
        return Table(columnNames: positions.map { names[$0] }, columns: positions.map(column), rowCount: n)
    }

    /// `steps` run over `base` (the table of customers360's first three steps).
    private func runAfterSummary(_ base: Table, _ steps: [PlanStep], schema: Schema, notes: EvaluationNotes) throws(Diagnostic) -> Table {
        let name = "\u{0}" + Customers360.name
        var rest = executor(notes)
        rest = Executor(table: { [unowned self] in $0 == name ? base : self.tables[$0] ?? self.numberedTable($0) }, notes: notes,
                        resolve: rest.resolve, analytics: rest.analytics, listing: rest.listing, isCancelled: rest.isCancelled,
                        memoryLimit: rest.memoryLimit, calendar: rest.calendar, language: rest.language)
        return try rest.run(Plan(source: .table(name), steps: steps, schema: schema))
    }

    /// customers360's pipeline as clubsh makes it, split where the summary ends: the join with
    /// `customers` (a left join, so every customer stays) and the select after it. Nil when
    /// customers360 is the user's own, is kept already, or has another shape.
    private func customers360Join() -> (plan: Plan, join: PlanStep, leftCount: Int, select: [(name: String, expr: TypedExpr)])? {
        let name = Customers360.name
        guard transactions != nil, definitions[name] == nil, cache[name]?.version != versions[name] ?? 0,
              let plan = try? checkedPlan(name), plan.steps.count == 5,
              case .join(left: true, _, _, _, let rightColumns, let names) = plan.steps[3],
              case .project(let select) = plan.steps[4] else { return nil }
        return (plan, plan.steps[3], names.count - rightColumns.count, select)
    }

    /// A segment of customers360 (`segment vip = customers360 where spend >= 500 and city ==
    /// "Tehran"`) computed without making customers360 whole: the conjuncts of its condition
    /// that read only the summary's columns filter the customers before the join with
    /// `customers`, the others after it. A filter over a left join's left columns keeps the same
    /// rows in the same order whether it runs before the join or after, so the segment is the
    /// same table; only conditions that can give no warning (comparisons, `and`, `or`, `not`,
    /// `in`, `is null` of columns and values) are split, so the warnings are the same too. Nil
    /// when that does not apply: the segment is then computed from customers360 as usual.
    func customers360Segment(_ name: String, _ plan: Plan, notes: EvaluationNotes) throws(Diagnostic) -> Table? {
        guard case .segment(let base)? = definitions[name]?.kind, base == Customers360.name,
              case .result(base, _) = plan.source, case .filter(let condition)? = plan.steps.first,
              let (c360, join, leftCount, select) = customers360Join() else { return nil }
        let conjuncts = condition.conjuncts
        guard conjuncts.allSatisfy(\.givesNoWarning) else { return nil }
        // Where each column of customers360 comes from before the join: a summary column, or -1.
        let before = select.map { column -> Int in
            if case .column(let i, _) = column.expr, i < leftCount { return i }
            return -1
        }
        var early: [TypedExpr] = [], late: [TypedExpr] = []
        for c in conjuncts {
            if c.columnsRead.allSatisfy({ before[$0] >= 0 }) { early.append(c.renumbered(before)) } else { late.append(c) }
        }
        guard !early.isEmpty else { return nil }
        // The early conjuncts over the columns they read alone; then the seven columns of the
        // customers they keep.
        let predicate = TypedExpr.allOf(early), read = predicate.columnsRead.sorted()
        var narrow = [Int](repeating: -1, count: leftCount)
        for (k, p) in read.enumerated() { narrow[p] = k }
        guard let some = try customers360Summary(c360, columns: read) else { return nil }
        let keep = FilterOperator.selection(executor(notes).evaluator(some).eval(predicate.renumbered(narrow)), some.rowCount)
        if isCancelled() { throw Diagnostic.interrupted }
        guard let summary = try customers360Summary(c360, rows: keep) else { return nil }
        let steps = [join, c360.steps[4]] + (late.isEmpty ? [] : [PlanStep.filter(.allOf(late))]) + plan.steps.dropFirst()
        return try runAfterSummary(summary, steps, schema: plan.schema, notes: notes)
    }

    /// The rows of customers360 without making it, when it is clubsh's own, not kept, and made
    /// from the summary joined to `customers` on one whole-number key: each customer's matches
    /// in `customers`, or one row for a customer without any. Kept per version of customers360.
    func customers360Rows(_ name: String) throws(Diagnostic) -> Int? {
        guard name == Customers360.name else { return nil }
        let version = versions[name] ?? 0
        if let kept = customers360RowCount, kept.version == version { return kept.rows }
        guard let (c360, join, _, _) = customers360Join(),
              case .join(left: true, let right, let leftKeys, let rightKeys, _, _) = join,
              leftKeys.count == 1, case .column(0, _) = leftKeys[0], JoinOperator.indexes(leftKeys, rightKeys),
              let summary = try customers360Summary(c360, columns: [0]) else { return nil }
        let notes = EvaluationNotes()
        let rightTable = try executor(notes).run(right)
        guard let index = Join.IntegerIndex(executor(notes).evaluator(rightTable).column(rightKeys[0])),
              index.probes(summary.columns[0]) else { return nil }
        let rows = index.rowCount(summary.columns[0], keepUnmatched: true)
        customers360RowCount = (version, rows)
        return rows
    }
}

extension TypedExpr {
    /// The parts of an `and` (each of a chain of `and`s), or the expression itself.
    var conjuncts: [TypedExpr] {
        switch self {
        case .binary(.and, let a, let b, _): return a.conjuncts + b.conjuncts
        case .chain(let first, let links) where links.allSatisfy({ $0.op == .and }):
            return first.conjuncts + links.flatMap(\.operand.conjuncts)
        default: return [self]
        }
    }

    /// The conjuncts joined by `and` again (in three-valued logic a row passes all of them
    /// exactly when it passes their `and`).
    static func allOf(_ parts: [TypedExpr]) -> TypedExpr {
        parts.dropFirst().reduce(parts[0]) { .binary(.and, $0, $1, .bool) }
    }

    /// Whether evaluating the expression can never add a warning (a division by zero, an
    /// overflow, a date out of range): comparisons, `and`, `or`, `not`, `in` and `is null` over
    /// columns and values only, which compute nothing that can fail.
    var givesNoWarning: Bool {
        func plain(_ e: TypedExpr) -> Bool {
            switch e {
            case .column, .constant: return true
            default: return false
            }
        }
        switch self {
        case .column, .constant: return true
        case .binary(let op, let a, let b, _):
            if op == .and || op == .or { return a.givesNoWarning && b.givesNoWarning }
            return op.isComparison && plain(a) && plain(b)
        case .unary(.not, let a, _): return a.givesNoWarning
        case .isNull(let a, _), .inList(let a, _, _): return plain(a)
        case .chain(let first, let links):
            return links.allSatisfy({ $0.op == .and || $0.op == .or }) && first.givesNoWarning && links.allSatisfy(\.operand.givesNoWarning)
        case .unary, .function: return false
        }
    }
}

/// `where`/`select`/`derive`/`join` steps ending in an `agg`, run a block of rows at a time: each block
/// of the input goes through the steps and a partial aggregate, and the partials are
/// aggregated once more. On a large table the filtered, derived and key columns then exist for
/// one block at a time (a few tens of MB) instead of for every row: `orders | where date >= … |
/// agg … by month = month_start(date)` over 100 million orders needs no copy of the half that
/// passes, and a join of orders to customers makes no row numbers or right-hand columns for
/// every order (the customers are indexed once, for all the blocks; only a join on one integer
/// or date key of the same type on both sides). Only aggregates that combine exactly run this way: `count`, `min`, `max`, `first`,
/// `last`, and `sum` and `avg` of doubles (a partial sum with its count; a table where a block's
/// sum is infinite or has no value goes back to one pass). Integer sums stay on the one-pass
/// path, where a sum may leave 64 bits and come back.
///
/// Groups come out in order of first appearance, as one pass gives them: each block's groups
/// are in that order, and the partials are grouped again in block order. Partials of more than
/// one row per `reductionLimit` rows read turn the work back to the one-pass path (the blocks'
/// warnings left out), so keys of many values cost no more memory than before.
enum BlockedAggregate {
    /// Rows per block (`Executor.blockRows`).
    static var blockRows: Int { 1 << 20 }
    /// The blocks must reduce their rows to at most one group per this many.
    static var reductionLimit: Int { 16 }

    /// The steps `steps[start…end]` when they can run by blocks over `table`: `end` is the
    /// aggregate; nil otherwise.
    static func run(_ table: Table, _ steps: [PlanStep], from start: Int, blockRows: Int) -> Int? {
        guard table.rowCount >= 2 * blockRows else { return nil }
        var end = start
        while end < steps.count {
            switch steps[end] {
            case .filter, .project: end += 1
            case .join(_, _, let leftKeys, let rightKeys, _, _):
                // Only a join whose right side is indexed once for every block.
                guard JoinOperator.indexes(leftKeys, rightKeys) else { return nil }
                end += 1
            case .aggregate(_, let calls, _):
                return calls.allSatisfy(combines) ? end : nil
            default: return nil
            }
        }
        return nil
    }

    /// An aggregate whose partials combine into exactly the one-pass answer.
    private static func combines(_ call: AggregateCall) -> Bool {
        switch call.function {
        case .count, .min, .max, .first, .last: return true
        case .sum, .avg: return call.argument?.type == .double
        default: return false
        }
    }

    /// Runs `steps` (filters, projections and joins, then an aggregate) over `table` a block at
    /// a time; nil when the keys turn out to have too many values for blocks, or a block's sum
    /// may not be the one pass's.
    static func evaluate(_ table: Table, steps: [PlanStep], in executor: Executor) throws(Diagnostic) -> Table? {
        guard case .aggregate(let keys, let calls, let outputs) = steps.last else { return nil }
        // Per call, the partial aggregates it needs: sum and avg also count their values.
        var partial: [AggregateCall] = []
        var slots: [(value: Int, count: Int?)] = []
        for call in calls {
            switch call.function {
            case .sum, .avg:
                slots.append((partial.count, partial.count + 1))
                partial.append(AggregateCall(function: .sum, argument: call.argument, fraction: 0, type: .double))
                partial.append(AggregateCall(function: .count, argument: call.argument, fraction: 0, type: .int))
            default:
                slots.append((partial.count, nil))
                partial.append(call)
            }
        }
        let keyCount = keys.count
        let identity = (0..<(keyCount + partial.count)).map { i -> (name: String, expr: TypedExpr) in
            let type = i < keyCount ? keys[i].expr.type : partial[i - keyCount].type
            return ("_p\(i)", .column(i, type))
        }
        let blockSteps = Array(steps.dropLast()) + [.aggregate(keys: keys, calls: partial, outputs: identity)]
        // Each join's right table and index, made once for all the blocks.
        var joins: [Int: JoinOperator.Prepared] = [:]
        for (k, step) in blockSteps.enumerated() {
            if let join = step.physical as? JoinOperator { joins[k] = try join.prepare(in: executor) }
        }
        // The blocks' warnings are kept apart until the blocks are known to do.
        let notes = EvaluationNotes()
        var blocked = executor
        blocked.notes = notes
        var parts: [Table] = []
        var start = 0, partRows = 0
        while start < table.rowCount {
            if executor.isCancelled() { throw Diagnostic.interrupted }
            let end = min(start + executor.blockRows, table.rowCount)
            let block = Table(columnNames: table.columnNames, columns: table.columns.map { $0.rows(in: start..<end) }, rowCount: end - start)
            let part = try blocked.runSteps(block, blockSteps, joins: joins)
            parts.append(part)
            partRows += part.rowCount
            // The partials so far must stay under one row per `reductionLimit` rows read, so
            // they never hold more than a small share of what one pass would.
            if partRows * reductionLimit > end { return nil }
            start = end
        }
        let combined = Table(columnNames: identity.map(\.name), columns: (0..<identity.count).map { c in Column.concatenate(parts.map { $0.columns[c] }) },
                             rowCount: parts.reduce(0) { $0 + $1.rowCount })
        // A block's sum that is infinite, or that has values but no sum (+inf and -inf), may
        // not be the one pass's (a sum past the largest double can come back below it): such
        // rare tables take the one pass instead.
        for slot in slots {
            guard let counted = slot.count else { continue }
            let sums = combined.columns[keyCount + slot.value], counts = combined.columns[keyCount + counted]
            guard case .double(let values) = sums.storage else { return nil }
            for i in 0..<combined.rowCount where sums.isNull(i) ? count(counts, i) > 0 : !values[i].isFinite { return nil }
        }
        executor.notes.add(notes)
        return combine(combined, keyCount: keyCount, calls: calls, partial: partial, slots: slots, keys: keys, outputs: outputs, in: executor)
    }

    /// The partials aggregated again: counts added, sums added, minima of minima, first of firsts.
    private static func combine(_ combined: Table, keyCount: Int, calls: [AggregateCall], partial: [AggregateCall], slots: [(value: Int, count: Int?)],
                                keys: [(name: String, expr: TypedExpr)], outputs: [(name: String, expr: TypedExpr)], in executor: Executor) -> Table {
        let grouping = Grouping(columns: Array(combined.columns.prefix(keyCount)), n: combined.rowCount)
        var columns = combined.columns.prefix(keyCount).map { $0.gather(grouping.firstRow) }
        var warnings = AggregateWarnings()
        func again(_ k: Int, _ function: AggregateFunction, _ type: DataType) -> Column {
            let column = combined.columns[keyCount + k]
            return Aggregates.compute(AggregateCall(function: function, argument: .column(keyCount + k, type), fraction: 0, type: type),
                                      input: column, grouping: grouping, warnings: &warnings)
        }
        for (call, slot) in zip(calls, slots) {
            switch call.function {
            case .count: columns.append(again(slot.value, .sum, .int))
            case .sum, .avg:
                columns.append(finish(again(slot.value, .sum, .double), again(slot.count!, .sum, .int), mean: call.function == .avg))
            default: columns.append(again(slot.value, call.function, call.type))
            }
        }
        executor.notes.overflow += warnings.overflow
        executor.notes.undefined += warnings.undefined
        let intermediate = Table(columnNames: keys.map(\.name) + calls.indices.map { "_agg\($0)" }, columns: columns, rowCount: grouping.count)
        let outer = executor.evaluator(intermediate)
        return Table(columnNames: outputs.map(\.name), columns: outputs.map { outer.column($0.expr) }, rowCount: grouping.count)
    }

    /// A sum (or mean) per group from the added partial sums and counts: null without values.
    private static func finish(_ sums: Column, _ counts: Column, mean: Bool) -> Column {
        guard case .double(var values) = sums.storage else { return sums }
        var validity = sums.validity ?? Bitmap(count: values.count)
        for g in values.indices {
            let n = count(counts, g)
            if n == 0 {
                validity.set(g, false)
                values[g] = 0
            } else if mean {
                values[g] /= Double(n)
            }
        }
        return Column(.double(values), validity: validity)
    }

    /// Row `i` of a count (an integer column without nulls).
    private static func count(_ c: Column, _ i: Int) -> Int64 {
        switch c.storage {
        case .int(let a): return a[i]
        case .int32(let a): return Int64(a[i])
        default: return 0
        }
    }
}

extension Column {
    /// The rows in `range`, copied.
    func rows(in range: Range<Int>) -> Column {
        var validity: Bitmap?
        if let v = self.validity {
            var part = Bitmap(count: range.count)
            for i in range where !v.isValid(i) { part.set(i - range.lowerBound, false) }
            validity = part
        }
        var c: Column
        switch storage {
        case .int(let a): c = Column(.int(Array(a[range])), validity: validity)
        case .int32(let a): c = Column(.int32(Array(a[range])), validity: validity)
        case .double(let a): c = Column(.double(Array(a[range])), validity: validity)
        case .bool(let a): c = Column(.bool(Array(a[range])), validity: validity)
        case .date(let a): c = Column(.date(Array(a[range])), validity: validity)
        case .dateTime(let a): c = Column(.dateTime(Array(a[range])), validity: validity)
        case .string(let codes, let d): c = Column(.string(Array(codes[range]), d), validity: validity)
        }
        c.display = display
        return c
    }

    /// The columns' rows one after another (all of one type): appended when they share their
    /// storage kind and string dictionary, else joined two at a time.
    static func concatenate(_ parts: [Column]) -> Column {
        guard var result = parts.first else { return Column(.int([])) }
        let total = parts.reduce(0) { $0 + $1.count }
        var validity: Bitmap?
        if parts.contains(where: { $0.validity != nil }) {
            var v = Bitmap(count: total)
            var at = 0
            for p in parts {
                for i in 0..<p.count where p.isNull(i) { v.set(at + i, false) }
                at += p.count
            }
            validity = v
        }
        func append<T>(_ first: [T], _ pick: (Column) -> [T]?) -> [T]? {
            var all = first
            all.reserveCapacity(total)
            for p in parts.dropFirst() {
                guard let more = pick(p) else { return nil }
                all.append(contentsOf: more)
            }
            return all
        }
        var storage: ColumnStorage?
        switch result.storage {
        case .int(let a): storage = append(a) { if case .int(let x) = $0.storage { x } else { nil } }.map { .int($0) }
        case .int32(let a): storage = append(a) { if case .int32(let x) = $0.storage { x } else { nil } }.map { .int32($0) }
        case .double(let a): storage = append(a) { if case .double(let x) = $0.storage { x } else { nil } }.map { .double($0) }
        case .bool(let a): storage = append(a) { if case .bool(let x) = $0.storage { x } else { nil } }.map { .bool($0) }
        case .date(let a): storage = append(a) { if case .date(let x) = $0.storage { x } else { nil } }.map { .date($0) }
        case .dateTime(let a): storage = append(a) { if case .dateTime(let x) = $0.storage { x } else { nil } }.map { .dateTime($0) }
        case .string(let a, let d):
            storage = append(a) { if case .string(let x, let e) = $0.storage, e === d { x } else { nil } }.map { .string($0, d) }
        }
        if let storage {
            result = Column(storage, validity: validity)
        } else {
            for p in parts.dropFirst() { result = Join.concatenate(result, p) }
        }
        result.display = parts[0].display
        return result
    }
}

extension EvaluationNotes {
    /// Adds another run's warnings to these.
    func add(_ other: EvaluationNotes) {
        divisionByZero += other.divisionByZero
        overflow += other.overflow
        outOfDomain += other.outOfDomain
        undefined += other.undefined
        dateOutOfRange += other.dateOutOfRange
        durationOverflow += other.durationOverflow
        outsideJalaliYears += other.outsideJalaliYears
    }
}

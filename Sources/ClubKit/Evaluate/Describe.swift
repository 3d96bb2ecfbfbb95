/// `describe`: one row per column with its type, nulls, distinct values, min and max.
enum Describe {
    static func table(_ t: Table) -> Table {
        var names: [String] = [], types: [String] = [], nulls: [Int64] = [], distinct: [Int64] = []
        var mins: [String] = [], maxs: [String] = [], bytes: [Int64] = []
        var minNull: [Bool] = [], maxNull: [Bool] = []
        for (name, c) in zip(t.columnNames, t.columns) {
            names.append(name)
            types.append(c.type.rawValue)
            nulls.append(Int64(c.nullCount))
            let g = Grouping(columns: [c], n: c.count)
            distinct.append(Int64(g.count - (c.nullCount > 0 ? 1 : 0)))
            let one = Grouping(columns: [], n: c.count)
            let lo = Aggregates.compute(AggregateCall(function: .min, argument: nil, fraction: 0, type: c.type), input: c, grouping: one)
            let hi = Aggregates.compute(AggregateCall(function: .max, argument: nil, fraction: 0, type: c.type), input: c, grouping: one)
            let (a, b) = c.count == 0 ? (Value.null, Value.null) : (lo.value(at: 0), hi.value(at: 0))
            mins.append(ValueFormat.display(a)); minNull.append(a.isNull)
            maxs.append(ValueFormat.display(b)); maxNull.append(b.isNull)
            bytes.append(Int64(c.bytes))
        }
        return Table(columnNames: ["column", "type", "nulls", "distinct", "min", "max", "bytes"],
                     columns: [stringColumn(names), stringColumn(types), Column(.int(nulls)), Column(.int(distinct)),
                               stringColumn(mins, nulls: minNull), stringColumn(maxs, nulls: maxNull), Column(.int(bytes))],
                     rowCount: names.count)
    }
}

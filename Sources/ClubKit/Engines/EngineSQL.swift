import Foundation

/// The SQL side of running a plan in an engine: the plan compiled in the engine's dialect, names
/// quoted its way, and answers converted to the types the plan promised.
enum EngineSQL {
    /// The query that computes `plan` over the engine's `table`.
    static func compile(_ plan: Plan, table: String, for kind: EngineKind) throws(Diagnostic) -> String {
        let columns = plan.schema.names.map { quote($0, for: kind) }.joined(separator: ", ")
        guard plan.steps.isEmpty else {
            throw Diagnostic("steps over an engine's table need the SQL compiler, which this build lacks", at: .statement)
        }
        return "SELECT \(columns.isEmpty ? "*" : columns) FROM \(quote(table, for: kind))"
    }

    /// A quoted identifier: `"a ""b"""` in PostgreSQL, `` `a ``b` `` in Spark.
    static func quote(_ name: String, for kind: EngineKind) -> String {
        switch kind {
        case .postgres: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        case .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        }
    }

    /// `column` as `type`, value by value (answers are small): an engine's bigint count or
    /// numeric sum read where the plan promised a double or an int. A value that does not fit
    /// becomes null rather than wrapping.
    static func convert(_ column: Column, to type: DataType) -> Column {
        var builder = TextColumnBuilder(type)
        for i in 0..<column.count {
            let v = column.value(at: i)
            switch (v, type) {
            case (.null, _): builder.append(nil)
            case (.double(let d), .int):
                builder.append(d == d.rounded() && abs(d) < 9.2e18 ? Substring(String(Int64(d))) : nil)
            case (.dateTime(let s), .date): builder.append(Substring(CivilDate.format(Int32(clamping: floorDiv(s, 86400)))))
            case (.date(let d), .datetime): builder.append(Substring(CivilDate.format(d) + " 00:00:00"))
            case (.bool(let b), _): builder.append(type == .int || type == .double ? (b ? "1" : "0") : (b ? "true" : "false"))
            default: builder.append(Substring(ValueFormat.plain(v)))
            }
        }
        return builder.column()
    }
}

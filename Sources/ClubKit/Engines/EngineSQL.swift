import Foundation

/// The SQL side of running a plan in an engine: the plan compiled in the engine's dialect, names
/// quoted its way, and answers converted to the types the plan promised.
enum EngineSQL {
    /// The query that computes `plan` in the engine: its tables named as the engine knows them
    /// (`pg.orders` → `"orders"`). A step or function the dialect cannot express is an error
    /// naming it; nothing is run here instead.
    static func compile(_ plan: Plan, for kind: EngineKind, catalog: SessionCatalog, tableName: @escaping (String) -> String) throws(Diagnostic) -> String {
        let compiler = catalog.sqlCompiler(kind == .postgres ? .postgres : .spark, at: .statement)
        do {
            return try compiler.compile(plan, tableName: tableName)
        } catch {
            throw Diagnostic("cannot run in \(kind.rawValue): \(error.message)", at: .statement,
                             hint: "an engine's tables are never pulled here whole; compute less there, or copy the table here first (`t = pg.orders`)")
        }
    }

    /// The tables `plan` reads: its source's, a named result's, and those of joined plans. A
    /// listing is named as such (`@tables`): it is made here.
    /// The analytics commands read the transactions of `use` (`transactions`), or are named as
    /// such when there are none.
    /// `sides` names the tables among `customers` and `feedback` that exist (here or in the
    /// engine): `types` reads both and the `kpi` board `feedback`, beside the transactions.
    static func tables(of plan: Plan, transactions: String?, sides: Set<String> = []) -> [String] {
        var names: [String]
        switch plan.source {
        case .table(let n): names = [n]
        case .result(_, let inner): names = tables(of: inner, transactions: transactions, sides: sides)
        case .analytics(let command, _): names = [transactions ?? "@" + command.name] + sideTables(of: command).filter(sides.contains)
        case .listing(let n, _): names = ["@" + n]
        }
        for step in plan.steps {
            if case .join(_, let right, _, _, _, _) = step { names += tables(of: right, transactions: transactions, sides: sides) }
        }
        return names
    }

    /// The tables an analytics command reads beside the transactions, when they exist.
    static func sideTables(of command: AnalyticsCommand) -> [String] {
        switch command.name {
        case "types": return ["customers", "feedback"]
        case "kpi":
            var args = CommandArguments(command)
            if case .board? = try? KPICommand.options(&args) { return ["feedback"] }
            return []
        default: return []
        }
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

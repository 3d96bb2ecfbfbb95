import Foundation

/// An engine attached to the session, with what clubsh knows of its tables: their names (read
/// at `attach` and after each upload) and the schemas asked for so far.
final class AttachedEngine {
    let name: String
    let engine: Engine
    /// The connection string or master URL, as given.
    let target: String
    var tableNames: [String]
    var schemas: [String: Schema] = [:]
    /// The first day of transactions found there (`cohort`'s columns), by table, roles and
    /// as-of date; forgotten when clubsh writes the table.
    var firstDays: [String: Int32?] = [:]
    /// The amounts' scale (`Money`) per table, roles and as-of date, asked of the engine once
    /// per upload.
    var moneyScales: [String: Int?] = [:]

    init(name: String, engine: Engine, target: String) throws(EngineError) {
        self.name = name
        self.engine = engine
        self.target = target
        tableNames = try engine.tableNames()
    }

    /// A table's schema, asked of the engine once.
    func schema(of table: String) -> Schema? {
        if let s = schemas[table] { return s }
        guard tableNames.contains(table), let s = try? engine.schema(of: table) else { return nil }
        schemas[table] = s
        return s
    }
}

extension SessionCatalog {
    // MARK: - attach and detach

    /// `attach postgres "…" as pg`: connects, and lists the engine's tables as `pg.NAME`.
    func attach(_ kind: String, target: String, as alias: Name, at location: SourceLocation) throws(Diagnostic) -> [Output] {
        guard engines[alias.text] == nil else {
            throw Diagnostic("`\(alias.text)` is already attached", at: alias.location, hint: "detach \(alias.text) first, or choose another name")
        }
        guard tables[alias.text] == nil, definition(alias.text) == nil else {
            throw Diagnostic("`\(alias.text)` already names a table or result", at: alias.location, hint: "choose another name for the engine")
        }
        let attached: AttachedEngine
        do throws(EngineError) {
            let engine: Engine = switch EngineKind(rawValue: kind) {
            case .postgres?: try PostgresEngine(target)
            case .spark?: try SparkEngine(master: target, isCancelled: isCancelled)
            case nil: throw EngineError("unknown engine `\(kind)`")
            }
            attached = try AttachedEngine(name: alias.text, engine: engine, target: target)
        } catch {
            throw error.diagnostic(kind, at: location)
        }
        change(\.engines, alias.text, to: attached)
        appendUndoably(\.engineOrder, alias.text)
        touch(Dependencies.catalog)
        let shown = attached.tableNames.prefix(8).map { "\(alias.text).\($0)" }.joined(separator: ", ")
        return [.message("attached \(kind) as \(alias.text): \(count(attached.tableNames.count, "table"))"
                         + (shown.isEmpty ? "" : " (\(shown)\(attached.tableNames.count > 8 ? ", …" : ""))"))]
    }

    /// `detach pg`: refused while a result, segment or `use` reads one of its tables.
    func detach(_ alias: Name) throws(Diagnostic) -> [Output] {
        guard let attached = engines[alias.text] else {
            throw Diagnostic("no engine is attached as `\(alias.text)`", at: alias.location,
                             hint: Suggest.hint(for: alias.text, among: engineOrder) ?? (engineOrder.isEmpty ? "attach one with `attach postgres \"…\" as \(alias.text)`" : "attached: \(engineOrder.joined(separator: ", "))"))
        }
        let prefix = alias.text + "."
        var users = readers.filter { $0.key.hasPrefix(prefix) }.flatMap(\.value).filter { !$0.hasPrefix("@") && !$0.hasPrefix("_") }
        if let roles = transactions, roles.table.hasPrefix(prefix) { users.append("use \(roles.table)") }
        if !users.isEmpty {
            let names = Set(users).sorted().map { "`\($0)`" }.joined(separator: ", ")
            throw Diagnostic("\(alias.text) is read by \(names)", at: alias.location, hint: "drop them first (or `use` another table)")
        }
        let traffic = attached.engine.traffic
        attached.engine.close()
        change(\.engines, alias.text, to: nil)
        if let i = engineOrder.firstIndex(of: alias.text) { engineOrder.remove(at: i) }
        touch(Dependencies.catalog)
        return [.message("detached \(alias.text): \(EngineTraffic.bytes(traffic.received)) received, \(EngineTraffic.bytes(traffic.sent)) sent since attach")]
    }

    // MARK: - Remote names

    /// `pg.orders` → the engine attached as `pg` and its table `orders`.
    func remote(_ name: String) -> (engine: AttachedEngine, table: String)? {
        guard let dot = name.firstIndex(of: "."), let attached = engines[String(name[..<dot])] else { return nil }
        return (attached, String(name[name.index(after: dot)...]))
    }

    /// The schema of `pg.orders`, asked of the engine once.
    func remoteSchema(_ name: String) -> Schema? {
        guard let (attached, table) = remote(name) else { return nil }
        return attached.schema(of: table)
    }

    /// Every attached engine's tables as `pg.orders`, for "did you mean" and Tab.
    var remoteTableNames: [String] {
        engineOrder.flatMap { e in engines[e]!.tableNames.map { "\(e).\($0)" } }
    }

    // MARK: - Running there

    /// Runs `plan` in its engine when its source is an attached engine's table, giving the answer
    /// as a local table; nil for any other source. A step the engine's SQL cannot express is an
    /// error naming it: a whole remote table is never pulled local behind the user's back.
    func runRemotely(_ plan: Plan) throws(Diagnostic) -> Table? {
        // `types` and the `kpi` board read `customers` and `feedback` where they are loaded, or
        // in the engine of the transactions.
        let home = transactions.flatMap { tables[$0.table] == nil ? remote($0.table)?.engine : nil }
        let sides = Set(["customers", "feedback"].filter { tables[$0] != nil || home?.tableNames.contains($0) == true })
        let names = EngineSQL.tables(of: plan, transactions: transactions?.table, sides: sides)
        var engines = names.map { tables[$0] == nil ? remote($0)?.engine : nil }
        guard let attached = engines.compactMap({ $0 }).first else { return nil }
        // customers360 joins the `customers` table: over an engine's transactions, the engine's
        // own `customers` (uploaded with `export customers to pg.customers`); so do `types`
        // (and `feedback`) and the `kpi` board.
        for (k, name) in names.enumerated() where (name == "customers" || name == "feedback") && engines[k] == nil && attached.tableNames.contains(name) {
            engines[k] = attached
        }
        // A pipeline runs in one place: all its tables in one engine.
        for (name, engine) in zip(names, engines) where engine !== attached {
            let what = name.hasPrefix("@") ? "`\(name.dropFirst())` is computed in clubsh" : engine == nil ? "`\(name)` is a table here" : "`\(name)` is in another engine"
            throw Diagnostic("cannot run in \(attached.name): \(what), not in \(attached.name)", at: .statement,
                             hint: name.hasPrefix("@") ? nil : engine == nil ? "export it there first: export \(name) to \(attached.name).\(name)" : "copy one side here first (t = \(name))")
        }
        // A chart is drawn here, from the answer.
        var remotePlan = plan
        var local: [PlanStep] = []
        while case .chart? = remotePlan.steps.last { local.insert(remotePlan.steps.removeLast(), at: 0) }
        let kind = attached.engine.kind
        let sql = try EngineSQL.compile(remotePlan, for: kind, catalog: self) { [unowned self] in EngineSQL.quote(self.remote($0)?.table ?? $0, for: kind) }
        var answer: Table
        do throws(EngineError) {
            answer = try attached.engine.query(sql, isCancelled: isCancelled)
        } catch {
            throw error.diagnostic(attached.engine.kind.rawValue, at: .statement)
        }
        answer = try conform(answer, to: remotePlan.schema, engine: attached)
        guard !local.isEmpty else { return answer }
        let notes = EvaluationNotes()
        let executor = executor(notes)
        for step in local { answer = try step.physical.run(answer, in: executor) }
        return answer
    }

    /// The engine's answer under the names and types the plan promised: an engine may widen a
    /// type (a count comes as bigint, an average as numeric), which is converted back here.
    private func conform(_ answer: Table, to schema: Schema, engine: AttachedEngine) throws(Diagnostic) -> Table {
        guard answer.columns.count == schema.fields.count else {
            throw Diagnostic("internal error: \(engine.engine.kind.rawValue) gave \(answer.columns.count) columns for \(schema.fields.count)", at: .statement)
        }
        var columns: [Column] = []
        for (c, field) in zip(answer.columns, schema.fields) {
            columns.append(c.type == field.type ? c : EngineSQL.convert(c, to: field.type))
        }
        return Table(columnNames: schema.names, columns: columns, rowCount: answer.rowCount)
    }

    /// How many rows an engine's table has, counted there (a segment's base).
    func remoteRowCount(_ name: String) throws(Diagnostic) -> Int {
        guard let (attached, table) = remote(name) else { return 0 }
        do throws(EngineError) {
            let t = try attached.engine.query("SELECT count(*) FROM \(EngineSQL.quote(table, for: attached.engine.kind))", isCancelled: isCancelled)
            guard t.rowCount == 1, case .int(let n) = EngineSQL.convert(t.columns[0], to: .int).value(at: 0) else { return 0 }
            return Int(n)
        } catch {
            throw error.diagnostic(attached.engine.kind.rawValue, at: .statement)
        }
    }

    /// Whether `plan` runs in an attached engine: a table it reads (through the results it
    /// reads too) is an engine's.
    func runsInEngine(_ plan: Plan) -> Bool {
        EngineSQL.tables(of: plan, transactions: transactions?.table).contains { tables[$0] == nil && remote($0) != nil }
    }

    /// How many rows a named result computed in an engine has, counted there when it is not at
    /// hand (a segment's base, such as customers360 over `use pg.orders`: its rows stay there).
    /// Nil for a result computed here.
    func remoteResultRowCount(_ name: String) throws(Diagnostic) -> Int? {
        guard isDefinition(name) else { return nil }
        if let hit = cache[name], hit.version == versions[name] ?? 0 { return hit.table.rowCount }
        let plan = try checkedPlan(name)
        guard runsInEngine(plan),
              let attached = EngineSQL.tables(of: plan, transactions: transactions?.table).lazy.compactMap({ self.tables[$0] == nil ? self.remote($0)?.engine : nil }).first
        else { return nil }
        let kind = attached.engine.kind
        var sql = try EngineSQL.compile(plan, for: kind, catalog: self) { [unowned self] in EngineSQL.quote(self.remote($0)?.table ?? $0, for: kind) }
        while let last = sql.last, last == ";" || last.isWhitespace { sql.removeLast() }
        do throws(EngineError) {
            let t = try attached.engine.query("SELECT count(*) FROM (\n\(sql)\n) AS clubsh_counted", isCancelled: isCancelled)
            guard t.rowCount == 1, case .int(let n) = EngineSQL.convert(t.columns[0], to: .int).value(at: 0) else { return nil }
            return Int(n)
        } catch {
            throw error.diagnostic(kind.rawValue, at: .statement)
        }
    }

    /// The latest day in an engine's date or date-time column, found there (`use pg.orders`).
    func remoteLatestDay(_ name: String, column: String) throws(Diagnostic) -> Int32? {
        guard let (attached, table) = remote(name) else { return nil }
        let kind = attached.engine.kind
        do throws(EngineError) {
            let t = try attached.engine.query("SELECT max(\(EngineSQL.quote(column, for: kind))) FROM \(EngineSQL.quote(table, for: kind))", isCancelled: isCancelled)
            switch t.rowCount == 1 ? t.columns[0].value(at: 0) : .null {
            case .date(let d): return d
            case .dateTime(let s): return Int32(clamping: floorDiv(s, 86400))
            default: return nil
            }
        } catch {
            throw error.diagnostic(kind.rawValue, at: .statement)
        }
    }

    /// The first day of the transactions of `use` in an engine's table — a row with a customer
    /// and a date on or before the as-of date, as the kernels keep them — found there by one
    /// small query and kept while clubsh does not write the table (`cohort`'s columns are its
    /// months). Nil when there is none.
    func remoteFirstDay(_ roles: TransactionRoles, asOf: Int32) throws(Diagnostic) -> Int32? {
        guard let (attached, table) = remote(roles.table), let schema = attached.schema(of: table),
              let dateField = schema.fields.first(where: { $0.name == roles.date }) else { return nil }
        let key = [table, roles.customer, roles.date, String(asOf)].joined(separator: "\u{1F}")
        if let kept = attached.firstDays[key] { return kept }
        let kind = attached.engine.kind
        let dialect: SQLDialect = kind == .postgres ? .postgres : .spark
        let day = dateField.type == .date ? dialect.quote(roles.date) : dialect.date(dialect.quote(roles.date))
        let sql = "SELECT min(\(day)) FROM \(EngineSQL.quote(table, for: kind)) WHERE \(dialect.quote(roles.customer)) IS NOT NULL AND \(day) <= \(dialect.literal(.date(asOf), .date))"
        let first: Int32?
        do throws(EngineError) {
            let t = try attached.engine.query(sql, isCancelled: isCancelled)
            switch t.rowCount == 1 ? t.columns[0].value(at: 0) : .null {
            case .date(let d): first = d
            case .dateTime(let s): first = Int32(clamping: floorDiv(s, 86400))
            default: first = nil
            }
        } catch {
            throw error.diagnostic(kind.rawValue, at: .statement)
        }
        attached.firstDays[key] = .some(first)
        return first
    }

    /// The scale of an engine's amounts of `use` (`Money`), by one query there: each amount's
    /// fewest decimal places (7 for none of 0…6), the largest amount and the rows, over the
    /// transactions that take part; the amounts are checked again when units pass 2^50, as in
    /// memory. Nil when there is none, or when the query fails (the compensated form is used).
    func remoteMoneyScale(_ roles: TransactionRoles, _ dialect: SQLDialect) -> Int? {
        guard let (attached, table) = remote(roles.table) else { return nil }
        let key = [table, roles.customer, roles.date, roles.amount, String(asOf)].joined(separator: "\u{0}")
        if let kept = attached.moneyScales[key] { return kept }
        let kind = attached.engine.kind
        let q = { (name: String) in EngineSQL.quote(name, for: kind) }
        let kept = "SELECT \(dialect.double("coalesce(\(q(roles.amount)), 0)")) AS x FROM \(q(table)) WHERE \(q(roles.customer)) IS NOT NULL AND "
            + "\(q(roles.date)) IS NOT NULL AND \(dialect.date(q(roles.date))) <= \(dialect.literal(.date(asOf), .date))"
        let onGrid = { (s: Int) in dialect.onMoneyGrid("x", scale: s) }
        let places = dialect.moneyPlaces("x")
        let ask = { (sql: String) in self.firstRow(sql, in: attached) }
        var scale: Int?
        if let row = ask("SELECT MAX(\(places)) AS s, MAX(abs(x)) AS m, COUNT(*) AS n FROM (\(kept)) AS t"), row.count == 3 {
            let s = Int(row[0] ?? 0), largest = row[1] ?? 0, rows = row[2] ?? 0
            if s <= Money.maxScale, largest * Money.powers[s] * rows < 0x1p63 {
                scale = s
                if largest * Money.powers[s] > 0x1p50, ask("SELECT COUNT(*) AS n FROM (\(kept)) AS t WHERE NOT (\(onGrid(s)))")?.first != 0 {
                    scale = nil
                }
            }
        }
        attached.moneyScales[key] = .some(scale)
        return scale
    }

    /// The answer's first row as numbers (an engine may give a count or a maximum in a wider
    /// type); nil when the query fails or gives no single row.
    private func firstRow(_ sql: String, in attached: AttachedEngine) -> [Double?]? {
        guard let t = try? attached.engine.query(sql, isCancelled: isCancelled), t.rowCount == 1 else { return nil }
        return t.columns.map { EngineSQL.convert($0, to: .double).value(at: 0).doubleValue }
    }

    /// The scale of an engine's double column `pg.orders`'s `amount` for `agg sum` (the
    /// in-memory rule, `sqlColumnMoneyScale`), by one query there over the whole column, asked
    /// once per table and column and again after an `export` to it; nil when there is none or
    /// the query fails (the compiled query then finds the scale of what it sums).
    func remoteColumnMoneyScale(_ name: String, _ column: String, _ dialect: SQLDialect) -> Int? {
        guard let (attached, table) = remote(name) else { return nil }
        let key = ["column", table, column].joined(separator: "\u{0}")
        if let kept = attached.moneyScales[key] { return kept }
        let kind = attached.engine.kind
        let x = dialect.double(EngineSQL.quote(column, for: kind))
        var scale: Int?
        let sql = "SELECT MAX(\(dialect.moneyPlaces("x"))) AS s, MAX(abs(x)) AS m, COUNT(*) AS n FROM (SELECT \(x) AS x FROM \(EngineSQL.quote(table, for: kind))) AS t"
        if let row = firstRow(sql, in: attached), row.count == 3 {
            let s = Int(row[0] ?? 0), largest = row[1] ?? 0, rows = row[2] ?? 0
            if s <= Money.maxScale, Money.fitsUnits(largest: largest, scale: s, count: Int(rows)) { scale = s }
        }
        attached.moneyScales[key] = .some(scale)
        return scale
    }

    /// Whether the transactions of `use` are an engine's table (their analytics run there).
    var transactionsAreRemote: Bool {
        guard let roles = transactions else { return false }
        return tables[roles.table] == nil && remote(roles.table) != nil
    }

    /// `export SOURCE to pg.NAME [overwrite]`: the source computed here (or there), written as
    /// the engine's table in one transaction.
    func exportToEngine(_ table: Table, target: Name, overwrite: Bool) throws(Diagnostic) -> [Output] {
        guard let (attached, name) = remote(target.text) else {
            throw Diagnostic("no engine is attached as `\(target.text.split(separator: ".").first ?? "")`", at: target.location,
                             hint: engineOrder.isEmpty ? "attach one first: attach postgres \"host=… dbname=…\" as pg" : "attached: \(engineOrder.joined(separator: ", "))")
        }
        guard !name.isEmpty, !name.contains(".") else { throw Diagnostic("`\(target.text)` is not a table name", at: target.location) }
        do throws(EngineError) {
            try attached.engine.upload(table, as: name, overwrite: overwrite, isCancelled: isCancelled)
            attached.tableNames = try attached.engine.tableNames()
        } catch {
            throw error.diagnostic(attached.engine.kind.rawValue, at: target.location)
        }
        attached.schemas[name] = nil
        attached.firstDays = [:]
        attached.moneyScales = [:]
        // What reads the old table is computed again.
        touch(target.text)
        return [.message("exported \(count(table.rowCount, "row")) to \(target.text)")]
    }

    /// `describe pg.orders`: each column's type from the engine, and its nulls, distinct values,
    /// min and max computed there in one query.
    func describeRemote(_ name: Name) throws(Diagnostic) -> Table? {
        guard tables[name.text] == nil, let (attached, table) = remote(name.text) else { return nil }
        guard let schema = attached.schema(of: table) else {
            throw Diagnostic("unknown table `\(name.text)`", at: name.location, hint: Suggest.hint(for: name.text, among: remoteTableNames))
        }
        let kind = attached.engine.kind
        let text = kind == .spark ? "STRING" : "text"
        var parts: [String] = []
        for f in schema.fields {
            let c = EngineSQL.quote(f.name, for: kind)
            // A type clubsh reads as text (uuid, json, …) is ordered as its text; bool has no order.
            let ordered = f.type == .string ? "CAST(\(c) AS \(text))" : c
            // Each named: Spark wants a query's columns to differ.
            let k = parts.count
            parts += ["count(*) - count(\(c)) AS s\(k)", "count(DISTINCT \(c)) AS s\(k + 1)",
                      (f.type != .bool ? "CAST(min(\(ordered)) AS \(text))" : "CAST(NULL AS \(text))") + " AS s\(k + 2)",
                      (f.type != .bool ? "CAST(max(\(ordered)) AS \(text))" : "CAST(NULL AS \(text))") + " AS s\(k + 3)"]
        }
        let stats: Table
        do throws(EngineError) {
            stats = schema.fields.isEmpty ? Table(columnNames: [], columns: [], rowCount: 0)
                : try attached.engine.query("SELECT \(parts.joined(separator: ", ")) FROM \(EngineSQL.quote(table, for: kind))", isCancelled: isCancelled)
        } catch {
            throw error.diagnostic(kind.rawValue, at: name.location)
        }
        var nulls: [Int64] = [], distinct: [Int64] = [], mins: [String] = [], maxs: [String] = [], minNull: [Bool] = [], maxNull: [Bool] = []
        for k in schema.fields.indices {
            func int(_ i: Int) -> Int64 { if case .int(let v) = EngineSQL.convert(stats.columns[i], to: .int).value(at: 0) { v } else { 0 } }
            func str(_ i: Int) -> String? { if case .string(let v) = EngineSQL.convert(stats.columns[i], to: .string).value(at: 0) { v } else { nil } }
            nulls.append(int(4 * k)); distinct.append(int(4 * k + 1))
            let lo = str(4 * k + 2), hi = str(4 * k + 3)
            mins.append(lo ?? ""); minNull.append(lo == nil)
            maxs.append(hi ?? ""); maxNull.append(hi == nil)
        }
        return Table(columnNames: ["column", "type", "nulls", "distinct", "min", "max", "bytes"],
                     columns: [stringColumn(schema.names), stringColumn(schema.fields.map(\.type.rawValue)), Column(.int(nulls)), Column(.int(distinct)),
                               stringColumn(mins, nulls: minNull), stringColumn(maxs, nulls: maxNull),
                               Column(.int([Int64](repeating: 0, count: schema.fields.count)), validity: Bitmap(count: schema.fields.count, allValid: false))],
                     rowCount: schema.fields.count)
    }
}

/// `explain sql` and compiling a statement for an engine: bind the pipeline (no data is read),
/// then compile its plan.
extension Session {
    /// The SQL of one pipeline given as text, for an engine that runs it where the data is.
    /// `tableName` maps a loaded table's clubsh name to its quoted SQL name.
    ///
    /// ```swift
    /// let sql = try session.compileSQL("orders | agg n = count() by channel", dialect: .postgres) { "\"\($0)\"" }
    /// ```
    public func compileSQL(_ source: String, dialect: SQLDialect, tableName: (String) -> String) throws(Diagnostic) -> String {
        var parser = Parser(source, calendar: { [catalog] in catalog.calendar })
        guard let statement = try DeepStack.run({ () throws(Diagnostic) in try parser.next() }) else {
            throw Diagnostic("nothing to compile", at: SourceLocation(line: 1, column: 1))
        }
        let pipeline: Pipeline
        switch statement.kind {
        case .pipeline(let p), .explainSQL(_, let p): pipeline = p
        case .expression(.name(let n, let loc)): pipeline = Pipeline(source: Name(text: n, location: loc), steps: [])
        default: throw Diagnostic("only a pipeline, a table or an analytics command compiles to SQL", at: statement.location)
        }
        let plan = try Checker(catalog: catalog).check(pipeline)
        return try compile(plan, dialect: dialect, at: statement.location, tableName: tableName)
    }

    /// `explain sql`: the query, with the tables by their clubsh names.
    func explainSQL(_ pipeline: Pipeline, dialect: SQLDialect, at: SourceLocation) throws(Diagnostic) -> String {
        let plan = try Checker(catalog: catalog).check(pipeline)
        // An attached engine's table by the name the engine knows it by (`pg.orders` → "orders").
        return try compile(plan, dialect: dialect, at: at) { [catalog] in dialect.quote(catalog.remote($0)?.table ?? $0) }
    }

    private func compile(_ plan: Plan, dialect: SQLDialect, at: SourceLocation, tableName: (String) -> String) throws(Diagnostic) -> String {
        let compiler = catalog.sqlCompiler(dialect, at: at)
        do {
            return try compiler.compile(plan, tableName: tableName)
        } catch {
            throw Diagnostic(error.message, at: at)
        }
    }
}

extension SessionCatalog {
    /// A compiler over this session: its calendar and language, the tables' schemas, the
    /// transactions of `use` and the segments (for `explain sql` and the attached engines).
    func sqlCompiler(_ dialect: SQLDialect, at: SourceLocation) -> SQLCompiler {
        var compiler = SQLCompiler(dialect: dialect, calendar: calendar, language: language) { [unowned self] in self.tableSchema($0) }
        if let roles = transactions, let schema = tableSchema(roles.table),
           let customer = schema.index(of: roles.customer), let date = schema.index(of: roles.date) {
            var t = SQLTransactions(roles: roles, customerType: schema.fields[customer].type, dateType: schema.fields[date].type, asOf: asOf,
                                    moneyScale: { [unowned self] in self.sqlMoneyScale(dialect) })
            // `types` and `kpi` read `customers` and `feedback` where the transactions are: an
            // engine's own tables, else the loaded ones.
            let engine = tables[roles.table] == nil ? remote(roles.table)?.engine : nil
            func side(_ name: String) -> SQLSideTable? {
                let schema = engine.map { $0.tableNames.contains(name) ? $0.schema(of: name) : nil } ?? tables[name]?.schema
                return schema.map { SQLSideTable(name: name, schema: $0) }
            }
            (t.customers, t.feedback) = (side("customers"), side("feedback"))
            compiler.transactions = t
        }
        compiler.columnMoneyScale = { [unowned self] table, column in self.sqlColumnMoneyScale(table, column, dialect) }
        compiler.segment = { [unowned self] name throws(SQLCompileError) in
            do throws(Diagnostic) {
                return (try self.checkedPlan(name), try self.customerColumn(of: name, at: at))
            } catch {
                throw SQLCompileError(error.message)
            }
        }
        return compiler
    }

    /// The scale at which compiled SQL sums the amounts of `use` (`Money`): the in-memory
    /// summary's for a loaded table, found by one query for an engine's. Nil, for the
    /// compensated form, when there is none or when a sum of units could pass 64 bits (an
    /// engine's BIGINT sum would fail or wrap): every amount's units times the rows must fit.
    func sqlMoneyScale(_ dialect: SQLDialect) -> Int? {
        guard let roles = transactions else { return nil }
        if tables[roles.table] == nil { return remoteMoneyScale(roles, dialect) }
        guard let (data, _) = try? transactionData(for: "explain sql", at: .statement), let scale = data.moneyScale else { return nil }
        let largest = data.amount.reduce(0) { max($0, abs($1)) }
        return largest * Money.powers[scale] * Double(data.count) < 0x1p63 ? scale : nil
    }

    /// The scale of a table's double column for `SQLCompiler.columnMoneyScale`: `Money`'s, of
    /// a loaded table's column, or found by one query for an engine's (`remoteColumnMoneyScale`);
    /// nil when there is none, when the largest value has more than 2^50 units (clubsh checks
    /// such values one by one), or when a sum of units could pass 64 bits.
    func sqlColumnMoneyScale(_ table: String, _ column: String, _ dialect: SQLDialect) -> Int? {
        guard let loaded = tables[table] else { return remoteColumnMoneyScale(table, column, dialect) }
        guard let c = loaded.column(column), case .double(let values) = c.storage,
              let scale = values.withUnsafeBufferPointer({ Money.scale(of: $0, valid: c.validity) }) else { return nil }
        var largest = 0.0
        for i in values.indices where !c.isNull(i) { largest = max(largest, abs(values[i])) }
        return Money.fitsUnits(largest: largest, scale: scale, count: loaded.rowCount) ? scale : nil
    }
}

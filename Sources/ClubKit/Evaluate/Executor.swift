/// Runs checked plans: each step takes a table and returns a new one, a column at a time.
struct Executor {
    /// A loaded table (or numbered result) by name.
    let table: (String) -> Table?
    var notes: EvaluationNotes
    /// Supplies a named result or segment (from the session's cache when it is current); nil:
    /// run its plan here. Its errors, Ctrl-C included, are the statement's.
    var resolve: (String) throws(Diagnostic) -> Table? = { _ in nil }
    /// Runs an analytics command.
    var analytics: (AnalyticsCommand) throws(Diagnostic) -> Table? = { _ in nil }
    /// Makes a listing of the catalog.
    var listing: (String) throws(Diagnostic) -> Table? = { _ in nil }
    /// Runs a plan over an attached engine's table there (SessionCatalog+Engines); nil: the
    /// plan's source is not remote.
    var remote: (Plan) throws(Diagnostic) -> Table? = { _ in nil }
    /// Polled between steps and inside long loops; true means the user pressed Ctrl-C.
    var isCancelled: @Sendable () -> Bool = { false }
    /// What one step may ask for before it allocates.
    var memoryLimit = MemoryLimit.standard
    /// The calendar the date functions read dates in.
    var calendar = CalendarKind.gregorian
    /// The language `month_name` writes in.
    var language = Language.english
    /// Rows per block when filters, joins and an aggregate run a block at a time (`BlockedAggregate`),
    /// and when an aggregate of many groups does (`IncrementalAggregate`).
    var blockRows = BlockedAggregate.blockRows

    func run(_ plan: Plan) throws(Diagnostic) -> Table {
        if let answer = try remote(plan) { return answer }
        var table: Table
        switch plan.source {
        case .table(let name): table = self.table(name) ?? Table(columnNames: [], columns: [], rowCount: 0)
        case .result(let name, let inner):
            if let resolved = try resolve(name) { table = resolved } else { table = try run(inner) }
        case .analytics(let command, let schema):
            guard let computed = try analytics(command) else { throw Diagnostic("`\(command.name)` cannot run here", at: command.location) }
            table = computed
            // The steps after it were bound to these columns: anything else is a bug, reported
            // as one rather than read at the wrong place.
            guard table.schema == schema else {
                throw Diagnostic("internal error: `\(command.name)` gave columns (\(table.schema.names.joined(separator: ", "))) other than it was bound to (\(schema.names.joined(separator: ", ")))",
                                 at: command.location)
            }
        case .listing(let name, let schema):
            guard let listed = try listing(name), listed.schema == schema else {
                throw Diagnostic("internal error: the listing `\(name)` does not match its columns", at: .statement)
            }
            table = listed
        }
        return try runSteps(table, plan.steps)
    }

    /// Runs `steps` over `table`, one after another; `joins` holds the right sides already made
    /// for the join steps at those positions.
    func runSteps(_ input: Table, _ plan: [PlanStep], joins: [Int: JoinOperator.Prepared] = [:]) throws(Diagnostic) -> Table {
        var table = input
        var steps = plan
        var k = 0
        while k < steps.count {
            if isCancelled() { throw Diagnostic.interrupted }
            // A step that builds its own columns (or the source) starts a run: drop what the
            // run never reads before anything is copied.
            if k == 0 || !steps[k - 1].physical.passesColumnsOn { table = Pruning.prune(table, &steps, from: k) }
            // `sort … | take n` (and `top n by …`) keeps the n first rows without sorting the rest.
            if case .sort(let keys) = steps[k], k + 1 < steps.count, case .take(let n) = steps[k + 1] {
                table = try SortOperator(keys: keys, limit: n).run(table, in: self)
                k += 2
                continue
            }
            // Filters and projections into an aggregate go a block of rows at a time on a large table.
            if let end = BlockedAggregate.run(table, steps, from: k, blockRows: blockRows),
               let aggregated = try BlockedAggregate.evaluate(table, steps: Array(steps[k...end]), in: self) {
                table = aggregated
                k = end + 1
                continue
            }
            let step = steps[k].physical
            if let prepared = joins[k], let join = step as? JoinOperator {
                table = try join.run(table, prepared: prepared, in: self)
            } else {
                table = try step.run(table, in: self)
            }
            k += 1
        }
        // A step stopped by Ctrl-C returns early with a wrong table: it is never used.
        if isCancelled() { throw Diagnostic.interrupted }
        return table
    }

    /// An expression evaluator over `table` for this run: its warnings and Ctrl-C.
    func evaluator(_ table: Table) -> ExpressionEvaluator {
        ExpressionEvaluator(table: table, notes: notes, isCancelled: isCancelled, calendar: calendar, language: language)
    }
}

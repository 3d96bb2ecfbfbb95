/// A named result or segment: a pipeline kept by name and evaluated on use.
public struct Definition: Sendable {
    public enum Kind: Equatable, Sendable {
        /// `name = pipeline`.
        case result
        /// `segment name = base where …`.
        case segment(base: String)
        /// Made by clubsh itself, such as customers360 after `use`.
        case derived
    }

    public var kind: Kind
    public var pipeline: Pipeline
    /// The definition as the user wrote it (after `=`).
    public var text: String
}

/// Live results: definitions, the graph of what reads what, checked plans and computed tables.
///
/// Each named result records the names it reads directly when it is checked (`reads`, and the
/// reverse, `readers`). A change raises the version of the changed name and of everything that
/// reads it, directly or not (`touch`), found by walking `readers`; a checked plan or a table
/// is current while its version is the one it was made at. So defining, using and listing a
/// chain of results costs time in proportion to the chain, never more: nothing is checked or
/// computed twice, and what reads a result reuses its checked plan instead of checking again.
extension Session {
    /// The definition behind `name`, including clubsh's own derived tables.
    public func definition(_ name: String) -> Definition? {
        if let d = definitions[name] { return d }
        if name == Customers360.name, let roles = transactions {
            let text = Customers360.text(roles, session: self)
            if let d = derived, d.text == text { return d }
            let d = Customers360.definition(text, roles)
            derived = d
            return d
        }
        return nil
    }

    /// Whether `name` is a named result or segment (without building customers360's definition).
    func isDefinition(_ name: String) -> Bool {
        definitions[name] != nil || (name == Customers360.name && transactions != nil)
    }

    /// For the checker: a named result's checked plan, or why it cannot be used now, at `name`.
    public func checkedResult(_ name: Name) throws(Diagnostic) -> Plan? {
        if let d = released(name) { throw d }
        guard isDefinition(name.text) else { return nil }
        do {
            return try checkedPlan(name.text)
        } catch {
            throw relay(error, at: name.location)
        }
    }

    /// An error that arose inside a result, placed at the statement's mention of that result.
    func relay(_ error: Diagnostic, at location: SourceLocation) -> Diagnostic {
        guard error != .interrupted else { return error }
        var e = error
        e.location = location
        relayed = e
        return e
    }

    /// The checked plan of a named result, kept while nothing it reads has changed. An error in
    /// its own definition comes back as "in `name`: …" unless `attributed` is false; one from a
    /// result it reads comes back as that result gave it.
    func checkedPlan(_ name: String, attributed: Bool = true) throws(Diagnostic) -> Plan {
        let version = versions[name] ?? 0
        if let hit = plans[name], hit.version == version { return hit.plan }
        guard let def = definition(name) else { throw Diagnostic("unknown result `\(name)`", at: SourceLocation(line: 1, column: 1)) }
        if let i = checking.firstIndex(of: name) {
            let chain = checking[i...] + [name]
            throw Diagnostic("`\(name)` cannot be defined in terms of itself (\(chain.joined(separator: " → ")))", at: SourceLocation(line: 1, column: 1))
        }
        // What it reads is checked first, deepest first, so a long chain never recurses deeply.
        for inner in stale(below: name, { self.plans[$0]?.version != self.versions[$0] ?? 0 }) {
            do { _ = try checkedPlan(inner) } catch where error == .interrupted { throw error } catch {}
        }
        let plan: Plan
        do {
            plan = try check(name, def.pipeline)
        } catch {
            guard attributed, error != relayed, error != .interrupted else { throw error }
            throw Diagnostic("in `\(name)`: \(error.message)", at: error.location, hint: error.hint)
        }
        plans[name] = (plan, version)
        return plan
    }

    /// Checks `pipeline` as the definition of `name` and records what it reads.
    private func check(_ name: String, _ pipeline: Pipeline) throws(Diagnostic) -> Plan {
        checking.append(name)
        defer { checking.removeLast() }
        let checker = Checker(catalog: self)
        let plan = try checker.checkDefinition(name, pipeline)
        record(name, reads: checker.dependencies.names.subtracting([name]))
        return plan
    }

    /// Defines (or redefines) a result or segment after checking it and everything that reads
    /// it; nothing changes on error.
    func define(_ name: Name, _ kind: Definition.Kind, _ pipeline: Pipeline, text: String) throws(Diagnostic) -> [Output] {
        if tables[name.text] != nil {
            throw Diagnostic("`\(name.text)` is a loaded table", at: name.location, hint: "choose another name, or `drop \(name.text)` first")
        }
        if parameters[name.text] != nil {
            throw Diagnostic("`\(name.text)` is a parameter", at: name.location, hint: "choose another name")
        }
        if name.text == Customers360.name && transactions != nil {
            throw Diagnostic("`\(Customers360.name)` is made by `use`", at: name.location, hint: "choose another name")
        }
        // Interrupted (or failed) anywhere below: the old definition stays, as if never typed.
        let table = try allOrNothing { () throws(Diagnostic) -> Table in
            let previous = definitions[name.text]
            definitions[name.text] = Definition(kind: kind, pipeline: pipeline, text: text)
            if previous == nil { definitionOrder.append(name.text) }
            touch(name.text)
            // Errors point into this statement; a cycle back to `name` is found when checking
            // what it reads meets `name` again.
            plans[name.text] = (try check(name.text, pipeline), versions[name.text] ?? 0)
            // A redefinition may not make something that uses this name unusable.
            if previous != nil, let broken = try brokenDependents(of: [name.text]) {
                throw Diagnostic("redefining `\(name.text)` would break \(broken.names): \(broken.reason)", at: name.location)
            }
            return try materialize(name.text)
        }
        if case .segment(let base) = kind {
            let baseRows = (try? rows(of: base)) ?? 0
            return [.message("segment \(name.text): \(grouped(table.rowCount)) of \(grouped(baseRows)) \(base) rows (\(percent(table.rowCount, baseRows)))")]
        }
        return [.message("\(name.text): \(count(table.rowCount, "row")) × \(count(table.columns.count, "column"))")]
    }

    /// The table of a named result or segment: kept from when it was last computed if nothing it
    /// reads has changed since, else computed now. Given `location`, errors are placed there.
    func materialize(_ name: String, at location: SourceLocation? = nil, notes: EvaluationNotes = EvaluationNotes()) throws(Diagnostic) -> Table {
        do {
            return try compute(name, notes)
        } catch {
            throw location.map { relay(error, at: $0) } ?? error
        }
    }

    private func compute(_ name: String, _ notes: EvaluationNotes) throws(Diagnostic) -> Table {
        let plan = try checkedPlan(name)
        let version = versions[name] ?? 0
        if let hit = cache[name], hit.version == version { return hit.table }
        // A listing such as `tables` inside a definition must not compute that definition again.
        guard !computing.contains(name) else {
            throw Diagnostic("`\(name)` is being computed", at: SourceLocation(line: 1, column: 1))
        }
        // What it reads is computed first, deepest first, so a long chain never recurses deeply.
        for inner in stale(below: name, { self.cache[$0]?.version != self.versions[$0] ?? 0 }) {
            do { _ = try compute(inner, notes) } catch where error == .interrupted { throw error } catch {}
        }
        computing.insert(name)
        defer { computing.remove(name) }
        let table = try executor(notes).run(plan)
        cache[name] = (table, version)
        computations[name, default: 0] += 1
        return table
    }

    // MARK: - The graph of what reads what

    /// Records what `name` reads directly, replacing what it read before.
    func record(_ name: String, reads new: Set<String>) {
        let old = reads[name] ?? []
        for gone in old.subtracting(new) {
            readers[gone]?.remove(name)
            if readers[gone]?.isEmpty == true { readers[gone] = nil }
        }
        for added in new.subtracting(old) { readers[added, default: []].insert(name) }
        reads[name] = new.isEmpty ? nil : new
    }

    /// Everything that reads one of `names`, directly or through others.
    func readers(of names: [String]) -> Set<String> {
        var seen = Set<String>()
        var queue = names
        while let n = queue.popLast() {
            for r in readers[n] ?? [] where seen.insert(r).inserted { queue.append(r) }
        }
        return seen
    }

    /// The named results `name` reads, directly or not, for which `isStale` holds — without
    /// looking past a current one — each after the ones it reads. Working through them in this
    /// order keeps every step one level deep.
    private func stale(below name: String, _ isStale: (String) -> Bool) -> [String] {
        func next(_ n: String) -> [String] { (reads[n] ?? []).filter { isDefinition($0) && isStale($0) } }
        var order: [String] = []
        var seen: Set<String> = [name]
        var stack: [(name: String, next: [String])] = [(name, next(name))]
        while !stack.isEmpty {
            if let n = stack[stack.count - 1].next.popLast() {
                if seen.insert(n).inserted { stack.append((n, next(n))) }
            } else {
                let done = stack.removeLast().name
                if done != name { order.append(done) }
            }
        }
        return order
    }

    /// `names`, each after those of them it reads.
    private func bottomUp(_ names: Set<String>) -> [String] {
        var order: [String] = []
        var seen = Set<String>()
        for root in names.sorted() where seen.insert(root).inserted {
            var stack: [(name: String, next: [String])] = [(root, (reads[root] ?? []).filter(names.contains))]
            while !stack.isEmpty {
                if let n = stack[stack.count - 1].next.popLast() {
                    if seen.insert(n).inserted { stack.append((n, (reads[n] ?? []).filter(names.contains))) }
                } else {
                    order.append(stack.removeLast().name)
                }
            }
        }
        return order
    }

    /// Everything named that reads `name`, directly or through others, in definition order.
    func dependents(of name: String) -> [String] {
        let all = definitionOrder + (transactions == nil ? [] : [Customers360.name])
        // customers360 is recorded when first checked; one not yet checked is checked now.
        for other in all where reads[other] == nil { _ = try? checkedPlan(other) }
        let users = readers(of: [name])
        return all.filter { $0 != name && users.contains($0) }
    }

    /// After a change to `changed` (already made and touched): checks the `use` roles again when
    /// their table is among what changed — and moves the as-of date to the latest transaction
    /// when `use` was given none — then re-checks, deepest first, everything that reads what
    /// changed (listings aside, whose columns never change). Nil when all still work; else the
    /// names that no longer do ("`use orders`, `customers360`, `vip`") and why the first of them
    /// does not.
    func brokenDependents(of changed: [String]) throws(Diagnostic) -> (names: String, reason: String)? {
        var seeds = changed
        var bad = Set<String>()
        var names: [String] = []
        var reason: String?
        if let roles = transactions, changed.contains(roles.table) || readers(of: changed).contains(roles.table) {
            let schema = tables[roles.table]?.schema ?? (try? checkedPlan(roles.table))?.schema
            if let schema, let problem = roles.problem(with: schema) {
                names.append("`use \(roles.table)`")
                reason = problem
                bad.insert(Customers360.name)
            } else if !roles.asOfGiven, let t = try? table(named: roles.table), let latest = Self.latestDay(t.column(roles.date)!), latest != asOf {
                asOf = latest
                touch(Dependencies.asOf)
                seeds.append(Dependencies.asOf)
            }
        }
        if seeds.contains("customers") || seeds.contains(Dependencies.asOf), transactions != nil { seeds.append(Customers360.name) }
        let affected = readers(of: seeds).union(seeds.filter(isDefinition))
        for name in bottomUp(affected) {
            if bad.contains(name) || !(reads[name] ?? []).isDisjoint(with: bad) {
                bad.insert(name)
                continue
            }
            do {
                _ = try checkedPlan(name, attributed: false)
            } catch {
                if error == .interrupted { throw error }
                bad.insert(name)
                reason = reason ?? error.text
            }
        }
        guard let reason else { return nil }
        names += ([Customers360.name] + definitionOrder).filter(bad.contains).map { "`\($0)`" }
        return (names.joined(separator: ", "), reason)
    }

    // MARK: - All or nothing

    /// Everything a statement may change, to put back when it fails.
    struct Snapshot {
        var tables: [String: Table], tableOrder: [String]
        var definitions: [String: Definition], definitionOrder: [String]
        var parameters: [String: Value], parameterOrder: [String]
        var formulas: [String: (parameters: [String], body: Expr, text: String)], formulaOrder: [String]
        var transactions: TransactionRoles?, asOf: Int32
        var versions: [String: Int], reads: [String: Set<String>], readers: [String: Set<String>]
        var plans: [String: (plan: Plan, version: Int)], cache: [String: (table: Table, version: Int)]
        var analyticsCache: [String: (result: AnalyticsResult, inputs: [String: Int])]
    }

    func snapshot() -> Snapshot {
        Snapshot(tables: tables, tableOrder: tableOrder, definitions: definitions, definitionOrder: definitionOrder,
                 parameters: parameters, parameterOrder: parameterOrder, formulas: formulas, formulaOrder: formulaOrder,
                 transactions: transactions, asOf: asOf, versions: versions, reads: reads, readers: readers,
                 plans: plans, cache: cache, analyticsCache: analyticsCache)
    }

    func restore(_ s: Snapshot) {
        (tables, tableOrder, definitions, definitionOrder) = (s.tables, s.tableOrder, s.definitions, s.definitionOrder)
        (parameters, parameterOrder, formulas, formulaOrder) = (s.parameters, s.parameterOrder, s.formulas, s.formulaOrder)
        (transactions, asOf, versions, reads, readers) = (s.transactions, s.asOf, s.versions, s.reads, s.readers)
        (plans, cache, analyticsCache) = (s.plans, s.cache, s.analyticsCache)
    }

    /// Runs `body`; if it fails, the catalog is put back as it was before, versions and caches
    /// included, so a failed statement changes nothing.
    func allOrNothing<T>(_ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        let saved = snapshot()
        do {
            return try body()
        } catch {
            restore(saved)
            throw error
        }
    }

    /// `drop a, b [cascade]`: refused while something else uses them, unless `cascade`.
    func drop(_ names: [Name], cascade: Bool) throws(Diagnostic) -> [Output] {
        for n in names where tables[n.text] == nil && definition(n.text) == nil && parameters[n.text] == nil {
            throw Diagnostic("nothing is named `\(n.text)`", at: n.location, hint: Suggest.hint(for: n.text, among: knownNames))
        }
        var doomed = names.map(\.text)
        for n in names {
            let users = dependents(of: n.text).filter { !doomed.contains($0) }
            if users.isEmpty { continue }
            guard cascade else {
                throw Diagnostic("cannot drop `\(n.text)`: \(users.map { "`\($0)`" }.joined(separator: ", ")) \(users.count == 1 ? "uses" : "use") it", at: n.location,
                                 hint: "drop \(users.count == 1 ? "it" : "them") first, or write `drop \(n.text) cascade` to drop \(users.count == 1 ? "it" : "them") too")
            }
            doomed += users
        }
        let gone = Set(doomed)
        for name in doomed {
            if name == Customers360.name && definitions[name] == nil { transactions = nil }
            tables[name] = nil
            definitions[name] = nil
            parameters[name] = nil
            if transactions?.table == name { transactions = nil }
            touch(name)
            record(name, reads: [])
        }
        tableOrder.removeAll { gone.contains($0) }
        definitionOrder.removeAll { gone.contains($0) }
        parameterOrder.removeAll { gone.contains($0) }
        return [.message("dropped \(doomed.joined(separator: ", "))")]
    }

    /// `params`: each parameter, its value, and what uses it.
    func parametersListing() -> Table {
        let names = parameterOrder
        let values = names.map { ValueFormat.display(parameters[$0]!) }
        let types = names.map { parameters[$0]!.type.rawValue }
        let users = names.map { dependents(of: $0).joined(separator: ", ") }
        return Table(columnNames: ["name", "value", "type", "used_by"],
                     columns: [stringColumn(names), stringColumn(values), stringColumn(types), stringColumn(users, nulls: users.map(\.isEmpty))],
                     rowCount: names.count)
    }
}

/// `part / whole` as "4.7%" (or "—" when the whole is empty).
func percent(_ part: Int, _ whole: Int) -> String {
    whole == 0 ? "—" : ValueFormat.displayDouble((Double(part) / Double(whole) * 1000).rounded() / 10) + "%"
}

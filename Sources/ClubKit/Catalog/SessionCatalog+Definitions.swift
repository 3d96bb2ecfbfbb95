/// A named result or segment: a pipeline kept by name and evaluated on use.
struct Definition: Sendable {
    enum Kind: Equatable, Sendable {
        /// `name = pipeline`.
        case result
        /// `segment name = base where …`.
        case segment(base: String)
        /// Made by clubsh itself, such as customers360 after `use`.
        case derived
    }

    var kind: Kind
    var pipeline: Pipeline
    /// The definition as the user wrote it (after `=`).
    var text: String
    /// The calendar in force when it was defined: its date literals were read in it when it was
    /// parsed, and a quoted date it compares with a date column is read in it on every check.
    var calendar = CalendarKind.gregorian
}

/// Live results: definitions, the graph of what reads what, checked plans and computed tables.
///
/// Each named result records the names it reads directly when it is checked (`reads`, and the
/// reverse, `readers`). A change raises the version of the changed name and of everything that
/// reads it, directly or not (`touch`), found by walking `readers`; a checked plan or a table
/// is current while its version is the one it was made at. So defining, using and listing a
/// chain of results costs time in proportion to the chain, never more: nothing is checked or
/// computed twice, and what reads a result reuses its checked plan instead of checking again.
extension SessionCatalog {
    /// The definition behind `name`, including clubsh's own derived tables.
    func definition(_ name: String) -> Definition? {
        if let d = definitions[name] { return d }
        if name == Customers360.name, let roles = transactions {
            let d = Customers360.definition(roles, catalog: self)
            if let kept = derived, kept.text == d.text { return kept }
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
    func checkedResult(_ name: Name) throws(Diagnostic) -> Plan? {
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
        guard error.kind != .interrupted else { return error }
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
        return try once { () throws(Diagnostic) -> Plan in
            if let failed = failures[name] {
                throw attributed && failed.own ? Diagnostic("in `\(name)`: \(failed.error.message)", at: failed.error.location, hint: failed.error.hint) : failed.error
            }
            guard let def = definition(name) else { throw Diagnostic("unknown result `\(name)`", at: SourceLocation(line: 1, column: 1)) }
            if let i = checking.firstIndex(of: name) {
                var chain = cycle(at: i)
                // A long cycle shows its ends; the names between are counted.
                if chain.count > 9 { chain = chain.prefix(4) + ["… \(chain.count - 7) more"] + chain.suffix(3) }
                let cycle = Diagnostic("`\(name)` cannot be defined in terms of itself (\(chain.joined(separator: " → ")))", at: SourceLocation(line: 1, column: 1))
                failures[name] = (cycle, false)
                throw cycle
            }
            do throws(Diagnostic) {
                let plan = try check(name, def.pipeline) { () throws(Diagnostic) in
                    // What it reads is checked first, deepest first, so a long chain never recurses deeply.
                    for inner in stale(below: name, { self.plans[$0]?.version != self.versions[$0] ?? 0 }) {
                        try attempt { () throws(Diagnostic) in _ = try checkedPlan(inner) }
                    }
                }
                plans[name] = (plan, version)
                return plan
            } catch {
                guard error.kind != .interrupted else { throw error }
                let own = error != relayed
                failures[name] = (error, own)
                throw attributed && own ? Diagnostic("in `\(name)`: \(error.message)", at: error.location, hint: error.hint) : error
            }
        }
    }

    /// The cycle closed by meeting `checking[i]` again: it, the result its definition was
    /// reading when the cycle was met, then the shortest way back through what each reads.
    private func cycle(at i: Int) -> [String] {
        let start = checking[i]
        guard i + 1 < checking.count else { return [start, start] }
        let next = checking[i + 1]
        var parent: [String: String] = [next: next]
        var queue = [next], k = 0
        while k < queue.count {
            let n = queue[k]
            k += 1
            if n == start {
                var path = [n]
                while let p = parent[path[0]], p != path[0] { path.insert(p, at: 0) }
                return [start] + path
            }
            for r in (reads[n] ?? []).sorted() where parent[r] == nil && isDefinition(r) {
                parent[r] = n
                queue.append(r)
            }
        }
        return Array(checking[i...]) + [start]
    }

    /// Checks `pipeline` as the definition of `name` and records what it reads; `first` runs
    /// before, with `name` already counted as being checked.
    private func check(_ name: String, _ pipeline: Pipeline, first: () throws(Diagnostic) -> Void = {}) throws(Diagnostic) -> Plan {
        checking.append(name)
        defer { checking.removeLast() }
        try first()
        checks[name, default: 0] += 1
        var checker = Checker(catalog: self)
        checker.calendar = definitions[name]?.calendar ?? calendar
        let plan = try checker.checkDefinition(name, pipeline)
        record(name, reads: checker.dependencies.names.subtracting([name]))
        return plan
    }

    /// `body`'s value, or nil when it fails for a reason other than Ctrl-C (which is passed on).
    private func unlessBroken<T>(_ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T? {
        do { return try body() } catch { if error.kind == .interrupted { throw error }; return nil }
    }

    /// Runs `body`, passing on only Ctrl-C: any other error comes up again, and is reported,
    /// where the result is used.
    private func attempt(_ body: () throws(Diagnostic) -> Void) throws(Diagnostic) {
        do { try body() } catch { if error.kind == .interrupted { throw error } }
    }

    /// Runs `body` as part of the outermost check or computation under way. Nothing in the
    /// catalog changes during one, so a result that failed in it fails again at once: a long
    /// chain over a broken result costs one attempt per link.
    private func once<T>(_ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        depth += 1
        defer {
            depth -= 1
            if depth == 0 { failures = [:] }
        }
        return try body()
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
        if programs[name.text] != nil || campaigns[name.text] != nil {
            throw Diagnostic("`\(name.text)` is a \(programs[name.text] != nil ? "program" : "campaign")", at: name.location, hint: "choose another name, or `drop \(name.text)` first")
        }
        if name.text == Customers360.name && transactions != nil {
            throw Diagnostic("`\(Customers360.name)` is made by `use`", at: name.location, hint: "choose another name")
        }
        // Interrupted (or failed) anywhere below: the old definition stays, as if never typed.
        let (table, baseRows) = try allOrNothing { () throws(Diagnostic) -> (Table, Int) in
            let previous = definitions[name.text]
            change(\.definitions, name.text, to: Definition(kind: kind, pipeline: pipeline, text: text, calendar: calendar))
            if previous == nil { appendUndoably(\.definitionOrder, name.text) }
            touch(name.text)
            // Errors point into this statement; a cycle back to `name` is found when checking
            // what it reads meets `name` again.
            plans[name.text] = (try check(name.text, pipeline), versions[name.text] ?? 0)
            // A redefinition may not make something that uses this name unusable.
            if previous != nil, let broken = try brokenDependents(of: [name.text]) {
                throw Diagnostic("redefining `\(name.text)` would break \(broken.names): \(broken.reason)", at: name.location)
            }
            let table = try materialize(name.text)
            // A segment's base was computed with it; its row count is at hand.
            guard case .segment(let base) = kind else { return (table, 0) }
            return (table, try rows(of: base))
        }
        if case .segment(let base) = kind {
            return [.message("segment \(name.text): \(grouped(table.rowCount)) of \(grouped(baseRows)) \(base) rows (\(percent(table.rowCount, baseRows)))")]
        }
        return [.message("\(name.text): \(count(table.rowCount, "row")) × \(count(table.columns.count, "column"))")]
    }

    /// Keeps a loaded table under `name`, replacing one of that name only when what reads it
    /// still works with the new one; otherwise the old table stays and the error says why.
    func store(_ table: Table, as name: String, at location: SourceLocation) throws(Diagnostic) {
        try allOrNothing { () throws(Diagnostic) in
            if tables[name] == nil { appendUndoably(\.tableOrder, name) }
            change(\.tables, name, to: table)
            touch(name)
            if let broken = try brokenDependents(of: [name]) {
                throw Diagnostic("reloading `\(name)` would break \(broken.names): \(broken.reason)", at: location,
                                 hint: "the old `\(name)` is kept; load the file under another name with `as`, or `drop \(name) cascade` first")
            }
        }
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
        let version = versions[name] ?? 0
        if let hit = cache[name], hit.version == version { return hit.table }
        return try once { () throws(Diagnostic) -> Table in
            let plan = try checkedPlan(name)
            // A listing such as `tables` inside a definition must not compute that definition again.
            guard !computing.contains(name) else {
                throw Diagnostic("`\(name)` is being computed", at: SourceLocation(line: 1, column: 1))
            }
            computing.insert(name)
            defer { computing.remove(name) }
            // What it reads is computed first, deepest first, so a long chain never recurses deeply.
            // In an engine the results it reads are part of its one query: none comes here.
            // A segment of customers360 may be filtered before its join, without customers360.
            let segment = runsInEngine(plan) ? nil : try customers360Segment(name, plan, notes: notes)
            for inner in runsInEngine(plan) || segment != nil ? [] : stale(below: name, { self.cache[$0]?.version != self.versions[$0] ?? 0 }) {
                try attempt { () throws(Diagnostic) in _ = try compute(inner, notes) }
            }
            // customers360 reads the summary the analytics share when it gives the same table.
            let shared = name == Customers360.name && definitions[name] == nil ? try customers360FromSummary(plan, notes: notes) : segment
            let table: Table
            if let shared { table = shared } else { table = try executor(notes).run(plan) }
            cache[name] = (table, version)
            computations[name, default: 0] += 1
            return table
        }
    }

    // MARK: - The graph of what reads what

    /// Records what `name` reads directly, replacing what it read before.
    func record(_ name: String, reads new: Set<String>) {
        let old = reads[name] ?? []
        guard old != new else { return }
        for gone in old.subtracting(new) {
            var r = readers[gone] ?? []
            r.remove(name)
            change(\.readers, gone, to: r.isEmpty ? nil : r)
        }
        for added in new.subtracting(old) { change(\.readers, added, to: (readers[added] ?? []).union([name])) }
        change(\.reads, name, to: new.isEmpty ? nil : new)
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
        func next(_ n: String) -> [String] { (reads[n] ?? []).filter { isDefinition($0) && failures[$0] == nil && isStale($0) } }
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
        let all = definitionOrder + programOrder + campaignOrder + (transactions == nil ? [] : [Customers360.name])
        // customers360 is recorded when first checked; one not yet checked is checked now.
        // One that does not check reads nothing that can be known: it is not listed here, and
        // its own error shows where it is used. A program records what it reads when defined.
        for other in all where reads[other] == nil && isDefinition(other) { _ = try? checkedPlan(other) }
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
            // A transactions result that no longer works has no schema to check the roles
            // against: re-checking customers360 below reports it. Ctrl-C still stops.
            var schema = tables[roles.table]?.schema
            if schema == nil { schema = try unlessBroken { () throws(Diagnostic) in try checkedPlan(roles.table).schema } }
            if let schema, let problem = roles.problem(with: schema) {
                names.append("`use \(roles.table)`")
                reason = problem
                bad.insert(Customers360.name)
            } else if !roles.asOfGiven, let t = try unlessBroken({ () throws(Diagnostic) in try table(named: roles.table) }), let latest = Self.latestDay(t.column(roles.date)!), latest != asOf {
                change(\.asOf, to: latest)
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
                // A program is checked by resolving its values again (a parameter it reads may
                // now be 0 or text); a result by checking its plan.
                if let program = programs[name] {
                    _ = try resolveProgram(program.spec)
                } else if let campaign = campaigns[name] {
                    _ = try resolveCampaign(campaign.spec)
                } else {
                    _ = try checkedPlan(name, attributed: false)
                }
            } catch {
                if error.kind == .interrupted { throw error }
                bad.insert(name)
                reason = reason ?? error.text
            }
        }
        guard let reason else { return nil }
        names += ([Customers360.name] + programOrder + campaignOrder + definitionOrder).filter(bad.contains).map { "`\($0)`" }
        return (names.joined(separator: ", "), reason)
    }

    /// `drop a, b [cascade]`: refused while something else uses them, unless `cascade`.
    func drop(_ names: [Name], cascade: Bool) throws(Diagnostic) -> [Output] {
        for n in names where tables[n.text] == nil && definition(n.text) == nil && parameters[n.text] == nil && programs[n.text] == nil && campaigns[n.text] == nil {
            throw Diagnostic("nothing is named `\(n.text)`", at: n.location, hint: Suggest.hint(for: n.text, among: knownNames + campaignOrder))
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
        touch(doomed)
        for name in doomed {
            if name == Customers360.name && definitions[name] == nil { transactions = nil }
            tables[name] = nil
            definitions[name] = nil
            parameters[name] = nil
            programs[name] = nil
            campaigns[name] = nil
            if transactions?.table == name { transactions = nil }
            record(name, reads: [])
        }
        tableOrder.removeAll { gone.contains($0) }
        definitionOrder.removeAll { gone.contains($0) }
        parameterOrder.removeAll { gone.contains($0) }
        programOrder.removeAll { gone.contains($0) }
        campaignOrder.removeAll { gone.contains($0) }
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

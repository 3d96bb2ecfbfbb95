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

/// Live results: definitions, dependency tracking and the cache.
extension Session {
    /// The definition behind `name`, including clubsh's own derived tables.
    public func definition(_ name: String) -> Definition? {
        if let d = definitions[name] { return d }
        if name == Customers360.name, let roles = transactions { return Customers360.definition(roles, session: self) }
        return nil
    }

    /// Defines (or redefines) a result or segment after checking it; nothing changes on error.
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
        _ = try Checker(catalog: self).checkDefinition(name.text, pipeline)
        let previous = definitions[name.text]
        definitions[name.text] = Definition(kind: kind, pipeline: pipeline, text: text)
        // A redefinition may not make something that uses this name unusable.
        for user in dependents(of: name.text) {
            guard let d = definition(user) else { continue }
            do {
                _ = try Checker(catalog: self).checkDefinition(user, d.pipeline)
            } catch {
                if let previous { definitions[name.text] = previous } else { definitions[name.text] = nil }
                throw Diagnostic("redefining `\(name.text)` would break `\(user)`: \(error.text)", at: name.location)
            }
        }
        if previous == nil { definitionOrder.append(name.text) }
        touch(name.text)
        let table: Table
        do {
            table = try materialize(name.text)
        } catch {
            // Interrupted (or failed) while computing: the old definition stays, as if never typed.
            definitions[name.text] = previous
            if previous == nil { definitionOrder.removeAll { $0 == name.text } }
            touch(name.text)
            throw error
        }
        if case .segment(let base) = kind {
            let baseRows = (try? rows(of: base)) ?? 0
            return [.message("segment \(name.text): \(grouped(table.rowCount)) of \(grouped(baseRows)) \(base) rows (\(percent(table.rowCount, baseRows)))")]
        }
        return [.message("\(name.text): \(count(table.rowCount, "row")) × \(count(table.columns.count, "column"))")]
    }

    /// The table of a named result or segment: from the cache when nothing it reads has
    /// changed since it was computed, else computed now.
    func materialize(_ name: String, notes: EvaluationNotes = EvaluationNotes()) throws(Diagnostic) -> Table {
        guard let def = definition(name) else {
            throw Diagnostic("unknown result `\(name)`", at: SourceLocation(line: 1, column: 1))
        }
        // A listing such as `tables` inside a definition must not compute that definition again.
        guard !computing.contains(name) else {
            throw Diagnostic("`\(name)` is being computed", at: SourceLocation(line: 1, column: 1))
        }
        computing.insert(name)
        defer { computing.remove(name) }
        let checker = Checker(catalog: self)
        let plan = try checker.checkDefinition(name, def.pipeline)
        var inputs = [name: versions[name] ?? 0]
        for d in checker.dependencies.names { inputs[d] = versions[d] ?? 0 }
        if let hit = cache[name], hit.inputs == inputs { return hit.table }
        let table = try executor(notes).run(plan)
        cache[name] = (table, inputs)
        computations[name, default: 0] += 1
        return table
    }


    /// Everything named that reads `name`, directly or through others, in definition order.
    func dependents(of name: String) -> [String] {
        var out: [String] = []
        for other in definitionOrder + (transactions == nil ? [] : [Customers360.name]) where other != name {
            guard let d = definition(other) else { continue }
            let checker = Checker(catalog: self)
            if (try? checker.checkDefinition(other, d.pipeline)) != nil, checker.dependencies.names.contains(name) { out.append(other) }
        }
        return out
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
        for name in doomed {
            if name == Customers360.name && definitions[name] == nil { transactions = nil }
            tables[name] = nil
            definitions[name] = nil
            parameters[name] = nil
            tableOrder.removeAll { $0 == name }
            definitionOrder.removeAll { $0 == name }
            parameterOrder.removeAll { $0 == name }
            if transactions?.table == name { transactions = nil }
            touch(name)
        }
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

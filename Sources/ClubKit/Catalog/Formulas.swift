/// User formulas: `formula crr(S, E, N) = (E - N) / S * 100`, then `crr(200, 180, 30)` anywhere
/// an expression goes.
extension SessionCatalog {
    func defineFormula(_ name: Name, _ parameters: [Name], _ body: Expr, text: String) throws(Diagnostic) -> [Output] {
        if ScalarFunction(rawValue: name.text) != nil || AggregateFunction(rawValue: name.text) != nil {
            throw Diagnostic("`\(name.text)` is a built-in function", at: name.location, hint: "choose another name")
        }
        // A formula named like a command, step or statement could never be called: the word
        // means the command wherever it is written.
        let kind = AnalyticsCommands.names.contains(name.text) ? "an analytics command"
            : Parser.stepNames.contains(name.text) ? "a pipeline step" : Parser.statementWords.contains(name.text) ? "a statement" : nil
        if let kind {
            throw Diagnostic("`\(name.text)` is \(kind), so a formula of that name could never be called", at: name.location,
                             hint: "choose another name, like \(name.text)_value")
        }
        var seen = Set<String>()
        for p in parameters where !seen.insert(p.text).inserted {
            throw Diagnostic("the parameter `\(p.text)` is listed twice", at: p.location)
        }
        // Check the body with numbers for the parameters; the previous formula stays on error.
        let previous = formulas[name.text]
        formulas[name.text] = (parameters.map(\.text), body, text)
        do {
            let probe = Expr.call(name.text, parameters.map { .literal(.double(1), $0.location) }, name.location)
            _ = try Checker(catalog: self).scalar(probe)
        } catch {
            formulas[name.text] = previous
            throw error
        }
        if previous == nil { formulaOrder.append(name.text) }
        // A new form of a formula may not leave a result that calls it unusable.
        try allOrNothing { () throws(Diagnostic) in
            touch("formula:" + name.text)
            if let broken = try brokenDependents(of: ["formula:" + name.text]) {
                formulas[name.text] = previous
                if previous == nil { formulaOrder.removeLast() }
                throw Diagnostic("redefining the formula `\(name.text)` would break \(broken.names): \(broken.reason)", at: name.location)
            }
        }
        return [.message("formula \(name.text)(\(parameters.map(\.text).joined(separator: ", ")))")]
    }

    func formulasListing() -> Table {
        let names = formulaOrder
        return Table(columnNames: ["name", "parameters", "definition"],
                     columns: [stringColumn(names), stringColumn(names.map { formulas[$0]!.parameters.joined(separator: ", ") }),
                               stringColumn(names.map { formulas[$0]!.text })],
                     rowCount: names.count)
    }
}

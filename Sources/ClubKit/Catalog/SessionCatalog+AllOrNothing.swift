/// A failed statement changes nothing: what a statement changes in the catalog is journalled
/// as it goes, and put back if the statement fails (a reload that would break a segment, a
/// redefinition that would close a cycle, Ctrl-C while a new result is computed).
extension SessionCatalog {
    /// Runs `body`; if it fails, everything it changed in the catalog is put back as it was,
    /// versions and kept results included, so a failed statement changes nothing. Only what
    /// changes is remembered, so this costs nothing in proportion to the catalog's size.
    func allOrNothing<T>(_ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        let outer = journal
        journal = []
        do {
            let result = try body()
            journal = outer.map { $0 + (journal ?? []) }
            return result
        } catch {
            for undo in (journal ?? []).reversed() { undo() }
            journal = outer
            throw error
        }
    }

    /// Sets one entry of a catalog dictionary, remembering the old one while a statement may fail.
    func change<V>(_ dictionary: ReferenceWritableKeyPath<SessionCatalog, [String: V]>, _ key: String, to value: V?) {
        if journal != nil {
            let old = self[keyPath: dictionary][key]
            journal!.append { [unowned self] in self[keyPath: dictionary][key] = old }
        }
        self[keyPath: dictionary][key] = value
    }

    /// Sets a catalog property, remembering the old value while a statement may fail.
    func change<V>(_ property: ReferenceWritableKeyPath<SessionCatalog, V>, to value: V) {
        if journal != nil {
            let old = self[keyPath: property]
            journal!.append { [unowned self] in self[keyPath: property] = old }
        }
        self[keyPath: property] = value
    }

    /// Appends a name to one of the catalog's orders, remembering to take it off again.
    func appendUndoably(_ order: ReferenceWritableKeyPath<SessionCatalog, [String]>, _ name: String) {
        journal?.append { [unowned self] in
            if let i = self[keyPath: order].lastIndex(of: name) { self[keyPath: order].remove(at: i) }
        }
        self[keyPath: order].append(name)
    }
}

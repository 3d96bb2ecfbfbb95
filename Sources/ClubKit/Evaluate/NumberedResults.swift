/// Every result shown so far, numbered from 1 as in IPython: `_` is the last, `_1`, `_2`, … by
/// number. The history is bounded: the tables before the last are kept while together they fit
/// `budget`, and only the newest `kept` results keep their output at all, so a long script
/// costs the same per statement; a result a named result reads is never released. A released
/// result keeps its statement, for the message that asks to run it again.
public struct NumberedResults: Sendable {
    /// One result: what a statement showed (nil once released) and the statement's text.
    struct Entry: Sendable {
        var output: Output?
        let statement: String
    }

    private(set) var entries: [Entry] = []
    /// How many bytes the tables of results before the last may take together.
    var budget = 32 << 20
    /// How many of the newest results keep their output.
    static let kept = 1_000

    /// How many results have been shown.
    public var count: Int { entries.count }

    /// The position of `_` or `_N`.
    func index(of name: String) -> Int? {
        guard name.hasPrefix("_") else { return nil }
        if name == "_" { return entries.isEmpty ? nil : entries.count - 1 }
        guard let n = Int(name.dropFirst()), n >= 1, n <= entries.count, String(n) == name.dropFirst() else { return nil }
        return n - 1
    }

    /// What `_` or `_N` showed, unless released.
    func output(_ name: String) -> Output? { index(of: name).flatMap { entries[$0].output } }

    /// `_` or `_N` when it is a table.
    func table(_ name: String) -> Table? {
        guard case .table(let t)? = output(name) else { return nil }
        return t
    }

    /// The statement of `_N` when its output was released.
    func released(_ name: String) -> String? {
        guard let i = index(of: name), entries[i].output == nil else { return nil }
        return entries[i].statement
    }

    /// Adds a result, then releases what falls out of the window or over the budget; `isRead(n)`
    /// says whether a named result reads `_n`.
    mutating func append(_ output: Output, statement: String, isRead: (Int) -> Bool) {
        entries.append(Entry(output: output, statement: statement))
        let leaving = entries.count - 1 - Self.kept
        if leaving >= 0, !isRead(leaving + 1) { entries[leaving].output = nil }
        var total = 0
        for k in stride(from: entries.count - 2, through: max(0, leaving + 1), by: -1) {
            guard case .table(let t)? = entries[k].output, !isRead(k + 1) else { continue }
            if total + t.bytes <= budget { total += t.bytes } else { entries[k].output = nil }
        }
    }
}

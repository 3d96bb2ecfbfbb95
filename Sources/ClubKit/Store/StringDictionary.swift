/// The distinct strings of one string column; rows store integer codes into it.
///
/// A dictionary is shared (not copied) by every column derived from the same data through
/// filters, sorts and joins, so per-string work (lower, contains, comparisons with a literal)
/// runs once per distinct value instead of once per row. Values are told apart by their bytes
/// (`ByteText`), as SQL engines do: canonically equivalent spellings stay two values.
final class StringDictionary: @unchecked Sendable {
    /// The strings, indexed by code.
    private(set) var values: [String]
    private var index: [ByteText.Key: Int32]

    init() {
        values = []
        index = [:]
    }

    init(values: [String]) {
        self.values = []
        index = [:]
        self.values.reserveCapacity(values.count)
        for v in values { _ = code(for: v) }
    }

    /// The code of `s`, adding it when new.
    @inline(__always)
    func code(for s: String) -> Int32 {
        if let c = index[ByteText.Key(text: s)] { return c }
        let c = Int32(values.count)
        values.append(s)
        index[ByteText.Key(text: s)] = c
        return c
    }

    /// The code of `s` when present.
    func existingCode(_ s: String) -> Int32? { index[ByteText.Key(text: s)] }

    var count: Int { values.count }

    /// Approximate bytes held: the UTF-8 of every distinct value plus its index slot.
    var bytes: Int { values.reduce(0) { $0 + $1.utf8.count + 16 } }

    /// For each code, its rank in ascending string order (for sorting by codes).
    func sortRanks() -> [Int32] {
        let order = values.indices.sorted { ByteText.less(values[$0], values[$1]) }
        var ranks = [Int32](repeating: 0, count: values.count)
        for (rank, code) in order.enumerated() { ranks[code] = Int32(rank) }
        return ranks
    }
}

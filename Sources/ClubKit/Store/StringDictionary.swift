/// The distinct strings of one string column; rows store integer codes into it.
///
/// A dictionary is shared (not copied) by every column derived from the same data through
/// filters, sorts and joins, so per-string work (lower, contains, comparisons with a literal)
/// runs once per distinct value instead of once per row. Values are told apart by their bytes
/// (`ByteText`), as SQL engines do: canonically equivalent spellings stay two values.
///
/// A dictionary never changes once made: it is filled by a `Builder` (a value that belongs to
/// whoever fills it, such as one chunk of the loader) and frozen whole. That is what lets
/// columns, sessions and threads share one without a lock, and why it is `Sendable` as checked
/// by the compiler: every stored property is a `let` of a `Sendable` type.
///
///     var builder = StringDictionary.Builder()
///     let codes = ["web", "shop", "web"].map { builder.code(for: $0) }   // [0, 1, 0]
///     let column = Column(.string(codes, StringDictionary(builder)))
final class StringDictionary: Sendable {
    /// The strings, indexed by code.
    let values: [String]
    private let index: [ByteText.Key: Int32]

    /// The empty dictionary.
    convenience init() { self.init(Builder()) }

    /// `values`, in order, with codes 0, 1, … (a repeated value keeps its first code).
    convenience init(values: [String]) { self.init(Builder(values: values)) }

    /// Freezes what `builder` holds.
    init(_ builder: consuming Builder) {
        values = builder.values
        index = builder.index
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

    /// A dictionary being filled. A value type: the one who fills it owns it, and freezing it
    /// (`StringDictionary(builder)`) is the only way to share what it holds.
    struct Builder {
        /// The strings so far, indexed by code.
        private(set) var values: [String] = []
        fileprivate var index: [ByteText.Key: Int32] = [:]

        init() {}

        /// Starts from `values`, in order (a repeated value keeps its first code).
        init(values: [String]) {
            self.values.reserveCapacity(values.count)
            for v in values { _ = code(for: v) }
        }

        /// The code of `s`, adding it when new.
        @inline(__always)
        mutating func code(for s: String) -> Int32 {
            if let c = index[ByteText.Key(text: s)] { return c }
            let c = Int32(values.count)
            values.append(s)
            index[ByteText.Key(text: s)] = c
            return c
        }

        var count: Int { values.count }
    }
}

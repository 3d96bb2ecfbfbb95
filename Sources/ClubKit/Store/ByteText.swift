/// Text compared as SQL engines compare it: by its UTF-8 bytes (so by code point). A composed
/// `é` (U+00E9) and `e` + U+0301 are different values that group, join and sort apart and keep
/// their own bytes, where Swift's `String ==` would call them equal.
enum ByteText {
    static func equal(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Whether `needle`'s bytes occur in `s` (the empty text occurs in every text).
    static func contains(_ s: String, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard !n.isEmpty else { return true }
        let h = Array(s.utf8)
        guard h.count >= n.count else { return false }
        for start in 0...(h.count - n.count) where h[start] == n[0] {
            var k = 1
            while k < n.count && h[start + k] == n[k] { k += 1 }
            if k == n.count { return true }
        }
        return false
    }

    static func hasPrefix(_ s: String, _ prefix: String) -> Bool { s.utf8.starts(with: prefix.utf8) }

    /// A string as a key that hashes and compares its bytes.
    struct Key: Hashable {
        let text: String

        static func == (a: Key, b: Key) -> Bool { ByteText.equal(a.text, b.text) }

        func hash(into hasher: inout Hasher) {
            // The same bytes hash the same way whether or not the text is stored contiguously.
            // SAFETY: the bytes are read only inside each closure, by `combine(bytes:)`.
            if text.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
                Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
            }
        }
    }
}

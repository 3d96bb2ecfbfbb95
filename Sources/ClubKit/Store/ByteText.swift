/// Text compared as SQL engines compare it: by its UTF-8 bytes (so by code point). A composed
/// `é` (U+00E9) and `e` + U+0301 are different values that group, join and sort apart and keep
/// their own bytes, where Swift's `String ==` would call them equal.
///
/// One exception in the order, for the Iranian clubs clubsh is for: Persian text sorts in the
/// Persian alphabet (ا ب پ ت … ک گ … ن و ه ی), which code points break (پ چ ژ ک گ ی lie past
/// the Arabic letters, and ه comes before و), with the Arabic forms of a letter beside it (ك by
/// ک, ي by ی), zero-width non-joiners and harakat ignored, and Persian and Arabic-Indic digits
/// right after the ASCII digit of the same value. Equality stays by bytes: two texts that sort
/// alike but differ in bytes are ordered by their bytes.
enum ByteText {
    static func equal(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    static func less(_ a: String, _ b: String) -> Bool {
        // Text without a byte of the Arabic block (U+0600–U+06FF: lead bytes D8–DB) sorts by bytes.
        guard hasArabicScript(a) || hasArabicScript(b) else { return a.utf8.lexicographicallyPrecedes(b.utf8) }
        let wa = weights(a), wb = weights(b)
        if wa != wb { return wa.lexicographicallyPrecedes(wb) }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func hasArabicScript(_ s: String) -> Bool { s.utf8.contains { $0 >= 0xD8 && $0 <= 0xDB } }

    /// The order of `values` as `less` gives it, each value's weights worked out once.
    static func sortedIndices(_ values: [String]) -> [Int] {
        guard values.contains(where: hasArabicScript) else {
            return values.indices.sorted { values[$0].utf8.lexicographicallyPrecedes(values[$1].utf8) }
        }
        let keys = values.map(weights)
        return values.indices.sorted { a, b in
            keys[a] != keys[b] ? keys[a].lexicographicallyPrecedes(keys[b]) : values[a].utf8.lexicographicallyPrecedes(values[b].utf8)
        }
    }

    /// A sort weight per scalar: the code point × 256, except that a letter of the Persian
    /// alphabet weighs 0x0600 × 256 + its place, and a Persian or Arabic-Indic digit weighs just
    /// over the ASCII digit; ignorable scalars have none.
    private static func weights(_ s: String) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            let v = u.value
            switch v {
            case 0x06F0...0x06F9: out.append((0x30 + v - 0x06F0) << 8 | 1)
            case 0x0660...0x0669: out.append((0x30 + v - 0x0660) << 8 | 2)
            case 0x200C, 0x0640, 0x064B...0x065F, 0x0670: continue
            default:
                if let place = persianPlace[v] { out.append(0x0600 << 8 | place) } else { out.append(v << 8) }
            }
        }
        return out
    }

    /// The place of each letter in the Persian alphabet (1 = ء), Arabic forms with their letter.
    private static let persianPlace: [UInt32: UInt32] = {
        let alphabet: [[UInt32]] = [
            [0x0621], [0x0622], [0x0627, 0x0623, 0x0625, 0x0671], [0x0628], [0x067E], [0x062A], [0x062B], [0x062C], [0x0686], [0x062D],
            [0x062E], [0x062F], [0x0630], [0x0631], [0x0632], [0x0698], [0x0633], [0x0634], [0x0635], [0x0636], [0x0637], [0x0638],
            [0x0639], [0x063A], [0x0641], [0x0642], [0x06A9, 0x0643], [0x06AF], [0x0644], [0x0645], [0x0646], [0x0648, 0x0624],
            [0x0647, 0x0629, 0x06C0], [0x06CC, 0x064A, 0x0626, 0x0649],
        ]
        var place: [UInt32: UInt32] = [:]
        for (k, letters) in alphabet.enumerated() { for l in letters { place[l] = UInt32(k + 1) } }
        return place
    }()

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

/// A validity bitmap: bit `i` set means row `i` holds a value, clear means null.
struct Bitmap: Equatable, Sendable {
    private(set) var words: [UInt64]
    private(set) var count: Int

    /// A bitmap of `count` bits, all set (valid) or all clear (null).
    init(count: Int, allValid: Bool = true) {
        self.count = count
        let n = (count + 63) >> 6
        words = [UInt64](repeating: allValid ? ~0 : 0, count: n)
        if allValid { trimTail() }
    }

    /// A bitmap of `count` bits from their words (bit i is bit i % 64 of word i / 64); the bits
    /// past `count` in the last word are cleared.
    init(words: [UInt64], count: Int) {
        precondition(words.count == (count + 63) >> 6)
        (self.words, self.count) = (words, count)
        trimTail()
    }

    @inline(__always)
    func isValid(_ i: Int) -> Bool {
        (words[i >> 6] >> UInt64(i & 63)) & 1 == 1
    }

    @inline(__always)
    mutating func set(_ i: Int, _ valid: Bool) {
        if valid { words[i >> 6] |= (1 << UInt64(i & 63)) } else { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    /// Appends one bit.
    mutating func append(_ valid: Bool) {
        if count & 63 == 0 { words.append(0) }
        if valid { words[count >> 6] |= (1 << UInt64(count & 63)) }
        count += 1
    }

    /// The number of null (clear) bits.
    var nullCount: Int {
        var valid = 0
        for w in words { valid += w.nonzeroBitCount }
        return count - valid
    }

    /// Bitwise AND of two bitmaps of equal length.
    static func & (a: Bitmap, b: Bitmap) -> Bitmap {
        var r = a
        for i in 0..<r.words.count { r.words[i] &= b.words[i] }
        return r
    }

    private mutating func trimTail() {
        let rem = count & 63
        if rem != 0, !words.isEmpty { words[words.count - 1] &= (1 << UInt64(rem)) - 1 }
    }

    /// Combines two optional bitmaps (nil = all valid).
    static func and(_ a: Bitmap?, _ b: Bitmap?) -> Bitmap? {
        switch (a, b) {
        case (nil, nil): return nil
        case (let x?, nil): return x
        case (nil, let y?): return y
        case (let x?, let y?): return x & y
        }
    }

    /// Keeps the bits at `indices`, in that order.
    func gather(_ indices: [Int32]) -> Bitmap {
        var r = Bitmap(count: indices.count, allValid: false)
        for (j, i) in indices.enumerated() where isValid(Int(i)) { r.set(j, true) }
        return r
    }

    var bytes: Int { words.count * 8 }
}

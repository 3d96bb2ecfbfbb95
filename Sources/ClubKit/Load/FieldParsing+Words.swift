/// Fast paths for the commonest fields, reading a field as one or two machine words instead of
/// byte by byte: short unsigned integers, short decimals (`52.59`) and ISO dates. Each returns
/// nil for anything it does not read, and the caller then asks the general parser
/// (`parseInt`, `parseDouble`, `DateParser.isoDate`), so a value is stored exactly as before:
/// a fast path gives the same value as the general parser or no value at all (the tests hold
/// them to that).
///
/// SAFETY: part of the loader's chunk parser. `file` is the whole buffer the field is a slice
/// of; a word is loaded only where it lies inside `file` (start + 8 ≤ file.count), and the
/// bytes past the field's end are shifted out before they are looked at.
extension FieldParsing {
    private static let zeros: UInt64 = 0x3030_3030_3030_3030

    /// The field's bytes `file[start..<end]` (1 to 8 of them) as one word, right-aligned, with
    /// `0` bytes in front: the last character in the top byte. Nil when the field is longer or
    /// the word would pass the end of `file`.
    @inline(__always)
    private static func word(_ file: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64? {
        let n = end - start
        guard n >= 1, n <= 8, start >= 0, start + 8 <= file.count, let base = file.baseAddress else { return nil }
        let w = UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self)
        // Smart shifts: a shift by 64 gives 0, so eight bytes keep the word whole.
        return (w << UInt64(64 - 8 * n)) | (zeros >> UInt64(8 * n))
    }

    /// Whether every byte of `x` is an ASCII digit: its high nibble is 3 and adding 6 to it
    /// leaves the high nibble alone (no byte can carry into the next: each is 0x30…0x3F).
    @inline(__always)
    private static func allDigits(_ x: UInt64) -> Bool {
        x & 0xF0F0_F0F0_F0F0_F0F0 == zeros && (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == zeros
    }

    /// The eight digits of `x` (the first in the lowest byte) as a number, in three multiplies.
    @inline(__always)
    private static func value(ofDigits x: UInt64) -> UInt64 {
        var v = ((x & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    /// One to eight ASCII digits and nothing else (no sign, no blank): their value, which is
    /// what `parseInt` gives them; nil otherwise.
    @inline(__always)
    static func shortInt(_ file: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard let x = word(file, start, end), allDigits(x) else { return nil }
        return Int64(value(ofDigits: x))
    }

    /// Up to eight bytes of digits with at most one `.` and at least one digit (`52.59`, `.5`,
    /// `7.`, `120`): the double `parseDouble` gives them — the digits as an integer divided by
    /// the power of ten the fraction's length says, as it computes it; nil otherwise.
    @inline(__always)
    static func shortDecimal(_ file: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard end - start >= 2, var x = word(file, start, end) else {
            return shortInt(file, start, end).map { Double($0) }
        }
        let y = x ^ 0x2E2E_2E2E_2E2E_2E2E
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let dots = ~(((y & low) &+ low) | y) & ~low
        var fraction = 0
        if dots != 0 {
            guard dots.nonzeroBitCount == 1 else { return nil }
            // Take the dot out: the bytes below it move up one byte and a `0` fills the lowest.
            let at = dots.trailingZeroBitCount >> 3
            let below = x & ((1 << UInt64(8 * at)) &- 1)
            let above = x & ~((1 << UInt64(8 * at + 8)) &- 1)
            x = above | (below << 8) | 0x30
            fraction = 7 - at
        }
        guard allDigits(x) else { return nil }
        let v = Double(value(ofDigits: x))
        return fraction == 0 ? v : v / powerOf10(fraction)
    }

    /// `YYYY-MM-DD` → day number, as `DateParser.isoDate` reads it (a real day of the years
    /// 0001–9999), from one eight-byte and one two-byte load: the dashes and digits are checked
    /// a word at a time, and only a day past the 28th asks how long its month is.
    @inline(__always)
    static func isoDay(_ p: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard p.count == 10, let base = p.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let w = raw.loadUnaligned(as: UInt64.self)
        // Bytes 4 and 7 are the dashes.
        guard w & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000 else { return nil }
        let digits = (w & 0x00FF_FF00_FFFF_FFFF) | 0x3000_0030_0000_0000
        let tail = UInt64(raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)) | 0x3030_3030_3030_0000
        guard allDigits(digits), allDigits(tail) else { return nil }
        @inline(__always) func d(_ k: Int) -> Int { Int((digits >> UInt64(8 * k)) & 0xF) }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
        let month = d(5) * 10 + d(6)
        let day = Int((tail & 0xF) * 10 + ((tail >> 8) & 0xF))
        guard year >= 1, month >= 1, month <= 12, day >= 1,
              day <= 28 || day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        return Int32(CivilDate.days(year: year, month: month, day: day))
    }
}

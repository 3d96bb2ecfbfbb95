/// Classifies and parses field bytes: the type inference lattice of the loader.
///
/// SAFETY: part of the loader's chunk parser. Each function reads the field `p` it is given
/// only at indexes below p.count (every loop runs while i < p.count, and fixed offsets are read
/// after a length check), and keeps no pointer into it.
enum FieldParsing {
    /// Candidate types, as bits. A column's candidates are the AND over its non-empty values.
    static let int: UInt16 = 1, double: UInt16 = 2, bool: UInt16 = 4, date: UInt16 = 8, dateTime: UInt16 = 16, pattern: UInt16 = 32
    /// Not a type of its own: an integer that fits in 32 bits, so the column can be stored narrow.
    static let int32: UInt16 = 64
    /// A Jalali date, date-time or pattern date: a real day of the years the calendar reads
    /// (`JalaliDateParser.classify`).
    static let jalaliDate: UInt16 = 128, jalaliDateTime: UInt16 = 256, jalaliPattern: UInt16 = 512
    /// Not a type of its own: written as a Jalali date of the years that mark a column Jalali,
    /// whether or not it is a real day. A column whose every value has it is not Gregorian.
    static let jalaliShape: UInt16 = 1024
    static let all: UInt16 = 2047
    /// The Gregorian date bits, which a Jalali column does without.
    static let gregorianDates: UInt16 = date | dateTime | pattern
    /// The Jalali bits, which a Gregorian load never sets.
    static let jalaliDates: UInt16 = jalaliDate | jalaliDateTime | jalaliPattern | jalaliShape

    /// The types `p` could be read as under `calendar`. A field with Persian or Arabic-Indic
    /// digits is classified as its Latin rewriting (`LocalDigits`) would be.
    @inline(__always)
    static func classify(_ p: UnsafeBufferPointer<UInt8>, pattern: DatePattern?, calendar: LoadCalendar) -> UInt16 {
        guard let first = p.first else { return all }
        var mask = classifyLatin(p, first: first, pattern: pattern, calendar: calendar)
        if mask == 0 && LocalDigits.hasNonASCII(p) {
            // Each kind takes the bits of the rewriting `put` tries for it (`FieldKind.localRewrite`):
            // a bit `put` cannot honour would narrow nothing, and the load would retry for ever.
            mask |= LocalDigits.rewritten(p, LocalDigits.latinDigits) {
                classifyLatin($0, first: $0.first ?? 0, pattern: pattern, calendar: calendar) & (gregorianDates | jalaliDates)
            } ?? 0
            mask |= LocalDigits.rewritten(p, LocalDigits.latinNumber) {
                classifyLatin($0, first: $0.first ?? 0, pattern: nil, calendar: .gregorian) & (int | int32 | double)
            } ?? 0
        }
        return mask
    }

    /// `classify` for text whose digits are Latin.
    @inline(__always)
    private static func classifyLatin(_ p: UnsafeBufferPointer<UInt8>, first: UInt8, pattern: DatePattern?, calendar: LoadCalendar) -> UInt16 {
        var mask: UInt16 = 0
        let gregorian = calendar.readsGregorian
        if gregorian, let pattern, pattern.parse(p) != nil { mask |= Self.pattern }
        if (first >= 48 && first <= 57) || first == 45 || first == 43 || first == 46 || first | 32 == 105 {
            if let v = parseInt(p) { mask |= int | double | (Int32(exactly: v) != nil ? int32 : 0) }
            else if isIntegerText(p) { /* beyond 64 bits: only text keeps every digit */ }
            else if parseDouble(p) != nil { mask |= double }
            else if gregorian, p.count == 10, DateParser.isoDate(p) != nil { mask |= date }
            else if gregorian, p.count >= 16, DateParser.isoDateTime(p) != nil { mask |= dateTime }
        } else if parseBool(p) != nil {
            mask |= bool
        }
        if calendar != .gregorian { mask |= JalaliDateParser.classify(p, pattern: pattern, calendar: calendar) }
        return mask
    }

    /// The candidates a column of candidates `mask` keeps under `calendar`: a Jalali load has no
    /// Gregorian dates and a Gregorian one no Jalali dates; a detected calendar takes a column
    /// whose every value is written as a date of the years 1300–1499 for Jalali, never Gregorian.
    @inline(__always)
    static func possible(_ mask: UInt16, calendar: LoadCalendar) -> UInt16 {
        switch calendar {
        case .gregorian: return mask & ~jalaliDates
        case .jalali: return mask & ~gregorianDates
        case .automatic: return mask & jalaliShape != 0 ? mask & ~gregorianDates : mask & ~jalaliDates
        }
    }

    /// The type a column of candidates `mask` becomes: integer → float → bool → date → date-time
    /// → string, with a user date pattern winning over numbers (`yyyyMMdd` looks like an integer).
    static func resolve(_ mask: UInt16, pattern: DatePattern?, calendar: LoadCalendar) -> DataType {
        FieldKind.inferred(mask, pattern: pattern, calendar: calendar).type
    }

    /// Whether a field `p` written as an integer (Latin or local digits) is beyond 64 bits, which
    /// keeps its column text.
    static func isWideInteger(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if isIntegerText(p) { return parseInt(p) == nil }
        guard LocalDigits.hasNonASCII(p) else { return false }
        return LocalDigits.rewritten(p, LocalDigits.latinNumber) { isIntegerText($0) && parseInt($0) == nil ? true : nil } ?? false
    }

    /// The candidate bits that satisfy a declared type.
    static func accepts(_ type: DataType, _ mask: UInt16) -> Bool {
        switch type {
        case .int: return mask & int != 0
        case .double: return mask & double != 0
        case .bool: return mask & bool != 0
        case .date: return mask & (date | pattern | jalaliDate | jalaliPattern) != 0
        case .datetime: return mask & (dateTime | date | pattern | jalaliDate | jalaliDateTime | jalaliPattern) != 0
        default: return true
        }
    }

    /// A decimal integer in 64 bits (an optional sign, digits; leading zeros allowed), or nil —
    /// for text that is not one, and for integers beyond 64 bits, which the caller must not
    /// round (see `isIntegerText`).
    @inline(__always)
    static func parseInt(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !p.isEmpty else { return nil }
        var i = 0
        var negative = false
        if p[0] == 45 || p[0] == 43 { negative = p[0] == 45; i = 1 }
        guard i < p.count else { return nil }
        // Leading zeros do not count towards the 19 digits.
        while i + 1 < p.count && p[i] == 48 { i += 1 }
        let digits = p.count - i
        guard digits <= 19 else { return nil }
        if digits <= 18 {
            // Eighteen digits cannot overflow.
            var v: Int64 = 0
            while i < p.count {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                v = v &* 10 &+ Int64(d)
                i += 1
            }
            return negative ? -v : v
        }
        // Nineteen digits: accumulate towards the sign, so that -9223372036854775808 fits.
        var v: Int64 = 0
        while i < p.count {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return v
    }

    /// Whether `p` is written as an integer: an optional sign and one or more digits. Text like
    /// that which `parseInt` rejects is an integer beyond 64 bits.
    static func isIntegerText(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if let first = p.first, first == 45 || first == 43 { i = 1 }
        guard i < p.count else { return false }
        while i < p.count { guard p[i] &- 48 < 10 else { return false }; i += 1 }
        return true
    }

    /// A float column's value: a decimal number, but not an integer beyond 64 bits, which stays
    /// text rather than lose digits (a declared `double` column takes it, as `.anyDouble`).
    @inline(__always)
    static func parseFloatColumnValue(_ p: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let v = parseDouble(p) else { return nil }
        if v.magnitude >= 9.2e18 && isIntegerText(p) && parseInt(p) == nil { return nil }
        return v
    }

    /// 10^e for 0 ≤ e ≤ 22, exactly. A switch, not a global array: threads parsing in parallel
    /// would otherwise contend on the array's reference count for every number.
    @inline(__always)
    static func powerOf10(_ e: Int) -> Double {
        switch e {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// A decimal number, or `inf` / `infinity` with an optional sign (any case). Up to 15
    /// significant digits and small exponents are computed exactly (Clinger's fast path: an
    /// exact integer over an exact power of ten rounds once); anything else falls back to the
    /// standard library's correctly rounded parser. A magnitude beyond the largest double is
    /// ±infinity (`1e400`); NaN is never returned (`nan` is not a number here).
    @inline(__always)
    static func parseDouble(_ p: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        var negative = false
        if p.count > 0 && (p[0] == 45 || p[0] == 43) { negative = p[0] == 45; i = 1 }
        if i < p.count && p[i] | 32 == 105 { return infinity(p, from: i).map { negative ? -$0 : $0 } }
        var mantissa: Int64 = 0
        var digits = 0, intDigits = 0, fracDigits = 0
        var sawDot = false
        while i < p.count {
            let b = p[i]
            if b >= 48 && b <= 57 {
                if digits < 18 { mantissa = mantissa * 10 + Int64(b - 48) } else if !sawDot { return slow(p) }
                digits += 1
                if sawDot { fracDigits += 1 } else { intDigits += 1 }
            } else if b == 46 && !sawDot {
                sawDot = true
            } else if b == 101 || b == 69 {
                break
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        var exponent = 0
        if i < p.count {
            i += 1
            var expNegative = false
            if i < p.count && (p[i] == 45 || p[i] == 43) { expNegative = p[i] == 45; i += 1 }
            guard i < p.count else { return nil }
            var e = 0
            while i < p.count {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                e = min(e * 10 + Int(d), 100_000)
                i += 1
            }
            exponent = expNegative ? -e : e
        }
        if digits > 15 { return slow(p) }
        let e10 = exponent - fracDigits
        var v = Double(mantissa)
        if e10 == 0 {
        } else if e10 > 0 && e10 <= 22 {
            v *= powerOf10(e10)
        } else if e10 < 0 && -e10 <= 22 {
            v /= powerOf10(-e10)
        } else {
            return slow(p)
        }
        return negative ? -v : v
    }

    /// The standard library's correctly rounded parser, for text that begins as a decimal number
    /// (`parseDouble` hands over at the nineteenth digit, before reading the rest). It refuses
    /// anything but a decimal number, and gives a finite value or ±infinity, never NaN.
    private static func slow(_ p: UnsafeBufferPointer<UInt8>) -> Double? {
        // The standard library's parser reads a C string: a NUL would end the number early
        // (`12345678901234567890<NUL>x` read as 1.2345678901234567e19).
        guard !p.contains(0), let v = Double(String(decoding: p, as: UTF8.self)), !v.isNaN else { return nil }
        return v
    }

    /// `inf` or `infinity` (any case) from `i` to the end: +infinity.
    private static func infinity(_ p: UnsafeBufferPointer<UInt8>, from i: Int) -> Double? {
        let n = p.count - i
        guard n == 3 || n == 8 else { return nil }
        let word: StaticString = "infinity"
        for k in 0..<n where p[i + k] | 32 != word.utf8Start[k] { return nil }
        return .infinity
    }

    @inline(__always)
    static func parseBool(_ p: UnsafeBufferPointer<UInt8>) -> Bool? {
        if p.count == 4, p[0] | 32 == 116, p[1] | 32 == 114, p[2] | 32 == 117, p[3] | 32 == 101 { return true }
        if p.count == 5, p[0] | 32 == 102, p[1] | 32 == 97, p[2] | 32 == 108, p[3] | 32 == 115, p[4] | 32 == 101 { return false }
        return nil
    }
}

/// Interns byte strings into a `StringDictionary` without creating a `String` per row: an
/// open-addressing table keyed by the bytes' hash, comparing against a byte arena.
///
/// A value type, mutated in place where the chunk keeps it: a class here cost a retain and
/// release per field, and dynamic exclusivity checks on its properties, in the loader's
/// hottest loop. One interner belongs to one chunk (one thread) until the chunk is done.
struct ByteInterner {
    /// The texts so far, in code order; frozen when the load has put the chunks together.
    private(set) var dictionary = StringDictionary.Builder()
    private var slots: [Int32]
    private var mask: Int
    private var hashes: [UInt64] = []
    private var offsets: [Int] = []
    private var arena: [UInt8] = []

    init() {
        // Small at first: a file of 10,000 text columns makes 10,000 interners per chunk.
        slots = [Int32](repeating: -1, count: 64)
        mask = 63
    }

    /// The last text interned and its code, packed as `packed` packs it (count -1: none yet). A
    /// column of a few values often repeats the one before (a customer's orders share a
    /// channel), and then the table is not consulted at all.
    private var lastCount = -1
    private var lastWords: (UInt64, UInt64) = (0, 0)
    private var lastCode: Int32 = 0

    /// Up to 16 bytes as two words, exactly (with the count, no two texts pack alike): the
    /// first eight and the last eight bytes, or the first four and the last four, or the bytes.
    ///
    /// SAFETY: every load lies inside p: 8-byte loads when p.count ≥ 8, 4-byte ones when ≥ 4.
    @inline(__always)
    private static func packed(_ p: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let n = p.count
        guard n > 0, let base = p.baseAddress else { return (0, 0) }
        let raw = UnsafeRawPointer(base)
        if n >= 8 { return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
        if n >= 4 {
            return (UInt64(raw.loadUnaligned(as: UInt32.self)) | UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32, 0)
        }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(base[i]) << UInt64(8 * i) }
        return (v, 0)
    }

    /// A text's hash: of its packed words when it has at most 16 bytes, else FNV-1a over its
    /// bytes; either way finished with MurmurHash3's fmix64, so that the low bits of short,
    /// similar texts (numbers) spread over the table's slots.
    @inline(__always)
    private static func hash(_ p: UnsafeBufferPointer<UInt8>, _ words: (UInt64, UInt64)) -> UInt64 {
        var h: UInt64
        if p.count <= 16 {
            h = (words.0 &* 0x9E37_79B9_7F4A_7C15) ^ (words.1 &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(p.count)
        } else {
            h = 0xcbf29ce484222325
            for b in p { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        }
        h = (h ^ (h >> 33)) &* 0xff51afd7ed558ccd
        h = (h ^ (h >> 33)) &* 0xc4ceb9fe1a85ec53
        return h ^ (h >> 33)
    }

    /// The code of the string `p` holds; nil when `p` is new and not valid UTF-8.
    @inline(__always)
    mutating func intern(_ p: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard p.count <= 16 else { return lookUp(p, (0, 0)) }
        let words = Self.packed(p)
        if p.count == lastCount && words == lastWords { return lastCode }
        guard let code = lookUp(p, words) else { return nil }
        lastCount = p.count
        lastWords = words
        lastCode = code
        return code
    }

    /// `intern` past the last-value check: the table, and a new entry when the text is new.
    private mutating func lookUp(_ p: UnsafeBufferPointer<UInt8>, _ words: (UInt64, UInt64)) -> Int32? {
        let h = Self.hash(p, words)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let c = slots[s]
            if c < 0 { break }
            if hashes[Int(c)] == h && equal(Int(c), p) { return c }
            s = (s + 1) & mask
        }
        if !p.isEmpty, CSVReader.firstInvalidUTF8(p, from: 0) != nil { return nil }
        let code = dictionary.code(for: String(decoding: p, as: UTF8.self))
        if Int(code) < hashes.count { return code }  // same text as an earlier entry (cannot happen for valid UTF-8)
        hashes.append(h)
        offsets.append(arena.count)
        arena.append(contentsOf: p)
        slots[s] = code
        if hashes.count * 2 > slots.count { grow() }
        return code
    }

    @inline(__always)
    private func equal(_ code: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[code]
        let end = code + 1 < offsets.count ? offsets[code + 1] : arena.count
        guard end - start == p.count else { return false }
        // SAFETY: the entry is arena[start..<end], and end - start == p.count, so
        // start + i < end ≤ arena.count for every i < p.count.
        return arena.withUnsafeBufferPointer { a in
            var i = 0
            while i < p.count { if a[start + i] != p[i] { return false }; i += 1 }
            return true
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (code, h) in hashes.enumerated() {
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(code)
        }
    }
}

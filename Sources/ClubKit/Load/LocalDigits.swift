/// Numbers and dates written with Persian digits (۰–۹, U+06F0–U+06F9), Arabic-Indic digits
/// (٠–٩, U+0660–U+0669) and the Arabic decimal and thousands separators (٫ U+066B, ٬ U+066C),
/// rewritten in Latin characters for the ordinary parsers: `۱۲۰٬۰۰۰` → `120000`, `۱۴۰۲/۰۷/۱۵` →
/// `1402/07/15`.
///
/// The loader parses Latin digits directly; a field comes here only when it does not parse and
/// holds a byte above 0x7F, so files written in Latin digits pay nothing for it.
///
/// SAFETY: each function reads `p` only at indexes below p.count (a two-byte character is read
/// after checking i + 1 < p.count) and writes `out` only below the count it returns, at most
/// p.count: a Latin byte is copied, and a two-byte character becomes one byte or none.
enum LocalDigits {
    /// Whether `p` holds a byte above 0x7F.
    static func hasNonASCII(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in p where b >= 0x80 { return true }
        return false
    }

    /// The value of the Persian or Arabic-Indic digit whose UTF-8 starts at `i`, or nil.
    @inline(__always)
    static func localDigit(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt8? {
        guard i + 1 < p.count else { return nil }
        let (lead, next) = (p[i], p[i + 1])
        if lead == 0xDB && next >= 0xB0 && next <= 0xB9 { return next - 0xB0 }  // U+06F0–U+06F9
        if lead == 0xD9 && next >= 0xA0 && next <= 0xA9 { return next - 0xA0 }  // U+0660–U+0669
        return nil
    }

    /// Whether the two bytes at `i` are the character U+06xx whose second UTF-8 byte is `second`
    /// (0xAB for ٫, 0xAC for ٬).
    @inline(__always)
    private static func isArabic(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ second: UInt8) -> Bool {
        i + 1 < p.count && p[i] == 0xD9 && p[i + 1] == second
    }

    /// `p` with each Persian or Arabic-Indic digit written as its Latin digit and every other byte
    /// as it is; the count written to `out` (which holds at least p.count bytes), or nil when `p`
    /// has no such digit.
    static func latinDigits(_ p: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var i = 0, n = 0
        var local = false
        while i < p.count {
            if p[i] >= 0x80, let d = localDigit(p, i) {
                out[n] = 48 + d
                local = true
                i += 2
            } else {
                out[n] = p[i]
                i += 1
            }
            n += 1
        }
        return local ? n : nil
    }

    /// A number written with Persian or Arabic-Indic digits or separators, as the Latin text the
    /// number parsers read: `۱۲۰٬۰۰۰` → `120000`, `-۱۲٫۵` → `-12.5`. A sign, digits, an optional
    /// fraction after `٫` (or `.`) and an optional exponent; thousands separators (`٬`, or `,` as
    /// a quoted field may hold it) only between groups of three digits of the integer part
    /// (`۱٬۲۰۰`, not `۱۲٬۰۰`). The count written to `out` (at least p.count bytes), or nil when
    /// `p` is not such a number or has no local digit or separator.
    static func latinNumber(_ p: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var i = 0, n = 0
        var local = false
        /// Copies the digit at `i`, if there is one.
        func digit() -> Bool {
            guard i < p.count else { return false }
            if p[i] >= 48 && p[i] <= 57 { out[n] = p[i]; i += 1; n += 1; return true }
            guard let d = localDigit(p, i) else { return false }
            out[n] = 48 + d
            i += 2
            n += 1
            local = true
            return true
        }
        if i < p.count && (p[i] == 45 || p[i] == 43) { out[n] = p[i]; i += 1; n += 1 }
        var groupDigits = 0, separators = 0
        while i < p.count {
            if digit() { groupDigits += 1; continue }
            let width = p[i] == 44 ? 1 : (isArabic(p, i, 0xAC) ? 2 : 0)
            guard width > 0 else { break }
            // The first group has one to three digits, every later one exactly three.
            guard groupDigits >= 1 && (separators == 0 ? groupDigits <= 3 : groupDigits == 3) else { return nil }
            if width == 2 { local = true }
            separators += 1
            groupDigits = 0
            i += width
        }
        if separators > 0 && groupDigits != 3 { return nil }
        if i < p.count && (p[i] == 46 || isArabic(p, i, 0xAB)) {
            if p[i] != 46 { local = true }
            i += p[i] == 46 ? 1 : 2
            out[n] = 46
            n += 1
            while digit() {}
        }
        if i < p.count && (p[i] == 101 || p[i] == 69) {
            out[n] = 101
            i += 1
            n += 1
            if i < p.count && (p[i] == 45 || p[i] == 43) { out[n] = p[i]; i += 1; n += 1 }
            guard digit() else { return nil }
            while digit() {}
        }
        return i == p.count && local ? n : nil
    }

    /// Runs `body` on `p` rewritten by `rewrite` (`latinDigits` or `latinNumber`) in a scratch
    /// buffer on the stack; nil when `rewrite` gives nothing.
    @inline(__always)
    static func rewritten<T>(_ p: UnsafeBufferPointer<UInt8>,
                             _ rewrite: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>) -> Int?,
                             _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        // SAFETY: the buffer holds p.count bytes, as `rewrite` needs; `body` reads only the
        // `count` bytes written, inside the closure.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(p.count, 1)) { out in
            guard let count = rewrite(p, out) else { return nil }
            return body(UnsafeBufferPointer(rebasing: out[0..<count]))
        }
    }
}

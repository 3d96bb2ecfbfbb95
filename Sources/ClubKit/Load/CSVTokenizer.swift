/// One field of a record: a byte range of the file. `escaped` means it holds doubled quotes.
struct CSVField {
    var start: Int
    var end: Int
    var quoted: Bool
    var escaped: Bool
}

/// Splits a buffer into records and fields (RFC 4180: quotes, doubled quotes, embedded
/// delimiters and newlines; CRLF; blank lines skipped). It reuses the caller's field array, so
/// a record costs no allocation.
///
/// SAFETY: part of the loader's chunk parser, which reads raw bytes. Every read of `p` is at an
/// offset checked against `end` (= p.count) first, so fields always satisfy
/// start ≤ end ≤ p.count; the tokenizer never writes to `p`.
struct CSVTokenizer {
    let p: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let whitespace: Bool
    /// The padding trimmed around fields and skipped around quotes: space and tab, except the
    /// delimiter itself (a tab-delimited file's tab after a closing quote ends the field).
    let blank1: UInt8, blank2: UInt8
    /// Where the bytes end (the buffer's end).
    let end: Int
    /// No record starts at or after this offset (a chunk's end); the last record may run past it.
    let stop: Int
    var pos: Int
    /// The line the cursor is on (1-based) and where that line starts.
    private(set) var line: Int
    private(set) var lineStart: Int
    /// The line and byte offset where the last record began.
    private(set) var recordLine = 1
    private(set) var recordStart = 0
    /// The separators of the 64 bytes from `blockStart` (`separator`); none read yet.
    private var blockStart = Int.min / 2
    private var blockBits: UInt64 = 0

    init(_ p: UnsafeBufferPointer<UInt8>, start: Int, stop: Int? = nil, line: Int = 1, delimiter: CSVOptions.Delimiter) {
        self.p = p
        end = p.count
        self.stop = stop ?? p.count
        pos = start
        lineStart = start
        self.line = line
        switch delimiter {
        case .byte(let b):
            self.delimiter = b
            whitespace = false
            blank1 = b == 32 ? 9 : 32
            blank2 = b == 9 ? 32 : 9
        case .whitespace:
            self.delimiter = 32
            whitespace = true
            blank1 = 32
            blank2 = 9
        }
    }

    @inline(__always) private func isBlank(_ b: UInt8) -> Bool { b == blank1 || b == blank2 }

    private mutating func newline() {
        if p[pos] == 13, pos + 1 < end, p[pos + 1] == 10 { pos += 1 }
        pos += 1
        line += 1
        lineStart = pos
    }

    /// Reads the next record into `fields`; false at the end of the buffer.
    mutating func next(_ fields: inout [CSVField]) throws -> Bool {
        fields.removeAll(keepingCapacity: true)
        let n = end
        // Skip blank lines (and, for whitespace-delimited files, lines of only spaces).
        while pos < n {
            var q = pos
            if whitespace { while q < n && isBlank(p[q]) { q += 1 } }
            if q < n && (p[q] == 10 || p[q] == 13) { pos = q; newline() } else { break }
        }
        if pos >= n || pos >= stop { return false }
        recordLine = line
        recordStart = pos
        while true {
            if whitespace { while pos < n && isBlank(p[pos]) { pos += 1 } }
            // Leading spaces before an opening quote are allowed.
            var q = pos
            while !whitespace && q < n && isBlank(p[q]) { q += 1 }
            if q < n && p[q] == 34 {
                let open = q
                pos = q + 1
                let start = pos
                var escaped = false
                while true {
                    guard pos < n else {
                        throw TokenError(offset: open, line: lineOfOffset(open), message: "unterminated quoted field (the quote opened here is never closed)")
                    }
                    let b = p[pos]
                    if b == 34 {
                        if pos + 1 < n && p[pos + 1] == 34 { escaped = true; pos += 2; continue }
                        break
                    }
                    if b == 10 { line += 1; lineStart = pos + 1 }
                    pos += 1
                }
                fields.append(CSVField(start: start, end: pos, quoted: true, escaped: escaped))
                pos += 1
                if !whitespace { while pos < n && isBlank(p[pos]) { pos += 1 } }
                if pos < n && !(p[pos] == delimiter || p[pos] == 10 || p[pos] == 13 || (whitespace && isBlank(p[pos]))) {
                    throw TokenError(offset: pos, line: line, message: "unexpected character after a closing quote (a quote inside a field must be doubled: \"\")")
                }
            } else {
                var start = pos
                let base = p.baseAddress!
                var q = pos
                if whitespace {
                    while q < n { let b = base[q]; if b == 32 || b == 9 || b == 10 || b == 13 { break }; q += 1 }
                } else {
                    let d = delimiter
                    while q < n { let b = base[q]; if b == d || b == 10 || b == 13 { break }; q += 1 }
                }
                pos = q
                var end = pos
                while start < end && isBlank(p[start]) { start += 1 }
                while end > start && isBlank(p[end - 1]) { end -= 1 }
                fields.append(CSVField(start: start, end: end, quoted: false, escaped: false))
            }
            if pos >= n { return true }
            let b = p[pos]
            if b == 10 || b == 13 { newline(); return true }
            if whitespace {
                while pos < n && isBlank(p[pos]) { pos += 1 }
                if pos >= n { return true }
                if p[pos] == 10 || p[pos] == 13 { newline(); return true }
            } else {
                pos += 1  // the delimiter
            }
        }
    }

    /// The next record when it is exactly `cells.count` unquoted fields: the common case, read
    /// without the general path's bookkeeping. Returns false, consuming nothing, for anything
    /// else (a quote, a blank line, another field count, whitespace-delimited files, the end),
    /// which `next` then reads.
    ///
    /// SAFETY: reads `base[q]` only for q < n and 64-byte blocks only where q + 64 ≤ n (`separator`);
    /// writes `cells[c]` only after checking c < cells.count.
    @inline(__always)
    mutating func nextPlain(_ cells: UnsafeMutableBufferPointer<CSVField>) -> Bool {
        let n = end
        guard !whitespace, pos < n, pos < stop, let base = p.baseAddress else { return false }
        let first = base[pos]
        if first == 10 || first == 13 { return false }
        let d = delimiter
        let width = cells.count
        var q = pos
        var c = 0
        var newline = false
        while true {
            var s = q
            q = separator(from: q, base: base, n: n)
            var e = q
            // A blank (space 32, tab 9) or a quote (34) at either end is at most 34: one compare
            // a side tells the usual field, a digit or a letter at both ends, from the others.
            if s < e && (base[s] <= 34 || base[e - 1] <= 34) {
                while s < e && (base[s] == 32 || base[s] == 9) { s += 1 }
                if s < e && base[s] == 34 { return false }
                while e > s && (base[e - 1] == 32 || base[e - 1] == 9) { e -= 1 }
            }
            guard c < width else { return false }
            cells[c] = CSVField(start: s, end: e, quoted: false, escaped: false)
            c += 1
            guard q < n else { break }
            let b = base[q]
            q += 1
            if b == d { continue }
            if b == 13 && q < n && base[q] == 10 { q += 1 }
            newline = true
            break
        }
        guard c == width else { return false }
        recordStart = pos
        recordLine = line
        pos = q
        if newline {
            line += 1
            lineStart = q
        }
        return true
    }

    /// The first delimiter, line feed or carriage return at or after `q` (q < n), or n. The
    /// separators of 64 bytes at a time are found at once as the bits of a word (`separators`),
    /// kept in `blockBits` for the fields after: a field then costs a count of trailing zeros
    /// instead of a loop whose exit the processor cannot predict. The bits are a function of
    /// the file's bytes alone, so they stay right whichever path moves `pos`.
    ///
    /// SAFETY: a block is read only where q + 64 ≤ n; the tail is read byte by byte below n.
    @inline(__always)
    private mutating func separator(from start: Int, base: UnsafePointer<UInt8>, n: Int) -> Int {
        var q = start
        while true {
            let offset = q &- blockStart
            if offset >= 0 && offset < 64 {
                let bits = blockBits & (~0 << UInt64(offset))
                if bits != 0 { return blockStart + bits.trailingZeroBitCount }
                q = blockStart + 64
            }
            guard q + 64 <= n else { break }
            blockStart = q
            blockBits = Self.separators(UnsafeRawPointer(base + q), delimiter: delimiter)
        }
        let d = delimiter
        while q < n { let b = base[q]; if b == d || b == 10 || b == 13 { return q }; q += 1 }
        return n
    }

    /// Bit i set when byte i of the 64 at `block` is `delimiter`, a line feed or a carriage
    /// return: eight words, each compared eight bytes at a time. `~(((x & 0x7F…) + 0x7F…) | x)`
    /// flags exactly the zero bytes of x (no carry crosses a byte), and the multiply gathers
    /// the eight flags of a word into its top byte.
    ///
    /// SAFETY: the caller has checked that the 64 bytes at `block` are inside the buffer.
    @inline(__always)
    static func separators(_ block: UnsafeRawPointer, delimiter: UInt8) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let delimiters = UInt64(delimiter) &* 0x0101_0101_0101_0101
        var bits: UInt64 = 0
        for k in 0..<8 {
            let w = block.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)
            let x1 = w ^ delimiters, x2 = w ^ 0x0A0A_0A0A_0A0A_0A0A, x3 = w ^ 0x0D0D_0D0D_0D0D_0D0D
            let z1 = ~(((x1 & low) &+ low) | x1), z2 = ~(((x2 & low) &+ low) | x2), z3 = ~(((x3 & low) &+ low) | x3)
            let flags = ((z1 | z2 | z3) & ~low) >> 7
            bits |= ((flags &* 0x0102_0408_1020_4080) >> 56) << UInt64(k * 8)
        }
        return bits
    }

    /// The line of a byte offset at or after `lineStart` bookkeeping (used for error positions).
    private func lineOfOffset(_ offset: Int) -> Int {
        var l = recordLine
        var i = recordStart
        while i < offset { if p[i] == 10 { l += 1 }; i += 1 }
        return l
    }
}

/// A tokenizer failure at a byte offset.
struct TokenError: Error {
    var offset: Int
    var line: Int
    var message: String
}

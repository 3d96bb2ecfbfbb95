/// What one value of a JSON record is, as the scanner found it.
enum JSONTag: UInt32 {
    case number = 0, string, escapedString, trueValue, falseValue, nested
}

/// One value of a JSON record: its row in the chunk, where its bytes are in the file (a
/// string's content, without the quotes) and what it is. `null` makes no cell: a key that is
/// null or missing is a null in that row.
struct JSONCell {
    var start: Int
    var row: UInt32
    /// length << 3 | tag.
    var info: UInt32

    @inline(__always) var tag: JSONTag { JSONTag(rawValue: info & 7)! }
    @inline(__always) var length: Int { Int(info >> 3) }
    /// Where an error about this value points: a string's opening quote.
    var at: Int { tag == .string || tag == .escapedString ? start - 1 : start }

    /// The longest value a cell holds (a string, or an object or array kept as text).
    static let maxLength = (1 << 29) - 1
}

/// A syntax error at a byte offset of the file.
struct JSONError: Error {
    var offset: Int
    var message: String
}

/// Reads JSON text over the file's bytes, one token or one value at a time, and checks it
/// against RFC 8259 as it goes: strings (escapes, surrogate pairs, no raw control characters),
/// numbers (no leading zeros, `+`, `.5`, `NaN` or `Infinity`), `true`, `false`, `null`, and
/// nested objects and arrays, whose brackets are matched with a stack on the heap, so 100,000
/// `[` in a row are an error, never a stack overflow.
///
/// SAFETY: one of the loader's rooms with raw memory. Every read of `b[i]` is guarded by
/// `i < n` (n = p.count), and the scanner keeps no pointer past the load (`InputFile.read`).
struct JSONScanner {
    let b: UnsafePointer<UInt8>
    let n: Int
    var pos: Int
    /// Open brackets of the nested value being skipped (offsets), reused between values.
    private var stack: [Int] = []

    init(_ p: UnsafeBufferPointer<UInt8>, at pos: Int) {
        // An empty buffer has no base address; one byte of static storage stands in (n is 0, so it is never read).
        b = p.baseAddress ?? UnsafePointer(JSONScanner.nothing)
        n = p.count
        self.pos = pos
    }

    nonisolated(unsafe) private static let nothing = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    @inline(__always)
    mutating func skipSpace() {
        while pos < n {
            let c = b[pos]
            guard c == 32 || c == 10 || c == 13 || c == 9 else { return }
            pos += 1
        }
    }

    /// The byte at `pos`, or nil at the end.
    @inline(__always) var peek: UInt8? { pos < n ? b[pos] : nil }

    /// A string at `pos` (its opening quote): the content's bounds, and whether it holds escapes.
    @inline(__always)
    mutating func string() throws(JSONError) -> (start: Int, end: Int, escaped: Bool) {
        let open = pos
        var i = pos + 1
        var escaped = false
        while true {
            // Eight bytes at a time up to the first quote, backslash or control character (the
            // classic SWAR zero-byte test). SAFETY: the load reads bytes i ..< i + 8 ≤ n only.
            while i + 8 <= n {
                let w = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
                let quote = w ^ 0x2222_2222_2222_2222, slash = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let hit = ((quote &- 0x0101_0101_0101_0101) & ~quote) | ((slash &- 0x0101_0101_0101_0101) & ~slash)
                    | ((w &- 0x2020_2020_2020_2020) & ~w)
                let special = hit & 0x8080_8080_8080_8080
                if special == 0 { i += 8; continue }
                i += special.trailingZeroBitCount >> 3
                break
            }
            guard i < n else { throw JSONError(offset: open, message: "this string is not closed: the file ends inside it") }
            let c = b[i]
            if c == 34 { break }
            if c == 92 {
                escaped = true
                i = try escape(at: i)
                continue
            }
            if c < 32 {
                throw JSONError(offset: i, message: c == 10 || c == 13
                                ? "a line break inside a string (JSON writes it \\n); is a closing \" missing?"
                                : "control character 0x\(hex2(c)) inside a string (JSON writes it \\u00\(hex2(c)))")
            }
            i += 1
        }
        pos = i + 1
        return (open + 1, i, escaped)
    }

    /// The escape at `i` (a backslash): where the text after it starts.
    private func escape(at i: Int) throws(JSONError) -> Int {
        guard i + 1 < n else { throw JSONError(offset: i, message: "the file ends inside a string") }
        switch b[i + 1] {
        case 34, 92, 47, 98, 102, 110, 114, 116: return i + 2
        case 117:
            guard let unit = hex4(at: i + 2) else {
                throw JSONError(offset: i, message: "`\\u` takes four hex digits (`\\u00e9`)")
            }
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw JSONError(offset: i, message: "`\\u\(hex4Text(unit))` is the second half of a surrogate pair, with no first half before it")
            }
            guard unit >= 0xD800 && unit <= 0xDBFF else { return i + 6 }
            guard i + 7 < n, b[i + 6] == 92, b[i + 7] == 117, let low = hex4(at: i + 8), low >= 0xDC00 && low <= 0xDFFF else {
                throw JSONError(offset: i, message: "`\\u\(hex4Text(unit))` is the first half of a surrogate pair; its second half (`\\udc00`–`\\udfff`) must follow")
            }
            return i + 12
        default:
            throw JSONError(offset: i, message: "`\\\(Self.shown(b[i + 1]))` is not a JSON escape (they are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)")
        }
    }

    /// Four hex digits at `i` as a UTF-16 code unit, or nil.
    private func hex4(at i: Int) -> UInt32? {
        guard i + 4 <= n else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = b[i + k]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 97...102: d = c - 87
            case 65...70: d = c - 55
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// A number at `pos` (a digit or `-`), by RFC 8259's grammar: its end.
    @inline(__always)
    mutating func number() throws(JSONError) -> Int {
        let start = pos
        var i = pos
        if b[i] == 45 { i += 1 }
        guard i < n, b[i] &- 48 < 10 else { throw JSONError(offset: start, message: "`-` must be followed by a digit") }
        if b[i] == 48 {
            i += 1
            if i < n, b[i] &- 48 < 10 {
                throw JSONError(offset: start, message: "a JSON number does not start with 0 (`\(text(start, upTo: i + 1))…`); write it without the zero, or in quotes as text")
            }
        } else {
            while i < n, b[i] &- 48 < 10 { i += 1 }
        }
        if i < n, b[i] == 46 {
            i += 1
            guard i < n, b[i] &- 48 < 10 else { throw JSONError(offset: start, message: "a number needs a digit after its `.`") }
            while i < n, b[i] &- 48 < 10 { i += 1 }
        }
        if i < n, b[i] | 32 == 101 {
            i += 1
            if i < n, b[i] == 43 || b[i] == 45 { i += 1 }
            guard i < n, b[i] &- 48 < 10 else { throw JSONError(offset: start, message: "a number needs a digit in its exponent") }
            while i < n, b[i] &- 48 < 10 { i += 1 }
        }
        pos = i
        return i
    }

    /// `true`, `false` or `null` at `pos`: which (nil for null).
    @inline(__always)
    mutating func literal() throws(JSONError) -> JSONTag? {
        let c = b[pos]
        if c == 116, pos + 4 <= n, b[pos + 1] == 114, b[pos + 2] == 117, b[pos + 3] == 101 { pos += 4; return .trueValue }
        if c == 102, pos + 5 <= n, b[pos + 1] == 97, b[pos + 2] == 108, b[pos + 3] == 115, b[pos + 4] == 101 { pos += 5; return .falseValue }
        if c == 110, pos + 4 <= n, b[pos + 1] == 117, b[pos + 2] == 108, b[pos + 3] == 108 { pos += 4; return nil }
        throw unexpected("a value")
    }

    /// A nested object or array at `pos`, checked to its matching bracket: its end. The open
    /// brackets are kept on the heap, so any depth is fine.
    mutating func nested() throws(JSONError) -> Int {
        enum Want { case keyOrClose, key, colon, valueOrClose, value, commaOrClose }
        stack.removeAll(keepingCapacity: true)
        stack.append(pos)
        var want: Want = b[pos] == 123 ? .keyOrClose : .valueOrClose
        pos += 1
        while let open = stack.last {
            skipSpace()
            guard pos < n else {
                let what = b[open] == 123 ? "object" : "array"
                throw JSONError(offset: n, message: "the file ends inside an \(what): the `\(b[open] == 123 ? "{" : "[")` at \(Self.lineColumn(b, n, open)) is not closed")
            }
            let c = b[pos]
            let close: UInt8 = b[open] == 123 ? 125 : 93
            switch want {
            case .keyOrClose, .key:
                if c == 125 && want == .keyOrClose { pos += 1; stack.removeLast(); want = .commaOrClose; continue }
                guard c == 34 else { throw unexpected(want == .key ? "a key in quotes after `,`" : "a key in quotes or `}`") }
                _ = try string()
                want = .colon
            case .colon:
                guard c == 58 else { throw unexpected("`:` after the key") }
                pos += 1
                want = .value
            case .valueOrClose, .value:
                if c == 93 && want == .valueOrClose { pos += 1; stack.removeLast(); want = .commaOrClose; continue }
                switch c {
                case 123, 91:
                    stack.append(pos)
                    pos += 1
                    want = c == 123 ? .keyOrClose : .valueOrClose
                    continue
                case 34: _ = try string()
                case 45, 48...57: _ = try number()
                case 116, 102, 110: _ = try literal()
                default: throw unexpected(c == 93 || c == 125 ? "a value (JSON allows no comma before a closing bracket)" : "a value")
                }
                want = .commaOrClose
            case .commaOrClose:
                if c == 44 {
                    pos += 1
                    want = close == 125 ? .key : .value
                } else if c == close {
                    pos += 1
                    stack.removeLast()
                } else {
                    throw unexpected("`,` or `\(close == 125 ? "}" : "]")`")
                }
            }
        }
        return pos
    }

    /// "expected X, found `y`" at `pos`.
    func unexpected(_ expected: String) -> JSONError {
        guard pos < n else { return JSONError(offset: pos, message: "expected \(expected), but the file ends") }
        return JSONError(offset: pos, message: "expected \(expected), found \(found())")
    }

    /// What is at `pos`, for a message: a short piece of the text.
    func found() -> String {
        let c = b[pos]
        if c >= 0x80 {
            return CSVReader.firstInvalidUTF8(UnsafeBufferPointer(start: b + pos, count: min(4, n - pos)), from: 0) == 0
                ? "byte 0x\(hex2(c)) (not UTF-8)" : "`\(word())`"
        }
        if c < 32 { return "control character 0x\(hex2(c))" }
        return "`\(word())`"
    }

    /// The token at `pos` as a user would read it: a word, or one character.
    private func word() -> String {
        var end = pos
        while end < n, end - pos < 20, isWordByte(b[end]) { end += 1 }
        if end == pos {
            end = pos + 1
            while end < n, b[end] & 0xC0 == 0x80 { end += 1 }
        }
        return CSVReader.shown(String(decoding: UnsafeBufferPointer(start: b + pos, count: end - pos), as: UTF8.self))
    }

    private func isWordByte(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c | 32 >= 97 && c | 32 <= 122) || c == 45 || c == 43 || c == 46 || c == 95
    }

    private func text(_ from: Int, upTo end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: b + from, count: min(end, n) - from), as: UTF8.self)
    }

    /// "line L, column C" of an offset, counted from the file's start.
    static func lineColumn(_ b: UnsafePointer<UInt8>, _ n: Int, _ offset: Int) -> String {
        let (line, column) = CSVReader.position(UnsafeBufferPointer(start: b, count: n), offset, from: 0)
        return "\(line):\(column)"
    }

    private static func shown(_ c: UInt8) -> String {
        c >= 32 && c < 127 ? String(UnicodeScalar(c)) : "0x" + hex2(c)
    }
}

private func hex2(_ c: UInt8) -> String {
    let s = String(c, radix: 16, uppercase: true)
    return s.count == 1 ? "0" + s : s
}

private func hex4Text(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 4 - s.count) + s
}

/// Turning a cell's bytes into the text a column keeps.
enum JSONText {
    /// A string's content with its escapes decoded, as UTF-8, appended to `out`. The scanner
    /// has checked every escape, so this does not fail.
    static func decode(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        let n = p.count
        while i < n {
            let c = p[i]
            guard c == 92, i + 1 < n else { out.append(c); i += 1; continue }
            switch p[i + 1] {
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                var unit = hex(p, i + 2)
                i += 6
                if unit >= 0xD800 && unit <= 0xDBFF {
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (hex(p, i + 2) - 0xDC00)
                    i += 6
                }
                appendUTF8(unit, to: &out)
                continue
            default: out.append(p[i + 1])
            }
            i += 2
        }
    }

    private static func hex(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 where i + k < p.count {
            let c = p[i + k]
            v = v << 4 | UInt32(c <= 57 ? c - 48 : (c | 32) - 87)
        }
        return v
    }

    private static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800: out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | (v >> 12) & 0x3F))
            out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }

    /// A nested value's text without the spaces and line breaks between its tokens (strings
    /// are kept as written, escapes and all), appended to `out`.
    static func minify(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var inString = false
        var i = 0
        while i < p.count {
            let c = p[i]
            if inString {
                out.append(c)
                if c == 92, i + 1 < p.count { out.append(p[i + 1]); i += 2; continue }
                if c == 34 { inString = false }
            } else if c == 34 {
                inString = true
                out.append(c)
            } else if !(c == 32 || c == 10 || c == 13 || c == 9) {
                out.append(c)
            }
            i += 1
        }
    }
}

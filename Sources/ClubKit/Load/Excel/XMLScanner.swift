import Foundation

/// A small pull scanner for the XML parts of a workbook: start tags (with their attributes left
/// as a byte range to search), end tags and text, over bytes in memory, with no allocation per
/// event. It knows what OOXML parts use: the predefined and numeric entities, CDATA, comments,
/// processing instructions and namespace prefixes (names are matched by their local part). A
/// document type declaration is refused, so no entity can be defined, let alone expanded.
///
/// It also checks that the elements nest: an end tag must close the innermost open element, and
/// the bytes must end with one root element opened and closed. So a part that is cut short, or
/// whose tags do not match, is an error (`ends inside <row>`, `closes <row> with </c>`) rather
/// than a document that silently holds less. The check is a stack of name ranges, one push and
/// one compare per element.
///
///     var xml = XMLScanner(bytes)
///     while let event = try xml.next() {
///         if case .start(let name, let attributes, _) = event, xml.named(name, "sheet") { … }
///     }
///
/// SAFETY: the bytes must outlive the scanner; every index read is checked against `p.count`
/// (each loop runs while i < p.count, and `find` returns an index inside the buffer or nil).
struct XMLScanner {
    /// What is wrong, said of the part: `ends inside <row>` (the caller puts the part first).
    struct Failure: Error, Equatable {
        var message: String
    }

    enum Event {
        /// A start tag: its name, the bytes between the name and `>` (or `/>`), and whether it
        /// closes itself.
        case start(name: Range<Int>, attributes: Range<Int>, empty: Bool)
        case end(name: Range<Int>)
        /// Text between tags, entities not yet replaced (`XMLScanner.decode`).
        case text(Range<Int>)
        /// The inside of a CDATA section, taken as it is.
        case cdata(Range<Int>)
    }

    let p: UnsafeBufferPointer<UInt8>
    private(set) var pos = 0
    /// The names of the elements open at `pos`: `open[0 ..< depth]`, the innermost last. The
    /// array only grows, so a push is a store once it is as deep as the document.
    private var open: [Range<Int>] = []
    private var depth = 0
    private var sawRoot = false

    init(_ p: UnsafeBufferPointer<UInt8>) {
        self.p = p
        open.reserveCapacity(16)
    }

    /// The next event, or nil at the end of the bytes; at the end, every element must be
    /// closed and there must have been one.
    mutating func next() throws(Failure) -> Event? {
        let n = p.count
        guard pos < n else {
            if depth > 0 { throw Failure(message: "ends inside \(tag(open[depth - 1]))") }
            guard sawRoot else { throw Failure(message: "holds no XML element") }
            return nil
        }
        if p[pos] != 60 {
            let start = pos
            pos = find(60, from: pos) ?? n
            return .text(start..<pos)
        }
        // p[pos] == "<"
        guard pos + 1 < n else { throw Failure(message: "ends inside a tag") }
        switch p[pos + 1] {
        case 47: // </name>
            let nameStart = pos + 2
            guard let close = find(62, from: nameStart) else { throw Failure(message: "ends inside a tag") }
            var nameEnd = nameStart
            while nameEnd < close && !Self.isSpace(p[nameEnd]) { nameEnd += 1 }
            let name = nameStart..<nameEnd
            guard depth > 0 else { throw Failure(message: "has \(tag(name, end: true)) with no element open") }
            depth -= 1
            let inner = open[depth]
            guard same(inner, name) else { throw Failure(message: "closes \(tag(inner)) with \(tag(name, end: true))") }
            pos = close + 1
            return .end(name: name)
        case 33: // <!-- -->, <![CDATA[ ]]>, <!DOCTYPE
            if starts(with: "<!--", at: pos) {
                guard let end = find("-->", from: pos + 4) else { throw Failure(message: "ends inside a comment") }
                pos = end + 3
                return try next()
            }
            if starts(with: "<![CDATA[", at: pos) {
                let start = pos + 9
                guard let end = find("]]>", from: start) else { throw Failure(message: "ends inside a CDATA section") }
                pos = end + 3
                return .cdata(start..<end)
            }
            throw Failure(message: "has a document type declaration, which a workbook part never has")
        case 63: // <? … ?>
            guard let end = find("?>", from: pos + 2) else { throw Failure(message: "ends inside a processing instruction") }
            pos = end + 2
            return try next()
        default:
            let nameStart = pos + 1
            var i = nameStart
            while i < n && !Self.isSpace(p[i]) && p[i] != 62 && p[i] != 47 { i += 1 }
            let nameEnd = i
            // The tag ends at the first `>` outside a quoted attribute value.
            var quote: UInt8 = 0
            while i < n {
                let b = p[i]
                if quote != 0 {
                    if b == quote { quote = 0 }
                } else if b == 34 || b == 39 {
                    quote = b
                } else if b == 62 {
                    break
                }
                i += 1
            }
            guard i < n else { throw Failure(message: "ends inside a tag") }
            guard nameEnd > nameStart else { throw Failure(message: "has a tag without a name") }
            let empty = p[i - 1] == 47 && i - 1 >= nameEnd
            let name = nameStart..<nameEnd
            if depth == 0 {
                guard !sawRoot else { throw Failure(message: "has a second root element \(tag(name))") }
                sawRoot = true
            }
            if !empty {
                if depth < open.count { open[depth] = name } else { open.append(name) }
                depth += 1
            }
            pos = i + 1
            return .start(name: name, attributes: nameEnd..<(empty ? i - 1 : i), empty: empty)
        }
    }

    /// Whether two names are the same bytes (prefixes included, as XML wants).
    @inline(__always)
    private func same(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count, let base = p.baseAddress else { return false }
        // SAFETY: both ranges lie inside the buffer.
        return memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
    }

    /// `<name>` or `</name>` for a message: at most 40 bytes of the name, control characters shown.
    private func tag(_ name: Range<Int>, end: Bool = false) -> String {
        let shown = name.lowerBound..<min(name.upperBound, name.lowerBound + 40)
        let text = ValueFormat.visible(String(decoding: UnsafeBufferPointer(rebasing: p[shown]), as: UTF8.self))
        return (end ? "</" : "<") + text + (shown.count < name.count ? "…>" : ">")
    }

    /// Whether `name`'s local part (after any `prefix:`) is `local`.
    @inline(__always)
    func named(_ name: Range<Int>, _ local: StaticString) -> Bool {
        var start = name.lowerBound
        var i = name.lowerBound
        while i < name.upperBound { if p[i] == 58 { start = i + 1 }; i += 1 }
        let count = local.utf8CodeUnitCount
        guard name.upperBound - start == count else { return false }
        let s = local.utf8Start
        for k in 0..<count where p[start + k] != s[k] { return false }
        return true
    }

    /// The raw value of attribute `attribute` in `attributes`, or nil. The name is matched whole
    /// (prefix included), or with `anyPrefix` by its local part (`r:id` and `x:id` for `id`).
    func attribute(_ attribute: StaticString, in attributes: Range<Int>, anyPrefix: Bool = false) -> Range<Int>? {
        let count = attribute.utf8CodeUnitCount
        let s = attribute.utf8Start
        var i = attributes.lowerBound
        let end = attributes.upperBound
        while i < end {
            while i < end && Self.isSpace(p[i]) { i += 1 }
            let nameStart = i
            while i < end && p[i] != 61 && !Self.isSpace(p[i]) { i += 1 }
            let nameEnd = i
            while i < end && Self.isSpace(p[i]) { i += 1 }
            guard i < end, p[i] == 61 else { return nil }
            i += 1
            while i < end && Self.isSpace(p[i]) { i += 1 }
            guard i < end, p[i] == 34 || p[i] == 39 else { return nil }
            let quote = p[i]
            let valueStart = i + 1
            i = valueStart
            while i < end && p[i] != quote { i += 1 }
            let valueEnd = i
            i += 1
            var localStart = nameStart
            if anyPrefix { for k in nameStart..<nameEnd where p[k] == 58 { localStart = k + 1 } }
            if nameEnd - localStart == count && (localStart == nameStart || anyPrefix) {
                var same = true
                for k in 0..<count where p[localStart + k] != s[k] { same = false; break }
                if same { return valueStart..<valueEnd }
            }
        }
        return nil
    }

    /// An attribute's value as text, entities replaced.
    func attributeText(_ attribute: StaticString, in attributes: Range<Int>, anyPrefix: Bool = false) -> String? {
        self.attribute(attribute, in: attributes, anyPrefix: anyPrefix).map { text($0) }
    }

    /// The bytes of `range` as text, entities replaced.
    func text(_ range: Range<Int>) -> String {
        var out: [UInt8] = []
        decode(range, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the bytes of `range` to `out` with `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and
    /// `&#…;` replaced; an unknown entity is kept as it is.
    func decode(_ range: Range<Int>, into out: inout [UInt8]) {
        var i = range.lowerBound
        while i < range.upperBound {
            guard let amp = find(38, from: i, to: range.upperBound) else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<range.upperBound]))
                return
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<amp]))
            guard let semi = find(59, from: amp, to: min(range.upperBound, amp + 12)) else { out.append(38); i = amp + 1; continue }
            let entity = UnsafeBufferPointer(rebasing: p[(amp + 1)..<semi])
            if let scalar = Self.entity(entity) {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[amp...semi]))
            }
            i = semi + 1
        }
    }

    /// Whether `range` holds an `&`, so that `decode` would change it.
    func hasEntity(_ range: Range<Int>) -> Bool { find(38, from: range.lowerBound, to: range.upperBound) != nil }

    private static func entity(_ e: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        switch Array(e) {
        case Array("lt".utf8): return "<"
        case Array("gt".utf8): return ">"
        case Array("amp".utf8): return "&"
        case Array("quot".utf8): return "\""
        case Array("apos".utf8): return "'"
        default:
            guard e.count >= 2, e[0] == 35 else { return nil }
            let hex = e[1] | 32 == 120
            var v: UInt32 = 0
            for b in e.dropFirst(hex ? 2 : 1) {
                let d: UInt32
                switch b {
                case 48...57: d = UInt32(b - 48)
                case 97...102 where hex: d = UInt32(b - 87)
                case 65...70 where hex: d = UInt32(b - 55)
                default: return nil
                }
                v = v * (hex ? 16 : 10) + d
                guard v <= 0x10FFFF else { return nil }
            }
            return Unicode.Scalar(v)
        }
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 10 || b == 13 || b == 9 }

    /// The first index of `byte` in `from ..< to` (default: the end), by memchr.
    @inline(__always)
    func find(_ byte: UInt8, from: Int, to: Int? = nil) -> Int? {
        let end = to ?? p.count
        guard from < end, let base = p.baseAddress else { return nil }
        // SAFETY: memchr reads [from, end), inside the buffer.
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    private func find(_ s: StaticString, from: Int) -> Int? {
        var i = from
        let first = s.utf8Start[0]
        while let hit = find(first, from: i) {
            if starts(with: s, at: hit) { return hit }
            i = hit + 1
        }
        return nil
    }

    private func starts(with s: StaticString, at i: Int) -> Bool {
        let count = s.utf8CodeUnitCount
        guard i + count <= p.count else { return false }
        for k in 0..<count where p[i + k] != s.utf8Start[k] { return false }
        return true
    }
}

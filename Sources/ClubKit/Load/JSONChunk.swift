import Foundation

/// The scan of the file's chunks in parallel, once or again with other kinds for the plan's
/// columns: each chunk writes them into its own rows of `bases` (`JSONDirect`).
struct JSONScanJob {
    let p: UnsafeBufferPointer<UInt8>
    let path: String
    let layout: JSONReader.Layout
    let dataStart: Int
    var ranges: [Range<Int>]
    let options: CSVOptions
    let pattern: DatePattern?
    let meter: LoadMeter
    let release: ((Range<Int>) -> Void)?
    let fail: (JSONError) -> LoadError

    /// Scans every chunk, `plan`'s columns written at `bases` + each chunk's first row (`first`,
    /// with room for `capacity` rows). Throws the first syntax error in the file; when a chunk did
    /// not end where the next begins, scans the file again as one chunk (and `ranges` says so).
    mutating func run(plan: JSONPlan?, bases: [UnsafeMutableRawPointer?], first: [Int], capacity: [Int], cells: Bool) throws -> [JSONChunk] {
        let (p, layout, options, meter, release, pattern) = (p, layout, options, meter, release, pattern)
        meter.restart()
        func scan(_ range: Range<Int>, last: Bool, first: Int, capacity: Int) -> JSONChunk {
            var direct: JSONDirect?
            if let plan {
                // SAFETY: the chunk's rows start `first` rows into each buffer, with room for
                // `capacity` rows (`JSONDirect`).
                let own = plan.kinds.indices.map { key in bases[key].map { $0 + first * plan.kinds[key]!.width } }
                direct = JSONDirect(plan: plan, bases: own, capacity: capacity)
            }
            let values = JSONValues(pattern: pattern, calendar: options.calendar)
            return JSONReader.scan(p, range, layout: layout, last: last, isCancelled: options.isCancelled, meter: meter, release: release,
                                   direct: direct, values: values, cells: cells)
        }
        let ranges = self.ranges
        var chunks = Parallel.map(ranges.count) { k in scan(ranges[k], last: k == ranges.count - 1, first: plan == nil ? 0 : first[k], capacity: plan == nil ? 0 : capacity[k]) }
        if try !judge(chunks) {
            self.ranges = [dataStart..<p.count]
            meter.restart()
            chunks = [scan(self.ranges[0], last: true, first: 0, capacity: capacity.reduce(0, +))]
            _ = try judge(chunks)
        }
        return chunks
    }

    /// Whether each chunk ended where the next begins; throws a chunk's error, in file order.
    private func judge(_ chunks: [JSONChunk]) throws -> Bool {
        for (k, c) in chunks.enumerated() {
            if c.cancelled { throw LoadError.interrupted(path) }
            if let e = c.failure { throw fail(e) }
            if k + 1 < chunks.count && c.end != ranges[k + 1].lowerBound { return false }
        }
        return true
    }
}

/// What scanning one chunk found: its rows, its keys in the order first seen, and per key the
/// cells of the rows that have a value.
struct JSONChunk {
    var rows = 0
    var end = 0
    var failure: JSONError?
    var cancelled = false
    /// Whether the scan went to the end of its range (not stopped by its limit).
    var whole = true
    /// The plan's columns, written as the values are found (nil: every key keeps cells).
    let direct: JSONDirect?
    private var values: JSONValues
    /// Whether the keys outside the plan keep cells.
    private let keepsCells: Bool
    private let hot: JSONDirectSlots
    /// The rows of the chunk's current segment (`JSONDirect`).
    private var segmentStart = 0, segmentEnd = Int.max
    /// Per field place, the bytes from the end of the previous value (or from `{`) to the start
    /// of this field's value, as the previous record had them: `, "amount": `. A record whose
    /// bytes there are the same has the same key there, checked as they were.
    private var templates: [UInt8] = []
    private var templateLengths: [Int] = []
    private static let templateStride = 128
    /// The keys, decoded, in the order first seen (`keyCodes` finds a key's index).
    var keys: [[UInt8]] = []
    var keyCodes = ByteInterner()
    var cells: [[JSONCell]] = []
    /// Per key, 1 + the last row that set it: a key seen twice in one object is an error.
    private var lastRow: [Int] = []
    /// The keys of the previous record by position: records usually repeat their keys in order.
    /// Places from `previousFields` on are left from longer records before it.
    private var previous: [Int] = []
    /// How many keys the previous record had: only those places may be taken as the same key
    /// without the check for repeats (a place beyond them holds an older record's key, which
    /// this record may already have).
    private var previousFields = 0
    /// Where each key was first written in the file without escapes (-1: with escapes), and its
    /// length: the next record's key is compared with those bytes, not hashed.
    private var written: [Int] = []
    private var lengths: [Int] = []
    /// The cells to reserve for each key of the first record (the lines in the chunk).
    var expectedRows = 0
    private var scratch: [UInt8] = []

    /// A chunk that numbers the plan's keys first (0 ..< plan's keys), in the plan's order.
    init(direct: JSONDirect?, values: JSONValues?, cells: Bool) {
        self.direct = direct
        self.values = values ?? JSONValues(pattern: nil, calendar: .automatic)
        keepsCells = cells
        hot = direct?.hot ?? .none
        guard let direct else { return }
        segmentEnd = direct.segmentEnd
        for key in direct.keys {
            _ = key.withUnsafeBufferPointer { keyCodes.intern($0) }
            keys.append(key)
            written.append(-1)
            lengths.append(key.count)
            self.cells.append([])
            lastRow.append(0)
        }
    }

    /// Reads one object at `s.pos` (its `{`) as row `rows`.
    mutating func record(_ s: inout JSONScanner, _ p: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        let row = rows
        let h = hot
        if row == segmentEnd, let d = direct {
            d.grow(at: row)
            (segmentStart, segmentEnd) = (d.segmentStart, d.segmentEnd)
        }
        let local = row - segmentStart
        s.pos += 1
        var stored = 0
        var field = 0
        // While every key is the previous record's key at its place, the keys are distinct as
        // those were; after the first that is not, each key is checked against the ones before.
        var same = true
        while true {
            let key: Int
            if same && field < previousFields && field < templateLengths.count, let length = template(field, s) {
                // The same bytes as the previous record's up to this value: the same key.
                key = previous[field]
                s.pos += length
                s.skipSpace()
            } else {
                let from = s.pos
                s.skipSpace()
                if field > 0 || s.peek == 125 {
                    guard let next = s.peek else { throw s.unexpected("`,` or `}`") }
                    if next == 125 {
                        s.pos += 1
                        if stored != h.directCount { direct!.fillNulls(row) }
                        rows += 1
                        previousFields = field
                        return
                    }
                    guard next == 44 else { throw s.unexpected("`,` or `}`") }
                    s.pos += 1
                    s.skipSpace()
                }
                guard s.peek == 34 else { throw s.unexpected(field == 0 ? "a key in quotes or `}`" : "a key in quotes after `,`") }
                let keyAt = s.pos
                let (ks, ke, escaped) = try s.string()
                if same, let hit = predicted(s, ks, ke, escaped: escaped, field: field) {
                    key = hit
                } else {
                    if same {
                        // The keys taken so far by prediction are marked now, once per record.
                        for f in 0..<field { lastRow[previous[f]] = row + 1 }
                        same = false
                    }
                    key = try code(s, ks, ke, escaped: escaped, at: keyAt, field: field)
                    if lastRow[key] == row + 1 {
                        throw JSONError(offset: keyAt, message: "the key `\(CSVReader.shown(String(decoding: keys[key], as: UTF8.self)))` appears twice in this object")
                    }
                    lastRow[key] = row + 1
                    if field < previous.count { previous[field] = key } else { previous.append(key) }
                }
                s.skipSpace()
                guard s.peek == 58 else { throw s.unexpected("`:` after the key") }
                s.pos += 1
                s.skipSpace()
                remember(field, from: from, to: s.pos, s, usable: !escaped)
            }
            guard let c = s.peek else { throw s.unexpected("a value") }
            let start: Int, end: Int, tag: JSONTag?
            switch c {
            case 34:
                let str = try s.string()
                (start, end, tag) = (str.start, str.end, str.escaped ? .escapedString : .string)
            case 45, 48...57:
                start = s.pos
                end = try s.number()
                tag = .number
            case 116, 102, 110:
                start = s.pos
                tag = try s.literal()
                end = s.pos
            case 123, 91:
                start = s.pos
                end = try s.nested()
                tag = .nested
            default:
                throw s.unexpected("a value")
            }
            if let tag {
                guard end - start <= JSONCell.maxLength else { throw JSONError(offset: start, message: "a value longer than 512 MiB") }
                let cell = JSONCell(start: start, row: UInt32(row), info: UInt32(end - start) << 3 | tag.rawValue)
                if key < h.count && h.isDirect[key] {
                    if h.filled[key] != row + 1 { stored += 1 }
                    values.write(cell, key: key, row: row, local: local, p, h)
                } else if keepsCells {
                    cells[key].append(cell)
                }
            }
            field += 1
        }
    }

    /// The length of field place `field`'s template when the bytes at `s.pos` begin with it.
    @inline(__always)
    private func template(_ field: Int, _ s: JSONScanner) -> Int? {
        let length = templateLengths[field]
        guard length > 0 && s.pos + length <= s.n else { return nil }
        return templates.withUnsafeBufferPointer { t -> Int? in
            // SAFETY: the template holds `length` ≤ templateStride bytes at field × stride, and
            // the file holds s.pos + length ≤ n bytes; loads read below those ends.
            let a = UnsafeRawPointer(t.baseAddress! + field * Self.templateStride), b = UnsafeRawPointer(s.b + s.pos)
            if length < 8 {
                for i in 0..<length where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return nil }
                return length
            }
            var i = 0
            while i + 8 <= length {
                guard a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return nil }
                i += 8
            }
            // The last bytes, as one load that overlaps the ones before.
            guard a.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self) else { return nil }
            return length
        }
    }

    /// Keeps the bytes from..<to as field place `field`'s template (none when the key had
    /// escapes or the bytes are long).
    private mutating func remember(_ field: Int, from: Int, to: Int, _ s: JSONScanner, usable: Bool) {
        while templateLengths.count <= field {
            templateLengths.append(0)
            templates.append(contentsOf: repeatElement(0, count: Self.templateStride))
        }
        let length = to - from
        guard usable && length <= Self.templateStride else { templateLengths[field] = 0; return }
        templates.withUnsafeMutableBufferPointer { t in
            // SAFETY: length ≤ stride bytes into field's own stride of the templates; from..<to
            // lies inside the file.
            (t.baseAddress! + field * Self.templateStride).update(from: s.b + from, count: length)
        }
        templateLengths[field] = length
    }

    /// The previous record's key at `field` when this one is the same (compared with the bytes
    /// where it was first written); nil otherwise.
    @inline(__always)
    private func predicted(_ s: JSONScanner, _ start: Int, _ end: Int, escaped: Bool, field: Int) -> Int? {
        let length = end - start
        guard !escaped && field < previousFields && field < previous.count else { return nil }
        let guess = previous[field]
        let at = written[guess]
        guard at >= 0 && lengths[guess] == length else { return nil }
        // SAFETY: both keys' bytes lie inside the file: at ..< at + length and start ..< end;
        // each eight-byte load reads below i + 8 ≤ length.
        var i = 0
        while i + 8 <= length,
              UnsafeRawPointer(s.b + at + i).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(s.b + start + i).loadUnaligned(as: UInt64.self) { i += 8 }
        while i < length && s.b[at + i] == s.b[start + i] { i += 1 }
        return i == length ? guess : nil
    }

    /// The index of the key whose content is `p[start..<end]`.
    private mutating func code(_ s: JSONScanner, _ start: Int, _ end: Int, escaped: Bool, at keyAt: Int, field: Int) throws(JSONError) -> Int {
        let length = end - start
        var bytes = UnsafeBufferPointer(start: s.b + start, count: length)
        if escaped {
            scratch.removeAll(keepingCapacity: true)
            JSONText.decode(bytes, into: &scratch)
        }
        let found: Int32? = escaped ? scratch.withUnsafeBufferPointer { keyCodes.intern($0) } : keyCodes.intern(bytes)
        guard let found else {
            let bad = CSVReader.firstInvalidUTF8(bytes, from: 0) ?? 0
            throw JSONError(offset: start + bad, message: "invalid UTF-8 (byte 0x\(String(s.b[start + bad], radix: 16, uppercase: true))) in a key; save the file as UTF-8")
        }
        let key = Int(found)
        if key < written.count && written[key] < 0 && !escaped {
            // A key of the plan, first written in this chunk here.
            written[key] = start
            lengths[key] = length
        }
        if key == keys.count {
            if escaped { keys.append(scratch) } else { bytes = UnsafeBufferPointer(start: s.b + start, count: length); keys.append(Array(bytes)) }
            written.append(escaped ? -1 : start)
            lengths.append(length)
            var list: [JSONCell] = []
            // The keys of the first record are usually in every record: room for them all at once.
            if rows == 0 && key < 256 { list.reserveCapacity(expectedRows) }
            cells.append(list)
            lastRow.append(0)
        }
        return key
    }
}

import Foundation

/// Reads a JSON file of records into a `Table`: one array of objects (`[{…}, {…}]`), or objects
/// one after another (JSON Lines, `.jsonl` / `.ndjson`, one object a line).
///
/// The columns are the keys, in the order they are first seen across all objects; a key an
/// object lacks, or whose value is `null`, is null in that row. Values take the CSV reader's
/// inference (`FieldParsing`, `FieldKind`, `FieldWriter`): numbers are integers or floats,
/// `true`/`false` booleans, strings that are dates (ISO, `date_format`, Jalali) dates, and other
/// strings text. A nested object or array is kept as its JSON text (DuckDB's `read_json` keeps
/// such values too, as structs, lists or JSON text; clubsh has text).
///
/// In three passes: the file is cut into chunks at record boundaries and each chunk is scanned
/// in parallel into cells (where each value is, per key: `JSONCell`), checking the syntax; the
/// chunks' keys are put together in file order and each column gets the type its first
/// thousand values allow; then the chunks write their values into the column buffers in
/// parallel. A value that does not fit its column's type narrows it, and that column alone is
/// written again (from the cells, without reading the file's syntax again).
///
///     let result = try JSONReader.read(path: "orders.jsonl")
///
/// SAFETY: one of the loader's rooms with raw memory: `p` is the whole file, valid for the load
/// (`InputFile.read`); cells hold offsets inside `p` made by the scanner; each chunk writes only
/// its own rows of the column buffers (`RawColumn.allocate`).
enum JSONReader {
    /// Reads the file at `path`.
    static func read(path: String, options: CSVOptions = CSVOptions()) throws -> LoadResult {
        let input = try InputFile(path: path, isCancelled: options.isCancelled)
        return try input.read { bytes, release in try read(bytes: bytes, path: path, options: options, release: release) }
    }

    /// Reads JSON text held in memory (tests).
    static func read(text: String, path: String = "<text>", options: CSVOptions = CSVOptions()) throws -> LoadResult {
        var text = text
        return try text.withUTF8 { try read(bytes: $0, path: path, options: options) }
    }

    /// Whether a file name says JSON: `.json`, `.jsonl`, `.ndjson` (any case).
    static func isJSONPath(_ path: String) -> Bool {
        let name = path.lowercased()
        return name.hasSuffix(".json") || name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson")
    }

    /// How the records are laid out.
    enum Layout { case array, lines }

    static func read(bytes p: UnsafeBufferPointer<UInt8>, path: String, options: CSVOptions,
                     release: ((Range<Int>) -> Void)? = nil) throws -> LoadResult {
        let fileStart = p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0
        func fail(_ e: JSONError) -> LoadError {
            let (line, column) = CSVReader.position(p, e.offset, from: fileStart)
            return LoadError(.malformed, path: path, line: line, column: column, message: e.message)
        }
        let pattern: DatePattern?
        if let f = options.dateFormat {
            guard let compiled = DatePattern(f) else {
                throw LoadError(.badOption, path: path, message: "date_format \"\(f)\" is not a pattern of y, M, d (and H, m, s); for example \"yyyyMMdd\" or \"dd/MM/yyyy\"")
            }
            pattern = compiled
        } else {
            pattern = nil
        }

        // The first byte says the layout.
        var s = JSONScanner(p, at: fileStart)
        s.skipSpace()
        let layout: Layout
        switch s.peek {
        case nil:
            return LoadResult(table: Table(columnNames: [], columns: [], rowCount: 0), skippedRows: 0, skipped: [], bytesRead: p.count)
        case 91:
            layout = .array
            s.pos += 1
            s.skipSpace()
        case 123:
            layout = .lines
        default:
            throw fail(JSONError(offset: s.pos, message: "expected an array of objects (`[{…}, …]`) or one object a line (JSON Lines), found \(topLevelKind(s))"))
        }
        let dataStart = s.pos

        // The first records say which keys every chunk writes as it scans (`JSONPlan`).
        let sample = scan(p, dataStart..<p.count, layout: layout, last: true, isCancelled: options.isCancelled,
                          meter: LoadMeter(total: 1, report: nil), release: nil, limit: options.sampleRecords ?? 4000)
        if sample.cancelled { throw LoadError.interrupted(path) }
        let plan = JSONColumns.plan(sample, p, dataStart: dataStart, pattern: pattern, options: options)

        // Chunks that start at a record, scanned in parallel; a chunk is trusted only when the
        // one before it ended where it starts, or the file is scanned as one chunk.
        let wanted = options.chunks ?? (p.count - dataStart >= 8 << 20 ? min(ProcessInfo.processInfo.activeProcessorCount * 4, 32) : 1)
        let ranges = cuts(p, from: dataStart, count: wanted, layout: layout)
        let meter = LoadMeter(total: p.count - dataStart, report: options.progress)
        let job = JSONScanJob(p: p, path: path, layout: layout, dataStart: dataStart, ranges: ranges, options: options, pattern: pattern, meter: meter,
                              release: release, fail: fail)
        return try JSONColumns(p: p, path: path, fileStart: fileStart, pattern: pattern, options: options, plan: plan, job: job, release: release).build()
    }

    /// What the file starts with, when it is neither an array nor an object.
    private static func topLevelKind(_ s: JSONScanner) -> String {
        switch s.peek ?? 0 {
        case 34: return "a string"
        case 45, 48...57: return "a number"
        case 116, 102: return "a boolean"
        case 110: return "null"
        default: return s.found()
        }
    }

    /// Cut points near `count` equal parts, each at the start of a record: a `{` after `}` (JSON
    /// Lines) or after `},` (an array). A `},{` inside a nested array can pass for one; the chunk
    /// before it then ends elsewhere, and the caller notices.
    static func cuts(_ p: UnsafeBufferPointer<UInt8>, from dataStart: Int, count: Int, layout: Layout) -> [Range<Int>] {
        let n = p.count
        guard count > 1, n > dataStart else { return [dataStart..<n] }
        // SAFETY: every read is at an index in dataStart..<n, each loop checked against n.
        let b = p.baseAddress!
        var bounds = [dataStart]
        for k in 1..<count {
            var i = max(dataStart + (n - dataStart) * k / count, bounds.last! + 1)
            // A line break is never inside a JSON string: scan from the next one.
            guard i < n, let hit = memchr(b + i, 10, n - i) else { break }
            i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - b + 1
            var found = -1
            while i < n {
                let c = b[i]
                if c == 34 {
                    i += 1
                    while i < n && b[i] != 34 { i += b[i] == 92 ? 2 : 1 }
                } else if c == 123 && isRecordStart(b, i, dataStart: dataStart, layout: layout) {
                    found = i
                    break
                }
                i += 1
            }
            guard found > bounds.last! else { continue }
            bounds.append(found)
        }
        bounds.append(n)
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }

    /// Whether the `{` at `i` follows `}` (lines) or `},` (array), with only spaces between.
    private static func isRecordStart(_ b: UnsafePointer<UInt8>, _ i: Int, dataStart: Int, layout: Layout) -> Bool {
        func previous(_ j: Int) -> Int {
            var j = j - 1
            while j >= dataStart, b[j] == 32 || b[j] == 10 || b[j] == 13 || b[j] == 9 { j -= 1 }
            return j
        }
        var j = previous(i)
        guard j >= dataStart else { return false }
        if layout == .array {
            guard b[j] == 44 else { return false }
            j = previous(j)
            guard j >= dataStart else { return false }
        }
        return b[j] == 125
    }

    /// Scans the records that start in `range`: the plan's columns into their buffers
    /// (`direct`), the other keys' values into cells (unless `cells` is false: a scan again for
    /// the plan's columns alone); at most `limit` records (the first records' look).
    static func scan(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, layout: Layout, last: Bool,
                     isCancelled: () -> Bool, meter: LoadMeter, release: ((Range<Int>) -> Void)?,
                     direct: JSONDirect? = nil, values: JSONValues? = nil, cells: Bool = true, limit: Int = .max) -> JSONChunk {
        var chunk = JSONChunk(direct: direct, values: values, cells: cells)
        if limit < .max {
            chunk.expectedRows = limit
        } else if direct == nil, let base = p.baseAddress, !range.isEmpty {
            // SAFETY: the range lies inside p.
            chunk.expectedRows = min(CSVReader.occurrences(of: 10, in: base + range.lowerBound, count: range.count) + 1, range.count / 8 + 1)
        }
        var s = JSONScanner(p, at: range.lowerBound)
        var nextPoll = range.lowerBound
        var reported = range.lowerBound, released = range.lowerBound
        var closed = false
        do {
            while s.pos < range.upperBound {
                if s.pos >= nextPoll {
                    if isCancelled() { chunk.cancelled = true; return chunk }
                    nextPoll = s.pos + ChunkContext.pollBytes
                    meter.add(bytes: s.pos - reported, records: 0)
                    reported = s.pos
                    if let release, s.pos - released >= 4 << 20 { release(released..<s.pos); released = s.pos }
                }
                let c = p[s.pos]
                if layout == .array && c == 93 {
                    s.pos += 1
                    s.skipSpace()
                    if s.pos < s.n { throw JSONError(offset: s.pos, message: "text after the array's closing `]`: \(s.found())") }
                    closed = true
                    break
                }
                guard c == 123 else {
                    throw s.unexpected(layout == .array ? "an object (`{…}`) as each element of the array" : "an object (`{…}`) on each line")
                }
                guard chunk.rows < Int(UInt32.max) else { throw JSONError(offset: s.pos, message: "too many records in one piece of the file") }
                try chunk.record(&s, p)
                s.skipSpace()
                if layout == .array {
                    guard s.pos < s.n else { break }
                    if p[s.pos] == 44 {
                        s.pos += 1
                        s.skipSpace()
                        if s.pos < s.n && p[s.pos] == 93 { throw JSONError(offset: s.pos, message: "expected an object after `,` (JSON allows no comma before `]`)") }
                    } else if p[s.pos] != 93 {
                        throw s.unexpected("`,` or `]` after an object")
                    }
                }
                if chunk.rows >= limit || (chunk.rows >= 1000 && chunk.rows & 63 == 0 && limit < .max && chunk.cells.allSatisfy({ $0.count >= 1000 })) {
                    chunk.whole = false
                    break
                }
            }
            if last && layout == .array && !closed && chunk.whole {
                throw JSONError(offset: p.count, message: "the file ends inside the array: no closing `]`")
            }
        } catch let e as JSONError {
            chunk.failure = e
            return chunk
        } catch {
            chunk.failure = JSONError(offset: s.pos, message: "\(error)")
            return chunk
        }
        meter.add(bytes: s.pos - reported, records: chunk.rows)
        chunk.end = s.pos
        return chunk
    }
}

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
    private var previous: [Int] = []
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
            if same && field < templateLengths.count, let length = template(field, s) {
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
                    // A key that repeats in a record slips past the check for repeats when the
                    // record before had fewer keys (its value then replaces the first, as a
                    // second cell did): it is counted once.
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
        guard !escaped && field < previous.count else { return nil }
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

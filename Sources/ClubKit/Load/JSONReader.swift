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
/// The first records (up to 4,000) are scanned first: each key with a thousand values there
/// gets the type those values allow (`JSONPlan`). Then the file is cut into chunks at record
/// boundaries, and each chunk is scanned in parallel, checking the syntax and writing the
/// values of the plan's keys straight into their column buffers (`JSONDirect`); a key first
/// seen later, or rare in the first records, keeps cells (where each value is: `JSONCell`),
/// whose columns get the type their first thousand values allow and are written from the cells
/// in parallel. A value that does not fit its column's type narrows it, and that column alone
/// is written again: from its cells, or by scanning the file again for the plan's columns.
///
///     let result = try JSONReader.read(path: "orders.jsonl")
///
/// SAFETY: one of the loader's rooms with raw memory: `p` is the whole file, valid for the load
/// (`InputFile.read`); cells hold offsets inside `p` made by the scanner; each chunk writes only
/// its own rows of the column buffers (`RawColumn.allocate`, `JSONDirect`).
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
        let pattern = try options.datePattern(path: path)

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
                // The first records' look ends at `limit` records, at 4 MiB (records of a
                // megabyte each are not read twice), or once every key has a thousand values.
                if limit < .max && (chunk.rows >= limit || s.pos - range.lowerBound >= 4 << 20
                                    || (chunk.rows >= 1000 && chunk.rows & 63 == 0 && chunk.cells.allSatisfy({ $0.count >= 1000 }))) {
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

import Foundation

/// Reads a delimited text file into a `Table`.
///
/// A regular file is memory-mapped; pipes, FIFOs and devices are read to their end first
/// (`InputFile`). A look at the first rows sniffs the delimiter, decides whether
/// there is a header and gives each column the type its first thousand values allow. The
/// records are then split into chunks of whole records, counted (newlines bound the rows each
/// chunk can hold) and parsed in parallel, every field straight into its slot in the final
/// column buffers. A field that does not fit its column's type narrows the type and the parse
/// runs again; pages of the file a chunk has finished with are handed back as it goes. No row
/// objects and no per-row `String`s are made, and nothing is copied after parsing.
///
///     let result = try CSVReader.read(path: "Samples/data/orders.csv", options: CSVOptions())
///
/// SAFETY: this is one of the few places with raw memory. Every function here that takes the
/// file's bytes `p` reads only `p[0..<p.count]` (each loop or `memchr` call is bounded by
/// `p.count` or by a range inside it, as its own `SAFETY:` line says), and none keeps a pointer
/// into `p` past its return: what the table keeps is copied out (numbers into column buffers,
/// texts into dictionaries). `p` itself stays valid for the whole load (`InputFile.read`).
enum CSVReader {
    /// Reads the file at `path`.
    static func read(path: String, options: CSVOptions = CSVOptions()) throws -> LoadResult {
        let input = try InputFile(path: path, isCancelled: options.isCancelled)
        return try input.read { bytes, release in try read(bytes: bytes, path: path, options: options, release: release) }
    }

    /// Reads CSV text held in memory (used by tests and by `read(path:)`).
    static func read(text: String, path: String = "<text>", options: CSVOptions = CSVOptions()) throws -> LoadResult {
        var text = text
        // SAFETY: the bytes are valid inside the closure, and the load keeps nothing of them.
        return try text.withUTF8 { try read(bytes: $0, path: path, options: options) }
    }

    static func read(bytes p: UnsafeBufferPointer<UInt8>, path: String, options: CSVOptions,
                     release: ((Range<Int>) -> Void)? = nil) throws -> LoadResult {
        let start = p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0
        let delimiter = options.delimiter ?? sniffDelimiter(p, start: start)
        let pattern = try options.datePattern(path: path)
        let calendar = options.calendar
        func fail(_ e: TokenError) -> LoadError {
            LoadError(.malformed, path: path, line: e.line, column: position(p, e.offset, from: start).column, message: e.message)
        }

        // Look at the first rows: header or not, and the column names.
        var tokenizer = CSVTokenizer(p, start: start, delimiter: delimiter)
        var fields: [CSVField] = []
        var firstRow: [String] = []
        var firstMasks: [UInt16] = []
        do {
            guard try tokenizer.next(&fields) else {
                return LoadResult(table: Table(columnNames: [], columns: [], rowCount: 0), skippedRows: 0, skipped: [], bytesRead: p.count)
            }
        } catch let e as TokenError { throw fail(e) }
        guard fields.count <= maxColumns else {
            let (line, column) = position(p, fields[maxColumns].start, from: start)
            throw LoadError(.malformed, path: path, line: line, column: column,
                            message: "the first row has \(fields.count) fields; clubsh loads at most \(maxColumns) columns (is the delimiter right?)")
        }
        for f in fields {
            firstRow.append(text(p, f))
            firstMasks.append(f.end > f.start ? FieldParsing.classify(slice(p, f), pattern: pattern, calendar: calendar) : FieldParsing.all)
        }
        let width = fields.count
        let header = try options.header ?? detectHeader(tokenizer: tokenizer, width: width, firstRow: firstRow, firstMasks: firstMasks, pattern: pattern,
                                                        calendar: calendar, isCancelled: options.isCancelled, path: path, fail: fail)
        // SAFETY: start ≤ tokenizer.pos ≤ p.count, so the header's bytes are a slice of `p`.
        if header, let bad = firstInvalidUTF8(UnsafeBufferPointer(rebasing: p[start..<tokenizer.pos]), from: 0) {
            let (line, column) = position(p, start + bad, from: start)
            throw LoadError(.malformed, path: path, line: line, column: column, message: "invalid UTF-8 (byte 0x\(String(p[start + bad], radix: 16, uppercase: true))); save the file as UTF-8")
        }
        var names: [String]
        if let given = options.names {
            guard given.count == width else {
                throw LoadError(.badOption, path: path, line: 1, column: 1, message: "names (…) lists \(given.count) names but the file has \(width) columns")
            }
            names = given
        } else if header {
            names = firstRow.enumerated().map { (c, name) in
                let name = reachable(name)
                return name.isEmpty ? "column\(c + 1)" : name
            }
        } else {
            names = (1...max(width, 1)).map { "column\($0)" }
        }
        names = deduplicated(names)
        for (name, _) in options.types where !names.contains(name) {
            throw LoadError(.badOption, path: path, message: "types (…) names a column `\(name)` that the file does not have; its columns are \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", … (\(names.count) in all)" : "")")
        }
        let declared: [DataType?] = names.map { options.types[$0] }
        let dataStart = header ? tokenizer.pos : start
        let dataLine = header ? tokenizer.line : 1
        let (sampled, sampledWide) = try sampleMasks(p, from: dataStart, width: width, delimiter: delimiter, declared: declared, pattern: pattern,
                                                     calendar: calendar, isCancelled: options.isCancelled, path: path)
        // A declared date column is Jalali when its first values say so, as an inferred one is.
        let declaredKinds = (0..<width).map { c in
            declared[c].map { FieldKind.declared($0, jalali: isJalali(declaredMask: sampled[c], calendar: calendar)) }
        }

        // Chunks of whole records, several per core so that the cores finish together.
        let wanted = options.chunks ?? (p.count - dataStart >= 8 << 20 ? min(ProcessInfo.processInfo.activeProcessorCount * 4, 32) : 1)
        guard var ranges = chunks(p, dataStart: dataStart, fileStart: start, count: wanted, quotes: false, isCancelled: options.isCancelled) else {
            throw LoadError.interrupted(path)
        }
        // Counting hands each chunk's pages back too: parsing reads them again from the page
        // cache, and the file never sits in memory whole beside the columns.
        let counted = Parallel.map(ranges.count) { k in
            defer { release?(ranges[k]) }
            return count(p, ranges[k], isCancelled: options.isCancelled)
        }
        guard !counted.contains(where: { $0 == nil }) else { throw LoadError.interrupted(path) }
        var counts = counted.map { $0! }
        if counts.contains(where: { $0.quotes > 0 }) {
            // A cut is a record boundary when an even number of quotes precedes it.
            var quotes = count(p, start..<dataStart).quotes
            var even = true
            for k in ranges.indices.dropFirst() {
                quotes += counts[k - 1].quotes
                even = even && quotes % 2 == 0
            }
            if !even {
                guard let cut = chunks(p, dataStart: dataStart, fileStart: start, count: wanted, quotes: true, isCancelled: options.isCancelled) else {
                    throw LoadError.interrupted(path)
                }
                ranges = cut
                let recounted = Parallel.map(ranges.count) { count(p, ranges[$0], isCancelled: options.isCancelled) }
                guard !recounted.contains(where: { $0 == nil }) else { throw LoadError.interrupted(path) }
                counts = recounted.map { $0! }
            }
        }
        let context = ChunkContext(p: p, delimiter: delimiter, width: width, header: header, declared: declared, names: names,
                                   pattern: pattern, calendar: calendar, jalaliYears: calendar.jalaliYears ?? JalaliDate.years, path: path,
                                   fileStart: start, lenient: options.lenient, isCancelled: options.isCancelled,
                                   meter: LoadMeter(total: p.count - dataStart, report: options.progress), release: release)

        /// An error or skipped row found by chunk k, with its line counted from the file's start.
        func located(_ k: Int, _ e: LoadError) -> LoadError {
            var e = e
            if k > 0 { e.line += line(of: ranges[k].lowerBound, in: p, from: dataStart, startLine: dataLine) - 1 }
            return e
        }
        var masks = sampled
        var wideIntegers = sampledWide
        var sequential = false
        var attempts = 0
        while true {
            if options.isCancelled() { throw LoadError.interrupted(path) }
            attempts += 1
            context.meter.restart()
            let kinds = (0..<width).map { declaredKinds[$0] ?? FieldKind.inferred(masks[$0], pattern: pattern, calendar: calendar) }
            let bounds = counts.map { $0.newlines + 1 }
            let offsets = bounds.reduce(into: [0]) { $0.append($0.last! + $1) }
            var outcomes: [ChunkOutcome] = []
            var next = Attempt.done
            var placed: [Int] = []
            var dictionaries: [StringDictionary?] = []
            let (rows, raw) = try RawColumn.allocate(kinds[...], capacity: offsets.last!) { bases -> Int in
                // SAFETY: chunk k writes only rows offsets[k] ..< offsets[k] + bounds[k] of each
                // column buffer (its `capacity`), which no other chunk touches; the buffers
                // outlive `Parallel.map`, which returns only when every chunk is done.
                let b = Unchecked(bases)
                outcomes = Parallel.map(ranges.count) { k in
                    context.own().parse(ranges[k], line: k == 0 ? dataLine : 1, kinds: kinds.map { $0 }, masks: masks.map { $0 },
                                        bases: b.value.map { $0 }, offset: offsets[k], capacity: bounds[k])
                }
                next = try judge(outcomes, path: path, masks: &masks, declared: declared, wideIntegers: &wideIntegers, located: located)
                guard next == .done else { return 0 }
                guard let assembled = assemble(outcomes, kinds: kinds, offsets: offsets, bases: bases, isCancelled: options.isCancelled) else {
                    throw LoadError.interrupted(path)
                }
                (placed, dictionaries) = assembled
                return placed.last!
            }
            switch next {
            case .retry:
                continue
            case .sequential:
                // A cut fell inside a quoted field after all, or lines end in a lone carriage
                // return (which the newline count misses): read the records as one chunk, with
                // room for a record per line break of either kind.
                guard !sequential else {
                    throw LoadError(.malformed, path: path, message: "could not be split into records; please report this file")
                }
                sequential = true
                ranges = [dataStart..<p.count]
                // SAFETY: dataStart ≤ p.count, so the count covers p[dataStart..<p.count].
                let returns = p.baseAddress.map { occurrences(of: 13, in: $0 + dataStart, count: p.count - dataStart) } ?? 0
                counts = [(newlines: counts.reduce(returns) { $0 + $1.newlines }, quotes: 0)]
                masks = sampled
                wideIntegers = sampledWide
                continue
            case .done:
                break
            }
            let skipped = outcomes.indices.flatMap { k in outcomes[k].problems.map { located(k, $0) } }.prefix(5)
            let columns = (0..<width).map { c in
                column(c, raw[c], kind: kinds[c], declared: declared[c] != nil, rows: rows, outcomes: outcomes, placed: placed, dictionary: dictionaries[c])
            }
            let table = Table(columnNames: names, columns: columns, rowCount: rows)
            let wide = wideIntegers.sorted().filter { kinds[$0] == .string }.map { names[$0] }
            let notes = (wideIntegerNote(wide).map { [$0] } ?? [])
                + calendarNotes(table, kinds: kinds, masks: masks, declared: declared, pattern: pattern, calendar: calendar)
            return LoadResult(table: table, skippedRows: outcomes.reduce(0) { $0 + $1.skippedRows }, skipped: Array(skipped), bytesRead: p.count,
                              notes: notes, attempts: attempts)
        }
    }

    /// What a parse attempt calls for next.
    enum Attempt { case done, retry, sequential }

    /// Looks at the chunks in file order, trusting a chunk only when the one before it ended
    /// where it begins: the first failure throws; narrowed types (every chunk's misfits at once)
    /// or a column whose only values were `""` ask for another attempt; a chunk boundary that
    /// was not a record boundary asks for one chunk.
    ///
    /// Each retry removes at least one candidate bit from some column and a column has eleven,
    /// so a load makes at most twelve attempts however many rows misfit (usually two).
    private static func judge(_ outcomes: [ChunkOutcome], path: String, masks: inout [UInt16], declared: [DataType?],
                              wideIntegers: inout Set<Int>, located: (Int, LoadError) -> LoadError) throws -> Attempt {
        if outcomes.contains(where: \.cancelled) { throw LoadError.interrupted(path) }
        var retry = false
        let before = masks
        for (k, o) in outcomes.enumerated() {
            if let failure = o.failure { throw located(k, failure) }
            if o.overflowed { return .sequential }
            if o.narrowed {
                for c in masks.indices { masks[c] &= o.masks[c] }
                wideIntegers.formUnion(o.wideIntegers)
                retry = true
            }
            if k + 1 < outcomes.count && o.end != outcomes[k + 1].firstRecord { return .sequential }
        }
        if retry {
            // A misfit that narrows no column would be met again by the next attempt, for ever:
            // `classify` and `put` disagree about a field. Refuse rather than hang.
            guard masks != before else {
                throw LoadError(.malformed, path: path, message: "could not settle the columns' types; please report this file")
            }
            return .retry
        }
        for c in masks.indices where declared[c] == nil && masks[c] != 0 {
            if !outcomes.contains(where: { $0.sawValue[c] }) && outcomes.contains(where: { $0.sawQuotedEmpty[c] }) {
                masks[c] = 0
                retry = true
            }
        }
        return retry ? .retry : .done
    }

    /// Closes the gaps between chunks (rows a chunk's bound allowed but it did not fill) and
    /// renumbers each chunk's string codes into one dictionary. Returns where each chunk's rows
    /// begin (plus the total) and each string column's dictionary; nil when stopped by Ctrl-C
    /// (polled per column of each chunk: renumbering a wide file's strings takes seconds).
    private static func assemble(_ outcomes: [ChunkOutcome], kinds: [FieldKind], offsets: [Int], bases: [UnsafeMutableRawPointer],
                                 isCancelled: () -> Bool) -> ([Int], [StringDictionary?])? {
        var placed = [0]
        // The first chunk's texts keep their codes; the other chunks' texts join them.
        var dictionaries: [StringDictionary.Builder?] = kinds.indices.map { outcomes[0].interners[$0]?.dictionary }
        for (k, o) in outcomes.enumerated() {
            let at = placed.last!
            for c in kinds.indices {
                if c & 63 == 0 && isCancelled() { return nil }
                let w = kinds[c].width
                // SAFETY: at ≤ offsets[k] (chunks fill at most their bounds), and chunk k's
                // o.rows ≤ bounds[k] rows sit at offsets[k] inside the column's capacity of
                // offsets.last! rows; memmove allows the overlap of moving them down.
                if at != offsets[k] { memmove(bases[c] + at * w, bases[c] + offsets[k] * w, o.rows * w) }
                guard k > 0, dictionaries[c] != nil, let own = o.interners[c]?.dictionary else { continue }
                let remap = own.values.map { dictionaries[c]!.code(for: $0) }
                if remap.enumerated().allSatisfy({ $0.offset == Int($0.element) }) { continue }
                // SAFETY: the chunk's o.rows codes now sit at row `at` (the move above), each a
                // code of the chunk's own dictionary, so below own.count = remap.count.
                remap.withUnsafeBufferPointer { r in
                    let codes = (bases[c] + at * 4).assumingMemoryBound(to: Int32.self)
                    for i in 0..<o.rows { codes[i] = r[Int(codes[i])] }
                }
            }
            placed.append(at + o.rows)
        }
        return (placed, dictionaries.map { $0.map { StringDictionary($0) } })
    }

    /// The finished column: its buffer, its validity from the chunks' null bits, and for a column
    /// that held no value at all, nulls of type string.
    private static func column(_ c: Int, _ raw: RawColumn, kind: FieldKind, declared: Bool, rows: Int,
                               outcomes: [ChunkOutcome], placed: [Int], dictionary: StringDictionary?) -> Column {
        if !declared && !outcomes.contains(where: { $0.sawValue[c] }) { return RawColumn.allNull(rows: rows) }
        let validity = RawColumn.validity(rows: rows, chunks: outcomes.enumerated().map { (nulls: $1.nulls[c], start: placed[$0], count: $1.rows) })
        return raw.column(kind, validity: validity, dictionary: dictionary)
    }

    /// "column id: integers beyond 64 bits kept as text", for the columns that held such
    /// integers and so are text; nil when there are none.
    static func wideIntegerNote(_ names: [String]) -> String? {
        guard !names.isEmpty else { return nil }
        let listed = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
        return "column\(names.count == 1 ? "" : "s") \(listed): integers beyond 64 bits kept as text"
    }

    /// The candidate bits of each column, declared ones too, over the first `records` data
    /// records (rows of the wrong width, or breaking a declared type, do not count), and the
    /// columns where an integer beyond 64 bits was seen.
    static func sampleMasks(_ p: UnsafeBufferPointer<UInt8>, from: Int, width: Int, delimiter: CSVOptions.Delimiter,
                            declared: [DataType?], pattern: DatePattern?, calendar: LoadCalendar, records: Int = 1000,
                            isCancelled: () -> Bool = { false }, path: String = "") throws -> (masks: [UInt16], wide: Set<Int>) {
        var masks = [UInt16](repeating: FieldParsing.all, count: width)
        var wide: Set<Int> = []
        var tokenizer = CSVTokenizer(p, start: from, delimiter: delimiter)
        var fields: [CSVField] = []
        var seen = 0
        var nextPoll = from
        // A record that does not tokenize ends the sample; the parse meets it again and reports it
        // with its line and column.
        while seen < records, (try? tokenizer.next(&fields)) == true {
            seen += 1
            if tokenizer.pos >= nextPoll {
                if isCancelled() { throw LoadError.interrupted(path) }
                nextPoll = tokenizer.pos + ChunkContext.pollBytes
            }
            guard fields.count == width else { continue }
            let fits = (0..<width).allSatisfy { c in
                guard let t = declared[c], fields[c].end > fields[c].start else { return true }
                return FieldParsing.accepts(t, FieldParsing.classify(slice(p, fields[c]), pattern: pattern, calendar: calendar))
            }
            guard fits else { continue }
            for c in 0..<width where fields[c].end > fields[c].start && masks[c] != 0 {
                let bytes = slice(p, fields[c])
                let mask = FieldParsing.classify(bytes, pattern: pattern, calendar: calendar)
                // A wide integer in a column of numbers so far (integers or floats) is what makes it text.
                if declared[c] == nil && mask & FieldParsing.int == 0 && masks[c] & (FieldParsing.int | FieldParsing.double) != 0
                    && FieldParsing.isWideInteger(bytes) { wide.insert(c) }
                masks[c] &= mask
            }
        }
        return (masks, wide)
    }

    /// `count` in pieces of 8 MiB with a poll of `isCancelled` before each; nil when it says stop.
    static func count(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, isCancelled: () -> Bool) -> (newlines: Int, quotes: Int)? {
        var total = (newlines: 0, quotes: 0)
        var from = range.lowerBound
        repeat {
            if isCancelled() { return nil }
            let to = min(range.upperBound, from + (8 << 20))
            let piece = count(p, from..<to)
            total.newlines += piece.newlines
            total.quotes += piece.quotes
            from = to
        } while from < range.upperBound
        return total
    }

    /// Newlines and quotes in `range`: the newlines bound the records that start there.
    static func count(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (newlines: Int, quotes: Int) {
        // SAFETY: `range` lies inside p's bytes; both searches are bounded by range.count.
        guard let base = p.baseAddress, !range.isEmpty else { return (0, 0) }
        let newlines = occurrences(of: 10, in: base + range.lowerBound, count: range.count)
        let quotes = memchr(base + range.lowerBound, 34, range.count) == nil ? 0 : occurrences(of: 34, in: base + range.lowerBound, count: range.count)
        return (newlines, quotes)
    }

    /// How many bytes equal `byte`, hopping from one to the next with `memchr` (vectorised in
    /// the C library; a byte loop or eight-byte words in Swift were two to ten times slower).
    static func occurrences(of byte: UInt8, in start: UnsafePointer<UInt8>, count n: Int) -> Int {
        // SAFETY: the caller passes n readable bytes at `start`; each memchr searches only
        // [at, end), and a hit lies inside it, so `hit + 1` ≤ end.
        var total = 0
        var at = start
        let end = start + n
        while at < end, let hit = memchr(at, Int32(byte), end - at) {
            total += 1
            at = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return total
    }

    /// Chunk boundaries at record starts: after a newline that is outside quotes (an even number
    /// of `"` before it since the file's start; doubled quotes count twice and keep the parity).
    /// With `quotes` false every newline counts as a boundary (the caller checks the parity).
    /// Polls `isCancelled` at each cut (the quote count reads the file byte by byte); nil when it
    /// says stop.
    static func chunks(_ p: UnsafeBufferPointer<UInt8>, dataStart: Int, fileStart: Int, count: Int, quotes checkQuotes: Bool,
                       isCancelled: () -> Bool) -> [Range<Int>]? {
        let n = p.count
        guard count > 1, n > dataStart else { return [dataStart..<n] }
        // SAFETY: fileStart ≤ dataStart < n = p.count; every memchr searches [cut, n) with
        // cut < n, and the quote scan stops at a newline found inside that range.
        let base = p.baseAddress!
        let hasQuotes = checkQuotes && memchr(base + fileStart, 34, n - fileStart) != nil
        var bounds = [dataStart]
        var quotes = 0, scanned = fileStart
        for k in 1..<count {
            if isCancelled() { return nil }
            var cut = max(dataStart + (n - dataStart) * k / count, bounds.last! + 1)
            while cut < n {
                guard let hit = memchr(base + cut, 10, n - cut) else { cut = n; break }
                let newline = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                if hasQuotes {
                    while scanned < newline { if base[scanned] == 34 { quotes += 1 }; scanned += 1 }
                    if quotes % 2 == 1 { cut = newline + 1; continue }
                }
                cut = newline + 1
                break
            }
            if cut < n && cut > bounds.last! { bounds.append(cut) }
        }
        bounds.append(n)
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }

    /// The line number at `offset`, counting newlines from `from` (at line `startLine`).
    static func line(of offset: Int, in p: UnsafeBufferPointer<UInt8>, from: Int, startLine: Int) -> Int {
        // SAFETY: the caller's offset ≤ p.count; each memchr searches [i, offset).
        var line = startLine
        var i = from
        let base = p.baseAddress!
        while i < offset {
            guard let hit = memchr(base + i, 10, offset - i) else { break }
            line += 1
            i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
        }
        return line
    }

    // MARK: - Helpers

    /// SAFETY: the tokenizer makes fields with start ≤ end ≤ p.count, so this is a slice of `p`.
    @inline(__always)
    static func slice(_ p: UnsafeBufferPointer<UInt8>, _ f: CSVField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: p[f.start..<f.end])
    }

    static func text(_ p: UnsafeBufferPointer<UInt8>, _ f: CSVField) -> String {
        let s = String(decoding: slice(p, f), as: UTF8.self)
        return f.escaped ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }

    /// A field's text as an error message quotes it: on one line (control characters escaped,
    /// `\n` for a newline) and at most 60 characters.
    static func shown(_ text: String) -> String {
        var out = ""
        var count = 0
        for s in text.unicodeScalars {
            guard count < 60 else { return out + "…" }
            switch s {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where s.value < 32 || s.value == 127: out += "\\u{\(String(s.value, radix: 16))}"
            default: out.unicodeScalars.append(s)
            }
            count += 1
        }
        return out
    }

    /// 1-based line and character column of a byte offset (a lone carriage return ends a line,
    /// as it does for the tokenizer).
    static func position(_ p: UnsafeBufferPointer<UInt8>, _ offset: Int, from start: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = start
        var i = start
        while i < offset && i < p.count {
            if p[i] == 10 || (p[i] == 13 && (i + 1 == p.count || p[i + 1] != 10)) { line += 1; lineStart = i + 1 }
            i += 1
        }
        var column = 1
        i = lineStart
        while i < offset && i < p.count {
            if p[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }

    /// The offset of the first byte that is not well-formed UTF-8.
    static func firstInvalidUTF8(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        let n = p.count
        let base = p.baseAddress!
        while i < n {
            // Eight ASCII bytes at a time. SAFETY: the load reads bytes i ..< i + 8 ≤ n only.
            while i + 8 <= n, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080808080808080 == 0 { i += 8 }
            guard i < n else { break }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            let len: Int
            if b & 0xE0 == 0xC0, b >= 0xC2 { len = 2 } else if b & 0xF0 == 0xE0 { len = 3 } else if b & 0xF8 == 0xF0, b <= 0xF4 { len = 4 } else { return i }
            guard i + len <= n else { return i }
            for k in 1..<len where p[i + k] & 0xC0 != 0x80 { return i }
            if len == 3 {
                let b1 = p[i + 1]
                if (b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 >= 0xA0) { return i }
            } else if len == 4 {
                let b1 = p[i + 1]
                if (b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 >= 0x90) { return i }
            }
            i += len
        }
        return nil
    }

    /// The widest file clubsh loads: 10,000 columns and more load, while a first row of millions
    /// of fields (a wrong delimiter, a binary file) is a clear error rather than gigabytes of
    /// empty columns.
    static let maxColumns = 100_000

    /// Picks the delimiter among `,` tab `;` `|` that splits the first lines most consistently.
    /// It looks at 20 lines or the first MiB, whichever ends first (a file of one 16 MiB line
    /// is not read whole to choose its delimiter).
    static func sniffDelimiter(_ p: UnsafeBufferPointer<UInt8>, start: Int) -> CSVOptions.Delimiter {
        let candidates: [UInt8] = [44, 9, 59, 124]
        var counts = [[Int]](repeating: [], count: candidates.count)
        var current = [Int](repeating: 0, count: candidates.count)
        let end = min(p.count, start + (1 << 20))
        var i = start
        var inQuotes = false
        var lines = 0
        while i < end && lines < 20 {
            let b = p[i]
            if b == 34 {
                inQuotes.toggle()
            } else if !inQuotes && (b == 10 || i == p.count - 1) {
                for k in candidates.indices { counts[k].append(current[k]) }
                for k in candidates.indices { current[k] = 0 }
                lines += 1
            } else if !inQuotes {
                switch b {
                case 44: current[0] += 1
                case 9: current[1] += 1
                case 59: current[2] += 1
                case 124: current[3] += 1
                default: break
                }
            }
            i += 1
        }
        // A first line longer than the window: judge it by what was seen.
        if lines == 0 { for k in candidates.indices { counts[k].append(current[k]) } }
        var best: (score: Int, delimiter: UInt8) = (0, 44)
        for (k, c) in candidates.enumerated() {
            guard let first = counts[k].first, first > 0 else { continue }
            let consistent = counts[k].allSatisfy { $0 == first }
            let score = first * (consistent ? 1000 : 1)
            if score > best.score { best = (score, c) }
        }
        return .byte(best.delimiter)
    }

    /// A header is present when a column's first value does not fit the type its other values
    /// share, or when every column is text and so is every name in the first row.
    private static func detectHeader(tokenizer: CSVTokenizer, width: Int, firstRow: [String], firstMasks: [UInt16], pattern: DatePattern?,
                                     calendar: LoadCalendar, isCancelled: () -> Bool, path: String, fail: (TokenError) -> LoadError) throws -> Bool {
        var t = tokenizer
        var fields: [CSVField] = []
        var masks = [UInt16](repeating: FieldParsing.all, count: width)
        var seen = [Bool](repeating: false, count: width)
        var rows = 0
        var nextPoll = t.pos
        do {
            while rows < 100, try t.next(&fields) {
                rows += 1
                if t.pos >= nextPoll {
                    if isCancelled() { throw LoadError.interrupted(path) }
                    nextPoll = t.pos + ChunkContext.pollBytes
                }
                for (c, f) in fields.enumerated() where c < width && f.end > f.start {
                    masks[c] &= FieldParsing.classify(slice(t.p, f), pattern: pattern, calendar: calendar)
                    seen[c] = true
                }
            }
        } catch let e as TokenError {
            throw fail(e)
        }
        for c in 0..<width where seen[c] && !firstRow[c].isEmpty {
            let type = FieldParsing.resolve(masks[c], pattern: pattern, calendar: calendar)
            if type != .string && firstMasks[c] & masks[c] == 0 { return true }
        }
        let allText = (0..<width).allSatisfy { !seen[$0] || FieldParsing.resolve(masks[$0], pattern: pattern, calendar: calendar) == .string }
        let namesLookLikeNames = firstRow.contains { !$0.isEmpty } && zip(firstRow, firstMasks).allSatisfy { $0.0.isEmpty || $0.1 == 0 }
        return allText && namesLookLikeNames
    }

    /// Unique names: the first of each name keeps it; a repeat gets `_2`, `_3`, … — the first
    /// suffix that no column is called already or will be called later (`a,a,a_2` gives `a`,
    /// `a_3`, `a_2`), so every column can be named.
    static func deduplicated(_ names: [String]) -> [String] {
        var taken = Set(names)
        var firstSeen: Set<String> = []
        var next: [String: Int] = [:]
        return names.map { name in
            if firstSeen.insert(name).inserted { return name }
            var n = next[name] ?? 2
            while taken.contains("\(name)_\(n)") { n += 1 }
            next[name] = n + 1
            taken.insert("\(name)_\(n)")
            return "\(name)_\(n)"
        }
    }

    /// A header name that can be typed in a back-quoted name and shown on one line: control
    /// characters (newlines, tabs, NUL) become `_`, a back quote becomes `'`, and byte-order
    /// marks (a file saved with two) are dropped.
    static func reachable(_ name: String) -> String {
        guard name.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 || $0 == "`" || $0 == "\u{FEFF}" }) else { return name }
        return String(String.UnicodeScalarView(name.unicodeScalars.compactMap { s -> Unicode.Scalar? in
            s == "\u{FEFF}" ? nil : (s == "`" ? "'" : (s.value < 32 || s.value == 127 ? "_" : s))
        }))
    }
}

import Foundation

/// Reads a delimited text file into a `Table`.
///
/// Three steps over the memory-mapped bytes: a look at the first rows sniffs the delimiter and
/// decides whether there is a header; pass 1 checks every record (field count, declared types,
/// UTF-8) and narrows each column's candidate types; pass 2 parses every field straight into
/// its column's typed buffer. No row objects and no per-row `String`s are made.
///
///     let result = try CSVReader.read(path: "Samples/data/orders.csv", options: CSVOptions())
public enum CSVReader {
    /// Reads the file at `path`.
    public static func read(path: String, options: CSVOptions = CSVOptions()) throws -> LoadResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LoadError(path: path, line: 0, column: 0, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw LoadError(path: path, line: 0, column: 0, message: "is a directory, not a file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw LoadError(path: path, line: 0, column: 0, message: "cannot be read (\(error.localizedDescription))")
        }
        return try data.withUnsafeBytes { raw in
            try read(bytes: raw.bindMemory(to: UInt8.self), path: path, options: options)
        }
    }

    /// Reads CSV text held in memory (used by tests and by `read(path:)`).
    public static func read(text: String, path: String = "<text>", options: CSVOptions = CSVOptions()) throws -> LoadResult {
        var text = text
        return try text.withUTF8 { try read(bytes: $0, path: path, options: options) }
    }

    static func read(bytes p: UnsafeBufferPointer<UInt8>, path: String, options: CSVOptions) throws -> LoadResult {
        let start = p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0
        if let bad = firstInvalidUTF8(p, from: start) {
            let (line, column) = position(p, bad, from: start)
            throw LoadError(path: path, line: line, column: column, message: "invalid UTF-8 (byte 0x\(String(p[bad], radix: 16, uppercase: true))); save the file as UTF-8")
        }
        let delimiter = options.delimiter ?? sniffDelimiter(p, start: start)
        let pattern: DatePattern?
        if let f = options.dateFormat {
            guard let compiled = DatePattern(f) else {
                throw LoadError(path: path, line: 0, column: 0, message: "date_format \"\(f)\" is not a pattern of y, M, d (and H, m, s); for example \"yyyyMMdd\" or \"dd/MM/yyyy\"")
            }
            pattern = compiled
        } else {
            pattern = nil
        }
        func fail(_ e: TokenError) -> LoadError {
            LoadError(path: path, line: e.line, column: position(p, e.offset, from: start).column, message: e.message)
        }

        // Look at the first rows: header or not, and the column names.
        var tokenizer = CSVTokenizer(p, start: start, delimiter: delimiter)
        var fields: [CSVField] = []
        var firstRow: [String] = []
        var firstMasks: [UInt8] = []
        do {
            guard try tokenizer.next(&fields) else {
                return LoadResult(table: Table(columnNames: [], columns: [], rowCount: 0), skippedRows: 0, skipped: [], bytesRead: p.count)
            }
        } catch let e as TokenError { throw fail(e) }
        for f in fields {
            firstRow.append(text(p, f))
            firstMasks.append(f.end > f.start ? FieldParsing.classify(slice(p, f), pattern: pattern) : FieldParsing.all)
        }
        let width = fields.count
        let header = try options.header ?? detectHeader(tokenizer: tokenizer, width: width, firstRow: firstRow, firstMasks: firstMasks, pattern: pattern, fail: fail)
        var names: [String]
        if let given = options.names {
            guard given.count == width else {
                throw LoadError(path: path, line: 1, column: 1, message: "names (…) lists \(given.count) names but the file has \(width) columns")
            }
            names = given
        } else if header {
            names = firstRow.enumerated().map { $0.element.isEmpty ? "column\($0.offset + 1)" : $0.element }
        } else {
            names = (1...max(width, 1)).map { "column\($0)" }
        }
        names = deduplicated(names)
        for (name, _) in options.types where !names.contains(name) {
            throw LoadError(path: path, line: 0, column: 0, message: "types (…) names a column `\(name)` that the file does not have; its columns are \(names.joined(separator: ", "))")
        }
        let declared: [DataType?] = names.map { options.types[$0] }

        // The records after the header, split into chunks of whole records, one per core.
        let dataStart = header ? tokenizer.pos : start
        let dataLine = header ? tokenizer.line : 1
        let ranges = Self.chunks(p, dataStart: dataStart, fileStart: start, count: options.chunks ?? (p.count - dataStart >= 8 << 20 ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1))
        let context = ChunkContext(p: p, delimiter: delimiter, width: width, header: header, declared: declared, names: names,
                                   pattern: pattern, path: path, fileStart: start, lenient: options.lenient, isCancelled: options.isCancelled,
                                   progress: options.progress, chunkCount: ranges.count)

        // Pass 1: check every record and narrow the candidate types, chunks in parallel.
        let scans = Self.parallel(ranges.count) { k in
            context.own(reporting: k == 0).scan(ranges[k], line: k == 0 ? dataLine : Self.line(of: ranges[k].lowerBound, in: p, from: dataStart, startLine: dataLine))
        }
        var masks = [UInt8](repeating: FieldParsing.all, count: width)
        var sawValue = [Bool](repeating: false, count: width)
        var skipped: [LoadError] = []
        var skippedRows = 0
        for scan in scans {
            if let failure = scan.failure { throw failure }
            for c in 0..<width {
                masks[c] &= scan.masks[c]
                sawValue[c] = sawValue[c] || scan.sawValue[c]
            }
            skippedRows += scan.skipped.count
            skipped += scan.problems.prefix(max(0, 5 - skipped.count))
        }
        if scans.contains(where: \.cancelled) { throw LoadError.interrupted(path) }
        let types: [DataType] = (0..<width).map { c in
            declared[c] ?? (sawValue[c] ? FieldParsing.resolve(masks[c], pattern: pattern) : .string)
        }

        // Pass 2: parse into typed buffers, chunks in parallel, then join the chunks' columns.
        let parts = Self.parallel(ranges.count) { k in context.own(reporting: k == 0).parse(ranges[k], types: types.map { $0 }, records: scans[k].records, skip: scans[k].skipped) }
        if parts.contains(where: { $0 == nil }) { throw LoadError.interrupted(path) }
        var columns = parts[0]!
        for part in parts.dropFirst() {
            for c in 0..<width { columns[c] = Join.concatenate(columns[c], part![c]) }
        }
        let rows = scans.reduce(0) { $0 + $1.records - $1.skipped.count }
        let table = Table(columnNames: names, columns: columns, rowCount: rows)
        return LoadResult(table: table, skippedRows: skippedRows, skipped: skipped, bytesRead: p.count)
    }

    /// Runs `body` for 0..<count on all cores, returning the results in order.
    static func parallel<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        if count == 1 { return [body(0)] }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        return withoutActuallyEscaping(body) { body in
            let box = Unchecked((body, results))
            DispatchQueue.concurrentPerform(iterations: count) { k in
                box.value.1[k] = box.value.0(k)
            }
            return results.map { $0! }
        }
    }

    /// Chunk boundaries at record starts: after a newline that is outside quotes (an even number
    /// of `"` before it since the file's start; doubled quotes count twice and keep the parity).
    static func chunks(_ p: UnsafeBufferPointer<UInt8>, dataStart: Int, fileStart: Int, count: Int) -> [Range<Int>] {
        let n = p.count
        guard count > 1, n > dataStart else { return [dataStart..<n] }
        let base = p.baseAddress!
        let hasQuotes = memchr(base + fileStart, 34, n - fileStart) != nil
        var bounds = [dataStart]
        var quotes = 0, scanned = fileStart
        for k in 1..<count {
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

    @inline(__always)
    static func slice(_ p: UnsafeBufferPointer<UInt8>, _ f: CSVField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: p[f.start..<f.end])
    }

    static func text(_ p: UnsafeBufferPointer<UInt8>, _ f: CSVField) -> String {
        let s = String(decoding: slice(p, f), as: UTF8.self)
        return f.escaped ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }

    /// 1-based line and character column of a byte offset.
    static func position(_ p: UnsafeBufferPointer<UInt8>, _ offset: Int, from start: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = start
        var i = start
        while i < offset && i < p.count {
            if p[i] == 10 { line += 1; lineStart = i + 1 }
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
            // Eight ASCII bytes at a time.
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

    /// Picks the delimiter among `,` tab `;` `|` that splits the first lines most consistently.
    static func sniffDelimiter(_ p: UnsafeBufferPointer<UInt8>, start: Int) -> CSVOptions.Delimiter {
        let candidates: [UInt8] = [44, 9, 59, 124]
        var counts = [[Int]](repeating: [], count: candidates.count)
        var i = start
        var inQuotes = false
        var current = [Int](repeating: 0, count: candidates.count)
        var lines = 0
        while i < p.count && lines < 20 {
            let b = p[i]
            if b == 34 { inQuotes.toggle() } else if !inQuotes && (b == 10 || i == p.count - 1) {
                for k in candidates.indices { counts[k].append(current[k]) }
                current = [Int](repeating: 0, count: candidates.count)
                lines += 1
            } else if !inQuotes, let k = candidates.firstIndex(of: b) {
                current[k] += 1
            }
            i += 1
        }
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
    private static func detectHeader(tokenizer: CSVTokenizer, width: Int, firstRow: [String], firstMasks: [UInt8],
                                     pattern: DatePattern?, fail: (TokenError) -> LoadError) throws -> Bool {
        var t = tokenizer
        var fields: [CSVField] = []
        var masks = [UInt8](repeating: FieldParsing.all, count: width)
        var seen = [Bool](repeating: false, count: width)
        var rows = 0
        do {
            while rows < 100, try t.next(&fields) {
                rows += 1
                for (c, f) in fields.enumerated() where c < width && f.end > f.start {
                    masks[c] &= FieldParsing.classify(slice(t.p, f), pattern: pattern)
                    seen[c] = true
                }
            }
        } catch let e as TokenError {
            throw fail(e)
        }
        for c in 0..<width where seen[c] && !firstRow[c].isEmpty {
            let type = FieldParsing.resolve(masks[c], pattern: pattern)
            if type != .string && firstMasks[c] & masks[c] == 0 { return true }
        }
        let allText = (0..<width).allSatisfy { !seen[$0] || FieldParsing.resolve(masks[$0], pattern: pattern) == .string }
        let namesLookLikeNames = firstRow.contains { !$0.isEmpty } && zip(firstRow, firstMasks).allSatisfy { $0.0.isEmpty || $0.1 == 0 }
        return allText && namesLookLikeNames
    }

    private static func deduplicated(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return names.map { name in
            let n = (seen[name] ?? 0) + 1
            seen[name] = n
            return n == 1 ? name : "\(name)_\(n)"
        }
    }
}

/// Accumulates one column's values during pass 2.
struct ColumnBuilder {
    let type: DataType
    let pattern: DatePattern?
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    private var bools: [Bool] = []
    private var dates: [Int32] = []
    private var codes: [Int32] = []
    private var validity = Bitmap(count: 0)
    private var hasNull = false
    private let interner: ByteInterner?
    private(set) var count = 0

    init(type: DataType, pattern: DatePattern?, capacity: Int) {
        self.type = type
        self.pattern = pattern
        interner = type == .string ? ByteInterner() : nil
        switch type {
        case .int, .datetime: ints.reserveCapacity(capacity)
        case .double: doubles.reserveCapacity(capacity)
        case .bool: bools.reserveCapacity(capacity)
        case .date: dates.reserveCapacity(capacity)
        default: codes.reserveCapacity(capacity)
        }
    }

    mutating func appendNull() {
        if !hasNull {
            hasNull = true
            validity = Bitmap(count: count, allValid: true)
        }
        validity.append(false)
        appendZero()
        count += 1
    }

    private mutating func appendZero() {
        switch type {
        case .int, .datetime: ints.append(0)
        case .double: doubles.append(0)
        case .bool: bools.append(false)
        case .date: dates.append(0)
        default: codes.append(0)
        }
    }

    /// Appends a non-empty field whose type pass 1 has already checked.
    @inline(__always)
    mutating func append(_ p: UnsafeBufferPointer<UInt8>) {
        if hasNull { validity.append(true) }
        count += 1
        switch type {
        case .int: ints.append(FieldParsing.parseInt(p) ?? 0)
        case .double: doubles.append(FieldParsing.parseDouble(p) ?? 0)
        case .bool: bools.append(FieldParsing.parseBool(p) ?? false)
        case .date:
            if let d = DateParser.isoDate(p) { dates.append(d) } else { dates.append(Int32((pattern?.parse(p) ?? 0) / 86400)) }
        case .datetime:
            if let s = DateParser.isoDateTime(p) { ints.append(s) } else if let d = DateParser.isoDate(p) { ints.append(Int64(d) * 86400) } else { ints.append(pattern?.parse(p) ?? 0) }
        default: codes.append(interner!.intern(p))
        }
    }

    func finish() -> Column {
        let v = hasNull ? validity : nil
        switch type {
        case .int: return Column(.int(ints), validity: v)
        case .double: return Column(.double(doubles), validity: v)
        case .bool: return Column(.bool(bools), validity: v)
        case .date: return Column(.date(dates), validity: v)
        case .datetime: return Column(.dateTime(ints), validity: v)
        default: return Column(.string(codes, interner!.dictionary), validity: v)
        }
    }
}

import Foundation

/// A value handed to concurrent work whose safety the caller guarantees (each task writes only
/// its own slot; the buffers read are not mutated).
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// What pass 1 learned from one chunk of records.
struct ChunkScan {
    var masks: [UInt8]
    var sawValue: [Bool]
    var records = 0
    /// Records (numbered within the chunk) that lenient loading skips.
    var skipped = Set<Int>()
    /// The first few of those, with why.
    var problems: [LoadError] = []
    /// The first bad record when not lenient.
    var failure: LoadError?
    var cancelled = false
}

/// Everything the two passes need to read one chunk of a file.
struct ChunkContext {
    let p: UnsafeBufferPointer<UInt8>
    let delimiter: CSVOptions.Delimiter
    let width: Int
    let header: Bool
    let declared: [DataType?]
    let names: [String]
    let pattern: DatePattern?
    let path: String
    let fileStart: Int
    let lenient: Bool
    let isCancelled: @Sendable () -> Bool
    /// Reports progress (only the first chunk's context has it): the share done and rows so far.
    var progress: (@Sendable (Double, Int) -> Void)?
    /// How many chunks share the work, to scale the first chunk's count.
    var chunkCount = 1

    private func fail(_ e: TokenError) -> LoadError {
        LoadError(path: path, line: e.line, column: CSVReader.position(p, e.offset, from: fileStart).column, message: e.message)
    }

    /// A copy whose arrays belong to one thread: threads that share an array's buffer contend on
    /// its reference count in the hot loop.
    func own() -> ChunkContext {
        ChunkContext(p: p, delimiter: delimiter, width: width, header: header, declared: declared.map { $0 }, names: names.map { $0 },
                     pattern: pattern.flatMap { DatePattern($0.source) }, path: path, fileStart: fileStart, lenient: lenient, isCancelled: isCancelled,
                     progress: nil, chunkCount: chunkCount)
    }

    /// The first chunk's copy also reports progress.
    func own(reporting: Bool) -> ChunkContext {
        var copy = own()
        if reporting { copy.progress = progress }
        return copy
    }

    /// Pass 1 over `range`: field counts, declared types, candidate types.
    func scan(_ range: Range<Int>, line: Int) -> ChunkScan {
        var out = ChunkScan(masks: [UInt8](repeating: FieldParsing.all, count: width), sawValue: [Bool](repeating: false, count: width))
        var tokenizer = CSVTokenizer(p, start: range.lowerBound, end: range.upperBound, line: line, delimiter: delimiter)
        var fields: [CSVField] = []
        do {
            while try tokenizer.next(&fields) {
                let record = out.records
                out.records += 1
                if record & 0xFFFF == 0xFFFF {
                    if isCancelled() { out.cancelled = true; return out }
                    // The first pass is about 40% of a load.
                    progress?(0.4 * Double(tokenizer.pos - range.lowerBound) / Double(max(range.count, 1)), (record + 1) * chunkCount)
                }
                var problem: LoadError?
                if fields.count != width {
                    let end = fields.last.map { $0.end + ($0.quoted ? 1 : 0) } ?? range.lowerBound
                    let col = fields.count > width ? CSVReader.position(p, fields[width].start, from: fileStart).column : CSVReader.position(p, end, from: fileStart).column
                    problem = LoadError(path: path, line: tokenizer.recordLine, column: col,
                                        message: "row has \(fields.count) field\(fields.count == 1 ? "" : "s") but the \(header ? "header has" : "first row has") \(width)")
                } else {
                    for c in 0..<width where declared[c] != nil && declared[c] != .string {
                        let f = fields[c]
                        guard f.end > f.start, let t = declared[c] else { continue }
                        if !FieldParsing.accepts(t, FieldParsing.classify(CSVReader.slice(p, f), pattern: pattern)) {
                            problem = LoadError(path: path, line: lineOf(f.start, tokenizer), column: CSVReader.position(p, f.start, from: fileStart).column,
                                                message: "`\(CSVReader.text(p, f))` is not a valid \(t.rawValue) for column `\(names[c])` (declared in types)")
                            break
                        }
                    }
                    if problem == nil {
                        for c in 0..<width where fields[c].end > fields[c].start {
                            out.sawValue[c] = true
                            // A column already known to be text needs no more looking at.
                            if out.masks[c] != 0 { out.masks[c] &= FieldParsing.classify(CSVReader.slice(p, fields[c]), pattern: pattern) }
                        }
                    }
                }
                if let problem {
                    guard lenient else { out.failure = problem; return out }
                    out.skipped.insert(record)
                    if out.problems.count < 5 { out.problems.append(problem) }
                }
            }
        } catch let e as TokenError {
            out.failure = fail(e)
        } catch {
            out.failure = LoadError(path: path, line: 0, column: 0, message: "\(error)")
        }
        return out
    }

    private func lineOf(_ offset: Int, _ t: CSVTokenizer) -> Int {
        var line = t.recordLine
        var i = t.recordStart
        while i < offset { if p[i] == 10 { line += 1 }; i += 1 }
        return line
    }

    /// Pass 2 over `range`: every field into its column's typed buffer; nil when cancelled.
    func parse(_ range: Range<Int>, types: [DataType], records: Int, skip: Set<Int>) -> [Column]? {
        var builders = types.map { ColumnBuilder(type: $0, pattern: pattern, capacity: records - skip.count) }
        var tokenizer = CSVTokenizer(p, start: range.lowerBound, end: range.upperBound, line: 1, delimiter: delimiter)
        var fields: [CSVField] = []
        var scratch: [UInt8] = []
        var index = 0
        while (try? tokenizer.next(&fields)) == true {
            defer { index += 1 }
            if index & 0xFFFF == 0xFFFF {
                if isCancelled() { return nil }
                progress?(0.4 + 0.6 * Double(tokenizer.pos - range.lowerBound) / Double(max(range.count, 1)), records * chunkCount)
            }
            if !skip.isEmpty && skip.contains(index) { continue }
            for c in 0..<width {
                let f = fields[c]
                if f.end == f.start && !f.quoted {
                    builders[c].appendNull()
                } else if f.escaped {
                    scratch.removeAll(keepingCapacity: true)
                    var i = f.start
                    while i < f.end { scratch.append(p[i]); i += p[i] == 34 ? 2 : 1 }
                    scratch.withUnsafeBufferPointer { builders[c].append($0) }
                } else {
                    builders[c].append(CSVReader.slice(p, f))
                }
            }
        }
        return builders.map { $0.finish() }
    }
}

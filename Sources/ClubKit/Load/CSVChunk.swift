import Foundation
import Synchronization

/// What one chunk of records came to in one attempt.
struct ChunkOutcome {
    /// Rows written to the chunk's slots.
    var rows = 0
    /// Where the chunk's first record starts (after blank lines), and where the record after its
    /// last one would start: a chunk boundary is right when one chunk's `end` is the next one's
    /// `firstRecord`.
    var firstRecord = 0
    var end = 0
    /// The inferred columns' candidate bits, narrowed by every field of the chunk that did not
    /// parse (the chunk reads on after a misfit, so one attempt finds them all).
    var masks: [UInt16]
    var narrowed = false
    /// Columns where a misfit was an integer beyond 64 bits (kept as text, and the user told).
    var wideIntegers: Set<Int> = []
    var sawValue: [Bool]
    var sawQuotedEmpty: [Bool]
    /// Per column, a bit per row that is null (empty when none is).
    var nulls: [[UInt64]]
    var interners: [ByteInterner?]
    var skippedRows = 0
    /// The first few skipped rows, with why. Lines count from the chunk's first line.
    var problems: [LoadError] = []
    /// What stopped the load (a bad row when not lenient, a bad quote, invalid UTF-8).
    var failure: LoadError?
    var cancelled = false
    /// More rows than the slots the chunk was given: its start was not a record boundary, or
    /// lines end in a lone carriage return.
    var overflowed = false
}

/// Progress shared by the chunks of one load: bytes and records done, reported under a lock.
final class LoadMeter: Sendable {
    private let state = Mutex<(bytes: Int, records: Int)>((0, 0))
    let total: Int
    let report: (@Sendable (Double, Int) -> Void)?

    init(total: Int, report: (@Sendable (Double, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    /// Starts the count again: a load that re-reads the file after a type misfit shows it.
    func restart() {
        state.withLock { $0 = (0, 0) }
    }

    func add(bytes: Int, records: Int) {
        guard let report else { return }
        state.withLock { s in
            s.bytes += bytes
            s.records += records
            report(min(1, Double(s.bytes) / Double(max(total, 1))), s.records)
        }
    }
}

/// Everything a chunk needs to read its records into the column buffers.
///
/// SAFETY: the loader's chunk parser, one of the few places with raw memory. `p` is the whole
/// file, valid for the load (`InputFile.read`); fields come from the tokenizer, so every slice
/// of `p` is in bounds. A chunk writes rows 0 ..< capacity of its own slots (`bases[c] + offset`
/// rows in), which `RawColumn.allocate` made for every chunk's bound and no other chunk
/// touches; `row < capacity` is checked before a record's fields are stored.
struct ChunkContext {
    let p: UnsafeBufferPointer<UInt8>
    let delimiter: CSVOptions.Delimiter
    let width: Int
    let header: Bool
    let declared: [DataType?]
    let names: [String]
    let pattern: DatePattern?
    /// The calendar of the load, and the Jalali years its Jalali kinds read.
    let calendar: LoadCalendar
    let jalaliYears: ClosedRange<Int>
    let path: String
    let fileStart: Int
    let lenient: Bool
    let isCancelled: @Sendable () -> Bool
    let meter: LoadMeter
    /// Hands back pages of the file the chunk has finished with (memory-mapped files only).
    let release: ((Range<Int>) -> Void)?

    /// Bytes or fields read between two polls of `isCancelled`: a few milliseconds of parsing
    /// (fields count too: 32,768 strings of a wide text file take longer than a MiB of numbers).
    static let pollBytes = 1 << 20
    static let pollFields = 1 << 15

    /// A copy whose arrays belong to one thread: threads that share an array's buffer contend on
    /// its reference count in the hot loop.
    func own() -> ChunkContext {
        ChunkContext(p: p, delimiter: delimiter, width: width, header: header, declared: declared.map { $0 }, names: names.map { $0 },
                     pattern: pattern.flatMap { DatePattern($0.source) }, calendar: calendar, jalaliYears: jalaliYears,
                     path: path, fileStart: fileStart, lenient: lenient,
                     isCancelled: isCancelled, meter: meter, release: release)
    }

    /// The 1-based character column of byte `offset` on its line (which a line feed or a lone
    /// carriage return begins).
    func column(of offset: Int) -> Int {
        var start = min(offset, p.count)
        while start > fileStart && p[start - 1] != 10 && p[start - 1] != 13 { start -= 1 }
        var column = 1
        for i in start..<min(offset, p.count) where p[i] & 0xC0 != 0x80 { column += 1 }
        return column
    }

    /// Reads the records that start in `range` into `slots` rows from `offset` (at most
    /// `capacity` of them), each column as `kinds` says. `line` is the line `range` starts on.
    func parse(_ range: Range<Int>, line: Int, kinds: [FieldKind], masks: [UInt16],
               bases: [UnsafeMutableRawPointer], offset: Int, capacity: Int) -> ChunkOutcome {
        var out = ChunkOutcome(masks: masks, sawValue: [Bool](repeating: false, count: width),
                               sawQuotedEmpty: [Bool](repeating: false, count: width),
                               nulls: [[UInt64]](repeating: [], count: width), interners: [])
        // The record loop's per-column state lives in raw buffers of `width` elements: reading
        // or mutating an element costs no reference counting, uniqueness or exclusivity check.
        // SAFETY: each buffer is allocated for `width` elements and initialized here before the
        // loop reads it (`cells` is written by the tokenizer before each read of a record);
        // `interners` is moved out whole before the buffers are freed on return, and the loop
        // indexes them only with columns `0..<width`.
        let kind = UnsafeMutableBufferPointer<FieldKind>.allocate(capacity: width)
        let slot = UnsafeMutableBufferPointer<UnsafeMutableRawPointer>.allocate(capacity: width)
        // `cells` holds a batch of records' fields (`Batch`), the first record's alone outside one.
        let cells = UnsafeMutableBufferPointer<CSVField>.allocate(capacity: width * Batch.records(width: width))
        let sawValue = UnsafeMutableBufferPointer<Bool>.allocate(capacity: width)
        let interners = UnsafeMutableBufferPointer<ByteInterner?>.allocate(capacity: width)
        let batch = Batch(width: width)
        defer { kind.deallocate(); slot.deallocate(); cells.deallocate(); sawValue.deallocate(); interners.deallocate(); batch.deallocate() }
        sawValue.initialize(repeating: false)
        for c in 0..<width {
            kind.initializeElement(at: c, to: kinds[c])
            slot.initializeElement(at: c, to: bases[c] + offset * kinds[c].width)
            interners.initializeElement(at: c, to: kinds[c] == .string ? ByteInterner() : nil)
        }
        read(range, line: line, into: &out, kind: kind, slot: slot, cells: cells, sawValue: sawValue, interners: interners, capacity: capacity,
             batch: batch)
        out.sawValue = Array(sawValue)
        out.interners = (0..<width).map { interners.moveElement(from: $0) }
        return out
    }

    /// The record loop of `parse`, filling `out`.
    private func read(_ range: Range<Int>, line: Int, into out: inout ChunkOutcome, kind: UnsafeMutableBufferPointer<FieldKind>,
                      slot: UnsafeMutableBufferPointer<UnsafeMutableRawPointer>, cells: UnsafeMutableBufferPointer<CSVField>,
                      sawValue: UnsafeMutableBufferPointer<Bool>, interners: UnsafeMutableBufferPointer<ByteInterner?>, capacity: Int,
                      batch: Batch) {
        var tokenizer = CSVTokenizer(p, start: range.lowerBound, stop: range.upperBound, line: line, delimiter: delimiter)
        var fields: [CSVField] = []
        fields.reserveCapacity(width + 1)
        var scratch: [UInt8] = []
        var narrowing: [(column: Int, mask: UInt16)] = []
        let writer = FieldWriter(pattern: pattern, jalaliYears: jalaliYears)
        var row = 0, records = 0
        var reported = range.lowerBound, released = range.lowerBound
        // Ctrl-C is polled by bytes and fields, not records: a record of 10,000 fields takes as
        // long as thousands of short ones.
        var nextPoll = range.lowerBound, sincePoll = 0
        var misfits = false
        // Records left to read one at a time: a batch that did not fit is read again so.
        var replay = 0
        let first = UnsafeMutableBufferPointer(rebasing: cells[0..<width])
        do {
            while true {
                if replay == 0 {
                    // Most records are plain fields: a batch of them is stored a column at a time.
                    let saved = tokenizer
                    var n = 0
                    while n < batch.capacity && row + n < capacity
                            && tokenizer.nextPlain(UnsafeMutableBufferPointer(rebasing: cells[n * width ..< (n + 1) * width])) {
                        if records + n == 0 { out.firstRecord = tokenizer.recordStart }
                        n += 1
                    }
                    if n > 0 {
                        guard batch.fill(n, from: cells, row: row, context: self, into: &out, kind: kind, slot: slot, sawValue: sawValue,
                                         interners: interners, capacity: capacity, writer: writer) else {
                            tokenizer = saved
                            replay = n
                            continue
                        }
                        row += n
                        records += n
                        sincePoll &+= n * width
                        if tokenizer.pos >= nextPoll || sincePoll >= Self.pollFields {
                            if isCancelled() { out.cancelled = true; out.rows = row; return }
                            nextPoll = tokenizer.pos + Self.pollBytes
                            sincePoll = 0
                        }
                        if (records - n) >> 16 != records >> 16 {
                            meter.add(bytes: tokenizer.pos - reported, records: 0x10000)
                            reported = tokenizer.pos
                            if let release, tokenizer.recordStart - released >= 4 << 20 {
                                release(released..<tokenizer.recordStart)
                                released = tokenizer.recordStart
                            }
                        }
                        continue
                    }
                }
                // The general path: a record that is not plain, or one of a batch read again.
                var fieldCount = width
                if !tokenizer.nextPlain(first) {
                    guard try tokenizer.next(&fields) else { break }
                    fieldCount = fields.count
                    if fieldCount == width { for c in 0..<width { cells[c] = fields[c] } }
                }
                if replay > 0 { replay -= 1 }
                if records == 0 { out.firstRecord = tokenizer.recordStart }
                records += 1
                sincePoll &+= fieldCount
                if tokenizer.pos >= nextPoll || sincePoll >= Self.pollFields {
                    if isCancelled() { out.cancelled = true; out.rows = row; return }
                    nextPoll = tokenizer.pos + Self.pollBytes
                    sincePoll = 0
                }
                if records & 0xFFFF == 0 {
                    meter.add(bytes: tokenizer.pos - reported, records: 0x10000)
                    reported = tokenizer.pos
                    if let release, tokenizer.recordStart - released >= 4 << 20 {
                        release(released..<tokenizer.recordStart)
                        released = tokenizer.recordStart
                    }
                }
                guard fieldCount == width else {
                    let column = fields.count > width ? self.column(of: fields[width].start)
                        : self.column(of: fields.last.map { $0.end + ($0.quoted ? 1 : 0) } ?? tokenizer.recordStart)
                    let problem = LoadError(.malformed, path: path, line: tokenizer.recordLine, column: column,
                                            message: "row has \(fields.count) field\(fields.count == 1 ? "" : "s") but the \(header ? "header has" : "first row has") \(width)")
                    guard lenient else { out.failure = problem; return }
                    out.skippedRows += 1
                    if out.problems.count < 5 { out.problems.append(problem) }
                    continue
                }
                guard row < capacity else { out.overflowed = true; return }
                var bad: LoadError?
                if !narrowing.isEmpty { narrowing.removeAll(keepingCapacity: true) }
                for c in 0..<width {
                    let f = cells[c]
                    let k = kind[c]
                    if f.end == f.start && !(f.quoted && k == .string) {
                        empty(&out, column: c, quoted: f.quoted, row: row, capacity: capacity, kind: k, slot: slot[c])
                        continue
                    }
                    let stored: Bool?
                    if f.escaped {
                        scratch.removeAll(keepingCapacity: true)
                        var i = f.start
                        while i < f.end { scratch.append(p[i]); i += p[i] == 34 ? 2 : 1 }
                        // SAFETY: the unescaped bytes are read only inside the closure; c < width.
                        stored = scratch.withUnsafeBufferPointer { writer.put($0, kind: k, slot: slot[c], row: row, interner: interners.baseAddress! + c) }
                    } else {
                        // SAFETY: c < width, the interners' count.
                        stored = writer.put(CSVReader.slice(p, f), kind: k, slot: slot[c], row: row, interner: interners.baseAddress! + c)
                    }
                    guard let stored else {
                        let at = f.start + (CSVReader.firstInvalidUTF8(CSVReader.slice(p, f), from: 0) ?? 0)
                        out.failure = LoadError(.malformed, path: path, line: lineOf(at, tokenizer), column: self.column(of: at),
                                                message: "invalid UTF-8 (byte 0x\(String(p[at], radix: 16, uppercase: true))); save the file as UTF-8")
                        out.rows = row
                        return
                    }
                    if stored {
                        sawValue[c] = true
                    } else if f.escaped ? scratch.withUnsafeBufferPointer({ writer.putLocal($0, kind: k, slot: slot[c], row: row) })
                                        : writer.putLocal(CSVReader.slice(p, f), kind: k, slot: slot[c], row: row) {
                        // Persian or Arabic-Indic digits (`scratch` still holds an escaped field's bytes).
                        sawValue[c] = true
                    } else if let t = declared[c] {
                        let why = k.isJalali ? JalaliDateParser.problem(CSVReader.slice(p, f), pattern: pattern, calendar: calendar).map { ": " + $0 } ?? "" : ""
                        bad = LoadError(.malformed, path: path, line: lineOf(f.start, tokenizer), column: self.column(of: f.start),
                                        message: "`\(CSVReader.shown(CSVReader.text(p, f)))` is not a valid \(k.isJalali ? "Jalali " : "")\(t.rawValue) for column `\(names[c])` (declared in types)\(why)")
                        break
                    } else {
                        let bytes = CSVReader.slice(p, f)
                        let mask = FieldParsing.classify(bytes, pattern: pattern, calendar: calendar)
                        if mask & FieldParsing.int == 0 && FieldParsing.isWideInteger(bytes) { out.wideIntegers.insert(c) }
                        narrowing.append((c, mask))
                    }
                }
                if let bad {
                    guard lenient else { out.failure = bad; return }
                    // The next row takes this row's slots; only its null bits need undoing.
                    for c in 0..<width where !out.nulls[c].isEmpty { out.nulls[c][row >> 6] &= ~(1 << UInt64(row & 63)) }
                    out.skippedRows += 1
                    if out.problems.count < 5 { out.problems.append(bad) }
                    continue
                }
                if !narrowing.isEmpty {
                    // The attempt will be repeated with narrower kinds; reading on collects the
                    // other misfits, so a file needs a few attempts, not one per misfit row.
                    for (c, mask) in narrowing { out.masks[c] &= mask }
                    misfits = true
                }
                row += 1
            }
        } catch let e as TokenError {
            out.failure = LoadError(.malformed, path: path, line: e.line, column: column(of: e.offset), message: e.message)
            out.rows = row
            return
        } catch {
            out.failure = LoadError(.malformed, path: path, message: "\(error)")
            out.rows = row
            return
        }
        if records == 0 { out.firstRecord = tokenizer.pos }
        out.narrowed = misfits
        out.end = tokenizer.pos
        meter.add(bytes: min(range.upperBound, tokenizer.pos) - reported, records: records & 0xFFFF)
        out.rows = row
    }

    /// An empty field: null in its column. Out of line, so that the record loop does not make
    /// `out`'s arrays unique on every record in case a field is empty.
    @inline(never)
    func empty(_ out: inout ChunkOutcome, column c: Int, quoted: Bool, row: Int, capacity: Int, kind: FieldKind, slot: UnsafeMutableRawPointer) {
        if quoted { out.sawQuotedEmpty[c] = true }
        setNull(&out.nulls[c], row, capacity: capacity, kind: kind, slot: slot)
    }

    /// SAFETY: as for `put`: row < capacity, and the width written is the column's kind's.
    @inline(__always)
    private func setNull(_ words: inout [UInt64], _ row: Int, capacity: Int, kind: FieldKind, slot: UnsafeMutableRawPointer) {
        if words.isEmpty { words = [UInt64](repeating: 0, count: (capacity + 63) >> 6) }
        words[row >> 6] |= 1 << UInt64(row & 63)
        switch kind.width {
        case 8: slot.storeBytes(of: 0, toByteOffset: row * 8, as: Int64.self)
        case 4: slot.storeBytes(of: 0, toByteOffset: row * 4, as: Int32.self)
        default: slot.storeBytes(of: false, toByteOffset: row, as: Bool.self)
        }
    }

    private func lineOf(_ offset: Int, _ t: CSVTokenizer) -> Int {
        var line = t.recordLine
        var i = t.recordStart
        while i < offset { if p[i] == 10 { line += 1 }; i += 1 }
        return line
    }
}

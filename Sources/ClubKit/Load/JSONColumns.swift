/// The second and third passes of `JSONReader`: the chunks' keys become columns in the order
/// first seen, each column gets its type by the CSV reader's inference, and the values are
/// written into the column buffers in parallel: the plan's columns by the scan itself
/// (`JSONDirect`), the other keys' from their cells.
struct JSONColumns {
    let p: UnsafeBufferPointer<UInt8>
    let path: String
    let fileStart: Int
    let pattern: DatePattern?
    let options: CSVOptions
    let plan: JSONPlan?
    let job: JSONScanJob
    let release: ((Range<Int>) -> Void)?

    /// The plan the first records give (`sample`, scanned into cells): each key's first guess
    /// from its first thousand values, as `build` makes it from the cells; a key is written while
    /// scanning when those are all its first thousand values in the file (or the sample is the
    /// whole file). Nil when the sample found no key, or an error (the scan reports it).
    static func plan(_ sample: JSONChunk, _ p: UnsafeBufferPointer<UInt8>, dataStart: Int, pattern: DatePattern?, options: CSVOptions) -> JSONPlan? {
        guard sample.failure == nil, sample.rows > 0, !sample.keys.isEmpty, sample.keys.count <= CSVReader.maxColumns else { return nil }
        var values = JSONValues(pattern: pattern, calendar: options.calendar)
        let width = sample.keys.count
        var masks = [UInt16](repeating: FieldParsing.all, count: width)
        var wide = Set<Int>(), huge = Set<Int>(), nested = Set<Int>()
        for c in 0..<width {
            for cell in sample.cells[c].prefix(1000) {
                let (mask, why) = values.mask(cell, p)
                masks[c] &= mask
                note(why, c, &wide, &huge, &nested)
            }
        }
        let names = names(sample.keys)
        let declared: [DataType?] = names.map { options.types[$0] }
        let kinds: [FieldKind?] = (0..<width).map { c in
            guard sample.whole || sample.cells[c].count >= 1000 else { return nil }
            return kind(declared: declared[c], mask: masks[c], pattern: pattern, calendar: options.calendar)
        }
        return JSONPlan(keys: sample.keys, kinds: kinds, declared: declared.map { $0 != nil }, rowsPerByte: Double(sample.rows) / Double(max(sample.end - dataStart, 1)),
                        masks: masks, wide: wide, huge: huge, nested: nested)
    }

    /// The columns' names: the keys, made reachable and distinct.
    static func names(_ keys: [[UInt8]]) -> [String] {
        CSVReader.deduplicated(keys.enumerated().map { c, key in
            let name = CSVReader.reachable(String(decoding: key, as: UTF8.self))
            return name.isEmpty ? "column\(c + 1)" : name
        })
    }

    /// A column's kind: its declared type's, or the one its candidate bits allow.
    static func kind(declared: DataType?, mask: UInt16, pattern: DatePattern?, calendar: LoadCalendar) -> FieldKind {
        declared.map { FieldKind.declared($0, jalali: CSVReader.isJalali(declaredMask: mask, calendar: calendar)) }
            ?? FieldKind.inferred(mask, pattern: pattern, calendar: calendar)
    }

    /// What a scan wrote of the plan's columns: per key written, its buffer and each chunk's piece.
    typealias Written = [Int: (raw: RawColumn, pieces: [JSONPiece])]

    /// Scans the chunks, writing the plan's columns that `kinds` gives a kind (all the plan's,
    /// at first; then the ones to write again) and, when `cells`, the other keys' cells. The
    /// chunks' rows are put end to end, and the strings of each chunk join chunk 0's dictionary.
    private func scan(_ job: inout JSONScanJob, kinds: [FieldKind?], cells: Bool) throws -> (chunks: [JSONChunk], written: Written) {
        guard var plan else { return (try job.run(plan: nil, bases: [], first: [], capacity: [], cells: true), [:]) }
        plan.kinds = kinds
        let keys = kinds.indices.filter { kinds[$0] != nil }
        let capacity = job.ranges.map { plan.capacity(bytes: $0.count) }
        let first = capacity.reduce(into: [0]) { $0.append($0.last! + $1) }
        var chunks: [JSONChunk] = []
        var pieces: [[JSONPiece]] = []
        var exact: [RawColumn]?
        let (_, raw) = try RawColumn.allocate(keys.map { kinds[$0]! }[...], capacity: first.last!) { bases -> Int in
            var byKey = [UnsafeMutableRawPointer?](repeating: nil, count: kinds.count)
            for (i, key) in keys.enumerated() { byKey[key] = bases[i] }
            chunks = try job.run(plan: plan, bases: byKey, first: Array(first.dropLast()), capacity: capacity, cells: cells)
            let offsets = chunks.reduce(into: [0]) { $0.append($0.last! + $1.rows) }
            let rows = offsets.last!
            pieces = keys.map { key in chunks.map { $0.direct!.piece(key) } }
            // SAFETY: each chunk's rows (its segments, `JSONDirect.copy`) go to its rows of the
            // table, offsets[k] ..< offsets[k + 1], inside the buffers' `rows` rows. In place,
            // chunk k's rows move down (offsets[k] ≤ first[k]), in file order, so no chunk's rows
            // are overwritten before they are moved.
            func place(_ to: [UnsafeMutableRawPointer]) {
                for (i, key) in keys.enumerated() {
                    for (k, chunk) in chunks.enumerated() { chunk.direct!.copy(key: key, rows: chunk.rows, to: to[i] + offsets[k] * kinds[key]!.width) }
                    if kinds[key]! == .string && pieces[i].allSatisfy({ $0.failure == nil }) { merge(&pieces[i], offsets: offsets, base: to[i]) }
                }
            }
            if chunks.contains(where: { $0.direct!.overflowed }) {
                // Some chunk had more rows than its part of the buffers: buffers of the exact size.
                exact = try RawColumn.allocate(keys.map { kinds[$0]! }[...], capacity: rows) { to in
                    place(to)
                    return rows
                }.columns
                return 0
            }
            place(bases)
            return rows
        }
        let columns = exact ?? raw
        var written: Written = [:]
        for (i, key) in keys.enumerated() { written[key] = (columns[i], pieces[i]) }
        return (chunks, written)
    }

    func build() throws -> LoadResult {
        let calendar = options.calendar
        var job = self.job
        let planned = plan?.keys.count ?? 0
        func isDirect(_ c: Int) -> Bool { c < planned && plan!.kinds[c] != nil }
        let (chunks, firstWritten) = try scan(&job, kinds: plan?.kinds ?? [], cells: true)
        // Keys in the order first seen: the chunks are in file order, and each lists its keys so
        // (the plan's first, which are the first keys of the file).
        var index: [[UInt8]: Int] = [:]
        var keys: [[UInt8]] = []
        var sources: [[Int]] = []  // per column, per chunk: the chunk's key index, or -1
        for (k, chunk) in chunks.enumerated() {
            for (local, key) in chunk.keys.enumerated() {
                let c: Int
                if let g = index[key] {
                    c = g
                } else {
                    c = keys.count
                    guard c < CSVReader.maxColumns else {
                        throw LoadError(.malformed, path: path, message: "the objects have more than \(CSVReader.maxColumns) different keys; clubsh loads at most \(CSVReader.maxColumns) columns")
                    }
                    index[key] = c
                    keys.append(key)
                    sources.append([Int](repeating: -1, count: chunks.count))
                }
                sources[c][k] = local
            }
        }
        let width = keys.count
        let names = Self.names(keys)
        for (name, _) in options.types where !names.contains(name) {
            throw LoadError(.badOption, path: path, message: "types (…) names a column `\(name)` that the file does not have; its columns are \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", … (\(names.count) in all)" : "")")
        }
        let declared: [DataType?] = names.map { options.types[$0] }
        let offsets = chunks.reduce(into: [0]) { $0.append($0.last! + $1.rows) }
        let rows = offsets.last!

        // The first thousand values of each column give it a first guess (the plan's columns
        // have theirs from the first records, which hold those values).
        var values = JSONValues(pattern: pattern, calendar: calendar)
        var masks = [UInt16](repeating: FieldParsing.all, count: width)
        var wide = Set<Int>(), huge = Set<Int>(), nested = Set<Int>()
        for c in 0..<width {
            if isDirect(c) {
                masks[c] = plan!.masks[c]
                if plan!.wide.contains(c) { wide.insert(c) }
                if plan!.huge.contains(c) { huge.insert(c) }
                if plan!.nested.contains(c) { nested.insert(c) }
                continue
            }
            var seen = 0
            for (k, chunk) in chunks.enumerated() where seen < 1000 && sources[c][k] >= 0 {
                for cell in chunk.cells[sources[c][k]].prefix(1000 - seen) {
                    let (mask, why) = values.mask(cell, p)
                    masks[c] &= mask
                    Self.note(why, c, &wide, &huge, &nested)
                }
                seen += chunk.cells[sources[c][k]].count
            }
        }

        var columns = [Column?](repeating: nil, count: width)
        var kinds = [FieldKind](repeating: .string, count: width)
        var pending = Array(0..<width)
        var attempts = 0
        while !pending.isEmpty {
            if options.isCancelled() { throw LoadError.interrupted(path) }
            attempts += 1
            for c in pending { kinds[c] = Self.kind(declared: declared[c], mask: masks[c], pattern: pattern, calendar: calendar) }
            // The plan's columns: as the first scan wrote them, or scanned again as their kinds now are.
            var written: Written = [:]
            let direct = pending.filter(isDirect)
            if !direct.isEmpty {
                if attempts == 1 && direct.allSatisfy({ kinds[$0] == plan!.kinds[$0] }) {
                    written = firstWritten
                } else {
                    var again = [FieldKind?](repeating: nil, count: planned)
                    for c in direct { again[c] = kinds[c] }
                    written = try scan(&job, kinds: again, cells: false).written
                }
            }
            // The other columns, from their cells.
            let fromCells = pending.filter { !isDirect($0) }
            var pieces: [[JSONPiece]] = []  // per pending column, per chunk
            var raw: [RawColumn?] = []
            if !fromCells.isEmpty {
                let cellKinds = fromCells.map { kinds[$0] }
                var byChunk: [[JSONPiece]] = []
                let (_, cellRaw) = try RawColumn.allocate(cellKinds[...], capacity: rows) { bases -> Int in
                    // SAFETY: chunk k writes only rows offsets[k] ..< offsets[k + 1] of each buffer,
                    // which hold `rows` slots; no other chunk touches them, and the buffers outlive
                    // `Parallel.map`, which returns when every chunk is done.
                    let b = Unchecked(bases)
                    byChunk = Parallel.map(chunks.count) { k in
                        var values = JSONValues(pattern: pattern, calendar: calendar)
                        let chunk = chunks[k]
                        var out: [JSONPiece] = []
                        out.reserveCapacity(fromCells.count)
                        for (i, c) in fromCells.enumerated() {
                            if options.isCancelled() { out.append(JSONPiece(cancelled: true)); continue }
                            let local = sources[c][k]
                            out.append(values.fill(local >= 0 ? chunk.cells[local] : [], p, rows: chunk.rows, kind: cellKinds[i], declared: declared[c] != nil,
                                                   slot: b.value[i] + offsets[k] * cellKinds[i].width))
                        }
                        return out
                    }
                    for i in fromCells.indices {
                        var column = byChunk.map { $0[i] }
                        if cellKinds[i] == .string && column.allSatisfy({ $0.failure == nil && !$0.cancelled }) {
                            merge(&column, offsets: offsets, base: bases[i])
                            byChunk[0][i].merged = column[0].merged
                        }
                    }
                    return rows
                }
                var next = 0
                for c in pending {
                    if isDirect(c) {
                        raw.append(written[c]!.raw)
                        pieces.append(written[c]!.pieces)
                    } else {
                        raw.append(cellRaw[next])
                        pieces.append(byChunk.map { $0[next] })
                        next += 1
                    }
                }
            } else {
                for c in pending {
                    raw.append(written[c]!.raw)
                    pieces.append(written[c]!.pieces)
                }
            }
            written = [:]
            if pieces.contains(where: { $0.contains(where: \.cancelled) }) { throw LoadError.interrupted(path) }
            // The first failure in the file, whichever column it is in.
            var failure: (offset: Int, message: String, column: Int)?
            for (i, column) in pieces.enumerated() {
                for piece in column {
                    if let f = piece.failure, failure == nil || f.offset < failure!.offset { failure = (f.offset, f.message, pending[i]) }
                }
            }
            if let failure {
                let c = failure.column
                let message = failure.message.isEmpty
                    ? "`\(CSVReader.shown(text(at: failure.offset)))` is not a valid \(kinds[c].isJalali ? "Jalali " : "")\(declared[c]?.rawValue ?? "")"
                      + " for column `\(names[c])` (declared in types)"
                    : failure.message
                let (line, column) = CSVReader.position(p, failure.offset, from: fileStart)
                throw LoadError(.malformed, path: path, line: line, column: column, message: message)
            }
            var again: [Int] = []
            for (i, c) in pending.enumerated() {
                let parts = pieces[i]
                let misfit = parts.reduce(FieldParsing.all) { $1.misfit == 0 ? $0 : $0 & $1.misfit } & FieldParsing.all
                for piece in parts {
                    if piece.wide { wide.insert(c) }
                    if piece.huge { huge.insert(c) }
                    if piece.nested { nested.insert(c) }
                }
                if parts.contains(where: { $0.misfit != 0 }) {
                    let narrowed = masks[c] & misfit
                    guard narrowed != masks[c] else {
                        throw LoadError(.malformed, path: path, message: "could not settle the type of column `\(names[c])`; please report this file")
                    }
                    masks[c] = narrowed
                    again.append(c)
                    continue
                }
                columns[c] = column(raw[i]!, kind: kinds[c], declared: declared[c] != nil, rows: rows, pieces: parts, offsets: offsets)
            }
            pending = again
        }
        release?(0..<p.count)
        let table = Table(columnNames: names, columns: columns.map { $0! }, rowCount: rows)
        let text = { (set: Set<Int>) in set.sorted().filter { kinds[$0] == .string && table.columns[$0].type == .string }.map { names[$0] } }
        var notes: [String] = []
        if let note = CSVReader.wideIntegerNote(text(wide)) { notes.append(note) }
        if let note = listNote(text(huge), "numbers beyond the range of a double kept as text") { notes.append(note) }
        if let note = listNote(text(nested), "nested objects and arrays kept as JSON text") { notes.append(note) }
        notes += CSVReader.calendarNotes(table, kinds: kinds, masks: masks, declared: declared, pattern: pattern, calendar: calendar)
        return LoadResult(table: table, skippedRows: 0, skipped: [], bytesRead: p.count, notes: notes, attempts: attempts)
    }

    private static func note(_ why: JSONValues.Why, _ c: Int, _ wide: inout Set<Int>, _ huge: inout Set<Int>, _ nested: inout Set<Int>) {
        switch why {
        case .none: break
        case .wide: wide.insert(c)
        case .huge: huge.insert(c)
        case .nested: nested.insert(c)
        }
    }

    private func listNote(_ names: [String], _ what: String) -> String? {
        guard !names.isEmpty else { return nil }
        let listed = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
        return "column\(names.count == 1 ? "" : "s") \(listed): \(what)"
    }

    /// The value at `offset` as written, for an error message: a string's content, or a token.
    private func text(at offset: Int) -> String {
        guard offset < p.count else { return "" }
        var s = JSONScanner(p, at: offset)
        if p[offset] == 34, let (start, end, _) = try? s.string() {
            return String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
        }
        if p[offset] == 123 || p[offset] == 91, let end = try? s.nested() {
            var out: [UInt8] = []
            JSONText.minify(UnsafeBufferPointer(rebasing: p[offset..<end]), into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        var end = offset
        while end < p.count, !(p[end] == 44 || p[end] == 125 || p[end] == 93 || p[end] == 32 || p[end] == 10 || p[end] == 13 || p[end] == 9) { end += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: p[offset..<end]), as: UTF8.self)
    }

    /// Puts chunk k's strings (`pieces[k]`, of one column) into chunk 0's dictionary,
    /// renumbering their codes in the buffer; chunk 0's piece keeps the dictionary.
    private func merge(_ pieces: inout [JSONPiece], offsets: [Int], base: UnsafeMutableRawPointer) {
        var dictionary = pieces[0].interner?.dictionary ?? StringDictionary.Builder()
        for k in pieces.indices.dropFirst() {
            guard let own = pieces[k].interner?.dictionary, own.count > 0 else { continue }
            let remap = own.values.map { dictionary.code(for: $0) }
            if remap.enumerated().allSatisfy({ $0.offset == Int($0.element) }) { continue }
            // SAFETY: rows offsets[k] ..< offsets[k + 1] of the column hold chunk k's codes, each
            // below own.count = remap.count (a null row holds 0).
            remap.withUnsafeBufferPointer { r in
                let codes = (base + offsets[k] * 4).assumingMemoryBound(to: Int32.self)
                for row in 0..<(offsets[k + 1] - offsets[k]) { codes[row] = r[Int(codes[row])] }
            }
        }
        pieces[0].merged = dictionary
    }

    /// The finished column: its buffer, and its validity from the chunks' null bits.
    private func column(_ raw: RawColumn, kind: FieldKind, declared: Bool, rows: Int, pieces: [JSONPiece], offsets: [Int]) -> Column {
        if !declared && !pieces.contains(where: \.sawValue) { return RawColumn.allNull(rows: rows) }
        let validity = RawColumn.validity(rows: rows, chunks: pieces.indices.map { (nulls: pieces[$0].nulls, start: offsets[$0], count: offsets[$0 + 1] - offsets[$0]) })
        return raw.column(kind, validity: validity, dictionary: pieces.first?.merged.map { StringDictionary($0) })
    }
}

extension ChunkContext {
    /// A batch of plain records (`CSVTokenizer.nextPlain`) stored a column at a time: each
    /// column's fields go through one loop of its kind — short integers, decimals and ISO dates
    /// a word at a time (`FieldParsing+Words`), texts straight into the column's interner —
    /// instead of a dispatch on the kind for every field.
    ///
    /// A batch is all or nothing. When a field does not parse as its column's kind (a misfit
    /// that narrows the column, a bad row of a declared column, invalid UTF-8), `fill` returns
    /// false and the caller reads the same records again one at a time, which meets the field
    /// in file order and does what it always did. For that, a batch leaves nothing behind that
    /// the one-at-a-time path would not write again: the non-text columns go first (a misfit
    /// happens only there), so a batch that fails has interned nothing or fails the load
    /// anyway (invalid UTF-8); the null bits it set are cleared, and `sawValue` is set only
    /// when the whole batch is stored.
    ///
    /// SAFETY: the two buffers hold `width` flags each, indexed by columns 0..<width only;
    /// `fill` writes rows row ..< row + n, which the caller checked are below `capacity`, and
    /// reads fields the tokenizer made (slices of `p`).
    struct Batch {
        /// Records in a batch: enough to make a column's loop worth it, few enough that the
        /// batch's fields stay in the first-level cache, and one for a very wide file.
        static func records(width: Int) -> Int { max(1, min(128, 4096 / max(width, 1))) }

        let width: Int
        let capacity: Int
        /// Per column: a value was stored in this batch; the column had no null bits before it.
        private let seen: UnsafeMutableBufferPointer<Bool>
        private let fresh: UnsafeMutableBufferPointer<Bool>

        init(width: Int) {
            self.width = width
            capacity = Self.records(width: width)
            seen = .allocate(capacity: max(width, 1))
            fresh = .allocate(capacity: max(width, 1))
            seen.initialize(repeating: false)
            fresh.initialize(repeating: false)
        }

        func deallocate() {
            seen.deallocate()
            fresh.deallocate()
        }

        /// Stores the `n` records whose fields are `cells` (record r's at r × width) into rows
        /// `row ..< row + n`; false, for the caller to read them one at a time, when a field
        /// does not parse as its column's kind.
        func fill(_ n: Int, from cells: UnsafeMutableBufferPointer<CSVField>, row: Int, context: ChunkContext, into out: inout ChunkOutcome,
                  kind: UnsafeMutableBufferPointer<FieldKind>, slot: UnsafeMutableBufferPointer<UnsafeMutableRawPointer>,
                  sawValue: UnsafeMutableBufferPointer<Bool>, interners: UnsafeMutableBufferPointer<ByteInterner?>, capacity: Int,
                  writer: FieldWriter) -> Bool {
            for c in 0..<width {
                seen[c] = false
                fresh[c] = out.nulls[c].isEmpty
            }
            var stored = true
            // Texts last: a column of another kind is where a field can misfit.
            for c in 0..<width where kind[c] != .string {
                if !column(c, n, cells, row, context, &out, kind[c], slot[c], interners, capacity, writer) { stored = false; break }
            }
            if stored {
                for c in 0..<width where kind[c] == .string {
                    if !column(c, n, cells, row, context, &out, .string, slot[c], interners, capacity, writer) { stored = false; break }
                }
            }
            guard stored else {
                for c in 0..<width where !out.nulls[c].isEmpty {
                    if fresh[c] {
                        out.nulls[c] = []
                    } else {
                        for r in row..<(row + n) { out.nulls[c][r >> 6] &= ~(1 << UInt64(r & 63)) }
                    }
                }
                return false
            }
            for c in 0..<width where seen[c] { sawValue[c] = true }
            return true
        }

        /// One column of the batch, in a loop of its kind; false at the first field that does
        /// not parse as `kind`.
        @inline(__always)
        private func column(_ c: Int, _ n: Int, _ cells: UnsafeMutableBufferPointer<CSVField>, _ row: Int, _ context: ChunkContext,
                            _ out: inout ChunkOutcome, _ kind: FieldKind, _ slot: UnsafeMutableRawPointer,
                            _ interners: UnsafeMutableBufferPointer<ByteInterner?>, _ capacity: Int, _ writer: FieldWriter) -> Bool {
            let p = context.p
            let interner = interners.baseAddress! + c
            /// Any other field of the column, or one its fast path does not read: `put`, then
            /// Persian or Arabic-Indic digits, as the one-at-a-time path tries them.
            func general(_ f: CSVField, _ r: Int) -> Bool {
                let bytes = CSVReader.slice(p, f)
                return writer.put(bytes, kind: kind, slot: slot, row: r, interner: interner) == true
                    || writer.putLocal(bytes, kind: kind, slot: slot, row: r)
            }
            var any = false
            /// The column's fields in row order: an empty one is null, `store` takes the others.
            @inline(__always)
            func each(_ store: (CSVField, Int) -> Bool) -> Bool {
                var k = c
                for r in row..<(row + n) {
                    let f = cells[k]
                    k += width
                    if f.end == f.start {
                        context.empty(&out, column: c, quoted: false, row: r, capacity: capacity, kind: kind, slot: slot)
                        continue
                    }
                    guard store(f, r) else { return false }
                    any = true
                }
                return true
            }
            let done: Bool
            switch kind {
            case .int32:
                // Eight digits or fewer fit in 32 bits.
                done = each { f, r in
                    guard let v = FieldParsing.shortInt(p, f.start, f.end) else { return general(f, r) }
                    slot.storeBytes(of: Int32(truncatingIfNeeded: v), toByteOffset: r * 4, as: Int32.self)
                    return true
                }
            case .int:
                done = each { f, r in
                    guard let v = FieldParsing.shortInt(p, f.start, f.end) else { return general(f, r) }
                    slot.storeBytes(of: v, toByteOffset: r * 8, as: Int64.self)
                    return true
                }
            case .double, .anyDouble:
                done = each { f, r in
                    guard let v = FieldParsing.shortDecimal(p, f.start, f.end) else { return general(f, r) }
                    slot.storeBytes(of: v, toByteOffset: r * 8, as: Double.self)
                    return true
                }
            case .date:
                done = each { f, r in
                    guard let v = FieldParsing.isoDay(CSVReader.slice(p, f)) else { return general(f, r) }
                    slot.storeBytes(of: v, toByteOffset: r * 4, as: Int32.self)
                    return true
                }
            case .string:
                done = each { f, r in
                    guard let code = interner.pointee!.intern(CSVReader.slice(p, f)) else { return false }
                    slot.storeBytes(of: code, toByteOffset: r * 4, as: Int32.self)
                    return true
                }
            default:
                done = each(general)
            }
            guard done else { return false }
            if any { seen[c] = true }
            return true
        }
    }
}

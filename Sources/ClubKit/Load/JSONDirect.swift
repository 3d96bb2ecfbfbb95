import Foundation

/// The keys whose columns are written while the chunks are scanned, with the kinds they are
/// written as: the keys of the first records (`JSONSample`), each with at least a thousand values
/// there (or all its values, when the first records are the whole file), so that its first guess
/// is the one the cells would give. Other keys keep cells (`JSONCell`) for `JSONColumns`.
struct JSONPlan {
    /// The first records' keys, decoded, in the order first seen: every chunk numbers them
    /// 0 ..< keys.count, and they are the table's first columns.
    var keys: [[UInt8]]
    /// Per key: written while scanning (nil: kept as cells).
    var kinds: [FieldKind?]
    /// Per key: whether its type was declared (`types (…)`), so that a misfit is an error.
    var declared: [Bool]
    /// Rows each chunk writes in place, per byte of the chunk; more go to buffers of its own.
    var rowsPerByte: Double
    /// Per key, its candidate bits from its first thousand values, and which keys' first values
    /// call for a note (wide integers, numbers beyond a double, nested values).
    var masks: [UInt16]
    var wide: Set<Int>, huge: Set<Int>, nested: Set<Int>

    var directCount: Int { kinds.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// The rows to set aside for a chunk of `bytes` bytes: the first records' rate and a tenth
    /// more, and no more than a record per 8 bytes (small first records do not set aside room
    /// for many times the rows that follow). Past it a chunk goes on in buffers of its own.
    func capacity(bytes: Int) -> Int { min(Int(Double(bytes) * rowsPerByte * 1.1), bytes / 8) + 16 }
}

/// The pointers `JSONChunk.record` writes a value through, copied out of its `JSONDirect` so that
/// the scan's loop holds no reference to count (`owner` is reached on the rare paths only).
struct JSONDirectSlots {
    let count: Int
    let directCount: Int
    let isDirect: UnsafeMutablePointer<Bool>
    let kinds: UnsafeMutablePointer<FieldKind>
    let slots: UnsafeMutablePointer<UnsafeMutableRawPointer>
    let filled: UnsafeMutablePointer<Int>
    let sawValue: UnsafeMutablePointer<Bool>
    let interners: UnsafeMutablePointer<ByteInterner?>
    /// The chunk's JSONDirect, which the chunk keeps alive.
    let owner: Unmanaged<JSONDirect>?

    /// No plan: no key is written while scanning.
    static var none: JSONDirectSlots { JSONDirectSlots(count: 0, directCount: 0, isDirect: nowhere(), kinds: nowhere(), slots: nowhere(), filled: nowhere(),
                                      sawValue: nowhere(), interners: nowhere(), owner: nil) }

    /// A pointer never read (count is 0).
    private static func nowhere<T>() -> UnsafeMutablePointer<T> { UnsafeMutablePointer(bitPattern: 64)! }
}

/// One chunk's writing of the plan's columns: where its rows go, each column's nulls, strings,
/// misfits and first failure, as `JSONValues.fill` keeps them for a column of cells.
///
/// The rows go first to the chunk's own part of the table's buffers (`capacity` rows from
/// `bases`); a chunk with more rows than that goes on in buffers of its own (`segments`), and
/// the load then copies every chunk's rows into buffers of the exact size.
///
/// SAFETY: the loader's raw memory. `slots[key]` is the current segment's first slot of the
/// key's column, with room for `segmentEnd - segmentStart` rows of the kind's width; a value is
/// written at row - segmentStart < that room (`record` opens a new segment when it is full).
/// The first segment is this chunk's own rows of the table's buffers, which no other chunk
/// touches; the others are allocated here and freed in deinit.
final class JSONDirect {
    let keys: [[UInt8]]
    let count: Int
    let kinds: [FieldKind]
    let kindPointer: UnsafeMutablePointer<FieldKind>
    /// Per key: written here (false: the key keeps cells, or is not the plan's).
    let isDirect: UnsafeMutablePointer<Bool>
    let declared: [Bool]
    let widths: [Int]
    let directCount: Int
    let slots: UnsafeMutablePointer<UnsafeMutableRawPointer>
    /// Per key: 1 + the last row written (a value, a misfit or a null).
    let filled: UnsafeMutablePointer<Int>
    let sawValue: UnsafeMutablePointer<Bool>
    let interners: UnsafeMutablePointer<ByteInterner?>
    /// Per key, the rows that are null (a missing key, `null`, or a misfit), 64 a word.
    var nulls: [[UInt64]]
    var misfit: [UInt16]
    var wide: [Bool], huge: [Bool], nested: [Bool]
    /// The first value that broke a declared type (an empty message) or was not UTF-8.
    var failure: (offset: Int, message: String, key: Int)?
    /// The chunk's rows: first in the table's buffers, then in buffers of its own.
    var segments: [(start: Int, slots: [UnsafeMutableRawPointer], owned: Bool)] = []
    var segmentStart = 0
    var segmentEnd: Int

    init(plan: JSONPlan, bases: [UnsafeMutableRawPointer?], capacity: Int) {
        keys = plan.keys
        count = plan.keys.count
        kinds = plan.kinds.map { $0 ?? .string }
        declared = plan.declared
        widths = kinds.map(\.width)
        directCount = plan.directCount
        kindPointer = .allocate(capacity: max(count, 1))
        kindPointer.initialize(from: kinds, count: count)
        isDirect = .allocate(capacity: max(count, 1))
        slots = .allocate(capacity: max(count, 1))
        filled = .allocate(capacity: max(count, 1))
        sawValue = .allocate(capacity: max(count, 1))
        interners = .allocate(capacity: max(count, 1))
        // A key that keeps cells has no buffer: its slot is never written (isDirect is false).
        let nowhere = UnsafeMutableRawPointer(bitPattern: 8)!
        for key in 0..<count {
            isDirect[key] = plan.kinds[key] != nil
            (slots + key).initialize(to: bases[key] ?? nowhere)
            filled[key] = 0
            sawValue[key] = false
            (interners + key).initialize(to: kinds[key] == .string && isDirect[key] ? ByteInterner() : nil)
        }
        nulls = Array(repeating: [], count: count)
        misfit = Array(repeating: 0, count: count)
        wide = Array(repeating: false, count: count)
        huge = wide
        nested = wide
        segmentEnd = capacity
        segments = [(0, (0..<count).map { slots[$0] }, false)]
    }

    deinit {
        for segment in segments where segment.owned {
            for key in 0..<count where isDirect[key] { segment.slots[key].deallocate() }
        }
        interners.deinitialize(count: count)
        interners.deallocate()
        kindPointer.deallocate(); isDirect.deallocate(); slots.deallocate(); filled.deallocate(); sawValue.deallocate()
    }

    /// The pointers the scan writes through.
    var hot: JSONDirectSlots {
        JSONDirectSlots(count: count, directCount: directCount, isDirect: isDirect, kinds: kindPointer, slots: slots, filled: filled,
                        sawValue: sawValue, interners: interners, owner: Unmanaged.passUnretained(self))
    }

    /// Opens a segment of buffers of the chunk's own at `row`, the current one being full.
    func grow(at row: Int) {
        let room = max(segmentEnd - segmentStart, 4096)
        var fresh: [UnsafeMutableRawPointer] = []
        for key in 0..<count {
            let slot = isDirect[key] ? UnsafeMutableRawPointer.allocate(byteCount: room * widths[key], alignment: 8) : slots[key]
            slots[key] = slot
            fresh.append(slot)
        }
        segments.append((row, fresh, true))
        segmentStart = row
        segmentEnd = row + room
    }

    /// Whether the rows outgrew the chunk's part of the table's buffers.
    var overflowed: Bool { segments.count > 1 }

    /// Copies `rows` rows of `key` into `to` (the chunk's first row in the table's buffer).
    ///
    /// SAFETY: `to` has room for `rows` rows of the key's width; segment i holds rows
    /// segments[i].start ..< segments[i + 1].start (the last: up to `rows`).
    func copy(key: Int, rows: Int, to: UnsafeMutableRawPointer) {
        let w = widths[key]
        for (i, segment) in segments.enumerated() {
            let end = i + 1 < segments.count ? segments[i + 1].start : rows
            guard end > segment.start else { continue }
            memmove(to + segment.start * w, segment.slots[key], (end - segment.start) * w)
        }
    }

    /// Marks `row` (the current segment's) of `key` null, and stores a zero there.
    @inline(__always)
    func setNull(_ key: Int, _ row: Int) {
        let local = row - segmentStart
        if nulls[key].count <= row >> 6 { nulls[key].append(contentsOf: repeatElement(0, count: (row >> 6) + 1 - nulls[key].count)) }
        nulls[key][row >> 6] |= 1 << UInt64(row & 63)
        switch widths[key] {
        case 8: slots[key].storeBytes(of: 0, toByteOffset: local * 8, as: Int64.self)
        case 4: slots[key].storeBytes(of: 0, toByteOffset: local * 4, as: Int32.self)
        default: slots[key].storeBytes(of: false, toByteOffset: local, as: Bool.self)
        }
    }

    /// Nulls in the plan's columns that `row` gave no value.
    @inline(never)
    func fillNulls(_ row: Int) {
        for key in 0..<count where isDirect[key] && filled[key] != row + 1 {
            filled[key] = row + 1
            setNull(key, row)
        }
    }

    /// The piece `JSONColumns` reads for `key`, as `JSONValues.fill` makes one.
    func piece(_ key: Int) -> JSONPiece {
        var piece = JSONPiece()
        piece.nulls = nulls[key]
        piece.interner = interners[key]
        piece.misfit = misfit[key]
        piece.sawValue = sawValue[key]
        piece.wide = wide[key]
        piece.huge = huge[key]
        piece.nested = nested[key]
        piece.failure = failure.flatMap { $0.key == key ? ($0.offset, $0.message) : nil }
        return piece
    }
}

extension JSONValues {
    /// Writes the value `cell` (of row `row`, `local` in the chunk's current segment) of the
    /// plan's column `key` as the column's kind, as `fill` writes a cell: a misfit is a null that
    /// narrows the column, a failure is kept.
    ///
    /// SAFETY: `h.slots[key]` has room for row `local` (`JSONDirect`).
    @inline(__always)
    mutating func write(_ cell: JSONCell, key: Int, row: Int, local: Int, _ p: UnsafeBufferPointer<UInt8>, _ h: JSONDirectSlots) {
        h.filled[key] = row + 1
        let kind = h.kinds[key]
        switch put(cell, p, kind: kind, slot: h.slots[key], row: local, interner: h.interners + key) {
        case true?:
            h.sawValue[key] = true
            if kind == .string && cell.tag == .nested { h.owner!.takeUnretainedValue().nested[key] = true }
        case nil:
            invalid(cell, key: key, row: row, p, into: h.owner!.takeUnretainedValue())
        case false?:
            misfit(cell, key: key, row: row, p, into: h.owner!.takeUnretainedValue())
        }
    }

    @inline(never)
    private func invalid(_ cell: JSONCell, key: Int, row: Int, _ p: UnsafeBufferPointer<UInt8>, into d: JSONDirect) {
        let bytes = UnsafeBufferPointer(rebasing: p[cell.start..<cell.start + cell.length])
        let at = cell.start + (CSVReader.firstInvalidUTF8(bytes, from: 0) ?? 0)
        if d.failure == nil { d.failure = (at, "invalid UTF-8 (byte 0x\(String(p[at], radix: 16, uppercase: true))); save the file as UTF-8", key) }
        d.setNull(key, row)
    }

    @inline(never)
    private mutating func misfit(_ cell: JSONCell, key: Int, row: Int, _ p: UnsafeBufferPointer<UInt8>, into d: JSONDirect) {
        if d.declared[key] {
            if d.failure == nil { d.failure = (cell.at, "", key) }
        } else {
            let (mask, why) = self.mask(cell, p)
            d.misfit[key] = d.misfit[key] == 0 ? mask | ~FieldParsing.all : d.misfit[key] & (mask | ~FieldParsing.all)
            switch why {
            case .none: break
            case .wide: d.wide[key] = true
            case .huge: d.huge[key] = true
            case .nested: d.nested[key] = true
            }
        }
        d.setNull(key, row)
    }
}

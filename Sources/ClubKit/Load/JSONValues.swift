/// What one chunk's cells of one column came to in one attempt.
struct JSONPiece {
    var nulls: [UInt64] = []
    var interner: ByteInterner?
    /// The candidate bits every misfit allows; 0 when nothing misfit.
    var misfit: UInt16 = 0
    var sawValue = false
    var wide = false, huge = false, nested = false
    /// The first value that broke a declared type (an empty message) or was not UTF-8.
    var failure: (offset: Int, message: String)?
    var cancelled = false
    /// The column's dictionary, once the chunks' strings are merged (chunk 0's piece holds it).
    var merged: StringDictionary.Builder?
}

/// Reads cells as values: their candidate types, and their values into a column's buffer.
struct JSONValues {
    let pattern: DatePattern?
    let calendar: LoadCalendar
    let writer: FieldWriter
    private var scratch: [UInt8] = []

    init(pattern: DatePattern?, calendar: LoadCalendar) {
        self.pattern = pattern.flatMap { DatePattern($0.source) }
        self.calendar = calendar
        writer = FieldWriter(pattern: self.pattern, jalaliYears: calendar.jalaliYears ?? JalaliDate.years)
    }

    /// The candidate bits a JSON number may have: numbers, and a `date_format` that reads it.
    static let numberBits = FieldParsing.int | FieldParsing.int32 | FieldParsing.double | FieldParsing.pattern
        | FieldParsing.jalaliPattern | FieldParsing.jalaliShape
    /// The candidate bits a JSON string may have: dates (a string of digits stays text).
    static let stringBits = FieldParsing.date | FieldParsing.dateTime | FieldParsing.pattern | FieldParsing.jalaliDate
        | FieldParsing.jalaliDateTime | FieldParsing.jalaliPattern | FieldParsing.jalaliShape

    /// Why a value keeps its column text, for the load's notes.
    enum Why { case none, wide, huge, nested }

    /// The types `cell` could be read as.
    mutating func mask(_ cell: JSONCell, _ p: UnsafeBufferPointer<UInt8>) -> (UInt16, Why) {
        let bytes = UnsafeBufferPointer(rebasing: p[cell.start..<cell.start + cell.length])
        switch cell.tag {
        case .number:
            var mask = FieldParsing.classify(bytes, pattern: pattern, calendar: calendar) & Self.numberBits
            if mask & FieldParsing.int == 0 && FieldParsing.isIntegerText(bytes) { return (mask, .wide) }
            if mask & FieldParsing.double != 0, let v = FieldParsing.parseDouble(bytes), !v.isFinite {
                mask &= ~FieldParsing.double
                return (mask, .huge)
            }
            return (mask, .none)
        case .string:
            return (bytes.isEmpty ? 0 : FieldParsing.classify(bytes, pattern: pattern, calendar: calendar) & Self.stringBits, .none)
        case .escapedString:
            scratch.removeAll(keepingCapacity: true)
            JSONText.decode(bytes, into: &scratch)
            let (pattern, calendar) = (self.pattern, self.calendar)
            return (scratch.withUnsafeBufferPointer { $0.isEmpty ? 0 : FieldParsing.classify($0, pattern: pattern, calendar: calendar) & Self.stringBits }, .none)
        case .trueValue, .falseValue:
            return (FieldParsing.bool, .none)
        case .nested:
            return (0, .nested)
        }
    }

    /// Writes the cells of one column of one chunk (`rows` rows, nulls where no cell is) as
    /// `kind` into `slot`, the chunk's first row.
    ///
    /// SAFETY: `slot` has `rows` slots of the kind's width, and cells' rows are below `rows`.
    mutating func fill(_ cells: [JSONCell], _ p: UnsafeBufferPointer<UInt8>, rows: Int, kind: FieldKind, declared: Bool,
                       slot: UnsafeMutableRawPointer) -> JSONPiece {
        var piece = JSONPiece()
        if kind == .string { piece.interner = ByteInterner() }
        var r = 0
        for cell in cells {
            let row = Int(cell.row)
            while r < row { setNull(&piece.nulls, r, rows: rows, kind: kind, slot: slot); r += 1 }
            r = row + 1
            switch put(cell, p, kind: kind, slot: slot, row: row, interner: &piece.interner) {
            case true?:
                piece.sawValue = true
            case nil:
                let bytes = UnsafeBufferPointer(rebasing: p[cell.start..<cell.start + cell.length])
                let at = cell.start + (CSVReader.firstInvalidUTF8(bytes, from: 0) ?? 0)
                piece.failure = (at, "invalid UTF-8 (byte 0x\(String(p[at], radix: 16, uppercase: true))); save the file as UTF-8")
                return piece
            case false?:
                if declared {
                    piece.failure = (cell.at, "")
                    return piece
                }
                let (mask, why) = self.mask(cell, p)
                piece.misfit = piece.misfit == 0 ? mask | ~FieldParsing.all : piece.misfit & (mask | ~FieldParsing.all)
                switch why {
                case .none: break
                case .wide: piece.wide = true
                case .huge: piece.huge = true
                case .nested: piece.nested = true
                }
                setNull(&piece.nulls, row, rows: rows, kind: kind, slot: slot)
            }
        }
        while r < rows { setNull(&piece.nulls, r, rows: rows, kind: kind, slot: slot); r += 1 }
        if kind == .string && cells.contains(where: { $0.tag == .nested }) { piece.nested = true }
        return piece
    }

    /// Writes one cell as `kind`: true when stored, false when it is not of that kind, nil when
    /// its text is not UTF-8.
    @inline(__always)
    mutating func put(_ cell: JSONCell, _ p: UnsafeBufferPointer<UInt8>, kind: FieldKind, slot: UnsafeMutableRawPointer, row: Int,
                              interner: UnsafeMutablePointer<ByteInterner?>) -> Bool? {
        let bytes = UnsafeBufferPointer(rebasing: p[cell.start..<cell.start + cell.length])
        switch cell.tag {
        case .number:
            switch kind {
            case .bool: return false
            case .double, .anyDouble:
                // JSON has no infinity: a number beyond the largest double is not a double.
                guard let v = kind == .double ? FieldParsing.parseFloatColumnValue(bytes) : FieldParsing.parseDouble(bytes), v.isFinite else { return false }
                slot.storeBytes(of: v, toByteOffset: row * 8, as: Double.self)
                return true
            default:
                return writer.put(bytes, kind: kind, slot: slot, row: row, interner: interner)
            }
        case .string:
            return text(bytes, kind: kind, slot: slot, row: row, interner: interner)
        case .escapedString:
            scratch.removeAll(keepingCapacity: true)
            JSONText.decode(bytes, into: &scratch)
            let decoded = scratch
            return decoded.withUnsafeBufferPointer { text($0, kind: kind, slot: slot, row: row, interner: interner) }
        case .trueValue, .falseValue:
            if kind == .bool {
                slot.storeBytes(of: cell.tag == .trueValue, toByteOffset: row, as: Bool.self)
                return true
            }
            guard kind == .string else { return false }
            return writer.put(bytes, kind: kind, slot: slot, row: row, interner: interner)
        case .nested:
            guard kind == .string else { return false }
            scratch.removeAll(keepingCapacity: true)
            JSONText.minify(bytes, into: &scratch)
            let minified = scratch
            return minified.withUnsafeBufferPointer { writer.put($0, kind: kind, slot: slot, row: row, interner: interner) }
        }
    }

    /// A string's content as `kind`: text, or a date; never a number or a boolean.
    @inline(__always)
    private func text(_ bytes: UnsafeBufferPointer<UInt8>, kind: FieldKind, slot: UnsafeMutableRawPointer, row: Int,
                      interner: UnsafeMutablePointer<ByteInterner?>) -> Bool? {
        switch kind {
        case .int, .int32, .double, .anyDouble, .bool: return false
        case .string: return writer.put(bytes, kind: kind, slot: slot, row: row, interner: interner)
        default:
            if bytes.isEmpty { return false }
            if writer.put(bytes, kind: kind, slot: slot, row: row, interner: interner) == true { return true }
            return writer.putLocal(bytes, kind: kind, slot: slot, row: row)
        }
    }

    /// SAFETY: row < rows, the slots the chunk has; the width written is the kind's.
    @inline(__always)
    private func setNull(_ words: inout [UInt64], _ row: Int, rows: Int, kind: FieldKind, slot: UnsafeMutableRawPointer) {
        if words.isEmpty { words = [UInt64](repeating: 0, count: (rows + 63) >> 6) }
        words[row >> 6] |= 1 << UInt64(row & 63)
        switch kind.width {
        case 8: slot.storeBytes(of: 0, toByteOffset: row * 8, as: Int64.self)
        case 4: slot.storeBytes(of: 0, toByteOffset: row * 4, as: Int32.self)
        default: slot.storeBytes(of: false, toByteOffset: row, as: Bool.self)
        }
    }
}

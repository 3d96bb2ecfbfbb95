/// Stores one field's bytes into a column buffer as the column's `FieldKind` says: the one place
/// that turns text into a loaded value, shared by the CSV and JSON readers.
///
/// SAFETY: part of the loader's chunk parser. The caller hands a slot and row inside the
/// buffers `RawColumn.allocate` made for the column's kind (each function's own `SAFETY:` line).
struct FieldWriter {
    let pattern: DatePattern?
    /// The Jalali years the Jalali kinds read.
    let jalaliYears: ClosedRange<Int>

    /// Parses `bytes` as `kind` into row `row` of `slot`: true when stored, false when the field
    /// is not of that kind, nil when a new string is not valid UTF-8. A string goes through
    /// the column's `interner`.
    ///
    /// SAFETY: `slot` is the column's first slot for this chunk and row < capacity (checked by
    /// the caller), so the store at row × the kind's width is inside the chunk's slots; the
    /// store's type is the one `FieldKind` allocated for the column.
    @inline(__always)
    func put(_ bytes: UnsafeBufferPointer<UInt8>, kind: FieldKind, slot: UnsafeMutableRawPointer, row: Int,
             interner: UnsafeMutablePointer<ByteInterner?>) -> Bool? {
        switch kind {
        case .int:
            guard let v = FieldParsing.parseInt(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Int64.self)
        case .int32:
            guard let v = FieldParsing.parseInt(bytes), let x = Int32(exactly: v) else { return false }
            slot.storeBytes(of: x, toByteOffset: row * 4, as: Int32.self)
        case .double:
            guard let v = FieldParsing.parseFloatColumnValue(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Double.self)
        case .anyDouble:
            guard let v = FieldParsing.parseDouble(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Double.self)
        case .bool:
            guard let v = FieldParsing.parseBool(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row, as: Bool.self)
        case .date:
            guard let v = FieldParsing.isoDay(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 4, as: Int32.self)
        case .dateTime:
            guard let v = DateParser.isoDateTime(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Int64.self)
        case .patternDate:
            guard let v = pattern?.parse(bytes) else { return false }
            slot.storeBytes(of: Int32(v / 86400), toByteOffset: row * 4, as: Int32.self)
        case .patternDateTime:
            guard let v = pattern?.parse(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Int64.self)
        case .anyDate:
            guard let v = DateParser.isoDate(bytes) ?? pattern?.parse(bytes).map({ Int32($0 / 86400) }) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 4, as: Int32.self)
        case .anyDateTime:
            guard let v = DateParser.isoDateTime(bytes) ?? DateParser.isoDate(bytes).map({ Int64($0) * 86400 }) ?? pattern?.parse(bytes) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Int64.self)
        case .jalaliDate, .jalaliDateTime, .jalaliPatternDate, .jalaliPatternDateTime, .jalaliAnyDate, .jalaliAnyDateTime:
            return putJalali(bytes, kind: kind, slot: slot, row: row)
        case .string:
            guard let code = interner.pointee!.intern(bytes) else { return nil }
            slot.storeBytes(of: code, toByteOffset: row * 4, as: Int32.self)
        }
        return true
    }

    /// `put` for the Jalali kinds, out of line so that the loop over Latin, Gregorian files
    /// carries none of their code.
    ///
    /// SAFETY: as for `put`: row < capacity, and the width stored is the kind's.
    @inline(never)
    func putJalali(_ bytes: UnsafeBufferPointer<UInt8>, kind: FieldKind, slot: UnsafeMutableRawPointer, row: Int) -> Bool {
        let years = jalaliYears
        switch kind {
        case .jalaliDate:
            guard let v = JalaliDateParser.date(bytes, years: years) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 4, as: Int32.self)
        case .jalaliDateTime:
            guard let v = JalaliDateParser.dateTime(bytes, years: years) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Int64.self)
        case .jalaliPatternDate:
            guard let pattern, let v = JalaliDateParser.pattern(pattern, bytes, years: years) else { return false }
            slot.storeBytes(of: Int32(v / 86400), toByteOffset: row * 4, as: Int32.self)
        case .jalaliPatternDateTime:
            guard let pattern, let v = JalaliDateParser.pattern(pattern, bytes, years: years) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Int64.self)
        case .jalaliAnyDate:
            guard let v = JalaliDateParser.date(bytes, years: years)
                    ?? pattern.flatMap({ JalaliDateParser.pattern($0, bytes, years: years) }).map({ Int32($0 / 86400) }) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 4, as: Int32.self)
        case .jalaliAnyDateTime:
            guard let v = JalaliDateParser.dateTime(bytes, years: years, dateAlone: true)
                    ?? pattern.flatMap({ JalaliDateParser.pattern($0, bytes, years: years) }) else { return false }
            slot.storeBytes(of: v, toByteOffset: row * 8, as: Int64.self)
        default:
            return false
        }
        return true
    }

    /// The second try for a field that did not parse as its kind: when it holds a byte above
    /// 0x7F, its Persian or Arabic-Indic digits (and separators, for a number) rewritten in Latin
    /// (`FieldKind.localRewrite`) and parsed again. Out of line: a field that parses never comes
    /// here, so the record loop stays as small and as fast as it was for Latin digits.
    ///
    /// SAFETY: as for `put`, which it calls with the same slot and row on a buffer of its own.
    @inline(never)
    func putLocal(_ bytes: UnsafeBufferPointer<UInt8>, kind: FieldKind, slot: UnsafeMutableRawPointer, row: Int) -> Bool {
        guard let rewrite = kind.localRewrite, LocalDigits.hasNonASCII(bytes) else { return false }
        // Bool and text kinds have no rewrite, so `put` never reaches an interner here.
        var none: ByteInterner?
        return LocalDigits.rewritten(bytes, rewrite) { put($0, kind: kind, slot: slot, row: row, interner: &none) } ?? false
    }
}

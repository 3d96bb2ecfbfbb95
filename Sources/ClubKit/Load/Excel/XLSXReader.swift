import Foundation

/// Reads one sheet of an .xlsx workbook into a `Table`, with the CSV loader's type inference.
///
/// The workbook is opened as a zip file (`ZipArchive`, `Inflate`), its workbook, relationships,
/// styles and shared strings read (`XLSXWorkbook`), and the chosen sheet's cells collected by
/// column (`XLSXSheet`). Each column's type then comes from the same candidate bits as a CSV
/// column's (`FieldParsing.classify` over its text and numbers; a number in a date format is a
/// date, a boolean a bool), and each value is stored by the CSV loader's own `put`, so
/// `types (…)`, `date_format`, `calendar`, Persian digits and the error texts are the same —
/// with the cell (`Sheet1!C42`) in place of line and column. The first row with a value is the
/// header unless `header false` says otherwise.
///
///     let result = try XLSXReader.read(path: "orders.xlsx", sheet: "Orders", options: CSVOptions())
enum XLSXReader {
    /// Reads sheet `sheet` (nil: the first) of the workbook at `path`; no part may inflate to
    /// more than `memoryLimit` bytes.
    static func read(path: String, sheet: String? = nil, options: CSVOptions = CSVOptions(),
                     memoryLimit: Int = MemoryLimit.standard.bytes) throws -> LoadResult {
        let input = try InputFile(path: path, isCancelled: options.isCancelled, binary: true)
        return try input.read { bytes, _ in
            do {
                let zip = try ZipArchive(bytes)
                let book = try XLSXWorkbook(zip, limit: memoryLimit)
                let chosen = try book.sheet(named: sheet)
                guard zip.contains(chosen.part) else {
                    throw ZipArchive.Failure("is damaged: the part of sheet \"\(chosen.name)\" (\(chosen.part)) is missing")
                }
                let shared = try book.sharedStrings()
                let xml = try zip.extract(chosen.part, limit: memoryLimit - shared.bytes.count, isCancelled: options.isCancelled)
                let cells = try XLSXSheet(name: chosen.name, part: chosen.part, xml: xml, dateStyles: book.dateStyles, sharedCount: shared.offsets.count - 1,
                                          isCancelled: options.isCancelled)
                return try table(cells, shared: shared, date1904: book.date1904, options: options, path: path)
            } catch let e as ZipArchive.Failure {
                if e.message == "interrupted" { throw LoadError.interrupted(path) }
                throw LoadError(.unreadable, path: path, message: e.message)
            }
        }
    }

    /// Where a cell's bytes are: the sheet's XML, its decoded texts, the shared strings.
    /// SAFETY: the three buffers are the arrays of one `XLSXSheet` and one set of shared
    /// strings, valid for the whole of `table`; a cell's range lies inside its buffer (the
    /// sheet made it so), and a shared index is below `offsets.count - 1`.
    struct Bytes {
        let xml: UnsafeBufferPointer<UInt8>
        let extra: UnsafeBufferPointer<UInt8>
        let shared: UnsafeBufferPointer<UInt8>
        let offsets: UnsafeBufferPointer<Int>

        @inline(__always)
        func of(_ cell: XLSXSheet.Cell) -> UnsafeBufferPointer<UInt8> {
            switch cell.kind {
            case .number, .date, .text: return UnsafeBufferPointer(rebasing: xml[cell.start..<(cell.start + cell.length)])
            case .extraText: return UnsafeBufferPointer(rebasing: extra[cell.start..<(cell.start + cell.length)])
            case .shared: return UnsafeBufferPointer(rebasing: shared[offsets[cell.start]..<offsets[cell.start + 1]])
            case .bool: return UnsafeBufferPointer(start: nil, count: 0)
            }
        }

        /// A cell's value as text: what a header or a text column shows.
        func text(_ cell: XLSXSheet.Cell, date1904: Bool) -> String {
            switch cell.kind {
            case .bool: return cell.start == 1 ? "true" : "false"
            case .date:
                if let (days, seconds) = XLSXReader.serialDate(of(cell), date1904: date1904) {
                    return seconds == 0 ? CivilDate.format(Int32(days)) : CivilDate.formatDateTime(Int64(days) * 86400 + Int64(seconds))
                }
                return String(decoding: of(cell), as: UTF8.self)
            default: return String(decoding: of(cell), as: UTF8.self)
            }
        }
    }

    /// One finished column and what the load says about it.
    struct Built {
        var column: Column
        var kind: FieldKind
        var mask: UInt16
        var wide: Bool
        /// Rows whose cell breaks the column's declared type, with why.
        var bad: [(row: Int, error: LoadError)]
        /// A failure that ends the load whatever `lenient` says.
        var failure: LoadError?
    }

    static func table(_ sheet: XLSXSheet, shared: (bytes: [UInt8], offsets: [Int]), date1904: Bool,
                      options: CSVOptions, path: String) throws -> LoadResult {
        let used = sheet.columns.indices.filter { !sheet.columns[$0].isEmpty }
        let header = options.header ?? true
        let dataStart: Int32 = header && !sheet.rowNumbers.isEmpty ? 1 : 0
        let rows = sheet.rowNumbers.count - Int(dataStart)
        let pattern = try options.datePattern(path: path)
        // SAFETY: the arrays outlive the closures, which keep no pointer past their return.
        return try sheet.xml.withUnsafeBufferPointer { xml in
            try sheet.extra.withUnsafeBufferPointer { extra in
                try shared.bytes.withUnsafeBufferPointer { sharedBytes in
                    try shared.offsets.withUnsafeBufferPointer { offsets in
                        let bytes = Bytes(xml: xml, extra: extra, shared: sharedBytes, offsets: offsets)
                        var names: [String]
                        if let given = options.names {
                            guard given.count == used.count else {
                                throw LoadError(.badOption, path: path, message: "names (…) lists \(given.count) names but the sheet \"\(sheet.name)\" has \(used.count) columns")
                            }
                            names = given
                        } else {
                            names = used.enumerated().map { (k, c) in
                                guard header, let first = sheet.columns[c].first, first.row == 0 else { return "column\(k + 1)" }
                                let name = CSVReader.reachable(bytes.text(first, date1904: date1904))
                                return name.isEmpty ? "column\(k + 1)" : name
                            }
                        }
                        names = CSVReader.deduplicated(names)
                        for (name, _) in options.types where !names.contains(name) {
                            throw LoadError(.badOption, path: path, message: "types (…) names a column `\(name)` that the sheet \"\(sheet.name)\" does not have; its columns are \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", … (\(names.count) in all)" : "")")
                        }
                        let context = ChunkContext(p: UnsafeBufferPointer(start: nil, count: 0), delimiter: .byte(44), width: 0, header: header,
                                                   declared: [], names: [], pattern: pattern, calendar: options.calendar,
                                                   jalaliYears: options.calendar.jalaliYears ?? JalaliDate.years, path: path, fileStart: 0,
                                                   lenient: options.lenient, isCancelled: options.isCancelled,
                                                   meter: LoadMeter(total: 0, report: nil), release: nil)
                        let shared = Unchecked((bytes, context))
                        // SAFETY: each call reads the shared bytes and builds its own column; nothing is written in common.
                        let built = Parallel.map(used.count) { k in
                            column(sheet.columns[used[k]], sheetColumn: used[k], name: names[k], declared: options.types[names[k]], rows: rows,
                                   dataStart: dataStart, sheet: sheet, bytes: shared.value.0, context: shared.value.1.own(), date1904: date1904)
                        }
                        if options.isCancelled() { throw LoadError.interrupted(path) }
                        if let failure = built.lazy.compactMap(\.failure).first { throw failure }
                        var table = Table(columnNames: names, columns: built.map(\.column), rowCount: rows)
                        var bad: [Int: LoadError] = [:]
                        for b in built { for (row, error) in b.bad where bad[row] == nil { bad[row] = error } }
                        var skipped: [LoadError] = []
                        if !bad.isEmpty {
                            let order = bad.keys.sorted()
                            guard options.lenient else { throw bad[order[0]]! }
                            skipped = order.prefix(5).map { bad[$0]! }
                            let keep = (0..<Int32(rows)).filter { bad[Int($0)] == nil }
                            table = table.gather(keep)
                        }
                        let kinds = built.map(\.kind)
                        var notes = CSVReader.calendarNotes(table, kinds: kinds, masks: built.map(\.mask), declared: names.map { options.types[$0] },
                                                            pattern: pattern, calendar: options.calendar)
                        if let wide = CSVReader.wideIntegerNote(built.indices.filter { built[$0].wide && kinds[$0] == .string }.map { names[$0] }) {
                            notes.insert(wide, at: 0)
                        }
                        if sheet.errorCells > 0 {
                            notes.append("\(sheet.errorCells == 1 ? "1 cell holds" : "\(sheet.errorCells) cells hold") a spreadsheet error (#N/A, #DIV/0!, …), loaded as null")
                        }
                        return LoadResult(table: table, skippedRows: bad.count, skipped: skipped, bytesRead: sheet.xml.count, sheet: sheet.name, notes: notes)
                    }
                }
            }
        }
    }

    /// The candidate bits of a number in a date format: every date kind when it is a whole day,
    /// the date-time kinds when it has a time; nil when it is no day clubsh can hold.
    static func dateMask(_ serial: (days: Int, seconds: Int)?) -> UInt16? {
        guard let serial else { return nil }
        let times = FieldParsing.dateTime | FieldParsing.jalaliDateTime
        return serial.seconds == 0 ? times | FieldParsing.date | FieldParsing.pattern | FieldParsing.jalaliDate | FieldParsing.jalaliPattern : times
    }

    /// A serial date-time (days since 1899-12-30, or 1904-01-01 in the 1904 system; Excel's
    /// 1900 system counts a 29 February 1900 that never was, so serials before 61 are a day
    /// later) as days since 1970-01-01 and seconds into the day.
    static func serialDate(_ p: UnsafeBufferPointer<UInt8>, date1904: Bool) -> (days: Int, seconds: Int)? {
        guard let serial = FieldParsing.parseDouble(p), serial.isFinite, serial >= 0, serial < 3_000_000 else { return nil }
        var whole = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(whole)) * 86400).rounded())
        if seconds >= 86400 { whole += 1; seconds -= 86400 }
        let days: Int
        if date1904 {
            days = CivilDate.days(year: 1904, month: 1, day: 1) + whole
        } else if whole >= 61 || whole == 0 {
            days = CivilDate.days(year: 1899, month: 12, day: 30) + whole
        } else if whole == 60 {
            return nil
        } else {
            days = CivilDate.days(year: 1899, month: 12, day: 31) + whole
        }
        guard days >= CivilDate.minDay, days <= CivilDate.maxDay else { return nil }
        return (days, seconds)
    }

    /// Infers (or takes the declared) kind of one column and stores its cells.
    static func column(_ cells: [XLSXSheet.Cell], sheetColumn: Int, name: String, declared: DataType?, rows: Int, dataStart: Int32,
                       sheet: XLSXSheet, bytes: Bytes, context: ChunkContext, date1904: Bool) -> Built {
        let data = cells.first.map { $0.row < dataStart } == true ? cells.dropFirst() : cells[...]
        var mask = FieldParsing.all
        var wide = false, sawValue = false
        let pattern = context.pattern, calendar = context.calendar
        let writer = FieldWriter(pattern: pattern, jalaliYears: context.jalaliYears)
        for cell in data {
            let m: UInt16
            switch cell.kind {
            case .bool: m = FieldParsing.bool
            case .date:
                if let d = dateMask(serialDate(bytes.of(cell), date1904: date1904)) { m = d; break }
                fallthrough
            default:
                let b = bytes.of(cell)
                if b.isEmpty { continue }
                m = FieldParsing.classify(b, pattern: pattern, calendar: calendar)
                if declared == nil && m & FieldParsing.int == 0 && mask & FieldParsing.int != 0 && FieldParsing.isWideInteger(b) { wide = true }
            }
            sawValue = true
            mask &= m
        }
        guard sawValue || declared != nil else {
            return Built(column: Column(.string([Int32](repeating: 0, count: rows), StringDictionary(values: [""])), validity: Bitmap(count: rows, allValid: false)),
                         kind: .string, mask: mask, wide: false, bad: [])
        }
        let kind = declared.map { FieldKind.declared($0, jalali: CSVReader.isJalali(declaredMask: mask, calendar: calendar)) }
            ?? FieldKind.inferred(mask, pattern: pattern, calendar: calendar)
        var validity = Bitmap(count: rows, allValid: false)
        var bad: [(row: Int, error: LoadError)] = []
        var failure: LoadError?
        var interner: ByteInterner? = kind == .string ? ByteInterner() : nil
        func reference(_ cell: XLSXSheet.Cell) -> String {
            XLSXSheet.reference(sheet: sheet.name, column: sheetColumn, row: Int(sheet.rowNumbers[Int(cell.row)]))
        }
        let raw = try? RawColumn.allocate([kind][...], capacity: rows) { bases in
            let slot = bases[0]
            // SAFETY: the column has max(rows, 1) slots of kind.width bytes; every row stored is
            // below rows (a data cell's row minus dataStart), and null slots are zeroed here.
            memset(slot, 0, max(rows, 1) * kind.width)
            for cell in data {
                let row = Int(cell.row - dataStart)
                var stored: Bool?
                switch cell.kind {
                case .date:
                    let serial = serialDate(bytes.of(cell), date1904: date1904)
                    switch (serial, kind.type) {
                    case (let s?, .date):
                        slot.storeBytes(of: Int32(s.days), toByteOffset: row * 4, as: Int32.self)
                        stored = true
                    case (let s?, .datetime):
                        slot.storeBytes(of: Int64(s.days) * 86400 + Int64(s.seconds), toByteOffset: row * 8, as: Int64.self)
                        stored = true
                    case (_?, .string):
                        var text = bytes.text(cell, date1904: date1904)
                        stored = text.withUTF8 { writer.put($0, kind: kind, slot: slot, row: row, interner: &interner) }
                    default:
                        stored = writer.put(bytes.of(cell), kind: kind, slot: slot, row: row, interner: &interner)
                    }
                case .bool:
                    var text = cell.start == 1 ? "true" : "false"
                    stored = text.withUTF8 { writer.put($0, kind: kind, slot: slot, row: row, interner: &interner) }
                default:
                    let b = bytes.of(cell)
                    if b.isEmpty { continue }
                    stored = writer.put(b, kind: kind, slot: slot, row: row, interner: &interner)
                    if stored == false && writer.putLocal(b, kind: kind, slot: slot, row: row) { stored = true }
                }
                switch stored {
                case true?:
                    validity.set(row, true)
                case nil:
                    failure = LoadError(.malformed, path: context.path, cell: reference(cell), message: "invalid UTF-8; the workbook is damaged")
                    return rows
                case false?:
                    guard let declared else {
                        failure = LoadError(.malformed, path: context.path, cell: reference(cell),
                                            message: "could not settle the columns' types; please report this file")
                        return rows
                    }
                    let text = bytes.text(cell, date1904: date1904)
                    var why = ""
                    if kind.isJalali {
                        var t = text
                        why = t.withUTF8 { JalaliDateParser.problem($0, pattern: pattern, calendar: calendar) }.map { ": " + $0 } ?? ""
                    }
                    bad.append((row, LoadError(.malformed, path: context.path, cell: reference(cell),
                                               message: "`\(CSVReader.shown(text))` is not a valid \(kind.isJalali ? "Jalali " : "")\(declared.rawValue) for column `\(name)` (declared in types)\(why)")))
                    if !context.lenient { return rows }
                }
            }
            return rows
        }
        guard let raw, failure == nil else {
            return Built(column: Column(.int([])), kind: kind, mask: mask, wide: wide, bad: bad, failure: failure)
        }
        let dictionary = interner.map { StringDictionary($0.dictionary) }
        let storage: ColumnStorage
        switch (raw.columns[0], kind.type) {
        case (.int64(let a), .int): storage = .int(a)
        case (.int64(let a), _): storage = .dateTime(a)
        case (.double(let a), _): storage = .double(a)
        case (.bool(let a), _): storage = .bool(a)
        case (.int32(let a), .int): storage = .int32(a)
        case (.int32(let a), .date): storage = .date(a)
        case (.int32(let a), _): storage = .string(a, dictionary.flatMap { $0.count > 0 ? $0 : nil } ?? StringDictionary(values: [""]))
        }
        return Built(column: Column(storage, validity: validity), kind: kind, mask: mask, wide: wide, bad: bad)
    }
}

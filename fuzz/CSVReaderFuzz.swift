// libFuzzer target for the CSV reader: raw bytes in, a table or a LoadError out, never a crash.
// Built with the engine's sources in one module (see fuzz/README.md), so it reaches the
// loader's in-memory entry point `CSVReader.read(bytes:path:options:)`.
//
// The first two bytes choose the options, the rest is the file:
//   byte 0: bits 0-2 delimiter (sniffed, `,` tab `;` `|` whitespace, space, `:`),
//           bits 3-4 header (detected, true, false), bit 5 lenient, bit 6 three chunks,
//           bit 7 date_format "dd/MM/yy"
//   byte 1: bits 0-2 the type declared for the first column (none, int, double, bool, date,
//           datetime, string), bit 3 date_format "yyyyMMdd" instead, bit 4 names (…) given,
//           bits 5-6 calendar (detected, jalali, gregorian, detected)
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func csvReaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let a = data[0], b = data[1]
    var o = CSVOptions()
    switch a & 7 {
    case 0: o.delimiter = nil
    case 1: o.delimiter = .byte(44)
    case 2: o.delimiter = .byte(9)
    case 3: o.delimiter = .byte(59)
    case 4: o.delimiter = .byte(124)
    case 5: o.delimiter = .whitespace
    case 6: o.delimiter = .byte(32)
    default: o.delimiter = .byte(58)
    }
    switch (a >> 3) & 3 {
    case 1: o.header = true
    case 2: o.header = false
    default: o.header = nil
    }
    o.lenient = a & 0x20 != 0
    o.chunks = a & 0x40 != 0 ? 3 : 1
    if a & 0x80 != 0 { o.dateFormat = b & 8 != 0 ? "yyyyMMdd" : "dd/MM/yy" }
    o.calendar = [LoadCalendar.automatic, .jalali, .gregorian, .automatic][Int((b >> 5) & 3)]
    let body = UnsafeBufferPointer(start: data + 2, count: size - 2)
    // The declared type and the names need the first column's name: read without them first.
    let declared: [DataType?] = [nil, .int, .double, .bool, .date, .datetime, .string, nil]
    do {
        var first = try CSVReader.read(bytes: body, path: "fuzz.csv", options: o)
        if let type = declared[Int(b & 7)], let name = first.table.columnNames.first {
            var typed = o
            typed.types = [name: type]
            if b & 16 != 0 { typed.names = first.table.columnNames.map { $0 + "!" }; typed.types = [name + "!": type] }
            first = try CSVReader.read(bytes: body, path: "fuzz.csv", options: typed)
        }
        check(first)
    } catch let e as LoadError {
        // A clear error: one line, a place in the file (or the file as a whole).
        precondition(!e.description.contains("\n"), "multi-line error: \(e.description)")
        precondition(e.line >= 0 && e.column >= 0, "negative position: \(e.description)")
        precondition(e.line == 0 || e.column >= 1, "a line without a column: \(e.description)")
    } catch {
        preconditionFailure("not a LoadError: \(error)")
    }
    return 0
}

/// The invariants of a loaded table.
private func check(_ r: LoadResult) {
    let t = r.table
    precondition(t.columnNames.count == t.columns.count, "names and columns differ")
    precondition(Set(t.columnNames).count == t.columnNames.count, "duplicate column names: \(t.columnNames)")
    for name in t.columnNames {
        precondition(!name.unicodeScalars.contains { $0.value < 32 || $0 == "`" }, "a name that cannot be typed: \(name.debugDescription)")
    }
    for c in t.columns {
        precondition(c.count == t.rowCount, "a column of \(c.count) rows in a table of \(t.rowCount)")
        for i in 0..<c.count {
            let v = c.value(at: i)
            if case .double(let d) = v { precondition(!d.isNaN, "NaN loaded") }
            if case .date(let d) = v { precondition(d >= -719_162 && d <= 2_932_896, "a date outside 0001-9999: \(d)") }
        }
    }
    for note in r.notes { precondition(!note.contains("\n"), "multi-line note") }
}

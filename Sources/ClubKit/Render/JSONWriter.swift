/// JSON (an array of objects) and JSON lines straight from the column buffers, like
/// `DelimitedWriter`: each column's key and each distinct string encoded once, integers and
/// dates written as digits, no `Value` per cell. The text is what `JSON.value` gives cell by cell.
enum JSONWriter {
    /// How many cells hold ±inf, which JSON writes as null.
    static func infinities(in t: Table) -> Int {
        var n = 0
        for c in t.columns {
            guard case .double(let a) = c.storage else { continue }
            for i in a.indices where !a[i].isFinite && !c.isNull(i) { n += 1 }
        }
        return n
    }

    /// The warning for `t` written as JSON, if any of its values cannot be.
    static func warning(for t: Table) -> String? {
        let n = infinities(in: t)
        return n == 0 ? nil : "\(grouped(n)) infinite value\(n == 1 ? "" : "s") written as null (JSON has no infinity)"
    }

    static func write(_ t: Table, lines: Bool) -> String {
        guard t.rowCount > 0 else { return lines ? "" : "[]\n" }
        var out: [UInt8] = []
        out.reserveCapacity(16 + t.rowCount * 16 * max(1, t.columns.count))
        let keys = t.columnNames.enumerated().map { Array(($0.offset == 0 ? "{" : ",").utf8) + Array(JSON.string($0.element).utf8) + [58] }
        let strings: [[[UInt8]]?] = t.columns.map { c in
            guard case .string(_, let dict) = c.storage else { return nil }
            return dict.values.map { Array(JSON.string($0).utf8) }
        }
        let null = Array("null".utf8)
        if !lines { out += Array("[\n".utf8) }
        Cells.with(t.columns) { cells in
            for r in 0..<t.rowCount {
                if r > 0 && !lines { out += [44, 10] }
                for (k, c) in cells.enumerated() {
                    out += keys[k]
                    if c.isNull(r) { out += null; continue }
                    switch c.values {
                    case .int(let a): DelimitedWriter.appendInt(a[r], to: &out)
                    case .int32(let a): DelimitedWriter.appendInt(Int64(a[r]), to: &out)
                    // JSON has no infinity: ±inf is written as null (`infinities` counts them).
                    case .double(let a): if a[r].isFinite { DelimitedWriter.appendDouble(a[r], to: &out) } else { out += null }
                    case .bool(let a): out += (a[r] ? "true" : "false").utf8
                    case .date(let a):
                        out.append(34)
                        DelimitedWriter.appendDate(Int(a[r]), to: &out)
                        out.append(34)
                    case .dateTime(let a): out += JSON.string(CivilDate.formatDateTime(a[r])).utf8
                    case .string(let codes): out += strings[k]![Int(codes[r])]
                    }
                }
                out.append(125)
                if lines { out.append(10) }
            }
        }
        if !lines { out += Array("\n]\n".utf8) }
        return String(decoding: out, as: UTF8.self)
    }
}

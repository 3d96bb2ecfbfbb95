/// CSV and TSV text straight from the column buffers: integers and dates written as digits,
/// each distinct string quoted once per dictionary entry, no `Value` per cell. The text is the
/// same as `ValueFormat.plain` gives cell by cell.
enum DelimitedWriter {
    static func write(_ t: Table, separator: UInt8) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64 + t.rowCount * 8 * max(1, t.columns.count))
        for (k, name) in t.columnNames.enumerated() {
            if k > 0 { out.append(separator) }
            out += quoted(Array(name.utf8), separator)
        }
        out.append(10)
        // Per string column: each distinct value's bytes, quoted if it needs it.
        let encoded: [[[UInt8]]?] = t.columns.map { c in
            guard case .string(_, let dict) = c.storage else { return nil }
            return dict.values.map { quoted(Array($0.utf8), separator) }
        }
        for r in 0..<t.rowCount {
            for (k, c) in t.columns.enumerated() {
                if k > 0 { out.append(separator) }
                if c.isNull(r) { continue }
                switch c.storage {
                case .int(let a): appendInt(a[r], to: &out)
                case .int32(let a): appendInt(Int64(a[r]), to: &out)
                case .double(let a): out += ValueFormat.plainDouble(a[r]).utf8
                case .bool(let a): out += (a[r] ? "true" : "false").utf8
                case .date(let a): appendDate(Int(a[r]), to: &out)
                case .dateTime(let a): out += CivilDate.formatDateTime(a[r]).utf8
                case .string(let codes, _): out += encoded[k]![Int(codes[r])]
                }
            }
            out.append(10)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func quoted(_ bytes: [UInt8], _ separator: UInt8) -> [UInt8] {
        guard bytes.contains(where: { $0 == separator || $0 == 34 || $0 == 10 || $0 == 13 }) else { return bytes }
        var out: [UInt8] = [34]
        for b in bytes {
            out.append(b)
            if b == 34 { out.append(34) }
        }
        out.append(34)
        return out
    }

    @inline(__always)
    static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v == .min { out += String(v).utf8; return }
        var x = v
        if x < 0 { out.append(45); x = -x }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[n] = UInt8(48 + x % 10)
                x /= 10
                n += 1
            } while x > 0
            for i in stride(from: n - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }

    static func appendDate(_ day: Int, to out: inout [UInt8]) {
        let (y, m, d) = CivilDate.civil(day)
        if y < 0 || y > 9999 { out += CivilDate.format(Int32(day)).utf8; return }
        out.append(UInt8(48 + y / 1000)); out.append(UInt8(48 + y / 100 % 10)); out.append(UInt8(48 + y / 10 % 10)); out.append(UInt8(48 + y % 10))
        out.append(45)
        out.append(UInt8(48 + m / 10)); out.append(UInt8(48 + m % 10))
        out.append(45)
        out.append(UInt8(48 + d / 10)); out.append(UInt8(48 + d % 10))
    }
}

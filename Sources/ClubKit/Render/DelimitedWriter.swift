/// CSV and TSV text straight from the column buffers: integers and dates written as digits,
/// each distinct string quoted once per dictionary entry, no `Value` per cell. The text is the
/// same as `ValueFormat.plain` gives cell by cell.
enum DelimitedWriter {
    static func write(_ t: Table, separator: UInt8, headers: Bool = true, null: String = "") -> String {
        var head: [UInt8] = []
        if headers {
            for (k, name) in t.columnNames.enumerated() {
                if k > 0 { head.append(separator) }
                head += quoted(Array(name.utf8), separator)
            }
            head.append(10)
        }
        let nullBytes = quoted(Array(null.utf8), separator)
        // Per string column: each distinct value's bytes, quoted if it needs it.
        let encoded: [[[UInt8]]?] = t.columns.map { c in
            guard case .string(_, let dict) = c.storage else { return nil }
            return dict.values.map { quoted(Array($0.utf8), separator) }
        }
        // Large tables are written in parts on all cores, then joined once.
        let n = t.rowCount
        let parts = n >= 1 << 17 ? 8 : 1
        let bodies = Cells.with(t.columns) { cells in
            // Each part reads the encoded strings through its own copy: parts sharing one array
            // would contend on its reference count for every string cell.
            Parallel.map(parts) { k in
                rows(cells, n * k / parts..<n * (k + 1) / parts, separator: separator, null: nullBytes,
                     encoded: k == 0 ? encoded : encoded.map { $0?.map { Array($0) } })
            }
        }
        return joined([head] + bodies)
    }

    /// The rows in `range`, each ending in a newline.
    private static func rows(_ cells: [Cells], _ range: Range<Int>, separator: UInt8, null: [UInt8], encoded: [[[UInt8]]?]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count * 8 * max(1, cells.count))
        for r in range {
            for (k, c) in cells.enumerated() {
                if k > 0 { out.append(separator) }
                if c.isNull(r) { out += null; continue }
                switch c.values {
                case .int(let a): appendInt(a[r], to: &out)
                case .int32(let a): appendInt(Int64(a[r]), to: &out)
                case .double(let a): appendDouble(a[r], to: &out)
                case .bool(let a): out += (a[r] ? "true" : "false").utf8
                case .date(let a): appendDate(Int(a[r]), to: &out)
                case .dateTime(let a): out += CivilDate.formatDateTime(a[r]).utf8
                case .string(let codes): out += encoded[k]![Int(codes[r])]
                }
            }
            out.append(10)
        }
        return out
    }

    /// `ValueFormat.plainDouble`'s text, without a `String` for the common integral case.
    @inline(__always)
    static func appendDouble(_ x: Double, to out: inout [UInt8]) {
        if x == x.rounded(), abs(x) < 1e15 { appendInt(Int64(x), to: &out) } else { out += ValueFormat.plainDouble(x).utf8 }
    }

    /// One string from byte buffers, copied once.
    static func joined(_ parts: [[UInt8]]) -> String {
        let total = parts.reduce(0) { $0 + $1.count }
        // SAFETY: the parts' counts sum to `total`, so each part is copied into its own range of
        // the buffer and all `total` bytes are initialized before they are declared so. (Bytes
        // then a String would copy a result of hundreds of MB twice.)
        return String(unsafeUninitializedCapacity: total) { buffer in
            var at = 0
            for part in parts {
                _ = UnsafeMutableBufferPointer(rebasing: buffer[at..<(at + part.count)]).initialize(from: part)
                at += part.count
            }
            return total
        }
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
        // The digits come lowest first; they are appended, then turned around in place (swaps:
        // reversing a slice of `out` would copy it).
        var i = out.count
        repeat {
            out.append(UInt8(48 + x % 10))
            x /= 10
        } while x > 0
        var j = out.count - 1
        while i < j {
            out.swapAt(i, j)
            i += 1
            j -= 1
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

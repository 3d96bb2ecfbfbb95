import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How single values read as text.
enum ValueFormat {
    /// C's `printf` of numbers (`"%.4f"`, `"%.2f"`): the same text as Foundation's
    /// `String(format:)`, which formats numbers with the C library in the C locale, without
    /// Foundation's formatter, whose first use in a process costs more than a small model fit.
    /// For numeric conversions only (no `%@`, no `%s`).
    static func printf(_ format: String, _ arguments: CVarArg...) -> String {
        withVaList(arguments) { first in
            var small = [CChar](repeating: 0, count: 64)
            let needed = Int(vsnprintf(&small, small.count, format, first))
            if needed < small.count { return small.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
            // A long result (`%.4f` of 1e300): a buffer of its length, with the arguments again.
            return withVaList(arguments) { again in
                var large = [CChar](repeating: 0, count: needed + 1)
                _ = vsnprintf(&large, large.count, format, again)
                return large.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            }
        }
    }

    /// Exact text for data formats (CSV, JSON): integers as is, doubles in their shortest
    /// round-trip form (`0.30000000000000004`), an integral double without `.0`.
    static func plain(_ v: Value) -> String {
        switch v {
        case .null: return ""
        case .int(let x): return String(x)
        case .double(let x): return plainDouble(x)
        case .bool(let b): return b ? "true" : "false"
        case .date(let d): return CivilDate.format(d)
        case .dateTime(let t): return CivilDate.formatDateTime(t)
        case .string(let s): return s
        case .duration(let d): return d.text
        }
    }

    static func plainDouble(_ x: Double) -> String {
        if x == x.rounded(), abs(x) <= 0x1p53 { return String(Int64(x)) }
        return String(x)
    }

    /// Text for people (table mode): a double whose shortest exact form has at most four digits
    /// after the point shows that form (`119816561.85`, money to the cent, however large); any
    /// other is float noise or a long fraction and shows 10 significant digits (`0.1 + 0.2`
    /// shows `0.3`, `1 / 3` shows `0.3333333333`); everything else as `plain`.
    /// Text shows its control characters as escapes (`\n`, `\t`, `\u{1b}`), so a cell cannot
    /// break a table's lines, move a terminal's cursor or end a notebook's output block.
    static func display(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .double(let x): return displayDouble(x)
        case .string(let s): return visible(s)
        default: return plain(v)
        }
    }

    /// `s` with C0 and C1 control characters and DEL written as escapes; a backslash is left
    /// as it is (text for people, not a literal to read back).
    static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(u): out += "\\u{" + String(u.value, radix: 16) + "}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0)
    }

    static func displayDouble(_ x: Double) -> String {
        if x == x.rounded(), abs(x) <= 0x1p53 { return String(Int64(x)) }
        let exact = plainDouble(x)
        if !exact.contains("e"), let point = exact.firstIndex(of: "."), exact.distance(from: point, to: exact.endIndex) <= 5 {
            return exact
        }
        var s = String(format: "%.10g", x)
        if s.contains("e") { return s }
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}

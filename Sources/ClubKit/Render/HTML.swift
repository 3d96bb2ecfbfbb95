/// Text made safe for an HTML page: every character that could start markup is an entity, and
/// the characters HTML forbids in a document are replaced, so nothing from a data file or a
/// notebook can open a tag, end an attribute or make the page invalid.
///
///     HTML.text("</table><script>")   // "&lt;/table&gt;&lt;script&gt;"
public enum HTML {
    /// `s` as element content or as a double- or single-quoted attribute value: `&`, `<`, `>`,
    /// `"` and `'` as entities; NUL, the other control characters (but tab, LF and CR) and
    /// the noncharacters as U+FFFD, which is what a browser would show for them after
    /// reporting a parse error.
    public static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default: out.unicodeScalars.append(isForbidden(u) ? "\u{FFFD}" : u)
            }
        }
        return out
    }

    /// A value from a table or an error message: control characters shown as the escapes table
    /// mode shows (`\n`, `\u{0}`), then made safe, so a cell's NUL or line break is visible
    /// rather than lost.
    public static func visible(_ s: String) -> String {
        text(ValueFormat.visible(s))
    }

    /// Text for a `<pre>` block: line breaks and tabs kept, other control characters shown as
    /// escapes, then made safe.
    public static func preformatted(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map { text(ValueFormat.visible(String($0))) }.joined(separator: "\t") }
            .joined(separator: "\n")
    }

    /// Characters HTML reports as parse errors in the input stream (controls other than ASCII
    /// whitespace, and noncharacters): never written to a page.
    static func isForbidden(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 { return v != 0x09 && v != 0x0A && v != 0x0C && v != 0x0D }
        if v >= 0x7F && v < 0xA0 { return true }
        if v >= 0xFDD0 && v <= 0xFDEF { return true }
        return v & 0xFFFE == 0xFFFE
    }
}

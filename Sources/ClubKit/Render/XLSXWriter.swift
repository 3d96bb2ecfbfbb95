import Foundation

/// Tables as an .xlsx workbook (ECMA-376): one sheet for `export … to "file.xlsx"`, several
/// for the Persian sample's workbook.
///
/// Numbers are numbers, booleans booleans, dates and date-times serial numbers in the 1900
/// date system with a `yyyy-mm-dd` (or `yyyy-mm-dd hh:mm:ss`) format, so a spreadsheet shows
/// and sorts them as dates; text is an inline string, XML-escaped, with the characters XML
/// cannot hold (control characters) written as the OOXML escape `_xHHHH_`. A null is an empty
/// cell. The parts are stored uncompressed in a zip (`ZipWriter`) with fixed times, so the same
/// table gives the same bytes.
///
///     let bytes = try XLSXWriter.workbook(table, sheet: "vip")
public enum XLSXWriter {
    public struct Failure: Error, Equatable {
        public var message: String
    }

    /// Excel's limits: rows and columns of a sheet, characters of a cell.
    static let maxRows = 1_048_576, maxColumns = 16_384, maxCellCharacters = 32_767

    static func workbook(_ table: Table, sheet: String) throws(Failure) -> [UInt8] {
        try workbook([(sheet, table)])
    }

    /// A workbook with a sheet per table, in order; names are made ones Excel accepts.
    public static func workbook(_ sheets: [(name: String, table: Table)]) throws(Failure) -> [UInt8] {
        var zip = ZipWriter()
        zip.add("[Content_Types].xml", contentTypes(sheets: sheets.count))
        zip.add("_rels/.rels", rootRelationships)
        zip.add("xl/workbook.xml", Array(workbookXML(sheets.map { sheetName($0.name) }).utf8))
        zip.add("xl/_rels/workbook.xml.rels", workbookRelationships(sheets: sheets.count))
        zip.add("xl/styles.xml", styles)
        var total = 0
        for (k, (_, table)) in sheets.enumerated() {
            guard table.rowCount + 1 <= maxRows else {
                throw Failure(message: "an .xlsx sheet holds at most 1,048,576 rows, and this result has \(table.rowCount) and a header; export it to .csv")
            }
            guard table.columns.count <= maxColumns else {
                throw Failure(message: "an .xlsx sheet holds at most 16,384 columns, and this result has \(table.columns.count)")
            }
            let xml = try sheetXML(table)
            total += xml.count
            guard total < Int(UInt32.max) - (1 << 20) else {
                throw Failure(message: "the sheet would be more than 4 GB of XML, more than a zip without zip64 holds; export it to .csv")
            }
            zip.add("xl/worksheets/sheet\(k + 1).xml", xml)
        }
        return zip.finish()
    }

    /// A sheet name Excel accepts: at most 31 characters, none of `: \ / ? * [ ]`, not blank.
    static func sheetName(_ name: String) -> String {
        let cleaned = String(name.unicodeScalars.filter { !":\\/?*[]".unicodeScalars.contains($0) && !ValueFormat.isControl($0) }.map(Character.init))
            .trimmingCharacters(in: CharacterSet(charactersIn: "' "))
        let short = String(cleaned.prefix(31))
        return short.isEmpty || short.lowercased() == "history" ? "Sheet1" : short
    }

    // MARK: - The sheet

    /// Days from 1899-12-30 (the 1900 system's day 0) to 1970-01-01.
    static let epoch1900 = -CivilDate.days(year: 1899, month: 12, day: 30)
    /// 1900-03-01: the first day whose serial number Excel's 1900 leap-year mistake does not shift.
    static let march1900 = CivilDate.days(year: 1900, month: 3, day: 1)
    static let january1900 = CivilDate.days(year: 1900, month: 1, day: 1)

    /// The serial number of day `days`, or nil before 1900-01-01 (which the 1900 system cannot
    /// show as a date; those are written as text).
    static func serial(days: Int) -> Int? {
        if days >= march1900 { return days + epoch1900 }
        if days >= january1900 { return days + epoch1900 - 1 }
        return nil
    }

    static func sheetXML(_ table: Table) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + table.rowCount * table.columns.count * 16)
        out += Array(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#.utf8)
        out += Array("\n<worksheet xmlns=\"\(mainNamespace)\">".utf8)
        let letters = (0..<table.columns.count).map { Array(XLSXSheet.columnLetters($0).utf8) }
        // Wide enough that a date is not shown as ####.
        let widths: [(Int, Int)] = table.columns.enumerated().compactMap { c, column in
            switch column.type {
            case .date: return (c, 11)
            case .datetime: return (c, 20)
            default: return nil
            }
        }
        if !widths.isEmpty {
            out += Array("<cols>".utf8)
            for (c, w) in widths { out += Array("<col min=\"\(c + 1)\" max=\"\(c + 1)\" width=\"\(w)\" customWidth=\"1\"/>".utf8) }
            out += Array("</cols>".utf8)
        }
        out += Array("<sheetData>".utf8)
        func open(_ c: Int, _ row: Int, _ attributes: String) {
            out += Array("<c r=\"".utf8)
            out += letters[c]
            out += Array(String(row).utf8)
            out += Array("\"\(attributes)>".utf8)
        }
        func text(_ c: Int, _ row: Int, _ s: String) throws(Failure) {
            guard s.utf16.count <= maxCellCharacters else {
                throw Failure(message: "cell \(XLSXSheet.columnLetters(c))\(row) holds \(s.utf16.count) characters; an .xlsx cell holds at most 32,767")
            }
            open(c, row, " t=\"inlineStr\"")
            out += Array("<is><t xml:space=\"preserve\">".utf8)
            escape(s, into: &out)
            out += Array("</t></is></c>".utf8)
        }
        out += Array("<row r=\"1\">".utf8)
        for (c, name) in table.columnNames.enumerated() { try text(c, 1, name) }
        out += Array("</row>".utf8)
        for i in 0..<table.rowCount {
            let row = i + 2
            out += Array("<row r=\"\(row)\">".utf8)
            for (c, column) in table.columns.enumerated() {
                let value = column.value(at: i)
                switch value {
                case .null:
                    continue
                case .int(let x):
                    open(c, row, "")
                    out += Array("<v>\(x)</v></c>".utf8)
                case .double(let x) where x.isFinite:
                    open(c, row, "")
                    out += Array("<v>\(ValueFormat.plainDouble(x))</v></c>".utf8)
                case .bool(let b):
                    open(c, row, " t=\"b\"")
                    out += Array("<v>\(b ? 1 : 0)</v></c>".utf8)
                case .date(let d):
                    guard let s = serial(days: Int(d)) else { try text(c, row, CivilDate.format(d)); continue }
                    open(c, row, " s=\"1\"")
                    out += Array("<v>\(s)</v></c>".utf8)
                case .dateTime(let t):
                    let seconds = Int((t % 86400 + 86400) % 86400)
                    let days = Int((t - Int64(seconds)) / 86400)
                    guard let s = serial(days: days) else { try text(c, row, CivilDate.formatDateTime(t)); continue }
                    open(c, row, " s=\"2\"")
                    out += Array("<v>\(seconds == 0 ? String(s) : String(Double(s) + Double(seconds) / 86400))</v></c>".utf8)
                default:
                    // Text, durations, and infinities (which a sheet cannot hold as numbers).
                    try text(c, row, ValueFormat.plain(value))
                }
            }
            out += Array("</row>".utf8)
        }
        out += Array("</sheetData></worksheet>\n".utf8)
        return out
    }

    /// Appends `s` as XML text: `&`, `<`, `>` as entities; a carriage return and the characters
    /// XML 1.0 cannot hold as `_xHHHH_`, and an underscore that would read as such an escape as
    /// `_x005F_` (ECMA-376 Part 1, 22.9.2.19, ST_Xstring).
    static func escape(_ s: String, into out: inout [UInt8]) {
        let scalars = Array(s.unicodeScalars)
        for (k, u) in scalars.enumerated() {
            switch u {
            case "&": out += Array("&amp;".utf8)
            case "<": out += Array("&lt;".utf8)
            case ">": out += Array("&gt;".utf8)
            case "_" where isEscapeShaped(scalars, at: k): out += Array("_x005F_".utf8)
            case "\t", "\n": out.append(UInt8(u.value))
            case _ where u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF:
                let hex = String(u.value, radix: 16, uppercase: true)
                out += Array(("_x" + String(repeating: "0", count: 4 - hex.count) + hex + "_").utf8)
            default: out += Array(String(u).utf8)
            }
        }
    }

    /// Whether `_xHHHH_` starts at `k`.
    private static func isEscapeShaped(_ s: [Unicode.Scalar], at k: Int) -> Bool {
        guard k + 6 < s.count, s[k + 1] == "x", s[k + 6] == "_" else { return false }
        return s[(k + 2)..<(k + 6)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    // MARK: - The fixed parts

    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let header = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"

    static func contentTypes(sheets: Int) -> [UInt8] {
        let overrides = (1...max(sheets, 1)).map {
            #"<Override PartName="/xl/worksheets/sheet\#($0).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }.joined()
        return Array((header + """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            \(overrides)\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            </Types>
            """).utf8)
    }

    static let rootRelationships = Array((header + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relationshipNamespace)/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """).utf8)

    /// Sheet k is relationship rId k; the styles come after them.
    static func workbookRelationships(sheets: Int) -> [UInt8] {
        let n = max(sheets, 1)
        let worksheets = (1...n).map { #"<Relationship Id="rId\#($0)" Type="\#(relationshipNamespace)/worksheet" Target="worksheets/sheet\#($0).xml"/>"# }.joined()
        return Array((header + """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            \(worksheets)\
            <Relationship Id="rId\(n + 1)" Type="\(relationshipNamespace)/styles" Target="styles.xml"/>\
            </Relationships>
            """).utf8)
    }

    static func workbookXML(_ sheets: [String]) -> String {
        let entries = sheets.enumerated().map { k, sheet in
            var name: [UInt8] = []
            escape(sheet, into: &name)
            let quoted = String(decoding: name, as: UTF8.self).replacingOccurrences(of: "\"", with: "&quot;")
            return #"<sheet name="\#(quoted)" sheetId="\#(k + 1)" r:id="rId\#(k + 1)"/>"#
        }.joined()
        return header + """
            <workbook xmlns="\(mainNamespace)" xmlns:r="\(relationshipNamespace)">\
            <sheets>\(entries)</sheets></workbook>
            """
    }

    /// Style 1 is a date (`yyyy-mm-dd`), style 2 a date and time.
    static let styles = Array((header + """
        <styleSheet xmlns="\(mainNamespace)">\
        <numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>\
        <fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """).utf8)
}

/// A zip file of stored (uncompressed) entries, each with its CRC-32, and the 1980-01-01 time
/// that DOS dates begin with, so the same entries give the same bytes.
struct ZipWriter {
    private var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    mutating func add(_ name: String, _ data: [UInt8]) {
        let crc = CRC32.checksum(data)
        let nameBytes = Array(name.utf8)
        let offset = bytes.count
        // Local header: signature, version 2.0, flags (bit 11: UTF-8 names), method 0 (stored),
        // time 0:00, date 1980-01-01, CRC, sizes, name length, no extra field.
        le32(&bytes, 0x0403_4B50); le16(&bytes, 20); le16(&bytes, 0x0800); le16(&bytes, 0); le16(&bytes, 0); le16(&bytes, 0x21)
        le32(&bytes, crc); le32(&bytes, UInt32(data.count)); le32(&bytes, UInt32(data.count)); le16(&bytes, UInt16(nameBytes.count)); le16(&bytes, 0)
        bytes += nameBytes
        bytes += data
        // Central directory entry: as above, plus made-by, comment, disk, attributes and offset.
        le32(&directory, 0x0201_4B50); le16(&directory, 20); le16(&directory, 20); le16(&directory, 0x0800); le16(&directory, 0)
        le16(&directory, 0); le16(&directory, 0x21); le32(&directory, crc); le32(&directory, UInt32(data.count)); le32(&directory, UInt32(data.count))
        le16(&directory, UInt16(nameBytes.count)); le16(&directory, 0); le16(&directory, 0); le16(&directory, 0); le16(&directory, 0)
        le32(&directory, 0); le32(&directory, UInt32(offset))
        directory += nameBytes
        count += 1
    }

    /// The whole file: the entries, the central directory and its end record.
    mutating func finish() -> [UInt8] {
        let start = bytes.count
        bytes += directory
        le32(&bytes, 0x0605_4B50); le16(&bytes, 0); le16(&bytes, 0); le16(&bytes, UInt16(count)); le16(&bytes, UInt16(count))
        le32(&bytes, UInt32(directory.count)); le32(&bytes, UInt32(start)); le16(&bytes, 0)
        return bytes
    }

    private func le16(_ out: inout [UInt8], _ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
    private func le32(_ out: inout [UInt8], _ v: UInt32) { for k in 0..<4 { out.append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) } }
}

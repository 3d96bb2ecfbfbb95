/// The parts of an .xlsx workbook (ECMA-376, SpreadsheetML) that say how to read a sheet: its
/// sheets by name and the part each lives in, the date system, which cell styles are dates,
/// and the shared strings.
///
///     let book = try XLSXWorkbook(zip, limit: memory)
///     let part = try book.sheetPart(named: "Orders")
struct XLSXWorkbook {
    struct Sheet {
        var name: String
        var part: String
    }

    let zip: ZipArchive
    private(set) var sheets: [Sheet] = []
    /// True when serial numbers count days from 1904-01-01 (`<workbookPr date1904="1"/>`).
    private(set) var date1904 = false
    /// Per cell style (`s` of a cell, an index into `cellXfs`): whether its number format shows
    /// a date or a time.
    private(set) var dateStyles: [Bool] = []
    private var sharedStringsPart: String?
    private var stylesPart: String?
    let limit: Int

    init(_ zip: ZipArchive, limit: Int, isCancelled: @escaping () -> Bool = { false }) throws(ZipArchive.Failure) {
        self.zip = zip
        self.limit = limit
        var workbookPart = "xl/workbook.xml"
        if zip.contains("_rels/.rels") {
            let rels = try Self.relationships(zip.extract("_rels/.rels", limit: limit), base: "")
            if let main = rels.first(where: { $0.type.hasSuffix("/officeDocument") }) { workbookPart = main.target }
        }
        guard zip.contains(workbookPart) else {
            throw ZipArchive.Failure("is a zip file but not an .xlsx workbook (it has no \(workbookPart))")
        }
        let folder = FilePath.folder(of: workbookPart)
        let relsPart = FilePath.join(folder, "_rels/" + FilePath.lastComponent(workbookPart) + ".rels")
        let rels = zip.contains(relsPart) ? try Self.relationships(zip.extract(relsPart, limit: limit), base: folder) : []
        var byID: [String: String] = [:]
        for r in rels { byID[r.id] = r.target }
        sharedStringsPart = rels.first { $0.type.hasSuffix("/sharedStrings") }?.target ?? (zip.contains(folder + "/sharedStrings.xml") ? folder + "/sharedStrings.xml" : nil)
        stylesPart = rels.first { $0.type.hasSuffix("/styles") }?.target ?? (zip.contains(folder + "/styles.xml") ? folder + "/styles.xml" : nil)

        let workbook = try zip.extract(workbookPart, limit: limit)
        try Self.scan(workbook, part: workbookPart) { xml, event in
            guard case .start(let name, let attributes, _) = event else { return }
            if xml.named(name, "workbookPr") {
                let v = xml.attributeText("date1904", in: attributes)
                date1904 = v == "1" || v == "true"
            } else if xml.named(name, "sheet") {
                let sheetName = xml.attributeText("name", in: attributes) ?? "Sheet\(sheets.count + 1)"
                let id = xml.attributeText("id", in: attributes, anyPrefix: true) ?? ""
                let part = byID[id] ?? FilePath.join(folder, "worksheets/sheet\(sheets.count + 1).xml")
                sheets.append(Sheet(name: sheetName, part: part))
            }
        }
        if let stylesPart, zip.contains(stylesPart) {
            dateStyles = try Self.dateStyles(zip.extract(stylesPart, limit: limit), part: stylesPart)
        }
    }

    /// The sheet called `name` (exactly, else the one whose name differs only in case), or
    /// the first sheet when `name` is nil.
    func sheet(named name: String?) throws(ZipArchive.Failure) -> Sheet {
        guard let first = sheets.first else { throw ZipArchive.Failure("is a workbook without sheets") }
        guard let name else { return first }
        if let s = sheets.first(where: { $0.name == name }) { return s }
        let folded = sheets.filter { $0.name.lowercased() == name.lowercased() }
        if folded.count == 1 { return folded[0] }
        let listed = sheets.prefix(20).map { "\"\($0.name)\"" }.joined(separator: ", ") + (sheets.count > 20 ? ", … (\(sheets.count) in all)" : "")
        let guess = Suggest.closest(to: name, among: sheets.map(\.name)).map { "did you mean \"\($0)\"? " } ?? ""
        throw ZipArchive.Failure("has no sheet \"\(name)\"; \(guess)its sheets are \(listed)")
    }

    /// The shared strings: their UTF-8 bytes one after another, and where each starts (with
    /// the end as the last offset).
    func sharedStrings() throws(ZipArchive.Failure) -> (bytes: [UInt8], offsets: [Int]) {
        guard let part = sharedStringsPart, zip.contains(part) else { return ([], [0]) }
        let xml = try zip.extract(part, limit: limit)
        var bytes: [UInt8] = []
        var offsets = [0]
        bytes.reserveCapacity(xml.count / 2)
        var depthT = 0, inPhonetic = false, inItem = false
        try Self.scan(xml, part: part) { x, event in
            switch event {
            case .start(let name, _, let empty):
                if x.named(name, "si") {
                    if empty { offsets.append(bytes.count) } else { inItem = true }
                } else if x.named(name, "rPh") && !empty {
                    inPhonetic = true
                } else if x.named(name, "t") && !empty {
                    depthT += 1
                }
            case .end(let name):
                if x.named(name, "si") {
                    if inItem { offsets.append(bytes.count) }
                    inItem = false
                } else if x.named(name, "rPh") {
                    inPhonetic = false
                } else if x.named(name, "t") {
                    depthT = max(0, depthT - 1)
                }
            case .text(let r):
                if inItem && depthT > 0 && !inPhonetic { XLSXText.append(x, r, to: &bytes) }
            case .cdata(let r):
                if inItem && depthT > 0 && !inPhonetic { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: x.p[r])) }
            }
        }
        return (bytes, offsets)
    }

    /// Runs `body` on every event of the XML part `bytes`.
    static func scan(_ bytes: [UInt8], part: String, _ body: (XMLScanner, XMLScanner.Event) throws(ZipArchive.Failure) -> Void) throws(ZipArchive.Failure) {
        // SAFETY: the scanner reads the array's bytes only inside the closure.
        let failure: ZipArchive.Failure? = bytes.withUnsafeBufferPointer { p in
            var xml = XMLScanner(p)
            do {
                while let event = try xml.next() { try body(xml, event) }
            } catch let e as XMLScanner.Failure {
                return ZipArchive.Failure("is damaged: its part \(part) \(e.message)")
            } catch let e as ZipArchive.Failure {
                return e
            } catch {
                return ZipArchive.Failure("\(error)")
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// The relationships of a `.rels` part: id, type and target, the target resolved against
    /// `base` (the folder of the part they belong to).
    static func relationships(_ bytes: [UInt8], base: String) throws(ZipArchive.Failure) -> [(id: String, type: String, target: String)] {
        var out: [(id: String, type: String, target: String)] = []
        try scan(bytes, part: "relationships") { xml, event in
            guard case .start(let name, let attributes, _) = event, xml.named(name, "Relationship"),
                  let target = xml.attributeText("Target", in: attributes) else { return }
            if xml.attributeText("TargetMode", in: attributes) == "External" { return }
            out.append((xml.attributeText("Id", in: attributes) ?? "", xml.attributeText("Type", in: attributes) ?? "", resolve(target, base: base)))
        }
        return out
    }

    /// `worksheets/sheet1.xml` in folder `xl` → `xl/worksheets/sheet1.xml`; `/xl/…` is absolute;
    /// `..` steps out of a folder.
    static func resolve(_ target: String, base: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = parts.popLast() } else if piece != "." { parts.append(piece) }
        }
        return parts.joined(separator: "/")
    }

    /// Per entry of `cellXfs`, whether its number format is a date or time: the built-in
    /// formats 14–22 and 45–47, or a custom format whose code has a day, month, year, hour or
    /// second outside quotes, brackets and escapes.
    static func dateStyles(_ bytes: [UInt8], part: String) throws(ZipArchive.Failure) -> [Bool] {
        var custom: [Int: Bool] = [:]
        var styles: [Bool] = []
        var inCellXfs = false
        try scan(bytes, part: part) { xml, event in
            switch event {
            case .start(let name, let attributes, let empty):
                if xml.named(name, "numFmt"), let id = xml.attributeText("numFmtId", in: attributes).flatMap({ Int($0) }) {
                    custom[id] = isDateFormat(xml.attributeText("formatCode", in: attributes) ?? "")
                } else if xml.named(name, "cellXfs") {
                    inCellXfs = !empty
                } else if inCellXfs && xml.named(name, "xf") {
                    let id = xml.attributeText("numFmtId", in: attributes).flatMap { Int($0) } ?? 0
                    styles.append(custom[id] ?? ((14...22).contains(id) || (45...47).contains(id)))
                }
            case .end(let name):
                if xml.named(name, "cellXfs") { inCellXfs = false }
            default:
                break
            }
        }
        return styles
    }

    /// Whether a number format code shows a date or a time (`yyyy-mm-dd`, `d/m/yy h:mm`,
    /// `[$-fa-IR]yyyy/mm/dd`), not a number (`#,##0.00`, `0%`, `"days" 0`).
    static func isDateFormat(_ code: String) -> Bool {
        // Only the first section (positive numbers) decides.
        var inQuotes = false, inBracket = false, escaped = false
        var bracket = ""
        for c in code.lowercased() {
            if escaped { escaped = false; continue }
            if inQuotes { if c == "\"" { inQuotes = false }; continue }
            if inBracket {
                guard c == "]" else { bracket.append(c); continue }
                // [h], [mm], [ss]: elapsed time; [red], [$-409], [>100] are not.
                if let f = bracket.first, "hms".contains(f), bracket.allSatisfy({ $0 == f }) { return true }
                inBracket = false
                bracket = ""
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case "[": inBracket = true
            case "\\", "_", "*": escaped = true
            case ";": return false
            case "d", "m", "y", "h", "s": return true
            default: break
            }
        }
        return false
    }
}

/// Text of a string cell: XML entities and the OOXML escapes `_xHHHH_` (a character XML cannot
/// hold, such as a control character) replaced.
enum XLSXText {
    static func append(_ xml: XMLScanner, _ range: Range<Int>, to out: inout [UInt8]) {
        let start = out.count
        if xml.hasEntity(range) {
            xml.decode(range, into: &out)
        } else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: xml.p[range]))
        }
        unescape(&out, from: start)
    }

    /// Whether the bytes need `append` rather than being taken as they are.
    static func needsDecoding(_ xml: XMLScanner, _ range: Range<Int>) -> Bool {
        xml.hasEntity(range) || xml.find(95, from: range.lowerBound, to: range.upperBound) != nil
    }

    /// Replaces `_xHHHH_` from `from` on; `_x005F_` is an underscore, so `_x005F_x0041_` stays
    /// `_x0041_`.
    static func unescape(_ out: inout [UInt8], from: Int) {
        guard out[from...].contains(95) else { return }
        var result: [UInt8] = []
        var i = from
        let n = out.count
        while i < n {
            if out[i] == 95, i + 6 < n, out[i + 1] == 120, out[i + 6] == 95, let v = hex(out[(i + 2)..<(i + 6)]), let s = Unicode.Scalar(v) {
                result.append(contentsOf: Array(String(Character(s)).utf8))
                i += 7
            } else {
                result.append(out[i])
                i += 1
            }
        }
        out.replaceSubrange(from..<n, with: result)
    }

    private static func hex(_ digits: ArraySlice<UInt8>) -> UInt32? {
        var v: UInt32 = 0
        for b in digits {
            switch b {
            case 48...57: v = v * 16 + UInt32(b - 48)
            case 65...70: v = v * 16 + UInt32(b - 55)
            case 97...102: v = v * 16 + UInt32(b - 87)
            default: return nil
            }
        }
        return v
    }
}

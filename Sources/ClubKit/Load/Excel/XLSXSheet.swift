import Foundation

/// The cells of one worksheet that hold a value, by column, each pointing at its bytes in the
/// sheet's XML, in the shared strings or in `extra` (text that needed its entities replaced).
///
/// Rows without a value (blank, or only formatted) are left out, as blank lines are in CSV; a
/// row that has one becomes a table row, and `rowNumbers` keeps its number in the sheet for
/// messages (`Sheet1!C42`). A missing cell is a null.
struct XLSXSheet {
    /// A cell with a value. 16 bytes: the table row, the kind and length packed in one word,
    /// and where the bytes start (for a shared string, its index).
    struct Cell {
        var row: Int32
        var packed: UInt32
        var start: Int

        enum Kind: UInt32 {
            /// `<v>` of a number cell, in the sheet's XML.
            case number = 0
            /// A number cell whose style is a date or time format: a serial day number.
            case date
            /// Text in the sheet's XML (an inline string or a formula's text, nothing to decode).
            case text
            /// Text in `extra`.
            case extraText
            /// A shared string: `start` is its index.
            case shared
            case bool
        }

        init(row: Int32, kind: Kind, start: Int, length: Int) {
            self.row = row
            self.packed = kind.rawValue << 28 | UInt32(length)
            self.start = start
        }

        var kind: Kind { Kind(rawValue: packed >> 28)! }
        var length: Int { Int(packed & 0x0FFF_FFFF) }
    }

    var name: String
    /// The inflated XML of the sheet, which number and text cells point into.
    var xml: [UInt8]
    var columns: [[Cell]] = []
    var rowNumbers: [Int32] = []
    var extra: [UInt8] = []
    /// Cells holding an error (`#N/A`, `#DIV/0!`), read as null.
    var errorCells = 0

    /// Excel's limits: 16,384 columns (A … XFD) and 1,048,576 rows.
    static let maxColumns = 16_384
    static let maxRows = 1_048_576

    /// Reads the cells of `xml`, the sheet's part `part`. `dateStyles` says which cell styles are
    /// dates; shared strings are numbered below `sharedCount`. XML that is cut short or whose
    /// tags do not match, a shared string index that is not one, and a cell reference beyond
    /// the sheet's limits are errors, never cells quietly left out or moved.
    init(name: String, part: String, xml: [UInt8], dateStyles: [Bool], sharedCount: Int, isCancelled: () -> Bool) throws(ZipArchive.Failure) {
        self.name = name
        self.xml = xml
        var failure: ZipArchive.Failure?
        var columns: [[Cell]] = []
        var rowNumbers: [Int32] = []
        var extra: [UInt8] = []
        var errorCells = 0
        // SAFETY: the scanner reads the sheet's bytes only inside the closure.
        xml.withUnsafeBufferPointer { p in
            var scanner = XMLScanner(p)
            var inSheetData = false
            var rowNumber = 0, registered = false, inRow = false
            var column = -1
            // The cell being read.
            var inCell = false, cellColumn = 0, cellType: UInt8 = 0, cellDate = false
            var value: Range<Int>?, valueInExtra = false
            var inValue = false, inInline = false, inPhonetic = false, textDepth = 0, inlineStart = 0
            var events = 0
            func fail(_ message: String) { failure = ZipArchive.Failure(message) }
            func finishCell() -> Bool {
                defer { inCell = false; value = nil; valueInExtra = false }
                let kind: Cell.Kind
                var start = 0, length = 0
                switch cellType {
                case 115: // s: shared string
                    guard let r = value else { return true }
                    if !valueInExtra, let index = Self.integer(p, r), index < sharedCount {
                        start = index
                    } else {
                        // Not a plain index in range: a CDATA value, spaces, a sign, a fraction, too many digits.
                        let bytes = valueInExtra ? Array(extra[r]) : Array(UnsafeBufferPointer(rebasing: p[r]))
                        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        let cell = Self.reference(sheet: name, column: cellColumn, row: rowNumber)
                        if let index = Int(text), index >= 0, index < sharedCount {
                            start = index
                        } else if !text.isEmpty, text.drop(while: { $0 == "-" || $0 == "+" }).allSatisfy({ ("0"..."9").contains($0) }) {
                            fail("is damaged: cell \(cell) refers to shared string \(Self.shown(text)), but the workbook has \(sharedCount)")
                            return false
                        } else {
                            fail("is damaged: cell \(cell) refers to shared string \(Self.shown(text)), which is not a whole number")
                            return false
                        }
                    }
                    kind = .shared
                case 98: // b
                    guard let r = value, !r.isEmpty else { return true }
                    kind = .bool
                    start = p[r.lowerBound] == 49 || p[r.lowerBound] == 116 ? 1 : 0
                case 101: // e: #N/A and friends
                    if value != nil { errorCells += 1 }
                    return true
                case 110: // n (number)
                    guard let r = value, !r.isEmpty else { return true }
                    kind = cellDate ? .date : .number
                    (start, length) = (r.lowerBound, r.count)
                default: // str, inlineStr, d: text
                    guard let r = value, !r.isEmpty else { return true }
                    kind = valueInExtra ? .extraText : .text
                    (start, length) = (r.lowerBound, r.count)
                }
                guard length < 1 << 28 else { fail("has a cell of more than 256 MB"); return false }
                if !registered {
                    rowNumbers.append(Int32(clamping: rowNumber))
                    registered = true
                }
                while columns.count <= cellColumn { columns.append([]) }
                columns[cellColumn].append(Cell(row: Int32(rowNumbers.count - 1), kind: kind, start: start, length: length))
                return true
            }
            do throws(XMLScanner.Failure) {
                while let event = try scanner.next() {
                    events &+= 1
                    if events & 0xFFFF == 0 && isCancelled() { failure = ZipArchive.Failure("interrupted"); return }
                    switch event {
                    case .start(let tag, let attributes, let empty):
                        if !inSheetData {
                            if scanner.named(tag, "sheetData") && !empty { inSheetData = true }
                            continue
                        }
                        if inCell {
                            if scanner.named(tag, "v") { inValue = !empty }
                            else if scanner.named(tag, "is") { inInline = !empty; inlineStart = extra.count }
                            else if scanner.named(tag, "rPh") { inPhonetic = !empty }
                            else if scanner.named(tag, "t") && !empty { textDepth += 1 }
                        } else if scanner.named(tag, "c") {
                            inCell = true
                            cellType = 110
                            cellDate = false
                            if let r = scanner.attribute("r", in: attributes) {
                                guard let (c, _) = Self.cellReference(p, r) else { fail(Self.badReference(sheet: name, p, r)); return }
                                column = c
                            } else {
                                column += 1
                            }
                            guard column < Self.maxColumns else { fail("is damaged: its sheet \"\(name)\" has a cell beyond column XFD, the last a sheet has"); return }
                            guard rowNumber >= 1 && rowNumber <= Self.maxRows else {
                                fail("is damaged: its sheet \"\(name)\" has a row numbered \(rowNumber); a sheet's rows are 1 to 1,048,576")
                                return
                            }
                            cellColumn = column
                            if let t = scanner.attribute("t", in: attributes), !t.isEmpty {
                                cellType = p[t.lowerBound]
                                // "str" and "s" share a first letter.
                                if cellType == 115 && t.count > 1 { cellType = 83 }
                            }
                            if cellType == 110, let s = scanner.attribute("s", in: attributes), let style = Self.integer(p, s) {
                                cellDate = style >= 0 && style < dateStyles.count && dateStyles[style]
                            }
                            if empty, !finishCell() { return }
                        } else if scanner.named(tag, "row") {
                            rowNumber = scanner.attribute("r", in: attributes).flatMap { Self.integer(p, $0) } ?? (rowNumber + 1)
                            registered = false
                            inRow = !empty
                            column = -1
                        }
                    case .end(let tag):
                        guard inSheetData else { continue }
                        if inCell {
                            if scanner.named(tag, "c") { if !finishCell() { return } }
                            else if scanner.named(tag, "v") { inValue = false }
                            else if scanner.named(tag, "rPh") { inPhonetic = false }
                            else if scanner.named(tag, "t") { textDepth = max(0, textDepth - 1) }
                            else if scanner.named(tag, "is") {
                                inInline = false
                                value = inlineStart..<extra.count
                                valueInExtra = true
                            }
                        } else if scanner.named(tag, "row") {
                            inRow = false
                        } else if scanner.named(tag, "sheetData") {
                            inSheetData = false
                        }
                    case .text(let r):
                        guard inCell else { continue }
                        if inValue {
                            if cellType == 83 || cellType == 100 || cellType == 105, XLSXText.needsDecoding(scanner, r) {
                                let start = extra.count
                                XLSXText.append(scanner, r, to: &extra)
                                value = start..<extra.count
                                valueInExtra = true
                            } else {
                                value = r
                            }
                        } else if inInline && textDepth > 0 && !inPhonetic {
                            XLSXText.append(scanner, r, to: &extra)
                        }
                    case .cdata(let r):
                        guard inCell else { continue }
                        if inValue || (inInline && textDepth > 0 && !inPhonetic) {
                            let start = inInline ? inlineStart : extra.count
                            extra.append(contentsOf: UnsafeBufferPointer(rebasing: p[r]))
                            if inValue { value = start..<extra.count; valueInExtra = true }
                        }
                    }
                }
            } catch {
                // Where the cut came, for a sheet cut short: the last row begun.
                let place = !error.message.hasPrefix("ends inside") || !inSheetData || rowNumber == 0 ? ""
                    : inRow ? ", in row \(rowNumber)" : ", after row \(rowNumber)"
                fail("is damaged: its sheet \"\(name)\" (\(part)) \(error.message)\(place)")
            }
        }
        if let failure { throw failure }
        self.columns = columns
        self.rowNumbers = rowNumbers
        self.extra = extra
        self.errorCells = errorCells
    }

    /// `C42` → column 2 (0-based) and row 42; nil when it is not a cell reference inside
    /// Excel's limits (A1 … XFD1048576).
    static func cellReference(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> (Int, Int)? {
        var i = r.lowerBound
        var column = 0
        while i < r.upperBound, (65...90).contains(p[i]) || (97...122).contains(p[i]) {
            column = column * 26 + Int((p[i] & ~32) - 64)
            guard column <= maxColumns else { return nil }
            i += 1
        }
        guard column > 0, i < r.upperBound, let row = integer(p, i..<r.upperBound), row >= 1, row <= maxRows else { return nil }
        return (column - 1, row)
    }

    /// Why the `r` of a cell is refused, for a message.
    static func badReference(sheet: String, _ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self)
        let letters = text.prefix { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
        let digits = text.dropFirst(letters.count)
        let what: String
        if !letters.isEmpty, !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) {
            let column = letters.count > 3 ? Int.max : letters.uppercased().unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 }
            let row = digits.count > 12 ? Int.max : Int(digits)!
            what = column > maxColumns ? "beyond column XFD, the last a sheet has"
                : row > maxRows ? "beyond row 1,048,576, the last a sheet has"
                : "in row 0; a sheet's rows start at 1"
        } else {
            what = "which is not a cell reference like C42"
        }
        return "is damaged: its sheet \"\(sheet)\" has a cell \"\(shown(text))\", \(what)"
    }

    /// Text from the file for a message: at most 40 characters, control characters shown.
    static func shown(_ text: String) -> String {
        ValueFormat.visible(text.count > 40 ? text.prefix(40) + "…" : text)
    }

    /// A non-negative decimal integer of at most 12 digits, or nil.
    static func integer(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        guard !r.isEmpty, r.count <= 12 else { return nil }
        var v = 0
        for i in r {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// The letters of column `c` (0 → A, 26 → AA).
    static func columnLetters(_ c: Int) -> String {
        var n = c + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// `Sheet1!C42`, or `'My sheet'!C42` for a name that is not all letters, digits and `_`.
    static func reference(sheet: String, column: Int, row: Int) -> String {
        let plain = !sheet.isEmpty && sheet.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        let name = plain ? sheet : "'" + sheet.replacingOccurrences(of: "'", with: "''") + "'"
        return "\(name)!\(columnLetters(column))\(row)"
    }
}

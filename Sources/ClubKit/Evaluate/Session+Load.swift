import Foundation

/// `load`: reading a file into a table, replacing a table of the same name when what reads it
/// still works with the new one.
extension Session {
    func load(path: String, alias: Name?, options: [LoadOption], at: SourceLocation) throws(Diagnostic) -> [Output] {
        var csv = CSVOptions()
        let workbook = Self.isWorkbook(path)
        var sheet: String?
        var json = JSONReader.isJSONPath(path)
        var csvOnly: LoadOption?
        for option in options {
            if ["lenient", "header", "names", "delim"].contains(option.name) { csvOnly = csvOnly ?? option }
            switch (option.name, option.value) {
            case ("sheet", .string(let s)):
                guard workbook else {
                    throw Diagnostic("`sheet` picks a sheet of an .xlsx workbook, and \(FilePath.lastComponent(path)) is not one", at: option.location)
                }
                sheet = s
            case ("delim", _) where workbook:
                throw Diagnostic("`delim` is for delimited text; a workbook's values are in cells", at: option.location)
            case ("format", .word(let w)), ("format", .string(let w)):
                switch w.lowercased() {
                case "json", "jsonl", "ndjson": json = true
                case "csv": json = false
                default:
                    throw Diagnostic("`format` takes csv or json, not `\(w)`", at: option.location, hint: Suggest.hint(for: w, among: ["csv", "json"]))
                }
            case ("lenient", _): csv.lenient = true
            case ("header", .bool(let b)): csv.header = b
            case ("names", .names(let n)): csv.names = n
            case ("date_format", .string(let f)):
                guard DatePattern(f) != nil else {
                    throw Diagnostic("date_format \"\(f)\" is not a date pattern", at: option.location, hint: "use y, M, d (and H, m, s), like \"yyyyMMdd\" or \"dd/MM/yyyy\"")
                }
                csv.dateFormat = f
            case ("calendar", .word(let w)):
                guard let calendar = LoadCalendar(rawValue: w), calendar != .automatic else {
                    throw Diagnostic("`calendar` takes jalali or gregorian, not `\(w)`", at: option.location, hint: Suggest.hint(for: w, among: ["jalali", "gregorian"]) ?? "the Persian (Solar Hijri, shamsi) calendar is `jalali`")
                }
                csv.calendar = calendar
            case ("types", .types(let pairs)):
                for (column, typeName) in pairs {
                    guard let t = DataType.named(typeName), t != .duration, t != .null else {
                        throw Diagnostic("unknown type `\(typeName)`", at: option.location,
                                         hint: Suggest.hint(for: typeName, among: ["int", "double", "bool", "date", "datetime", "string"]) ?? "the types are int, double, bool, date, datetime, string")
                    }
                    csv.types[column] = t
                }
            case ("delim", .word(let w)), ("delim", .string(let w)):
                switch w {
                case "tab", "\t", "\\t": csv.delimiter = .byte(9)
                case "whitespace", "space", "spaces": csv.delimiter = .whitespace
                case "comma": csv.delimiter = .byte(44)
                case "semicolon": csv.delimiter = .byte(59)
                case "pipe": csv.delimiter = .byte(124)
                default:
                    guard w.utf8.count == 1, let b = w.utf8.first, b != 34, b != 10 else {
                        throw Diagnostic("`delim` takes one character, `tab` or `whitespace`, not \"\(w)\"", at: option.location)
                    }
                    csv.delimiter = .byte(b)
                }
            default:
                throw Diagnostic("option `\(option.name)` does not take that value", at: option.location)
            }
        }
        if json, let option = csvOnly {
            throw Diagnostic("`\(option.name)` is an option for CSV files", at: option.location,
                             hint: "a JSON file's columns are its keys; JSON takes `types`, `date_format` and `calendar`")
        }
        let name = alias?.text ?? Self.tableName(forPath: path)
        if catalog.definition(name) != nil || catalog.parameters[name] != nil || catalog.programs[name] != nil || catalog.campaigns[name] != nil {
            throw Diagnostic("`\(name)` is already a \(catalog.definition(name) != nil ? "named result" : catalog.programs[name] != nil ? "program" : catalog.campaigns[name] != nil ? "campaign" : "parameter")", at: alias?.location ?? at,
                             hint: "load it under another name with `as`")
        }
        let result: LoadResult
        let file = FilePath.resolve(path, in: directory)
        do {
            csv.isCancelled = isCancelled
            if let report = loadProgress {
                // The size only feeds the progress bar's MB/s: unknown (0) shows 0 MB/s, and the
                // load itself says why a file cannot be read.
                let size = ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? Int) ?? 0
                csv.progress = { done, rows in report(path, done, rows, size) }
            }
            if workbook {
                result = try XLSXReader.read(path: file, sheet: sheet, options: csv, memoryLimit: catalog.memoryLimit.bytes)
            } else {
                result = json ? try JSONReader.read(path: file, options: csv) : try CSVReader.read(path: file, options: csv)
            }
            loadProgress?(path, 1, result.table.rowCount, -1)
        } catch let e as LoadError {
            switch e.kind {
            case .interrupted:
                throw Diagnostic.interrupted
            case .noSuchFile:
                throw Diagnostic("cannot load \(e.description)", at: at, hint: Self.nearbyFile(file).map { "did you mean \"\(FilePath.join(FilePath.folder(of: path), FilePath.lastComponent($0)))\"?" })
            case .unreadable, .malformed, .badOption:
                throw Diagnostic("cannot load \(e.description)", at: at)
            }
        } catch {
            throw Diagnostic("cannot load \(path): \(error)", at: at)
        }
        let asOfBefore = catalog.asOf
        try catalog.store(result.table, as: name, at: alias?.location ?? at)
        var outputs: [Output] = [.message("loaded \(name): \(count(result.table.rowCount, "row")) × \(count(result.table.columns.count, "column")) from \(path)\(result.sheet.map { ", sheet \"\($0)\"" } ?? "")")]
        if catalog.asOf != asOfBefore { outputs.append(.message("as of \(catalog.calendar.format(catalog.asOf)), the latest transaction date now")) }
        if result.skippedRows > 0 {
            let lines = result.skipped.map { "\($0.cell ?? "line \($0.line)"): \($0.message)" }.joined(separator: "; ")
            outputs.append(.warning("skipped \(count(result.skippedRows, "row")) that did not parse (\(lines)\(result.skippedRows > result.skipped.count ? "; …" : ""))"))
        }
        outputs += result.notes.map { .warning($0) }
        return outputs
    }

    /// Whether `path` names an Excel workbook (.xlsx, or .xlsm with macros, which are not run),
    /// read by `XLSXReader`; any other file is delimited text.
    static func isWorkbook(_ path: String) -> Bool {
        ["xlsx", "xlsm"].contains((path as NSString).pathExtension.lowercased())
    }

    /// `Samples/data/orders.csv` → `orders`: the file stem, made into an identifier.
    static func tableName(forPath path: String) -> String {
        let stem = (FilePath.lastComponent(path) as NSString).deletingPathExtension
        var name = String(stem.unicodeScalars.map { isIdentifierPart($0) ? Character($0) : "_" })
        if let f = name.unicodeScalars.first, !isIdentifierStart(f) { name = "_" + name }
        return name.isEmpty ? "table" : name
    }

    /// A file in the same folder whose name is close to the missing one.
    static func nearbyFile(_ path: String) -> String? {
        let dir = FilePath.folder(of: path)
        let file = FilePath.lastComponent(path)
        // A folder that cannot be listed holds no suggestion; the error stands without a hint.
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir),
              let match = Suggest.closest(to: file, among: entries) else { return nil }
        return FilePath.join(dir, match)
    }

}

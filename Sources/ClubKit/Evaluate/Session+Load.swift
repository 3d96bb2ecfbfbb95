import Foundation

/// `load`: reading a file into a table, replacing a table of the same name when what reads it
/// still works with the new one.
extension Session {
    func load(path: String, alias: Name?, options: [LoadOption], at: SourceLocation) throws(Diagnostic) -> [Output] {
        var csv = CSVOptions()
        for option in options {
            switch (option.name, option.value) {
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
        let name = alias?.text ?? Self.tableName(forPath: path)
        if catalog.definition(name) != nil || catalog.parameters[name] != nil || catalog.programs[name] != nil {
            throw Diagnostic("`\(name)` is already a \(catalog.definition(name) != nil ? "named result" : catalog.programs[name] != nil ? "program" : "parameter")", at: alias?.location ?? at,
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
            result = try CSVReader.read(path: file, options: csv)
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
        var outputs: [Output] = [.message("loaded \(name): \(count(result.table.rowCount, "row")) × \(count(result.table.columns.count, "column")) from \(path)")]
        if catalog.asOf != asOfBefore { outputs.append(.message("as of \(CivilDate.format(catalog.asOf)), the latest transaction date now")) }
        if result.skippedRows > 0 {
            let lines = result.skipped.map { "line \($0.line): \($0.message)" }.joined(separator: "; ")
            outputs.append(.warning("skipped \(count(result.skippedRows, "row")) that did not parse (\(lines)\(result.skippedRows > result.skipped.count ? "; …" : ""))"))
        }
        outputs += result.notes.map { .warning($0) }
        return outputs
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

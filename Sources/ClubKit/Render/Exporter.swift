import Foundation

/// `export … to "file"`: the format follows the extension (.csv, .tsv, .json, .jsonl, .md, .xlsx);
/// the file is written through `OutputFile`, so an existing file needs `overwrite`.
enum Exporter {
    /// What a file name asks for: text in an output mode, or an Excel workbook.
    enum Format: Equatable {
        case text(OutputMode)
        case workbook
    }

    /// The text formats by extension.
    static let formats: [String: OutputMode] = ["csv": .csv, "tsv": .tsv, "json": .json, "jsonl": .jsonl, "md": .markdown]

    static func write(_ table: Table, to path: String, overwrite: Bool, at location: SourceLocation,
                      isCancelled: () -> Bool = { false }, beforeStandardStream: () -> Void = {}) throws(Diagnostic) {
        let existing: OutputFile.Existing = overwrite ? .overwrite : .refuse
        do {
            switch try format(of: path, at: location) {
            case .text(let mode):
                let text = TableRenderer(mode: mode).render(table)
                try OutputFile.write(text, to: path, existing: existing, isCancelled: isCancelled, beforeStandardStream: beforeStandardStream)
            case .workbook:
                let sheet = (FilePath.lastComponent(path) as NSString).deletingPathExtension
                let bytes: [UInt8]
                do {
                    bytes = try XLSXWriter.workbook(table, sheet: sheet)
                } catch {
                    throw Diagnostic("cannot export to \(path): \(error.message)", at: location)
                }
                try OutputFile.write(bytes: bytes, to: path, existing: existing, isCancelled: isCancelled, beforeStandardStream: beforeStandardStream)
            }
        } catch let error as Diagnostic {
            throw error
        } catch let error as OutputFileError {
            throw Diagnostic(writing: error, at: location, hint: "add `overwrite` to replace it")
        } catch {
            throw Diagnostic("cannot export to \(path): \(error)", at: location)
        }
    }

    /// The format for `path`: by its extension; CSV for a stream without one (`/dev/stdout`, a
    /// FIFO). Anything else is refused rather than written as CSV under a misleading name.
    static func format(of path: String, at location: SourceLocation) throws(Diagnostic) -> Format {
        let ext = (path as NSString).pathExtension.lowercased()
        if let mode = formats[ext] { return .text(mode) }
        if ext == "xlsx" { return .workbook }
        if OutputFile.writesInPlace(path) { return .text(.csv) }
        let known = ".csv, .tsv, .json, .jsonl, .md or .xlsx"
        throw Diagnostic(ext.isEmpty ? "export needs to know the format of \(path)" : "export does not write .\(ext) files",
                         at: location, hint: "name the file with \(known)")
    }
}

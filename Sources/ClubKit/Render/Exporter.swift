import Foundation

/// `export … to "file"`: the format follows the extension (.csv, .tsv, .json, .jsonl, .md); the
/// file is written through `OutputFile`, so an existing file needs `overwrite`.
enum Exporter {
    /// The formats by extension.
    static let formats: [String: OutputMode] = ["csv": .csv, "tsv": .tsv, "json": .json, "jsonl": .jsonl, "md": .markdown]

    static func write(_ table: Table, to path: String, overwrite: Bool, at location: SourceLocation,
                      isCancelled: () -> Bool = { false }, beforeStandardStream: () -> Void = {}) throws(Diagnostic) {
        let mode = try format(of: path, at: location)
        let text = TableRenderer(mode: mode).render(table)
        do {
            try OutputFile.write(text, to: path, existing: overwrite ? .overwrite : .refuse,
                                 isCancelled: isCancelled, beforeStandardStream: beforeStandardStream)
        } catch {
            throw Diagnostic(writing: error, at: location, hint: "add `overwrite` to replace it")
        }
    }

    /// The format for `path`: by its extension; CSV for a stream without one (`/dev/stdout`, a
    /// FIFO). Anything else is refused rather than written as CSV under a misleading name.
    static func format(of path: String, at location: SourceLocation) throws(Diagnostic) -> OutputMode {
        let ext = (path as NSString).pathExtension.lowercased()
        if let mode = formats[ext] { return mode }
        if OutputFile.writesInPlace(path) { return .csv }
        let known = ".csv, .tsv, .json, .jsonl or .md"
        throw Diagnostic(ext.isEmpty ? "export needs to know the format of \(path)" : "export does not write .\(ext) files",
                         at: location, hint: "name the file with \(known)")
    }
}

import Foundation

/// `export … to "file"`: the format follows the extension (.csv, .tsv, .json, .jsonl, .md).
enum Exporter {
    static func write(_ table: Table, to path: String, overwrite: Bool, at location: SourceLocation) throws(Diagnostic) {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) && !overwrite {
            throw Diagnostic("\(path) already exists", at: location, hint: "add `overwrite` to replace it")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        let mode: OutputMode = ["tsv": .tsv, "json": .json, "jsonl": .jsonl, "md": .markdown][ext] ?? .csv
        let text = TableRenderer(mode: mode).render(table)
        let dir = (path as NSString).deletingLastPathComponent
        do {
            if !dir.isEmpty { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw Diagnostic("cannot write \(path): \(error.localizedDescription)", at: location)
        }
    }
}

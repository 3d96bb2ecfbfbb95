import Foundation

/// Files a statement writes besides `export`: `chart … to "file.svg"`.
extension Session {
    /// Writes the chart as SVG. Only a `.svg` name is accepted (a chart written over the CSV just
    /// loaded is data lost), unless the target is a stream such as `/dev/stdout` or a FIFO.
    func writeChart(_ chart: Chart, to path: String, overwrite: Bool, at location: SourceLocation) throws(Diagnostic) {
        let ext = (path as NSString).pathExtension
        guard ext.lowercased() == "svg" || OutputFile.writesInPlace(path) else {
            throw Diagnostic("`chart … to` writes SVG, not \(ext.isEmpty ? "a file without an extension" : ".\(ext)")", at: location,
                             hint: "name the file \((FilePath.lastComponent(path) as NSString).deletingPathExtension).svg")
        }
        do {
            try OutputFile.write(chart.svg, to: FilePath.resolve(path, in: directory), existing: overwrite ? .overwrite : .refuse,
                                 isCancelled: isCancelled, beforeStandardStream: beforeWritingStandardStream)
        } catch {
            throw Diagnostic(writing: error, at: location, hint: "add `overwrite` after the file name to replace it")
        }
    }
}

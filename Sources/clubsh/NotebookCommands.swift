import ClubKit
import Foundation

/// `clubsh run [--update] FILE.md` and `clubsh check FILE.md` (brief §8): run every `clubsh`
/// block of a Markdown notebook in order in one fresh session, then print, write back or compare
/// the outputs.
enum NotebookCommands {
    /// Runs the notebook's cells; nil when a cell stopped at an error (reported on stderr).
    static func outputs(of notebook: Notebook, path: String, asOf: Int32?) -> [String]? {
        let shell = shell(for: path, asOf: asOf)
        var outputs: [String] = []
        for cell in notebook.cells {
            var captured = ""
            shell.sink = { captured += $0 }
            // Errors point into the Markdown file: the cell's statements start on the line after its fence.
            let ok = shell.run(source: cell.source, origin: path, lineOffset: cell.line)
            outputs.append(Notebook.endingWithNewline(captured))
            if !ok { return nil }
        }
        return outputs
    }

    /// A fresh session for the notebook at `path`, in table mode without colour.
    private static func shell(for path: String, asOf: Int32?) -> Shell {
        let shell = Shell(session: Session(asOf: asOf), mode: .table, keepGoing: false, interactive: false, color: false)
        // A notebook's relative paths are its own folder's, wherever clubsh runs it.
        let folder = FilePath.folder(of: path)
        shell.session.directory = folder.isEmpty ? nil : folder
        shell.session.isCancelled = { Terminal.interrupted != 0 }
        return shell
    }

    /// `clubsh run --html FILE.md`: the notebook as one web page on stdout. A block that stops
    /// at an error shows it on the page (and on stderr, as `run` does); the blocks after it do
    /// not run, the page says so, and the exit code is 1 as for `run`.
    static func page(_ path: String, asOf: Int32?) -> Int32 {
        guard let text = readNotebook(path) else { return 1 }
        let notebook = Notebook(markdown: text)
        guard readable(notebook, path: path) else { return 1 }
        let shell = shell(for: path, asOf: asOf)
        var cells: [[NotebookPage.Piece]?] = []
        var ok = true
        for cell in notebook.cells where ok {
            var pieces: [NotebookPage.Piece] = []
            shell.pieces = { pieces.append($0) }
            shell.sink = { pieces.append(.text($0)) }
            ok = shell.run(source: cell.source, origin: path, lineOffset: cell.line)
            cells.append(pieces)
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        Terminal.write(NotebookPage.html(notebook, cells: cells, name: name))
        return ok ? 0 : 1
    }

    /// The notebook's text, or nil after saying on stderr why it cannot be read.
    private static func readNotebook(_ path: String) -> String? {
        do throws(TextFile.Failure) {
            return try TextFile.read(path)
        } catch {
            Terminal.writeError("clubsh: cannot read \(path): \(error.reason)\n")
            return nil
        }
    }

    /// A `clubsh` or `output` fence that never closes would make the rest of the file its
    /// content; better to say so than to run or rewrite half a notebook.
    static func readable(_ notebook: Notebook, path: String) -> Bool {
        guard let line = notebook.unclosedBlockLine else { return true }
        Terminal.writeError("\(path):\(line):1: this block's fence is never closed; close it with a line of the same backticks\n")
        return false
    }

    static func run(_ path: String, update: Bool, asOf: Int32?) -> Int32 {
        var info = stat()
        if update, stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            Terminal.writeError("clubsh: run --update rewrites a notebook file, and \(path) is not a regular file\n")
            return 1
        }
        guard let text = readNotebook(path) else { return 1 }
        let notebook = Notebook(markdown: text)
        guard readable(notebook, path: path) else { return 1 }
        guard let outputs = outputs(of: notebook, path: path, asOf: asOf) else {
            if update { Terminal.writeError("clubsh: \(path) was not changed: a block stopped at an error\n") }
            return 1
        }
        if update {
            let fresh = notebook.updated(with: outputs).markdown
            if fresh != text {
                // `--update` exists to rewrite its own file: no `overwrite` needed, but the same
                // writer as every other file (atomic, mode kept, through a symbolic link).
                do { try OutputFile.write(fresh, to: path, existing: .overwrite) } catch {
                    Terminal.writeError("clubsh: \(error.message)\n")
                    return 1
                }
            }
            Terminal.writeError("updated \(path): \(outputs.count) block\(outputs.count == 1 ? "" : "s")\n")
            return 0
        }
        for (cell, output) in zip(notebook.cells, outputs) {
            Terminal.write(cell.source.split(separator: "\n").map { "[clubsh] " + $0 }.joined(separator: "\n") + "\n")
            Terminal.write(output)
        }
        return 0
    }

    static func check(_ path: String, asOf: Int32?) -> Int32 {
        guard let text = readNotebook(path) else { return 1 }
        let notebook = Notebook(markdown: text)
        guard readable(notebook, path: path) else { return 1 }
        guard let outputs = outputs(of: notebook, path: path, asOf: asOf) else { return 1 }
        var differing = 0
        for (cell, output) in zip(notebook.cells, outputs) where cell.stored != output {
            differing += 1
            Terminal.write("\(path):\(cell.line): the output of this block \(cell.stored == nil ? "is missing" : "differs")\n")
            Terminal.write(LineDiff.unified(cell.stored ?? "", output, oldName: "\(path) (stored)", newName: "fresh"))
        }
        if differing > 0 {
            Terminal.writeError("\(path): \(differing) of \(outputs.count) blocks differ; `clubsh run --update \(path)` writes the fresh outputs\n")
            return 1
        }
        Terminal.writeError("\(path): \(outputs.count) block\(outputs.count == 1 ? "" : "s") match\n")
        return 0
    }
}

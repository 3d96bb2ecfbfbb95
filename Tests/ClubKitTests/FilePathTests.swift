import Foundation
import XCTest
@testable import ClubKit

/// File names as statements write them: `~`, a notebook's folder, splitting paths (one-letter
/// names included), and `.save`'s rewriting of relative paths for another folder.
final class FilePathTests: XCTestCase {
    func testTildeIsTheHomeFolder() {
        XCTAssertEqual(FilePath.resolve("~/x.csv", home: "/home/sara"), "/home/sara/x.csv")
        XCTAssertEqual(FilePath.resolve("~/x.csv", home: "/home/sara/"), "/home/sara/x.csv")
        XCTAssertEqual(FilePath.resolve("~", home: "/home/sara"), "/home/sara")
        XCTAssertEqual(FilePath.resolve("~/x.csv", in: "lessons", home: "/home/sara"), "/home/sara/x.csv", "a notebook's folder does not apply")
        // Only `~` and `~/`: `~sara/x.csv` and a `~` inside a name are names.
        XCTAssertEqual(FilePath.resolve("~sara/x.csv", home: "/home/sara"), "~sara/x.csv")
        XCTAssertEqual(FilePath.resolve("a/~/x.csv", home: "/home/sara"), "a/~/x.csv")
        XCTAssertEqual(FilePath.resolve("~x.csv", home: "/home/sara"), "~x.csv")
    }

    /// The default home is HOME as the environment has it (read with getenv, not through
    /// ProcessInfo's copy of the whole environment): the two agree, and `~/x.csv` without a
    /// home given resolves against it.
    func testTheDefaultHomeIsTheEnvironmentsHOME() {
        let home = ProcessInfo.processInfo.environment["HOME"]
        XCTAssertEqual(FilePath.environmentHome, home)
        if let home, !home.isEmpty {
            XCTAssertEqual(FilePath.resolve("~/x.csv"), (home.hasSuffix("/") ? String(home.dropLast()) : home) + "/x.csv")
        }
    }

    func testRelativePathsAreTheFoldersWhenGiven() {
        XCTAssertEqual(FilePath.resolve("../data/orders.csv", in: "Samples/lessons"), "Samples/lessons/../data/orders.csv")
        XCTAssertEqual(FilePath.resolve("orders.csv", in: "/work/"), "/work/orders.csv")
        XCTAssertEqual(FilePath.resolve("/data/orders.csv", in: "lessons"), "/data/orders.csv")
        XCTAssertEqual(FilePath.resolve("orders.csv"), "orders.csv")
        XCTAssertEqual(FilePath.resolve("orders.csv", in: ""), "orders.csv")
    }

    /// As basename and dirname split them (except that a bare name has no folder: ""), one-letter
    /// names included, on which Foundation's NSString stops the program on Linux.
    func testSplittingPaths() {
        let cases: [(String, last: String, folder: String)] = [
            ("x", "x", ""), (".", ".", ""), ("x/", "x", ""), ("a/x", "x", "a"), ("/x", "x", "/"), ("/", "/", "/"),
            ("Samples/data/orders.csv", "orders.csv", "Samples/data"), ("a//b", "b", "a"), ("a/b//", "b", "a"), ("", "", ""),
        ]
        for (path, last, folder) in cases {
            XCTAssertEqual(FilePath.lastComponent(path), last, path)
            XCTAssertEqual(FilePath.folder(of: path), folder, path)
        }
        XCTAssertEqual(FilePath.join("", "x"), "x")
        XCTAssertEqual(FilePath.join("a/", "x"), "a/x")
        XCTAssertEqual(FilePath.join("a", "x"), "a/x")
    }

    func testLexicalAndRelative() {
        XCTAssertEqual(FilePath.lexical("/a/./b//c/../d"), "/a/b/d")
        XCTAssertEqual(FilePath.lexical("/../a"), "/a")
        XCTAssertEqual(FilePath.relative("/work/data/orders.csv", from: "/work/notes"), "../data/orders.csv")
        XCTAssertEqual(FilePath.relative("/work/data/orders.csv", from: "/work"), "data/orders.csv")
        XCTAssertEqual(FilePath.relative("/other/x.csv", from: "/work/notes/deep"), "../../../other/x.csv")
        XCTAssertEqual(FilePath.relative("/work", from: "/work"), ".")
    }

    /// Folders that exist, so that the system's view of them (links resolved) is what counts.
    private func folders() throws -> (work: String, notes: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-paths-\(UUID().uuidString)")
        let notes = root.appendingPathComponent("work/notes")
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        return (FilePath.physical(root.appendingPathComponent("work").path), FilePath.physical(notes.path))
    }

    func testSaveRewritesRelativePathsForTheNotebooksFolder() throws {
        let (work, notes) = try folders()
        let load = NotebookPaths.rebase(statement: "load \"data/orders.csv\" as o", output: "loaded o: 5 rows × 5 columns from data/orders.csv\n",
                                        from: work, to: notes)
        XCTAssertEqual(load.statement, "load \"../data/orders.csv\" as o")
        XCTAssertEqual(load.output, "loaded o: 5 rows × 5 columns from ../data/orders.csv\n")

        let export = NotebookPaths.rebase(statement: "export o | where amount > 1\n  | take 2 to \"out/o.csv\" overwrite",
                                          output: "exported 2 rows to out/o.csv\n", from: work, to: notes)
        XCTAssertEqual(export.statement, "export o | where amount > 1\n  | take 2 to \"../out/o.csv\" overwrite")
        XCTAssertEqual(export.output, "exported 2 rows to ../out/o.csv\n")

        let chart = NotebookPaths.rebase(statement: "o | chart bar to 'c.svg'", output: "wrote amount by channel to c.svg\n", from: work, to: notes)
        XCTAssertEqual(chart.statement, "o | chart bar to \"../c.svg\"")
        XCTAssertEqual(chart.output, "wrote amount by channel to ../c.svg\n")

        XCTAssertEqual(NotebookPaths.rebase(statement: ".read setup.club", output: "", from: work, to: notes).statement, ".read ../setup.club")
        // Into a folder below: the way down. A name with a quote is written back with an escape.
        XCTAssertEqual(NotebookPaths.rebase(statement: "load \"notes/a \\\"b\\\".csv\"", output: "", from: work, to: work + "/notes").statement,
                       "load \"a \\\"b\\\".csv\"")
    }

    func testSaveLeavesAloneWhatNeedsNoChange() throws {
        let (work, notes) = try folders()
        for statement in ["load \"/data/orders.csv\"", "load \"~/orders.csv\"", "orders | where city == \"data/x.csv\"",
                          "retention from 2024-01-01 to 2024-03-31", "let to = \"x.csv\""] {
            XCTAssertEqual(NotebookPaths.rebase(statement: statement, output: "x\n", from: work, to: notes).statement, statement)
        }
        // The same folder, named two ways.
        XCTAssertEqual(NotebookPaths.rebase(statement: "load \"a.csv\"", output: "", from: work, to: notes + "/..").statement, "load \"a.csv\"")
    }
}

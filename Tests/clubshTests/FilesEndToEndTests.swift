import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files are the user's: every writer refuses to replace a file unless told, keeps modes and
/// links, writes FIFOs and devices in place; notebooks run only what their author wrote.
final class FilesEndToEndTests: XCTestCase {
    private var work: URL!
    private let fm = FileManager.default

    override func setUpWithError() throws {
        work = try ClubshRun.workspace()
    }

    private func clubsh(_ arguments: [String], stdin: String = "") throws -> ClubshRun {
        try ClubshRun.run(arguments, stdin: stdin, directory: work)
    }

    private func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: false, encoding: .utf8)
    }

    private func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    private func mode(_ name: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(stat(path(name), &info), 0)
        return info.st_mode & 0o7777
    }

    private static let load = "load \"Fixtures/orders.csv\"\n"

    // MARK: - Every writer refuses an existing file unless told

    func testEveryWriterRefusesAnExistingFile() throws {
        for name in ["o.csv", "c.svg", "s.md", "r.csv"] { try write(name, "mine\n") }
        let cases: [(String, String)] = [
            ("export orders to \"o.csv\"", "o.csv already exists; add `overwrite` to replace it"),
            ("orders | agg n = count() by channel | chart bar to \"c.svg\"", "c.svg already exists; add `overwrite` after the file name to replace it"),
            (".save s.md", "s.md already exists; `.save s.md overwrite` replaces it"),
            (".output r.csv", "r.csv already exists; `.output r.csv append` adds to it, `.output r.csv overwrite` replaces it"),
        ]
        for (statement, message) in cases {
            let r = try clubsh([], stdin: Self.load + statement + "\n1 + 1\n")
            XCTAssertEqual(r.status, 1, statement)
            XCTAssertTrue(r.stderr.contains("<stdin>:2:"), r.stderr)
            XCTAssertTrue(r.stderr.hasSuffix(message + "\n"), "\(statement): \(r.stderr)")
        }
        for name in ["o.csv", "c.svg", "s.md", "r.csv"] { XCTAssertEqual(try read(name), "mine\n", name) }
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix(".") }, [], "no temporary files left")
    }

    func testEveryWriterReplacesWhenTold() throws {
        for name in ["o.csv", "c.svg", "s.md", "r.csv", "a.csv"] { try write(name, "mine\n") }
        let r = try clubsh([], stdin: Self.load + """
        export orders | take 1 | select order_id to "o.csv" overwrite
        orders | agg n = count() by channel | chart bar to "c.svg" overwrite
        1 + 1
        .save s.md overwrite
        .output r.csv overwrite
        2 + 2
        .output a.csv append
        3 + 3
        .output
        """)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read("o.csv"), "order_id\n1\n")
        XCTAssertTrue(try read("c.svg").hasPrefix("<svg"))
        XCTAssertTrue(try read("s.md").contains("```clubsh\n1 + 1\n```"))
        XCTAssertEqual(try read("r.csv"), "value\n4\n")
        XCTAssertEqual(try read("a.csv"), "mine\nvalue\n6\n")
    }

    func testOutputNeverReplacesAFileThatAppearedMeanwhile() throws {
        let r = try clubsh(["--keep-going"], stdin: Self.load + """
        .output a.csv
        1 + 1
        .output a.csv
        export orders | take 1 | select order_id to "a.csv"
        """)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("<stdin>:4:1: results already go to a.csv; `.output` alone puts the file in place\n"), r.stderr)
        XCTAssertTrue(r.stderr.hasSuffix("clubsh: the results for `.output a.csv` were not kept: a.csv already exists\n"), r.stderr)
        XCTAssertEqual(try read("a.csv"), "order_id\n1\n", "the export made first is kept")
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix(".") }, [])
    }

    func testWritersRefuseFormatsTheyDoNotWrite() throws {
        try write("orders.csv", "a,b\n1,2\n")
        let chart = try clubsh([], stdin: "load \"orders.csv\"\norders | chart bar to \"orders.csv\" overwrite\n")
        XCTAssertEqual(chart.status, 1)
        XCTAssertTrue(chart.stderr.hasSuffix("<stdin>:2:10: `chart … to` writes SVG, not .csv; name the file orders.svg\n"), chart.stderr)
        XCTAssertEqual(try read("orders.csv"), "a,b\n1,2\n", "the CSV just loaded is intact")
        let parquet = try clubsh([], stdin: Self.load + "export orders to \"o.parquet\"\n")
        XCTAssertTrue(parquet.stderr.hasSuffix("<stdin>:2:1: export does not write .parquet files; name the file with .csv, .tsv, .json, .jsonl, .md or .xlsx\n"), parquet.stderr)
        XCTAssertFalse(fm.fileExists(atPath: path("o.parquet")))
    }

    // MARK: - Kinds of target

    func testModeIsKeptAndSymlinksAreFollowed() throws {
        try write("secret.csv", "old\n")
        XCTAssertEqual(chmod(path("secret.csv"), 0o600), 0)
        try fm.createSymbolicLink(atPath: path("link.csv"), withDestinationPath: "secret.csv")
        let r = try clubsh([], stdin: Self.load + "export orders | take 1 | select order_id to \"link.csv\" overwrite\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: path("link.csv")), "secret.csv", "the link is still a link")
        XCTAssertEqual(try read("secret.csv"), "order_id\n1\n")
        XCTAssertEqual(mode("secret.csv"), 0o600)
    }

    func testAFolderIsRefused() throws {
        try fm.createDirectory(atPath: path("out.csv"), withIntermediateDirectories: true)
        let r = try clubsh([], stdin: Self.load + "export orders to \"out.csv\" overwrite\n")
        XCTAssertTrue(r.stderr.hasSuffix("<stdin>:2:1: cannot write out.csv: it is a folder\n"), r.stderr)
    }

    func testAFIFOIsWrittenInPlace() throws {
        XCTAssertEqual(mkfifo(path("feed"), 0o600), 0)
        let reader = Background { path in
            let fd = open(path, O_RDONLY)
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while fd >= 0 {
                let n = readDescriptor(fd, &chunk, chunk.count)
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            close(fd)
            return String(decoding: bytes, as: UTF8.self)
        }
        reader.start(path("feed"))
        let r = try clubsh([], stdin: Self.load + "export orders | take 2 | select order_id to \"feed\"\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(reader.wait(), "order_id\n1\n2\n")
        var info = stat()
        lstat(path("feed"), &info)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "still a FIFO")
    }

    func testDevNullAndStdoutAreWrittenInPlace() throws {
        let r = try clubsh([], stdin: Self.load + """
        .output /dev/null
        orders | count
        .output
        export orders | take 1 | select order_id to "/dev/null"
        1 + 1
        export orders | take 1 | select order_id to "/dev/stdout"
        2 + 2
        """)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "value\n2\norder_id\n1\nvalue\n4\n", "in order, and nothing from the .output to /dev/null")
        var info = stat()
        stat("/dev/null", &info)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR)
    }

    // MARK: - Notebooks

    func testDataCannotInjectABlockIntoANotebook() throws {
        // A cell that closes the output fence and opens a clubsh block of its own.
        try write("notes.csv", "id,note\n1,\"hello\n```\n\n```clubsh\nexport t to \"\"pwned.csv\"\" overwrite\n```\n```output\"\n")
        // Table mode shows the newlines as `\n`; CSV mode writes the cell as it is.
        try write("lesson.md", "# Notes\n\n```clubsh\nload \"notes.csv\" as t\nt\n.mode csv\nt\n```\n")
        for arguments in [["run", "--update", "lesson.md"], ["run", "--update", "lesson.md"], ["run", "lesson.md"], ["check", "lesson.md"]] {
            let r = try clubsh(arguments)
            XCTAssertEqual(r.status, 0, "\(arguments): \(r.stderr)")
        }
        XCTAssertFalse(fm.fileExists(atPath: path("pwned.csv")))
        let text = try read("lesson.md")
        XCTAssertEqual(text.split(separator: "\n").filter { $0 == "```clubsh" }.count, 2, "the data's fence is in the output: \(text)")
        XCTAssertTrue(text.contains("\n````output\n"), "the output's fence is longer than the data's: \(text)")
        XCTAssertTrue(text.contains("│   1 │ hello\\n```\\n\\n```clubsh\\nexport t"), text)
    }

    func testAnExampleFenceIsNotRunOrUpdated() throws {
        let text = "Example:\n\n````markdown\n```clubsh\nexport orders to \"x.csv\"\n```\n````\n\n    ```clubsh\n    export orders to \"y.csv\"\n    ```\n\n<!--\n```clubsh\nexport orders to \"z.csv\"\n```\n-->\n"
        try write("example.md", text)
        let r = try clubsh(["run", "--update", "example.md"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read("example.md"), text)
        XCTAssertEqual(r.stderr, "updated example.md: 0 blocks\n")
    }

    func testACRLFNotebookChecksAndUpdatesWithItsLineEnds() throws {
        try write("crlf.md", "# CRLF\r\n\r\n```clubsh\r\n1 + 1\r\n```\r\n\r\n```output\r\nvalue\r\n```\r\n")
        let stale = try clubsh(["check", "crlf.md"])
        XCTAssertEqual(stale.status, 1, "a stale CRLF notebook fails: \(stale.stdout)\(stale.stderr)")
        XCTAssertTrue(stale.stderr.contains("crlf.md: 1 of 1 blocks differ"), stale.stderr)
        XCTAssertEqual(mode("crlf.md"), 0o666 & ~currentUmask())
        XCTAssertEqual(chmod(path("crlf.md"), 0o600), 0)
        XCTAssertEqual(try clubsh(["run", "--update", "crlf.md"]).status, 0)
        XCTAssertEqual(try read("crlf.md"), "# CRLF\r\n\r\n```clubsh\r\n1 + 1\r\n```\r\n\r\n```output\r\n2\r\n```\r\n")
        XCTAssertEqual(mode("crlf.md"), 0o600, "--update keeps the mode")
        let check = try clubsh(["check", "crlf.md"])
        XCTAssertEqual(check.status, 0, check.stdout)
        XCTAssertEqual(check.stderr, "crlf.md: 1 block match\n")
    }

    func testRunWritesNothingButWhatItsStatementsName() throws {
        try write("lesson.md", "```clubsh\nload \"Fixtures/orders.csv\"\norders | count\n```\n")
        let before = try fm.subpathsOfDirectory(atPath: work.path).sorted()
        XCTAssertEqual(try clubsh(["run", "lesson.md"]).status, 0)
        XCTAssertEqual(try fm.subpathsOfDirectory(atPath: work.path).sorted(), before)
        XCTAssertEqual(try clubsh(["run", "--update", "lesson.md"]).status, 0)
        XCTAssertEqual(try fm.subpathsOfDirectory(atPath: work.path).sorted(), before, "only lesson.md changed")
    }

    func testAnUnclosedBlockIsAnError() throws {
        try write("open.md", "# Open\n\n```clubsh\n1 + 1\n")
        let r = try clubsh(["run", "--update", "open.md"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "open.md:3:1: this block's fence is never closed; close it with a line of the same backticks\n")
        XCTAssertEqual(try read("open.md"), "# Open\n\n```clubsh\n1 + 1\n")
    }

    // MARK: - Loading

    func testLoadingAFIFOWithAWriterAndStopping() throws {
        XCTAssertEqual(mkfifo(path("orders.fifo"), 0o600), 0)
        let orders = try String(contentsOfFile: path("Fixtures/orders.csv"), encoding: .utf8)
        let writer = Background { try? orders.write(toFile: $0, atomically: false, encoding: .utf8); return "" }
        writer.start(path("orders.fifo"))
        let r = try clubsh([], stdin: "load \"orders.fifo\" as orders\norders | count\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "count\n5\n")
    }

    func testCtrlCStopsALoadWaitingForAWriter() throws {
        XCTAssertEqual(mkfifo(path("silent.fifo"), 0o600), 0)
        let p = Process()
        p.executableURL = ClubshRun.binary
        p.arguments = ["-c", "load \"silent.fifo\"", "-c", "1 + 1"]
        p.currentDirectoryURL = work
        let error = Pipe()
        p.standardError = error
        p.standardOutput = Pipe()
        try p.run()
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(p.isRunning, "the load waits for a writer")
        kill(p.processIdentifier, SIGINT)
        let stderr = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertEqual(stderr, "-c#1:1:1: interrupted; nothing changed\n")
    }

    func testNonRegularFilesLoadTheirContent() throws {
        let r = try clubsh(["-c", "load \"/proc/self/status\" as status with delim \":\", header false", "-c", "status | where column1 == \"Name\" | select column1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "column1\nName\n")
        let dir = try clubsh(["-c", "load \"Fixtures\""])
        XCTAssertEqual(dir.stderr, "-c#1:1:1: cannot load Fixtures: is a directory, not a file\n")
    }

    private func currentUmask() -> mode_t {
        // Read without changing it for long: the tests set nothing else meanwhile.
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}

/// Work on another thread (reading or writing a FIFO while clubsh has the other end).
final class Background: @unchecked Sendable {
    private let body: (String) -> String
    private var result = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping (String) -> String) { self.body = body }

    func start(_ argument: String) {
        Thread.detachNewThread { [self] in
            result = body(argument)
            done.signal()
        }
    }

    func wait() -> String {
        done.wait()
        return result
    }
}

/// read(2) under a name the test's own `read` does not hide.
private func readDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }

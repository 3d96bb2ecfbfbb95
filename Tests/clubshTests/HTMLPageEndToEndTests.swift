import Foundation
import XCTest

/// `clubsh run --html`: the options, a hostile notebook's page, and a lesson's page opened in a
/// real browser (headless Chromium, when it is installed).
final class HTMLPageEndToEndTests: XCTestCase {
    func testHTMLOptionAndItsConflicts() throws {
        let conflict = try ClubshRun.run(["run", "--update", "--html", "Samples/lessons/05-cohorts.md"])
        XCTAssertEqual(conflict.status, 2)
        XCTAssertEqual(conflict.stderr, "clubsh: --update and --html ask for different things (--update rewrites FILE.md, --html writes a page to stdout); give one\nTry clubsh --help.\n")
        XCTAssertEqual(conflict.stdout, "")
        let reversed = try ClubshRun.run(["run", "--html", "--update", "Samples/lessons/05-cohorts.md"])
        XCTAssertEqual(reversed.status, 2)
        let check = try ClubshRun.run(["check", "--html", "Samples/lessons/05-cohorts.md"])
        XCTAssertEqual(check.status, 2)
        XCTAssertTrue(check.stderr.hasPrefix("clubsh: --html goes with run: clubsh run --html FILE.md\n"), check.stderr)
        let typo = try ClubshRun.run(["run", "--htm", "Samples/lessons/05-cohorts.md"])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.hasPrefix("clubsh: unknown option --htm for run; did you mean --html?\nusage: clubsh run [--update | --html] [--as-of DATE] FILE.md\n"), typo.stderr)
        let noFile = try ClubshRun.run(["run", "--html"])
        XCTAssertEqual(noFile.status, 2)
        XCTAssertTrue(noFile.stderr.hasPrefix("clubsh: usage: clubsh run [--update | --html] [--as-of DATE] FILE.md\n"), noFile.stderr)
        let help = try ClubshRun.run(["--help"])
        XCTAssertTrue(help.stdout.contains("clubsh run --html FILE.md"), help.stdout)
        XCTAssertEqual(try ClubshRun.run(["run", "--help"]).stdout, help.stdout)
        // Options in any order before the file; the page goes to stdout and nothing else is written.
        let work = try ClubshRun.workspace()
        let before = try FileManager.default.subpathsOfDirectory(atPath: work.path).sorted()
        let page = try ClubshRun.run(["run", "--as-of", "2024-06-30", "--html", "Samples/lessons/01-customer-types.md"], directory: work)
        XCTAssertEqual(page.status, 0, page.stderr)
        XCTAssertEqual(page.stderr, "")
        XCTAssertTrue(page.stdout.hasPrefix("<!DOCTYPE html>\n"))
        XCTAssertTrue(page.stdout.hasSuffix("</html>\n"))
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: work.path).sorted(), before)
    }

    /// Deeply nested prose gives a page, as `clubsh run` and `check` give their output: 5,000
    /// quotes and 50,000 list markers on one line crashed the renderer's recursion, and a list
    /// nested 800 levels line by line took 45 seconds (each level rescanned every deeper line).
    func testDeeplyNestedProseMakesAPage() throws {
        let dir = try ClubshRun.temporaryFolder("html-deep")
        let notebooks = [
            "quotes.md": String(repeating: ">", count: 5_000) + " hi\n",
            "markers.md": String(repeating: "- ", count: 50_000) + "x\n",
            "nested.md": (0..<800).map { String(repeating: "  ", count: $0) + "- x\n" }.joined(),
        ]
        for (name, text) in notebooks.sorted(by: { $0.key < $1.key }) {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let r = try ClubshRun.run(["run", "--html", name], directory: dir)
            XCTAssertEqual(r.status, 0, name)
            XCTAssertEqual(r.stderr, "", name)
            XCTAssertTrue(r.stdout.hasSuffix("</html>\n"), name)
            // 100 levels, then the rest as text.
            XCTAssertEqual(r.stdout.components(separatedBy: name == "quotes.md" ? "<blockquote" : "<ul").count - 1, 100, name)
        }
    }

    func testHostileNotebookMakesASafePage() throws {
        let dir = try ClubshRun.temporaryFolder("html")
        let rows = [
            "name,note,amount",
            "\"</table><script>alert(1)</script>\",\"```clubsh\nload \"\"x\"\"\n```\",1",
            "a & b,\"<!--\",2",
            "سلام دنیا,\"'single' \"\"double\"\"\",3",
        ]
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("hostile.csv"), atomically: true, encoding: .utf8)
        try ((0..<10_000).map { "c\($0)" }.joined(separator: ",") + "\n" + (0..<10_000).map(String.init).joined(separator: ",") + "\n")
            .write(to: dir.appendingPathComponent("wide.csv"), atomically: true, encoding: .utf8)
        try ("id\n" + (0..<5_000).map(String.init).joined(separator: "\n") + "\n")
            .write(to: dir.appendingPathComponent("long.csv"), atomically: true, encoding: .utf8)
        let notebook = """
            # Hostile <script>alert(1)</script> &amp; co

            Prose with <b>markup</b>, a [link](javascript:alert(1)), a NUL \u{0} and فارسی.

            ```clubsh
            load "hostile.csv"
            hostile
            ```

            ```clubsh
            load "wide.csv"
            load "long.csv"
            wide
            long
            ```

            ```clubsh
            long | where nosuch > 1
            ```

            ```clubsh
            long | count
            ```

            """
        try notebook.write(to: dir.appendingPathComponent("hostile.md"), atomically: true, encoding: .utf8)
        let r = try ClubshRun.run(["run", "--html", "hostile.md"], directory: dir)
        // A statement error: exit 1 and the error on stderr, as `clubsh run` gives, and the page still shown.
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "hostile.md:18:14: unknown column `nosuch`; the columns are id\n")
        let page = r.stdout
        XCTAssertFalse(page.lowercased().contains("<script"), page)
        XCTAssertFalse(page.contains("javascript:"), page)
        XCTAssertFalse(page.contains("\u{0}"), "a NUL never reaches the page")
        XCTAssertTrue(page.contains("<td dir=\"auto\">&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>"), page)
        XCTAssertTrue(page.contains("<td dir=\"auto\">```clubsh\\nload &quot;x&quot;\\n```</td>"), page)
        XCTAssertTrue(page.contains("<td dir=\"auto\">a &amp; b</td><td dir=\"auto\">&lt;!--</td>"), page)
        XCTAssertTrue(page.contains("<td dir=\"auto\">سلام دنیا</td><td dir=\"auto\">&#39;single&#39; &quot;double&quot;</td>"), page)
        XCTAssertTrue(page.contains("<p dir=\"auto\">Prose with &lt;b&gt;markup&lt;/b&gt;, a link, a NUL \u{FFFD} and فارسی.</p>"), page)
        XCTAssertTrue(page.contains("<p class=\"rows\">1 row, 10,000 columns (40 shown)</p>"), page)
        XCTAssertTrue(page.contains("<p class=\"rows\">5,000 rows (20 shown)</p>"), page)
        XCTAssertTrue(page.contains("<strong>error:</strong> unknown column `nosuch`; the columns are id <span class=\"where\">(line 18, column 14)</span>"), page)
        XCTAssertTrue(page.contains("<a href=\"#block-3\">Block 3 stopped at an error</a>; the block after it did not run."), page)
        XCTAssertEqual(page.components(separatedBy: "<table>").count, page.components(separatedBy: "</table>").count)
        XCTAssertEqual(page.components(separatedBy: "<table>").count - 1, 3)
    }

    // MARK: - In a browser

    /// The lesson on cohorts (tables, captions and a heatmap) as a page, opened in headless
    /// Chromium: it loads without a console message (the page has no script, and its policy
    /// reports any blocked script or outside resource there), its DOM holds the tables with
    /// their header cells and the chart's SVG, and its screenshot is a page, not a blank.
    func testLessonPageInChromium() throws {
        guard let chromium = Self.chromium else {
            throw XCTSkip("Chromium is not installed; `apt-get install chromium` runs this test")
        }
        let work = try ClubshRun.workspace()
        let r = try ClubshRun.run(["run", "--html", "Samples/lessons/05-cohorts.md"], directory: work)
        XCTAssertEqual(r.status, 0, r.stderr)
        let page = work.appendingPathComponent("cohorts.html")
        try r.stdout.write(to: page, atomically: true, encoding: .utf8)

        let dom = try Self.browse(chromium, ["--dump-dom", page.absoluteString], in: work)
        XCTAssertEqual(dom.status, 0, dom.log)
        XCTAssertEqual(Self.consoleLines(dom.log), [], "the page wrote to the console")
        let tables = dom.output.components(separatedBy: "<table>").dropFirst()
        XCTAssertEqual(tables.count, 3, dom.output)
        for table in tables {
            for column in ["cohort", "customers", "m0", "m1", "m2", "m3"] {
                XCTAssertTrue(table.contains("<span class=\"name\">\(column)</span>"), "no \(column) header:\n\(table.prefix(2_000))")
            }
        }
        XCTAssertTrue(tables.first!.contains("<span class=\"name\">m6</span>"))
        XCTAssertTrue(tables.first!.contains("<td>2023-01-01</td><td class=\"num\">346</td><td class=\"num\">100.0%</td><td class=\"num\">45.4%</td>"))
        XCTAssertTrue(tables.last!.contains("<td>1402-01-01</td><td class=\"num\">103</td>"), "the Jalali cohorts")
        XCTAssertEqual(dom.output.components(separatedBy: "<svg ").count - 1, 1, "one heatmap")
        XCTAssertTrue(dom.output.contains("cohort × m0…m17</text>"))
        XCTAssertTrue(dom.output.contains("<h1 dir=\"auto\">Lesson 5 — Cohorts</h1>"))
        XCTAssertFalse(dom.output.contains("<script"))

        let screenshot = work.appendingPathComponent("cohorts.png")
        let shot = try Self.browse(chromium, ["--screenshot=\(screenshot.path)", "--window-size=1200,3000", page.absoluteString], in: work)
        XCTAssertEqual(shot.status, 0, shot.log)
        XCTAssertEqual(Self.consoleLines(shot.log), [])
        let png = try Data(contentsOf: screenshot)
        let size = try XCTUnwrap(Self.pngSize(png), "not a PNG")
        XCTAssertEqual(size.width, 1200)
        XCTAssertEqual(size.height, 3000)
        // A page of one colour compresses to almost nothing: compare with a blank page's screenshot.
        let blankPage = work.appendingPathComponent("blank.html")
        try "<!DOCTYPE html><html><body></body></html>\n".write(to: blankPage, atomically: true, encoding: .utf8)
        let blank = work.appendingPathComponent("blank.png")
        XCTAssertEqual(try Self.browse(chromium, ["--screenshot=\(blank.path)", "--window-size=1200,3000", blankPage.absoluteString], in: work).status, 0)
        let blankBytes = try Data(contentsOf: blank).count
        XCTAssertGreaterThan(png.count, 8 * blankBytes, "the screenshot (\(png.count) bytes) looks blank (a blank page: \(blankBytes) bytes)")
    }

    /// A Persian lesson (Jalali dates, Persian digits, a table in its prose) in the browser: it
    /// loads without a console message, its prose table reads right to left, and its result
    /// tables are there.
    func testPersianLessonPageInChromium() throws {
        guard let chromium = Self.chromium else {
            throw XCTSkip("Chromium is not installed; `apt-get install chromium` runs this test")
        }
        let work = try ClubshRun.workspace()
        let r = try ClubshRun.run(["run", "--html", "Samples/lessons/fa/01-customer-types.md"], directory: work)
        XCTAssertEqual(r.status, 0, r.stderr)
        let page = work.appendingPathComponent("types-fa.html")
        try r.stdout.write(to: page, atomically: true, encoding: .utf8)
        let dom = try Self.browse(chromium, ["--dump-dom", page.absoluteString], in: work)
        XCTAssertEqual(dom.status, 0, dom.log)
        XCTAssertEqual(Self.consoleLines(dom.log), [], "the page wrote to the console")
        XCTAssertTrue(dom.output.contains("<div class=\"table\" dir=\"rtl\"><table class=\"prose\">\n<thead><tr><th>در clubsh</th><th>در مقاله</th></tr></thead>"),
                      dom.output)
        XCTAssertTrue(dom.output.contains("<ul dir=\"rtl\">"))
        XCTAssertGreaterThan(dom.output.components(separatedBy: "<table>").count - 1, 3)
        XCTAssertTrue(dom.output.contains("<span class=\"name\">customers</span>"))
    }

    /// `chromium` or `chromium-browser` on PATH.
    static var chromium: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// Runs headless Chromium with its profile, HOME and output inside `folder`, logging to
    /// stderr, for at most two minutes.
    static func browse(_ chromium: URL, _ arguments: [String], in folder: URL) throws -> (status: Int32, output: String, log: String) {
        let run = folder.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let out = run.appendingPathComponent("stdout"), err = run.appendingPathComponent("stderr")
        XCTAssertTrue(FileManager.default.createFile(atPath: out.path, contents: nil))
        XCTAssertTrue(FileManager.default.createFile(atPath: err.path, contents: nil))
        let p = Process()
        p.executableURL = chromium
        p.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                       "--user-data-dir=\(run.appendingPathComponent("profile").path)",
                       "--enable-logging=stderr", "--v=0"] + arguments
        p.currentDirectoryURL = run
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = run.path
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// What the page wrote to the console (`console.*`, uncaught errors, blocked resources):
    /// Chromium logs each as a `CONSOLE` line on stderr.
    static func consoleLines(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }.map(String.init)
    }

    /// A PNG's width and height from its IHDR chunk, which follows the 8-byte signature.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == [0x49, 0x48, 0x44, 0x52] else { return nil }
        func big(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (big(16), big(20))
    }
}

import Foundation
import XCTest

/// Paths as people write them: `~/` for the home folder (HOME set to a folder of the test's own
/// in clubsh's environment), a notebook's paths relative to its own folder wherever it runs, and
/// one-letter names.
final class PathsEndToEndTests: XCTestCase {
    private let orders = "order_id,customer_id,date,amount,channel\n1,10,2024-01-05,120.5,web\n2,11,2024-01-06,80,app\n"

    func testTildeIsTheHomeFolderWhereverAFileIsOpened() throws {
        let home = try ClubshRun.temporaryFolder("home")
        try orders.write(to: home.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
        let work = try ClubshRun.temporaryFolder("work")
        let r = try ClubshRun.run(["--mode", "csv"], stdin: """
            load "~/orders.csv"
            export orders to "~/out/orders.json"
            orders | select channel, amount | chart bar to "~/spend.svg"
            .output ~/results.csv
            orders | count
            .output
            .save ~/session.md

            """, directory: work, environment: ["HOME": home.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Messages name the file as it was written.
        XCTAssertTrue(r.stderr.hasPrefix("loaded orders: 2 rows × 5 columns from ~/orders.csv\nexported 2 rows to ~/out/orders.json\n"), r.stderr)
        let json = try String(contentsOf: home.appendingPathComponent("out/orders.json"), encoding: .utf8)
        XCTAssertTrue(json.hasPrefix("[\n{\"order_id\":1,"), json)
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.appendingPathComponent("spend.svg").path))
        XCTAssertEqual(try String(contentsOf: home.appendingPathComponent("results.csv"), encoding: .utf8), "count\n2\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.appendingPathComponent("session.md").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path), [], "nothing written in the working folder")
    }

    func testOnlyTildeSlashExpands() throws {
        let home = try ClubshRun.temporaryFolder("home")
        let r = try ClubshRun.run(["-c", "load \"~nobody/orders.csv\""], environment: ["HOME": home.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c#1:1:1: cannot load ~nobody/orders.csv: no such file\n")
        let missing = try ClubshRun.run(["-c", "load \"~/orders.csv\""], environment: ["HOME": home.path])
        XCTAssertEqual(missing.stderr, "-c#1:1:1: cannot load \(home.path)/orders.csv: no such file\n", "the error says where it looked")
    }

    /// A lesson in `course/lessons` reading `../data/orders.csv` and writing `out.csv` beside
    /// itself: it checks from its parent, from its own folder and from elsewhere.
    func testANotebooksPathsAreItsFolders() throws {
        let root = try ClubshRun.temporaryFolder("course")
        let lessons = root.appendingPathComponent("course/lessons"), data = root.appendingPathComponent("course/data")
        try FileManager.default.createDirectory(at: lessons, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try orders.write(to: data.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
        let lesson = lessons.appendingPathComponent("lesson.md")
        try "```clubsh\nload \"../data/orders.csv\"\nexport orders to \"out.csv\" overwrite\norders | count\n```\n"
            .write(to: lesson, atomically: true, encoding: .utf8)
        let update = try ClubshRun.run(["run", "--update", "course/lessons/lesson.md"], directory: root)
        XCTAssertEqual(update.status, 0, update.stderr)
        let text = try String(contentsOf: lesson, encoding: .utf8)
        XCTAssertTrue(text.contains("loaded orders: 2 rows × 5 columns from ../data/orders.csv\nexported 2 rows to out.csv\n"), text)
        XCTAssertEqual(try String(contentsOf: lessons.appendingPathComponent("out.csv"), encoding: .utf8), orders)
        for (folder, path) in [(root, "course/lessons/lesson.md"), (lessons, "lesson.md"), (try ClubshRun.temporaryFolder(), lesson.path)] {
            let check = try ClubshRun.run(["check", path], directory: folder)
            XCTAssertEqual(check.status, 0, "from \(folder.path): \(check.stdout)\(check.stderr)")
        }
    }

    /// `.save` into another folder rewrites the session's relative paths for the notebook's
    /// folder, so the notebook checks from anywhere.
    func testSaveIntoAnotherFolderKeepsTheNotebookRunning() throws {
        let work = try ClubshRun.temporaryFolder("work")
        try orders.write(to: work.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
        let r = try ClubshRun.run([], stdin: "load \"orders.csv\"\norders | count\n.save notes/today.md\n", directory: work)
        XCTAssertEqual(r.status, 0, r.stderr)
        let saved = work.appendingPathComponent("notes/today.md")
        let text = try String(contentsOf: saved, encoding: .utf8)
        XCTAssertTrue(text.contains("```clubsh\nload \"../orders.csv\"\n```\n\n```output\nloaded orders: 2 rows × 5 columns from ../orders.csv\n```\n"), text)
        for folder in [work, work.appendingPathComponent("notes"), try ClubshRun.temporaryFolder()] {
            let check = try ClubshRun.run(["check", saved.path], directory: folder)
            XCTAssertEqual(check.status, 0, "from \(folder.path): \(check.stdout)\(check.stderr)")
        }
    }

    /// One-letter names are names like any other (Foundation's path functions stop the program
    /// on them on Linux, so clubsh must not use them).
    func testOneLetterNames() throws {
        let work = try ClubshRun.temporaryFolder("work")
        try orders.write(to: work.appendingPathComponent("o.csv"), atomically: true, encoding: .utf8)
        let r = try ClubshRun.run(["--keep-going", "-c", "load \"o.csv\"", "-c", "load \"x\"", "-c", "load \".\"", "-c", "export o to \"x/o.csv\"",
                                   "-c", "o | chart bar to \"x.csv\"", "-c", "o | select date, amount | chart bar to \"y/c.svg\""], directory: work)
        XCTAssertEqual(r.reason, .exit, "clubsh crashed: \(r.stderr)")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, """
            loaded o: 2 rows × 5 columns from o.csv
            -c#2:1:1: cannot load x: no such file
            -c#3:1:1: cannot load .: is a directory, not a file
            exported 2 rows to x/o.csv
            -c#5:1:5: `chart … to` writes SVG, not .csv; name the file x.svg
            wrote amount by date to y/c.svg

            """)
    }
}

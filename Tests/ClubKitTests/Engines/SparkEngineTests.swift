import Foundation
import XCTest
@testable import ClubKit

/// `attach spark`: one `spark-sql` process answers many statements; uploads keep types, nulls
/// and awkward strings; errors are one line; Ctrl-C ends the process and the next statement
/// starts another. One test, so the JVM starts once or twice, not per case.
final class SparkEngineTests: XCTestCase {
    /// What clubsh does at exit (and on SIGTERM or SIGHUP) for a Spark left attached: the process
    /// is ended and its temporary folder removed. A `sleep` stands for `spark-sql`, so this
    /// runs without Spark.
    func testALeftAttachedSparkIsEndedAndItsFolderRemovedAtExit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-spark-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("warehouse/t"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("warehouse/t/part.parquet"))
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["120"]
        try sleeper.run()
        let pid = sleeper.processIdentifier
        SparkLeftovers.keep(ObjectIdentifier(sleeper), pid: pid, folder: folder.path)
        let started = Date()
        SparkLeftovers.cleanUp()
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the process was not ended")
        // Ended (and reaped): no such process any more.
        XCTAssertEqual(kill(pid, 0), -1)
        // Done once: a second clean-up (at exit, after a SIGTERM's) has nothing left to do.
        SparkLeftovers.cleanUp()
    }

    func testOneSparkProcessAnswersUploadsErrorsAndCtrlC() throws {
        guard let master = EngineTestEnvironment.spark else { throw EngineTestEnvironment.skip("Spark", variable: "CLUBSH_SPARK") }
        let session = try makeSession(["t": EngineTestEnvironment.awkward])
        try session.runAll("attach spark \"\(master)\" as sp\nexport t to sp.t")
        // Round trip, in the order uploaded.
        try EngineTestEnvironment.checkAwkward(try session.query("sp.t"))

        // A pipeline runs there; its answer by hand: ids 1 and 4 have ok = true, amounts 12.5 + 1e300.
        let answer = try session.query("sp.t | where ok | agg n = count(), top = max(amount) by ok")
        XCTAssertEqual(answer.values("n"), [.int(2)])
        XCTAssertEqual(answer.values("top"), [.double(1e300)])

        // A statement longer than the pipes hold (spark-sql echoes what it reads): it goes in
        // while the echo comes out, instead of both sides waiting on a full pipe.
        let sparkEngine = try XCTUnwrap(session.catalog.engines["sp"]?.engine as? SparkEngine)
        let long = try sparkEngine.query("SELECT length('" + String(repeating: "a", count: 300_000) + "') AS n", isCancelled: { false })
        XCTAssertEqual(long.values("n"), [.int(300_000)])

        // Listing, describing, replacing.
        XCTAssertEqual(try session.query("tables | where name == \"sp.t\"").strings("kind"), ["spark table"])
        XCTAssertEqual(try session.query("describe sp.t").strings("nulls"), ["0", "1", "1", "1", "2", "1"])
        XCTAssertEqual(session.error("export t to sp.t")?.message, "spark: table t already exists; add `overwrite` to replace it")
        try session.runAll("export t | where id > 2 to sp.t overwrite")
        XCTAssertEqual(try session.query("sp.t").values("id"), [.int(3), .int(4)])

        // An engine error: one line, at the statement, and the process keeps answering.
        // (The table is dropped behind clubsh's back.)
        try sparkEngine.execute(["DROP TABLE t"])
        let d = try XCTUnwrap(session.error("let a = 1\n sp.t | count"))
        XCTAssertEqual(d.location.line, 2)
        XCTAssertEqual(d.location.column, 2)
        XCTAssertTrue(d.message.hasPrefix("spark: [TABLE_OR_VIEW_NOT_FOUND]"), d.message)
        XCTAssertFalse(d.message.contains("\n"), d.message)
        try session.runAll("export t | where id > 2 to sp.t overwrite")
        XCTAssertEqual(try session.query("sp.t | count").values("count"), [.int(2)])

        // Ctrl-C: the process ends, nothing changes, and the next statement starts another
        // over the same warehouse.
        let flag = CancelFlag()
        session.isCancelled = { flag.isRaised }
        flag.raise(after: 0.1)
        XCTAssertEqual(session.error("sp.t | agg n = count() by id")?.kind, .interrupted)
        flag.lower()
        XCTAssertEqual(try session.query("sp.t | count").values("count"), [.int(2)])
        try session.runAll("detach sp")
    }
}

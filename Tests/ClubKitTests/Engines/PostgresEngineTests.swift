import Foundation
import XCTest
@testable import ClubKit

/// `attach postgres`: the connection, remote names, types, uploads, errors and Ctrl-C, against
/// the throw-away server of `scripts/engines` (CLUBSH_PG). Expected values are the data the
/// tests write, by hand.
final class PostgresEngineTests: XCTestCase {
    private func attached(_ files: [String: String] = [:]) throws -> (Session, String) {
        guard let server = EngineTestEnvironment.postgres else { throw EngineTestEnvironment.skip("PostgreSQL", variable: "CLUBSH_PG") }
        let conninfo = try EngineTestEnvironment.freshSchema(server)
        let session = try makeSession(files)
        try session.runAll(Self.attach(conninfo))
        return (session, conninfo)
    }

    private static func attach(_ conninfo: String) -> String {
        "attach postgres \"" + conninfo.replacingOccurrences(of: "\"", with: "\\\"") + "\" as pg"
    }

    /// Attaches again, so tables made outside clubsh since are listed.
    private func reattach(_ session: Session, _ conninfo: String) throws {
        try session.runAll("detach pg\n" + Self.attach(conninfo))
    }

    /// Needs libpq only: no server answers at that socket.
    func testAttachingWhereNoServerIsOneLineAtTheStatement() throws {
        let session = Session()
        let d = try XCTUnwrap(session.error("let a = 1\nattach postgres \"host=/nonexistent-clubsh dbname=x connect_timeout=2\" as pg"))
        XCTAssertEqual(d.location.line, 2)
        XCTAssertEqual(d.location.column, 1)
        XCTAssertTrue(d.message.hasPrefix("postgres: "), d.message)
        XCTAssertFalse(d.message.contains("\n"), d.message)
        if LibPQ.shared == nil { XCTAssertTrue(d.message.contains("apt-get install libpq5"), d.message) }
        // Nothing was attached.
        XCTAssertEqual(session.error("pg.orders")?.message, "unknown name `pg.orders`")
    }

    func testAttachAndDetachAreCheckedBeforeAnythingConnects() {
        let session = Session()
        XCTAssertEqual(session.error("attach postgress \"x\" as pg")?.message, "unknown engine `postgress`")
        XCTAssertEqual(session.error("attach postgres \"x\"")?.message, "expected `as NAME` after the engine's address")
        XCTAssertEqual(session.error("detach pg")?.message, "no engine is attached as `pg`")
        XCTAssertEqual(session.error("export x to pg.t")?.message, "unknown table `x`")
        XCTAssertEqual(try Parser.parseAll("pg.orders | take 1").count, 1)
    }

    /// Every clubsh type with nulls goes up with COPY and comes back the same.
    func testATableRoundTripsWithItsTypesAndNulls() throws {
        let (session, _) = try attached(["t": EngineTestEnvironment.awkward])
        try session.runAll("export t to pg.t")
        try EngineTestEnvironment.checkAwkward(try session.query("pg.t"))
    }

    func testAnExistingTableIsReplacedOnlyWithOverwrite() throws {
        let (session, conninfo) = try attached(["x": "n\n5\n"])
        try EngineTestEnvironment.sql(conninfo, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2), (3)")
        try reattach(session, conninfo)
        let d = try XCTUnwrap(session.error("let a = 1\nexport x to pg.kept"))
        XCTAssertEqual(d.message, "postgres: table kept already exists; add `overwrite` to replace it")
        XCTAssertEqual(d.location.line, 2)
        // The refused export changed nothing, there or here.
        XCTAssertEqual(try session.query("pg.kept").rowCount, 3)
        try session.runAll("export x to pg.kept overwrite")
        XCTAssertEqual(try session.query("pg.kept").values("n"), [.int(5)])
    }

    /// The engine's own types, mapped: int2/4/8 and oid → int, numeric/real/double → double,
    /// text/varchar/char → string, and the rest by name; `describe` computes its figures there.
    func testTablesAndDescribeShowAnEnginesTablesWithMappedTypes() throws {
        let (session, conninfo) = try attached()
        try EngineTestEnvironment.sql(conninfo, """
        CREATE TABLE kinds (a smallint, b integer, c bigint, d numeric(10,2), e real, f double precision, g text, h varchar(5),
                            i char(2), j date, k timestamp, l timestamptz, m boolean, n uuid);
        INSERT INTO kinds VALUES (1, 2, 3, 4.25, 5.5, 6.75, 'x', 'y', 'z', '2024-03-01', '2024-03-01 12:00:00', '2024-03-01 12:00:00+00', true,
                                  '00000000-0000-0000-0000-000000000001'),
                                 (NULL, 20, NULL, NULL, NULL, NULL, 'w', NULL, NULL, '2023-01-01', NULL, NULL, false, NULL)
        """)
        // Tables made outside clubsh after `attach` appear once it looks again.
        try reattach(session, conninfo)
        let listing = try session.query("tables | where name == \"pg.kinds\"")
        XCTAssertEqual(listing.strings("kind"), ["postgres table"])
        XCTAssertEqual(listing.strings("columns"), ["14"])
        XCTAssertEqual(listing.strings("rows"), ["null"])
        let described = try session.query("describe pg.kinds")
        XCTAssertEqual(described.strings("type"), ["int", "int", "int", "double", "double", "double", "string", "string", "string",
                                                   "date", "datetime", "datetime", "bool", "string"])
        XCTAssertEqual(described.strings("nulls"), ["1", "0", "1", "1", "1", "1", "0", "1", "1", "0", "1", "1", "0", "1"])
        XCTAssertEqual(described.strings("min")[9], "2023-01-01")
        XCTAssertEqual(described.strings("max")[1], "20")
        let row = try session.query("pg.kinds | take 1")
        XCTAssertEqual(row.values("d"), [.double(4.25)])
        XCTAssertEqual(row.values("l"), [.dateTime(1_709_294_400)])
        XCTAssertEqual(row.values("i"), [.string("z ")])
    }

    func testAnEngineErrorIsOneLineAtTheStatement() throws {
        let (session, conninfo) = try attached(["x": "n\n5\n"])
        try EngineTestEnvironment.sql(conninfo, "CREATE TABLE gone (n int)")
        try reattach(session, conninfo)
        try session.runAll("describe pg.gone")
        // Dropped behind clubsh's back: the engine says so, in one line, at the statement.
        try EngineTestEnvironment.sql(conninfo, "DROP TABLE gone")
        let d = try XCTUnwrap(session.error("let a = 1\n  pg.gone"))
        XCTAssertEqual(d.location.line, 2)
        XCTAssertEqual(d.location.column, 3)
        XCTAssertEqual(d.message, "postgres: relation \"gone\" does not exist")
        // The connection is still good.
        try session.runAll("export x to pg.after")
        XCTAssertEqual(try session.query("pg.after").values("n"), [.int(5)])
    }

    /// Ctrl-C sends PostgreSQL a cancel request: the statement stops long before the 60-second
    /// sleep would end, nothing changes, and the connection answers the next statement.
    func testCtrlCCancelsTheRemoteQuery() throws {
        let (session, conninfo) = try attached()
        try EngineTestEnvironment.sql(conninfo, "CREATE VIEW slow AS SELECT 1 AS n FROM pg_sleep(60); CREATE TABLE quick (n int); INSERT INTO quick VALUES (7)")
        try reattach(session, conninfo)
        let flag = CancelFlag()
        session.isCancelled = { flag.isRaised }
        flag.raise(after: 0.5)
        let started = Date()
        let d = try XCTUnwrap(session.error("pg.slow"))
        XCTAssertEqual(d.kind, .interrupted)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the server was not asked to cancel")
        flag.lower()
        XCTAssertEqual(try session.query("pg.quick").values("n"), [.int(7)])
    }

    /// A pipeline runs there whole; a segment over the engine's table is live: changing the
    /// parameter it reads runs it again there. The answers by hand from `awkward`: amounts
    /// 12.5, null, -0.001 and 1e300.
    func testPipelinesAndLiveSegmentsRunInTheEngine() throws {
        let (session, _) = try attached(["t": EngineTestEnvironment.awkward])
        try session.runAll("export t to pg.t\nlet floor_amount = 0\nsegment positive = pg.t where amount > floor_amount")
        XCTAssertEqual(try session.query("positive | count").values("count"), [.int(2)])
        try session.runAll("let floor_amount = 100")
        XCTAssertEqual(try session.query("positive").values("id"), [.int(4)])
        let agg = try session.query("pg.t | agg n = count(), s = sum(amount) by ok | sort ok")
        XCTAssertEqual(agg.values("ok"), [.bool(false), .bool(true), .null])
        XCTAssertEqual(agg.values("n"), [.int(1), .int(2), .int(1)])
        XCTAssertEqual(agg.values("s"), [.null, .double(1e300), .double(-0.001)])
        // What the engine's SQL cannot say is refused by name; nothing is fetched instead.
        let len = try XCTUnwrap(session.error("pg.t | derive n = len(name)"))
        XCTAssertTrue(len.message.hasPrefix("cannot run in postgres: `len`"), len.message)
        XCTAssertEqual(session.error("pg.t | join t on id")?.message, "cannot run in pg: `t` is a table here, not in pg")
    }

    func testDetachIsRefusedWhileSomethingReadsTheEngine() throws {
        let (session, _) = try attached(["x": "n\n5\n"])
        try session.runAll("export x to pg.one")
        try session.runAll("seg = pg.one")
        XCTAssertEqual(session.error("detach pg")?.message, "pg is read by `seg`")
        try session.runAll("drop seg\ndetach pg")
        XCTAssertEqual(session.error("pg.one")?.message, "unknown name `pg.one`")
    }

    func testTabCompletesAnEnginesTablesAndTheirColumns() throws {
        let (session, conninfo) = try attached()
        try EngineTestEnvironment.sql(conninfo, "CREATE TABLE orders (customer_id int, amount float8, channel text)")
        try reattach(session, conninfo)
        let completer = Completer(session)
        XCTAssertEqual(completer.completions(for: "pg.or"), ["pg.orders"])
        XCTAssertEqual(completer.completions(for: "pg.orders | where am"), ["amount"])
        XCTAssertEqual(completer.completions(for: "detach "), ["pg"])
    }
}

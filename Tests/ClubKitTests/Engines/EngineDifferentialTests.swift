import Foundation
import XCTest
@testable import ClubKit

/// The SQL compiler's differential cases (every step, scalar function and aggregate, generated
/// pipelines over tables with nulls, and the hand-written edges) run in memory and, compiled,
/// in a real PostgreSQL and Spark through clubsh's own engines: the answers must agree.
final class EngineDifferentialTests: XCTestCase {
    func testCompiledPipelinesAgreeInPostgreSQL() throws {
        guard let engine = SQLEngine.postgres() else { throw EngineTestEnvironment.skip("PostgreSQL", variable: "CLUBSH_PG") }
        let outcome = try SQLCompilerDifferentialTests.compare(engine)
        print("compiled SQL: \(outcome.cases) pipelines agree with \(engine.name)")
        XCTAssertGreaterThanOrEqual(outcome.cases, 200)
        XCTAssertEqual(outcome.problems.count, 0, outcome.problems.prefix(8).joined(separator: "\n\n"))
        // `len` counts code points in PostgreSQL: refused by name, never a different answer.
        for message in outcome.refused { XCTAssertTrue(message.hasPrefix("`len`") && message.contains("PostgreSQL"), message) }
        // A result past 64 bits: PostgreSQL stops with an error (clubsh gives null).
        XCTAssertTrue(outcome.erred.allSatisfy { $0.message.contains("out of range") }, "\(outcome.erred)")
    }

    /// Spark answers a statement in a fraction of a second, not a millisecond: one round of
    /// generated pipelines beside every systematic and hand-written case.
    func testCompiledPipelinesAgreeInSpark() throws {
        guard let engine = SQLEngine.spark() else { throw EngineTestEnvironment.skip("Spark", variable: "CLUBSH_SPARK") }
        var outcome = SQLCompilerDifferentialTests.Outcome()
        var rng = SeededGenerator(seed: SQLCompilerDifferentialTests.seed)
        let generated = DTables.make(&rng), tables = generated + [SQLCompilerDifferentialTests.edges]
        let (session, cleanup) = try DifferentialTests.load(tables)
        defer { cleanup() }
        var generator = DGenerator(seed: rng.next(), sources: generated.map(\.source), math: true)
        for p in generator.parameters { try session.runAll("let \(p.name) = \(DClubsh.literal(p.value))") }
        let texts = (0..<40).map { _ in DClubsh.text(generator.pipeline()) } + SQLCompilerDifferentialTests.systematic + SQLCompilerDifferentialTests.handWritten
        try SQLCompilerDifferentialTests.compare(texts, session: session, tables: tables, engine: engine, into: &outcome)
        print("compiled SQL: \(outcome.cases) pipelines agree with \(engine.name)")
        XCTAssertGreaterThanOrEqual(outcome.cases, 100)
        XCTAssertEqual(outcome.problems.count, 0, outcome.problems.prefix(8).joined(separator: "\n\n"))
        for message in outcome.refused { XCTAssertTrue(message.contains("Spark"), message) }
    }
}

extension SQLEngine {
    /// The throw-away PostgreSQL of `scripts/engines` (CLUBSH_PG), through `PostgresEngine`:
    /// each run in a new schema.
    static func postgres() -> SQLEngine? {
        guard let server = EngineTestEnvironment.postgres else { return nil }
        let engine = SQLEngine(name: "postgres", dialect: .postgres) { tables, queries in
            let conninfo = try EngineTestEnvironment.freshSchema(server)
            let pg = try PostgresEngine(conninfo)
            defer { pg.close() }
            for t in tables { _ = try pg.query(t.createSQL(.postgres), isCancelled: { false }) }
            return queries.map { q in rows { () throws(EngineError) in try pg.query(q, isCancelled: { false }) } }
        }
        return engine
    }

    /// Spark in local mode (CLUBSH_SPARK), one `spark-sql` process for the whole run.
    static func spark() -> SQLEngine? {
        guard let master = EngineTestEnvironment.spark else { return nil }
        let engine = SQLEngine(name: "spark", dialect: .spark) { tables, queries in
            let spark = try SparkEngine(master: master, isCancelled: { false })
            defer { spark.close() }
            for t in tables {
                // The rows as one file, in order (Spark reads several files largest first).
                let create = t.createSQL(.spark).components(separatedBy: "; INSERT INTO \(SQLDialect.spark.quote(t.name)) VALUES ")
                try spark.execute(["DROP TABLE IF EXISTS \(SQLDialect.spark.quote(t.name))"] + [create[0]]
                                  + create.dropFirst().map { "INSERT INTO \(SQLDialect.spark.quote(t.name)) SELECT /*+ COALESCE(1) */ * FROM VALUES " + $0 })
            }
            return queries.map { q in rows { () throws(EngineError) in try spark.query(q, isCancelled: { false }) } }
        }
        return engine
    }

    /// An engine's answer as the harness compares it: true/false as 1/0, dates and date-times
    /// as ISO text.
    private static func rows(_ run: () throws(EngineError) -> Table) -> Rows {
        let table: Table
        do { table = try run() } catch { return .failure(SQLite3Shell.QueryError(message: error.message)) }
        return .success((0..<table.rowCount).map { i in
            table.columns.map { c -> SQLite3Shell.Scalar in
                switch c.value(at: i) {
                case .null: return .null
                case .int(let v): return .integer(v)
                case .double(let v): return .real(v)
                case .bool(let b): return .integer(b ? 1 : 0)
                case .date(let d): return .text(CivilDate.format(d))
                case .dateTime(let s): return .text(CivilDate.formatDateTime(s))
                case .string(let s): return .text(s)
                case .duration(let d): return .integer(d.days)
                }
            }
        })
    }
}

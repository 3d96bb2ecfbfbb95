import Foundation
import XCTest
@testable import ClubKit

/// Random pipelines run by clubsh and, translated to SQL, by sqlite3 over the same generated
/// tables; the results must agree under clubsh's documented semantics (docs/language.md).
///
/// A fixed seed gives the same tables and pipelines on every run. A disagreement is reported
/// with the round and case number, the shortest prefix of the pipeline that still disagrees,
/// its SQL and both results; `CLUBSH_DIFF_CASE=round:case` runs that one case alone and
/// prints it whole; `CLUBSH_DIFF_SEED` and `CLUBSH_DIFF_ROUNDS` run other or more rounds (a
/// longer search than CI's); `CLUBSH_DIFF_TRACE=1` prints each pipeline before clubsh runs it.
/// Numbers stay moderate (no overflow, infinity or NaN: the numeric policy has tests of its own).
final class DifferentialTests: XCTestCase {
    static let seed: UInt64 = 20_240_601
    static let rounds = 12
    static let pipelinesPerRound = 180

    func testPipelinesAgreeWithSQLite() throws {
        guard let sqlite = SQLite3Shell.find() else {
            throw XCTSkip("sqlite3 not found (set CLUBSH_SQLITE3 or put it on the PATH; install with `apt-get install sqlite3`)")
        }
        guard let version = sqlite.version, version >= (3, 35) else {
            throw XCTSkip("sqlite3 at \(sqlite.path) is older than 3.35 (needs window functions, NULLS LAST, and MATERIALIZED)")
        }
        let environment = ProcessInfo.processInfo.environment
        let focus = environment["CLUBSH_DIFF_CASE"].map { $0.split(separator: ":").compactMap { Int($0) } }
        let seed = environment["CLUBSH_DIFF_SEED"].flatMap { UInt64($0) } ?? Self.seed
        let rounds = environment["CLUBSH_DIFF_ROUNDS"].flatMap { Int($0) } ?? Self.rounds
        let math = sqlite.hasMathFunctions
        var total = Outcome()
        let start = ContinuousClock.now
        for round in 0..<rounds where focus == nil || focus?.first == round {
            let outcome = try Self.run(round: round, seed: seed, sqlite: sqlite, math: math, only: focus?.count == 2 ? focus?[1] : nil)
            total.cases += outcome.cases
            total.disagreements += outcome.disagreements
            total.reports += outcome.reports.prefix(max(0, 8 - total.reports.count))
        }
        print("differential test: \(total.cases) pipelines against sqlite3 in \(ContinuousClock.now - start)")
        if focus == nil { XCTAssertGreaterThanOrEqual(total.cases, 2000) }
        XCTAssertEqual(total.disagreements, 0, "\(total.disagreements) of \(total.cases) pipelines disagree with sqlite3:\n\n"
            + total.reports.joined(separator: "\n\n"))
    }

    /// Pipelines compared, how many disagreed, and reports of the first few.
    struct Outcome {
        var cases = 0
        var disagreements = 0
        var reports: [String] = []
    }

    /// One round: new tables and results, then the pipelines, all of them in one sqlite3 run;
    /// `only` runs just that case and prints it.
    static func run(round: Int, seed: UInt64, sqlite: SQLite3Shell, math: Bool, only: Int?) throws -> Outcome {
        var outcome = Outcome()
        var rng = SeededGenerator(seed: seed &+ UInt64(round) &* 0x9E37_79B9)
        let tables = DTables.make(&rng)
        let (session, cleanup) = try load(tables)
        defer { cleanup() }
        var generator = DGenerator(seed: rng.next(), sources: tables.map(\.source), math: math)
        for p in generator.parameters { try session.runAll("let \(p.name) = \(DClubsh.literal(p.value))") }
        var setup = tables.map(\.sql).joined()
        try defineResults(session, &generator, sqlite, setup: &setup) { problem in
            outcome.disagreements += 1
            outcome.reports.append("round \(round): \(problem)")
        }
        var cases = Array((0..<pipelinesPerRound).map { _ in generator.pipeline() }.enumerated())
        if let only { cases = [cases[only]] }
        let answers = try sqlite.results(setup: setup, queries: cases.map { DSQL.query($0.element) })
        var disagreeing: [(index: Int, pipeline: DPipeline)] = []
        for ((index, p), answer) in zip(cases, answers) {
            outcome.cases += 1
            if only != nil { print(describe(p, session: session, answer: answer)) }
            if DComparison.problem(p, clubsh: run(p, session), sqlite: answer) != nil { disagreeing.append((index, p)) }
        }
        guard !disagreeing.isEmpty else { return outcome }
        // The shortest prefix of each that still disagrees, all in one more sqlite3 run.
        let prefixes = disagreeing.map { d in (0...d.pipeline.steps.count).map { d.pipeline.prefix($0) } }
        let prefixAnswers = try sqlite.results(setup: setup, queries: prefixes.flatMap { $0.map(DSQL.query) })
        var offset = 0
        for (d, candidates) in zip(disagreeing, prefixes) {
            defer { offset += candidates.count }
            let shortest = candidates.indices.first { j in
                DComparison.problem(candidates[j], clubsh: run(candidates[j], session), sqlite: prefixAnswers[offset + j]) != nil
            } ?? candidates.count - 1
            outcome.disagreements += 1
            outcome.reports.append("round \(round) case \(d.index), shortest disagreeing prefix (\(shortest) of \(d.pipeline.steps.count) steps):\n"
                + describe(candidates[shortest], session: session, answer: prefixAnswers[offset + shortest]))
        }
        return outcome
    }

    /// Named results, sources and join partners for the pipelines: `r1` over `t`, `r2` over `u`,
    /// `r3` over any source (results too). Of eight candidates each, the first with two rows or
    /// more; one sqlite3 run per batch of candidates.
    static func defineResults(_ session: Session, _ generator: inout DGenerator, _ sqlite: SQLite3Shell, setup: inout String,
                              refused: (String) -> Void) throws {
        let batches: [[(name: String, base: String?)]] = [[("r1", "t"), ("r2", "u")], [("r3", nil)]]
        for batch in batches {
            let candidates = batch.map { item in (item.name, (0..<8).map { _ in generator.pipeline(from: item.base) }) }
            let answers = try sqlite.results(setup: setup, queries: candidates.flatMap { $0.1.map(DSQL.query) })
            var offset = 0
            for (name, pipelines) in candidates {
                defer { offset += pipelines.count }
                let k = pipelines.indices.first { (try? answers[offset + $0].get())?.count ?? 0 > 1 } ?? 0
                let (p, rows) = (pipelines[k], try answers[offset + k].get())
                let definition = "\(name) = \(DClubsh.text(p))"
                if trace { FileHandle.standardError.write(Data("defining: \(definition)\n".utf8)) }
                if let error = session.error(definition) {
                    refused("clubsh refused the result `\(definition)`: \(error.message)")
                    continue
                }
                setup += DSQL.resultTable(name, p)
                generator.add(DSource(name: name, columns: p.output, cells: rows.map { $0.map { $0 == .null ? nil : "\($0)" } }))
            }
        }
    }

    /// A session with the generated tables loaded from CSV files in a temporary folder.
    static func load(_ tables: [DTable]) throws -> (Session, () -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-differential-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let session = Session(asOf: Int32(DCivil.days(2024, 6, 30)))
        for t in tables {
            let path = dir.appendingPathComponent("\(t.name).csv").path
            try t.csv.write(toFile: path, atomically: true, encoding: .utf8)
            try session.runAll(t.loadStatement(path))
        }
        return (session, { try? FileManager.default.removeItem(at: dir) })
    }

    /// Whether to print each pipeline before clubsh runs it (to find one that crashes).
    static let trace = ProcessInfo.processInfo.environment["CLUBSH_DIFF_TRACE"] != nil

    /// clubsh's result for the pipeline, or the error it gave.
    static func run(_ p: DPipeline, _ session: Session) -> Result<Table, Diagnostic> {
        if trace { FileHandle.standardError.write(Data("running: \(DClubsh.text(p))\n".utf8)) }
        do { return .success(try session.query(DClubsh.text(p))) } catch { return .failure(error) }
    }

    /// A case as text: the pipeline, its SQL, the expected columns, the problem and both results.
    static func describe(_ p: DPipeline, session: Session, answer: Result<[[SQLite3Shell.Scalar]], SQLite3Shell.QueryError>) -> String {
        let clubsh = run(p, session)
        var out = "clubsh: \(DClubsh.text(p))\nSQL:    \(DSQL.query(p))\n"
        out += "expected columns: \(p.output.map { "\($0.name) \($0.type.rawValue)" }.joined(separator: ", "))\n"
        if let problem = DComparison.problem(p, clubsh: clubsh, sqlite: answer) { out += "problem: \(problem)\n" }
        out += "clubsh rows:\n" + DComparison.show(clubsh) + "sqlite3 rows:\n" + DComparison.show(answer)
        return out
    }
}

import Foundation

/// The `sqlite3` command-line shell, run through `Process` on an in-memory database: one
/// process per batch of queries, results read back in `.mode quote` (SQL literals: every type
/// kept apart, reals to 17 significant digits and more).
struct SQLite3Shell {
    let path: String

    /// `$CLUBSH_SQLITE3`, else `sqlite3` on the PATH; nil when there is none.
    static func find() -> SQLite3Shell? {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["CLUBSH_SQLITE3"] {
            return FileManager.default.isExecutableFile(atPath: given) ? SQLite3Shell(path: given) : nil
        }
        for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/sqlite3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return SQLite3Shell(path: candidate) }
        }
        return nil
    }

    /// A cell as sqlite3 writes it.
    enum Scalar: Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    /// Runs `script` (SQL and dot commands) and gives back stdout and stderr.
    func run(_ script: String) throws -> (out: String, err: String) {
        let (out, err) = try runBytes(script)
        return (String(decoding: out, as: UTF8.self), err)
    }

    /// Runs `script`, giving back stdout's bytes and stderr.
    func runBytes(_ script: String) throws -> (out: [UInt8], err: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("script.sql"), output = dir.appendingPathComponent("out"), errors = dir.appendingPathComponent("err")
        try script.write(to: input, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-batch", ":memory:"]
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        return ([UInt8](try Data(contentsOf: output)), try String(contentsOf: errors, encoding: .utf8))
    }

    /// Whether this sqlite3 was built with its math functions (`sqrt`, `mod`, `floor`, `ceil`).
    var hasMathFunctions: Bool {
        (try? run("SELECT sqrt(4) + mod(7, 4) + floor(1.5) + ceil(1.5);"))?.out.trimmingCharacters(in: .whitespacesAndNewlines) == "8.0"
    }

    /// sqlite3's version as (major, minor), e.g. (3, 40).
    var version: (Int, Int)? {
        guard let text = try? run("SELECT sqlite_version();").out else { return nil }
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").compactMap { Int($0) }
        return parts.count >= 2 ? (parts[0], parts[1]) : nil
    }

    /// Runs `setup`, then each query (one line each), giving each query's rows or its error.
    func results(setup: String, queries: [String]) throws -> [Result<[[Scalar]], QueryError>] {
        var script = ".bail off\n.headers off\n.mode quote\n" + setup + "\n"
        var lineOfQuery: [Int: Int] = [:]
        var line = script.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        for (i, q) in queries.enumerated() {
            precondition(!q.contains("\n"), "a query spans lines")
            script += ".print @@Q\(i)\n\(q)\n"
            lineOfQuery[line + 2] = i
            line += 2
        }
        let (out, err) = try runBytes(script)
        // Errors read "Parse error near line N: …" or "Runtime error near line N: …", then the
        // statement and a caret on lines of their own.
        var failed: [Int: String] = [:]
        var last: Int?
        for message in err.split(separator: "\n") {
            let text = String(message)
            guard let range = text.range(of: "error near line "), text.distance(from: text.startIndex, to: range.lowerBound) < 12 else {
                guard let last else { throw QueryError(message: "sqlite3: \(err)") }
                failed[last]! += "\n" + text
                continue
            }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            guard let n = Int(digits), let q = lineOfQuery[n] else { throw QueryError(message: "sqlite3 failed outside the queries: \(err)") }
            failed[q, default: ""] += text
            last = q
        }
        // Each query's output runs from its marker line to the next.
        var ranges = [Range<Int>?](repeating: nil, count: queries.count)
        var open: (query: Int, from: Int)?
        var lineStart = 0
        let marker = Array("@@Q".utf8)
        for i in 0...out.count where i == out.count || out[i] == 0x0A {
            if i - lineStart > 3, out[lineStart..<(lineStart + 3)].elementsEqual(marker),
               let q = Int(String(decoding: out[(lineStart + 3)..<i], as: UTF8.self)) {
                if let o = open { ranges[o.query] = o.from..<lineStart }
                open = (q, min(i + 1, out.count))
            }
            lineStart = i + 1
        }
        if let o = open { ranges[o.query] = o.from..<out.count }
        return try queries.indices.map { i in
            if let message = failed[i] { return .failure(QueryError(message: message)) }
            guard let range = ranges[i] else { return .failure(QueryError(message: "sqlite3 wrote nothing for this query")) }
            return .success(try out.withUnsafeBufferPointer { buffer in
                var reader = QuoteRows(UnsafeBufferPointer(rebasing: buffer[range]))
                return try reader.rows()
            })
        }
    }

    struct QueryError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// Rows as sqlite3's `.mode quote` writes them: one row a line, values split by commas, text
/// in single quotes (a quote doubled inside, line breaks as they are), NULL, numbers (integers
/// and reals told apart by a point or an exponent). A struct over bytes, as the outputs run to
/// megabytes and the tests are built for debugging.
struct QuoteRows {
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    mutating func rows() throws -> [[SQLite3Shell.Scalar]] {
        var rows: [[SQLite3Shell.Scalar]] = []
        while i < b.count {
            if b[i] == 0x0A { i += 1; continue }
            var row: [SQLite3Shell.Scalar] = []
            while true {
                row.append(try value())
                guard i < b.count, b[i] == 0x2C else { break }
                i += 1
            }
            guard i == b.count || b[i] == 0x0A else { throw failure("expected the end of a row") }
            rows.append(row)
        }
        return rows
    }

    private mutating func value() throws -> SQLite3Shell.Scalar {
        guard i < b.count else { throw failure("a row ends early") }
        if b[i] == 0x27 {
            i += 1
            var text: [UInt8] = []
            while i < b.count {
                if b[i] == 0x27 {
                    if i + 1 < b.count, b[i + 1] == 0x27 { text.append(0x27); i += 2; continue }
                    i += 1
                    return .text(String(decoding: text, as: UTF8.self))
                }
                text.append(b[i])
                i += 1
            }
            throw failure("unterminated text")
        }
        let start = i
        var real = false
        while i < b.count, b[i] != 0x2C, b[i] != 0x0A {
            if b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 { real = true }
            i += 1
        }
        let token = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if token == "NULL" { return .null }
        if !real, let v = Int64(token) { return .integer(v) }
        if let v = Double(token) { return .real(v) }
        throw failure("unreadable value \(token)")
    }

    private func failure(_ what: String) -> SQLite3Shell.QueryError {
        SQLite3Shell.QueryError(message: "unreadable output from sqlite3 (\(what)) at byte \(i): \(String(decoding: b.prefix(200), as: UTF8.self))")
    }
}

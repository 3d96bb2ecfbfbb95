import Foundation

/// The `sqlite3` command-line shell, run through `Process` on an in-memory database: one
/// process per batch of queries, results read back in `.mode json`.
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

    /// A cell as sqlite3 writes it in JSON.
    enum Scalar: Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    /// Runs `script` (SQL and dot commands) and gives back stdout and stderr.
    func run(_ script: String) throws -> (out: String, err: String) {
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
        return (try String(contentsOf: output, encoding: .utf8), try String(contentsOf: errors, encoding: .utf8))
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
        var script = ".bail off\n.headers off\n.mode json\n" + setup + "\n"
        var lineOfQuery: [Int: Int] = [:]
        var line = script.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        for (i, q) in queries.enumerated() {
            precondition(!q.contains("\n"), "a query spans lines")
            script += ".print @@Q\(i)\n\(q)\n"
            lineOfQuery[line + 2] = i
            line += 2
        }
        let (out, err) = try run(script)
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
        var chunks = [String](repeating: "", count: queries.count)
        var current: Int?
        for rawLine in out.split(separator: "\n", omittingEmptySubsequences: false) {
            if rawLine.hasPrefix("@@Q"), let i = Int(rawLine.dropFirst(3)) { current = i; continue }
            if let current { chunks[current] += rawLine + "\n" }
        }
        return try queries.indices.map { i in
            if let message = failed[i] { return .failure(QueryError(message: message)) }
            return .success(try JSONRows.parse(chunks[i]))
        }
    }

    struct QueryError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// The JSON sqlite3's `.mode json` writes: an array of flat objects (nothing for no rows).
/// Values are read in column order; integers and reals are told apart by their text.
enum JSONRows {
    static func parse(_ text: String) throws -> [[SQLite3Shell.Scalar]] {
        var p = Substring(text).unicodeScalars[...]
        func skipSpace() { while let c = p.first, c == " " || c == "\n" || c == "\r" || c == "\t" { p.removeFirst() } }
        func expect(_ c: Unicode.Scalar) throws {
            skipSpace()
            guard p.first == c else { throw SQLite3Shell.QueryError(message: "bad JSON from sqlite3 (expected \(c)): \(text.prefix(200))") }
            p.removeFirst()
        }
        func string() throws -> String {
            try expect("\"")
            var out = String.UnicodeScalarView()
            while let c = p.popFirst() {
                if c == "\"" { return String(out) }
                guard c == "\\" else { out.append(c); continue }
                guard let e = p.popFirst() else { break }
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "u":
                    let hex = String(String.UnicodeScalarView(p.prefix(4)))
                    p.removeFirst(4)
                    var code = UInt32(hex, radix: 16) ?? 0xFFFD
                    if (0xD800..<0xDC00).contains(code), p.first == "\\" {
                        p.removeFirst(2)
                        let low = UInt32(String(String.UnicodeScalarView(p.prefix(4))), radix: 16) ?? 0
                        p.removeFirst(4)
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: out.append(e)
                }
            }
            throw SQLite3Shell.QueryError(message: "unterminated string from sqlite3")
        }
        func value() throws -> SQLite3Shell.Scalar {
            skipSpace()
            if p.first == "\"" { return .text(try string()) }
            var token = ""
            while let c = p.first, c != ",", c != "}", c != " ", c != "\n" { token.unicodeScalars.append(c); p.removeFirst() }
            if token == "null" { return .null }
            if !token.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let v = Int64(token) { return .integer(v) }
            if let v = Double(token) { return .real(v) }
            throw SQLite3Shell.QueryError(message: "unreadable JSON value from sqlite3: \(token)")
        }
        skipSpace()
        if p.isEmpty { return [] }
        var rows: [[SQLite3Shell.Scalar]] = []
        try expect("[")
        while true {
            try expect("{")
            var row: [SQLite3Shell.Scalar] = []
            skipSpace()
            if p.first != "}" {
                while true {
                    _ = try string()
                    try expect(":")
                    row.append(try value())
                    skipSpace()
                    if p.first == "," { p.removeFirst(); continue }
                    break
                }
            }
            try expect("}")
            rows.append(row)
            skipSpace()
            if p.first == "," { p.removeFirst(); continue }
            try expect("]")
            return rows
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Spark through one long-lived `spark-sql` process per attached engine (a JVM per statement
/// would take seconds each): statements go to its stdin one per line, and answers are told
/// apart from the shell's echo and logs by a marker unique to each request.
///
/// A request is the statements, then `SELECT '<nonce>:end'` (its answer on stdout closes the
/// request's output), then `SELECT raise_error('<nonce>_sync')` (its error on stderr closes the
/// request's errors: every error the statements printed comes before it). Rows come as one JSON
/// object per line after the nonce (`to_json`), so tabs, newlines and `NULL` inside strings
/// stay what they are. The master URL passes through unchanged; Ctrl-C kills the process, and
/// the next statement starts a new one (tables live on in its warehouse folder).
final class SparkEngine: Engine {
    let kind = EngineKind.spark
    private(set) var traffic = EngineTraffic()
    let master: String
    /// The folder of the metastore, the warehouse and uploads: `CLUBSH_SPARK_WAREHOUSE`, or a
    /// new temporary folder removed at `detach`.
    let folder: String
    private let ownsFolder: Bool
    private var process: Process?
    private var input: FileHandle?
    private var outFD: Int32 = -1, errFD: Int32 = -1
    private var outBytes: [UInt8] = [], errBytes: [UInt8] = []
    private var counter = 0
    /// Whether the last request was stopped by Ctrl-C (the process was then ended).
    private(set) var restarted = false

    init(master: String, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError) {
        self.master = master
        if let shared = ProcessInfo.processInfo.environment["CLUBSH_SPARK_WAREHOUSE"], !shared.isEmpty {
            folder = shared
            ownsFolder = false
        } else {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-spark-\(getpid())-\(UUID().uuidString.prefix(8))").path
            ownsFolder = true
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EngineError("cannot make the folder \(folder): \(error.localizedDescription)")
        }
        try start(isCancelled: isCancelled)
    }

    deinit { close() }

    func close() {
        stop()
        if ownsFolder { try? FileManager.default.removeItem(atPath: folder) }
        SparkLeftovers.forget(ObjectIdentifier(self))
    }

    /// `spark-sql`: `CLUBSH_SPARK_SQL`, `$SPARK_HOME/bin/spark-sql`, or on the PATH.
    static func launcher() -> String? {
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let p = env["CLUBSH_SPARK_SQL"], !p.isEmpty { candidates.append(p) }
        if let home = env["SPARK_HOME"], !home.isEmpty { candidates.append(home + "/bin/spark-sql") }
        candidates += (env["PATH"] ?? "").split(separator: ":").map { "\($0)/spark-sql" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let missing = "spark-sql is not installed; install it with `pip install pyspark` (and Java 17), then put its bin/spark-sql on the PATH or set SPARK_HOME or CLUBSH_SPARK_SQL"

    private func start(isCancelled: @Sendable () -> Bool) throws(EngineError) {
        guard let launcher = Self.launcher() else { throw EngineError(Self.missing) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: launcher)
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        p.arguments = ["-S", "--master", master,
                       "--conf", "spark.ui.enabled=false",
                       "--conf", "spark.log.level=ERROR",
                       "--conf", "spark.sql.session.timeZone=UTC",
                       "--conf", "spark.sql.warehouse.dir=\(folder)/warehouse",
                       "--driver-java-options", "-Dderby.system.home=\(folder)"]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stderr
        do { try p.run() } catch { throw EngineError("cannot start \(launcher): \(error.localizedDescription)") }
        process = p
        // Should clubsh end without `detach` (an exit, SIGTERM, a closed terminal), the process
        // is ended and the temporary folder removed all the same.
        SparkLeftovers.keep(ObjectIdentifier(self), pid: p.processIdentifier, folder: ownsFolder ? folder : nil)
        input = stdin.fileHandleForWriting
        // Written only when poll says there is room (`request`), so a write never waits.
        let inFD = stdin.fileHandleForWriting.fileDescriptor
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        outFD = stdout.fileHandleForReading.fileDescriptor
        errFD = stderr.fileHandleForReading.fileDescriptor
        // Keep the read ends alive with the process.
        readers = [stdout.fileHandleForReading, stderr.fileHandleForReading]
        outBytes = []; errBytes = []
        // The first request waits for the JVM and takes its start-up chatter off stderr.
        _ = try request([], isCancelled: isCancelled)
    }
    private var readers: [FileHandle] = []

    private func stop() {
        if let p = process, p.isRunning {
            try? input?.close()
            p.terminate()
            let deadline = Date().addingTimeInterval(5)
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        process = nil
        input = nil
        readers = []
    }

    // MARK: - Requests

    /// Sends `statements` (each on one line) and gives the lines they printed on stdout, the
    /// shell's echo left out; the first error any of them printed is thrown.
    private func request(_ statements: [String], isCancelled: @Sendable () -> Bool) throws(EngineError) -> [String] {
        if process?.isRunning != true {
            guard process != nil || restarted else { throw EngineError("spark-sql is not running") }
            try start(isCancelled: isCancelled)
        }
        counter += 1
        let nonce = "clubsh\(getpid())x\(counter)x\(UInt32.random(in: 0...UInt32.max))"
        let text = (statements + ["SELECT '\(nonce):end'", "SELECT raise_error('\(nonce)_sync')"])
            .map { Self.withoutComments($0) + ";\n" }.joined()
        traffic.sent += text.utf8.count
        // The statements go in while the answers come out: spark-sql echoes what it reads, so a
        // request longer than the pipes hold would otherwise leave both sides waiting on a full
        // pipe. The input is written in pieces whenever it has room, never waited on.
        let bytes = Array(text.utf8)
        var sent = 0
        guard let inFD = input?.fileDescriptor else { throw EngineError("spark-sql is not running") }
        let previousPipe = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previousPipe) }
        var lines: [String] = [], errors: [String] = []
        var outDone = false, errDone = false
        while !(outDone && errDone) {
            if isCancelled() {
                // The running statement cannot be stopped through spark-sql's stdin: end the
                // process; the next statement starts another.
                stop()
                restarted = true
                throw EngineError.cancelled
            }
            var fds = [pollfd(fd: outFD, events: Int16(POLLIN), revents: 0), pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)]
            let writing = sent < bytes.count
            if writing { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), 50)
            if ready < 0 && errno != EINTR { break }
            if writing && fds[2].revents != 0 {
                let n = bytes.withUnsafeBufferPointer { write(inFD, $0.baseAddress! + sent, min(bytes.count - sent, 65536)) }
                let failure = errno
                if n > 0 {
                    sent += n
                } else if n < 0 && failure != EAGAIN && failure != EINTR {
                    stop()
                    throw EngineError("spark-sql stopped: \(String(cString: strerror(failure)))")
                }
            }
            for (k, fd) in fds.prefix(2).enumerated() where fd.revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let n = read(fd.fd, &buffer, buffer.count)
                if n > 0 { traffic.received += n }
                if n <= 0 {
                    stop()
                    let why = errors.first ?? "spark-sql ended"
                    throw EngineError(why)
                }
                if k == 0 {
                    outBytes += buffer[0..<n]
                    for line in takeLines(&outBytes) {
                        if line == "\(nonce):end" { outDone = true } else if !line.hasPrefix("spark-sql (") { lines.append(line) }
                    }
                } else {
                    errBytes += buffer[0..<n]
                    for line in takeLines(&errBytes) {
                        if line.hasPrefix("[USER_RAISED_EXCEPTION] \(nonce)_sync") { errDone = true }
                        else if line.hasPrefix("[") || line.hasPrefix("Error in query:") { errors.append(line) }
                    }
                }
            }
        }
        if let first = errors.first { throw EngineError(first.replacingOccurrences(of: #"\s*SQLSTATE: \w+;?.*$"#, with: "", options: .regularExpression)) }
        return lines
    }

    /// `sql` without its `--` comments (which might hold a `;`, where spark-sql would end the
    /// statement), quoted text kept as it is.
    static func withoutComments(_ sql: String) -> String {
        var out = "", quote: Character?, chars = Array(sql), i = 0
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                // spark-sql reads its input through a line editor, which takes a tab for
                // completion and a newline for the end of a line: inside a string they go as escapes.
                let escaped: String? = q == "`" ? nil : ["\t": "\\t", "\n": "\\n", "\r": "\\r"][c]
                out += escaped ?? String(c)
                if c == "\\" && q != "`" && i + 1 < chars.count { out.append(chars[i + 1]); i += 1 } else if c == q { quote = nil }
            } else if c == "'" || c == "\"" || c == "`" {
                quote = c
                out.append(c)
            } else if c == "-" && i + 1 < chars.count && chars[i + 1] == "-" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            } else {
                out.append(c == "\t" ? " " : c)
            }
            i += 1
        }
        return out
    }

    private func takeLines(_ bytes: inout [UInt8]) -> [String] {
        guard let last = bytes.lastIndex(of: 10) else { return [] }
        let text = String(decoding: bytes[...last], as: UTF8.self)
        bytes.removeSubrange(...last)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
    }

    // MARK: - Statements

    func tableNames() throws(EngineError) -> [String] {
        let nonce = "clubsh\(counter + 1)t"
        let lines = try request(["SELECT '\(nonce)' AS k", "SHOW TABLES", "SELECT '\(nonce)' AS k"], isCancelled: { false })
        guard let a = lines.firstIndex(of: nonce), let b = lines.lastIndex(of: nonce), a < b else { return [] }
        // spark-sql prints SHOW TABLES as names alone (as Hive did); clubsh's own temporary
        // views are left out.
        return lines[(a + 1)..<b].map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("clubsh_q") && !$0.hasPrefix("clubsh_up") }.sorted()
    }

    /// Runs statements whose answers are not read (`CREATE TABLE`, `INSERT`, …).
    func execute(_ statements: [String]) throws(EngineError) {
        _ = try request(statements, isCancelled: { false })
    }

    func schema(of table: String) throws(EngineError) -> Schema? {
        guard try tableNames().contains(table) else { return nil }
        return try describe("SELECT * FROM \(EngineSQL.quote(table, for: .spark))").schema
    }

    /// The columns of a query, from `DESCRIBE` of a temporary view over it.
    private func describe(_ sql: String) throws(EngineError) -> (view: String, schema: Schema) {
        counter += 1
        let view = "clubsh_q", nonce = "clubsh\(counter)d"
        let lines = try request(["CREATE OR REPLACE TEMPORARY VIEW \(view) AS \(sql)", "SELECT '\(nonce)' AS k", "DESCRIBE \(view)", "SELECT '\(nonce)' AS k"],
                                isCancelled: { false })
        guard let a = lines.firstIndex(of: nonce), let b = lines.lastIndex(of: nonce), a < b else { throw EngineError("spark-sql did not describe the query") }
        var fields: [Schema.Field] = []
        for line in lines[(a + 1)..<b] {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, !cells[0].isEmpty, !cells[0].hasPrefix("#") else { continue }
            fields.append(Schema.Field(name: cells[0], type: Self.type(cells[1])))
        }
        return (view, Schema(fields))
    }

    func query(_ sql: String, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError) -> Table {
        // The view is replaced by the next query, never dropped: one request fewer each time.
        let (view, schema) = try describe(sql)
        let nonce = "clubsh\(counter)r:"
        let fields = schema.names.enumerated().map { "'c\($0.offset)', \(EngineSQL.quote($0.element, for: .spark))" }
        let row = fields.isEmpty ? "'{}'" : "to_json(named_struct(\(fields.joined(separator: ", "))), map('timestampFormat', 'yyyy-MM-dd HH:mm:ss'))"
        let lines = try request(["SELECT concat('\(nonce)', \(row)) AS clubsh_row FROM \(view)"], isCancelled: isCancelled)
        var builders = schema.fields.map { TextColumnBuilder($0.type) }
        for line in lines where line.hasPrefix(nonce) {
            // Spark writes NaN and infinities bare, which JSON has no words for: they are nulls.
            let json = line.dropFirst(nonce.count).replacingOccurrences(of: #":(-?Infinity|NaN)([,}])"#, with: ":null$2", options: .regularExpression)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
                throw EngineError("spark-sql sent a row clubsh cannot read: \(line.prefix(80))")
            }
            for k in builders.indices {
                builders[k].append(Self.text(object["c\(k)"], as: builders[k].type))
            }
        }
        return Table(names: schema.names, builders: builders)
    }

    func upload(_ table: Table, as name: String, overwrite: Bool, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError) {
        let exists = try tableNames().contains(name)
        if exists && !overwrite { throw EngineError("table \(name) already exists; add `overwrite` to replace it") }
        counter += 1
        let dir = "\(folder)/upload-\(counter)"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dir + "/part.csv", contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/part.csv"))
            defer { try? handle.close() }
            var from = 0
            while from < table.rowCount {
                if isCancelled() { throw EngineError.cancelled }
                let to = min(table.rowCount, from + 10_000)
                let rows = Data(EngineCSV.rows(table, from..<to).utf8)
                try handle.write(contentsOf: rows)
                traffic.sent += rows.count
                from = to
            }
        } catch let e as EngineError {
            try? FileManager.default.removeItem(atPath: dir)
            throw e
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw EngineError("cannot write \(dir): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let columns = zip(table.columnNames, table.columns).map { "\(EngineSQL.quote($0, for: .spark)) \(Self.sqlType($1.type))" }.joined(separator: ", ")
        let source = "clubsh_up\(counter)", fresh = EngineSQL.quote("\(name)__clubsh_new\(counter)", for: .spark)
        let path = dir.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        // One file, written in the rows' order: Spark reads a table's files largest first, so
        // the order a table was uploaded in is kept only when it is one file.
        var statements = ["CREATE OR REPLACE TEMPORARY VIEW \(source) (\(columns)) USING csv OPTIONS (path '\(path)', header 'false', escape '\"', multiLine 'true', mode 'FAILFAST', timestampFormat 'yyyy-MM-dd HH:mm:ss')",
                          "CREATE TABLE \(fresh) USING parquet AS SELECT /*+ COALESCE(1) */ * FROM \(source)"]
        // The new table is complete before the old one goes.
        if exists { statements.append("DROP TABLE \(EngineSQL.quote(name, for: .spark))") }
        statements += ["ALTER TABLE \(fresh) RENAME TO \(EngineSQL.quote(name, for: .spark))", "DROP VIEW IF EXISTS \(source)"]
        do throws(EngineError) {
            _ = try request(statements, isCancelled: isCancelled)
        } catch {
            _ = try? request(["DROP TABLE IF EXISTS \(fresh)", "DROP VIEW IF EXISTS \(source)"], isCancelled: { false })
            throw error
        }
    }

    // MARK: - Types

    /// The clubsh type of a Spark type name (`bigint`, `decimal(10,2)`, `timestamp_ntz`, …).
    static func type(_ name: String) -> DataType {
        let n = name.lowercased()
        if ["tinyint", "smallint", "int", "integer", "bigint", "long", "short", "byte"].contains(n) { return .int }
        if n == "float" || n == "double" || n == "real" || n.hasPrefix("decimal") { return .double }
        if n == "boolean" { return .bool }
        if n == "date" { return .date }
        if n.hasPrefix("timestamp") { return .datetime }
        return .string
    }

    static func sqlType(_ type: DataType) -> String {
        switch type {
        case .int: return "BIGINT"
        case .double: return "DOUBLE"
        case .bool: return "BOOLEAN"
        case .date: return "DATE"
        case .datetime: return "TIMESTAMP"
        case .string, .duration, .null: return "STRING"
        }
    }

    /// A JSON value as the text `TextColumnBuilder` reads.
    private static func text(_ value: Any?, as type: DataType) -> Substring? {
        switch value {
        case nil, is NSNull: return nil
        case let s as String: return Substring(s)
        case let n as NSNumber:
            // Before `as Bool`, which a 0 or 1 would also pass.
            switch type {
            case .int: return Substring(String(n.int64Value))
            case .bool: return n.boolValue ? "true" : "false"
            case .double: return Substring("\(n.doubleValue)")
            default: return Substring(n.stringValue)
            }
        default:
            let data = (try? JSONSerialization.data(withJSONObject: value!, options: [.fragmentsAllowed])) ?? Data()
            return Substring(String(decoding: data, as: UTF8.self))
        }
    }
}

/// The `spark-sql` processes and temporary folders of this clubsh, ended and removed when it
/// exits without `detach`: at `exit` (the end of a script, `.quit`, the end of input, Ctrl-C
/// outside the prompt), and on SIGTERM or SIGHUP (a closed terminal), after which the signal
/// ends clubsh as it would have. A SIGKILL, or a second Ctrl-C (which ends clubsh at once),
/// leaves them: Spark's process ends when its input closes, its folder stays in the
/// temporary folder (`clubsh-spark-PID-…`).
enum SparkLeftovers {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: [ObjectIdentifier: (pid: pid_t, folder: String?)] = [:]
    nonisolated(unsafe) private static var installed = false
    /// The pipe the SIGTERM and SIGHUP handler writes the signal's number to.
    nonisolated(unsafe) private static var wakeFD: Int32 = -1

    static func keep(_ id: ObjectIdentifier, pid: pid_t, folder: String?) {
        lock.withLock {
            live[id] = (pid, folder)
            guard !installed else { return }
            atexit { SparkLeftovers.cleanUp() }
            installed = true
            // A signal handler may only write to a pipe; a thread of its own reads it, cleans
            // up, and ends clubsh with the signal as its default action would have.
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { return }
            wakeFD = fds[1]
            let readFD = fds[0]
            Thread.detachNewThread {
                var sig: Int32 = 0
                while read(readFD, &sig, MemoryLayout<Int32>.size) != MemoryLayout<Int32>.size {}
                SparkLeftovers.cleanUp()
                signal(sig, SIG_DFL)
                kill(getpid(), sig)
            }
            for sig in [SIGTERM, SIGHUP] {
                var old = sigaction()
                sigaction(sig, nil, &old)
                #if os(Linux)
                let handler = old.__sigaction_handler.sa_handler
                #else
                let handler = old.__sigaction_u.__sa_handler
                #endif
                // A signal already ignored (`nohup`) stays ignored.
                if unsafeBitCast(handler, to: Int.self) == 1 { continue }
                var action = sigaction()
                #if os(Linux)
                action.__sigaction_handler.sa_handler = { sig in var s = sig; _ = write(SparkLeftovers.wakeFD, &s, MemoryLayout<Int32>.size) }
                #else
                action.__sigaction_u.__sa_handler = { sig in var s = sig; _ = write(SparkLeftovers.wakeFD, &s, MemoryLayout<Int32>.size) }
                #endif
                sigemptyset(&action.sa_mask)
                action.sa_flags = Int32(bitPattern: UInt32(truncatingIfNeeded: SA_RESTART))
                sigaction(sig, &action, nil)
            }
        }
    }

    static func forget(_ id: ObjectIdentifier) {
        lock.withLock { _ = live.removeValue(forKey: id) }
    }

    /// Held for a whole clean-up: a SIGTERM's and the `exit` it leads to do not race (the exit
    /// waits until the folders are gone).
    private static let cleaning = NSLock()

    /// Ends every process still running (TERM, then KILL after 3 seconds) and removes the folders.
    static func cleanUp() {
        cleaning.lock()
        defer { cleaning.unlock() }
        let all = lock.withLock { Array(live.values) }
        defer { lock.withLock { live = [:] } }
        for entry in all where kill(entry.pid, 0) == 0 { kill(entry.pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(3)
        while all.contains(where: { kill($0.pid, 0) == 0 && !exited($0.pid) }) && Date() < deadline { usleep(20_000) }
        for entry in all where kill(entry.pid, 0) == 0 && !exited(entry.pid) { kill(entry.pid, SIGKILL) }
        for case let folder? in all.map(\.folder) { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Whether the child has ended (reaped here if it is a zombie).
    private static func exited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }
}

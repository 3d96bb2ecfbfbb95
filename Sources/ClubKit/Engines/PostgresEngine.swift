#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// PostgreSQL through libpq (loaded at run time, `LibPQ`). Answers stream in single-row mode
/// straight into typed columns, so a large answer is never held twice; Ctrl-C sends the server
/// a cancel request (`PQcancel`) and the connection stays usable.
final class PostgresEngine: Engine {
    let kind = EngineKind.postgres
    private(set) var traffic = EngineTraffic()
    private let pq: LibPQ
    private var conn: LibPQ.Conn?

    /// Connects with a libpq connection string (`host=/tmp/pg dbname=club`, or a
    /// `postgresql://…` URI).
    init(_ conninfo: String) throws(EngineError) {
        guard let pq = LibPQ.shared else { throw EngineError(LibPQ.missing) }
        self.pq = pq
        guard !conninfo.contains("\0") else { throw EngineError("the connection string holds a NUL character") }
        guard let conn = pq.connectdb(conninfo) else { throw EngineError("out of memory while connecting") }
        guard pq.status(conn) == 0 else {
            let why = pq.errorMessage(conn).map { String(cString: $0) } ?? "cannot connect"
            pq.finish(conn)
            throw EngineError(why)
        }
        self.conn = conn
        // Dates, times and doubles in the forms TextColumnBuilder reads, exactly.
        try command("SET DateStyle TO ISO, YMD; SET TimeZone TO 'UTC'; SET extra_float_digits TO 3; SET client_encoding TO 'UTF8'")
    }

    deinit { close() }

    func close() {
        if let conn { pq.finish(conn) }
        conn = nil
    }

    private func connection() throws(EngineError) -> LibPQ.Conn {
        guard let conn else { throw EngineError("the connection is closed") }
        return conn
    }

    // MARK: - Statements

    func tableNames() throws(EngineError) -> [String] {
        let t = try query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1", isCancelled: { false })
        return (0..<t.rowCount).compactMap { if case .string(let s) = t.columns[0].value(at: $0) { s } else { nil } }
    }

    func schema(of table: String) throws(EngineError) -> Schema? {
        guard try tableNames().contains(table) else { return nil }
        return try query("SELECT * FROM \(Self.quote(table)) LIMIT 0", isCancelled: { false }).schema
    }

    func query(_ sql: String, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError) -> Table {
        let conn = try connection()
        guard !sql.contains("\0"), pq.sendQuery(conn, sql) == 1 else { throw connectionError() }
        countStatement(sql)
        _ = pq.setSingleRowMode(conn)
        var names: [String] = []
        var builders: [TextColumnBuilder]?
        var failure: EngineError?
        var cancelled = false
        while let result = try nextResult(isCancelled: isCancelled, cancelled: &cancelled) {
            defer { pq.clear(result) }
            let status = pq.resultStatus(result)
            guard status == LibPQ.singleTuple || status == LibPQ.tuplesOK || status == LibPQ.commandOK else {
                failure = failure ?? error(of: result)
                continue
            }
            guard status != LibPQ.commandOK, failure == nil else { continue }
            let fields = pq.nfields(result)
            if builders == nil {
                names = (0..<fields).map { pq.fname(result, $0).map { String(cString: $0) } ?? "column\($0 + 1)" }
                builders = (0..<fields).map { TextColumnBuilder(LibPQ.type(oid: pq.ftype(result, $0))) }
            }
            for row in 0..<pq.ntuples(result) {
                // A DataRow message: its type, length and field count, then each field's length and bytes.
                traffic.received += 7
                for k in 0..<Int(fields) {
                    traffic.received += 4 + max(0, Int(pq.getlength(result, row, Int32(k))))
                    if pq.getisnull(result, row, Int32(k)) != 0 {
                        builders![k].append(nil)
                    } else if let p = pq.getvalue(result, row, Int32(k)) {
                        // SAFETY: libpq gives a NUL-terminated value of getlength bytes, valid until PQclear.
                        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: Int(pq.getlength(result, row, Int32(k))))
                        builders![k].append(Substring(String(decoding: bytes, as: UTF8.self)))
                    }
                }
            }
        }
        if cancelled { throw EngineError.cancelled }
        if let failure { throw failure }
        return Table(names: names, builders: builders ?? [])
    }

    func upload(_ table: Table, as name: String, overwrite: Bool, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError) {
        let exists = try tableNames().contains(name)
        if exists && !overwrite {
            throw EngineError("table \(name) already exists; add `overwrite` to replace it")
        }
        let columns = zip(table.columnNames, table.columns).map { "\(Self.quote($0)) \(Self.sqlType($1.type))" }
        try command("BEGIN")
        do throws(EngineError) {
            if exists { try command("DROP TABLE \(Self.quote(name))") }
            try command("CREATE TABLE \(Self.quote(name)) (\(columns.joined(separator: ", ")))")
            try copyIn(table, into: name, isCancelled: isCancelled)
            try command("COMMIT")
        } catch {
            _ = try? command("ROLLBACK")
            throw error
        }
    }

    /// `COPY … FROM STDIN` in CSV, 10,000 rows a message, Ctrl-C checked between them.
    private func copyIn(_ table: Table, into name: String, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError) {
        let conn = try connection()
        let copy = "COPY \(Self.quote(name)) FROM STDIN (FORMAT csv)"
        guard pq.sendQuery(conn, copy) == 1 else { throw connectionError() }
        countStatement(copy)
        var cancelled = false
        guard let started = try nextResult(isCancelled: { false }, cancelled: &cancelled) else { throw connectionError() }
        let status = pq.resultStatus(started)
        let startError = status == LibPQ.copyIn ? nil : error(of: started)
        pq.clear(started)
        if let startError {
            try drain()
            throw startError
        }
        var stopped: String?
        var from = 0
        while from < table.rowCount {
            if isCancelled() { stopped = "interrupted"; break }
            let to = min(table.rowCount, from + 10_000)
            let chunk = Array(EngineCSV.rows(table, from..<to).utf8)
            let sent = chunk.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { pq.putCopyData(conn, $0.baseAddress!, Int32($0.count)) }
            }
            guard sent == 1 else { stopped = "the connection failed while sending rows"; break }
            traffic.sent += 5 + chunk.count
            from = to
        }
        _ = pq.putCopyEnd(conn, stopped)
        var failure: EngineError?
        while let result = try nextResult(isCancelled: { false }, cancelled: &cancelled) {
            if pq.resultStatus(result) != LibPQ.commandOK { failure = failure ?? error(of: result) }
            pq.clear(result)
        }
        if stopped == "interrupted" { throw EngineError.cancelled }
        if let failure { throw failure }
    }

    /// Runs statements whose answers are not read (`SET`, `BEGIN`, `CREATE TABLE …`).
    private func command(_ sql: String) throws(EngineError) {
        let conn = try connection()
        guard pq.sendQuery(conn, sql) == 1 else { throw connectionError() }
        countStatement(sql)
        var failure: EngineError?
        var cancelled = false
        while let result = try nextResult(isCancelled: { false }, cancelled: &cancelled) {
            let status = pq.resultStatus(result)
            if status != LibPQ.commandOK && status != LibPQ.tuplesOK { failure = failure ?? error(of: result) }
            pq.clear(result)
        }
        if let failure { throw failure }
    }

    /// A Query message: its type, length, the text and its NUL.
    private func countStatement(_ sql: String) { traffic.sent += 6 + sql.utf8.count }

    private func drain() throws(EngineError) {
        var cancelled = false
        while let result = try nextResult(isCancelled: { false }, cancelled: &cancelled) { pq.clear(result) }
    }

    /// The next result of the statement under way, waiting on the socket in 50 ms steps so that
    /// Ctrl-C is seen: then a cancel request goes to the server (once) and the results are read
    /// to the end as usual, leaving the connection ready for the next statement.
    private func nextResult(isCancelled: @Sendable () -> Bool, cancelled: inout Bool) throws(EngineError) -> LibPQ.Result? {
        let conn = try connection()
        while pq.isBusy(conn) != 0 {
            if !cancelled && isCancelled() {
                cancelled = true
                if let c = pq.getCancel(conn) {
                    var buffer = [CChar](repeating: 0, count: 256)
                    _ = pq.cancel(c, &buffer, Int32(buffer.count))
                    pq.freeCancel(c)
                }
            }
            var p = pollfd(fd: pq.socket(conn), events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 50) < 0 && errno != EINTR { throw connectionError() }
            guard pq.consumeInput(conn) == 1 else { throw connectionError() }
        }
        return pq.getResult(conn)
    }

    private func error(of result: LibPQ.Result) -> EngineError {
        let message = pq.resultErrorField(result, LibPQ.fieldMessage).map { String(cString: $0) }
            ?? pq.resultErrorMessage(result).map { String(cString: $0) } ?? "the statement failed"
        return EngineError(message)
    }

    private func connectionError() -> EngineError {
        EngineError(conn.flatMap { pq.errorMessage($0) }.map { String(cString: $0) } ?? "the connection failed")
    }

    // MARK: - SQL text

    /// A quoted identifier: `"Order ""lines"""`.
    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The column type a local column is created with.
    static func sqlType(_ type: DataType) -> String {
        switch type {
        case .int: return "bigint"
        case .double: return "double precision"
        case .bool: return "boolean"
        case .date: return "date"
        case .datetime: return "timestamp"
        case .string, .duration, .null: return "text"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The libpq functions clubsh uses, loaded at run time with dlopen so that clubsh builds and
/// runs with nothing but the Swift toolchain; `attach postgres` needs libpq only when used.
struct LibPQ: @unchecked Sendable {
    typealias Conn = OpaquePointer
    typealias Result = OpaquePointer

    let connectdb: @convention(c) (UnsafePointer<CChar>) -> Conn?
    let status: @convention(c) (Conn) -> Int32
    let errorMessage: @convention(c) (Conn) -> UnsafePointer<CChar>?
    let finish: @convention(c) (Conn) -> Void
    let exec: @convention(c) (Conn, UnsafePointer<CChar>) -> Result?
    let sendQuery: @convention(c) (Conn, UnsafePointer<CChar>) -> Int32
    let setSingleRowMode: @convention(c) (Conn) -> Int32
    let getResult: @convention(c) (Conn) -> Result?
    let resultStatus: @convention(c) (Result) -> Int32
    let resultErrorField: @convention(c) (Result, Int32) -> UnsafePointer<CChar>?
    let resultErrorMessage: @convention(c) (Result) -> UnsafePointer<CChar>?
    let ntuples: @convention(c) (Result) -> Int32
    let nfields: @convention(c) (Result) -> Int32
    let fname: @convention(c) (Result, Int32) -> UnsafePointer<CChar>?
    let ftype: @convention(c) (Result, Int32) -> UInt32
    let getvalue: @convention(c) (Result, Int32, Int32) -> UnsafePointer<CChar>?
    let getlength: @convention(c) (Result, Int32, Int32) -> Int32
    let getisnull: @convention(c) (Result, Int32, Int32) -> Int32
    let clear: @convention(c) (Result) -> Void
    let consumeInput: @convention(c) (Conn) -> Int32
    let isBusy: @convention(c) (Conn) -> Int32
    let socket: @convention(c) (Conn) -> Int32
    let getCancel: @convention(c) (Conn) -> OpaquePointer?
    let cancel: @convention(c) (OpaquePointer, UnsafeMutablePointer<CChar>, Int32) -> Int32
    let freeCancel: @convention(c) (OpaquePointer) -> Void
    let putCopyData: @convention(c) (Conn, UnsafePointer<CChar>, Int32) -> Int32
    let putCopyEnd: @convention(c) (Conn, UnsafePointer<CChar>?) -> Int32

    // ExecStatusType and the diagnostic field codes of libpq-fe.h and postgres_ext.h.
    static let commandOK: Int32 = 1, tuplesOK: Int32 = 2, copyIn: Int32 = 4, singleTuple: Int32 = 9
    static let fieldMessage = Int32(UInt8(ascii: "M")), fieldPosition = Int32(UInt8(ascii: "P"))

    /// The library, loaded once per process; nil when it is not installed.
    static let shared: LibPQ? = load()

    /// One line saying how to get libpq.
    static let missing = "libpq (the PostgreSQL client library) is not installed; install it with `apt-get install libpq5` (or `brew install libpq`)"

    private static func load() -> LibPQ? {
        var handle: UnsafeMutableRawPointer?
        for name in ["libpq.so.5", "libpq.so", "/opt/homebrew/opt/libpq/lib/libpq.5.dylib", "/usr/local/opt/libpq/lib/libpq.5.dylib", "libpq.5.dylib"] {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
        }
        guard let handle else { return nil }
        // SAFETY: each name is a libpq function whose C signature (libpq-fe.h) is the
        // @convention(c) type it is cast to; PGconn, PGresult and PGcancel are opaque pointers.
        // The library is never dlclose'd, so the pointers stay valid for the process.
        func f<T>(_ name: String) -> T? { dlsym(handle, name).map { unsafeBitCast($0, to: T.self) } }
        guard let connectdb: @convention(c) (UnsafePointer<CChar>) -> Conn? = f("PQconnectdb"),
              let status: @convention(c) (Conn) -> Int32 = f("PQstatus"),
              let errorMessage: @convention(c) (Conn) -> UnsafePointer<CChar>? = f("PQerrorMessage"),
              let finish: @convention(c) (Conn) -> Void = f("PQfinish"),
              let exec: @convention(c) (Conn, UnsafePointer<CChar>) -> Result? = f("PQexec"),
              let sendQuery: @convention(c) (Conn, UnsafePointer<CChar>) -> Int32 = f("PQsendQuery"),
              let setSingleRowMode: @convention(c) (Conn) -> Int32 = f("PQsetSingleRowMode"),
              let getResult: @convention(c) (Conn) -> Result? = f("PQgetResult"),
              let resultStatus: @convention(c) (Result) -> Int32 = f("PQresultStatus"),
              let resultErrorField: @convention(c) (Result, Int32) -> UnsafePointer<CChar>? = f("PQresultErrorField"),
              let resultErrorMessage: @convention(c) (Result) -> UnsafePointer<CChar>? = f("PQresultErrorMessage"),
              let ntuples: @convention(c) (Result) -> Int32 = f("PQntuples"),
              let nfields: @convention(c) (Result) -> Int32 = f("PQnfields"),
              let fname: @convention(c) (Result, Int32) -> UnsafePointer<CChar>? = f("PQfname"),
              let ftype: @convention(c) (Result, Int32) -> UInt32 = f("PQftype"),
              let getvalue: @convention(c) (Result, Int32, Int32) -> UnsafePointer<CChar>? = f("PQgetvalue"),
              let getlength: @convention(c) (Result, Int32, Int32) -> Int32 = f("PQgetlength"),
              let getisnull: @convention(c) (Result, Int32, Int32) -> Int32 = f("PQgetisnull"),
              let clear: @convention(c) (Result) -> Void = f("PQclear"),
              let consumeInput: @convention(c) (Conn) -> Int32 = f("PQconsumeInput"),
              let isBusy: @convention(c) (Conn) -> Int32 = f("PQisBusy"),
              let socket: @convention(c) (Conn) -> Int32 = f("PQsocket"),
              let getCancel: @convention(c) (Conn) -> OpaquePointer? = f("PQgetCancel"),
              let cancel: @convention(c) (OpaquePointer, UnsafeMutablePointer<CChar>, Int32) -> Int32 = f("PQcancel"),
              let freeCancel: @convention(c) (OpaquePointer) -> Void = f("PQfreeCancel"),
              let putCopyData: @convention(c) (Conn, UnsafePointer<CChar>, Int32) -> Int32 = f("PQputCopyData"),
              let putCopyEnd: @convention(c) (Conn, UnsafePointer<CChar>?) -> Int32 = f("PQputCopyEnd")
        else { return nil }
        return LibPQ(connectdb: connectdb, status: status, errorMessage: errorMessage, finish: finish, exec: exec,
                     sendQuery: sendQuery, setSingleRowMode: setSingleRowMode, getResult: getResult, resultStatus: resultStatus,
                     resultErrorField: resultErrorField, resultErrorMessage: resultErrorMessage, ntuples: ntuples, nfields: nfields,
                     fname: fname, ftype: ftype, getvalue: getvalue, getlength: getlength, getisnull: getisnull, clear: clear,
                     consumeInput: consumeInput, isBusy: isBusy, socket: socket, getCancel: getCancel, cancel: cancel,
                     freeCancel: freeCancel, putCopyData: putCopyData, putCopyEnd: putCopyEnd)
    }

    /// The clubsh type of a PostgreSQL type (by OID, pg_type.dat); anything else comes as text.
    static func type(oid: UInt32) -> DataType {
        switch oid {
        case 20, 21, 23, 26: return .int              // int8, int2, int4, oid
        case 700, 701, 1700: return .double          // float4, float8, numeric
        case 16: return .bool
        case 1082: return .date
        case 1114, 1184: return .datetime            // timestamp, timestamptz
        default: return .string
        }
    }
}

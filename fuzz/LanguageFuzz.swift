// libFuzzer target: statement text through the lexer, parser, checker and evaluator of a fresh
// session holding two small tables (nulls, negative numbers, Persian text, dates). Statements
// that read or write files (`load`, `export`, `chart … to`) are skipped: the fuzzer must not
// touch the file system.

/// The tables every input starts from, built once.
enum FuzzTables {
    static let orders: Table = {
        let customers: [Int64] = [10, 11, 10, 12, 11, -3, 10, 13]
        let days = ["2024-01-05", "2024-01-06", "2024-02-01", "2024-02-03", "2024-03-09", "2023-12-31", "2024-06-30", "2024-02-29"]
            .map { Int32(DateParser.isoDate($0)!) }
        var amountNulls = Bitmap(count: 8)
        amountNulls.set(3, false)
        let channels = ["web", "app", "web", "store", "وب", "web", "app", "e\u{301}"]
        return Table(columnNames: ["order_id", "customer_id", "date", "amount", "channel"],
                     columns: [Column(.int((1...8).map { Int64($0) })), Column(.int(customers)), Column(.date(days)),
                               Column(.double([120.5, 80, 300, 0, -45.25, 1e15, 0.1, 7]), validity: amountNulls),
                               stringColumn(channels)],
                     rowCount: 8)
    }()
    static let customers = Table(columnNames: ["id", "name", "city"],
                                 columns: [Column(.int([10, 11, 13, 14])), stringColumn(["Sara", "Reza", "مینا", ""]),
                                           stringColumn(["Tehran", "Shiraz", "Tabriz", "Tehran"])],
                                 rowCount: 4)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLanguage(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lower = text.lowercased()
    if lower.contains("load") || lower.contains("export") || lower.contains(" to ") { return 0 }
    let session = Session(asOf: Int32(DateParser.isoDate("2024-06-30")!))
    session.tables = ["orders": FuzzTables.orders, "customers": FuzzTables.customers]
    session.tableOrder = ["orders", "customers"]
    session.memoryLimit = MemoryLimit(bytes: 256 << 20)
    session.run(text) { _ in true }
    return 0
}

import Foundation
import XCTest
@testable import ClubKit

/// The folders `makeSession` wrote, removed when the test process ends.
nonisolated(unsafe) private var sessionFolders: [URL] = []
private let removeSessionFoldersAtExit: Void = {
    atexit { for folder in sessionFolders { try? FileManager.default.removeItem(at: folder) } }
}()

/// A session with small CSV tables loaded from temporary files.
func makeSession(_ files: [String: String], asOf: Int32? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Session {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    removeSessionFoldersAtExit
    sessionFolders.append(dir)
    let session = Session(asOf: asOf)
    for (name, text) in files.sorted(by: { $0.key < $1.key }) {
        let path = dir.appendingPathComponent("\(name).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try session.runAll("load \"\(path)\"")
    }
    return session
}

extension Session {
    /// Runs statements that must succeed, returning every output.
    @discardableResult
    func runAll(_ source: String) throws -> [Output] {
        var outputs: [Output] = []
        var failure: Diagnostic?
        run(source) { outcome in
            switch outcome {
            case .success(let (_, out)): outputs += out; return true
            case .failure(let d): failure = d; return false
            }
        }
        if let failure { throw failure }
        return outputs
    }

    /// The first error of running `source`.
    func error(_ source: String) -> Diagnostic? {
        do { try runAll(source); return nil } catch { return error as? Diagnostic }
    }
}

extension Table {
    /// Column `name` as display strings (null as "null").
    func strings(_ name: String) -> [String] {
        guard let c = column(name) else { return ["<no column \(name)>"] }
        return (0..<rowCount).map { ValueFormat.display(c.value(at: $0)) }
    }

    func values(_ name: String) -> [Value] {
        guard let c = column(name) else { return [] }
        return (0..<rowCount).map { c.value(at: $0) }
    }
}

/// Five orders of three customers, one amount missing.
let smallOrders = """
order_id,customer_id,date,amount,channel
1,10,2024-01-05,120.5,web
2,11,2024-01-06,80,app
3,10,2024-02-01,300,web
4,12,2024-02-03,,store
5,11,2024-03-09,45.25,web
"""

let smallCustomers = """
id,name,city
10,Sara,Tehran
11,Reza,Shiraz
13,Mina,Tabriz
"""

/// Transactions that push the repeat-purchase models to their limits: customer 1 buys every day
/// for four years from 2020-01-01, customers 2–39 once on that day, and, with `ordinary`,
/// customers 40–99 a few times each on days spread over the four years.
func hostileRepeatPurchases(ordinary: Bool) -> String {
    let start = CivilDate.days(year: 2020, month: 1, day: 1)
    func day(_ d: Int) -> String { CivilDate.format(Int32(start + d)) }
    var csv = "customer_id,date,amount\n"
    for d in 0..<1500 { csv += "1,\(day(d)),1\n" }
    for c in 2..<40 { csv += "\(c),2020-01-01,1\n" }
    guard ordinary else { return csv }
    for c in 40..<100 {
        for k in 0..<(c % 6) { csv += "\(c),\(day((c * 37 + k * (c * 13 % 200)) % 1400)),2\n" }
    }
    return csv
}

import Foundation
import SampleData
import XCTest

/// `clubsh-sample-data --orders N` writes its orders and customers on every core, a chunk at a
/// time; the files must be the bytes the one-threaded writer before it wrote, so benchmark
/// figures stay comparable. The expected hashes are FNV-1a 64 of files written by that earlier
/// writer (`clubsh-sample-data --orders 2000000`, seed 20240630; the first 300,001 lines of its
/// orders.csv and the first 100,001 of its customers.csv, which are what asking for 300,000
/// orders and 100,000 customers gives), computed in Python.
final class BenchmarkFilesTests: XCTestCase {
    private func fnv1a(_ bytes: Data) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The fields of one CSV line (a field in double quotes may hold commas; none holds quotes).
    private func csvFields(_ line: Data) -> [String] {
        var fields: [String] = [], field = [UInt8](), quoted = false
        for b in line {
            if b == UInt8(ascii: "\"") { quoted.toggle() } else if b == UInt8(ascii: ",") && !quoted {
                fields.append(String(decoding: field, as: UTF8.self)); field = []
            } else { field.append(b) }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    func testOrdersAndCustomersAreTheOneThreadedWritersBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-bench-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let generator = SampleGenerator(customers: 300_000 / 8, seed: 20240630)
        // 300,000 orders cross a chunk boundary (262,144 orders); 100,000 customers one of 65,536.
        let answers = try generator.writeOrders(rows: 300_000, to: dir.appendingPathComponent("orders.csv").path,
                                                feedback: dir.appendingPathComponent("feedback.csv").path)
        try generator.writeCustomers(count: 100_000, to: dir.appendingPathComponent("customers.csv").path)
        let orders = try Data(contentsOf: dir.appendingPathComponent("orders.csv"))
        XCTAssertEqual(orders.count, 10_888_286)
        XCTAssertEqual(fnv1a(orders), 0x81b9_7648_2aa8_5cfb)
        // The customers gained a birth month (5th column, from its own random stream) after
        // those files were written: without it the bytes are the earlier writer's.
        let customers = try Data(contentsOf: dir.appendingPathComponent("customers.csv"))
        var withoutBirthMonth = Data(), months = 0
        for line in customers.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            let fields = csvFields(Data(line))
            XCTAssertEqual(fields.count, 13)
            if fields[4] != "birth_month" {
                XCTAssertEqual(fields[3].isEmpty, fields[4].isEmpty, "a birth month exactly when a birth year")
                if let m = Int(fields[4]) { XCTAssertTrue((1...12).contains(m)); months += 1 }
            }
            var kept = Data(line)
            let start = fields[0...3].reduce(0) { $0 + $1.utf8.count + 1 } + (fields[1].contains(",") ? 2 : 0)
            kept.removeSubrange(kept.startIndex + start ..< kept.startIndex + start + fields[4].utf8.count + 1)
            withoutBirthMonth.append(kept)
            withoutBirthMonth.append(UInt8(ascii: "\n"))
        }
        XCTAssertGreaterThan(months, 50_000)
        XCTAssertEqual(withoutBirthMonth.count, 8_658_813)
        XCTAssertEqual(fnv1a(withoutBirthMonth), 0xa0cf_fffc_b660_20d8)

        // Without feedback the orders are the same: the answers draw from streams of their own.
        try generator.writeOrders(rows: 300_000, to: dir.appendingPathComponent("alone.csv").path)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("alone.csv")), orders)

        // Each answer is of a customer with orders, 1–7 days after one of them (at most the
        // last day of the data), with an NPS of 0–10 and a rating of 1–5.
        var days: [Int: Set<String>] = [:]
        for line in String(decoding: orders, as: UTF8.self).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            days[Int(f[1])!, default: []].insert(String(f[2]))
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let feedback = try String(contentsOf: dir.appendingPathComponent("feedback.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(feedback.first, "customer_id,date,nps,rating,complaint")
        XCTAssertEqual(feedback.count - 1, answers)
        XCTAssertGreaterThan(answers, 10_000)
        for line in feedback.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            XCTAssertEqual(f.count, 5, String(line))
            let ordered = try XCTUnwrap(days[Int(f[0])!], "feedback from a customer without orders: \(line)")
            let day = try XCTUnwrap(formatter.date(from: String(f[1])))
            let before = (1...7).map { formatter.string(from: day.addingTimeInterval(-86_400 * Double($0))) }
            XCTAssertTrue(f[1] == "2024-06-30" || before.contains(where: ordered.contains), "no order 1–7 days before: \(line)")
            XCTAssertTrue((0...10).contains(Int(f[2])!) && (1...5).contains(Int(f[3])!), String(line))
        }
    }
}

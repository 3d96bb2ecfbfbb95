import Foundation
import SampleData

/// clubsh-sample-data [--customers N] [--seed S] [--out DIR] [--locale en|fa]
/// Writes customers.csv, orders.csv, feedback.csv, survey.csv and contacts.csv; the defaults make Samples/data.
var customers = 3000
var seed: UInt64 = 20240630
var out = "Samples/data"
/// `--orders N`: only orders.csv with N rows and a matching customers.csv (for benchmarks).
var benchOrders: Int?
/// `--locale fa`: Persian names and cities, Jalali dates, Persian digits, amounts in tomans.
var locale = SampleLocale.english
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    guard !args.isEmpty || flag == "--help" else {
        FileHandle.standardError.write("clubsh-sample-data: \(flag) needs a value\n".data(using: .utf8)!)
        exit(2)
    }
    switch flag {
    case "--customers": customers = Int(args.removeFirst()) ?? customers
    case "--seed": seed = UInt64(args.removeFirst()) ?? seed
    case "--out": out = args.removeFirst()
    case "--locale":
        let name = args.removeFirst()
        guard let l = SampleLocale(rawValue: name) else {
            FileHandle.standardError.write("clubsh-sample-data: --locale takes en or fa, not \(name)\n".data(using: .utf8)!)
            exit(2)
        }
        locale = l
    case "--orders": benchOrders = Int(args.removeFirst().replacingOccurrences(of: "_", with: ""))
    default:
        print("usage: clubsh-sample-data [--customers N | --orders N] [--seed S] [--out DIR] [--locale en|fa]")
        exit(flag == "--help" ? 0 : 2)
    }
}
if let rows = benchOrders {
    do {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let generator = SampleGenerator(customers: max(1, rows / 8), seed: seed)
        try generator.writeOrders(rows: rows, to: out + "/orders.csv")
        try generator.writeCustomers(count: max(1, rows / 8) + rows / 16, to: out + "/customers.csv")
        print("wrote \(out): \(rows) orders and their customers")
        exit(0)
    } catch {
        FileHandle.standardError.write("clubsh-sample-data: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
do {
    let s = try SampleGenerator(customers: customers, seed: seed, locale: locale).write(to: out)
    print("wrote \(out): \(s.customers) customers, \(s.orders) orders, \(s.feedback) feedback rows, \(s.survey) survey answers, \(s.contacts) campaign contacts")
} catch {
    FileHandle.standardError.write("clubsh-sample-data: \(error)\n".data(using: .utf8)!)
    exit(1)
}

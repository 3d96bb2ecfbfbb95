import Foundation
import SampleData

/// clubsh-sample-data [--customers N] [--seed S] [--out DIR]
/// Writes customers.csv, orders.csv and feedback.csv; the defaults make Samples/data.
var customers = 3000
var seed: UInt64 = 20240630
var out = "Samples/data"
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
    default:
        print("usage: clubsh-sample-data [--customers N] [--seed S] [--out DIR]")
        exit(flag == "--help" ? 0 : 2)
    }
}
do {
    let s = try SampleGenerator(customers: customers, seed: seed).write(to: out)
    print("wrote \(out): \(s.customers) customers, \(s.orders) orders, \(s.feedback) feedback rows")
} catch {
    FileHandle.standardError.write("clubsh-sample-data: \(error)\n".data(using: .utf8)!)
    exit(1)
}

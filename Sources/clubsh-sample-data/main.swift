import ClubKit
import Foundation
import SampleData

/// clubsh-sample-data [--customers N] [--seed S] [--out DIR] [--locale en|fa]
/// Writes customers.csv, orders.csv, feedback.csv, survey.csv, contacts.csv and spring/ (a club
/// whose campaign works); the defaults make Samples/data.
var customers = 3000
var seed: UInt64 = 20240630
var out = "Samples/data"
/// `--orders N`: only orders.csv with N rows, a matching customers.csv and those customers'
/// feedback.csv (for benchmarks).
var benchOrders: Int?
/// `--locale fa`: Persian names and cities, Jalali dates, Persian digits, amounts in tomans.
var locale = SampleLocale.english
var customersGiven = false
var args = Array(CommandLine.arguments.dropFirst())

/// An error in one line for a person: the message clubsh would show.
func describe(_ error: any Error) -> String {
    if let d = error as? Diagnostic { return d.message }
    if let f = error as? XLSXWriter.Failure { return f.message }
    return error.localizedDescription
}

/// Says what is wrong with the command line and exits 2.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write("clubsh-sample-data: \(message)\n".data(using: .utf8)!)
    exit(2)
}
while !args.isEmpty {
    let flag = args.removeFirst()
    guard !args.isEmpty || flag == "--help" else {
        FileHandle.standardError.write("clubsh-sample-data: \(flag) needs a value\n".data(using: .utf8)!)
        exit(2)
    }
    switch flag {
    case "--customers":
        let text = args.removeFirst()
        guard let n = Int(text.replacingOccurrences(of: "_", with: "")), (1...10_000_000).contains(n) else { fail("--customers takes a whole number from 1 to 10,000,000, not \(text)") }
        customers = n
        customersGiven = true
    case "--seed":
        let text = args.removeFirst()
        guard let s = UInt64(text) else { fail("--seed takes a whole number from 0 to 18446744073709551615, not \(text)") }
        seed = s
    case "--out": out = args.removeFirst()
    case "--locale":
        let name = args.removeFirst()
        guard let l = SampleLocale(rawValue: name) else {
            FileHandle.standardError.write("clubsh-sample-data: --locale takes en or fa, not \(name)\n".data(using: .utf8)!)
            exit(2)
        }
        locale = l
    case "--orders":
        let text = args.removeFirst()
        guard let n = Int(text.replacingOccurrences(of: "_", with: "")), (1...2_000_000_000).contains(n) else { fail("--orders takes a whole number from 1 to 2,000,000,000, not \(text)") }
        benchOrders = n
    default:
        print("usage: clubsh-sample-data [--customers N | --orders N] [--seed S] [--out DIR] [--locale en|fa]")
        exit(flag == "--help" ? 0 : 2)
    }
}
if benchOrders != nil && customersGiven { fail("--customers and --orders are alternatives: --orders makes its own customers") }
if let rows = benchOrders {
    do {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let generator = SampleGenerator(customers: max(1, rows / 8), seed: seed)
        let answers = try generator.writeOrders(rows: rows, to: out + "/orders.csv", feedback: out + "/feedback.csv")
        try generator.writeCustomers(count: max(1, rows / 8) + rows / 16, to: out + "/customers.csv")
        print("wrote \(out): \(rows) orders, their customers and \(answers) feedback answers")
        exit(0)
    } catch {
        FileHandle.standardError.write("clubsh-sample-data: \(describe(error))\n".data(using: .utf8)!)
        exit(1)
    }
}
do {
    let s = try SampleGenerator(customers: customers, seed: seed, locale: locale).write(to: out)
    print("wrote \(out): \(s.customers) customers, \(s.orders) orders, \(s.feedback) feedback rows, \(s.survey) survey answers, \(s.contacts) campaign contacts; spring/: \(s.springCustomers) customers, \(s.springOrders) orders, \(s.springContacts) campaign contacts")
    if s.workbookLeftOut { print("club.xlsx left out: a sheet holds at most 1,048,576 rows; the CSV files hold the whole club") }
} catch {
    FileHandle.standardError.write("clubsh-sample-data: \(describe(error))\n".data(using: .utf8)!)
    exit(1)
}

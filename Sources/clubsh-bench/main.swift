import ClubKit
import Foundation
import SampleData
#if canImport(Glibc)
import Glibc
#endif

/// clubsh-bench [--rows N] [--runs K] [--file PATH]
///
/// Generates N orders (default 10 million) once, then times, separately and K times each, the
/// load and a per-customer aggregate (count, sum of amount, max date), printing medians, rows/s,
/// MB/s and the peak resident memory.
var rows = 10_000_000
var runs = 3
var file: String?
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    guard let value = args.first else { print("usage: clubsh-bench [--rows N] [--runs K] [--file PATH]"); exit(2) }
    args.removeFirst()
    switch flag {
    case "--rows": rows = Int(value.replacingOccurrences(of: "_", with: "")) ?? rows
    case "--runs": runs = max(1, Int(value) ?? runs)
    case "--file": file = value
    default: print("usage: clubsh-bench [--rows N] [--runs K] [--file PATH]"); exit(2)
    }
}
let path = file ?? FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-bench-orders-\(rows).csv").path
if !FileManager.default.fileExists(atPath: path) {
    print("generating \(rows) orders into \(path) …")
    try SampleGenerator(customers: max(1, rows / 8), seed: 7).writeOrders(rows: rows, to: path)
}
let bytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

var loadTimes: [Double] = [], aggTimes: [Double] = []
var groups = 0
for _ in 0..<runs {
    let session = Session()
    loadTimes.append(try seconds { _ = try session.execute(try Parser.parseAll("load \"\(path)\" as orders")[0]) })
    aggTimes.append(try seconds {
        groups = try session.query("orders | agg orders = count(), spend = sum(amount), last = max(date) by customer_id").rowCount
    })
}
let load = median(loadTimes), agg = median(aggTimes)
print("file: \(path) (\(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB, \(rows) rows)")
print(String(format: "load: median %.3f s of %d runs  (%.1f M rows/s, %.0f MB/s)", load, runs, Double(rows) / load / 1e6, Double(bytes) / load / 1e6))
print(String(format: "agg by customer_id (count, sum, max date): median %.3f s  (%.1f M rows/s, %d groups)", agg, Double(rows) / agg / 1e6, groups))
print(String(format: "load + agg: %.3f s; peak memory %.0f MiB", load + agg, peakMemoryMiB()))
print("runs: load " + loadTimes.map { String(format: "%.3f", $0) }.joined(separator: " ") + " · agg " + aggTimes.map { String(format: "%.3f", $0) }.joined(separator: " "))

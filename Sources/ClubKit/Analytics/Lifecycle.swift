/// How customers moved between the types of `types` from one date to another: the lifecycle of
/// seed 001 (`001_965e8389ae044e1d.txt`: «ابتدا سرنخ بوده و طی یک سری فعالیت های سازمان فروش،
/// به مشتری بالقوه و سپس به یک مشتری جدید تبدیل می گردد», "first a lead, then through the sales
/// team's work a potential customer, then a new customer"), and on to regular, loyal, inactive.
///
/// Each date is an as-of date of its own: the types as of `from` see only what happened by
/// then (orders, feedback, `contacted`, `joined`, `first_seen`), exactly as `types` does after
/// `use … as_of`. A person not yet known at `from` starts as "(not yet known)".
enum LifecycleCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "lifecycle", group: .analytics,
                                usage: "lifecycle from DATE to DATE [with new_days N, inactive_days N, loyal_orders N, loyal_days N, loyal_gap N, feedback_days N] [| members]",
                                meaning: "how many customers moved from each type to each other type between two dates (lead › potential › new › regular › loyal, seed 001); `| members` gives each customer's two types",
                                example: "lifecycle from 2023-12-31 to 2024-06-30")

    /// Not known by the first date: first seen, or first bought, after it.
    static let notYetKnown = "(not yet known)"

    struct Options {
        var from: Int32, to: Int32
        var types: TypesCommand.Options
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let at = args.valueLocation("from")
        guard let from = try args.date("from"), let to = try args.date("to") else {
            throw Diagnostic("`lifecycle` takes `from DATE to DATE`", at: at, hint: "for example: lifecycle from 2023-12-31 to 2024-06-30")
        }
        guard from < to else { throw Diagnostic("`lifecycle` needs the first date before the second", at: at) }
        return Options(from: from, to: to, types: try TypesCommand.options(&args))
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "lifecycle", at: location)
        let all = reads + ["customers", "feedback"]
        if o.types.members {
            return AnalyticsBinding([(key.name, key.type), ("from_type", .string), ("to_type", .string), ("moved", .bool), ("evidence", .string)], reads: all)
        }
        return AnalyticsBinding([("from_type", .string), ("to_type", .string), ("customers", .int), ("share_of_from", .double)], reads: all)
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (before, reads) = try catalog.transactionData(for: "lifecycle", at: location, asOf: o.from)
        let (after, _) = try catalog.transactionData(for: "lifecycle", at: location, asOf: o.to)
        let customers = catalog.tables["customers"], feedback = catalog.tables["feedback"]
        let a = before.typeAssignment(o.types, customers: customers, feedback: feedback, reads: reads)
        let b = after.typeAssignment(o.types, customers: customers, feedback: feedback, reads: reads)
        return lifecycle(from: a, to: b, o, keyName: after.keyName, calendar: catalog.calendar)
    }

    /// The moves from assignment `a` to assignment `b`, matched by customer key.
    static func lifecycle(from a: TypeAssignment, to b: TypeAssignment, _ o: Options, keyName: String, calendar: CalendarKind) -> AnalyticsResult {
        // Dense numbers over both key lists: a's customers first, then b's.
        let g = Grouping(columns: [Join.concatenate(a.keys, b.keys)], n: a.keys.count + b.keys.count)
        var earlier = [Int32: Int]()
        for i in 0..<a.keys.count { earlier[g.ids[i]] = i }
        let fromType = (0..<b.keys.count).map { j in earlier[g.ids[a.keys.count + j]].map { a.type[$0] } ?? notYetKnown }
        let order = ([notYetKnown] + TypesCommand.customerTypeOrder)
        let work = ["types as of \(calendar.format(o.from)), then as of \(calendar.format(o.to)), each seeing only what had happened by then; one type per customer by precedence: "
                    + TypesCommand.precedence.joined(separator: " › ")] + Array(Set(a.notes + b.notes)).sorted()
        let reads = Array(Set(a.reads + b.reads)).sorted()
        if o.types.members {
            let less = Sorting.lessThan(b.keys)
            let rows = (0..<b.keys.count).sorted { x, y in less(x, y) || (!less(y, x) && x < y) }
            let table = Table(columnNames: [keyName, "from_type", "to_type", "moved", "evidence"],
                              columns: [b.keys.gather(rows.map { Int32($0) }), stringColumn(rows.map { fromType[$0] }), stringColumn(rows.map { b.type[$0] }),
                                        Column(.bool(rows.map { fromType[$0] != b.type[$0] })),
                                        stringColumn(rows.map { b.evidence[$0] ?? "" }, nulls: rows.map { b.evidence[$0] == nil })])
            return AnalyticsResult(table: table, work: work, reads: reads)
        }
        var counts = [String: [String: Int]]()
        for j in 0..<b.keys.count { counts[fromType[j], default: [:]][b.type[j], default: 0] += 1 }
        var from: [String] = [], to: [String] = [], n: [Int64] = [], share: [Double] = []
        for f in order {
            guard let row = counts[f] else { continue }
            let total = row.values.reduce(0, +)
            for t in TypesCommand.customerTypeOrder {
                guard let k = row[t] else { continue }
                from.append(f); to.append(t); n.append(Int64(k)); share.append(Double(k) / Double(total) * 100)
            }
        }
        let stayed = (0..<b.keys.count).filter { fromType[$0] == b.type[$0] }.count
        let table = Table(columnNames: ["from_type", "to_type", "customers", "share_of_from"],
                          columns: [stringColumn(from), stringColumn(to), Column(.int(n)), Column(.double(share))])
        return AnalyticsResult(table: table, work: work + ["\(grouped(b.keys.count - stayed)) of \(grouped(b.keys.count)) customers changed type; share_of_from = customers / all who had that type as of \(calendar.format(o.from))"],
                               reads: reads)
    }
}

/// Segments ranked by what a campaign to them is expected to return, against what reaching them
/// costs: seed 004 (`004_7b2fd26a1c473741.txt`), «سپس میتوانید آن را با هزینهای که صرف تبلیغات
/// کرده … مقایسه کرده تا قادر به تعیین سودمندترین آن باشید», "then compare it with what you
/// spent on advertising, to find the most profitable".
///
///     expected revenue = members × response × AOV
///     expected return  = expected revenue × margin − members × cost
///
/// AOV is the segment's own: its customers' spend over their orders, from the transactions.
enum PlanCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "plan", group: .analytics,
                                usage: "plan SEGMENT[, SEGMENT …] cost C response R% [margin M%]",
                                meaning: "segments ranked by a campaign's expected return: members × response × AOV × margin − members × cost (seed 004)",
                                example: "plan vip, lapsed cost 2.5 response 4% margin 30%")

    struct Options {
        var segments: [(name: String, at: SourceLocation)]
        var cost: Double, response: Double, margin: Double
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        var segments: [(String, SourceLocation)] = []
        while let (word, at) = args.peekWord(), !["cost", "response", "margin"].contains(word) {
            _ = args.word()
            if segments.contains(where: { $0.0 == word }) {
                throw Diagnostic("the segment `\(word)` is named twice", at: at)
            }
            segments.append((word, at))
        }
        guard !segments.isEmpty else {
            throw Diagnostic("`plan` needs one or more segments", at: args.command.location, hint: "for example: plan vip, lapsed cost 2.5 response 4%")
        }
        let at = args.command.location
        guard let cost = try args.number("cost") else { throw Diagnostic("`plan` needs `cost C`, the cost of reaching one member", at: at, hint: help.example) }
        guard cost >= 0 else { throw Diagnostic("`cost` cannot be negative", at: at) }
        guard let response = try args.percent("response", in: 0...100) else {
            throw Diagnostic("`plan` needs `response R%`, the share of members expected to buy", at: at, hint: help.example)
        }
        let margin = try args.percent("margin", in: 0...100) ?? 100
        return Options(segments: segments, cost: cost, response: response, margin: margin)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (_, reads) = try catalog.transactionKey(for: "plan", at: location)
        for (name, at) in o.segments {
            guard let def = catalog.definition(name), case .segment = def.kind else {
                throw Diagnostic("unknown segment `\(name)`", at: at, hint: Suggest.hint(for: name, among: catalog.segmentNames) ?? "`segments` lists them")
            }
            _ = try catalog.customerColumn(of: name, at: at)
        }
        return AnalyticsBinding([("segment", .string), ("members", .int), ("aov", .double), ("responders", .double), ("expected_revenue", .double),
                                 ("cost", .double), ("expected_return", .double), ("roi", .double)],
                                reads: reads + o.segments.map(\.name))
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (all, reads) = try catalog.transactionData(for: "plan", at: location)
        var rows: [(segment: String, members: Int, aov: Double?, responders: Double, revenue: Double?, cost: Double, gain: Double?, roi: Double?)] = []
        var work = ["expected revenue = members × response × AOV; expected return = expected revenue × margin − members × cost; response \(rate(o.response)), margin \(rate(o.margin)), cost \(ValueFormat.displayDouble(o.cost)) per member"]
        for (name, at) in o.segments {
            let members = try catalog.materialize(name, at: at)
            guard let keys = members.column(try catalog.customerColumn(of: name, at: at)) else {
                throw Diagnostic("segment `\(name)` has no column to match customers by", at: at)
            }
            let g = Grouping(columns: [keys], n: keys.count)
            let n = Set((0..<keys.count).filter { !keys.isNull($0) }.map { g.ids[$0] }).count
            let bought = all.only(keys)
            let s = bought.summary()
            let orders = s.transactions.reduce(0, +)
            let aov = orders == 0 ? nil : Money.sum(s.spend, scale: bought.moneyScale) / Double(orders)
            let responders = Double(n) * o.response / 100
            let revenue = aov.map { responders * $0 }
            let cost = Double(n) * o.cost
            let gain = revenue.map { $0 * o.margin / 100 - cost }
            let roi = cost == 0 ? nil : gain.map { $0 / cost * 100 }
            for (figure, value) in [("expected_revenue", revenue), ("expected_return", gain), ("roi", roi)] where value.map({ !$0.isFinite }) ?? false {
                throw Diagnostic("the \(figure) of `\(name)` would be too large to be a finite number with these numbers", at: at)
            }
            rows.append((name, n, aov, responders, revenue, cost, gain, roi))
            if let aov, let revenue, let gain {
                work.append("\(name): \(grouped(n)) × \(rate(o.response)) × \(ValueFormat.displayDouble(aov)) = \(ValueFormat.displayDouble(revenue)); × \(rate(o.margin)) − \(grouped(n)) × \(ValueFormat.displayDouble(o.cost)) = \(ValueFormat.displayDouble(gain))")
            } else {
                work.append("\(name): its \(grouped(n)) members have no orders, so there is no AOV to expect")
            }
        }
        // Largest expected return first; a segment without one last, in the order given.
        let order = rows.indices.sorted { a, b in
            switch (rows[a].gain, rows[b].gain) {
            case let (x?, y?): return x > y || (x == y && a < b)
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a < b
            }
        }
        let r = order.map { rows[$0] }
        let table = Table(columnNames: ["segment", "members", "aov", "responders", "expected_revenue", "cost", "expected_return", "roi"],
                          columns: [stringColumn(r.map(\.segment)), Column(.int(r.map { Int64($0.members) })), doubleColumn(r.map(\.aov)),
                                    Column(.double(r.map(\.responders))), doubleColumn(r.map(\.revenue)), Column(.double(r.map(\.cost))),
                                    doubleColumn(r.map(\.gain)), doubleColumn(r.map(\.roi))])
        return AnalyticsResult(table: table, work: work + ["roi = expected return / cost × 100; segments by expected return, largest first"], reads: reads + o.segments.map(\.name))
    }
}

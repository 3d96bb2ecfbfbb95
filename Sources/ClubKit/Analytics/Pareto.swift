/// The 80/20 rule (brief §6): customers by spend, largest first, with the cumulative share of
/// revenue and an ABC class (A up to 80% of revenue, B up to 95%, C the rest).
enum ParetoCommand: AnalyticsCommandDefinition {
    static func display(column: String) -> DisplayHint { ["share", "cumulative_share"].contains(column) ? .percent : .plain }

    static let help = HelpTopic(name: "pareto", group: .analytics, usage: "pareto [in SEGMENT]",
                                meaning: "customers by spend with cumulative share and ABC class; the 80/20 headline, over all customers or one segment's",
                                example: "pareto | take 10")

    /// `in SEGMENT`: only that segment's customers (matched by the customer column); nil: all.
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> (String, SourceLocation)? {
        guard args.flag("in") else { return nil }
        guard let segment = args.word() else { throw Diagnostic("`pareto in` needs a segment", at: args.command.location, hint: "for example: pareto in vip") }
        return segment
    }

    static func bind(_ segment: (String, SourceLocation)?, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "pareto", at: location)
        if let (name, at) = segment {
            guard let def = catalog.definition(name), case .segment = def.kind else {
                throw Diagnostic("unknown segment `\(name)`", at: at, hint: Suggest.hint(for: name, among: catalog.segmentNames) ?? "`segments` lists them")
            }
            _ = try catalog.customerColumn(of: name, at: at)
        }
        return AnalyticsBinding([("rank", .int), (key.name, key.type), ("spend", .double), ("share", .double), ("cumulative_share", .double), ("class", .string)],
                                reads: reads + (segment.map { [$0.0] } ?? []))
    }

    static func run(_ segment: (String, SourceLocation)?, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (all, reads) = try catalog.transactionData(for: "pareto", at: location)
        guard let (name, at) = segment else { return try all.pareto(reads: reads, at: location) }
        let members = try catalog.materialize(name, at: at)
        guard let keys = members.column(try catalog.customerColumn(of: name, at: at)) else {
            throw Diagnostic("segment `\(name)` has no column to match customers by", at: at)
        }
        let within = all.only(keys)
        guard within.customerCount > 0 else { throw Diagnostic("segment `\(name)` has no customers with a purchase, so there is no 80/20 to find", at: at) }
        var result = try within.pareto(reads: reads + [name], at: location)
        result.work[0] = "in \(name): " + result.work[0]
        return result
    }
}

extension TransactionData {
    /// The transactions of the customers whose key is among `keys` (a segment's customer column).
    func only(_ keys: Column) -> TransactionData {
        guard Types.comparable(keys.type, self.keys.type) else { return filtered { _ in false } }
        let both = Grouping(columns: [Join.concatenate(self.keys, keys)], n: self.keys.count + keys.count).ids
        let wanted = Set(both[self.keys.count...])
        return filtered { wanted.contains(both[$0]) }
    }

    func pareto(reads: [String], at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        let spend = data.summary().spend
        // Totals of the spends are sums of money at the amounts' scale (`Money`).
        let scale = Money.scale(of: spend, trying: data.moneyScale)
        let total = Money.sum(spend, scale: scale)
        guard total > 0 else { throw Diagnostic("the customers have no revenue, so there are no shares", at: at) }
        // Largest spend first, ties by customer: a stable sort of the customers in key order.
        // The sorted keys give back each spend in rank order (-spend's key holds its bits), so
        // the spends are read in order rather than one customer at a time.
        let keyOrder = data.keyOrder()
        let inOrder = keyOrder.elementsEqual(0..<keyOrder.count)
        let (positions, sortedKeys) = Radix.sorted(inOrder ? spend.map { Radix.key(-$0) } : keyOrder.map { Radix.key(-spend[$0]) })
        let order = inOrder ? positions : positions.map { Int32(keyOrder[Int($0)]) }
        // 0 − x: the spend, and 0 for a spend of 0 (whose key gives back 0, not −0).
        let ranked = sortedKeys.map { 0 - Radix.double($0) }
        // Every spend is on the grid of `scale` (`Money.scale` checked them): no check per add.
        var cumulative = MoneySums(count: 1, scale: scale, checked: false)
        var shares: [Double] = [], cumulatives: [Double] = [], classes: [Int] = []
        shares.reserveCapacity(order.count)
        cumulatives.reserveCapacity(order.count)
        classes.reserveCapacity(order.count)
        var reach80: Int?
        for (i, x) in ranked.enumerated() {
            cumulative.add(x)
            let cum = cumulative[0] / total * 100
            shares.append(x / total * 100)
            cumulatives.append(cum)
            classes.append(cum <= 80 ? 0 : cum <= 95 ? 1 : 2)
            if reach80 == nil && cum >= 80 - 1e-9 { reach80 = i + 1 }
        }
        let n = data.customerCount
        let k = reach80 ?? n
        let table = Table(columnNames: ["rank", data.keyName, "spend", "share", "cumulative_share", "class"],
                          columns: [Column(.int((1...max(n, 1)).prefix(n).map(Int64.init))), data.keys.gather(order),
                                    Column(.double(ranked)), Column(.double(shares)), Column(.double(cumulatives)),
                                    labelColumn(classes, labels: 3) { ["A", "B", "C"][$0] }])
        return AnalyticsResult(table: table, work: [
            "\(rate(Double(k) / Double(n) * 100)) of customers (\(grouped(k)) of \(grouped(n))) make 80% of revenue",
            "class A: cumulative share up to 80%, B: up to 95%, C: the rest",
        ], reads: reads)
    }
}

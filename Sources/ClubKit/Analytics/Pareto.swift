/// The 80/20 rule (brief §6): customers by spend, largest first, with the cumulative share of
/// revenue and an ABC class (A up to 80% of revenue, B up to 95%, C the rest).
enum ParetoCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "pareto", group: .analytics, usage: "pareto", meaning: "customers by spend with cumulative share and ABC class; the 80/20 headline", example: "pareto | take 10")

    /// No options.
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Bool { true }

    static func bind(_ options: Bool, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "pareto", at: location)
        return AnalyticsBinding([("rank", .int), (key.name, key.type), ("spend", .double), ("share", .double), ("cumulative_share", .double), ("class", .string)],
                                reads: reads)
    }

    static func run(_ options: Bool, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "pareto", at: location)
        return try data.pareto(reads: reads, at: location)
    }
}

extension TransactionData {
    func pareto(reads: [String], at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        let spend = data.summary().spend
        let total = CompensatedSum.of(spend)
        guard total > 0 else { throw Diagnostic("the customers have no revenue, so there are no shares", at: at) }
        let keyOrder = data.keyOrder()
        var keyRank = [Int](repeating: 0, count: data.customerCount)
        for (r, c) in keyOrder.enumerated() { keyRank[c] = r }
        let order = (0..<data.customerCount).sorted { spend[$0] > spend[$1] || (spend[$0] == spend[$1] && keyRank[$0] < keyRank[$1]) }
        var cumulative = 0.0
        var shares: [Double] = [], cumulatives: [Double] = [], classes: [String] = []
        var reach80: Int?
        for (i, c) in order.enumerated() {
            cumulative += spend[c]
            let cum = cumulative / total * 100
            shares.append(spend[c] / total * 100)
            cumulatives.append(cum)
            classes.append(cum <= 80 ? "A" : cum <= 95 ? "B" : "C")
            if reach80 == nil && cum >= 80 - 1e-9 { reach80 = i + 1 }
        }
        let n = data.customerCount
        let k = reach80 ?? n
        let table = Table(columnNames: ["rank", data.keyName, "spend", "share", "cumulative_share", "class"],
                          columns: [Column(.int((1...max(n, 1)).prefix(n).map(Int64.init))), data.keys.gather(order.map { Int32($0) }),
                                    Column(.double(order.map { spend[$0] })), Column(.double(shares)), Column(.double(cumulatives)), stringColumn(classes)])
        return AnalyticsResult(table: table, work: [
            "\(rate(Double(k) / Double(n) * 100)) of customers (\(grouped(k)) of \(grouped(n))) make 80% of revenue",
            "class A: cumulative share up to 80%, B: up to 95%, C: the rest",
        ], reads: reads)
    }
}

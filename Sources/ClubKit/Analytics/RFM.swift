/// RFM scoring (Hughes 1994; brief §6): per customer recency (days from the last purchase to the
/// as-of date), frequency (transactions) and monetary value (total spend), each scored 1…bins by
/// rank — 5 is best — with ties broken by customer, then named from the usual R–F map.
enum RFMCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "rfm", group: .analytics, usage: "rfm [bins N]", meaning: "recency, frequency, monetary, scores 1–N (N best) and the RF segment", example: "rfm | where segment == \"At Risk\"")

    /// The number of score bins.
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Int {
        try args.whole("bins", default: 5, in: 2...10)
    }

    static func bind(_ bins: Int, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "rfm", at: location)
        return AnalyticsBinding([(key.name, key.type), ("recency", .int), ("frequency", .int), ("monetary", .double), ("r", .int), ("f", .int), ("m", .int),
                                 ("rfm", .string), ("segment", .string)], reads: reads)
    }

    static func run(_ bins: Int, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "rfm", at: location)
        return data.rfm(bins: bins, reads: reads)
    }
}

extension TransactionData {
    func rfm(bins: Int, reads: [String]) -> AnalyticsResult {
        let data = self
        let s = data.summary()
        let n = data.customerCount
        let recency = (0..<n).map { Int64(data.asOf - s.last[$0]) }
        let frequency = s.transactions.map(Int64.init)
        let monetary = s.spend
        let byKey = data.keyOrder()
        // Customers numbered in key order already (the usual case for whole-number ids in a
        // file sorted by customer): the columns are the per-customer arrays as they are.
        let inOrder = byKey.elementsEqual(0..<n)
        func byKeyOrder<T>(_ a: [T]) -> [T] { inOrder ? a : byKey.map { a[$0] } }
        /// Scores from worst to best: the customer at rank i (of n) scores ⌊i × bins / n⌋ + 1.
        /// `sortKey` orders from worst to best; a stable sort of the customers in key order
        /// breaks ties by customer.
        func scores(_ sortKey: (Int) -> UInt64) -> [Int] {
            let inKeyOrder = Radix.scores(byKey.map(sortKey), bins: bins)
            if inOrder { return inKeyOrder }
            var out = [Int](repeating: 0, count: n)
            for (i, c) in byKey.enumerated() { out[c] = inKeyOrder[i] }
            return out
        }
        // The three sorts on two cores: monetary (the most bytes to sort) on one, recency and
        // frequency on the other. Each only reads what it shares.
        let sortKeys: [(Int) -> UInt64] = [{ Radix.key(-recency[$0]) }, { Radix.key(frequency[$0]) }, { Radix.key(monetary[$0]) }]
        let parts = n >= 1 << 16 ? 2 : 1
        let jobs = parts == 2 ? [[2], [0, 1]] : [[0, 1, 2]]
        var scored = [[Int]](repeating: [], count: 3)
        for done in Parallel.map(parts, { k in jobs[k].map { ($0, scores(sortKeys[$0])) } }) {
            for (which, s) in done { scored[which] = s }
        }
        let (r, f, m) = (scored[0], scored[1], scored[2])
        let codes = labelColumn(byKeyOrder((0..<n).map { ((r[$0] - 1) * bins + f[$0] - 1) * bins + m[$0] - 1 }), labels: bins * bins * bins) { k in
            "\(k / (bins * bins) + 1)\(k / bins % bins + 1)\(k % bins + 1)"
        }
        let names = labelColumn(byKeyOrder((0..<n).map { (r[$0] - 1) * bins + f[$0] - 1 }), labels: bins * bins) { k in
            Self.rfmSegment(r: k / bins + 1, f: k % bins + 1, bins: bins)
        }
        let table = Table(columnNames: [data.keyName, "recency", "frequency", "monetary", "r", "f", "m", "rfm", "segment"],
                          columns: [inOrder ? data.keys : data.keys.gather(byKey.map { Int32($0) }), Column(.int(byKeyOrder(recency))),
                                    Column(.int(byKeyOrder(frequency))), Column(.double(byKeyOrder(monetary))),
                                    Column(.int(byKeyOrder(r.map(Int64.init)))), Column(.int(byKeyOrder(f.map(Int64.init)))),
                                    Column(.int(byKeyOrder(m.map(Int64.init)))), codes, names])
        return AnalyticsResult(table: table, work: [
            "rfm as of \(data.calendar.format(data.asOf)): \(grouped(n)) customers; recency = days since the last purchase, frequency = transactions, monetary = total spend",
            "scores 1–\(bins) by rank (\(bins) best), ties broken by customer; segment from the R and F scores",
        ], reads: reads)
    }

    /// The usual R–F segment map on a 1–5 scale (other bin counts are rescaled to it).
    static func rfmSegment(r: Int, f: Int, bins: Int) -> String {
        let r5 = (r - 1) * 5 / bins + 1, f5 = (f - 1) * 5 / bins + 1
        switch (r5, f5) {
        case (5, 4...5): return "Champions"
        case (3...4, 4...5): return "Frequent Buyers"
        case (4...5, 2...3): return "Potential Loyalist"
        case (5, 1): return "Recent First-Timers"
        case (4, 1): return "Promising"
        case (3, 3): return "Need Attention"
        case (3, 1...2): return "About to Sleep"
        case (1...2, 5): return "Can't Lose Them"
        case (1...2, 3...4): return "At Risk"
        case (1, 1): return "Lost"
        default: return "Hibernating"
        }
    }
}

/// The five customer types of the customer-club literature, plus regular (brief §6), one type
/// per customer by this precedence:
///
/// 1. potential — known to the club (in the customers table) but never bought;
/// 2. new — first purchase within `new_days` of the as-of date;
/// 3. dissatisfied — a complaint, a rating of 1–2 or an NPS answer of 0–6 in the feedback table
///    within `feedback_days`;
/// 4. inactive — no purchase for more than `inactive_days`;
/// 5. loyal — at least `loyal_orders` purchases and still active;
/// 6. regular — everyone else.
enum TypesCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "types", group: .analytics, usage: "types [with new_days N, inactive_days N, loyal_orders N, feedback_days N]", meaning: "the customer types with counts, revenue and playbooks", example: "types with new_days 30, inactive_days 180, loyal_orders 5")

    struct Options {
        var newDays: Int32, inactiveDays: Int32, loyalOrders: Int, feedbackDays: Int32
        /// `types | members`: one row per customer.
        var members: Bool
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        Options(newDays: Int32(try args.whole("new_days", default: 30, in: 1...36_500)),
                inactiveDays: Int32(try args.whole("inactive_days", default: 180, in: 1...36_500)),
                loyalOrders: try args.whole("loyal_orders", default: 5, in: 1...1_000_000_000),
                feedbackDays: Int32(try args.whole("feedback_days", default: 90, in: 1...36_500)),
                members: args.flag("members"))
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "types", at: location)
        let all = reads + ["customers", "feedback"]
        if o.members {
            return AnalyticsBinding([(key.name, key.type), ("type", .string), ("orders", .int), ("spend", .double), ("first_order", .date),
                                     ("last_order", .date), ("days_since_last", .int)], reads: all)
        }
        return AnalyticsBinding([("type", .string), ("customers", .int), ("share", .double), ("revenue", .double), ("revenue_share", .double),
                                 ("playbook", .string)], reads: all)
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "types", at: location)
        return data.customerTypes(o, customers: catalog.tables["customers"], feedback: catalog.tables["feedback"], reads: reads)
    }
}

extension TypesCommand {
    static let customerTypeOrder = ["new", "loyal", "potential", "dissatisfied", "inactive", "regular"]
    static let playbooks = [
        "new": "Welcome them and make a first-repeat offer.",
        "loyal": "Reward them with exclusive benefits and points.",
        "potential": "Show the membership benefits and give a first-purchase incentive.",
        "dissatisfied": "Listen, resolve the problem fast, and compensate.",
        "inactive": "Send a win-back offer and find out why they stopped.",
        "regular": "Keep them engaged and move them toward loyalty.",
    ]
}

extension TransactionData {
    /// One type per customer of the transactions, and of a loaded `customers` table who never
    /// bought (`potential`); a complaint or low score in `feedback` makes one `dissatisfied`.
    /// `reads` gains the tables that took part.

    func customerTypes(_ o: TypesCommand.Options, customers: Table?, feedback: Table?, reads: [String]) -> AnalyticsResult {
        let (newDays, inactiveDays, loyalOrders, feedbackDays, members) = (o.newDays, o.inactiveDays, o.loyalOrders, o.feedbackDays, o.members)
        let data = self
        var reads = reads
        let s = data.summary()
        let asOf = data.asOf

        // Everyone known: buyers, then customers-table ids who never bought.
        var keys = data.keys
        var known = data.customerCount
        if let customers, let idName = [data.keyName, "id", "customer_id"].first(where: { customers.column($0) != nil }),
           let ids = customers.column(idName), Types.comparable(ids.type, keys.type), ids.type != .double {
            reads.append("customers")
            let all = Join.concatenate(keys, ids)
            let g = Grouping(columns: [all], n: all.count)
            let extra = (0..<ids.count).filter { Int(g.ids[keys.count + $0]) >= data.customerCount && !ids.isNull($0) }
            let firstOfEach = Dictionary(extra.map { (g.ids[keys.count + $0], $0) }, uniquingKeysWith: { a, _ in a })
            let newRows = firstOfEach.values.sorted().map { Int32($0) }
            if !newRows.isEmpty {
                keys = Join.concatenate(keys, ids.gather(newRows))
                known += newRows.count
            }
        }
        let unhappy = dissatisfiedCustomers(feedback, keys: keys, from: asOf - feedbackDays + 1, to: asOf, reads: &reads)

        var type = [String](repeating: "regular", count: known)
        for c in 0..<known {
            if c >= data.customerCount { type[c] = "potential"; continue }
            let since = asOf - s.last[c]
            if asOf - s.first[c] < newDays { type[c] = "new" }
            else if unhappy.contains(c) { type[c] = "dissatisfied" }
            else if since > inactiveDays { type[c] = "inactive" }
            else if s.transactions[c] >= loyalOrders { type[c] = "loyal" }
        }
        let work = ["types as of \(CivilDate.format(asOf)): new = first purchase within \(newDays) days; dissatisfied = complaint, rating 1–2 or NPS 0–6 within \(feedbackDays) days; inactive = no purchase for over \(inactiveDays) days; loyal = \(loyalOrders)+ purchases and active",
                    "one type per customer, by precedence: potential › new › dissatisfied › inactive › loyal › regular"]
        if members {
            let order = (0..<known).sorted { a, b in Sorting.lessThan(keys)(a, b) || (!Sorting.lessThan(keys)(b, a) && a < b) }
            let bought = { (c: Int) in c < data.customerCount }
            let table = Table(columnNames: [data.keyName, "type", "orders", "spend", "first_order", "last_order", "days_since_last"],
                              columns: [keys.gather(order.map { Int32($0) }), stringColumn(order.map { type[$0] }),
                                        Column(.int(order.map { bought($0) ? Int64(s.transactions[$0]) : 0 })),
                                        Column(.double(order.map { bought($0) ? s.spend[$0] : 0 })),
                                        dateColumn(order.map { bought($0) ? s.first[$0] : nil }), dateColumn(order.map { bought($0) ? s.last[$0] : nil }),
                                        intColumn(order.map { bought($0) ? Int64(asOf - s.last[$0]) : nil })])
            return AnalyticsResult(table: table, work: work, reads: reads)
        }
        let totalRevenue = CompensatedSum.of(s.spend)
        var counts: [String: Int] = [:], revenue: [String: Double] = [:]
        for c in 0..<known {
            counts[type[c], default: 0] += 1
            if c < data.customerCount { revenue[type[c], default: 0] += s.spend[c] }
        }
        let names = TypesCommand.customerTypeOrder
        let table = Table(columnNames: ["type", "customers", "share", "revenue", "revenue_share", "playbook"],
                          columns: [stringColumn(names), Column(.int(names.map { Int64(counts[$0] ?? 0) })),
                                    doubleColumn(names.map { Double(counts[$0] ?? 0) / Double(max(known, 1)) * 100 }),
                                    Column(.double(names.map { revenue[$0] ?? 0 })),
                                    doubleColumn(names.map { totalRevenue == 0 ? nil : (revenue[$0] ?? 0) / totalRevenue * 100 }),
                                    stringColumn(names.map { TypesCommand.playbooks[$0]! })])
        return AnalyticsResult(table: table, work: work, reads: reads)
    }

    /// Dense customer numbers with a complaint, a low rating or a low NPS in the window.
    private func dissatisfiedCustomers(_ feedback: Table?, keys: Column, from: Int32, to: Int32, reads: inout [String]) -> Set<Int> {
        guard let feedback,
              let who = [keyName, "customer_id", "customer", "id"].compactMap({ feedback.column($0) }).first,
              Types.comparable(who.type, keys.type), who.type != .double else { return [] }
        reads.append("feedback")
        let dates = feedback.column("date")
        let all = Join.concatenate(keys, who)
        let g = Grouping(columns: [all], n: all.count)
        var keyOf = [Int32: Int]()
        for c in 0..<keys.count { keyOf[g.ids[c]] = c }
        var out = Set<Int>()
        for i in 0..<feedback.rowCount {
            if let dates {
                let d: Int64? = { switch dates.value(at: i) { case .date(let x): return Int64(x); case .dateTime(let t): return floorDiv(t, 86400); default: return nil } }()
                guard let d, d >= Int64(from), d <= Int64(to) else { continue }
            }
            var low = false
            if let c = feedback.column("complaint"), !c.isNull(i) {
                switch c.value(at: i) {
                case .string(let s): low = !s.isEmpty
                case .bool(let b): low = b
                default: low = true
                }
            }
            if let r = feedback.column("rating")?.value(at: i).doubleValue, r <= 2 { low = true }
            if let n = feedback.column("nps")?.value(at: i).doubleValue, n <= 6 { low = true }
            if low, let c = keyOf[g.ids[keys.count + i]] { out.insert(c) }
        }
        return out
    }
}

func dateColumn(_ values: [Int32?]) -> Column {
    var v = Bitmap(count: values.count)
    for (i, x) in values.enumerated() where x == nil { v.set(i, false) }
    return Column(.date(values.map { $0 ?? 0 }), validity: v)
}

func intColumn(_ values: [Int64?]) -> Column {
    var v = Bitmap(count: values.count)
    for (i, x) in values.enumerated() where x == nil { v.set(i, false) }
    return Column(.int(values.map { $0 ?? 0 }), validity: v)
}

import Foundation

/// `campaign NAME [by COLUMN]`: a campaign (`campaign spring = contacts … window 30d`) measured
/// against its control group over the `use` transactions. A responder is a counted contact
/// whose customer has at least one order in the window: after the contact's day (that day
/// excluded) up to the contact's day + window, inclusive. The uplift is the treatment's
/// response rate less the control's, with a two-sided pooled two-proportion z-test and a 95%
/// Wald interval from the unpooled standard error (any statistics text, e.g. Agresti,
/// "Categorical Data Analysis", §1.4 and §2.2.3). The rules are in docs/language.md, "Campaigns".
enum CampaignCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "campaign", group: .analytics,
                                usage: "campaign NAME [by COLUMN] · campaign NAME = CONTACTS [(customer = C, date = D, group = G, cost = K)] window W [margin M%]",
                                meaning: "a campaign measured against its control group: contacts, responders, response rate and revenue per contact per group; uplift with a 95% interval and p-value (two-proportion z-test), incremental revenue, cost and ROI; `by` per value of a customers360 column",
                                example: "campaign spring by city")

    struct Options {
        var campaign: String
        var at: SourceLocation
        var by: (name: String, at: SourceLocation)?
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        guard case let (name, at)? = args.word().flatMap({ $0.0 != "by" ? $0 : nil }) else {
            throw Diagnostic("`campaign` takes a campaign's name", at: args.command.location,
                             hint: "for example: campaign spring (after `campaign spring = contacts window 30d`)")
        }
        var by: (String, SourceLocation)?
        if args.flag("by") {
            guard let column = args.word() else { throw Diagnostic("`campaign … by` takes a column of customers360", at: args.command.location, hint: "campaign \(name) by city") }
            by = column
        }
        return Options(campaign: name, at: at, by: by)
    }

    /// The figures of each row, after the `by` column when there is one.
    static let columns: [(String, DataType)] = [
        ("treatment_contacts", .int), ("treatment_responders", .int), ("treatment_rate", .double), ("treatment_revenue_per_contact", .double),
        ("control_contacts", .int), ("control_responders", .int), ("control_rate", .double), ("control_revenue_per_contact", .double),
        ("uplift", .double), ("uplift_low", .double), ("uplift_high", .double), ("p_value", .double),
        ("incremental_revenue", .double), ("cost", .double), ("roi", .double),
    ]

    static func display(column: String) -> DisplayHint {
        ["treatment_rate", "control_rate", "uplift", "uplift_low", "uplift_high", "roi"].contains(column) ? .percent : .plain
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (_, reads) = try catalog.transactionKey(for: "campaign", at: location)
        _ = try catalog.campaign(o.campaign, at: o.at)
        var fields = columns
        if let by = o.by { fields.insert(try byField(by, in: catalog), at: 0) }
        return AnalyticsBinding(fields, reads: reads + [o.campaign, Dependencies.calendar])
    }

    /// The `by` column of customers360, by its own name and type.
    static func byField(_ by: (name: String, at: SourceLocation), in catalog: SessionCatalog) throws(Diagnostic) -> (String, DataType) {
        let schema = try catalog.schema(of: Customers360.name, at: by.at)
        guard let i = schema.index(of: by.name) else {
            throw Diagnostic("customers360 has no column `\(by.name)`", at: by.at, hint: Suggest.hint(for: by.name, among: schema.fields.map(\.name)))
        }
        let field = schema.fields[i]
        if columns.contains(where: { $0.0 == field.name }) {
            throw Diagnostic("`campaign … by \(field.name)` would give two columns named `\(field.name)`", at: by.at)
        }
        return (field.name, field.type)
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let rules = try catalog.campaign(o.campaign, at: o.at)
        let (data, reads) = try catalog.transactionData(for: "campaign", at: location)
        let contactsTable = try catalog.table(named: rules.contacts, at: o.at)
        var notes: [String] = []
        var by: Column?
        var byKey: Column?
        if let b = o.by {
            let field = try byField(b, in: catalog)
            let c360 = try catalog.materialize(Customers360.name, at: b.at)
            by = c360.column(field.0)
            byKey = c360.column(data.keyName)
        }
        let contacts = try CampaignContacts(contactsTable, rules, data: data, by: by, byKey: byKey, notes: &notes, at: o.at)
        if catalog.isCancelled() { throw Diagnostic.interrupted }
        let tallies = contacts.tally(data, windowDays: rules.windowDays)
        let all = reads + [o.campaign, Dependencies.calendar]
        var work = ["campaign \(o.campaign) as of \(data.calendar.format(data.asOf)): \(rules.summary)",
                    "a responder is a contact whose customer ordered after the day of the contact and by that day + \(rules.windowDays) (\(rules.windowDays == 1 ? "that day" : "those days") included)"]
        work += notes
        var rows: [CampaignFigures] = []
        for (k, t) in tallies.enumerated() {
            let f = CampaignFigures(t, margin: rules.margin)
            rows.append(f)
            let label = by.map { _ in "\(o.by!.name) = \(contacts.segmentLabels[k]): " } ?? ""
            work += f.work.map { label + $0 }
        }
        let tested = rows.filter { $0.pValue != nil }.count
        if o.by != nil && tested > 1 {
            work.append("\(tested) values tested at once: at the 5% level about 1 in 20 shows p < 0.05 by chance alone, so one small p-value among them is weak evidence")
        }
        if !rules.marginGiven && rows.contains(where: { $0.roi != nil }) { work.append("no margin given: the ROI counts the incremental revenue whole (margin 100%)") }
        var cols: [Column] = [
            Column(.int(rows.map { Int64($0.treatment.contacts) })), Column(.int(rows.map { Int64($0.treatment.responders) })),
            doubleColumn(rows.map(\.treatmentRate)), doubleColumn(rows.map(\.treatmentRevenuePerContact)),
            Column(.int(rows.map { Int64($0.control.contacts) })), Column(.int(rows.map { Int64($0.control.responders) })),
            doubleColumn(rows.map(\.controlRate)), doubleColumn(rows.map(\.controlRevenuePerContact)),
            doubleColumn(rows.map(\.uplift)), doubleColumn(rows.map(\.upliftLow)), doubleColumn(rows.map(\.upliftHigh)), doubleColumn(rows.map(\.pValue)),
            doubleColumn(rows.map(\.incrementalRevenue)), Column(.double(rows.map(\.cost))), doubleColumn(rows.map(\.roi)),
        ]
        var names = columns.map(\.0)
        if let values = contacts.segmentValues, let b = o.by {
            cols.insert(values, at: 0)
            names.insert(try byField(b, in: catalog).0, at: 0)
        }
        return AnalyticsResult(table: Table(columnNames: names, columns: cols, rowCount: rows.count), work: work, reads: all)
    }
}

/// One group's counts in one campaign (or one value of `by`).
struct CampaignArm: Equatable {
    var contacts = 0
    var responders = 0
    var revenue = 0.0
    var cost = 0.0
}

/// The counted contacts of a campaign, one per customer, as flat arrays: each one's customer
/// among the transactions (-1 when they have none), day, group, cost and `by` value.
struct CampaignContacts {
    var customer: [Int32] = []
    var day: [Int32] = []
    /// true for treatment, false for control.
    var treatment: [Bool] = []
    /// The cost of every contact row of that customer, counted with the first.
    var cost: [Double] = []
    var segment: [Int32] = []
    var segmentCount = 1
    /// The `by` value of each segment, in the order of the table's rows (null last); nil without `by`.
    var segmentValues: Column?
    var segmentLabels: [String] = [""]

    /// What the words in the group column mean, lower-cased and trimmed.
    static func arm(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "treatment", "test": return true
        case "control", "holdout": return false
        default: return nil
        }
    }

    init(_ table: Table, _ rules: CampaignRules, data: TransactionData, by: Column?, byKey: Column?, notes: inout [String], at location: SourceLocation) throws(Diagnostic) {
        guard let keys = table.column(rules.customer), let dates = table.column(rules.date), let groups = table.column(rules.group) else {
            throw Diagnostic("the contacts `\(rules.contacts)` no longer have the columns of the campaign", at: location)
        }
        guard Types.comparable(keys.type, data.keys.type) else {
            throw Diagnostic("the contacts' customer column `\(rules.customer)` holds \(article(keys.type)), the transactions' `\(data.keyName)` \(article(data.keys.type)): they cannot match", at: location)
        }
        let n = table.rowCount
        let days: [Int32]
        switch dates.storage {
        case .date(let a): days = a
        case .dateTime(let a): days = a.map { Int32(floorDiv($0, 86400)) }
        default: days = [Int32](repeating: 0, count: n)
        }
        // Each row's group: true, false, or nil for a value that is neither (or null).
        var arms = [Bool?](repeating: nil, count: n)
        var others: [String: Int] = [:]
        if case .string(let codes, let dictionary) = groups.storage {
            let perCode = dictionary.values.map(Self.arm)
            for i in 0..<n where !groups.isNull(i) {
                arms[i] = perCode[Int(codes[i])]
                if arms[i] == nil { others[dictionary.values[Int(codes[i])], default: 0] += 1 }
            }
        }
        var costs = [Double](repeating: 0, count: n)
        if let name = rules.cost, let c = table.column(name) {
            switch c.storage {
            case .double(let a): costs = a
            case .int(let a): costs = a.map { Double($0) }
            case .int32(let a): costs = a.map { Double($0) }
            default: break
            }
            for i in 0..<n where c.isNull(i) { costs[i] = 0 }
            // A cost of inf (a CSV's `1e400`) or below 0 would make every money figure after it
            // meaningless: name the contact rather than a total that came out undefined.
            if let bad = costs.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                throw Diagnostic("the contacts `\(rules.contacts)` have a cost of \(ValueFormat.displayDouble(costs[bad])) in row \(grouped(bad + 1)); a contact's cost is a finite amount of 0 or more", at: location)
            }
        } else {
            notes.append("the contacts have no cost column: each contact costs 0, so there is no ROI")
        }
        // One identity per customer across the transactions' customers and the contacts: the
        // same hashing `join` uses, once over both (linear in the rows).
        let both = Grouping(columns: [Join.concatenate(data.keys, keys)], n: data.keys.count + n).ids
        let offset = data.keys.count
        var customerOf = [Int32](repeating: -1, count: (both.max().map { Int($0) } ?? -1) + 1)
        for c in 0..<offset { customerOf[Int(both[c])] = Int32(c) }
        var first = [Int32](repeating: -1, count: customerOf.count)
        var unusable = 0
        for i in 0..<n {
            guard !keys.isNull(i), !dates.isNull(i), arms[i] != nil else { unusable += 1; continue }
            let id = Int(both[offset + i])
            let f = first[id]
            if f < 0 || days[i] < days[Int(f)] { first[id] = Int32(i) }
        }
        var counted: [Int32] = []
        var index = [Int32](repeating: -1, count: first.count)
        for i in 0..<n {
            guard !keys.isNull(i), !dates.isNull(i), arms[i] != nil else { continue }
            let id = Int(both[offset + i])
            if first[id] == Int32(i) { index[id] = Int32(counted.count); counted.append(Int32(i)) }
        }
        customer = counted.map { customerOf[Int(both[offset + Int($0)])] }
        day = counted.map { days[Int($0)] }
        treatment = counted.map { arms[Int($0)]! }
        cost = [Double](repeating: 0, count: counted.count)
        var repeated = 0
        for i in 0..<n where !keys.isNull(i) && !dates.isNull(i) && arms[i] != nil {
            let k = Int(index[Int(both[offset + i])])
            cost[k] += costs[i]
            if counted[k] != Int32(i) { repeated += 1 }
        }
        if unusable > 0 {
            let missing = (0..<n).filter { keys.isNull($0) || dates.isNull($0) }.count
            if missing > 0 { notes.append("\(count(missing, "contact")) without a customer or a date left out") }
            let other = others.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            let nulls = (0..<n).filter { !keys.isNull($0) && !dates.isNull($0) && groups.isNull($0) }.count
            if nulls > 0 { notes.append("\(count(nulls, "contact")) without a group left out") }
            if !other.isEmpty {
                notes.append("\(count(other.map(\.value).reduce(0, +), "contact")) in groups that are neither treatment nor control left out: "
                             + other.prefix(5).map { "`\($0.key)` (\(grouped($0.value)))" }.joined(separator: ", ") + (other.count > 5 ? ", …" : "")
                             + "; the groups are treatment (or test) and control (or holdout)")
            }
        }
        if repeated > 0 {
            notes.append("\(count(repeated, "repeated contact")) of the same customers: each customer's first contact counts (its day and group), the cost of every contact is kept")
        }
        let late = day.filter { Int($0) + rules.windowDays > Int(data.asOf) }.count
        if late > 0 {
            notes.append("\(late == 1 ? "1 contact's window ends" : "\(grouped(late)) contacts' windows end") after the as-of date \(data.calendar.format(data.asOf)): \(late == 1 ? "its" : "their") orders are counted up to it")
        }
        segment = [Int32](repeating: 0, count: counted.count)
        if let by, let byKey {
            // Each counted contact's row of customers360 (-1 when the customer is not there).
            let rows = Grouping(columns: [Join.concatenate(byKey, keys.gather(counted))], n: byKey.count + counted.count).ids
            var rowOf = [Int32](repeating: -1, count: (rows.max().map { Int($0) } ?? -1) + 1)
            for r in 0..<byKey.count where !byKey.isNull(r) { rowOf[Int(rows[r])] = Int32(r) }
            let values = by.gatherOptional(counted.indices.map { rowOf[Int(rows[byKey.count + $0])] })
            let unknown = counted.indices.filter { rowOf[Int(rows[byKey.count + $0])] < 0 }.count
            if unknown > 0 { notes.append("\(count(unknown, "contacted customer")) not in customers360 (no orders by the as-of date): their value of the `by` column is null") }
            let g = Grouping(columns: [values], n: values.count)
            let less = Sorting.lessThan(values)
            let order = (0..<g.count).sorted { a, b in
                let x = Int(g.firstRow[a]), y = Int(g.firstRow[b])
                if values.isNull(x) != values.isNull(y) { return values.isNull(y) }
                return less(x, y)
            }
            var rank = [Int32](repeating: 0, count: g.count)
            for (r, s) in order.enumerated() { rank[s] = Int32(r) }
            segment = g.ids.map { rank[Int($0)] }
            segmentCount = g.count
            segmentValues = values.gather(order.map { g.firstRow[$0] })
            segmentLabels = order.map { values.isNull(Int(g.firstRow[$0])) ? "null" : ValueFormat.display(values.value(at: Int(g.firstRow[$0]))) }
        }
    }

    /// Per segment, the treatment's and the control's counts: a contact responds when its
    /// customer has an order on a day d with contact day < d ≤ contact day + window. One pass
    /// over the transactions.
    func tally(_ data: TransactionData, windowDays: Int) -> [(treatment: CampaignArm, control: CampaignArm)] {
        var contactOf = [Int32](repeating: -1, count: data.customerCount)
        for (k, c) in customer.enumerated() where c >= 0 { contactOf[Int(c)] = Int32(k) }
        var responded = [Bool](repeating: false, count: customer.count)
        // Revenue and cost are money (`Money`): each contact's revenue at the amounts' scale,
        // each arm's at the scale of those sums.
        var revenue = MoneySums(count: customer.count, scale: data.moneyScale, checked: false)
        for i in 0..<data.count {
            let k = Int(contactOf[Int(data.customer[i])])
            guard k >= 0 else { continue }
            let after = Int(data.day[i]) - Int(day[k])
            if after >= 1 && after <= windowDays {
                responded[k] = true
                revenue.add(data.amount[i], to: k)
            }
        }
        var out = [(treatment: CampaignArm, control: CampaignArm)](repeating: (CampaignArm(), CampaignArm()), count: segmentCount)
        let contactRevenue = revenue.values
        var revenues = MoneySums(count: segmentCount * 2, scale: Money.scale(of: contactRevenue, trying: data.moneyScale))
        var costs = MoneySums(count: segmentCount * 2, scale: Money.scale(of: cost))
        for k in customer.indices {
            let s = Int(segment[k])
            let slot = s * 2 + (treatment[k] ? 0 : 1)
            if treatment[k] {
                out[s].treatment.contacts += 1
                if responded[k] { out[s].treatment.responders += 1 }
            } else {
                out[s].control.contacts += 1
                if responded[k] { out[s].control.responders += 1 }
            }
            revenues.add(contactRevenue[k], to: slot)
            costs.add(cost[k], to: slot)
        }
        for s in 0..<segmentCount {
            out[s].treatment.revenue = revenues[s * 2]
            out[s].treatment.cost = costs[s * 2]
            out[s].control.revenue = revenues[s * 2 + 1]
            out[s].control.cost = costs[s * 2 + 1]
        }
        return out
    }
}

/// The figures of one campaign (or one value of `by`) from its two groups' counts, with the
/// working; every figure that cannot be had is nil, with a line saying why (never NaN).
struct CampaignFigures {
    var treatment: CampaignArm
    var control: CampaignArm
    /// Response rates and the uplift in percent (points for the uplift).
    var treatmentRate: Double?
    var controlRate: Double?
    var treatmentRevenuePerContact: Double?
    var controlRevenuePerContact: Double?
    var uplift: Double?
    var upliftLow: Double?
    var upliftHigh: Double?
    var z: Double?
    var pValue: Double?
    var incrementalRevenue: Double?
    var cost: Double
    var roi: Double?
    var work: [String] = []

    init(_ t: (treatment: CampaignArm, control: CampaignArm), margin: Double) {
        treatment = t.treatment
        control = t.control
        cost = t.treatment.cost + t.control.cost
        let (nt, nc) = (Double(treatment.contacts), Double(control.contacts))
        func arm(_ name: String, _ a: CampaignArm) -> String {
            a.contacts == 0 ? "\(name): no contacts"
                : "\(name): \(grouped(a.responders)) of \(grouped(a.contacts)) responded = \(rate(Double(a.responders) / Double(a.contacts) * 100)); revenue \(shown(a.revenue)) / \(grouped(a.contacts)) = \(shown(a.revenue / Double(a.contacts))) per contact"
        }
        if treatment.contacts > 0 {
            treatmentRate = Double(treatment.responders) / nt * 100
            treatmentRevenuePerContact = treatment.revenue / nt
        }
        if control.contacts > 0 {
            controlRate = Double(control.responders) / nc * 100
            controlRevenuePerContact = control.revenue / nc
        }
        work.append(arm("treatment", treatment))
        work.append(arm("control", control))
        guard treatment.contacts > 0, control.contacts > 0 else {
            work.append(control.contacts == 0
                        ? "no control group: no uplift can be claimed, only the treatment's response rate is shown"
                        : "no treatment group: there is nothing to measure against the control")
            return
        }
        let s = CampaignStatistics.twoProportions(treatment.responders, treatment.contacts, control.responders, control.contacts)
        uplift = s.difference * 100
        z = s.z
        pValue = s.pValue
        if let low = s.low, let high = s.high { upliftLow = low * 100; upliftHigh = high * 100 }
        var line = "uplift = \(rate(treatmentRate!)) − \(rate(controlRate!)) = \(points(uplift!))"
        if let low = upliftLow, let high = upliftHigh { line += ", 95% interval \(points(low)) to \(points(high))" }
        if let z, let p = pValue { line += "; z = \(ValueFormat.displayDouble(ScalarFunctions.round(z, 3))), p = \(pText(p)) (two-sided)" }
        work.append(line)
        if s.z == nil {
            work.append("\(treatment.responders == 0 ? "no contact of either group responded" : "every contact of both groups responded"): the pooled standard error is 0, so there is no p-value")
        } else if s.low == nil {
            work.append("each group's rate is 0% or 100%: the unpooled standard error is 0, so there is no interval")
        }
        if [treatment.responders, treatment.contacts - treatment.responders, control.responders, control.contacts - control.responders].contains(where: { $0 < 5 }) {
            work.append("a group has fewer than 5 responders or non-responders: the normal approximation behind the interval and the p-value is rough")
        }
        let incremental = (treatmentRevenuePerContact! - controlRevenuePerContact!) * nt
        incrementalRevenue = incremental
        work.append("incremental revenue = (\(shown(treatmentRevenuePerContact!)) − \(shown(controlRevenuePerContact!))) × \(grouped(treatment.contacts)) = \(shown(incremental))")
        if cost > 0 {
            let r = (incremental * margin - cost) / cost * 100
            roi = r
            work.append("ROI = (\(shown(incremental)) × \(rate(margin * 100)) − \(shown(cost))) / \(shown(cost)) = \(rate(r))")
        } else {
            work.append("cost 0: no ROI")
        }
    }

    private func points(_ x: Double) -> String { rate(x).dropLast() + " points" }
    private func pText(_ p: Double) -> String { p < 0.0001 ? "< 0.0001" : ValueFormat.displayDouble(ScalarFunctions.round(p, 4)) }
}

/// The two-proportion statistics of `campaign`.
enum CampaignStatistics {
    /// z for a two-sided 95% interval: Φ⁻¹(0.975).
    static let z95 = 1.959963984540054

    /// x1 of n1 against x2 of n2 (both n > 0): the difference of the proportions; the pooled
    /// z-test, z = (p1 − p2) / √(p(1 − p)(1/n1 + 1/n2)) with p = (x1 + x2) / (n1 + n2), and
    /// its two-sided p-value 2(1 − Φ(|z|)) = erfc(|z| / √2) (nil when the pooled standard error
    /// is 0); the 95% interval (p1 − p2) ± 1.96 √(p1(1 − p1)/n1 + p2(1 − p2)/n2) (nil when
    /// that standard error is 0).
    static func twoProportions(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> (difference: Double, z: Double?, pValue: Double?, low: Double?, high: Double?) {
        let (a, b) = (Double(n1), Double(n2))
        let p1 = Double(x1) / a, p2 = Double(x2) / b
        let d = p1 - p2
        let pooled = Double(x1 + x2) / (a + b)
        let sePooled = (pooled * (1 - pooled) * (1 / a + 1 / b)).squareRoot()
        let seUnpooled = (p1 * (1 - p1) / a + p2 * (1 - p2) / b).squareRoot()
        var z: Double?, p: Double?, low: Double?, high: Double?
        if sePooled > 0 {
            z = d / sePooled
            p = erfc(abs(z!) / 2.0.squareRoot())
        }
        if seUnpooled > 0 {
            low = d - z95 * seUnpooled
            high = d + z95 * seUnpooled
        }
        return (d, z, p, low, high)
    }
}

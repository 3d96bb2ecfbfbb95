/// The customer types of seed 000 (`000_3fd3d5f5fa78ef4f.txt`: new, loyal, potential,
/// dissatisfied, inactive), the lead before them (seed 001), and the two groups clubsh adds
/// (members who never bought, regular), one type per customer by this precedence
/// (docs/language.md cites each rule; `TypesCommand.stage` reads the first three):
///
/// 1. lead — in the customers table, never bought, not a member, not contacted yet (seed 001:
///    «ابتدا سرنخ بوده», "first a lead");
/// 2. potential — the same, but contacted (seed 000: «هنوز خریدی از شما نداشته‌اند», "have not
///    bought from you yet");
/// 3. member_no_purchase — a member (a `joined` date, or `member` true, in the customers table)
///    who never bought: clubsh's own group, so that members are not called potential;
/// 4. dissatisfied — a complaint, a rating of 1–2 or an NPS answer of 0–6 in the feedback table
///    within `feedback_days` (seed 000: «تجربه منفی», "a negative experience"); a complaint is
///    met first, so it comes before new;
/// 5. new — first purchase within `new_days` of the as-of date;
/// 6. inactive — no purchase for more than `inactive_days`;
/// 7. loyal — buys regularly with a positive experience (seed 000: «به طور منظم … تجربه مثبتی»):
///    at least `loyal_orders` purchases, no gap longer than `loyal_gap` days between purchases
///    over the last `loyal_days` (the last purchase to the as-of date included), and, when the
///    customer gave feedback in those days, the latest is positive (a rating of 4–5 or an NPS of
///    9–10, without a complaint);
/// 8. regular — everyone else.
enum TypesCommand: AnalyticsCommandDefinition {
    static func display(column: String) -> DisplayHint { ["share", "revenue_share"].contains(column) ? .percent : .plain }

    static let help = HelpTopic(name: "types", group: .analytics,
                                usage: "types [with new_days N, inactive_days N, loyal_orders N, loyal_days N, loyal_gap N, feedback_days N] [| members]",
                                meaning: "the customer types of seed 000 with counts, revenue and playbooks; `| members` gives each customer's type, every type that applies and the evidence",
                                example: "types with new_days 30, inactive_days 180, loyal_orders 5")

    struct Options {
        var newDays: Int32, inactiveDays: Int32, loyalOrders: Int, loyalDays: Int32, loyalGap: Int32, feedbackDays: Int32
        /// `types | members`: one row per customer.
        var members: Bool
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        Options(newDays: Int32(try args.whole("new_days", default: 30, in: 1...36_500)),
                inactiveDays: Int32(try args.whole("inactive_days", default: 180, in: 1...36_500)),
                loyalOrders: try args.whole("loyal_orders", default: 5, in: 1...1_000_000_000),
                loyalDays: Int32(try args.whole("loyal_days", default: 365, in: 1...36_500)),
                loyalGap: Int32(try args.whole("loyal_gap", default: 90, in: 1...36_500)),
                feedbackDays: Int32(try args.whole("feedback_days", default: 90, in: 1...36_500)),
                members: args.flag("members"))
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "types", at: location)
        let all = reads + ["customers", "feedback", Dependencies.language]
        if o.members {
            var channel = false
            if let roles = catalog.transactions { channel = try catalog.schema(of: roles.table, at: location).index(of: "channel") != nil }
            return AnalyticsBinding([(key.name, key.type), ("type", .string), ("applies", .string), ("evidence", .string), ("orders", .int),
                                     ("spend", .double), ("first_order", .date), ("last_order", .date), ("days_since_last", .int)]
                                    + (channel ? [("last_channel", .string)] : []) + [("last_feedback", .string)], reads: all)
        }
        return AnalyticsBinding([("type", .string), ("customers", .int), ("share", .double), ("revenue", .double), ("revenue_share", .double),
                                 ("playbook", .string)], reads: all)
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "types", at: location)
        var lastChannel: Column?
        // The transactions may be a named result: its table, as `transactionData` read it.
        if o.members, let roles = catalog.transactions, let channel = try catalog.table(named: roles.table, at: location).column("channel") {
            lastChannel = data.lastValue(of: channel)
        }
        return data.customerTypes(o, customers: catalog.tables["customers"], feedback: catalog.tables["feedback"], language: catalog.language,
                                  lastChannel: lastChannel, reads: reads + [Dependencies.language])
    }
}

extension TypesCommand {
    /// The types in the order the summary lists them: seed 000's five in its order, seed 001's
    /// lead, then clubsh's two.
    static let customerTypeOrder = ["new", "loyal", "potential", "dissatisfied", "inactive", "lead", "member_no_purchase", "regular"]
    /// The precedence that picks one type when several apply.
    static let precedence = ["lead", "potential", "member_no_purchase", "dissatisfied", "new", "inactive", "loyal", "regular"]
    /// Seed 000's treatment of each type («راهکار مدیریت»), complete; for the lead, seed 001's
    /// sales contact; clubsh's own for the two it adds.
    static let playbooks = [
        "new": "Invite them to join the club; keep in regular touch (SMS, e-mail, notifications); make offers that bring them back for a second purchase; follow their buying to tailor the next offer.",
        "loyal": "Reward them with exclusive discounts, free products or services; serve them personally from their history and preferences; give points on every purchase.",
        "potential": "Send useful information and offers by e-mail and social media; offer club membership and its benefits; give a first-purchase incentive.",
        "dissatisfied": "Listen to the complaint and solve it fast; compensate (a free service, an exchange, a special discount); follow up steadily to show their feedback matters.",
        "inactive": "Send special offers, discounts or gifts; reach out personally by e-mail or a call; find out why they stopped (`types | members` shows the days since the last order, the last channel and the last answer).",
        "lead": "Reach them: a first call or message from the sales team, to learn what they need and turn them into potential customers (seed 001).",
        "member_no_purchase": "Members who never bought (clubsh's own group): remind them of the membership benefits and give a first-purchase incentive.",
        "regular": "Keep them engaged and move them toward loyalty (clubsh's own group: buyers of no other type).",
    ]
    /// The same treatments in Persian, for a trainer in Iran (`.lang fa`): written for that
    /// audience from seed 000's «راهکار مدیریت», not translated line by line.
    static let persianPlaybooks = [
        "new": "دعوتشان کنید عضو باشگاه مشتریان شوند؛ با پیامک، ایمیل و اعلان منظم در تماس بمانید؛ پیشنهادی بدهید که برای خرید دوم برگردند؛ رفتار خریدشان را دنبال کنید تا پیشنهاد بعدی دقیق\u{200C}تر باشد.",
        "loyal": "با تخفیف\u{200C}های انحصاری، محصول یا خدمت رایگان پاداششان دهید؛ بر پایه\u{200C}ی سابقه و سلیقه\u{200C}شان خدمت شخصی بدهید؛ برای هر خرید امتیاز بدهید.",
        "potential": "اطلاعات مفید و پیشنهاد از راه ایمیل و شبکه\u{200C}های اجتماعی بفرستید؛ عضویت در باشگاه و مزایایش را پیشنهاد کنید؛ برای خرید اول مشوق بدهید.",
        "dissatisfied": "به شکایت گوش دهید و زود حلش کنید؛ جبران کنید (خدمت رایگان، تعویض کالا، تخفیف ویژه)؛ پیگیری را ادامه دهید تا ببینند بازخوردشان اهمیت دارد.",
        "inactive": "پیشنهاد ویژه، تخفیف یا هدیه بفرستید؛ با ایمیل یا تماس تلفنی خودتان سراغشان بروید؛ بفهمید چرا دیگر خرید نمی\u{200C}کنند (types | members روزهای بی\u{200C}خرید، کانال آخرین خرید و آخرین بازخورد را کنار هم نشان می\u{200C}دهد).",
        "lead": "با آن\u{200C}ها تماس بگیرید: تیم فروش با یک تماس یا پیام اول نیازشان را بشناسد و سرنخ را به مشتری بالقوه تبدیل کند.",
        "member_no_purchase": "عضوهایی که هنوز خریدی نکرده\u{200C}اند (گروه خود clubsh): مزایای عضویت را یادآوری کنید و برای خرید اول مشوق بدهید.",
        "regular": "درگیرشان نگه دارید و به سوی وفاداری ببرید (گروه خود clubsh: خریدارانی که در هیچ گروه دیگری نیستند).",
    ]
}

/// What the feedback table says of each buyer (by dense customer number), as rows of the
/// feedback table: the latest negative answer within the feedback window, the latest answer
/// within the loyal window, and the latest answer of all up to the as-of date (-1: none). Empty
/// arrays: no feedback was read. The texts are made from the rows only when they are shown.
/// Without the names (the counts of `types`) only `latest` is kept, with `anyNegative`.
struct FeedbackVerdicts {
    var negative: [Int32] = []
    var latest: [Int32] = []
    var last: [Int32] = []
    /// Whether there is a negative answer, when `negative` (which one) is not kept.
    var anyNegative: [Bool] = []
    /// How to read a row, for the texts and the latest answer's verdict.
    var answers: FeedbackAnswers?

    func row(_ rows: [Int32], _ c: Int) -> Int? { c < rows.count && rows[c] >= 0 ? Int(rows[c]) : nil }
    func isNegative(_ c: Int) -> Bool { (c < negative.count && negative[c] >= 0) || (c < anyNegative.count && anyNegative[c]) }
    /// Whether the latest answer in the loyal window is positive; nil without one.
    func latestPositive(_ c: Int) -> Bool? { row(latest, c).map { answers!.positive($0) } }
    func negativeReason(_ c: Int) -> String? { row(negative, c).map { answers!.reasons($0) } }
    func lastText(_ c: Int) -> String? { row(last, c).map { answers!.said($0) } }
}

/// The feedback table's answers, a row at a time: its day, complaint, rating and NPS, read
/// from the columns directly (a complaint text is judged once per distinct text).
struct FeedbackAnswers {
    let dates: Column?, complaints: Column?, ratings: Column?, nps: Column?
    let to: Int32
    let calendar: CalendarKind
    /// For a complaint column of text: each distinct text's complaint (nil: none).
    private let complaintOfText: [String?]?

    init(dates: Column?, complaints: Column?, ratings: Column?, nps: Column?, to: Int32, calendar: CalendarKind) {
        (self.dates, self.complaints, self.ratings, self.nps, self.to, self.calendar) = (dates, complaints, ratings, nps, to, calendar)
        if let complaints, case .string(_, let dictionary) = complaints.storage {
            complaintOfText = dictionary.values.map(Self.complaint)
        } else {
            complaintOfText = nil
        }
    }

    /// A complaint is text that says what went wrong, or a yes: 0, no and false are none.
    /// "" is a complaint without text.
    static func complaint(_ text: String) -> String? {
        let plain = text.trimmingCharacters(in: .whitespaces).lowercased()
        return ["", "no", "n", "false", "0", "none", "-"].contains(plain) ? nil : (["yes", "y", "true", "1"].contains(plain) ? "" : text)
    }

    /// The day of the answer on row i; nil when it takes no part (no date, or after `to`).
    /// Without a date column every answer counts as current.
    @inline(__always)
    func day(_ i: Int) -> Int64? {
        guard let dates else { return Int64(to) }
        if dates.isNull(i) { return nil }
        let day: Int64
        switch dates.storage {
        case .date(let a): day = Int64(a[i])
        case .dateTime(let a): day = floorDiv(a[i], 86400)
        default: return nil
        }
        return day <= Int64(to) ? day : nil
    }

    /// `day` as a function that reads the date column's array directly.
    func dayOfRow() -> (Int) -> Int64? {
        guard let dates, case .date(let days) = dates.storage else { return day }
        let (validity, to) = (dates.validity, Int64(to))
        return { i in
            if let validity, !validity.isValid(i) { return nil }
            let d = Int64(days[i])
            return d <= to ? d : nil
        }
    }

    func complaint(_ i: Int) -> String? {
        guard let col = complaints, !col.isNull(i) else { return nil }
        switch col.storage {
        case .string(let codes, _): return complaintOfText![Int(codes[i])]
        case .bool(let b): return b[i] ? "" : nil
        case .int(let n): return n[i] != 0 ? "" : nil
        case .int32(let n): return n[i] != 0 ? "" : nil
        case .double(let x): return x[i] != 0 ? "" : nil
        default: return ValueFormat.display(col.value(at: i))
        }
    }

    @inline(__always)
    static func number(_ column: Column?, _ i: Int) -> Double? {
        guard let column, !column.isNull(i) else { return nil }
        switch column.storage {
        case .int(let a): return Double(a[i])
        case .int32(let a): return Double(a[i])
        case .double(let a): return a[i]
        default: return nil
        }
    }

    func rating(_ i: Int) -> Double? { Self.number(ratings, i) }
    func score(_ i: Int) -> Double? { Self.number(nps, i) }

    /// A complaint, a rating of 1–2 or an NPS of 0–6.
    func isNegative(_ i: Int) -> Bool {
        if let r = rating(i), r <= 2 { return true }
        if let s = score(i), s <= 6 { return true }
        return complaint(i) != nil
    }

    /// Positive: no complaint, and every score given is high (a passive NPS of 7–8 is not).
    func positive(_ i: Int) -> Bool {
        let (rating, score) = (rating(i), score(i))
        guard rating != nil || score != nil else { return false }
        if let rating, !(rating >= 4) { return false }
        if let score, !(score >= 9) { return false }
        return complaint(i) == nil
    }

    private func on(_ i: Int) -> String { dates == nil ? "" : " on " + calendar.format(Int32(day(i)!)) }

    /// Why the answer on row i is negative, with its date.
    func reasons(_ i: Int) -> String {
        var reasons: [String] = []
        // A complaint marked yes, true or 1 has no text to quote.
        if let said = complaint(i).map({ $0.isEmpty ? "a complaint" : "complaint \"\($0)\"" }) { reasons.append(said) }
        if let rating = rating(i), rating <= 2 { reasons.append("rating \(ValueFormat.displayDouble(rating))") }
        if let score = score(i), score <= 6 { reasons.append("NPS \(ValueFormat.displayDouble(score))") }
        return reasons.joined(separator: ", ") + on(i)
    }

    /// The answer on row i as text ("NPS 3, rating 2, complaint "late delivery" on 2024-03-15").
    func said(_ i: Int) -> String {
        let said = [score(i).map { "NPS " + ValueFormat.displayDouble($0) }, rating(i).map { "rating " + ValueFormat.displayDouble($0) },
                    complaint(i).map { $0.isEmpty ? "a complaint" : "complaint \"\($0)\"" }].compactMap { $0 }
        return (said.isEmpty ? "an answer" : said.joined(separator: ", ")) + on(i)
    }
}

/// Each known customer's type as of the transactions' as-of date: the headline type by
/// precedence, every type that applies, and the evidence for the headline.
struct TypeAssignment {
    /// The customer keys: buyers first (their dense numbers), then customers-table rows of
    /// people who had not bought by the as-of date (only the buyers' without the names).
    var keys: Column
    var type: [String]
    /// Each `type` as its place in `TypesCommand.precedence`.
    var code: [UInt8]
    var applies: [String]
    var evidence: [String?]
    /// What the working says about tables that were missing or could not be used.
    var notes: [String]
    /// People of the customers table first seen after the as-of date, left out.
    var unseen: Int
    /// Each customer's latest feedback answer by the as-of date, as text ("NPS 3, rating 2,
    /// complaint "late delivery" on 2024-03-15"), so a playbook's "find out why" has a figure.
    var lastAnswer: [String?]
    var reads: [String]
}

extension TransactionData {
    /// One type per customer of the transactions, and of a loaded `customers` table who never
    /// bought; `reads` gains the tables that took part. The working names any table a type needs
    /// that is missing, instead of printing 0 for that type without a word.
    ///
    /// `lastChannel` (for `| members`) holds the channel of each buyer's latest order, by dense
    /// customer number, when the transactions have a `channel` column.
    func customerTypes(_ o: TypesCommand.Options, customers: Table?, feedback: Table?, language: Language = .english, lastChannel: Column? = nil,
                       reads: [String]) -> AnalyticsResult {
        let data = self
        let s = data.summary()
        let asOf = data.asOf
        let t = typeAssignment(o, customers: customers, feedback: feedback, summary: s, names: o.members, reads: reads)
        let known = t.code.count
        let work = ["types as of \(calendar.format(asOf)): new = first purchase within \(o.newDays) days; dissatisfied = complaint, rating 1–2 or NPS 0–6 within \(o.feedbackDays) days; inactive = no purchase for over \(o.inactiveDays) days; loyal = \(o.loyalOrders)+ purchases, no gap over \(o.loyalGap) days in the last \(o.loyalDays), latest feedback positive",
                    "one type per customer, by precedence: " + TypesCommand.precedence.joined(separator: " › ")] + t.notes
            + (t.unseen > 0 ? ["left out: \(grouped(t.unseen)) in customers first seen after \(calendar.format(asOf))"] : [])
        if o.members {
            let less = Sorting.lessThan(t.keys)
            let order = (0..<known).sorted { a, b in less(a, b) || (!less(b, a) && a < b) }
            let bought = { (c: Int) in c < data.customerCount }
            var names = [data.keyName, "type", "applies", "evidence", "orders", "spend", "first_order", "last_order", "days_since_last"]
            var columns = [t.keys.gather(order.map { Int32($0) }), stringColumn(order.map { t.type[$0] }), stringColumn(order.map { t.applies[$0] }),
                           stringColumn(order.map { t.evidence[$0] ?? "" }, nulls: order.map { t.evidence[$0] == nil }),
                           Column(.int(order.map { bought($0) ? Int64(s.transactions[$0]) : 0 })),
                           Column(.double(order.map { bought($0) ? s.spend[$0] : 0 })),
                           dateColumn(order.map { bought($0) ? s.first[$0] : nil }), dateColumn(order.map { bought($0) ? s.last[$0] : nil }),
                           intColumn(order.map { bought($0) ? Int64(asOf - s.last[$0]) : nil })]
            if let lastChannel {
                names.append("last_channel")
                columns.append(lastChannel.gatherOptional(order.map { bought($0) ? Int32($0) : -1 }))
            }
            names.append("last_feedback")
            columns.append(stringColumn(order.map { t.lastAnswer[$0] ?? "" }, nulls: order.map { t.lastAnswer[$0] == nil }))
            return AnalyticsResult(table: Table(columnNames: names, columns: columns), work: work, reads: t.reads)
        }
        // Totals of the spends are sums of money at the amounts' scale (`Money`).
        // The scale was found from the spends themselves, so the sums need not check them again.
        let scale = Money.scale(of: s.spend, trying: data.moneyScale)
        var total = MoneySums(count: 1, scale: scale, checked: scale == nil)
        // Counted by each type's place in the precedence.
        let precedence = TypesCommand.precedence
        var counts = [Int](repeating: 0, count: precedence.count), sums = MoneySums(count: precedence.count, scale: scale, checked: scale == nil)
        for c in 0..<known {
            let k = Int(t.code[c])
            counts[k] += 1
            if c < data.customerCount {
                sums.add(s.spend[c], to: k)
                total.add(s.spend[c])
            }
        }
        let revenue = sums.values, totalRevenue = total[0]
        let names = TypesCommand.customerTypeOrder
        let place = names.map { precedence.firstIndex(of: $0)! }
        let table = Table(columnNames: ["type", "customers", "share", "revenue", "revenue_share", "playbook"],
                          columns: [stringColumn(names), Column(.int(place.map { Int64(counts[$0]) })),
                                    doubleColumn(place.map { Double(counts[$0]) / Double(max(known, 1)) * 100 }),
                                    Column(.double(place.map { revenue[$0] })),
                                    doubleColumn(place.map { totalRevenue == 0 ? nil : revenue[$0] / totalRevenue * 100 }),
                                    stringColumn(names.map { (language == .persian ? TypesCommand.persianPlaybooks : TypesCommand.playbooks)[$0]! })])
        return AnalyticsResult(table: table, work: work, reads: t.reads)
    }

    /// The type of every customer known by the as-of date: each buyer, and each person in the
    /// customers table who had not bought by then. A person first seen after the as-of date
    /// (`first_seen`, else the earliest of `contacted` and `joined`) was not known yet and is
    /// left out (`unseen` counts them).
    /// `summary`, when the caller has it, saves working it out again. Without `names` only the
    /// codes are given (`type`, `applies`, `evidence` and `lastAnswer` are empty): the counts of
    /// `types` need no more.
    func typeAssignment(_ o: TypesCommand.Options, customers: Table?, feedback: Table?,
                        summary: (first: [Int32], last: [Int32], transactions: [Int], spend: [Double])? = nil, names: Bool = true,
                        reads: [String]) -> TypeAssignment {
        let data = self
        var reads = reads
        let s = summary ?? data.summary()
        let asOf = data.asOf
        var notes: [String] = []

        // Everyone known: buyers, then customers-table rows of people who never bought.
        var keys = data.keys
        // The people who never bought: each one's type as its place in the precedence, and with
        // the names their rows and evidence.
        var extraRows: [Int] = [], stageCodes: [UInt8] = [], stageEvidence: [String] = []
        var unseen = 0
        let ids = customers.flatMap { customers in
            [data.keyName, "id", "customer_id"].first(where: { customers.column($0) != nil }).flatMap { customers.column($0) }
        }.flatMap { Types.comparable($0.type, keys.type) && $0.type != .double ? $0 : nil }
        // Whole-number ids in a short range are looked up by value; the feedback's too.
        var lookup = CustomerLookup(keys: keys, others: ids.map { [$0] } ?? [])
        if let customers {
            if let ids {
                reads.append("customers")
                // The people who never bought, each first met on its first row of the customers
                // table: looked up, or grouped with the buyers' keys (the buyers are the first
                // groups, each key once, in order; every later group is such a person).
                let firstOfEach: [Int]
                if lookup != nil {
                    firstOfEach = lookup!.firstRowsOfOthers(ids)
                } else {
                    let all = Join.concatenate(keys, ids)
                    let g = Grouping(columns: [all], n: all.count)
                    firstOfEach = (data.customerCount..<g.count).map { Int(g.firstRow[$0]) - keys.count }.filter { !ids.isNull($0) }
                }
                var later = 0
                let columns = TypesCommand.StageColumns(customers)
                let place = Dictionary(uniqueKeysWithValues: TypesCommand.precedence.enumerated().map { ($0.element, UInt8($0.offset)) })
                stageCodes.reserveCapacity(firstOfEach.count)
                for row in firstOfEach {
                    guard let stage = TypesCommand.stage(columns, row: row, asOf: asOf, calendar: calendar, explain: names) else { later += 1; continue }
                    stageCodes.append(place[stage.type]!)
                    if names {
                        extraRows.append(row)
                        stageEvidence.append(stage.evidence)
                    }
                }
                // Their keys are needed only with the names (`| members`, `lifecycle`).
                if names && !extraRows.isEmpty { keys = Join.concatenate(keys, ids.gather(extraRows.map { Int32($0) })) }
                unseen = later
                for name in ["joined", "contacted", "first_seen"] {
                    if let c = customers.column(name), c.type != .date, c.type != .datetime, c.type != .null {
                        notes.append("the customers table's `\(name)` column holds \(c.type.rawValue), not dates, so any value in it counts whatever its date, and the as-of date cannot apply; load it with `types (\(name): date)`")
                    }
                }
                if let m = customers.column("member"), m.type != .bool, customers.column("joined") == nil {
                    notes.append("the customers table's `member` column holds \(m.type.rawValue), not true/false, so it is not used")
                }
                if customers.column("contacted") == nil && stageCodes.contains(place["potential"]!) {
                    notes.append("the customers table has no `contacted` column, so leads are not told apart from potential customers")
                }
            } else {
                notes.append("the customers table has no id column matching `\(data.keyName)`, so no one who never bought is counted (lead, potential, member_no_purchase)")
            }
        } else {
            notes.append("no `customers` table is loaded, so no one who never bought is counted (lead, potential, member_no_purchase)")
        }
        let known = data.customerCount + stageCodes.count
        let verdicts: FeedbackVerdicts
        if let feedback {
            verdicts = feedbackVerdicts(feedback, keys: keys, lookup: lookup, negativeFrom: asOf - o.feedbackDays + 1, latestFrom: asOf - o.loyalDays + 1,
                                        to: asOf, names: names, reads: &reads, notes: &notes)
        } else {
            verdicts = FeedbackVerdicts()
            notes.append("no `feedback` table is loaded, so no one is counted dissatisfied, and loyal goes by purchases alone")
        }
        // The longest gap is worked out only for a customer the other tests of loyal let through,
        // from the customer index when one is kept; else, when the rows come customer by customer
        // (as in a file sorted by customer), straight from the rows: customer c's are the
        // transactions[c] rows after those of customers 0..<c.
        let gapsFrom = asOf - o.loyalDays + 1
        let index = facts.byCustomer == nil && customer.isNonDecreasing ? nil : byCustomer()
        var offset = 0, scratch: [Int32] = []
        // `verdicts.latestPositive`, reading the rows and answers taken out once (not a copy of
        // the verdicts per customer).
        let (latestRows, answers) = (verdicts.latest, verdicts.answers)
        func latestPositive(_ c: Int) -> Bool? { c < latestRows.count && latestRows[c] >= 0 ? answers?.positive(Int(latestRows[c])) : nil }

        var type = [String](repeating: "regular", count: names ? known : 0)
        var code = [UInt8](repeating: UInt8(TypesCommand.precedence.firstIndex(of: "regular")!), count: known)
        var applies = [String](repeating: "regular", count: names ? known : 0)
        var evidence = [String?](repeating: nil, count: names ? known : 0)
        // The types that apply to a buyer as bits in precedence order (the lowest bit set is the
        // headline); the text of each combination is made once. The evidence is written only
        // for the tables that show it (`| members`).
        let precedence = TypesCommand.precedence
        let bit = Dictionary(uniqueKeysWithValues: precedence.enumerated().map { ($0.element, 1 << $0.offset) })
        let (dissatisfied, new, inactive, loyal) = (bit["dissatisfied"]!, bit["new"]!, bit["inactive"]!, bit["loyal"]!)
        var appliesText = [String?](repeating: nil, count: 1 << precedence.count)
        for c in 0..<known {
            if c >= data.customerCount {
                let k = c - data.customerCount, stage = stageCodes[k]
                code[c] = stage
                if names { (type[c], applies[c], evidence[c]) = (precedence[Int(stage)], precedence[Int(stage)], stageEvidence[k]) }
                continue
            }
            let rows = offset..<offset + s.transactions[c]
            offset = rows.upperBound
            let since = asOf - s.last[c]
            var found = 0
            if verdicts.isNegative(c) { found |= dissatisfied }
            if asOf - s.first[c] < o.newDays { found |= new }
            if since > o.inactiveDays { found |= inactive }
            var gap: Int32 = 0
            if s.transactions[c] >= o.loyalOrders && since <= o.inactiveDays && latestPositive(c) ?? true {
                gap = index?.longestGap(c, from: gapsFrom, to: asOf) ?? Self.longestGap(day[rows], from: gapsFrom, to: asOf, scratch: &scratch)
                if gap <= o.loyalGap { found |= loyal }
            }
            guard found != 0 else { continue }
            let headline = found.trailingZeroBitCount
            code[c] = UInt8(headline)
            guard names else { continue }
            type[c] = precedence[headline]
            if appliesText[found] == nil {
                appliesText[found] = precedence.indices.filter { found & (1 << $0) != 0 }.map { precedence[$0] }.joined(separator: ", ")
            }
            applies[c] = appliesText[found]!
            guard o.members else { continue }
            switch 1 << headline {
            case dissatisfied: evidence[c] = verdicts.negativeReason(c)!
            case new: evidence[c] = "first purchase \(calendar.format(s.first[c])), \(asOf - s.first[c]) days ago"
            case inactive: evidence[c] = "no purchase for \(since) days"
            default:
                evidence[c] = "\(s.transactions[c]) purchases, longest gap \(gap) days in the last \(o.loyalDays)"
                    + (latestPositive(c) != nil ? ", latest feedback positive" : "")
            }
        }
        return TypeAssignment(keys: keys, type: type, code: code, applies: applies, evidence: evidence, notes: notes, unseen: unseen,
                              lastAnswer: names ? (0..<known).map { verdicts.lastText($0) } : [], reads: reads)
    }

    /// The value of `column` (a column of the transactions table, row for row) on each
    /// customer's latest transaction by the as-of date (the last row among the same day's), by
    /// dense customer number.
    func lastValue(of column: Column) -> Column {
        var pick = [Int32](repeating: -1, count: customerCount), best = [Int32](repeating: .min, count: customerCount)
        for i in 0..<count {
            let c = Int(customer[i])
            guard day[i] >= best[c] else { continue }
            best[c] = day[i]
            pick[c] = rows?[i] ?? Int32(i)
        }
        return column.gatherOptional(pick)
    }

    /// Per dense customer number: the latest negative answer in [negativeFrom, to] with its
    /// reason, and whether the latest answer in [latestFrom, to] is positive. Feedback without a
    /// date column counts as current. Among answers of the same day the later row counts.
    /// Without `names` only whether there is a negative answer is kept, not which (nor the latest
    /// answer of all): the counts of `types` need no more.
    private func feedbackVerdicts(_ feedback: Table, keys: Column, lookup: CustomerLookup?, negativeFrom: Int32, latestFrom: Int32, to: Int32,
                                  names: Bool, reads: inout [String], notes: inout [String]) -> FeedbackVerdicts {
        guard feedback.rowCount > 0 else {
            notes.append("the feedback table is empty, so no one is counted dissatisfied")
            return FeedbackVerdicts()
        }
        var looked = [keyName]
        for name in ["customer_id", "customer", "id"] where !looked.contains(name) { looked.append(name) }
        guard let who = looked.compactMap({ feedback.column($0) }).first, Types.comparable(who.type, keys.type), who.type != .double else {
            notes.append("the feedback table has no customer column matching `\(keyName)` (looked for \(looked.joined(separator: ", "))), so no one is counted dissatisfied from it")
            return FeedbackVerdicts()
        }
        reads.append("feedback")
        let dates = feedback.column("date"), complaints = feedback.column("complaint")
        let ratings = feedback.column("rating"), nps = feedback.column("nps")
        if let dates, dates.type != .date && dates.type != .datetime {
            notes.append("the feedback table's `date` column holds \(dates.type.rawValue), not dates, so its answers are not used; load it with `types (date: date)` or a `date_format`")
            return FeedbackVerdicts()
        }
        if dates == nil { notes.append("the feedback table has no `date` column: every answer counts as current") }
        for (name, column) in [("rating", ratings), ("nps", nps)] {
            if let column, !column.type.isNumeric { notes.append("the feedback table's `\(name)` column holds \(column.type.rawValue), not numbers, so it is not used") }
        }
        // Each answer's buyer (-1: none): looked up by value, or grouped with the buyers' keys.
        let n = customerCount
        var buyer = [Int32](repeating: -1, count: feedback.rowCount)
        if let lookup, CustomerLookup.forEach(who, { i, id in buyer[i] = max(lookup.customer(id), -1) }) {
        } else {
            let all = Join.concatenate(keys, who)
            let g = Grouping(columns: [all], n: all.count)
            var keyOf = [Int32](repeating: -1, count: g.count)
            for c in 0..<min(keys.count, n) { keyOf[Int(g.ids[c])] = Int32(c) }
            for i in 0..<feedback.rowCount { buyer[i] = keyOf[Int(g.ids[keys.count + i])] }
        }
        let answers = FeedbackAnswers(dates: dates, complaints: complaints, ratings: ratings, nps: nps, to: to, calendar: calendar)
        var out = FeedbackVerdicts(negative: [Int32](repeating: -1, count: names ? n : 0), latest: [Int32](repeating: -1, count: n),
                                   last: [Int32](repeating: -1, count: names ? n : 0), anyNegative: [Bool](repeating: false, count: names ? 0 : n),
                                   answers: answers)
        // The latest answer wins, the later row on a tie: a row kept has a day, found again from it.
        let day = answers.dayOfRow()
        for i in 0..<feedback.rowCount {
            let c = Int(buyer[i])
            guard c >= 0, let d = day(i) else { continue }
            if names, out.last[c] < 0 || d >= day(Int(out.last[c]))! { out.last[c] = Int32(i) }
            if d >= Int64(negativeFrom) {
                if names {
                    if out.negative[c] < 0 || d >= day(Int(out.negative[c]))!, answers.isNegative(i) { out.negative[c] = Int32(i) }
                } else if !out.anyNegative[c], answers.isNegative(i) {
                    out.anyNegative[c] = true
                }
            }
            if d >= Int64(latestFrom), out.latest[c] < 0 || d >= day(Int(out.latest[c]))! { out.latest[c] = Int32(i) }
        }
        return out
    }
}

extension CustomerIndex {
    /// `TransactionData.longestGap` of customer c's days.
    func longestGap(_ c: Int, from: Int32, to: Int32) -> Int32 {
        day.withUnsafeBufferPointer { TransactionData.longestGap(sorted: UnsafeBufferPointer(rebasing: $0[Int(start[c])..<Int(start[c + 1])]), from: from, to: to) }
    }
}

extension TransactionData {
    /// The longest gap in days between consecutive purchase days (of one customer, at least one)
    /// whose later day is on or after `from`, and from the last purchase to `to` (the as-of
    /// date). A first purchase inside the window opens no gap: the customer was not one before
    /// it. Days out of order are sorted in `scratch` first.
    static func longestGap(_ days: ArraySlice<Int32>, from: Int32, to: Int32, scratch: inout [Int32]) -> Int32 {
        days.withUnsafeBufferPointer { days in
            // SAFETY: i − 1 and i are below days.count.
            var i = 1
            while i < days.count && days[i - 1] <= days[i] { i += 1 }
            if i >= days.count { return longestGap(sorted: days, from: from, to: to) }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: days)
            scratch.sort()
            return scratch.withUnsafeBufferPointer { longestGap(sorted: $0, from: from, to: to) }
        }
    }

    @inline(__always)
    static func longestGap(sorted day: UnsafeBufferPointer<Int32>, from: Int32, to: Int32) -> Int32 {
        // SAFETY: j − 1 and j are below day.count, which is at least one.
        var gap = to - day[day.count - 1]
        var j = 1
        while j < day.count {
            let d = day[j]
            if d >= from { gap = max(gap, d - day[j - 1]) }
            j += 1
        }
        return gap
    }
}

extension Array where Element == Int32 {
    /// Whether no value is less than the one before it.
    var isNonDecreasing: Bool {
        withUnsafeBufferPointer { a in
            // SAFETY: i − 1 and i are below a.count.
            var i = 1
            while i < a.count && a[i - 1] <= a[i] { i += 1 }
            return i >= a.count
        }
    }
}

extension TypesCommand {
    /// The stage, as of `asOf`, of the person on row `row` of the customers table, who had not
    /// bought by then, with its evidence; nil when the person was not known yet: first seen
    /// after `asOf` (`first_seen`, else the earliest of `contacted` and `joined`).
    ///
    /// - member_no_purchase: a `joined` date on or before `asOf` (or text there, or `member`
    ///   true);
    /// - potential: reached by the sales team (`contacted` on or before `asOf`), or any
    ///   non-member when the table has no `contacted` column (seed 000: «هنوز خریدی از شما
    ///   نداشته‌اند»);
    /// - lead: known but not contacted yet (seed 001: «ابتدا سرنخ بوده و طی یک سری فعالیت های
    ///   سازمان فروش، به مشتری بالقوه … تبدیل می گردد», "first a lead, and through the sales
    ///   team's work a potential customer").
    static func stage(_ customers: Table, row: Int, asOf: Int32, calendar: CalendarKind = .gregorian) -> (type: String, evidence: String)? {
        stage(StageColumns(customers), row: row, asOf: asOf, calendar: calendar)
    }

    /// The columns of the customers table `stage` reads, looked up once for all its rows.
    struct StageColumns {
        var joined: Column?, contacted: Column?, firstSeen: Column?, member: Column?
        init(_ customers: Table) {
            (joined, contacted, firstSeen, member) = (customers.column("joined"), customers.column("contacted"), customers.column("first_seen"), customers.column("member"))
        }
    }

    static func stage(_ customers: StageColumns, row: Int, asOf: Int32, calendar: CalendarKind = .gregorian, explain: Bool = true) -> (type: String, evidence: String)? {
        // The evidence is written only when it is shown.
        func said(_ text: @autoclosure () -> String) -> String { explain ? text() : "" }
        let joined = dated(customers.joined, row: row)
        let contacted = dated(customers.contacted, row: row)
        let seen: Int32?
        if case .on(let d)? = dated(customers.firstSeen, row: row) {
            seen = d
        } else {
            var earliest: Int32?
            if case .on(let d)? = joined { earliest = d }
            if case .on(let d)? = contacted, d < earliest ?? .max { earliest = d }
            seen = earliest
        }
        if let seen, seen > asOf { return nil }
        switch joined {
        case .on(let d)? where d <= asOf: return ("member_no_purchase", said("a member (joined \(calendar.format(d))) who never bought"))
        case .undated(let text)?: return ("member_no_purchase", said("a member (joined \(text)) who never bought"))
        case nil:
            if let member = customers.member, !member.isNull(row), case .bool(true) = member.value(at: row) {
                return ("member_no_purchase", said("a member who never bought"))
            }
        case .on?: break
        }
        switch contacted {
        case .on(let d)? where d <= asOf: return ("potential", said("contacted \(calendar.format(d)), never bought, not a member"))
        case .undated(let text)?: return ("potential", said("contacted (\(text)), never bought, not a member"))
        case .on?, nil:
            guard customers.contacted != nil else { return ("potential", "in customers, never bought, not a member") }
            return ("lead", said("known\(seen.map { " since " + calendar.format($0) } ?? ""), not contacted yet, never bought"))
        }
    }

    private enum Dated: Equatable {
        case on(Int32)
        case undated(String)
    }

    /// A date cell's day, its text when it holds text, nil when null, empty or absent.
    private static func dated(_ column: Column?, row: Int) -> Dated? {
        guard let column, !column.isNull(row) else { return nil }
        // Dates straight from the storage (no `Value` per cell), as `value(at:)` reads them.
        switch column.storage {
        case .date(let days): return .on(days[row])
        case .dateTime(let seconds): return .on(Int32(floorDiv(seconds[row], 86400)))
        default: break
        }
        switch column.value(at: row) {
        case .date(let d): return .on(d)
        case .dateTime(let t): return .on(Int32(floorDiv(t, 86400)))
        case .string(let text): return text.isEmpty ? nil : .undated(text)
        case .bool(false): return nil
        case let v: return .undated(ValueFormat.display(v))
        }
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

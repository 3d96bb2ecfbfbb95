import ClubKit
import Foundation

/// Generates the sample customer-club data: customers.csv, orders.csv, feedback.csv,
/// survey.csv and contacts.csv, and a smaller club with a campaign that works in spring/.
///
/// The same customers count and seed always give the same bytes. The data has the shape real
/// loyalty data has, so every analysis finds something: Pareto-like spend (a log-normal spend
/// level per customer), seasonality (Nowruz in March, the November–December peak), people who
/// never bought (half of them club members; of the rest, leads no one has contacted yet and
/// potential customers the sales team has reached), recent joiners, loyal regulars, lapsed
/// customers who stopped buying, complainers with low NPS scores, a favourite product category
/// per customer, and a survey of lifestyles and the benefit sought (seed 004's bases).
///
/// The later additions (`source`, `first_seen`, `contacted`, `birth_month`, `product`, `category`,
/// the survey, the contacts, the `spring/` campaign club) draw from
/// random streams of their own, so the columns that were there before keep their values.
///
///     let summary = try SampleGenerator(customers: 3000, seed: 42).write(to: "Samples/data")
/// The language of the sample files: English with ISO dates, or Persian with Jalali dates,
/// Persian digits and amounts in tomans (`clubsh-sample-data --locale fa`).
public enum SampleLocale: String, Sendable {
    case english = "en"
    case persian = "fa"
}

public struct SampleGenerator: Sendable {
    public var customers: Int
    public var seed: UInt64
    /// First and last day of the order history (day numbers).
    public var firstDay = Civil.days(2023, 1, 1)
    public var lastDay = Civil.days(2024, 6, 30)

    /// The language of the words, digits and calendar of the files.
    public var locale: SampleLocale = .english { didSet { words = locale == .persian ? .persian : .english } }

    public init(customers: Int, seed: UInt64, locale: SampleLocale = .english) {
        self.customers = customers
        self.seed = seed
        self.locale = locale
        words = locale == .persian ? .persian : .english
    }

    /// The names, cities and other words of the files, kept rather than looked up per use: a
    /// copy of the vocabulary per customer was a third of a large benchmark file's time.
    private(set) var words: Vocabulary

    /// A writer in the generator's locale.
    func writer(_ path: String) throws -> ByteWriter {
        var w = try ByteWriter(path: path)
        w.persian = locale == .persian
        return w
    }

    /// What was written.
    public struct Summary: Sendable {
        public var customers = 0, orders = 0, feedback = 0, survey = 0
        /// Whether club.xlsx was left out: a sheet would pass a spreadsheet's 1,048,576 rows.
        public var workbookLeftOut = false, contacts = 0
        /// The spring campaign club in `spring/` (SpringCampaign.swift).
        public var springCustomers = 0, springOrders = 0, springContacts = 0
    }

    enum Archetype: CaseIterable {
        case lead, oneTime, occasional, regular, loyal, lapsed

        var share: Double {
            switch self {
            case .lead: return 0.12
            case .oneTime: return 0.22
            case .occasional: return 0.25
            case .regular: return 0.18
            case .loyal: return 0.08
            case .lapsed: return 0.15
            }
        }

        /// Orders per 30 days while active.
        var rate: Double {
            switch self {
            case .lead, .oneTime: return 0
            case .occasional: return 0.3
            case .regular: return 0.8
            case .loyal: return 2.2
            case .lapsed: return 0.8
            }
        }

        var spendFactor: Double {
            switch self {
            case .loyal: return 1.8
            case .regular: return 1.2
            default: return 1
            }
        }
    }

    /// One customer's attributes and orders.
    struct Customer {
        var id: Int
        var name: String
        var gender: String?
        var birthYear: Int?
        var city: String
        var joined: Int
        var isCompany: Bool
        var channel: String
        var referredBy: Int?
        var archetype: Archetype
        var complainer: Bool

        /// Whether the person is a club member (has a `joined` date). Every buyer joined; of the
        /// people who never bought, every other one is a member and the rest are prospects
        /// known to the club (seed 000's potential customers), so each stage occurs. Decided by
        /// id, with no random draw, so every other value stays as it was.
        var isMember: Bool { archetype != .lead || id % 2 == 1 }
        /// A prospect no one has contacted yet (seed 001's lead, «سرنخ»): half of the people who
        /// are neither buyers nor members, decided by id.
        var isLead: Bool { archetype == .lead && id % 4 == 0 }
    }

    /// How a person first came to the club, when the club first saw them (the ad answered, the
    /// visit, the referral), and when the sales team first reached them (nil for a lead). Drawn
    /// from a stream of the person's own.
    func contact(_ c: Customer) -> (source: String, firstSeen: Int, contacted: Int?) {
        var rng = SplitMix64(seed: seed ^ 0x5EED_C0DE ^ UInt64(c.id) &* 0x9E37_79B9_7F4A_7C15)
        let source = c.referredBy != nil ? words.referral : words.sources[rng.weighted([0.35, 0.30, 0.20, 0.15])]
        let opening = Civil.days(2021, 5, 1)
        // Members were reached shortly before joining; prospects at some point in the club's life.
        let contacted = max(opening, c.isMember ? c.joined - rng.int(0...30) : c.joined)
        let seen = max(opening, contacted - rng.int(0...60))
        return (source, seen, c.isLead ? nil : contacted)
    }

    /// A person's birth month, 1–12, from a stream of their own (nil when the birth year is
    /// unknown): a day drawn evenly over the birth year, its Gregorian month in the English files
    /// and its Jalali month (1 = Farvardin) in the Persian ones, as an Iranian shop records it.
    func birthMonth(_ c: Customer) -> Int? {
        guard let year = c.birthYear else { return nil }
        var rng = SplitMix64(seed: seed ^ 0xB127_4DA7 ^ UInt64(c.id) &* 0xA24B_AED4_963E_E407)
        let day = Civil.days(year, 1, 1) + rng.int(0...364)
        if locale == .persian, let j = JalaliDate.jalali(day) { return j.month }
        return Civil.civil(day).1
    }

    /// A person's favourite product category (index into `categories`), from their own stream.
    func favouriteCategory(_ id: Int) -> Int {
        var rng = SplitMix64(seed: seed ^ 0xFA70_12E5 ^ UInt64(id) &* 0xD1B5_4A32_D192_ED03)
        return rng.weighted([0.30, 0.22, 0.20, 0.16, 0.12])
    }

    struct Order {
        var customer: Int32
        var day: Int32
        var cents: Int32
        var channel: UInt8
        var items: UInt8
    }

    static let cityWeights = [0.35, 0.12, 0.10, 0.09, 0.08, 0.08, 0.05, 0.05, 0.04, 0.04]
    static let channelWeights = [0.45, 0.35, 0.20]
    static let archetypeShares = Archetype.allCases.map(\.share)
    /// Relative order volume per calendar month (Nowruz in March; November–December peak).
    static let season: [Double] = [0.9, 0.9, 1.3, 1.0, 0.95, 0.95, 0.9, 0.9, 1.0, 1.0, 1.25, 1.35]

    // MARK: - Writing

    /// Writes the three files into `directory`.
    public func write(to directory: String) throws -> Summary {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: seed)
        let people = makeCustomers(&rng)
        var summary = Summary(customers: people.count)
        var orders: [Order] = []
        for c in people { appendOrders(for: c, into: &orders, &rng) }
        // Order ids follow time, as a shop system issues them.
        orders.sort { ($0.day, $0.customer) < ($1.day, $1.customer) }
        summary.orders = orders.count
        try writeCustomers(people, to: directory + "/customers.csv")
        try writeOrders(orders, to: directory + "/orders.csv", products: true)
        summary.feedback = try writeFeedback(people, orders, to: directory + "/feedback.csv", &rng)
        summary.survey = try writeSurvey(people, orders, to: directory + "/survey.csv")
        summary.contacts = try writeContacts(orders, to: directory + "/contacts.csv")
        (summary.springCustomers, summary.springOrders, summary.springContacts) = try writeSpring(to: directory)
        // A sheet holds 1,048,575 rows under its header: a larger club is left as CSV only.
        if locale == .persian {
            if summary.orders < 1_048_576 && summary.customers < 1_048_576 {
                try writeWorkbook(["orders", "customers", "feedback", "survey"], in: directory)
            } else {
                summary.workbookLeftOut = true
            }
        }
        return summary
    }

    /// Writes `count` customers (for benchmarks that join orders to customers).
    public func writeCustomers(count: Int, to path: String) throws {
        var rng = SplitMix64(seed: seed)
        let file = try OrderedChunks(path: path, inFlight: 4)
        var header = ByteWriter()
        writeCustomersHeader(&header)
        file.put(0, header.bytes)
        // A chunk at a time, written as text on every core: 20 million customers would not fit
        // in memory at once, and the text is most of the work.
        let work = DispatchQueue(label: "clubsh-sample-data.customers", attributes: .concurrent)
        let group = DispatchGroup()
        let generator = self
        var chunk: [Customer] = [], chunks = 1
        for id in 1...max(count, 1) {
            chunk.append(makeCustomer(id: id, &rng))
            guard chunk.count == 1 << 16 || id == max(count, 1) else { continue }
            let (people, k) = (chunk, chunks)
            chunks += 1
            chunk.removeAll(keepingCapacity: true)
            file.reserve()
            work.async(group: group) {
                var w = ByteWriter()
                w.persian = generator.locale == .persian
                for c in people { generator.writeCustomer(c, &w) }
                file.put(k, w.bytes)
            }
        }
        group.wait()
        try file.close()
    }

    // MARK: - Making customers and orders

    private func makeCustomers(_ rng: inout SplitMix64) -> [Customer] {
        (1...max(customers, 1)).map { makeCustomer(id: $0, &rng) }
    }

    /// With `named` false the name is left empty (the orders file has none), after the same
    /// draws, so every later value is the same.
    func makeCustomer(id: Int, _ rng: inout SplitMix64, named: Bool = true) -> Customer {
        let isCompany = rng.chance(0.08)
        var archetype = Archetype.allCases[rng.weighted(Self.archetypeShares)]
        // Members join over the club's life; more joined recently as the club grew.
        let clubStart = Civil.days(2021, 6, 1)
        let joined = clubStart + Int(Double(lastDay - clubStart) * rng.unit().squareRoot())
        if lastDay - joined < 60 && archetype != .lead { archetype = .oneTime }
        // First-name lists alternate male and female names, so gender follows the name.
        let name: String
        var female = false
        if isCompany {
            let last = rng.pick(words.lastNames), suffix = rng.pick(words.companySuffixes)
            name = named ? words.companyName(last, suffix) : ""
        } else if rng.chance(0.08) {
            let k = rng.int(0...(words.persianNames.count - 1))
            name = words.persianNames[k]
            female = k % 2 == 0
        } else {
            let k = rng.int(0...(words.firstNames.count - 1))
            let last = rng.pick(words.lastNames)
            name = named ? "\(words.firstNames[k]) \(last)" : ""
            female = k % 2 == 1
        }
        return Customer(id: id, name: name,
                        gender: isCompany ? nil : (female ? words.female : words.male),
                        birthYear: isCompany || rng.chance(0.05) ? nil : rng.int(1950...2005),
                        city: words.cities[rng.weighted(Self.cityWeights)],
                        joined: joined, isCompany: isCompany,
                        channel: words.channels[rng.weighted(Self.channelWeights)],
                        referredBy: id > 20 && rng.chance(0.15) ? rng.int(1...(id - 1)) : nil,
                        archetype: archetype, complainer: archetype != .lead && rng.chance(0.1))
    }

    func appendOrders(for c: Customer, into orders: inout [Order], _ rng: inout SplitMix64) {
        guard c.archetype != .lead else { return }
        let from = max(c.joined, firstDay)
        var until = lastDay
        if c.archetype == .lapsed {
            // Lapsed customers stopped buying at least 200 days before the end.
            until = min(lastDay - 200, from + 60 + Int(rng.unit() * 300))
            if until <= from { until = from + 30 }
        }
        let level = exp(4.0 + 0.8 * rng.normal()) * c.archetype.spendFactor * (c.isCompany ? 3 : 1)
        let preferred = UInt8(words.channels.firstIndex(of: c.channel)!)
        func add(_ day: Int) {
            let amount = max(2.5, level * exp(0.45 * rng.normal()))
            let channel = rng.chance(0.7) ? preferred : UInt8(rng.int(0...2))
            let items = UInt8(min(24, 1 + Int((amount / 40).squareRoot()) + rng.int(0...2)))
            orders.append(Order(customer: Int32(c.id), day: Int32(day), cents: Int32(min(amount * 100, 2_000_000_000).rounded()), channel: channel, items: items))
        }
        if c.archetype == .oneTime || c.archetype.rate == 0 {
            add(from + Int(rng.unit() * Double(max(1, min(until, lastDay) - from))))
            if lastDay - c.joined < 60 && rng.chance(0.3) { add(min(lastDay, from + rng.int(1...30))) }
            return
        }
        // A Poisson process thinned by the season's weight.
        let meanGap = 30 / (c.archetype.rate * 1.35)
        var t = Double(from) + rng.exponential(mean: meanGap) * 0.5
        var count = 0
        while Int(t) <= until {
            let month = Civil.civil(Int(t)).1
            if rng.unit() < Self.season[month - 1] / 1.35 {
                add(Int(t))
                count += 1
            }
            t += rng.exponential(mean: meanGap)
        }
        if count == 0 { add(min(until, from + rng.int(0...20))) }
    }

    // MARK: - Files

    private func writeCustomers(_ people: [Customer], to path: String) throws {
        var w = try writer(path)
        writeCustomersHeader(&w)
        for c in people { writeCustomer(c, &w) }
        w.close()
    }

    private func writeCustomersHeader(_ w: inout ByteWriter) {
        w.text("id,name,gender,birth_year,birth_month,city,joined,kind,channel,referred_by,source,first_seen,contacted")
        w.newline()
    }

    private func writeCustomer(_ c: Customer, _ w: inout ByteWriter) {
        w.int(c.id); w.comma()
        if c.name.utf8.contains(44) { w.text("\"\(c.name)\"") } else { w.text(c.name) }
        w.comma()
        if let g = c.gender { w.text(g) }
        w.comma()
        // A Jalali birth year in the Persian files (most of a Gregorian year is in year − 621).
        if let b = c.birthYear { w.int(locale == .persian ? b - 621 : b) }
        w.comma()
        if let m = birthMonth(c) { w.int(m) }
        w.comma(); w.text(c.city)
        w.comma()
        if c.isMember { w.date(c.joined) }
        w.comma(); w.text(c.isCompany ? words.company : words.person)
        w.comma(); w.text(c.channel)
        w.comma()
        if let r = c.referredBy { w.int(r) }
        let (source, seen, contacted) = contact(c)
        w.comma(); w.text(source)
        w.comma(); w.date(seen)
        w.comma()
        if let d = contacted { w.date(d) }
        w.newline()
    }

    private func writeOrder(_ o: Order, id: Int, _ w: inout ByteWriter, endLine: Bool = true) {
        w.int(id); w.comma()
        w.int(Int(o.customer)); w.comma()
        w.date(Int(o.day)); w.comma()
        w.cents(Int(o.cents)); w.comma()
        w.text(words.channels[Int(o.channel)]); w.comma()
        w.int(Int(o.items))
        if endLine { w.newline() }
    }

    /// With `products`, each order also names a product and its category: most orders fall in
    /// the customer's favourite category (drawn from a stream of the orders' own).
    private func writeOrders(_ orders: [Order], to path: String, products: Bool = false) throws {
        var w = try writer(path)
        w.text("order_id,customer_id,date,amount,channel,items" + (products ? ",product,category" : ""))
        w.newline()
        var rng = SplitMix64(seed: seed ^ 0x0DE5_0DE5)
        for (k, o) in orders.enumerated() {
            writeOrder(o, id: k + 1, &w, endLine: !products)
            guard products else { continue }
            let category = rng.chance(0.6) ? favouriteCategory(Int(o.customer)) : rng.int(0...(words.categories.count - 1))
            w.comma(); w.text(rng.pick(words.products[category]))
            w.comma(); w.text(words.categories[category])
            w.newline()
        }
        w.close()
    }

    /// The files again as one workbook, club.xlsx, a sheet per file, each cell the text the CSV
    /// holds (Jalali dates and Persian-digit amounts as text, as an Iranian shop's export has
    /// them: spreadsheets have no Jalali dates of their own).
    private func writeWorkbook(_ names: [String], in directory: String) throws {
        let session = Session()
        var sheets: [(name: String, table: Table)] = []
        for name in names {
            let path = directory + "/\(name).csv"
            let header = try String(contentsOfFile: path, encoding: .utf8).prefix { $0 != "\n" }.split(separator: ",")
            let types = header.map { "\($0): string" }.joined(separator: ", ")
            var failure: Diagnostic?
            session.run("load \"\(path)\" as \(name) with types (\(types))") { result in
                if case .failure(let d) = result { failure = d }
                return failure == nil
            }
            if let failure { throw failure }
            sheets.append((name, try session.query(name)))
        }
        let bytes = try XLSXWriter.workbook(sheets)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/club.xlsx"))
    }

    /// A spring campaign (`campaign spring = contacts window 30d`): on 2024-03-01 to 03-03, a
    /// third of the customers who had bought by then are contacted, one in five of them held
    /// out as the control group (cost 0), the rest sent an offer at 0.5 each; a few are
    /// contacted twice. The orders are not changed by it, so an honest measurement finds no
    /// real uplift: what chance alone gives.
    private func writeContacts(_ orders: [Order], to path: String) throws -> Int {
        let start = Civil.days(2024, 3, 1)
        var bought = Set<Int>()
        for o in orders where Int(o.day) < start { bought.insert(Int(o.customer)) }
        var rng = SplitMix64(seed: seed ^ 0xC_A4A1)
        var w = try writer(path)
        w.text("customer_id,date,group,cost")
        w.newline()
        var rows = 0
        for id in bought.sorted() where rng.chance(1.0 / 3) {
            let control = rng.chance(0.2)
            let day = start + rng.int(0...2)
            for again in 0..<(rng.chance(0.03) ? 2 : 1) {
                w.int(id); w.comma(); w.date(day + again * 7); w.comma()
                w.text(control ? "control" : "treatment"); w.comma(); w.text(control ? "0" : "0.5")
                w.newline()
                rows += 1
            }
        }
        w.close()
        return rows
    }

    /// A survey of some buyers (seed 004: psychographic bases come from surveys): their
    /// lifestyle and the benefit they seek most. Customers whose orders are smaller than most
    /// lean to price, larger ones to quality and service.
    private func writeSurvey(_ people: [Customer], _ orders: [Order], to path: String) throws -> Int {
        var total = [Int: (sum: Double, n: Int, last: Int)]()
        for o in orders {
            let t = total[Int(o.customer)] ?? (0, 0, 0)
            total[Int(o.customer)] = (t.sum + Double(o.cents) / 100, t.n + 1, max(t.last, Int(o.day)))
        }
        let means = total.values.map { $0.sum / Double($0.n) }.sorted()
        let median = means.isEmpty ? 0 : means[means.count / 2]
        var rng = SplitMix64(seed: seed ^ 0x5_0BE7)
        var w = try writer(path)
        w.text("customer_id,date,lifestyle,benefit")
        w.newline()
        var rows = 0
        for c in people {
            guard let t = total[c.id], rng.chance(0.4) else { continue }
            let small = t.sum / Double(t.n) < median
            let lifestyle = words.lifestyles[rng.weighted(c.isCompany ? [0.2, 0.1, 0.6, 0.1] : [0.25, 0.35, 0.25, 0.15])]
            let benefit = words.benefits[rng.weighted(small ? [0.5, 0.15, 0.15, 0.2] : [0.15, 0.4, 0.3, 0.15])]
            w.int(c.id); w.comma(); w.date(min(lastDay, t.last + rng.int(1...20))); w.comma()
            w.text(lifestyle); w.comma(); w.text(benefit)
            w.newline()
            rows += 1
        }
        w.close()
        return rows
    }

    /// One to three answers of a customer who gives feedback, each a few days after one of the
    /// customer's order `days`: (day, NPS, rating, complaint).
    func answers(of c: Customer, days: [Int], _ rng: inout SplitMix64, _ answer: (Int, Int, Int, String?) -> Void) {
        for _ in 0..<rng.int(1...min(3, days.count)) {
            let day = min(lastDay, rng.pick(days) + rng.int(1...7))
            let nps: Int
            if c.complainer { nps = rng.int(0...6) } else if c.archetype == .loyal { nps = rng.chance(0.8) ? rng.int(9...10) : rng.int(6...8) } else { nps = rng.weighted([1, 1, 1, 1, 2, 3, 4, 6, 8, 7, 5]) }
            let rating = max(1, min(5, Int((Double(nps) / 2.5).rounded()) + rng.int(-1...1) + (nps >= 9 ? 1 : 0)))
            let complaint = c.complainer && rng.chance(0.7) || rng.chance(0.02) ? rng.pick(words.complaints) : nil
            answer(day, nps, rating, complaint)
        }
    }

    /// Feedback follows purchases: a few days after an order, scored by how the customer feels.
    private func writeFeedback(_ people: [Customer], _ orders: [Order], to path: String, _ rng: inout SplitMix64) throws -> Int {
        var byCustomer = [Int: [Int]]()
        for o in orders { byCustomer[Int(o.customer), default: []].append(Int(o.day)) }
        var rows: [(customer: Int, day: Int, nps: Int, rating: Int, complaint: String?)] = []
        for c in people {
            guard let days = byCustomer[c.id], c.complainer || rng.chance(0.35) else { continue }
            answers(of: c, days: days, &rng) { rows.append((c.id, $0, $1, $2, $3)) }
        }
        rows.sort { ($0.day, $0.customer) < ($1.day, $1.customer) }
        var w = try writer(path)
        w.text("customer_id,date,nps,rating,complaint")
        w.newline()
        for r in rows {
            w.int(r.customer); w.comma(); w.date(r.day); w.comma(); w.int(r.nps); w.comma(); w.int(r.rating); w.comma()
            if let c = r.complaint { w.text(c) }
            w.newline()
        }
        w.close()
        return rows.count
    }
}

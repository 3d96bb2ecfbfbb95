import ClubKit
import Foundation

/// A second, smaller club whose campaign truly works: `spring/customers.csv`, `spring/orders.csv`
/// and `spring/contacts.csv` beside the main sample, from random streams of their own (the main
/// files do not change). The main sample's March contacts change nothing; this one is where a
/// measurement should find an uplift, and the lesson "Did the campaign work?" compares the
/// estimate with the truth below.
///
/// The generating model, all of it:
/// - 10,000 customers (people), each with a purchase rate λ = 0.05 + 0.6 u² orders per 30 days
///   (u uniform on [0, 1), so λ averages 0.25) and a spend level e^(3.8 + 0.7 z), z standard
///   normal; an order's amount is the level × e^(0.4 z'), at least 2.50.
/// - Orders from 2023-10-01 (or the day the customer joined, if later) to 2024-06-30 are a
///   Poisson process at rate λ / 30 per day, the day being the whole part of the time: so the
///   chance of no order in any 30 whole days is exactly e^(−λ). No season, no trend.
/// - The campaign: every customer who bought before 2024-04-21 is contacted on 04-21, 04-22 or
///   04-23 (a third each); one in ten, drawn at random, is held out as the control group
///   (cost 0), the rest get the offer (cost 0.50 each; 5,000 tomans in the Persian files, as
///   the amounts are).
/// - **The true effect.** A treatment customer who has no order in the 30 days after the
///   contact gets one extra order there (on a day drawn evenly from the 30) with probability
///   0.06 / e^(−λ). So each treatment customer's chance of buying in the window is the control
///   chance, 1 − e^(−λ), plus exactly 0.06: **the true uplift of the response rate is 6
///   percentage points** (for `campaign … window 30d`), the same for every customer, and the
///   extra orders are the only difference between the groups.
extension SampleGenerator {
    /// The spring club's size and dates.
    static let springCustomers = 10_000
    static let springFirstDay = Civil.days(2023, 10, 1)
    static let springContactDay = Civil.days(2024, 4, 21)
    /// The true uplift of the 30-day response rate, as a probability.
    static let springUplift = 0.06

    /// Writes `directory/spring/` and returns (customers, orders, contacts).
    func writeSpring(to directory: String) throws -> (customers: Int, orders: Int, contacts: Int) {
        let folder = directory + "/spring"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: seed ^ 0x5_921_4C00)
        var people: [(id: Int, name: String, female: Bool, city: String, joined: Int, channel: Int, rate: Double, level: Double)] = []
        var orders: [Order] = []
        let first = Self.springFirstDay, last = lastDay, start = Self.springContactDay
        let opening = Civil.days(2021, 6, 1)
        for id in 1...Self.springCustomers {
            let k = rng.int(0...(words.firstNames.count - 1))
            let name = "\(words.firstNames[k]) \(rng.pick(words.lastNames))"
            let city = words.cities[rng.weighted(Self.cityWeights)]
            let joined = opening + Int(Double(start - 1 - opening) * rng.unit())
            let channel = rng.weighted([0.45, 0.35, 0.20])
            let u = rng.unit()
            let rate = 0.05 + 0.6 * u * u
            let level = exp(3.8 + 0.7 * rng.normal())
            people.append((id, name, k % 2 == 1, city, joined, channel, rate, level))
            var t = Double(max(joined, first)) + rng.exponential(mean: 30 / rate)
            while Int(t) <= last {
                orders.append(springOrder(id, Int(t), level, channel, &rng))
                t += rng.exponential(mean: 30 / rate)
            }
        }
        // The contacts, and the true effect on the treatment group, from streams of their own.
        var bought = Set<Int>(), window = Set<Int>()
        var contactRng = SplitMix64(seed: seed ^ 0xC_A4A2)
        var effectRng = SplitMix64(seed: seed ^ 0xE_FFEC7)
        var contacts: [(id: Int, day: Int, control: Bool)] = []
        for o in orders where Int(o.day) < start { bought.insert(Int(o.customer)) }
        for p in people where bought.contains(p.id) {
            contacts.append((p.id, start + contactRng.int(0...2), contactRng.chance(0.1)))
        }
        let contactDay = Dictionary(uniqueKeysWithValues: contacts.map { ($0.id, $0.day) })
        for o in orders {
            if let c = contactDay[Int(o.customer)], Int(o.day) > c, Int(o.day) <= c + 30 { window.insert(Int(o.customer)) }
        }
        for c in contacts where !c.control && !window.contains(c.id) {
            let p = people[c.id - 1]
            if effectRng.unit() < Self.springUplift / exp(-p.rate) {
                orders.append(springOrder(c.id, c.day + effectRng.int(1...30), p.level, p.channel, &effectRng))
            }
        }
        orders.sort { ($0.day, $0.customer) < ($1.day, $1.customer) }

        var w = try writer(folder + "/customers.csv")
        w.text("id,name,gender,city,joined,channel")
        w.newline()
        for p in people {
            w.int(p.id); w.comma(); w.text(p.name); w.comma(); w.text(p.female ? words.female : words.male)
            w.comma(); w.text(p.city); w.comma(); w.date(p.joined); w.comma(); w.text(words.channels[p.channel])
            w.newline()
        }
        w.close()
        w = try writer(folder + "/orders.csv")
        w.text("order_id,customer_id,date,amount,channel")
        w.newline()
        for (k, o) in orders.enumerated() {
            w.int(k + 1); w.comma(); w.int(Int(o.customer)); w.comma(); w.date(Int(o.day)); w.comma()
            w.cents(Int(o.cents)); w.comma(); w.text(words.channels[Int(o.channel)])
            w.newline()
        }
        w.close()
        w = try writer(folder + "/contacts.csv")
        w.text("customer_id,date,group,cost")
        w.newline()
        for c in contacts {
            w.int(c.id); w.comma(); w.date(c.day); w.comma()
            w.text(c.control ? "control" : "treatment"); w.comma(); w.cents(c.control ? 0 : 50)
            w.newline()
        }
        w.close()
        return (people.count, orders.count, contacts.count)
    }

    private func springOrder(_ id: Int, _ day: Int, _ level: Double, _ preferred: Int, _ rng: inout SplitMix64) -> Order {
        let amount = max(2.5, level * exp(0.4 * rng.normal()))
        let channel = rng.chance(0.8) ? preferred : rng.int(0...2)
        return Order(customer: Int32(id), day: Int32(day), cents: Int32(min(amount * 100, 2_000_000_000).rounded()), channel: UInt8(channel), items: 1)
    }
}

/// The rules of a points program with every value resolved: what `program club = earn 1 per
/// rate, …` means once `rate` has a value (docs/language.md, "Points programs"). Seed 002
/// (`002_428103cbea7bbad5.txt`) names the parts: points per purchase («امتیازدهی»), rewards for
/// referrals («جوایز ارجاعی») and gifts on birthdays («روز تولد مشتریان»); the arithmetic is
/// clubsh's own and is written down in full in docs/language.md.
struct LoyaltyRules: Sendable, Equatable {
    struct Tier: Sendable, Equatable {
        var name: String
        /// The points earned in the tier window at which the tier starts.
        var threshold: Double
    }
    struct ChannelMultiplier: Sendable, Equatable {
        var channel: String
        var multiplier: Double
    }

    /// `earn P per R`: an order earns floor(floor(amount / R) × P × multiplier) points.
    var earnPoints: Double
    var earnPer: Double
    var firstBonus: Double?
    var referralBonus: Double?
    var birthdayBonus: Double?
    var channels: [ChannelMultiplier] = []
    /// Points expire this many days after the day they are earned; nil: never.
    var expireDays: Int?
    var pointValue: Double?
    /// Lowest first; the first starts at 0 (`base` unless the program names a tier at 0).
    var tiers: [Tier]
    /// Tiers count the points earned in the `tierWindowDays` days ending on the as-of date;
    /// nil: all points ever earned.
    var tierWindowDays: Int?
    /// The share of each day's points that is redeemed, spread evenly over their life.
    var redeemShare: Double = 0

    /// Points are counted exactly in doubles up to 2^53; a figure past it is an error.
    static let maxPoints = 9_007_199_254_740_992.0
    /// The name of the tier below the first one the program names, unless one starts at 0.
    static let baseTier = "base"
    /// Days over which redeemed points are spread when points never expire.
    static let defaultRedemptionDays = 365

    /// The days over which a day's redeemed points are spread: the points' life.
    var redemptionDays: Int { expireDays ?? Self.defaultRedemptionDays }

    /// The multiplier of orders in `channel` (1 when the program names none for it).
    func multiplier(_ channel: String) -> Double {
        channels.first { $0.channel == channel }?.multiplier ?? 1
    }

    /// The index of the tier that `points` earned in the window reach.
    func tier(_ points: Double) -> Int {
        var i = 0
        while i + 1 < tiers.count && points >= tiers[i + 1].threshold { i += 1 }
        return i
    }

    /// One line that says what the program gives, for the definition's message and the working.
    var summary: String {
        var parts = ["\(exact(earnPoints)) point\(earnPoints == 1 ? "" : "s") per \(exact(earnPer))"]
        if !channels.isEmpty { parts.append("channel_bonus " + channels.map { "\($0.channel) \(grouped($0.multiplier))x" }.joined(separator: ", ")) }
        if let b = firstBonus { parts.append("first_bonus \(grouped(b))") }
        if let b = referralBonus { parts.append("referral_bonus \(grouped(b))") }
        if let b = birthdayBonus { parts.append("birthday_bonus \(grouped(b))") }
        parts.append(expireDays.map { "points expire after \(grouped($0)) days" } ?? "points never expire")
        if redeemShare > 0 { parts.append("\(rate(redeemShare * 100)) redeemed") }
        if let v = pointValue { parts.append("a point is worth \(exact(v))") }
        parts.append("tiers " + tiers.map { $0.threshold == 0 ? $0.name : "\($0.name) from \(grouped($0.threshold))" }.joined(separator: ", ")
                     + (tierWindowDays.map { " over \(grouped($0)) days" } ?? " over all points earned"))
        return parts.joined(separator: "; ")
    }

    /// A number the user gave, as they gave it: the definition's echo never rounds it.
    private func exact(_ x: Double) -> String { ValueFormat.displayDouble(x) }
}

/// A whole number of points with thousands separators (1234567 → "1,234,567"); others to at
/// most 2 decimals (1234.5 → "1,234.5").
func grouped(_ x: Double) -> String {
    if x == x.rounded() && abs(x) < 9e18 { return grouped(Int(x)) }
    let hundredths = (abs(x) * 100).rounded()
    guard hundredths < 1e17 else { return ValueFormat.displayDouble(x) }
    let whole = Int(hundredths / 100), cents = Int(hundredths) % 100
    var tail = cents == 0 ? "" : cents < 10 ? ".0\(cents)" : ".\(cents)"
    if tail.count == 3 && tail.hasSuffix("0") { tail.removeLast() }
    return (x < 0 && hundredths > 0 ? "-" : "") + grouped(whole) + tail
}

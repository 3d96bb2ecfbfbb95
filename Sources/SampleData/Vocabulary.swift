/// The words of the sample data, in English or in Persian. Both have the same lists in the same
/// order and length, so a draw picks the same entry in either: the Persian club is the English
/// one in another language.
public struct Vocabulary: Sendable {
    /// First names alternate male and female, so gender follows the name.
    var firstNames: [String]
    var lastNames: [String]
    var persianNames: [String]
    var companySuffixes: [String]
    var cities: [String]
    var channels: [String]
    var sources: [String]
    var referral: String
    var categories: [String]
    var products: [[String]]
    var lifestyles: [String]
    var benefits: [String]
    var complaints: [String]
    var female: String, male: String
    var company: String, person: String
    /// A company's name from a family name and a suffix, in the language's order.
    var companyName: @Sendable (String, String) -> String

    public static let english = Vocabulary(
        firstNames: ["Ali", "Sara", "Reza", "Maryam", "Mohammad", "Zahra", "Hossein", "Fatemeh", "Mehdi", "Narges", "Amir", "Leila",
                     "Hamid", "Shirin", "Saeed", "Parisa", "Omid", "Neda", "Babak", "Roya", "Kaveh", "Mina", "Arash", "Nasrin",
                     "Dariush", "Azadeh", "Farhad", "Elham", "Kian", "Yasmin"],
        lastNames: ["Ahmadi", "Hosseini", "Karimi", "Rezaei", "Moradi", "Mohammadi", "Rahimi", "Jafari", "Kazemi", "Sadeghi",
                    "Ebrahimi", "Hashemi", "Nazari", "Ghasemi", "Alavi", "Tehrani", "Shirazi", "Farahani", "Bagheri", "Amini"],
        persianNames: ["سارا احمدی", "رضا کریمی", "مریم حسینی", "علی رضایی", "زهرا مرادی", "حسین جعفری", "نرگس کاظمی", "امید صادقی"],
        companySuffixes: ["Trading", "Retail Group", "Foods", "& Sons, Ltd", "Supplies", "Co."],
        cities: ["Tehran", "Mashhad", "Isfahan", "Shiraz", "Tabriz", "Karaj", "Ahvaz", "Qom", "Rasht", "Kerman"],
        channels: ["web", "app", "store"],
        sources: ["ad", "web_visit", "store_visit", "event"], referral: "referral",
        categories: ["Apparel", "Home", "Beauty", "Food", "Electronics"],
        products: [["Scarf", "Leather bag", "Shoes", "Coat"], ["Rug", "Lamp", "Tea set", "Cushion"],
                   ["Perfume", "Skin cream", "Olive soap"], ["Saffron", "Pistachios", "Dates", "Tea"],
                   ["Headphones", "Phone case", "Charger"]],
        lifestyles: ["green", "family", "career", "faith"],
        benefits: ["price", "quality", "service", "features"],
        complaints: ["late delivery", "damaged item", "wrong item", "rude staff", "price", "refund delay"],
        female: "F", male: "M", company: "company", person: "person",
        companyName: { family, suffix in "\(family) \(suffix)" })

    /// Persian words as an Iranian shop's export has them: the seeds' own terms for individuals
    /// and companies («حقیقی و حقوقی»), with zero-width non-joiners where Persian writes them.
    public static let persian = Vocabulary(
        firstNames: ["علی", "سارا", "رضا", "مریم", "محمد", "زهرا", "حسین", "فاطمه", "مهدی", "نرگس", "امیر", "لیلا",
                     "حمید", "شیرین", "سعید", "پریسا", "امید", "ندا", "بابک", "رویا", "کاوه", "مینا", "آرش", "نسرین",
                     "داریوش", "آزاده", "فرهاد", "الهام", "کیان", "یاسمن"],
        lastNames: ["احمدی", "حسینی", "کریمی", "رضایی", "مرادی", "محمدی", "رحیمی", "جعفری", "کاظمی", "صادقی",
                    "ابراهیمی", "هاشمی", "نظری", "قاسمی", "علوی", "تهرانی", "شیرازی", "فراهانی", "باقری", "امینی"],
        persianNames: ["سارا احمدی", "رضا کریمی", "مریم حسینی", "علی رضایی", "زهرا مرادی", "حسین جعفری", "نرگس کاظمی", "امید صادقی"],
        companySuffixes: ["بازرگانی", "گروه فروشگاهی", "صنایع غذایی", "و پسران", "تدارکات", "شرکت"],
        cities: ["تهران", "مشهد", "اصفهان", "شیراز", "تبریز", "کرج", "اهواز", "قم", "رشت", "کرمان"],
        channels: ["وب", "اپ", "فروشگاه"],
        sources: ["تبلیغ", "بازدید سایت", "بازدید فروشگاه", "رویداد"], referral: "معرفی",
        categories: ["پوشاک", "خانه", "آرایشی", "خوراکی", "الکترونیک"],
        products: [["شال", "کیف چرمی", "کفش", "کت"], ["فرش", "چراغ", "سرویس چای", "کوسن"],
                   ["عطر", "کرم پوست", "صابون زیتون"], ["زعفران", "پسته", "خرما", "چای"],
                   ["هدفون", "قاب گوشی", "شارژر"]],
        lifestyles: ["سبز", "خانواده", "کار", "مذهبی"],
        benefits: ["قیمت", "کیفیت", "خدمات", "ویژگی\u{200C}ها"],
        complaints: ["تأخیر در ارسال", "کالای آسیب\u{200C}دیده", "کالای اشتباه", "برخورد نامناسب", "قیمت", "تأخیر در بازپرداخت"],
        female: "زن", male: "مرد", company: "حقوقی", person: "حقیقی",
        companyName: { family, suffix in "\(suffix) \(family)" })
}

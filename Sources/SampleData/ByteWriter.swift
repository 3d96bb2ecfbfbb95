import ClubKit
import Foundation

/// Appends CSV text to a byte buffer without a `String` per value, flushing to a file in blocks.
///
/// With `persian`, numbers are written in Persian digits (۰–۹), dates as Jalali `yyyy/MM/dd`,
/// and amounts as whole tomans with the Persian thousands separator (`۳۸۳٬۰۰۰`), as an Iranian
/// shop's export has them.
struct ByteWriter {
    private var buffer: [UInt8] = []
    /// Where the bytes go; nil for a writer that only collects them (`bytes`).
    private let handle: FileHandle?
    var persian = false

    /// A writer that keeps its bytes.
    init() { handle = nil }

    /// What a writer without a file has collected.
    var bytes: [UInt8] { buffer }

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    mutating func text(_ s: String) { buffer.append(contentsOf: s.utf8) }
    mutating func byte(_ b: UInt8) { buffer.append(b) }
    mutating func comma() { buffer.append(44) }

    mutating func newline() {
        buffer.append(10)
        if buffer.count >= 1 << 20 && handle != nil { flush() }
    }

    mutating func int(_ v: Int) {
        if v < 0 { buffer.append(45) }
        // The digits from the last, then in order: no call per digit.
        var x = v.magnitude
        var reversed: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                       UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &reversed) { d in
            repeat { d[n] = UInt8(x % 10); x /= 10; n += 1 } while x > 0
            for i in stride(from: n - 1, through: 0, by: -1) { digit(Int(d[i])) }
        }
    }

    /// One digit, Latin or Persian (U+06F0 + d, two bytes in UTF-8).
    private mutating func digit(_ d: Int) {
        if persian {
            buffer.append(0xDB)
            buffer.append(UInt8(0xB0 + d))
        } else {
            buffer.append(UInt8(48 + d))
        }
    }

    /// An amount in cents as `123.45`; with `persian`, in tomans (a cent is 100 tomans),
    /// rounded to the thousand and grouped: `۱٬۲۳۵٬۰۰۰`.
    mutating func cents(_ c: Int) {
        if persian {
            let tomans = (c + 5) / 10 * 1000
            var groups: [Int] = []
            var rest = tomans
            repeat { groups.append(rest % 1000); rest /= 1000 } while rest > 0
            int(groups.last!)
            for g in groups.dropLast().reversed() {
                buffer.append(0xD9); buffer.append(0xAC)   // ٬ U+066C
                digit(g / 100); digit(g / 10 % 10); digit(g % 10)
            }
            return
        }
        int(c / 100)
        buffer.append(46)
        buffer.append(UInt8(48 + (c % 100) / 10))
        buffer.append(UInt8(48 + c % 10))
    }

    /// A day number as YYYY-MM-DD; with `persian`, the Jalali date as yyyy/MM/dd.
    mutating func date(_ day: Int) {
        let jalali = persian ? JalaliDate.jalali(day) : nil
        let (y, m, d) = jalali ?? Civil.civil(day)
        let separator: UInt8 = jalali != nil ? 47 : 45
        int(y)
        buffer.append(separator)
        if m < 10 { digit(0) }
        int(m)
        buffer.append(separator)
        if d < 10 { digit(0) }
        int(d)
    }

    mutating func flush() {
        guard let handle else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() {
        flush()
        handle?.closeFile()
    }
}

/// Day numbers (days since 1970-01-01) ↔ calendar dates.
enum Civil {
    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1
        return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468
    }

    static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

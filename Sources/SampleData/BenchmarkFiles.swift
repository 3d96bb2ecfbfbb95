import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The large files of the benchmarks (`clubsh-sample-data --orders N`): orders in customer
/// order, their feedback, and a customers file.
///
/// The customers and their orders come from one random stream, so they are made one after
/// another; turning the orders into text is most of the work and runs on every core, a chunk
/// of orders at a time, the chunks written in order. The bytes are those of the one-threaded
/// writer before it (a test holds the two to the same text).
extension SampleGenerator {
    /// Writes about `rows` orders, in customer order without sorting by date, and with
    /// `feedback` the answers of those customers (each customer's from a stream of its own, so
    /// the orders are the same with or without them). Returns the feedback rows written.
    @discardableResult
    public func writeOrders(rows: Int, to path: String, feedback feedbackPath: String? = nil) throws -> Int {
        var rng = SplitMix64(seed: seed)
        let file = try OrderedChunks(path: path, inFlight: 4)
        file.put(0, Array("order_id,customer_id,date,amount,channel,items\n".utf8))
        var feedback = try feedbackPath.map { path in
            var w = try ByteWriter(path: path)
            w.text("customer_id,date,nps,rating,complaint")
            w.newline()
            return w
        }
        let format = OrderText(channels: words.channels, firstDay: firstDay, lastDay: lastDay)
        let work = DispatchQueue(label: "clubsh-sample-data.orders", attributes: .concurrent)
        let group = DispatchGroup()
        let chunkSize = 1 << 18
        var written = 0, id = 1, chunks = 1, answered = 0
        var batch: [Order] = [], chunk: [Order] = [], days: [Int] = []
        chunk.reserveCapacity(chunkSize)
        while written < rows {
            let c = makeCustomer(id: id, &rng, named: false)
            id += 1
            batch.removeAll(keepingCapacity: true)
            appendOrders(for: c, into: &batch, &rng)
            let taken = batch.prefix(rows - written)
            chunk.append(contentsOf: taken)
            if feedback != nil {
                var own = SplitMix64(seed: seed ^ 0xFEED_BAC4 ^ UInt64(c.id) &* 0x9E37_79B9_7F4A_7C15)
                days.removeAll(keepingCapacity: true)
                days.append(contentsOf: taken.map { Int($0.day) })
                if !days.isEmpty, c.complainer || own.chance(0.35) {
                    answers(of: c, days: days, &own) { day, nps, rating, complaint in
                        feedback!.int(c.id); feedback!.comma(); feedback!.date(day); feedback!.comma()
                        feedback!.int(nps); feedback!.comma(); feedback!.int(rating); feedback!.comma()
                        if let complaint { feedback!.text(complaint) }
                        feedback!.newline()
                        answered += 1
                    }
                }
            }
            written += taken.count
            if chunk.count >= chunkSize || written == rows {
                let (orders, k) = (chunk, chunks)
                chunks += 1
                chunk.removeAll(keepingCapacity: true)
                file.reserve()
                let firstID = written - orders.count + 1
                work.async(group: group) { file.put(k, format.text(orders, firstID: firstID)) }
            }
        }
        group.wait()
        feedback?.close()
        try file.close()
        return answered
    }
}

/// Orders as CSV lines, straight into a byte buffer: each date's ten bytes looked up, numbers
/// written digit by digit from the end.
struct OrderText: Sendable {
    let channels: [[UInt8]]
    let firstDay: Int
    let dates: [UInt8]

    init(channels: [String], firstDay: Int, lastDay: Int) {
        self.channels = channels.map { Array($0.utf8) }
        self.firstDay = firstDay
        var w = ByteWriter()
        for day in firstDay...max(firstDay, lastDay) { w.date(day) }
        dates = w.bytes
    }

    /// The lines of `orders`, the first with order id `firstID`.
    func text(_ orders: [SampleGenerator.Order], firstID: Int) -> [UInt8] {
        // A line is at most 10 + 10 + 10 + 13 + 5 + 3 digits and letters, 5 commas and a newline.
        [UInt8](unsafeUninitializedCapacity: orders.count * 64 + 64) { buffer, count in
            var p = buffer.baseAddress!
            for (k, o) in orders.enumerated() {
                p = digits(firstID + k, p); p.pointee = 44; p += 1
                p = digits(Int(o.customer), p); p.pointee = 44; p += 1
                let d = Int(o.day) - firstDay
                if d >= 0 && d < dates.count / 10 {
                    dates.withUnsafeBufferPointer { p.update(from: $0.baseAddress! + d * 10, count: 10) }
                    p += 10
                } else {
                    var w = ByteWriter()
                    w.date(Int(o.day))
                    p.update(from: w.bytes, count: w.bytes.count)
                    p += w.bytes.count
                }
                p.pointee = 44; p += 1
                let cents = Int(o.cents)
                p = digits(cents / 100, p)
                p[0] = 46; p[1] = UInt8(48 + cents % 100 / 10); p[2] = UInt8(48 + cents % 10); p[3] = 44; p += 4
                let name = channels[Int(o.channel)]
                p.update(from: name, count: name.count); p += name.count
                p.pointee = 44; p += 1
                p = digits(Int(o.items), p)
                p.pointee = 10; p += 1
            }
            count = p - buffer.baseAddress!
        }
    }

    /// Writes `v` (not negative) in decimal at `p`; returns the byte after it.
    @inline(__always) private func digits(_ v: Int, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var n = 1, x = v
        while x >= 10 { x /= 10; n += 1 }
        x = v
        for i in stride(from: n - 1, through: 0, by: -1) { p[i] = UInt8(truncatingIfNeeded: 48 + x % 10); x /= 10 }
        return p + n
    }
}

/// Chunks of a file, numbered from 0, written in their order whichever thread finishes one
/// first; at most `inFlight` chunks wait in memory.
final class OrderedChunks: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: [UInt8]] = [:]
    private var next = 0
    private let fd: Int32
    private let room: DispatchSemaphore
    private let path: String
    private var failed: Int32 = 0

    init(path: String, inFlight: Int) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        self.path = path
        room = DispatchSemaphore(value: inFlight)
    }

    /// Waits until a chunk may be made.
    func reserve() { room.wait() }

    /// Chunk `k`'s bytes: written now if every chunk before it is, else kept until they are.
    func put(_ k: Int, _ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        pending[k] = bytes
        while let b = pending.removeValue(forKey: next) {
            b.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count && failed == 0 {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno != EINTR { failed = errno } } else { offset += n }
                }
            }
            if next > 0 { room.signal() }
            next += 1
        }
    }

    func close() throws {
        let closed = Glibc.close(fd)
        if failed != 0 || closed != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: failed == 0 ? errno : failed) ?? .EIO)])
        }
    }
}

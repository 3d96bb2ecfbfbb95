/// A DEFLATE decoder (RFC 1951) for the parts of an .xlsx workbook: stored, fixed-Huffman and
/// dynamic-Huffman blocks, into a buffer of exactly the size the zip entry states.
///
/// The output never grows past `expected` bytes: a stream that would write more (a zip bomb that
/// understates its size) or ends with fewer is an error, as is any malformed code, a distance
/// reaching before the start, or input that ends early. Decoding is bounded: every step either
/// consumes input or writes output, and both are finite.
///
///     let xml = try Inflate.decode(compressed, expected: 1_234_567)
///
/// Huffman codes are decoded as in stb_image's zlib: a 10-bit table answers most codes in one
/// look-up, and longer codes are found by comparing against each length's largest code.
///
/// SAFETY: one of the few places with raw memory. Input bytes are read only at `pos < input.count`
/// (the bit buffer is refilled with zeros past the end, and more than 8 such bytes is an error);
/// output is written only at `out < expected`, which every store checks first, and a match reads
/// only `out - distance ≥ 0` after checking it.
enum Inflate {
    struct Failure: Error, Equatable {
        var message: String
    }

    /// Decodes `input`, which must inflate to exactly `expected` bytes. `isCancelled` is polled
    /// every few MiB of output.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, expected: Int, isCancelled: () -> Bool = { false }) throws(Failure) -> [UInt8] {
        var failure: Failure?
        let output = [UInt8](unsafeUninitializedCapacity: max(expected, 1)) { buffer, count in
            var decoder = Decoder(input: input, output: buffer.baseAddress!, capacity: expected)
            do throws(Failure) {
                try decoder.run(isCancelled: isCancelled)
                count = decoder.out
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return output
    }

    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                                      4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which a dynamic block lists its code-length code lengths.
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// A canonical Huffman code: a table of the codes of up to `fastBits` bits, and for longer
    /// codes the largest code of each length.
    struct Huffman {
        static let fastBits = 10
        /// `length << 9 | symbol` for each `fastBits`-bit prefix (bit-reversed) that is a whole
        /// code; 0 when the code is longer.
        var fast = [UInt16](repeating: 0, count: 1 << fastBits)
        var firstCode = [Int](repeating: 0, count: 17)
        var firstSymbol = [Int](repeating: 0, count: 17)
        /// One past the largest code of each length, shifted to 16 bits.
        var maxCode = [Int](repeating: 0, count: 18)
        var size = [UInt8](repeating: 0, count: 288)
        var value = [UInt16](repeating: 0, count: 288)

        init(_ lengths: ArraySlice<UInt8>) throws(Failure) {
            var counts = [Int](repeating: 0, count: 17)
            for l in lengths { counts[Int(l)] += 1 }
            counts[0] = 0
            var nextCode = [Int](repeating: 0, count: 16)
            var code = 0, k = 0
            for i in 1..<16 {
                nextCode[i] = code
                firstCode[i] = code
                firstSymbol[i] = k
                code += counts[i]
                if counts[i] != 0 && code - 1 >= 1 << i { throw Failure(message: "a Huffman code is over-subscribed") }
                maxCode[i] = code << (16 - i)
                code <<= 1
                k += counts[i]
            }
            maxCode[16] = 0x10000
            maxCode[17] = Int.max
            for (i, l) in lengths.enumerated() where l != 0 {
                let len = Int(l)
                let c = nextCode[len] - firstCode[len] + firstSymbol[len]
                size[c] = l
                value[c] = UInt16(i)
                if len <= Self.fastBits {
                    var j = Self.reverse(nextCode[len], len)
                    while j < 1 << Self.fastBits {
                        fast[j] = UInt16(len << 9 | i)
                        j += 1 << len
                    }
                }
                nextCode[len] += 1
            }
        }

        static func reverse(_ v: Int, _ bits: Int) -> Int {
            var v = v, r = 0
            for _ in 0..<bits { r = (r << 1) | (v & 1); v >>= 1 }
            return r
        }
    }

    struct Decoder {
        let input: UnsafeBufferPointer<UInt8>
        let output: UnsafeMutablePointer<UInt8>
        let capacity: Int
        var pos = 0
        var out = 0
        var bits: UInt64 = 0
        var count = 0
        /// Zero bytes fed past the end of the input.
        var padding = 0

        init(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutablePointer<UInt8>, capacity: Int) {
            self.input = input
            self.output = output
            self.capacity = capacity
        }

        @inline(__always)
        mutating func refill() {
            while count <= 56 {
                if pos < input.count {
                    bits |= UInt64(input[pos]) << UInt64(count)
                    pos += 1
                } else {
                    padding += 1
                }
                count += 8
            }
        }

        @inline(__always)
        mutating func take(_ n: Int) throws(Failure) -> Int {
            if count < n { refill() }
            let v = Int(bits & ((1 << UInt64(n)) - 1))
            bits >>= UInt64(n)
            count -= n
            if padding * 8 > count { throw Failure(message: "the compressed data ends early") }
            return v
        }

        @inline(__always)
        mutating func decode(_ h: Huffman) throws(Failure) -> Int {
            if count < 16 { refill() }
            let entry = Int(h.fast[Int(bits & UInt64((1 << Huffman.fastBits) - 1))])
            if entry != 0 {
                let len = entry >> 9
                bits >>= UInt64(len)
                count -= len
                return entry & 511
            }
            let k = Huffman.reverse(Int(bits & 0xFFFF), 16)
            var s = Huffman.fastBits + 1
            while k >= h.maxCode[s] { s += 1 }
            guard s < 16 else { throw Failure(message: "a Huffman code is not valid") }
            let b = (k >> (16 - s)) - h.firstCode[s] + h.firstSymbol[s]
            guard b >= 0, b < 288, Int(h.size[b]) == s else { throw Failure(message: "a Huffman code is not valid") }
            bits >>= UInt64(s)
            count -= s
            return Int(h.value[b])
        }

        mutating func run(isCancelled: () -> Bool) throws(Failure) {
            var nextPoll = 4 << 20
            var final = false
            repeat {
                final = try take(1) == 1
                switch try take(2) {
                case 0: try stored()
                case 1: try huffman(Self.fixedLengths, Self.fixedDistances)
                case 2:
                    let (lengths, distances) = try dynamicCodes()
                    try huffman(lengths, distances)
                default: throw Failure(message: "a block has the reserved type 3")
                }
                if padding * 8 > count { throw Failure(message: "the compressed data ends early") }
                if out >= nextPoll {
                    if isCancelled() { throw Failure(message: "interrupted") }
                    nextPoll = out + (4 << 20)
                }
            } while !final
            guard out == capacity else {
                throw Failure(message: "inflates to \(out) bytes, not the \(capacity) its directory states")
            }
        }

        mutating func stored() throws(Failure) {
            _ = try take(count & 7)
            let len = try take(16), nlen = try take(16)
            guard len == ~nlen & 0xFFFF else { throw Failure(message: "a stored block's length is damaged") }
            guard out + len <= capacity else { throw Failure(message: "inflates to more than the size its directory states") }
            // Whole bytes still in the bit buffer come first, then straight from the input.
            var left = len
            while left > 0 && count >= 8 {
                output[out] = UInt8(truncatingIfNeeded: bits)
                bits >>= 8
                count -= 8
                out += 1
                left -= 1
            }
            if padding > 0 && count < padding * 8 { throw Failure(message: "the compressed data ends early") }
            guard pos + left <= input.count else { throw Failure(message: "the compressed data ends early") }
            if left > 0 {
                (output + out).update(from: input.baseAddress! + pos, count: left)
                pos += left
                out += left
            }
        }

        static let fixedLengths: Huffman = {
            var l = [UInt8](repeating: 8, count: 288)
            for i in 144..<256 { l[i] = 9 }
            for i in 256..<280 { l[i] = 7 }
            return try! Huffman(l[...])
        }()
        static let fixedDistances: Huffman = try! Huffman([UInt8](repeating: 5, count: 30)[...])

        mutating func dynamicCodes() throws(Failure) -> (Huffman, Huffman) {
            let hlit = try take(5) + 257, hdist = try take(5) + 1, hclen = try take(4) + 4
            guard hlit <= 286, hdist <= 30 else { throw Failure(message: "a block declares too many codes") }
            var codeLengths = [UInt8](repeating: 0, count: 19)
            for i in 0..<hclen { codeLengths[Inflate.codeLengthOrder[i]] = UInt8(try take(3)) }
            let lengthCode = try Huffman(codeLengths[...])
            var lengths = [UInt8](repeating: 0, count: hlit + hdist)
            var i = 0
            while i < hlit + hdist {
                let sym = try decode(lengthCode)
                switch sym {
                case 0..<16:
                    lengths[i] = UInt8(sym)
                    i += 1
                case 16:
                    guard i > 0 else { throw Failure(message: "a code length repeats nothing") }
                    let n = try take(2) + 3
                    guard i + n <= lengths.count else { throw Failure(message: "code lengths overrun their table") }
                    for k in 0..<n { lengths[i + k] = lengths[i - 1] }
                    i += n
                case 17, 18:
                    let n = sym == 17 ? try take(3) + 3 : try take(7) + 11
                    guard i + n <= lengths.count else { throw Failure(message: "code lengths overrun their table") }
                    i += n
                default:
                    throw Failure(message: "a code length code is not valid")
                }
            }
            guard lengths[256] != 0 else { throw Failure(message: "a block has no end-of-block code") }
            return (try Huffman(lengths[0..<hlit]), try Huffman(lengths[hlit...]))
        }

        mutating func huffman(_ lengths: Huffman, _ distances: Huffman) throws(Failure) {
            let cap = capacity
            while true {
                let sym = try decode(lengths)
                if sym < 256 {
                    guard out < cap else { throw Failure(message: "inflates to more than the size its directory states") }
                    output[out] = UInt8(sym)
                    out += 1
                    continue
                }
                if sym == 256 { return }
                let l = sym - 257
                guard l < 29 else { throw Failure(message: "a length code is not valid") }
                let length = Inflate.lengthBase[l] + (Inflate.lengthExtra[l] > 0 ? try take(Inflate.lengthExtra[l]) : 0)
                let d = try decode(distances)
                guard d < 30 else { throw Failure(message: "a distance code is not valid") }
                let distance = Inflate.distanceBase[d] + (Inflate.distanceExtra[d] > 0 ? try take(Inflate.distanceExtra[d]) : 0)
                guard distance <= out else { throw Failure(message: "a distance reaches before the start") }
                guard out + length <= cap else { throw Failure(message: "inflates to more than the size its directory states") }
                if padding * 8 > count { throw Failure(message: "the compressed data ends early") }
                var from = output + (out - distance)
                var to = output + out
                if distance >= 8 {
                    // Eight bytes at a time: source and target are at least eight apart, so each
                    // word is read before it is overwritten.
                    var left = length
                    while left >= 8 {
                        UnsafeMutableRawPointer(to).storeBytes(of: UnsafeRawPointer(from).loadUnaligned(as: UInt64.self), as: UInt64.self)
                        from += 8; to += 8; left -= 8
                    }
                    while left > 0 { to.pointee = from.pointee; from += 1; to += 1; left -= 1 }
                } else {
                    for _ in 0..<length { to.pointee = from.pointee; from += 1; to += 1 }
                }
                out += length
            }
        }
    }
}

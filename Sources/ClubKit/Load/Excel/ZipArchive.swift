/// The entries of a zip file (PKWARE APPNOTE 6.3), read from its central directory: what an
/// .xlsx workbook is made of.
///
/// Only what a workbook needs is read: stored and deflated entries of a single-disk archive.
/// Zip64, encryption and other methods are refused with a message that says so. Every offset
/// and size is checked against the file before it is used, an entry is inflated to at most the
/// size the directory states (and never beyond `limit`), and its CRC-32 is checked.
///
///     let zip = try ZipArchive(bytes)
///     let xml = try zip.extract("xl/workbook.xml", limit: 1 << 30)
///
/// SAFETY: `bytes` must stay valid while the archive is used (the caller's `InputFile.read`);
/// every read goes through `u16`/`u32`, which check the offset against `bytes.count`.
struct ZipArchive {
    struct Failure: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    struct Entry {
        var name: String
        var method: Int
        var flags: Int
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var headerOffset: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    /// Entries by their name in lower case (part names in a package are case-insensitive).
    private(set) var entries: [String: Entry] = [:]

    /// Directories of more entries than this are refused: a workbook has a few dozen.
    static let maxEntries = 100_000
    /// Deflate cannot compress better than about 1032 to 1; an entry that claims more is lying.
    static let maxRatio = 1100

    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) {
        self.bytes = bytes
        let n = bytes.count
        guard n >= 22, u32(0) == 0x0403_4B50 || u32(0) == 0x0605_4B50 else {
            throw Failure(n >= 8 && u32(0) == 0xE011_CFD0 && u32(4) == 0xE11A_B1A1
                          ? "is an Excel 97–2003 (.xls) workbook; save it as .xlsx or CSV"
                          : "is not an .xlsx workbook (not a zip file)")
        }
        // The end-of-directory record is in the last 22 + 65,535 bytes (its comment may be that long).
        var eocd = -1
        var at = n - 22
        while at >= max(0, n - 22 - 65_535) {
            if u32(at) == 0x0605_4B50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw Failure("is damaged or cut short: the zip directory at its end is missing") }
        let count = Int(u16(eocd + 10)), size = Int(u32(eocd + 12)), offset = Int(u32(eocd + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF || (eocd >= 20 && u32(eocd - 20) == 0x0706_4B50) {
            throw Failure("is a zip64 archive, which clubsh does not read; save it again from a spreadsheet program")
        }
        guard u16(eocd + 4) == 0, u16(eocd + 6) == 0 else { throw Failure("is split over several disks, which clubsh does not read") }
        guard count <= Self.maxEntries else { throw Failure("holds \(count) zip entries; a workbook has far fewer") }
        guard offset + size <= eocd else { throw Failure("is damaged: its zip directory points outside the file") }
        var p = offset
        for _ in 0..<count {
            guard p + 46 <= offset + size, u32(p) == 0x0201_4B50 else { throw Failure("is damaged: an entry of its zip directory is broken") }
            let nameLength = Int(u16(p + 28)), extra = Int(u16(p + 30)), comment = Int(u16(p + 32))
            guard p + 46 + nameLength <= n else { throw Failure("is damaged: an entry of its zip directory is broken") }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLength)]), as: UTF8.self)
            let entry = Entry(name: name, method: Int(u16(p + 10)), flags: Int(u16(p + 8)), crc: u32(p + 16),
                              compressedSize: Int(u32(p + 20)), size: Int(u32(p + 24)), headerOffset: Int(u32(p + 42)))
            var key = name.lowercased()
            if key.hasPrefix("/") { key.removeFirst() }
            if entries[key] == nil { entries[key] = entry }
            p += 46 + nameLength + extra + comment
        }
    }

    /// Whether the archive holds `name` (any case).
    func contains(_ name: String) -> Bool { entries[name.lowercased()] != nil }

    /// The bytes of entry `name`; at most `limit` bytes are made, however large it claims to be.
    func extract(_ name: String, limit: Int, isCancelled: () -> Bool = { false }) throws(Failure) -> [UInt8] {
        guard let e = entries[name.lowercased()] else { throw Failure("has no part \(name)") }
        guard e.flags & 1 == 0 else { throw Failure("is encrypted (password protected); save it without a password") }
        let h = e.headerOffset
        guard h + 30 <= bytes.count, u32(h) == 0x0403_4B50 else { throw Failure("is damaged: the zip entry \(e.name) is not where its directory says") }
        let start = h + 30 + Int(u16(h + 26)) + Int(u16(h + 28))
        guard start <= bytes.count, e.compressedSize <= bytes.count - start else {
            throw Failure("is damaged or cut short: the zip entry \(e.name) runs past the end of the file")
        }
        guard e.size <= limit else {
            throw Failure("has a part \(e.name) of \(MemoryLimit.text(e.size)) uncompressed, more than the memory limit of \(MemoryLimit.text(limit)) allows")
        }
        let data = UnsafeBufferPointer(rebasing: bytes[start..<(start + e.compressedSize)])
        let out: [UInt8]
        switch e.method {
        case 0:
            guard e.size == e.compressedSize else { throw Failure("is damaged: the stored zip entry \(e.name) has two sizes") }
            out = Array(data)
        case 8:
            guard e.size <= e.compressedSize * Self.maxRatio + (1 << 16) else {
                throw Failure("has a part \(e.name) that claims to inflate \(e.compressedSize) bytes to \(e.size), more than deflate can; it is not a real workbook")
            }
            do {
                out = try Inflate.decode(data, expected: e.size, isCancelled: isCancelled)
            } catch {
                if error.message == "interrupted" { throw Failure("interrupted") }
                throw Failure("is damaged: the zip entry \(e.name) does not inflate (\(error.message))")
            }
        default:
            throw Failure("uses zip compression method \(e.method) for \(e.name); clubsh reads stored and deflated entries")
        }
        guard CRC32.checksum(out) == e.crc else { throw Failure("is damaged: the zip entry \(e.name) fails its CRC-32 check") }
        return out
    }

    @inline(__always)
    private func u16(_ i: Int) -> UInt16 {
        guard i >= 0, i + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
    }

    @inline(__always)
    private func u32(_ i: Int) -> UInt32 {
        guard i >= 0, i + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }
}

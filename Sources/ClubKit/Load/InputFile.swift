import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a file to load, read the way its kind allows.
///
/// - A regular file is memory-mapped (`MappedFile`): no copy, pages handed back as parsing goes.
///   If it changes while being read, the load fails with a clear message instead of a signal or
///   a mixture of old and new data.
/// - A FIFO, a pipe (`/dev/fd/3`), a character device, files that report no size (`/proc`) and
///   files that cannot be mapped (`/sys`) are read as a stream to their end. Opening never blocks: a FIFO without a writer is
///   waited for, and Ctrl-C (`isCancelled`) stops the wait.
/// - A folder, a block device, a missing file and a binary file (a NUL byte among the first
///   64 KiB) are errors that say so.
///
///     let input = try InputFile(path: "orders.csv", isCancelled: { false })
///     let result = try input.read { bytes, release in try parse(bytes, release) }
final class InputFile {
    private enum Source {
        case mapped(MappedFile)
        case stream([UInt8])
    }

    let path: String
    private let source: Source

    /// How many leading bytes are checked for a NUL byte.
    static let binaryProbe = 64 << 10

    /// Opens `path`; `binary` skips the check for a NUL byte (a zip file such as an .xlsx
    /// workbook is binary by nature).
    init(path: String, isCancelled: () -> Bool, binary: Bool = false) throws(LoadError) {
        self.path = path
        guard !path.utf8.contains(0) else { throw LoadError(.unreadable, path: path, message: "a file name cannot contain a NUL character") }
        // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ENOENT { throw LoadError(.noSuchFile, path: path, message: "no such file") }
            throw LoadError(.unreadable, path: path, message: errno == EISDIR ? "is a directory, not a file" : "cannot be read (\(Self.reason()))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let message = "cannot be read (\(Self.reason()))"
            close(fd)
            throw LoadError(.unreadable, path: path, message: message)
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            close(fd)
            throw LoadError(.unreadable, path: path, message: "is a directory, not a file")
        case S_IFBLK:
            close(fd)
            throw LoadError(.unreadable, path: path, message: "is a block device, not a file")
        case S_IFREG where info.st_size > 0:
            do {
                source = .mapped(try MappedFile(fd: fd, info: info))
            } catch {
                // A file the system will not map (a /sys attribute reports 4096 bytes and
                // refuses mmap) is read as a stream.
                defer { close(fd) }
                source = .stream(try Self.readStream(fd, path: path, isCancelled: isCancelled, binary: binary))
            }
        default:
            // FIFOs, pipes, sockets, character devices, and pseudo-files that report size 0.
            defer { close(fd) }
            source = .stream(try Self.readStream(fd, path: path, isCancelled: isCancelled, binary: binary))
        }
        if !binary, let offset = firstNUL() {
            // SAFETY: the mapped bytes live as long as `file` (kept alive across the call); an
            // array's bytes are read only inside the closure.
            switch source {
            case .mapped(let file): throw withExtendedLifetime(file) { Self.binaryFile(path, file.bytes, nulAt: offset) }
            case .stream(let bytes): throw bytes.withUnsafeBufferPointer { Self.binaryFile(path, $0, nulAt: offset) }
            }
        }
    }

    /// Runs `body` on the file's bytes (and, for a mapped file, a function that hands pages
    /// back). A mapped file that changed meanwhile makes the read fail, whatever `body` returned
    /// or threw.
    func read<T>(_ body: (UnsafeBufferPointer<UInt8>, ((Range<Int>) -> Void)?) throws -> T) throws -> T {
        // SAFETY: `body` may use the bytes only until it returns: an array's bytes are valid
        // inside `withUnsafeBufferPointer`, a mapping's while `file` is kept alive (it unmaps in
        // deinit). The loader copies out what it keeps.
        switch source {
        case .stream(let bytes):
            return try bytes.withUnsafeBufferPointer { try body($0, nil) }
        case .mapped(let file):
            let result: Result<T, Error>
            do {
                result = .success(try withExtendedLifetime(file) { try body(file.bytes, { file.release($0) }) })
            } catch {
                result = .failure(error)
            }
            if file.changed {
                throw LoadError(.unreadable, path: path, message: "changed while it was being loaded; load it again when it is complete")
            }
            return try result.get()
        }
    }

    /// The error for a NUL byte at `offset` of `bytes` (within the first `binaryProbe`), placed
    /// at its line and column (in characters): the file is binary, or UTF-16 text such as
    /// Excel's "Unicode text", which starts with a byte-order mark.
    private static func binaryFile(_ path: String, _ bytes: UnsafeBufferPointer<UInt8>, nulAt offset: Int) -> LoadError {
        if bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) {
            return LoadError(.unreadable, path: path, line: 1, column: 1, message: "is UTF-16 text; save it as UTF-8 CSV")
        }
        var line = 1, column = 1
        for i in 0..<min(offset, bytes.count) {
            if bytes[i] == 10 { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return LoadError(.unreadable, path: path, line: line, column: column, message: "a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")
    }

    /// The offset of a NUL byte among the first `binaryProbe` bytes, if any.
    private func firstNUL() -> Int? {
        // SAFETY: memchr reads at most p.count bytes from p's start; the bytes stay valid for the
        // call, as in `read`.
        func probe(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
            guard let base = p.baseAddress else { return nil }
            return memchr(base, 0, min(p.count, Self.binaryProbe)).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
        }
        switch source {
        case .mapped(let file): return withExtendedLifetime(file) { probe(file.bytes) }
        case .stream(let bytes): return bytes.withUnsafeBufferPointer(probe)
        }
    }

    /// Everything `fd` gives until its end. Waits with poll(2) so that Ctrl-C is noticed within
    /// a tenth of a second; a FIFO that has never had a writer reports nothing until one comes.
    private static func readStream(_ fd: Int32, path: String, isCancelled: () -> Bool, binary: Bool) throws(LoadError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if isCancelled() { throw LoadError.interrupted(path) }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 100)
            if polled < 0 && errno != EINTR { throw LoadError(.unreadable, path: path, message: "cannot be read (\(reason()))") }
            guard polled > 0 else { continue }
            // SAFETY: read(2) writes at most chunk.count bytes into the array's own storage.
            let n = chunk.withUnsafeMutableBytes { readDescriptor(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                let before = bytes.count
                bytes += chunk[0..<n]
                // A binary stream (/dev/zero, /dev/urandom) is refused as soon as it shows.
                if !binary, before < binaryProbe, let nul = chunk[0..<min(n, binaryProbe - before)].firstIndex(of: 0) {
                    // SAFETY: the bytes are read only inside the closure.
                    throw bytes.withUnsafeBufferPointer { binaryFile(path, $0, nulAt: before + nul) }
                }
            } else if n == 0 {
                return bytes
            } else if errno != EAGAIN && errno != EINTR {
                throw LoadError(.unreadable, path: path, message: "cannot be read (\(reason()))")
            }
        }
    }

    private static func reason() -> String { String(cString: strerror(errno)).lowercasedFirst }
}

/// read(2) under a name the method `read` does not hide.
private func readDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }

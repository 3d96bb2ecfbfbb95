import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory, so the loader reads its bytes without copying
/// them.
///
/// Pages the loader has finished with can be handed back (`release`): they stop counting towards
/// the process's resident memory, and are read again from the page cache if touched again.
///
/// A file can change while it is read. If it shrinks, reading past its new end would raise
/// SIGBUS; `MappingGuard` turns that into zeros and a mark, and `changed` reports it, as it
/// reports a file whose size or modification time moved since it was opened. The loader then
/// says so instead of returning a mixture of old and new bytes.
///
/// SAFETY: `bytes` points into the mapping, which stays until `deinit` unmaps it: a reader must
/// keep the `MappedFile` alive while it uses them (`InputFile` does, with `withExtendedLifetime`).
/// The mapping is read-only and `length` bytes long; `release` only advises the kernel about
/// whole pages inside it, which are read again from the file if touched.
final class MappedFile {
    let bytes: UnsafeBufferPointer<UInt8>
    private let base: UnsafeMutableRawPointer?
    private let length: Int
    private let fd: Int32
    private let opened: stat
    private let slot: Int?

    /// Maps the regular file open on `fd`, whose status is `info`. On success it owns `fd`
    /// (and closes it); on failure the caller still does.
    init(fd: Int32, info: stat) throws(MappedFileError) {
        self.fd = fd
        opened = info
        length = Int(info.st_size)
        guard length > 0 else {
            base = nil
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            slot = nil
            return
        }
        let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else { throw MappedFileError(message: String(cString: strerror(errno))) }
        base = mapped
        bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: length)
        slot = MappingGuard.register(mapped, length: length)
        _ = madvise(mapped, length, Int32(MADV_SEQUENTIAL))
    }

    deinit {
        if let slot { _ = MappingGuard.unregister(slot) }
        if let base { munmap(base, length) }
        close(fd)
    }

    /// True when the file is no longer what was mapped: a read past its end faulted, or its
    /// size or modification time changed.
    var changed: Bool {
        if let slot, MappingGuard.faulted(slot) { return true }
        var now = stat()
        guard fstat(fd, &now) == 0 else { return true }
        #if os(Linux)
        return now.st_size != opened.st_size || now.st_mtim.tv_sec != opened.st_mtim.tv_sec || now.st_mtim.tv_nsec != opened.st_mtim.tv_nsec
        #else
        return now.st_size != opened.st_size || now.st_mtimespec.tv_sec != opened.st_mtimespec.tv_sec || now.st_mtimespec.tv_nsec != opened.st_mtimespec.tv_nsec
        #endif
    }

    /// Hands back the whole pages inside `range` (byte offsets).
    func release(_ range: Range<Int>) {
        guard let base else { return }
        let page = Self.pageSize
        let from = (range.lowerBound + page - 1) / page * page
        let to = min(range.upperBound, length) / page * page
        guard to > from else { return }
        _ = madvise(base + from, to - from, Int32(MADV_DONTNEED))
    }

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
}

struct MappedFileError: Error {
    var message: String
}

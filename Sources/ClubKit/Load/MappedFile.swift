import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file mapped read-only into memory, so the loader reads its bytes without copying them.
///
/// Pages the loader has finished with can be handed back (`release`): they stop counting towards
/// the process's resident memory, and are read again from the page cache if touched again.
final class MappedFile {
    let bytes: UnsafeBufferPointer<UInt8>
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    /// Maps the file at `path`; throws a message fit for a `LoadError`.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MappedFileError(message: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MappedFileError(message: String(cString: strerror(errno))) }
        length = Int(info.st_size)
        guard length > 0 else {
            base = nil
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else { throw MappedFileError(message: String(cString: strerror(errno))) }
        base = mapped
        bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: length)
        _ = madvise(mapped, length, Int32(MADV_SEQUENTIAL))
    }

    deinit {
        if let base { munmap(base, length) }
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

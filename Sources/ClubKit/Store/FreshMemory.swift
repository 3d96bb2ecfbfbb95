#if canImport(Glibc)
import Glibc
#endif

/// Large arrays made for a command's work (a customer number per transaction, the per-customer
/// summary, gathered columns) are fresh memory: the kernel clears each 4 KiB page the first time
/// it is written, and on a virtual machine that costs more than the work that fills it (about
/// 0.6 ms per MB measured on the 2-core machine the benchmarks run on, a fifth to a half of a
/// first analytics command's CPU). Asked for 2 MiB pages where the system gives them on request
/// (Linux's transparent huge pages in `madvise` mode), the same memory costs a tenth of that.
/// Nothing else changes: the pages hold what they would have held.
enum FreshMemory {
    /// Below this many bytes an array is left to the allocator as it is.
    static let adviseBytes = 4 << 20

    /// An array of `count` copies of `value`, its pages asked for as huge ones when it is large.
    static func array<T: BitwiseCopyable>(repeating value: T, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, made in
            adviseHuge(UnsafeMutableRawBufferPointer(buffer))
            buffer.initialize(repeating: value)
            made = count
        }
    }

    /// An array of `count` elements that `fill` writes (all of them), its pages asked for as huge
    /// ones when it is large.
    static func array<T: BitwiseCopyable>(count: Int, _ fill: (UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, made in
            adviseHuge(UnsafeMutableRawBufferPointer(buffer))
            fill(buffer)
            made = count
        }
    }

    /// Asks for huge pages for the whole 2 MiB blocks inside `buffer`, when it is large. A
    /// request refused (another system, or huge pages off) changes nothing.
    static func adviseHuge(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard let base = buffer.baseAddress, buffer.count >= adviseBytes else { return }
        let huge = UInt(2 << 20)
        let start = (UInt(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~(huge - 1)
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(p, Int(end - start), MADV_HUGEPAGE)
        #endif
    }
}

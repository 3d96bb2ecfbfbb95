/// Large arrays made for a command's work (a customer number per transaction, the per-customer
/// summary, gathered columns), filled once as they are made: no pass clears them first and no
/// append grows them. Fresh memory is dear on the 2-core virtual machine the benchmarks run on
/// (the kernel clears each new page, a third or more of a first analytics command's CPU), so
/// the shared build makes as little of it as it can. Asking for 2 MiB pages (`madvise`,
/// `MADV_HUGEPAGE`) was measured there too and cost more: the clearing is the same, and finding
/// whole huge pages adds compaction (`cohort monthly counts` 0.37–0.54 CPU s against 0.24–0.35
/// without, 2026-12-03).
enum FreshMemory {
    /// An array of `count` elements that `fill` initializes, every one of them.
    static func array<T: BitwiseCopyable>(count: Int, _ fill: (UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, made in
            fill(buffer)
            made = count
        }
    }
}

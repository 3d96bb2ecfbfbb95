import Foundation

/// Work spread over all cores: the loader's chunks, an aggregation's independent aggregates.
enum Parallel {
    /// `body(0) … body(count - 1)` on all cores, the results in order. `body` must only read
    /// what it shares with the other calls.
    static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        if count == 1 { return [body(0)] }
        // SAFETY: `results` has `count` slots, all initialized to nil before the work starts;
        // call k writes only slot k (k < count), so no two threads touch one slot, and the slots
        // are read only after concurrentPerform has returned, which waits for every call. The
        // slots are deinitialized, then freed, after that read. (A Swift array here would be one
        // value written from several threads at once.)
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            // The results hold references (columns' buffers): release them before the memory.
            _ = results.deinitialize()
            results.deallocate()
        }
        return withoutActuallyEscaping(body) { body in
            let box = Unchecked((body, results))
            DispatchQueue.concurrentPerform(iterations: count) { k in
                box.value.1[k] = box.value.0(k)
            }
            return results.map { $0! }
        }
    }
}

/// A value handed to concurrent work whose safety the caller guarantees (each task writes only
/// its own slot; the buffers read are not mutated).
///
/// `@unchecked Sendable` because it carries what the compiler cannot prove safe to share: the
/// closure and result buffer of `Parallel.map`, and the loader's column base addresses. Each
/// use says why its sharing is safe in a `SAFETY:` comment; wrap nothing else in it.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

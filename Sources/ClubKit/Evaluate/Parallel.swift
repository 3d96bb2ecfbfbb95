import Foundation

/// Work spread over all cores: the loader's chunks, an aggregation's independent aggregates.
enum Parallel {
    /// `body(0) … body(count - 1)` on all cores, the results in order. `body` must only read
    /// what it shares with the other calls.
    static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        if count == 1 { return [body(0)] }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        // The results are copied out below; the slots still own them until deinitialised.
        defer { _ = results.deinitialize(); results.deallocate() }
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
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

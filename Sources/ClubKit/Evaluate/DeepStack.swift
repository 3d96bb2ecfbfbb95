#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on a thread with a large stack and waits for it.
///
/// Parsing, checking and evaluating recurse once per nesting level of an expression (up to
/// `Parser.maxDepth`), and a debug build spends kilobytes of stack per level — more than the
/// 8 MiB of a main thread (or the 512 KiB of a secondary one) holds. The stack is reserved,
/// not committed: pages are touched only as deep as the work goes, and returned when the
/// thread ends.
enum DeepStack {
    static let size = 1 << 30

    static func run<T>(_ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        var outcome: Result<T, Diagnostic>?
        withoutActuallyEscaping(body) { body in
            let work = Unchecked({ outcome = Result { () throws(Diagnostic) -> T in try body() } })
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, size)
            let context = Unmanaged.passRetained(Box(work.value)).toOpaque()
            #if canImport(Darwin)
            var thread: pthread_t?
            #else
            var thread = pthread_t()
            #endif
            let started = pthread_create(&thread, &attributes, { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.work()
                return nil
            }, context)
            guard started == 0 else {
                // No thread to be had: run here, as deep as this stack allows.
                Unmanaged<Box>.fromOpaque(context).release()
                work.value()
                return
            }
            #if canImport(Darwin)
            pthread_join(thread!, nil)
            #else
            pthread_join(thread, nil)
            #endif
        }
        return try outcome!.get()
    }

    /// The work handed to the new thread.
    private final class Box {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on a thread with a large stack and waits for it.
///
/// Parsing, checking and evaluating recurse once per nesting level of an expression (up to
/// `Parser.maxDepth`), and a debug build spends kilobytes of stack per level — more than the
/// 8 MiB of a main thread (or the 512 KiB of a secondary one) holds. One worker thread with a
/// 1 GiB stack serves every session; the stack is reserved, not committed, so only the pages a
/// deep statement touches are used. Work that is already on the worker runs in place.
enum DeepStack {
    static let size = 1 << 30

    static func run<T>(_ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        var outcome: Result<T, Diagnostic>?
        // `perform` returns only after the job has run, so `body` does not outlive this call.
        withoutActuallyEscaping(body) { body in
            let job = { outcome = Result { () throws(Diagnostic) -> T in try body() } }
            if !worker.perform(job) { job() }  // no thread to be had: as deep as this stack allows
        }
        return try outcome!.get()
    }

    /// The one deep thread, started on first use and kept for the life of the process.
    private static let worker = Worker()

    /// A thread that runs one job at a time for whoever asks, each caller waiting for its own.
    ///
    /// `@unchecked Sendable`: it is shared by every caller's thread and its own, and its state is
    /// guarded by the pthread mutex below (as SAFETY says), which the compiler cannot see.
    private final class Worker: @unchecked Sendable {
        // SAFETY: `job` and `finished` are read and written only with `lock` held; `gate` lets
        // one caller at a time hand over a job; `thread` and `started` are written once, in
        // `init`, before any job. The mutexes and condition live at fixed addresses for the
        // life of the process.
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let gate = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private var job: (() -> Void)?
        private var finished = false
        private var thread: pthread_t?
        private var started = false

        init() {
            pthread_mutex_init(lock, nil)
            pthread_mutex_init(gate, nil)
            pthread_cond_init(changed, nil)
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, DeepStack.size)
            // SAFETY: the retain passed to the thread keeps the worker alive for the thread's whole
            // life (it never ends); if the thread is not created, the retain is given back.
            let context = Unmanaged.passRetained(self).toOpaque()
            #if canImport(Darwin)
            var t: pthread_t?
            #else
            var t = pthread_t()
            #endif
            started = pthread_create(&t, &attributes, { raw in
                Unmanaged<Worker>.fromOpaque(raw!).takeRetainedValue().loop()
            }, context) == 0
            if started { thread = t } else { Unmanaged<Worker>.fromOpaque(context).release() }
        }

        /// Runs `job` on the worker and waits; false when there is no worker to run it.
        func perform(_ job: @escaping () -> Void) -> Bool {
            guard started else { return false }
            if let thread, pthread_equal(thread, pthread_self()) != 0 {
                job()
                return true
            }
            pthread_mutex_lock(gate)
            defer { pthread_mutex_unlock(gate) }
            pthread_mutex_lock(lock)
            self.job = job
            finished = false
            pthread_cond_broadcast(changed)
            while !finished { pthread_cond_wait(changed, lock) }
            self.job = nil
            pthread_mutex_unlock(lock)
            return true
        }

        private func loop() -> Never {
            pthread_mutex_lock(lock)
            while true {
                while job == nil || finished { pthread_cond_wait(changed, lock) }
                let work = job!
                pthread_mutex_unlock(lock)
                work()
                pthread_mutex_lock(lock)
                finished = true
                pthread_cond_broadcast(changed)
            }
        }
    }
}

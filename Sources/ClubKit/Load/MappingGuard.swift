import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the SIGBUS of a mapped file that shrank while being read into an error.
///
/// Reading a page of a mapping past the file's current end raises SIGBUS, which would end
/// clubsh. While a file is registered here, a SIGBUS inside its mapping instead maps zeroed
/// memory over the rest of the mapping (so the reading instruction, run again, reads zeros) and
/// marks the file as changed; the loader then reports the change instead of the zeros. A SIGBUS
/// anywhere else goes to the handler that was there before (the Swift runtime's backtracer,
/// or the default), as if this guard did not exist.
///
/// SAFETY: the handler reads only `slots` (fixed, never freed) and `previous` (written once,
/// before the handler is installed), and calls only mmap(2) and sigaction(2). A slot is filled
/// (start, then end) before the mapped bytes are handed to any reader, and emptied (end first)
/// after every reader is done.
enum MappingGuard {
    private static let capacity = 64
    /// Per slot: start address, end address, and a flag the handler sets.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 3)
        p.initialize(repeating: 0, count: capacity * 3)
        return p
    }()
    nonisolated(unsafe) fileprivate static var previous = sigaction()
    nonisolated(unsafe) private static var installed = false
    private static let lock = NSLock()
    /// How many faults the guard has taken (for tests). Written only by the handler (see SAFETY
    /// above); a test reads it after the load that faulted has finished.
    nonisolated(unsafe) static var faults = 0

    /// Watches `length` bytes at `base`; nil when every slot is taken (the file is then read
    /// unguarded, as before).
    static func register(_ base: UnsafeRawPointer, length: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        install()
        guard installed else { return nil }
        for k in 0..<capacity where slots[3 * k + 1] == 0 {
            slots[3 * k + 2] = 0
            slots[3 * k] = Int(bitPattern: base)
            slots[3 * k + 1] = Int(bitPattern: base) + length
            return k
        }
        return nil
    }

    /// Stops watching slot `k`; true when a read inside it faulted (the file shrank).
    static func unregister(_ k: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        slots[3 * k + 1] = 0
        slots[3 * k] = 0
        return slots[3 * k + 2] != 0
    }

    /// Whether a read inside slot `k` has faulted so far.
    static func faulted(_ k: Int) -> Bool { slots[3 * k + 2] != 0 }

    private static func install() {
        guard !installed else { return }
        _ = slots
        _ = MappedFile.pageSize
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_sigaction = busHandler
        #else
        action.__sigaction_u.__sa_sigaction = busHandler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_SIGINFO | SA_ONSTACK
        installed = sigaction(SIGBUS, &action, &previous) == 0
    }

    /// The slot whose range holds `address`, replacing the rest of its mapping with zeros.
    fileprivate static func absorb(_ address: Int) -> Bool {
        for k in 0..<capacity {
            let start = slots[3 * k], end = slots[3 * k + 1]
            guard end > start, address >= start, address < end else { continue }
            let page = address & ~(MappedFile.pageSize - 1)
            let zeros = mmap(UnsafeMutableRawPointer(bitPattern: page), end - page, PROT_READ,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
            guard zeros != MAP_FAILED else { return false }
            slots[3 * k + 2] = 1
            faults += 1
            return true
        }
        return false
    }
}

private let busHandler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = { _, info, _ in
    #if os(Linux)
    let address = info.map { Int(bitPattern: $0.pointee._sifields._sigfault.si_addr) } ?? 0
    #else
    let address = info.map { Int(bitPattern: $0.pointee.si_addr) } ?? 0
    #endif
    if address != 0 && MappingGuard.absorb(address) { return }
    // Not a guarded file: the fault happens again on return and goes to the previous handler.
    sigaction(SIGBUS, &MappingGuard.previous, nil)
}

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one writer behind every file clubsh writes: `export`, `chart … to`, `.output`, `.save`
/// and `clubsh run --update`. The files are the user's, so:
///
/// - a regular file is replaced atomically: the new text goes into a temporary file in the same
///   folder, which is flushed to disk (`fsync`) and renamed over the target. The target keeps its
///   mode, and its owner where the system permits;
/// - a new file gets mode 0666 less the umask (0644 with the usual umask 022), as a file made
///   with `>` in a shell does; missing parent folders are created;
/// - a symbolic link is followed: its target is written, the link stays a link;
/// - a FIFO, a character device (`/dev/null`, a terminal) and `/dev/stdout`, `/dev/stderr`,
///   `/dev/fd/N` are written in place, as a stream, without a temporary file; opening a FIFO
///   waits for a reader;
/// - a folder, a block device, a socket, or anything under `/proc` or `/sys` is refused;
/// - an existing regular file is refused unless the writer was told to replace (`overwrite`) or
///   extend (`append`) it.
///
///     let file = try OutputFile.open("out/vip.csv", existing: .refuse)
///     try file.write("id\n1\n")
///     try file.commit()
public final class OutputFile {
    /// What to do when the target is an existing regular file.
    public enum Existing: Sendable {
        /// Refuse with `OutputFileError.exists`.
        case refuse
        /// Replace it, atomically.
        case overwrite
        /// Add to its end, in place.
        case append
    }

    /// The path as the user gave it.
    public let path: String
    /// True when the target is written in place as a stream (FIFO, character device, `/dev/stdout`).
    let isStream: Bool
    private var fd: Int32
    /// The temporary file renamed over `target` on commit; nil for streams and appends.
    private var temporary: String?
    /// The resolved target (symbolic links followed).
    private let target: String
    /// Whether the target existed when opened (a new file is put in place without replacing one
    /// that appeared meanwhile).
    private let replaces: Bool

    private init(path: String, isStream: Bool, fd: Int32, temporary: String?, target: String, replaces: Bool) {
        self.path = path
        self.isStream = isStream
        self.fd = fd
        self.temporary = temporary
        self.target = target
        self.replaces = replaces
    }

    deinit { discard() }

    // MARK: - Opening

    /// Opens `path` for writing by the rules above. `isCancelled` is polled while waiting for a
    /// FIFO's reader; `beforeStandardStream` runs before a standard stream is written, so that
    /// buffered output comes first.
    public static func open(_ path: String, existing: Existing, isCancelled: () -> Bool = { false },
                            beforeStandardStream: () -> Void = {}) throws(OutputFileError) -> OutputFile {
        switch try resolve(path) {
        case .descriptor(let n):
            beforeStandardStream()
            let copy = fcntl(n, F_DUPFD_CLOEXEC, 3)
            guard copy >= 0 else { throw OutputFileError("cannot write \(path): \(n) is not an open file descriptor") }
            let flags = fcntl(copy, F_GETFL)
            guard flags >= 0, flags & O_ACCMODE != O_RDONLY else {
                closeDescriptor(copy)
                throw OutputFileError("cannot write \(path): it is open for reading only")
            }
            return OutputFile(path: path, isStream: true, fd: copy, temporary: nil, target: path, replaces: false)
        case .stream(let target):
            let fd = try openStream(target, path: path, isCancelled: isCancelled)
            return OutputFile(path: path, isStream: true, fd: fd, temporary: nil, target: target, replaces: false)
        case .regular(let target, let info):
            switch existing {
            case .refuse:
                throw OutputFileError.exists(path)
            case .append:
                let fd = openDescriptor(target, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY)
                guard fd >= 0 else { throw OutputFileError.system("cannot write \(path)") }
                return OutputFile(path: path, isStream: false, fd: fd, temporary: nil, target: target, replaces: true)
            case .overwrite:
                let (fd, temporary) = try makeTemporary(besides: target, path: path, like: info)
                return OutputFile(path: path, isStream: false, fd: fd, temporary: temporary, target: target, replaces: true)
            }
        case .missing(let target):
            try makeParentFolders(of: target, path: path)
            if existing == .append {
                let fd = openDescriptor(target, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0o666)
                guard fd >= 0 else {
                    if errno == EEXIST { throw OutputFileError.exists(path) }
                    throw OutputFileError.system("cannot write \(path)")
                }
                return OutputFile(path: path, isStream: false, fd: fd, temporary: nil, target: target, replaces: false)
            }
            let (fd, temporary) = try makeTemporary(besides: target, path: path, like: nil)
            return OutputFile(path: path, isStream: false, fd: fd, temporary: temporary, target: target, replaces: existing == .overwrite)
        }
    }

    /// Writes `text` to `path` in one go: open, write, commit.
    public static func write(_ text: String, to path: String, existing: Existing, isCancelled: () -> Bool = { false },
                             beforeStandardStream: () -> Void = {}) throws(OutputFileError) {
        let file = try open(path, existing: existing, isCancelled: isCancelled, beforeStandardStream: beforeStandardStream)
        try file.write(text)
        try file.commit()
    }

    /// Whether `path` would be written in place as a stream (a FIFO, a character device, a
    /// standard stream). False for anything else, including paths that cannot be written.
    static func writesInPlace(_ path: String) -> Bool {
        // A path that cannot be resolved is not a stream: the writer reports why when it opens it.
        switch try? resolve(path) {
        case .descriptor?, .stream?: return true
        default: return false
        }
    }

    // MARK: - Writing

    /// Appends `text`.
    public func write(_ text: String) throws(OutputFileError) {
        var text = text
        // SAFETY: the bytes are written before the closure returns; nothing keeps them.
        let result: OutputFileError? = text.withUTF8 { bytes in
            do throws(OutputFileError) { try write(UnsafeRawBufferPointer(bytes)); return nil } catch { return error }
        }
        if let result { throw result }
    }

    /// Appends `bytes` (a binary file such as an .xlsx workbook).
    public func write(bytes: [UInt8]) throws(OutputFileError) {
        // SAFETY: the bytes are written before the closure returns; nothing keeps them.
        let result: OutputFileError? = bytes.withUnsafeBytes { raw in
            do throws(OutputFileError) { try write(raw); return nil } catch { return error }
        }
        if let result { throw result }
    }

    /// Writes `bytes` to `path` in one go: open, write, commit.
    public static func write(bytes: [UInt8], to path: String, existing: Existing, isCancelled: () -> Bool = { false },
                             beforeStandardStream: () -> Void = {}) throws(OutputFileError) {
        let file = try open(path, existing: existing, isCancelled: isCancelled, beforeStandardStream: beforeStandardStream)
        try file.write(bytes: bytes)
        try file.commit()
    }

    /// Appends `bytes`. A reader that went away is an error, not a SIGPIPE.
    private func write(_ bytes: UnsafeRawBufferPointer) throws(OutputFileError) {
        guard fd >= 0 else { throw OutputFileError("cannot write \(path): it was already closed") }
        // SAFETY: each write(2) reads bytes offset ..< bytes.count of the caller's buffer, which
        // is valid for this call; offset only grows by what write(2) reports it took.
        var offset = 0
        while offset < bytes.count {
            let n = Self.writeWithoutSIGPIPE(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw OutputFileError("cannot write \(path): the reading end was closed") }
                throw OutputFileError.system("cannot write \(path)")
            }
            offset += n
        }
    }

    /// Finishes the file: a stream or an appended file is closed; a replaced or new file is
    /// flushed to disk and put in place. On failure nothing is left behind.
    public func commit() throws(OutputFileError) {
        guard fd >= 0 else { return }
        defer { discard() }
        if isStream {
            let fd = self.fd
            self.fd = -1
            guard closeDescriptor(fd) == 0 || errno == EINTR else { throw OutputFileError.system("cannot write \(path)") }
            return
        }
        guard fsync(fd) == 0 || errno == EINVAL else { throw OutputFileError.system("cannot write \(path)") }
        let closed = closeDescriptor(fd)
        fd = -1
        guard closed == 0 else { throw OutputFileError.system("cannot write \(path)") }
        guard let temporary else { return }
        if replaces {
            guard rename(temporary, target) == 0 else { throw OutputFileError.system("cannot write \(path)") }
        } else {
            // A new file: link() fails if a file of that name appeared meanwhile, where rename()
            // would silently replace it. Some file systems have no hard links; rename there.
            if link(temporary, target) == 0 {
                unlink(temporary)
            } else if errno == EEXIST {
                throw OutputFileError.exists(path)
            } else {
                guard access(target, F_OK) != 0, rename(temporary, target) == 0 else { throw OutputFileError.system("cannot write \(path)") }
            }
        }
        self.temporary = nil
        Self.syncFolder(of: target)
    }

    /// Abandons the file: a temporary file is removed, the target is left as it was.
    public func discard() {
        if fd >= 0 { closeDescriptor(fd); fd = -1 }
        if let temporary { unlink(temporary); self.temporary = nil }
    }

    /// write(2) with SIGPIPE blocked, so a closed reader gives EPIPE instead of ending clubsh; a
    /// SIGPIPE this write raised is taken off the pending set before unblocking.
    private static func writeWithoutSIGPIPE(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        var block = sigset_t(), old = sigset_t(), pending = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &block, &old)
        sigpending(&pending)
        let wasPending = sigismember(&pending, SIGPIPE) == 1
        let n = writeDescriptor(fd, bytes, count)
        let saved = errno
        // The kernel raises SIGPIPE also when the reader leaves part way through a write that
        // still returns a count.
        if !wasPending, sigpending(&pending) == 0, sigismember(&pending, SIGPIPE) == 1 {
            var none = timespec()
            _ = sigtimedwait(&block, nil, &none)
        }
        pthread_sigmask(SIG_SETMASK, &old, nil)
        errno = saved
        return n
    }
}

extension String {
    /// `Permission denied` → `permission denied`, to sit after a colon.
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }

    func appendingPath(_ component: String) -> String {
        isEmpty ? component : (self as NSString).appendingPathComponent(component)
    }
}

// The C calls under names that the methods `open`, `write` and `close` of `OutputFile` do not hide.
func openDescriptor(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 { open(path, flags, mode) }
@discardableResult func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
func writeDescriptor(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

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
    public let isStream: Bool
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
    public static func writesInPlace(_ path: String) -> Bool {
        switch try? resolve(path) {
        case .descriptor?, .stream?: return true
        default: return false
        }
    }

    // MARK: - Writing

    /// Appends `text`.
    public func write(_ text: String) throws(OutputFileError) {
        var text = text
        let result: OutputFileError? = text.withUTF8 { bytes in
            do throws(OutputFileError) { try write(UnsafeRawBufferPointer(bytes)); return nil } catch { return error }
        }
        if let result { throw result }
    }

    /// Appends `bytes`. A reader that went away is an error, not a SIGPIPE.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputFileError) {
        guard fd >= 0 else { throw OutputFileError("cannot write \(path): it was already closed") }
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

    // MARK: - Resolving the target

    enum Target {
        /// An open file descriptor named by `/dev/stdout`, `/dev/fd/N` and the like.
        case descriptor(Int32)
        /// A FIFO or character device, written in place.
        case stream(String)
        /// An existing regular file, with its status.
        case regular(String, stat)
        /// Nothing there yet.
        case missing(String)
    }

    /// Follows symbolic links to the file that would be written and says what it is.
    static func resolve(_ path: String) throws(OutputFileError) -> Target {
        guard !path.isEmpty else { throw OutputFileError("the file name is empty") }
        guard !path.utf8.contains(0) else { throw OutputFileError("a file name cannot contain a NUL character") }
        var target = path
        for _ in 0..<40 {
            if let n = standardDescriptor(target) { return .descriptor(n) }
            var info = stat()
            guard lstat(target, &info) == 0 else {
                if errno == ENOTDIR {
                    // Name the file that stands where a folder would have to be.
                    var folder = (target as NSString).deletingLastPathComponent
                    while !folder.isEmpty, folder != "/", lstat(folder, &info) != 0 { folder = (folder as NSString).deletingLastPathComponent }
                    throw OutputFileError("cannot write \(path): \(folder) is not a folder")
                }
                guard errno == ENOENT else { throw OutputFileError.system("cannot write \(path)") }
                try refuseSystemFolders(target, path: path)
                return .missing(target)
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                guard let link = readLink(target) else { throw OutputFileError.system("cannot write \(path)") }
                target = link.hasPrefix("/") ? link : (target as NSString).deletingLastPathComponent.appendingPath(link)
                continue
            case S_IFREG:
                try refuseSystemFolders(target, path: path)
                return .regular(target, info)
            case S_IFDIR:
                throw OutputFileError("cannot write \(path): it is a folder")
            case S_IFIFO, S_IFCHR:
                try refuseSystemFolders(target, path: path)
                return .stream(target)
            case S_IFBLK:
                throw OutputFileError("cannot write \(path): it is a block device")
            default:
                throw OutputFileError("cannot write \(path): it is not a file, FIFO or character device")
            }
        }
        throw OutputFileError("cannot write \(path): too many levels of symbolic links")
    }

    /// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` name descriptors of this
    /// process, written as they are (reopening them would start a regular file over at offset 0).
    static func standardDescriptor(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                return Int32(path.dropFirst(prefix.count))
            }
            return nil
        }
    }

    /// `/proc` and `/sys` are the kernel's, not files: writing there changes the system.
    private static func refuseSystemFolders(_ target: String, path: String) throws(OutputFileError) {
        var folder = (target as NSString).deletingLastPathComponent
        if folder.isEmpty { folder = "." }
        // The nearest folder that exists, with every link resolved.
        while !folder.isEmpty, folder != "/", access(folder, F_OK) != 0 { folder = (folder as NSString).deletingLastPathComponent }
        guard let resolved = realpath(folder, nil) else { return }
        defer { free(resolved) }
        let real = String(cString: resolved)
        for system in ["/proc", "/sys"] where real == system || real.hasPrefix(system + "/") {
            throw OutputFileError("cannot write \(path): it is under \(system), which belongs to the system")
        }
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func makeParentFolders(of target: String, path: String) throws(OutputFileError) {
        let folder = (target as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw OutputFileError("cannot write \(path): \(folder) is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OutputFileError("cannot write \(path): cannot make the folder \(folder)")
        }
    }

    /// A new file beside `target` (`.NAME.clubsh-XXXXXX`), with the mode and owner of `like`, or
    /// 0666 less the umask for a new file.
    private static func makeTemporary(besides target: String, path: String, like existing: stat?) throws(OutputFileError) -> (Int32, String) {
        let folder = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        var fd: Int32 = -1
        var temporary = ""
        for _ in 0..<100 {
            let suffix = String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
            temporary = (folder.isEmpty ? "" : folder + "/") + "." + name + ".clubsh-" + suffix
            // Creating with 0666 lets the umask decide a new file's mode, as the kernel does for `>`.
            fd = openDescriptor(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, existing == nil ? 0o666 : 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw OutputFileError.system("cannot write \(path)") }
        if let existing {
            if existing.st_uid != geteuid() || existing.st_gid != getegid() {
                // Only root may give a file away; a group the user belongs to may still be kept.
                if fchown(fd, existing.st_uid, existing.st_gid) != 0 { _ = fchown(fd, UInt32.max, existing.st_gid) }
            }
            _ = fchmod(fd, existing.st_mode & 0o7777)
        }
        return (fd, temporary)
    }

    /// Opens a FIFO or character device for writing without blocking: a FIFO without a reader
    /// is retried until one comes or `isCancelled` says stop.
    private static func openStream(_ target: String, path: String, isCancelled: () -> Bool) throws(OutputFileError) -> Int32 {
        while true {
            let fd = openDescriptor(target, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
            if fd >= 0 {
                let flags = fcntl(fd, F_GETFL)
                if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
                return fd
            }
            guard errno == ENXIO || errno == EINTR else { throw OutputFileError.system("cannot write \(path)") }
            if isCancelled() { throw OutputFileError.interrupted }
            usleep(50_000)
        }
    }

    private static func syncFolder(of target: String) {
        let folder = (target as NSString).deletingLastPathComponent
        let fd = openDescriptor(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        closeDescriptor(fd)
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

/// Why a file could not be written: a message for the user, naming the path.
public struct OutputFileError: Error, Equatable, Sendable {
    public var message: String
    /// The target is an existing regular file and the writer was not told to replace it.
    public var exists = false
    /// Ctrl-C while waiting for a FIFO's reader.
    public var interrupted = false

    init(_ message: String) { self.message = message }

    static func exists(_ path: String) -> OutputFileError {
        var e = OutputFileError("\(path) already exists")
        e.exists = true
        return e
    }

    static let interrupted: OutputFileError = {
        var e = OutputFileError("interrupted")
        e.interrupted = true
        return e
    }()

    /// `message: strerror(errno)`.
    static func system(_ message: String) -> OutputFileError {
        OutputFileError(message + ": " + String(cString: strerror(errno)).lowercasedFirst)
    }
}

// The C calls under names that the methods `open`, `write` and `close` do not hide.
private func openDescriptor(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 { open(path, flags, mode) }
@discardableResult private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
private func writeDescriptor(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

extension String {
    /// `Permission denied` → `permission denied`, to sit after a colon.
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }

    func appendingPath(_ component: String) -> String {
        isEmpty ? component : (self as NSString).appendingPathComponent(component)
    }
}

extension Diagnostic {
    /// A writer's failure as a diagnostic; `hint` says how to replace an existing file.
    public init(writing error: OutputFileError, at location: SourceLocation, hint: String) {
        if error.interrupted {
            self = .interrupted
        } else {
            self.init(error.message, at: location, hint: error.exists ? hint : nil)
        }
    }
}

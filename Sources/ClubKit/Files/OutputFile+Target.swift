import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a path names for writing, and opening it: symbolic links followed, the kind of
/// file found, the temporary file beside a regular one.
extension OutputFile {
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
                    var folder = FilePath.folder(of: target)
                    while !folder.isEmpty, folder != "/", lstat(folder, &info) != 0 { folder = FilePath.folder(of: folder) }
                    throw OutputFileError("cannot write \(path): \(folder) is not a folder")
                }
                guard errno == ENOENT else { throw OutputFileError.system("cannot write \(path)") }
                try refuseSystemFolders(target, path: path)
                return .missing(target)
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                guard let link = readLink(target) else { throw OutputFileError.system("cannot write \(path)") }
                target = link.hasPrefix("/") ? link : FilePath.folder(of: target).appendingPath(link)
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
    static func refuseSystemFolders(_ target: String, path: String) throws(OutputFileError) {
        var folder = FilePath.folder(of: target)
        if folder.isEmpty { folder = "." }
        // The nearest folder that exists, with every link resolved.
        while !folder.isEmpty, folder != "/", access(folder, F_OK) != 0 { folder = FilePath.folder(of: folder) }
        guard let resolved = realpath(folder, nil) else { return }
        defer { free(resolved) }
        let real = String(cString: resolved)
        for system in ["/proc", "/sys"] where real == system || real.hasPrefix(system + "/") {
            throw OutputFileError("cannot write \(path): it is under \(system), which belongs to the system")
        }
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func makeParentFolders(of target: String, path: String) throws(OutputFileError) {
        let folder = FilePath.folder(of: target)
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
    static func makeTemporary(besides target: String, path: String, like existing: stat?) throws(OutputFileError) -> (Int32, String) {
        let folder = FilePath.folder(of: target)
        let name = FilePath.lastComponent(target)
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
    static func openStream(_ target: String, path: String, isCancelled: () -> Bool) throws(OutputFileError) -> Int32 {
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

    static func syncFolder(of target: String) {
        let folder = FilePath.folder(of: target)
        let fd = openDescriptor(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        closeDescriptor(fd)
    }
}

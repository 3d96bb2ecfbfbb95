import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text of a script (`clubsh FILE`, `.read FILE`) or a notebook (`clubsh run`, `clubsh
/// check`), or why it cannot be read, in words for the user.
///
///     do { let text = try TextFile.read("tour.club") } catch { print("cannot read tour.club: \(error.reason)") }
enum TextFile {
    /// Why a file could not be read: "no such file", "is a directory", "permission denied",
    /// "is not UTF-8 text", or the system's words for another failure.
    struct Failure: Error {
        var reason: String
    }

    static func read(_ path: String) throws(Failure) -> String {
        // open(2) rather than Foundation's readers, whose errors do not say which of these it was.
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(reason: errno == ENOENT ? "no such file" : systemReason()) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw Failure(reason: "is a directory") }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw Failure(reason: (error as NSError).localizedFailureReason ?? systemReason())
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(reason: "is not UTF-8 text") }
        return text
    }

    private static func systemReason() -> String {
        let words = String(cString: strerror(errno))
        return words.prefix(1).lowercased() + words.dropFirst()
    }
}

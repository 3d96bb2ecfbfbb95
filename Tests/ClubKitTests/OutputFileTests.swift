import Foundation
import XCTest
@testable import ClubKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one writer behind every output file: what it does to each kind of target.
final class OutputFileTests: XCTestCase {
    private var folder: URL!
    private let fm = FileManager.default

    override func setUpWithError() throws {
        folder = fm.temporaryDirectory.appendingPathComponent("clubsh-outputfile-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? fm.removeItem(at: folder)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func mode(_ path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        return info.st_mode & 0o7777
    }

    private func kind(_ path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0)
        return info.st_mode & S_IFMT
    }

    private func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The names in the folder: no temporary file may be left behind.
    private func names() throws -> [String] { try fm.contentsOfDirectory(atPath: folder.path).sorted() }

    func testANewFileGetsTheUmaskModeAndMissingFoldersAreMade() throws {
        let target = path("out/deep/new.csv")
        try OutputFile.write("a\n1\n", to: target, existing: .refuse)
        XCTAssertEqual(try contents(target), "a\n1\n")
        let mask = umask(0o022)
        umask(mask)
        XCTAssertEqual(mode(target), 0o666 & ~mask)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: path("out/deep")), ["new.csv"])
    }

    func testAnExistingFileIsRefusedUnlessOverwriteOrAppend() throws {
        let target = path("kept.csv")
        try "mine\n".write(toFile: target, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try OutputFile.write("theirs\n", to: target, existing: .refuse)) {
            let e = $0 as? OutputFileError
            XCTAssertEqual(e?.message, "\(target) already exists")
            XCTAssertEqual(e?.kind, .exists)
        }
        XCTAssertEqual(try contents(target), "mine\n")
        try OutputFile.write("more\n", to: target, existing: .append)
        XCTAssertEqual(try contents(target), "mine\nmore\n")
        try OutputFile.write("new\n", to: target, existing: .overwrite)
        XCTAssertEqual(try contents(target), "new\n")
        XCTAssertEqual(try names(), ["kept.csv"])
    }

    func testOverwriteKeepsTheModeAndReplacesAtomically() throws {
        let target = path("secret.csv")
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(target, 0o600), 0)
        var before = stat()
        stat(target, &before)
        let file = try OutputFile.open(target, existing: .overwrite)
        try file.write("new\n")
        // Until commit the target is untouched and the text sits in a temporary file beside it.
        XCTAssertEqual(try contents(target), "old\n")
        XCTAssertEqual(try names().count, 2)
        try file.commit()
        XCTAssertEqual(try contents(target), "new\n")
        XCTAssertEqual(mode(target), 0o600)
        var after = stat()
        stat(target, &after)
        XCTAssertNotEqual(before.st_ino, after.st_ino, "replaced by rename, not rewritten in place")
        XCTAssertEqual(after.st_uid, before.st_uid)
        XCTAssertEqual(try names(), ["secret.csv"])
    }

    func testADiscardedFileLeavesTheTargetAndNoTemporaryFile() throws {
        let target = path("t.csv")
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        let file = try OutputFile.open(target, existing: .overwrite)
        try file.write("half")
        file.discard()
        XCTAssertEqual(try contents(target), "old\n")
        XCTAssertEqual(try names(), ["t.csv"])
    }

    func testASymbolicLinkIsFollowedAndStaysALink() throws {
        let target = path("real.csv")
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(target, 0o640), 0)
        try fm.createSymbolicLink(atPath: path("link.csv"), withDestinationPath: "real.csv")
        try fm.createSymbolicLink(atPath: path("chain.csv"), withDestinationPath: path("link.csv"))
        XCTAssertThrowsError(try OutputFile.write("x\n", to: path("chain.csv"), existing: .refuse))
        try OutputFile.write("new\n", to: path("chain.csv"), existing: .overwrite)
        XCTAssertEqual(kind(path("link.csv")), S_IFLNK)
        XCTAssertEqual(kind(path("chain.csv")), S_IFLNK)
        XCTAssertEqual(try contents(target), "new\n")
        XCTAssertEqual(mode(target), 0o640)
        // A link to nothing yet: the file it names is made.
        try fm.createSymbolicLink(atPath: path("dangling.csv"), withDestinationPath: "later.csv")
        try OutputFile.write("made\n", to: path("dangling.csv"), existing: .refuse)
        XCTAssertEqual(kind(path("dangling.csv")), S_IFLNK)
        XCTAssertEqual(try contents(path("later.csv")), "made\n")
        XCTAssertEqual(try names(), ["chain.csv", "dangling.csv", "later.csv", "link.csv", "real.csv"])
    }

    func testALinkLoopIsAnError() throws {
        try fm.createSymbolicLink(atPath: path("a"), withDestinationPath: "b")
        try fm.createSymbolicLink(atPath: path("b"), withDestinationPath: "a")
        XCTAssertThrowsError(try OutputFile.write("x", to: path("a"), existing: .overwrite)) {
            XCTAssertEqual(($0 as? OutputFileError)?.message, "cannot write \(self.path("a")): too many levels of symbolic links")
        }
    }

    func testAFIFOIsWrittenInPlaceAsAStream() throws {
        let fifo = path("pipe")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let reader = FIFOReader(fifo)
        // A FIFO needs no `overwrite`: nothing is replaced.
        try OutputFile.write("a,b\n1,2\n", to: fifo, existing: .refuse)
        XCTAssertEqual(reader.wait(), "a,b\n1,2\n")
        XCTAssertEqual(kind(fifo), S_IFIFO)
        XCTAssertTrue(OutputFile.writesInPlace(fifo))
        XCTAssertEqual(try names(), ["pipe"])
    }

    func testAFIFOWithoutAReaderWaitsUntilCancelled() throws {
        let fifo = path("pipe")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        var polls = 0
        let started = Date()
        XCTAssertThrowsError(try OutputFile.write("x\n", to: fifo, existing: .refuse, isCancelled: { polls += 1; return polls > 3 })) {
            XCTAssertEqual(($0 as? OutputFileError)?.kind, .interrupted)
        }
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.1, "it waited for a reader")
        XCTAssertEqual(kind(fifo), S_IFIFO)
    }

    func testAReaderThatLeavesIsAnErrorNotASignal() throws {
        let fifo = path("pipe")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let reader = FIFOReader(fifo, bytes: 10)
        let text = String(repeating: "0123456789\n", count: 100_000)
        XCTAssertThrowsError(try OutputFile.write(text, to: fifo, existing: .refuse)) {
            XCTAssertEqual(($0 as? OutputFileError)?.message, "cannot write \(fifo): the reading end was closed")
        }
        XCTAssertEqual(reader.wait(), "0123456789")
    }

    func testDevNullIsWrittenInPlace() throws {
        try OutputFile.write("discarded\n", to: "/dev/null", existing: .refuse)
        XCTAssertEqual(kind("/dev/null"), S_IFCHR, "/dev/null is still the device")
        // Through a link, too.
        try fm.createSymbolicLink(atPath: path("null.csv"), withDestinationPath: "/dev/null")
        try OutputFile.write("discarded\n", to: path("null.csv"), existing: .refuse)
        XCTAssertEqual(kind(path("null.csv")), S_IFLNK)
        XCTAssertEqual(kind("/dev/null"), S_IFCHR)
        XCTAssertTrue(OutputFile.writesInPlace("/dev/stdout"))
    }

    func testStandardDescriptorsAreWrittenAsTheyAre() throws {
        let pipe = Pipe()
        let n = pipe.fileHandleForWriting.fileDescriptor
        try OutputFile.write("through the descriptor\n", to: "/dev/fd/\(n)", existing: .refuse)
        try pipe.fileHandleForWriting.close()
        XCTAssertEqual(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "through the descriptor\n")
    }

    func testFoldersDevicesAndSystemFilesAreRefused() throws {
        let cases: [(String, String)] = [
            (folder.path, "cannot write \(folder.path): it is a folder"),
            ("/proc/self/comm", "cannot write /proc/self/comm: it is under /proc, which belongs to the system"),
            ("/proc/clubsh-new.csv", "cannot write /proc/clubsh-new.csv: it is under /proc, which belongs to the system"),
            ("/sys/kernel/clubsh.csv", "cannot write /sys/kernel/clubsh.csv: it is under /sys, which belongs to the system"),
            ("", "the file name is empty"),
        ]
        for (target, message) in cases {
            XCTAssertThrowsError(try OutputFile.write("x\n", to: target, existing: .overwrite), target) {
                XCTAssertEqual(($0 as? OutputFileError)?.message, message)
            }
        }
        // A link into /proc is refused too.
        try fm.createSymbolicLink(atPath: path("status"), withDestinationPath: "/proc/self/status")
        XCTAssertThrowsError(try OutputFile.write("x", to: path("status"), existing: .overwrite))
        XCTAssertEqual(kind(path("status")), S_IFLNK)
    }

    func testAFileWhereAFolderShouldBeIsAnError() throws {
        try "x".write(toFile: path("file"), atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try OutputFile.write("x", to: path("file/out.csv"), existing: .refuse)) {
            XCTAssertEqual(($0 as? OutputFileError)?.message, "cannot write \(self.path("file/out.csv")): \(self.path("file")) is not a folder")
        }
    }
}

/// Reads a FIFO on another thread: everything, or the first `bytes` bytes and then closes it.
final class FIFOReader: @unchecked Sendable {
    private var text = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ path: String, bytes: Int? = nil) {
        Thread.detachNewThread { [self] in
            let fd = open(path, O_RDONLY)
            var data: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while fd >= 0 {
                let want = bytes.map { min(chunk.count, $0 - data.count) } ?? chunk.count
                if want == 0 { break }
                let n = read(fd, &chunk, want)
                if n <= 0 { break }
                data += chunk[0..<n]
            }
            if fd >= 0 { close(fd) }
            text = String(decoding: data, as: UTF8.self)
            done.signal()
        }
    }

    /// What was read, once the reader has finished.
    func wait() -> String {
        done.wait()
        return text
    }
}

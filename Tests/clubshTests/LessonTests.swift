import Foundation
import XCTest

/// Every lesson in Samples/lessons checks: its stored outputs are what clubsh prints today. A
/// change that alters an output must update the lesson on purpose (`clubsh run --update`).
final class LessonTests: XCTestCase {
    func testEveryLessonChecks() throws {
        let dir = ClubshRun.repositoryRoot.appendingPathComponent("Samples/lessons")
        let lessons = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertGreaterThanOrEqual(lessons.count, 8)
        for lesson in lessons {
            // In a fresh folder with a copy of Samples: the lesson reads Samples/data as it would.
            let r = try ClubshRun.run(["check", "Samples/lessons/\(lesson)"])
            XCTAssertEqual(r.status, 0, "\(lesson) no longer matches:\n\(r.stdout)\(r.stderr)")
        }
    }
}

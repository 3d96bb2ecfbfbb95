import Foundation
import XCTest
@testable import ClubKit

/// Where clubsh does without a Foundation call on the way of a short run (its first use costs
/// more than a small model fit), its own version gives Foundation's text: `ValueFormat.printf`
/// for `String(format:)` and `Session.definitionText` for `trimmingCharacters(in: .whitespaces)`.
final class FoundationEquivalentsTests: XCTestCase {
    /// Worked out from the doubles' exact binary values: 2.675 is stored as
    /// 2.67499999999999982236431605997495353221893310546875, so two places give 2.67; 0.125 is
    /// exact and halfway, and C rounds a tie to even, 0.12; r and alpha of the CDNOW fit as the
    /// working shows them.
    func testPrintfByHand() {
        XCTAssertEqual(ValueFormat.printf("%.2f", 2.675), "2.67")
        XCTAssertEqual(ValueFormat.printf("%.2f", 0.125), "0.12")
        XCTAssertEqual(ValueFormat.printf("%.2f", 0.375), "0.38")
        XCTAssertEqual(ValueFormat.printf("%.4f", 0.24259), "0.2426")
        XCTAssertEqual(ValueFormat.printf("%.4f", 4.41359), "4.4136")
        XCTAssertEqual(ValueFormat.printf("%.2f", -9582.429), "-9582.43")
        XCTAssertEqual(ValueFormat.printf("%.4f", -0.0), "-0.0000")
        XCTAssertEqual(ValueFormat.printf("%.4f", 1e20), "100000000000000000000.0000")
    }

    /// Foundation's `String(format:)` is the reference: the same text for ordinary, extreme and
    /// special values, and for results longer than the first buffer (`%.4f` of 1e300 has 306
    /// characters: the double nearest 10^300 has 301 digits, then `.0000`).
    func testPrintfIsStringFormat() {
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 2.675, 0.125, 1e-300, 5e-324, 1e300, -1e300,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
                                0.24259, 4.41359, 0.79298, 2.42589, -9582.42906, 123456789.123456789, 0.00005, 0.00015]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let magnitude = Double.random(in: -12...12, using: &generator)
            values.append((Bool.random(using: &generator) ? 1 : -1) * pow(10, magnitude) * Double.random(in: 1..<10, using: &generator))
        }
        for format in ["%.4f", "%.2f", "%.1f", "%.0f"] {
            for x in values {
                XCTAssertEqual(ValueFormat.printf(format, x), String(format: format, x), "\(format) of \(x)")
            }
        }
        XCTAssertEqual(ValueFormat.printf("%.4f", 1e300).count, 306)
    }

    /// Foundation's `.whitespaces` is tab, Unicode's space separators (Zs) and U+200B; line
    /// breaks are not in it. Checked over every Unicode scalar.
    func testSpaceOrTabIsFoundationsWhitespaces() {
        for value in UInt32(0)...0x10FFFF {
            guard let c = Unicode.Scalar(value) else { continue }
            XCTAssertEqual(Session.isSpaceOrTab(c), CharacterSet.whitespaces.contains(c), "U+\(String(value, radix: 16))")
        }
    }

    /// The text after the first `=`, trimmed as Foundation trims it: by hand, then against
    /// `trimmingCharacters(in: .whitespaces)` on the same inputs.
    func testDefinitionText() {
        XCTAssertEqual(Session.definitionText("r = bgnbd"), "bgnbd")
        XCTAssertEqual(Session.definitionText("big = orders | where amount > 100  "), "orders | where amount > 100")
        XCTAssertEqual(Session.definitionText("x =\t\u{3000}a == b\u{A0}"), "a == b")
        XCTAssertEqual(Session.definitionText("x = \n  y"), "\n  y", "a line break is not trimmed")
        XCTAssertEqual(Session.definitionText("x = \u{200B}y\u{200B}"), "y", "the zero-width space is")
        XCTAssertEqual(Session.definitionText("x =   "), "")
        XCTAssertEqual(Session.definitionText("no equals "), "no equals ", "without `=` the text is kept whole")
        let inputs = ["r = bgnbd", "x=y", "x =", "x = \u{301}é ", "a = b = c", "s = \u{2003}\u{200A}seg\u{202F}\u{205F}",
                      "s = \u{200B}zero width\u{200B}", "p = \r\n q \r\n", "q = 'سلام' ", "t =\u{1680}\u{180E}x\u{85}"]
        for text in inputs {
            let eq = text.firstIndex(of: "=")!
            XCTAssertEqual(Session.definitionText(text), text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces), text)
        }
    }
}

/// How the modes people read (table, markdown, line) show a column of numbers. CSV, TSV and
/// JSON ignore it and keep every digit.
///
/// The analytics commands store shares and rates as percentages (0–100: `retention` 65.4067…
/// for 65.4%), so a hint changes only how they read, never what they are: `where share > 5`
/// compares the stored number.
enum DisplayHint: Equatable, Sendable {
    /// As `ValueFormat.display` has it.
    case plain
    /// A share in percent (0–100): one decimal and `%` (`42.3%`).
    case percent
    /// A rate that is not a share of anything (NPS, −100 to 100): one decimal (`-18.5`).
    case oneDecimal

    /// `x` as this hint shows it; nil for `plain`, and for infinities (shown as usual).
    func text(_ x: Double) -> String? {
        guard self != .plain, x.isFinite else { return nil }
        // Rounded as `round(x, 1)` and the working's rates round, halves away from zero:
        // printf alone would round an exact half (-1191.25, a sum of money) to even.
        var s = String(format: "%.1f", ScalarFunctions.round(x, 1))
        if s == "-0.0" { s = "0.0" }
        return self == .percent ? s + "%" : s
    }
}

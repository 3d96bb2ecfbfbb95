/// What a statement produces. The engine never prints; the shell decides how to show these.
public enum Output: Sendable {
    /// A result table (shown in the current mode).
    case table(Table)
    /// What a result is over and as of when, shown above it in table mode.
    case caption(String)
    /// A chart of a table, drawn by the shell at its width (`Chart.text`).
    case chart(Chart)
    /// A single value (a scalar expression).
    case value(Value)
    /// Information for the user (goes to stderr outside the REPL).
    case message(String)
    /// Text for the reader to copy, printed as it is (the SQL of `explain sql`).
    case text(String)
    /// Something the user should know about a result, such as rows where division by zero gave null.
    case warning(String)
    /// A dot command for the shell to carry out.
    case dotCommand(name: String, arguments: String)
}

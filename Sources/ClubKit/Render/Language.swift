/// The language clubsh writes text for people in, where it has more than one (`.lang`): the
/// playbooks of `types` today. Names of columns, types and commands stay as they are, so a
/// script works the same in either.
public enum Language: String, CaseIterable, Sendable {
    case english = "en"
    case persian = "fa"
}

import ClubKit

/// `.help`: where to start, then every topic by group; `.help TOPIC` for one.
enum Help {
    static let start = """
    Start with the tour (clubsh Samples/tour.club), or load a file:
      load "Samples/data/orders.csv"
      orders | agg revenue = sum(amount) by channel
    `.help TOPIC` explains one statement, step, command or function, with an example.
    """ + "\n\n"

    static func text(topic: String?) -> String {
        if let topic {
            let t = topic.hasPrefix(".") ? String(topic.dropFirst()) : topic
            if topic.hasPrefix("."), let c = DotCommands.all.first(where: { $0.name == t }) { return "\(c.usage)\n  \(c.help)\n  example: \(c.example)\n" }
            if let h = HelpTopics.topic(t) { return h.text }
            if let c = DotCommands.all.first(where: { $0.name == t }) { return "\(c.usage)\n  \(c.help)\n  example: \(c.example)\n" }
            let names = HelpTopics.all.map(\.name) + DotCommands.all.map { "." + $0.name }
            return "no help for \(topic)" + (Suggest.closest(to: topic, among: names).map { "; did you mean \($0)?" } ?? "") + " (`.help` lists the topics)\n"
        }
        func block(_ title: String, _ rows: [(String, String)]) -> String {
            let w = min(rows.map { $0.0.count }.max() ?? 0, 48)
            return title + ":\n" + rows.map { "  " + $0.0.padding(toLength: max(w, $0.0.count), withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n\n"
        }
        var out = start
        for group in HelpTopic.Group.allCases {
            out += block(group.rawValue, HelpTopics.all.filter { $0.group == group }.map { ($0.usage, $0.meaning) })
        }
        out += block("commands", DotCommands.all.map { ($0.usage, $0.help) })
        return out + "Statements end at a newline or `;`; a line ending in `|` continues. `#` starts a comment.\n"
    }
}

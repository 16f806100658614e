import Foundation
import Testing
import VoxworksServer

/// One table of `VOXWORKS_` variables (`ConfigurationVariable.all`): the
/// parser reads through it, `voxworks help env` prints it, and the docs
/// cannot drift from it.
@Suite struct ConfigurationVariableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func names(in text: String) -> Set<String> {
        let pattern = try? NSRegularExpression(pattern: "VOXWORKS_[A-Z0-9_]*[A-Z0-9]")
        let range = NSRange(text.startIndex..., in: text)
        return Set(
            (pattern?.matches(in: text, range: range) ?? []).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    @Test func everyVariableNamedInTheSourcesIsInTheTable() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var named: Set<String> = []
        var read = 0
        for case let file as URL in files where file.pathExtension == "swift" {
            named.formUnion(Self.names(in: try String(contentsOf: file, encoding: .utf8)))
            read += 1
        }
        #expect(read > 50, "read only \(read) source files")
        let table = Set(ConfigurationVariable.all.map(\.name))
        #expect(named.count >= 40)
        let missing = named.subtracting(table).sorted()
        #expect(missing.isEmpty, "named in Sources but not in ConfigurationVariable.all: \(missing)")
        #expect(table.count == ConfigurationVariable.all.count, "a variable is listed twice")
    }

    @Test(arguments: ["README.md", "docs/operations.md"])
    func theDocsListEveryVariable(_ document: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
        let missing = ConfigurationVariable.all.map(\.name).filter { !Self.names(in: text).contains($0) }
        #expect(missing.isEmpty, "\(document) does not list \(missing)")
    }

    @Test func everyNumberIsCheckedAgainstItsDeclaredRange() throws {
        let numbers = ConfigurationVariable.all.filter { $0.range != nil }
        #expect(numbers.count >= 25)
        for variable in numbers {
            let range = try #require(variable.range)
            for bad in [String(range.upperBound + 1), String(range.lowerBound - 1), "12abc"] {
                do {
                    _ = try ServerConfiguration.fromEnvironment([variable.name: bad])
                    Issue.record("\(variable.name)=\(bad) was accepted")
                } catch {
                    #expect("\(error)".hasPrefix("\(variable.name)=\(bad) is not valid"), "\(error)")
                }
            }
            // Both ends are accepted (the cool-down pair has an order of its own).
            if variable.name != "VOXWORKS_CIRCUIT_MAX_COOLDOWN_SECONDS" {
                _ = try ServerConfiguration.fromEnvironment([variable.name: String(range.lowerBound)])
            }
            _ = try ServerConfiguration.fromEnvironment([variable.name: String(range.upperBound)])
        }
    }
}

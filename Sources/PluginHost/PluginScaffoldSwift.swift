import Foundation

extension PluginScaffold {
    /// The Swift skeleton: one file, Foundation only, built with plain `swiftc -O main.swift`. The
    /// plugin's own code first, then the shared protocol part (``swiftHelper``).
    static func swiftPlugin(name: String) -> String {
        #"""
        // \#(name) — an Exhibit analyzer plugin (protocol 1), one file, Foundation only.
        // Build: swiftc -O main.swift -o \#(name)      Test: exhibit plugin test .
        // Protocol: JSON lines on stdin/stdout (see Exhibit's docs/plugins.md); diagnostics go to stderr.
        import Foundation

        let pluginID = "\#(name)"
        let version = "0.1.0"  // keep equal to "version" in plugin.json

        /// Called once per file the manifest accepts: hands each finding to `emit` as it is read.
        /// Throw PluginFailure to declare that the file cannot be read at all (one error row, no findings).
        func analyze(_ request: AnalyzeRequest, emit: (Finding) -> Void) throws {
            guard let path = request.content?.path else { throw PluginFailure(code: "no-content", message: "no bytes were given") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PluginFailure(code: "unreadable", message: "cannot read \(path)")
            }
            var properties: [String: JSONValue] = ["bytes": .int(Int64(data.count)),
                                                   "lines": .int(Int64(data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }))]
            if let text = String(data: data, encoding: .utf8) {
                properties["first_line"] = .string(String(text.prefix { $0 != "\n" }.prefix(200)))
            } else {
                emit(.warning(Warning(code: "not-utf8", message: "not UTF-8 text; counted lines only")))
            }
            emit(.artifact(Artifact(type: "\#(name).text-stats", properties: properties, location: Location(offset: 0))))
        }

        exhibitPluginMain(pluginID: pluginID, version: version, analyze: analyze)


        """# + swiftHelper + "\n"
    }
}

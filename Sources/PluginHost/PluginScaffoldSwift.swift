import Foundation

extension PluginScaffold {
    /// The Swift skeleton: one file, Foundation only, built with plain `swiftc -O main.swift`.
    static func swiftPlugin(name: String) -> String {
        #"""
        // \#(name) — an Exhibit analyzer plugin (protocol 1), one file, Foundation only.
        // Build: swiftc -O main.swift -o \#(name)      Test: exhibit plugin test .
        // Protocol: JSON lines on stdin/stdout (see Exhibit's docs/plugins.md); diagnostics go to stderr.
        import Foundation

        let pluginID = "\#(name)"
        let version = "0.1.0"  // keep equal to "version" in plugin.json

        /// Writes one protocol line (stdout is the protocol channel: nothing else may go there).
        func send(_ object: [String: Any]) {
            guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
            data.append(10)
            FileHandle.standardOutput.write(data)
        }

        /// Called once per file the manifest accepts: returns findings as (kind, data) pairs.
        /// Throw to declare that the file cannot be read at all (one error row, no findings).
        func analyze(_ request: [String: Any]) throws -> [(String, [String: Any])] {
            guard let content = request["content"] as? [String: Any], let path = content["path"] as? String else {
                throw PluginFailure(code: "no-content", message: "no bytes were given")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PluginFailure(code: "unreadable", message: "cannot read \(path)")
            }
            var findings: [(String, [String: Any])] = []
            var properties: [String: Any] = ["bytes": data.count, "lines": data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }]
            if let text = String(data: data, encoding: .utf8) {
                properties["first_line"] = String(text.prefix { $0 != "\n" }.prefix(200))
            } else {
                findings.append(("warning", ["code": "not-utf8", "message": "not UTF-8 text; counted lines only"]))
            }
            findings.append(("artifact", ["type": "\#(name).text-stats", "properties": properties, "location": ["offset": 0]]))
            return findings
        }

        struct PluginFailure: Error { var code: String; var message: String }

        guard let helloLine = readLine(), let hello = try? JSONSerialization.jsonObject(with: Data(helloLine.utf8)) as? [String: Any],
              hello["type"] as? String == "hello", hello["protocol"] as? Int == 1 else {
            FileHandle.standardError.write(Data("\(pluginID): unexpected handshake\n".utf8))
            exit(2)
        }
        send(["type": "hello", "protocol": 1, "plugin": pluginID, "version": version])
        while let line = readLine() {
            guard let msg = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if msg["type"] as? String == "shutdown" { break }
            guard msg["type"] as? String == "analyze", let id = msg["request"] as? Int else { continue }
            do {
                for (kind, data) in try analyze(msg) { send(["type": "finding", "request": id, "kind": kind, "data": data]) }
                send(["type": "end", "request": id])
            } catch let e as PluginFailure {
                send(["type": "end", "request": id, "error": ["code": e.code, "message": e.message]])
            } catch {
                send(["type": "end", "request": id, "error": ["code": "plugin-exception", "message": "\(error)"]])
            }
        }

        """#
    }
}

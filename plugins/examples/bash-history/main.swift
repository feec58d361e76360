// bash-history — an Exhibit analyzer plugin (protocol 1) in Swift: one file, Foundation only.
// Build: swiftc -O main.swift -o bash-history        Test: exhibit plugin test .
//
// Bash writes `#<seconds since the epoch>` before each command when HISTTIMEFORMAT is set; those
// seconds are UTC. Every command becomes a `shell.command` artifact with its line number and, when
// a timestamp precedes it, the named time `executed` (basis utc). Commands without a timestamp
// are kept without a time.
import Foundation

let pluginID = "bash-history"
let version = "1.0.0"

func send(_ object: [String: Any]) {
    guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
    data.append(10)
    FileHandle.standardOutput.write(data)
}

struct PluginFailure: Error { var code: String; var message: String }

func analyze(_ request: [String: Any]) throws -> [(String, [String: Any])] {
    guard let content = request["content"] as? [String: Any], let path = content["path"] as? String,
          let data = FileManager.default.contents(atPath: path) else {
        throw PluginFailure(code: "unreadable", message: "no readable bytes")
    }
    // Work on bytes (a history can be huge or binary garbage); decode one line at a time, keeping
    // invalid UTF-8 visible as U+FFFD. Lines over 64 KiB are cut (and the cut is recorded).
    let bytes = [UInt8](data)
    var findings: [(String, [String: Any])] = []
    var pending: (seconds: Int64, raw: String)?
    var lineNumber = 0
    var start = 0
    while start <= bytes.count {
        let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
        defer { start = end + 1 }
        lineNumber += 1
        let raw = bytes[start..<min(end, start + 65_536)]
        let line = String(decoding: raw, as: UTF8.self)
        if line.hasPrefix("#"), let secs = Int64(line.dropFirst()), secs >= 0, secs < 32_503_680_000 {
            pending = (secs, line)
            continue
        }
        guard raw.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 && $0 != 0 }) else { pending = nil; continue }
        var properties: [String: Any] = ["command": line, "shell": "bash", "line": lineNumber]
        if end - start > 65_536 { properties["truncated_from_bytes"] = end - start }
        var artifact: [String: Any] = [
            "type": "shell.command", "properties": properties,
            "location": ["offset": start, "record": "line \(lineNumber)"],
        ]
        if let p = pending {
            artifact["times"] = ["executed": ["unix_s": p.seconds, "raw": p.raw, "precision": "second"]]
        }
        pending = nil
        findings.append(("artifact", artifact))
    }
    if findings.isEmpty && !data.isEmpty {
        findings.append(("warning", ["code": "no-commands", "message": "no command lines found"]))
    }
    return findings
}

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

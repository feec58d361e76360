import Foundation

/// Removes secrets from a command line before it is recorded (`ingest_runs.command_line`, the
/// audit log) or printed. A rule, not a list of today's options, so an option added later
/// (`--password`, `--password-file`, `--api-token`) is covered the day it lands:
///
/// - the value of every long option whose name contains `password`, `passphrase`, `passwd`,
///   `secret`, `token`, `credential` or `key` (`--sign-key FILE`, `--password X`,
///   `--password=X`) becomes ``placeholder``;
/// - in any argument, the password of a URL (`postgres://user:PASS@host`) and the value of a
///   `name=value` pair whose name is such a word (`Password=…;`, `?token=…&`, `AccountKey=…`)
///   become ``placeholder``.
///
/// Redacting is idempotent. docs/cli.md ("Secrets") documents the rule.
public enum CommandLineRedaction {
    /// What replaces a secret.
    public static let placeholder = "[redacted]"

    /// Words that make an option name or a `name=value` name secret.
    static let secretWords = ["password", "passphrase", "passwd", "secret", "token", "credential", "key"]

    /// `args` with every secret replaced by ``placeholder`` (see the type's rule).
    public static func redact(_ args: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(args.count)
        var redactNext: String?
        for arg in args {
            if let option = redactNext {
                redactNext = nil
                out.append(secretValue(option: option, arg))
                continue
            }
            if arg.hasPrefix("--"), arg.count > 2 {
                let body = arg.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    let name = String(body[..<eq])
                    if isSecretName(name) {
                        out.append("--" + name + "=" + secretValue(option: name, String(body[body.index(after: eq)...])))
                        continue
                    }
                } else if isSecretName(String(body)) {
                    out.append(arg)
                    redactNext = String(body)
                    continue
                }
            }
            out.append(redactEmbedded(arg))
        }
        return out
    }

    /// The recorded form of a secret option's value: ``placeholder``, except that the evidence
    /// item named before the first `=` of `--password ITEM=PASSWORD` and `--password-file
    /// ITEM=FILE` is kept (it says which item had one; the part after it is the secret or its file).
    static func secretValue(option: String, _ value: String) -> String {
        guard ["password", "password-file"].contains(option), let eq = value.firstIndex(of: "=") else { return placeholder }
        return String(value[...eq]) + placeholder
    }

    /// Whether an option or parameter name names a secret.
    public static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretWords.contains { lower.contains($0) } || ["pwd", "pass"].contains(lower)
    }

    /// URL passwords and secret `name=value` pairs inside one argument.
    static func redactEmbedded(_ arg: String) -> String {
        var text = arg
        // scheme://user:password@host → scheme://user:[redacted]@host
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            if let at = rest.firstIndex(of: "@") {
                let userinfo = rest[..<at]
                if !userinfo.contains("/"), let colon = userinfo.firstIndex(of: ":"), rest[rest.index(after: colon)..<at] != Substring(placeholder) {
                    text = String(text[..<rest.index(after: colon)]) + placeholder + String(text[at...])
                }
            }
        }
        // name=value pairs separated by ; & ? or spaces (connection strings, query strings).
        var result = ""
        var i = text.startIndex
        var segmentStart = text.startIndex
        let separators: Set<Character> = [";", "&", "?", " ", ","]
        func flush(upTo end: String.Index) {
            let segment = text[segmentStart..<end]
            if let eq = segment.firstIndex(of: "=") {
                let name = segment[..<eq].trimmingCharacters(in: .whitespaces)
                let allowed = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == " " }
                if !name.isEmpty, allowed, isSecretName(name) {
                    result += segment[...eq] + placeholder
                    return
                }
            }
            result += segment
        }
        while i < text.endIndex {
            if separators.contains(text[i]) {
                flush(upTo: i)
                result.append(text[i])
                segmentStart = text.index(after: i)
            }
            i = text.index(after: i)
        }
        flush(upTo: text.endIndex)
        return result
    }
}

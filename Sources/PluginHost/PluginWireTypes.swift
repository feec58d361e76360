import ExhibitKit
import Foundation

// The reply side of the wire: each reply line is decoded with `JSONDecoder`; a finding's `data`
// by its kind's ``WireForm`` (declared beside the payload in ExhibitKit, or in
// PluginWireKind.swift for the wire-only `event` and `warning`) into a ``WireRecord``, then
// validated into a finding (`PluginWire.item`). The record reads whatever arrives (every field
// optional, the protocol-1 aliases beside the names, a number's text kept for `raw`); the rules
// are checked when it becomes a finding, with messages naming the field.

/// One `finding` line's `data`, decoded by the form of its `kind`.
struct WireFindingData: Sendable {
    var kind: PluginWireKind
    var record: WireRecord

    /// Decodes `data` as the kind named `kind`; an unknown kind, or one plugins may not send, is
    /// an invalid line.
    init(kind name: String, from decoder: Decoder) throws {
        guard let kind = PluginWireKind(wireName: name) else {
            throw PluginWire.invalid("unknown finding kind \"\(name)\" (known: \(PluginWireKind.names.joined(separator: ", ")))")
        }
        self.kind = kind
        record = try WireRecord(form: kind.form, path: name, from: decoder)
    }
}

/// One reply line (plugin → host): `finding` lines carry `kind` and `data`, the `end` line an
/// optional `error`. A line that is not a JSON object fails to decode (`plugin-garbage`); what is
/// wrong inside a finding's `data` is kept as that line's failure, so the rest of the reply goes on.
struct PluginReplyLine: Decodable {
    var type: String?
    var request: Int?
    var kind: String?
    /// The `data` of a `finding` line with a `kind`: decoded, or why it is invalid.
    var data: Result<WireFindingData, PluginFailure>?
    /// The `error` of an `end` line (nil: none), or why it is malformed.
    var endError: Result<EndError?, PluginFailure> = .success(nil)

    struct EndError: Decodable, Equatable {
        var code: String?, message: String?
    }

    enum CodingKeys: String, CodingKey { case type, request, kind, data, error }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try? c.decodeIfPresent(String.self, forKey: .type)
        request = try? c.decodeIfPresent(Int.self, forKey: .request)
        kind = try? c.decodeIfPresent(String.self, forKey: .kind)
        switch type {
        case "finding":
            guard let kind else { data = .failure(PluginWire.invalid("a finding line has no \"kind\"")); return }
            do {
                data = .success(try WireFindingData(kind: kind, from: c.superDecoder(forKey: .data)))
            } catch let f as PluginFailure {
                data = .failure(f)
            } catch let w as WireInvalid {
                data = .failure(PluginWire.invalid(w.message))
            } catch let e as DecodingError {
                data = .failure(PluginWire.invalid(WireInvalid(e, kind: kind).message))
            }
        case "end":
            do { endError = .success(try c.decodeIfPresent(EndError.self, forKey: .error)) } catch {
                endError = .failure(PluginFailure(code: "plugin-protocol", message: "end.error must be {\"code\": …, \"message\": …}"))
            }
        default:
            break
        }
    }
}

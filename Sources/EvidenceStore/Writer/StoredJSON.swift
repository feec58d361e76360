import ExhibitKit

/// The canonical JSON of the per-message columns that hold JSON (`service_details`, `extra`).
/// It was a hand-written fast path beside `JSONEncoder` (the encoder was 5 % of a Telegram
/// database's ingest CPU); since issue 18 `canonicalText` itself is the one hand-written writer
/// (ExhibitSupport `CanonicalJSON`), so this only names the use. `StoreFastPathTests` pins it.
enum StoredJSON {
    /// The canonical JSON text of `value`.
    static func text(_ value: JSONValue) -> String { value.canonicalText }
}

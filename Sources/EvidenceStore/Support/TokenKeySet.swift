/// The set of short-token keys ``BigramBuilder`` has seen in one document: open addressing over
/// two reused arrays, cleared by bumping a generation stamp instead of touching every bucket.
///
/// Why not `Set<UInt64>`: the builder clears its set once per message, and `removeAll(keepingCapacity:)`
/// walks the whole bucket array; each insert also runs SipHash. Together that was 2.8 % of a
/// 200,000-message chat ingest (docs/BENCHMARKS.md). A message has a few dozen tokens: a
/// multiplicative hash and a generation compare are all it needs. Only membership is kept, so the
/// document is byte for byte what the `Set` gave (SearchTextTests).
struct TokenKeySet {
    private var keys: [UInt64]
    /// The generation that wrote each slot; a slot is occupied when it equals ``generation``.
    private var stamps: [UInt32]
    private var generation: UInt32 = 1
    private var count = 0
    private var shift: UInt64

    /// An empty set with room for `capacity` keys before it grows (rounded up to a power of two, doubled).
    init(capacity: Int = 64) {
        var bits: UInt64 = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        keys = Array(repeating: 0, count: 1 << Int(bits))
        stamps = Array(repeating: 0, count: 1 << Int(bits))
        shift = 64 - bits
    }

    /// Forgets every key, keeping the storage: O(1) except once every 2³² clears.
    mutating func removeAll() {
        count = 0
        generation &+= 1
        if generation == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            generation = 1
        }
    }

    /// Adds `key`; false when it was already there.
    mutating func insert(_ key: UInt64) -> Bool {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while stamps[i] == generation {
            if keys[i] == key { return false }
            i = (i + 1) & mask
        }
        stamps[i] = generation
        keys[i] = key
        count += 1
        return true
    }

    /// Doubles the table and re-adds the keys of the current generation.
    private mutating func grow() {
        let old = zip(keys, stamps).filter { $0.1 == generation }.map(\.0)
        var bigger = TokenKeySet(capacity: keys.count)
        bigger.generation = 1
        for k in old { _ = bigger.insert(k) }
        self = bigger
    }
}

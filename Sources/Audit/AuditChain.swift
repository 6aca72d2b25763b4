import Crypto

/// The hash chain that makes the audit trail tamper-evident.
///
/// A record is one line: `{"seq":N,"time":…,"event":…,<fields>,"prev":"<P>","hash":"<H>"}` where
/// `P` is the previous record's `H` (64 zeros at the start of a new chain) and `H` is the SHA-256,
/// in lowercase hex, of the line's bytes up to (not including) `,"hash":`. Changing any byte of a
/// record breaks its own hash; removing, inserting or reordering records breaks the next record's
/// `prev`. (A hash chain without a key proves integrity against edits, not against someone who
/// rewrites the whole tail: ship records off the host — the journal sink — for that.)
public struct AuditChain: Sendable, Hashable {
    /// `prev` of the first record of a new chain.
    public static let origin = String(repeating: "0", count: 64)

    /// The next record's sequence number.
    public private(set) var nextSequence: UInt64
    /// The last record's hash (`origin` before any record).
    public private(set) var lastHash: String

    /// A chain that continues after a record with this hash and sequence number (or a new one).
    public init(after last: AuditLine? = nil) {
        nextSequence = last.map { $0.sequence &+ 1 } ?? 0
        lastHash = last?.hash ?? Self.origin
    }

    /// The line (with its newline) for a record, and the chain as it will be once the line is
    /// stored. The chain itself only moves when the caller `advance`s it (after a sink took the
    /// line), so a record that could not be written leaves no gap.
    public func seal(event: String, time: String, fields: AuditObject) -> (line: [UInt8], next: AuditChain) {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(contentsOf: "{\"seq\":\(nextSequence),\"time\":".utf8)
        AuditValue.writeString(time, to: &out)
        out.append(contentsOf: ",\"event\":".utf8)
        AuditValue.writeString(event, to: &out)
        if !fields.keys.isEmpty {
            out.append(UInt8(ascii: ","))
            fields.writeFields(to: &out)
        }
        out.append(contentsOf: ",\"prev\":\"\(lastHash)\"".utf8)
        let hash = Self.hex(SHA256.hash(data: out))
        out.append(contentsOf: ",\"hash\":\"\(hash)\"}\n".utf8)
        var next = self
        next.nextSequence &+= 1
        next.lastHash = hash
        return (out, next)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The parts of a stored record the chain needs, read back from its bytes (no JSON parser: the
/// layout around them is fixed).
public struct AuditLine: Sendable, Hashable {
    public let sequence: UInt64
    public let event: String
    public let previous: String
    public let hash: String
    /// Whether the stored hash is the SHA-256 of the line's covered bytes.
    public let hashMatches: Bool

    private static let hashKey = Array(",\"hash\":\"".utf8)
    private static let prevKey = Array(",\"prev\":\"".utf8)
    private static let seqKey = Array("{\"seq\":".utf8)
    private static let eventKey = Array(",\"event\":\"".utf8)

    /// Parses one line (without its newline); nil when it does not have a record's layout.
    public init?(_ line: ArraySlice<UInt8>) {
        // Suffix: ,"hash":"<64 hex>"}
        let suffixLength = Self.hashKey.count + 64 + 2
        let prevLength = Self.prevKey.count + 64 + 1
        guard line.count > Self.seqKey.count + prevLength + suffixLength,
              line.last == UInt8(ascii: "}") else { return nil }
        let hashStart = line.endIndex - suffixLength
        guard line[hashStart..<(hashStart + Self.hashKey.count)].elementsEqual(Self.hashKey),
              line[line.endIndex - 2] == UInt8(ascii: "\"") else { return nil }
        let storedHash = line[(hashStart + Self.hashKey.count)..<(line.endIndex - 2)]
        let prevStart = hashStart - prevLength
        guard line[prevStart..<(prevStart + Self.prevKey.count)].elementsEqual(Self.prevKey),
              line[hashStart - 1] == UInt8(ascii: "\"") else { return nil }
        let storedPrev = line[(prevStart + Self.prevKey.count)..<(hashStart - 1)]
        guard Self.isHex(storedHash), Self.isHex(storedPrev) else { return nil }

        guard line.starts(with: Self.seqKey) else { return nil }
        var index = line.startIndex + Self.seqKey.count
        var sequence: UInt64 = 0
        let digitsStart = index
        while index < prevStart, let digit = Self.digit(line[index]) {
            let (scaled, o1) = sequence.multipliedReportingOverflow(by: 10)
            let (sum, o2) = scaled.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            sequence = sum
            index += 1
        }
        guard index > digitsStart else { return nil }
        // The event name follows "time"; find `,"event":"` and read up to the next quote.
        guard let eventKeyAt = Self.find(Self.eventKey, in: line[index..<prevStart]) else { return nil }
        let eventStart = eventKeyAt + Self.eventKey.count
        guard let eventEnd = line[eventStart..<prevStart].firstIndex(of: UInt8(ascii: "\"")) else { return nil }

        self.sequence = sequence
        event = String(decoding: line[eventStart..<eventEnd], as: UTF8.self)
        previous = String(decoding: storedPrev, as: UTF8.self)
        hash = String(decoding: storedHash, as: UTF8.self)
        hashMatches = AuditChain.hex(SHA256.hash(data: Array(line[line.startIndex..<hashStart]))) == hash
    }

    private static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.count == 64 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func digit(_ byte: UInt8) -> UInt8? { byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : nil }

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

/// SHA-256 in lowercase hex, for record fields (argument digests, policy hashes).
public enum AuditDigest {
    public static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        AuditChain.hex(SHA256.hash(data: Array(bytes)))
    }
}

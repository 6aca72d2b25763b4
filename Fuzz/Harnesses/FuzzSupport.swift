// Shared by every fuzzer: each one is this file, its own harness file and the modules it tests.

/// The input libFuzzer hands to `LLVMFuzzerTestOneInput`, copied into an array.
func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run when a property does not hold. libFuzzer sees the trap as a crash and saves
/// the input; the message says which property failed.
func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("property violated: \(message())", file: file, line: line) }
}

/// Fails unconditionally (for a branch that must never be taken).
func violated(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("property violated: \(message)", file: file, line: line)
}

/// Reads selector bytes off the front of an input.
struct InputCursor {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next byte, or 0 past the end (so every input is usable).
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Everything not read yet.
    var rest: [UInt8] { position < bytes.count ? Array(bytes[position...]) : [] }
}

@testable import FrontEnd

// The stream codecs `Base64` and `Ascii85` (the `encode` schemes of the API), on raw bytes.
//
// Input: the bytes, used twice: as data to encode and as text to decode.
//
// Properties, for each scheme:
// - no input traps or trips AddressSanitizer;
// - encode → decode gives the bytes back; the text is printable ASCII of the expected length
//   (base64: 4 per 3 bytes, padded; Ascii85: `z` or 5 digits per 4 bytes, n + 1 for a tail of n);
// - decoding arbitrary text fails cleanly (a `DecodingError`) or gives bytes whose encoding
//   decodes to the same bytes, of the length the text announces; base64 re-encodes to text of
//   the same length;
// - `StreamEncoding.decode` (the String API the request decoder calls) agrees with the byte API.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodecs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    checkBase64(input)
    checkAscii85(input)
    return 0
}

private func isPrintableASCII(_ text: [UInt8]) -> Bool {
    text.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
}

private func checkBase64(_ input: [UInt8]) {
    let text = Base64.encode(input)
    require(text.count == (input.count + 2) / 3 * 4, "base64 of \(input.count) bytes is \(text.count) characters")
    require(isPrintableASCII(text), "base64 text outside printable ASCII")
    require((try? Base64.decode(text)) == input, "base64 encode → decode does not give the bytes back")

    let decoded: [UInt8]
    do throws(StreamEncoding.DecodingError) {
        decoded = try Base64.decode(input)
    } catch {
        require(!error.message.isEmpty, "an empty base64 error message")
        checkStringAPI(.base64, input, expected: nil)
        return
    }
    let padding = input.reversed().prefix { $0 == UInt8(ascii: "=") }.count
    require(input.count % 4 == 0 && padding <= 2, "base64 accepted a length of \(input.count) or \(padding) '='")
    require(decoded.count == input.count / 4 * 3 - padding, "base64 decoded to \(decoded.count) bytes")
    let again = Base64.encode(decoded)
    require(again.count == input.count, "accepted base64 re-encodes to another length")
    require((try? Base64.decode(again)) == decoded, "accepted base64 does not round-trip")
    checkStringAPI(.base64, input, expected: decoded)
}

private func checkAscii85(_ input: [UInt8]) {
    let text = Ascii85.encode(input)
    let zeroGroups = stride(from: 0, to: input.count - 3, by: 4).count { input[$0..<$0 + 4].allSatisfy { $0 == 0 } }
    let tail = input.count % 4
    require(text.count == zeroGroups + (input.count / 4 - zeroGroups) * 5 + (tail == 0 ? 0 : tail + 1),
            "Ascii85 of \(input.count) bytes is \(text.count) characters")
    require(text.allSatisfy { (0x21...0x75).contains($0) || $0 == UInt8(ascii: "z") }, "Ascii85 text outside !…u and z")
    require((try? Ascii85.decode(text)) == input, "Ascii85 encode → decode does not give the bytes back")

    let decoded: [UInt8]
    do throws(StreamEncoding.DecodingError) {
        decoded = try Ascii85.decode(input)
    } catch {
        require(!error.message.isEmpty, "an empty Ascii85 error message")
        checkStringAPI(.base85, input, expected: nil)
        return
    }
    // Python's rule: 4 bytes per `z` and per 5 digits, n - 1 for a final group of n digits.
    let digits = input.count { (0x21...0x75).contains($0) }
    let zeros = input.count { $0 == UInt8(ascii: "z") }
    require(decoded.count == zeros * 4 + digits / 5 * 4 + max(0, digits % 5 - 1), "Ascii85 decoded to \(decoded.count) bytes")
    require((try? Ascii85.decode(Ascii85.encode(decoded))) == decoded, "accepted Ascii85 does not round-trip")
    checkStringAPI(.base85, input, expected: decoded)
}

/// The request decoder reaches the codecs through `StreamEncoding.decode(String)`; for valid
/// UTF-8 it must give what the byte API gives (nil: must fail).
private func checkStringAPI(_ scheme: StreamEncoding, _ input: [UInt8], expected: [UInt8]?) {
    guard let text = String(validating: input, as: UTF8.self) else { return }
    let viaString = try? scheme.decode(text)
    require(viaString == expected, "StreamEncoding.\(scheme).decode disagrees with the byte API")
    require(scheme.encode(input) == (scheme == .base64 ? Base64.encode(input) : Ascii85.encode(input)),
            "StreamEncoding.\(scheme).encode disagrees with the byte API")
}

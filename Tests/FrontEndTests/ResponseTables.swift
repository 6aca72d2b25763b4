// Generated from CPython 3.11.7 (json.dumps(..., sort_keys=True, separators=(",", ":")), the
// default ensure_ascii=True; the encodings from its base64 module) by the script in the comment
// at the end of this file; do not edit by hand.

import LauncherProtocol

enum ResponseTables {
    /// (name, stdout hex, stdout mode, stderr hex, stderr mode, termination, expected body).
    /// A mode is "none" (not captured), "text" (encode null), "base64" or "base85".
    static let bodies: [ResponseCase] = [
        ResponseCase("stdout empty", stdout: "", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"","encode":null}}"#),
        ResponseCase("stdout ascii", stdout: "68656c6c6f20776f726c640a", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"hello world\n","encode":null}}"#),
        ResponseCase("stdout slash and quotes", stdout: "612f6220227122205c206261636b", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"a/b \"q\" \\ back","encode":null}}"#),
        ResponseCase("stdout short escapes", stdout: "080c0a0d09", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"\b\f\n\r\t","encode":null}}"#),
        ResponseCase("stdout all C0 and DEL", stdout: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f7f", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f","encode":null}}"#),
        ResponseCase("stdout latin-1 and C1", stdout: "c3bc20c3a920c28520c29f20c2a020c3bf", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"\u00fc \u00e9 \u0085 \u009f \u00a0 \u00ff","encode":null}}"#),
        ResponseCase("stdout BMP edges", stdout: "c48020dfbf20e0a08020e280a820e280a920efbbbf20efbfbd20efbfbf", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"\u0100 \u07ff \u0800 \u2028 \u2029 \ufeff \ufffd \uffff","encode":null}}"#),
        ResponseCase("stdout non-BMP", stdout: "f09f988020f090808020f48fbfbf20f09d849e", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"\ud83d\ude00 \ud800\udc00 \udbff\udfff \ud834\udd1e","encode":null}}"#),
        ResponseCase("stdout NUL inside", stdout: "610062", "text", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"a\u0000b","encode":null}}"#),
        ResponseCase("stdout printable ASCII", stdout: "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e", "text", stderr: "", "none", .exited(0),
                     "{\"return\":0,\"stderr\":null,\"stdout\":{\"content\":\" !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\",\"encode\":null}}"),
        ResponseCase("nothing captured", stdout: "", "none", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":null}"#),
        ResponseCase("stderr only", stdout: "", "none", stderr: "7761726e20e29c930a", "text", .exited(1),
                     #"{"return":1,"stderr":{"content":"warn \u2713\n","encode":null},"stdout":null}"#),
        ResponseCase("both empty captured", stdout: "", "text", stderr: "", "text", .exited(0),
                     #"{"return":0,"stderr":{"content":"","encode":null},"stdout":{"content":"","encode":null}}"#),
        ResponseCase("exit 255", stdout: "78", "text", stderr: "", "none", .exited(255),
                     #"{"return":255,"stderr":null,"stdout":{"content":"x","encode":null}}"#),
        ResponseCase("SIGTERM", stdout: "", "none", stderr: "", "none", .signaled(15),
                     #"{"return":-15,"stderr":null,"stdout":null}"#),
        ResponseCase("SIGKILL with output", stdout: "7061727469616c", "text", stderr: "", "text", .signaled(9),
                     #"{"return":-9,"stderr":{"content":"","encode":null},"stdout":{"content":"partial","encode":null}}"#),
        ResponseCase("binary stdout base64", stdout: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "base64", stderr: "", "none", .exited(0),
                     #"{"return":0,"stderr":null,"stdout":{"content":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==","encode":"base64"}}"#),
        ResponseCase("binary stdout base85", stdout: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "base85", stderr: "00000000ff", "base85", .exited(3),
                     #"{"return":3,"stderr":{"content":"zrr","encode":"base85"},"stdout":{"content":"!!*-'\"9eu7#RLhG$k3[W&.oNg'GVB\"(`=52*$$(B+<_pR,UFcb-n-Vr/1iJ-0JP==1c70M3&s#]4?Ykm5X@_(6q'R884cEH9MJ8X:f1+h<)lt#=BSg3>[:ZC?t!MSA7]@cBPD3sCi+'.E,fo>FEMbNG^4U^I!pHnJ:W<)KS>/9Ll%\"IN/`jYOHG]iPa.Q$R$jD4S=Q7DTV8*TUnsrdW2ZetXKAY/Yd(L?['d?O\\@K2_]Y2%o^qmn*`5Ta:aN;TJbg\"GZd*^:jeCE.%f\\,!5gtgiEi8N\\UjQ5OekiqBum-X60nF?)@o_%qPq\"ad`r;HWp","encode":"base85"}}"#),
        ResponseCase("hello base85", stdout: "68656c6c6f", "base85", stderr: "68656c6c6f", "base64", .exited(0),
                     #"{"return":0,"stderr":{"content":"aGVsbG8=","encode":"base64"},"stdout":{"content":"BOu!rDZ","encode":"base85"}}"#),
        ResponseCase("zeros base85", stdout: "0000000000000000616263", "base85", stderr: "", "base85", .exited(0),
                     #"{"return":0,"stderr":{"content":"","encode":"base85"},"stdout":{"content":"zz@:E^","encode":"base85"}}"#),
        ResponseCase("empty base64", stdout: "", "base64", stderr: "", "base64", .exited(0),
                     #"{"return":0,"stderr":{"content":"","encode":"base64"},"stdout":{"content":"","encode":"base64"}}"#),
        ResponseCase("invalid UTF-8 but base64", stdout: "fffe80", "base64", stderr: "c080", "base85", .exited(0),
                     #"{"return":0,"stderr":{"content":"^jl","encode":"base85"},"stdout":{"content":"//6A","encode":"base64"}}"#),
    ]

    /// Byte strings and whether Python's strict `bytes.decode("utf-8")` accepts them.
    static let utf8: [(hex: String, valid: Bool)] = [
        ("c080", false),
        ("c1bf", false),
        ("e08080", false),
        ("e09fbf", false),
        ("eda080", false),
        ("edbfbf", false),
        ("f0808080", false),
        ("f4908080", false),
        ("f5808080", false),
        ("ff", false),
        ("fe", false),
        ("80", false),
        ("61bf", false),
        ("e282", false),
        ("e282ace2", false),
        ("f09f98", false),
        ("c3", false),
        ("c328", false),
        ("e228a1", false),
        ("ed9fbf", true),
        ("ee8080", true),
        ("f48fbfbf", true),
        ("f0908080", true),
        ("c280", true),
        ("dfbf", true),
        ("e0a080", true),
        ("efbfbf", true),
        ("00", true),
        ("7f", true),
    ]
}

// The generator: save the two parts below (without the leading `// `) as lit.py and gen.py,
// then run `python3 gen.py > THIS_FILE`.
// --- lit.py
// def lit(s):
//     """A Swift string literal for s: a raw #"…"# one when s is printable ASCII, else escaped."""
//     if all(0x20 <= ord(c) < 0x7f for c in s) and '"#' not in s and ('\\' in s or '"' in s):
//         return '#"' + s + '"#'
//     out = '"'
//     for ch in s:
//         o = ord(ch)
//         if ch == '\\': out += '\\\\'
//         elif ch == '"': out += '\\"'
//         elif o < 0x20 or o >= 0x7f: out += '\\u{%x}' % o
//         else: out += ch
//     return out + '"'
// --- gen.py
// from lit import lit
// import base64, json, sys
//
//
// def stream(data, mode):
//     if mode == "none": return None
//     if mode == "text": return {"content": data.decode("utf-8"), "encode": None}
//     enc = {"base64": base64.b64encode, "base85": base64.a85encode}[mode](data)
//     return {"content": enc.decode(), "encode": mode}
//
// texts = {
//     "empty": b"",
//     "ascii": b"hello world\n",
//     "slash and quotes": b'a/b "q" \\ back',
//     "short escapes": b"\b\f\n\r\t",
//     "all C0 and DEL": bytes(range(0x20)) + b"\x7f",
//     "latin-1 and C1": "ü é \u0085 \u009f \u00a0 ÿ".encode(),
//     "BMP edges": "\u0100 \u07ff \u0800 \u2028 \u2029 \ufeff \ufffd \uffff".encode(),
//     "non-BMP": "\U0001F600 \U00010000 \U0010FFFF 𝄞".encode(),
//     "NUL inside": b"a\x00b",
//     "printable ASCII": bytes(range(0x20, 0x7f)),
// }
// cases = []
// for name, data in texts.items():
//     cases.append((f"stdout {name}", data, "text", b"", "none", ("exited", 0)))
// cases += [
//     ("nothing captured", b"", "none", b"", "none", ("exited", 0)),
//     ("stderr only", b"", "none", "warn ✓\n".encode(), "text", ("exited", 1)),
//     ("both empty captured", b"", "text", b"", "text", ("exited", 0)),
//     ("exit 255", b"x", "text", b"", "none", ("exited", 255)),
//     ("SIGTERM", b"", "none", b"", "none", ("signaled", 15)),
//     ("SIGKILL with output", b"partial", "text", b"", "text", ("signaled", 9)),
//     ("binary stdout base64", bytes(range(256)), "base64", b"", "none", ("exited", 0)),
//     ("binary stdout base85", bytes(range(256)), "base85", b"\x00\x00\x00\x00\xff", "base85", ("exited", 3)),
//     ("hello base85", b"hello", "base85", b"hello", "base64", ("exited", 0)),
//     ("zeros base85", b"\x00" * 8 + b"abc", "base85", b"", "base85", ("exited", 0)),
//     ("empty base64", b"", "base64", b"", "base64", ("exited", 0)),
//     ("invalid UTF-8 but base64", b"\xff\xfe\x80", "base64", b"\xc0\x80", "base85", ("exited", 0)),
// ]
// print("// Generated from CPython %s (json.dumps(..., sort_keys=True, separators=(\",\", \":\")), the" % sys.version.split()[0])
// print("// default ensure_ascii=True; the encodings from its base64 module) by the script in the comment")
// print("// at the end of this file; do not edit by hand.")
// print()
// print("import LauncherProtocol")
// print()
// print("enum ResponseTables {")
// print("    /// (name, stdout hex, stdout mode, stderr hex, stderr mode, termination, expected body).")
// print("    /// A mode is \"none\" (not captured), \"text\" (encode null), \"base64\" or \"base85\".")
// print("    static let bodies: [ResponseCase] = [")
// for name, out, om, err, em, (kind, n) in cases:
//     body = {"return": n if kind == "exited" else -n, "stdout": stream(out, om), "stderr": stream(err, em)}
//     expected = json.dumps(body, sort_keys=True, separators=(",", ":"))
//     print(f'        ResponseCase({lit(name)}, stdout: "{out.hex()}", {lit(om)}, stderr: "{err.hex()}", {lit(em)}, .{kind}({n}),')
//     print(f'                     {lit(expected)}),')
// print("    ]")
// print()
// utf8 = [b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf0\x80\x80\x80",
//         b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xff", b"\xfe", b"\x80", b"a\xbf", b"\xe2\x82", b"\xe2\x82\xac\xe2",
//         b"\xf0\x9f\x98", b"\xc3", b"\xc3\x28", b"\xe2\x28\xa1", b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xf4\x8f\xbf\xbf",
//         b"\xf0\x90\x80\x80", b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80", b"\xef\xbf\xbf", b"\x00", b"\x7f"]
// print("    /// Byte strings and whether Python's strict `bytes.decode(\"utf-8\")` accepts them.")
// print("    static let utf8: [(hex: String, valid: Bool)] = [")
// for b in utf8:
//     try: b.decode("utf-8"); ok = True
//     except UnicodeDecodeError: ok = False
//     print(f'        ("{b.hex()}", {"true" if ok else "false"}),')
// print("    ]")
// print("}")
//
// print()
// print("// The generator: save the two parts below (without the leading `// `) as lit.py and gen.py,")
// print("// then run `python3 gen.py > THIS_FILE`.")
// import os
// for part, path in (("lit.py", os.path.join(os.path.dirname(os.path.abspath(__file__)), "lit.py")), ("gen.py", __file__)):
//     print("// --- " + part)
//     for line in open(path).read().rstrip().split("\n"):
//         print(("// " + line).rstrip())

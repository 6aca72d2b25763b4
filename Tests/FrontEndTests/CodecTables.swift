// Generated from CPython 3.11.7's base64 module by the script in the comment at the end of this
// file; do not edit by hand.

enum CodecTables {
    /// (bytes as hex, `b64encode`, `a85encode`), fixed edge cases then seeded random bytes.
    static let encodings: [(hex: String, base64: String, base85: String)] = [
        ("", "", ""),
        ("68", "aA==", "BE"),
        ("6865", "aGU=", "BOq"),
        ("68656c", "aGVs", "BOtu"),
        ("68656c6c", "aGVsbA==", "BOu!r"),
        ("68656c6c6f", "aGVsbG8=", "BOu!rDZ"),
        ("00", "AA==", "!!"),
        ("0000", "AAA=", "!!!"),
        ("000000", "AAAA", "!!!!"),
        ("00000000", "AAAAAA==", "z"),
        ("0000000000000000616263", "AAAAAAAAAABhYmM=", "zz@:E^"),
        ("0000000000", "AAAAAAA=", "z!!"),
        ("ff", "/w==", "rr"),
        ("ffffffff", "/////w==", "s8W-!"),
        ("ffffffffffffff", "/////////w==", "s8W-!s8W*"),
        ("20202020", "ICAgIA==", "+<VdL"),
        ("01000000", "AQAAAA==", #"!<<*""#),
        ("00000001", "AAAAAQ==", #"!!!!""#),
        ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==", #"!!*-'"9eu7#RLhG$k3[W&.oNg'GVB"(`=52*$$(B+<_pR,UFcb-n-Vr/1iJ-0JP==1c70M3&s#]4?Ykm5X@_(6q'R884cEH9MJ8X:f1+h<)lt#=BSg3>[:ZC?t!MSA7]@cBPD3sCi+'.E,fo>FEMbNG^4U^I!pHnJ:W<)KS>/9Ll%"IN/`jYOHG]iPa.Q$R$jD4S=Q7DTV8*TUnsrdW2ZetXKAY/Yd(L?['d?O\@K2_]Y2%o^qmn*`5Ta:aN;TJbg"GZd*^:jeCE.%f\,!5gtgiEi8N\UjQ5OekiqBum-X60nF?)@o_%qPq"ad`r;HWp"#),
        ("cb", "yw==", "b5"),
        ("1e04", "HgQ=", "*Wu"),
        ("073774", "Bzd0", "#<-`"),
        ("af0090", "rwCQ", "Y5jX"),
        ("97fcb818", "l/y4GA==", "Qi+?1"),
        ("002a0000", "ACoAAA==", "!%IsK"),
        ("54f744871d", "VPdEhx0=", "<;/e9*<"),
        ("0000009e00", "AAAAngA=", #"!!!"j!!"#),
        ("831cf28d104b", "gxzyjRBL", "K,jHA&5*"),
        ("000000000000", "AAAAAAAA", "z!!!"),
        ("d3639f57b54e1e", "02OfV7VOHg==", #"dpo"O[8%b"#),
        ("420000000025cb", "QgAAAAAlyw==", "63$uc!%#e"),
        ("3e86520df041331a", "PoZSDfBBMxo=", "5))rEn3JiK"),
        ("0000080000008d00", "AAAIAAAAjQA=", "!!!9)!!%uY"),
        ("98bcdd5c30703eada5", "mLzdXDBwPq2l", "R(V6[0Q94XV#"),
        ("00c6000087f900b490", "AMYAAIf5ALSQ", #"!6,!=L\UqWO8"#),
        ("46bbdb2c390479013431", "RrvbLDkEeQE0MQ==", "7_@D+3<XU.1be"),
        ("00000000f5009b000000", "AAAAAPUAmwAAAA==", "zo`1H]!!!"),
        ("3df232ab06cfc16d32d2e9", "PfIyqwbPwW0y0uk=", "4n:A/#1(,&1=GC"),
        ("00c40000000000c7008fa6", "AMQAAAAAAMcAj6Y=", "!5nj;!!!#>!0<u"),
        ("81528d0d260e6dc589f55ba6", "gVKNDSYObcWJ9Vum", "JPqI:-4Xn3M=k)M"),
        ("002e000000cd000000006b00", "AC4AAADNAAAAAGsA", "!%n6O!6kKD!!$d7"),
        ("1c6530f4c72ee6f704d21c54f5", "HGUw9Mcu5vcE0hxU9Q==", #"*+^hra"HNK"O\8ho`"#),
        ("3b00000050000000f800000070", "OwAAAFAAAAD4AAAAcA==", #"3rf6\:]LIqp](9oDu"#),
        ("258c8a93f1266c4ddb8f84c33e9f", "JYyKk/EmbE3bj4TDPp8=", "-&d_FnKr'HgQ.$*5+_"),
        ("0000000000000000000000200000", "AAAAAAAAAAAAAAAgAAA=", "zz!!!!A!!!"),
        ("0bccecdba54c388900dbbe68d7a72e", "C8zs26VMOIkA275o16cu", "$d@tlV+`k*!8G5$f;C5"),
        ("0035590000007ff8000089000000ef", "ADVZAAAAf/gAAIkAAADv", "!&[mZ!!%ND!!%iU!!)H"),
        ("29f5cff6e9de6e0a5ab11c6298ac16e0", "KfXP9unebgpasRximKwW4A==", #".J;$\l/$:b>-T&VR&h(]"#),
        ("00000041000000920000000000001e00", "AAAAQQAAAJIAAAAAAAAeAA==", #"!!!!b!!!"^z!!"&?"#),
        ("e9f3b2de58f61b30af831cbf6b478821e1", "6fOy3lj2GzCvgxy/a0eIIeE=", "l1;4;=S<[fYCdh0CIa1(i;"),
        ("00e50000ef36300000000000009d000000", "AOUAAO82MAAAAAAAAJ0AAAA=", #"!9F1\mkuj"z!1a)i!!"#),
        ("b88a6b88b51906ee1ce4b003aa66b6e236f5", "uIpriLUZBu4c5LADqma24jb1", #"\;G'X[2B2:*9==+Wb/^!2Y@"#),
        ("7d000000d200d40000ff000000ae58000000", "fQAAANIA1AAA/wAAAK5YAAAA", "I/j6IdK%bs!<3$!!3TE(!!!"),
        ("2cf8142780e630dc1fa88eb89970f84a36aa7f", "LPgUJ4DmMNwfqI64mXD4Sjaqfw==", "/GKo,JEAQ@+/k40R;hpn2QD6"),
        ("0d00004600007e0000e500af00000000000000", "DQAARgAAfgAA5QCvAAAAAAAAAA==", "%0-At!!%HJ!9F3az!!!!"),
        ("a29206a67596e60f2c8cb6f54e8faa87f40f50bdc46916fe54ddab5aa28f84", "opIGpnWW5g8sjLb1To+qh/QPUL3EaRb+VN2rWqKPhA==", #"U65_XFdD/#/<%%1:62E1oFFd3`+^"d<8FTYU5ss"#),
        ("00000000f30000253ebe61005b002afc0000eb000000000000000000000000", "AAAAAPMAACU+vmEAWwAq/AAA6wAAAAAAAAAAAAAAAA==", "zo)Jb:5/(G*>6$/N!!)<bzz!!!!"),
        ("4a1cf8bde2982221189eb7839265792ccf7d9861a12a2b562066e2209b5303a4", "Shz4veKYIiEYnreDkmV5LM99mGGhKitWIGbiIJtTA6Q=", "8f[W>ig:o5(nS3hP%Anic[D0hTdhQn+D0UURo9Eb"),
        ("25000000ef00b400230000000000005e00000000000000ff0000000000000000", "JQAAAO8AtAAjAAAAAAAAXgAAAAAAAAD/AAAAAAAAAAA=", #",ldoFmf9]p,6.]D!!!"*z!!!$!zz"#),
        ("a6994fe2abf3791c0831c95a4f079b2b6676858b9b5f7448d38b3e920f81e17c6b", "pplP4qvzeRwIMclaTwebK2Z2hYubX3RI04s+kg+B4Xxr", #"VO:6>X7LTV#VjG):C!@>Ap/ldRpU8.du-DQ%tW\eCB"#),
        ("8300790900003a0037bd0000000000a896fea0002e1000000000000900000000c4", "gwB5CQAAOgA3vQAAAAAAqJb+oAAuEAAAAAAACQAAAADE", #"K)g0'!!#%[2n]1k!!!"tQN!NW/eA!_!!!!*z_u"#),
        ("ef35c7893d22ed1edeb4fdee61e44f33a27e419422245fc4ab67b52486467c4ac9c751f7169d8cafb199136d0e8cedc4738affba06311a1d6e7adae3b105b6", "7zXHiT0i7R7etP3uYeRPM6J+QZQiJF/Eq2e1JIZGfErJx1H3Fp2Mr7GZE20OjO3Ec4r/ugYxGh1uetrjsQW2", #"mkr.B4X087hR*7L@H:3?U4,Cm+s^O6X(SgcL.6P_ai@9Q(7gDfZ'c8B%ZKenF,L"/"u.#:DL1$sYm%Q"#),
        ("00a1a50000ea840000000000000000379d000000000000000000000c00ba000032e200000067000000000000000000001a0000000000006200000000000000", "AKGlAADqhAAAAAAAAAAAN50AAAAAAAAAAAAADAC6AAAy4gAAAGcAAAAAAAAAAAAAGgAAAAAAAGIAAAAAAAAA", #"!264h!:#4;z!!!!XSH&Wiz!!!!-!4i.11?&96!+u93zz)?9a;!!!".z!!!!"#),
        ("68db4b9e90c98a9ce696a3c43c7d3bab2587d9337a9222083e4699007f5bb6883c28b7fce933d7a5ef37cdeee9c9e626fc979ea10c38f6e0da2af1dfbb098c98", "aNtLnpDJipzmlqPEPH07qyWH2TN6kiIIPkaZAH9btog8KLf86TPXpe83ze7pyeYm/JeeoQw49uDaKvHfuwmMmA==", #"B\Q1OONEBMk*Dd\4FK;l-&:/0HBKHX5":q?Ip9@;4=I]:kqgqfml/MZl,i'7r0O"K$omt=g+)XM]*XF`"#),
        ("000000ba001bd1000000000000001b00000075000000fe00008a000000000000000000000000970016000000002c0d00000000720000000000000000a700006e", "AAAAugAb0QAAAAAAAAAbAAAAdQAAAP4AAIoAAAAAAAAAAAAAAACXABYAAAAALA0AAAAAcgAAAAAAAAAApwAAbg==", #"!!!#1!#s;cz!!!r<!!%-A!!)uu!/^aVzz!!&>c('"=7!%\QZ!!!">zzVZ6^7"#),
        ("d714b3f5711312ee28b533f6f5e28682bd3070a4d3b19c096282d2d1a5f5c93761658ab329a06e600e9e788bbcb385e5508423b50cfbf47498e0d5a309f97b2b22", "1xSz9XETEu4otTP29eKGgr0wcKTTsZwJYoLS0aX1yTdhZYqzKaBuYA6eeIu8s4XlUIQjtQz79HSY4NWjCfl7KyI=", #"f+bRaE>&uQ.((l)p#:^X]eFE$e$5DL@Y3%UV=hqh@:b>&.A1Qd%\@p']X*=R:kU($%/][=R,HMi$2Jou+o"#),
        ("0000000000000009009777110000000000b89dcd4000009026001bf700004c00ec9500000017000000000000f30000ff2b0051000000003d8accd9000000000000", "AAAAAAAAAAkAl3cRAAAAAAC4nc1AAACQJgAb9wAATADslQAAABcAAAAAAADzAAD/KwBRAAAAAD2KzNkAAAAAAAA=", #"z!!!!*!1.mAz!4\TE5QCeG-3,"Z!!#[mm$.PN!#GV8zo)Jdj.f`EH!!!!^MTj`Rz!!"#),
        ("d4dffc1a780ec17d11927e1a9acef2aefa906a051a988f3c9126f5bf81f0378f00ccd1fe8406578744b43d93428579d8b3ee311cc1587392d42c8336d34b4bf3c6b85a1a0014d837dd24f51b2ed5996f6fd017ed7a5186e2b45906e34d6545590b934160", "1N/8GngOwX0Rkn4ams7yrvqQagUamI88kSb1v4HwN48AzNH+hAZXh0S0PZNChXnYs+4xHMFYc5LULIM200tL88a4WhoAFNg33ST1Gy7VmW9v0BftelGG4rRZBuNNZUVZC5NBYA==", "eDL0BGRhQ<&X%S]Ra1K,qN,Fq)OQRJOXBb9JabUZ!6ijiKEbM57'o+@6A9^;ZgKOf_,tcAe1?51dn<@*`jf1j!#4'Eh'DY40%HA.DpT<fH;TFVZrmUn9k?ar$^3ka"),
        ("cf0000000000000000d70000000000000000000000000020000000da960000000000d700953d00005eac0013000045f60000cb00fe00000000dea300c11a000000780f000000006400f4ab0000006c00003c0000000000d5000000890000000000000000", "zwAAAAAAAAAA1wAAAAAAAAAAAAAAAAAgAAAA2pYAAAAAANcAlT0AAF6sABMAAEX2AADLAP4AAAAA3qMAwRoAAAB4DwAAAABkAPSrAAAAbAAAPAAAAAAA1QAAAIkAAAAAAAAAAA==", #"cN!qFz!7q2Nzz!!!!A!!!#QQ2gmb!!(UNPs#*I?E=,?!!#I]!!(1BrVuou!8aIN_&<:R!-f"S!!!"0!;*;l!!$g8!'C5]!!!#L!!!"Uzz"#),
    ]

    /// Ascii85 text that `a85decode` accepts → the bytes as hex (whitespace, `z`, short groups).
    static let base85Accepted: [(text: String, hex: String)] = [
        ("", ""),
        ("z", "00000000"),
        ("zz", "0000000000000000"),
        ("BOu!rDZ", "68656c6c6f"),
        ("BOu!r DZ", "68656c6c6f"),
        ("B\u{a}O\u{9}u\u{d}!\u{b}r DZ", "68656c6c6f"),
        (" zz@:E^ ", "0000000000000000616263"),
        ("!!", "00"),
        ("!!!", "0000"),
        ("!!!!", "000000"),
        ("!!!!!", "00000000"),
        ("s8W-!", "ffffffff"),
        ("!", ""),
        ("B", ""),
        ("zB", "00000000"),
        ("BOu!rz", "68656c6c00000000"),
        ("@:E^", "616263"),
        ("@:E_", "616263"),
        ("!!!!!z", "0000000000000000"),
        (#"87cURD]i,"Ebo80"#, "48656c6c6f20576f726c6421"),
    ]

    /// Ascii85 text that `a85decode` refuses (ValueError).
    static let base85Rejected: [String] = [
        "<~BOu!rDZ~>",
        "~>",
        "BOu!rDZ~",
        "v",
        "{",
        "\u{7f}",
        "\u{e9}",
        "BOu\u{a0}!rDZ",
        "Bz",
        "BOuz",
        "uuuuu",
        #"s8W-""#,
        "s9",
        "s8X",
        "BOu!rDZ\u{c}",
        "\u{0}",
        "y",
        "BO u!rDZ\u{2028}",
        "s8W-",
        "s8W",
        "s8",
    ]

    /// Base64 text our strict decoder refuses, each with whether Python's `b64decode(validate=True)`
    /// also refuses it (we are stricter where it says false).
    static let base64Rejected: [(text: String, pythonStrictRefuses: Bool)] = [
        ("a", true),
        ("ab", true),
        ("abc", true),
        ("abcde", true),
        ("aGV*sbG8=", true),
        ("!!!!", true),
        ("aGVsbG8", true),
        ("aGVsbG8==", true),
        ("a===", true),
        ("====", true),
        ("ab=c", true),
        ("=abc", true),
        ("aGVs bG8=", true),
        ("aGVs\u{a}bG8=", true),
        ("aGVsbG8-", true),
        ("aGVsbG8_", true),
        ("aGVsbG8=\u{a}", true),
        ("\u{e9}===", true),
        ("aGk=aGk=", true),
        ("abc==", true),
        ("abcd====", false),
        ("a=", true),
        ("ab=", true),
    ]

    /// Base64 text accepted → bytes as hex, as `b64decode(validate=True)` decodes it (non-zero unused
    /// bits in the last character are ignored).
    static let base64Accepted: [(text: String, hex: String)] = [
        ("", ""),
        ("aGk=", "6869"),
        ("aGl=", "6869"),
        ("aGVsbG8=", "68656c6c6f"),
        ("AA==", "00"),
        ("AB==", "00"),
        ("AAB=", "0000"),
        ("////", "ffffff"),
        ("++++", "fbefbe"),
        ("aGVsbA==", "68656c6c"),
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
// import base64, random, sys
//
//
// rnd = random.Random(4648)
// inputs = [b"", b"h", b"he", b"hel", b"hell", b"hello", b"\0", b"\0\0", b"\0\0\0", b"\0\0\0\0", b"\0"*8+b"abc",
//           b"\0\0\0\0\0", b"\xff", b"\xff\xff\xff\xff", b"\xff"*7, b"    ", b"\x01\0\0\0", b"\0\0\0\x01", bytes(range(256))]
// for n in list(range(0, 20)) + [31, 32, 33, 63, 64, 65, 100]:
//     inputs.append(bytes(rnd.getrandbits(8) for _ in range(n)))
//     inputs.append(bytes(rnd.choice([0, 0, 0, rnd.getrandbits(8)]) for _ in range(n)))
// seen = []
// for i in inputs:
//     if i not in seen: seen.append(i)
//
// print("// Generated from CPython %s's base64 module by the script in the comment at the end of this" % sys.version.split()[0])
// print("// file; do not edit by hand.")
// print()
// print("enum CodecTables {")
// print("    /// (bytes as hex, `b64encode`, `a85encode`), fixed edge cases then seeded random bytes.")
// print("    static let encodings: [(hex: String, base64: String, base85: String)] = [")
// for i in seen:
//     print(f'        ("{i.hex()}", {lit(base64.b64encode(i).decode())}, {lit(base64.a85encode(i).decode())}),')
// print("    ]")
// print()
//
// rej_extra = []
// acc = ["", "z", "zz", "BOu!rDZ", "BOu!r DZ", "B\nO\tu\r!\x0br DZ", " zz@:E^ ", "!!", "!!!", "!!!!", "!!!!!",
//        "s8W-!", "s8W-", "s8W", "s8", "!", "B", "zB", "BOu!rz", "@:E^", "@:E_", "!!!!!z", "87cURD]i,\"Ebo80"]
// print("    /// Ascii85 text that `a85decode` accepts → the bytes as hex (whitespace, `z`, short groups).")
// print("    static let base85Accepted: [(text: String, hex: String)] = [")
// acc_ok = []
// for t in acc:
//     try: acc_ok.append((t, base64.a85decode(t)))
//     except ValueError: rej_extra.append(t)
// for t, d in acc_ok:
//     print(f'        ({lit(t)}, "{d.hex()}"),')
// print("    ]")
// print()
// rej = ["<~BOu!rDZ~>", "~>", "BOu!rDZ~", "v", "{", "\x7f", "é", "BOu\u00a0!rDZ", "Bz", "BOuz", "uuuuu", "s8W-\"", "s9", "s8X",
//        "BOu!rDZ\f", "\0", "y", "BO u!rDZ\u2028"]
// print("    /// Ascii85 text that `a85decode` refuses (ValueError).")
// print("    static let base85Rejected: [String] = [")
// for t in rej + rej_extra:
//     try:
//         base64.a85decode(t); raise SystemExit("accepted: %r" % t)
//     except ValueError: pass
//     print(f'        {lit(t)},')
// print("    ]")
// print()
// b64rej = ["a", "ab", "abc", "abcde", "aGV*sbG8=", "!!!!", "aGVsbG8", "aGVsbG8==", "a===", "====", "ab=c", "=abc", "aGVs bG8=",
//           "aGVs\nbG8=", "aGVsbG8-", "aGVsbG8_", "aGVsbG8=\n", "é===", "aGk=aGk=", "abc==", "abcd====", "a=", "ab="]
// print("    /// Base64 text our strict decoder refuses, each with whether Python's `b64decode(validate=True)`")
// print("    /// also refuses it (we are stricter where it says false).")
// print("    static let base64Rejected: [(text: String, pythonStrictRefuses: Bool)] = [")
// for t in b64rej:
//     try:
//         base64.b64decode(t, validate=True); refused = False
//     except ValueError: refused = True
//     print(f'        ({lit(t)}, {"true" if refused else "false"}),')
// print("    ]")
// print()
// b64acc = ["", "aGk=", "aGl=", "aGVsbG8=", "AA==", "AB==", "AAB=", "////", "++++", "aGVsbA=="]
// print("    /// Base64 text accepted → bytes as hex, as `b64decode(validate=True)` decodes it (non-zero unused")
// print("    /// bits in the last character are ignored).")
// print("    static let base64Accepted: [(text: String, hex: String)] = [")
// for t in b64acc:
//     print(f'        ({lit(t)}, "{base64.b64decode(t, validate=True).hex()}"),')
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

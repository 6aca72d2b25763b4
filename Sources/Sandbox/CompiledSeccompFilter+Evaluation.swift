import CSeccomp
import Policy

extension CompiledSeccompFilter {
    /// The `AUDIT_ARCH_*` value of this machine's native ABI.
    public static var nativeArchitecture: UInt32 { seccomp_arch_native() }

    /// This machine's number for a syscall name, or nil when it has none here.
    public static func syscallNumber(_ name: String) -> Int32? {
        let nr = seccomp_syscall_resolve_name(name)
        return nr >= 0 ? nr : nil
    }

    /// Runs the program the way the kernel would for `struct seccomp_data {nr, arch, ip, args}`:
    /// a classic-BPF interpreter for the instructions seccomp filters use. Lets tests (and policy
    /// test vectors) check the *compiled* artifact, not just the JSON it came from.
    /// - Returns: the action, or nil if the program is malformed (falls off the end, bad opcode,
    ///   out-of-range load or jump) or returns a value that is no seccomp action.
    public func evaluate(syscall nr: Int32, arch: UInt32 = nativeArchitecture, instructionPointer: UInt64 = 0,
                         args: [UInt64] = []) -> SeccompAction? {
        var data = [UInt8](repeating: 0, count: 64)
        func put32(_ v: UInt32, at offset: Int) {
            for i in 0..<4 { data[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
        }
        func put64(_ v: UInt64, at offset: Int) {
            put32(UInt32(truncatingIfNeeded: v), at: offset)
            put32(UInt32(truncatingIfNeeded: v >> 32), at: offset + 4)
        }
        put32(UInt32(bitPattern: nr), at: 0)
        put32(arch, at: 4)
        put64(instructionPointer, at: 8)
        for (i, a) in args.prefix(6).enumerated() { put64(a, at: 16 + 8 * i) }

        var a: UInt32 = 0, x: UInt32 = 0
        var scratch = [UInt32](repeating: 0, count: 16)
        var pc = 0
        let count = instructionCount
        func field<T: FixedWidthInteger>(_ i: Int, _ offset: Int, _: T.Type) -> T {
            var v: T = 0
            for b in 0..<MemoryLayout<T>.size { v |= T(program[i * 8 + offset + b]) << (8 * b) }
            return v
        }
        var steps = 0
        while pc < count, steps < 100_000 {
            steps += 1
            let code = field(pc, 0, UInt16.self), jt = Int(program[pc * 8 + 2]), jf = Int(program[pc * 8 + 3])
            let k = field(pc, 4, UInt32.self)
            pc += 1
            let cls = code & 0x07
            switch cls {
            case 0x00, 0x01: // LD, LDX
                var value: UInt32
                switch code & 0xe0 {
                case 0x00: value = k                                  // IMM
                case 0x20:                                            // ABS (32-bit only in seccomp)
                    guard code & 0x18 == 0x00, Int(k) + 4 <= data.count, k % 4 == 0 else { return nil }
                    value = UInt32(data[Int(k)]) | UInt32(data[Int(k) + 1]) << 8 | UInt32(data[Int(k) + 2]) << 16 | UInt32(data[Int(k) + 3]) << 24
                case 0x60: guard k < 16 else { return nil }; value = scratch[Int(k)] // MEM
                case 0x80: value = 64                                 // LEN
                default: return nil
                }
                if cls == 0x00 { a = value } else { x = value }
            case 0x02: guard k < 16 else { return nil }; scratch[Int(k)] = a   // ST
            case 0x03: guard k < 16 else { return nil }; scratch[Int(k)] = x   // STX
            case 0x04: // ALU
                let operand = code & 0x08 != 0 ? x : k
                switch code & 0xf0 {
                case 0x00: a = a &+ operand
                case 0x10: a = a &- operand
                case 0x20: a = a &* operand
                case 0x30: guard operand != 0 else { return nil }; a /= operand
                case 0x40: a |= operand
                case 0x50: a &= operand
                case 0x60: a = operand < 32 ? a << operand : 0
                case 0x70: a = operand < 32 ? a >> operand : 0
                case 0x80: a = 0 &- a
                case 0x90: guard operand != 0 else { return nil }; a %= operand
                case 0xa0: a ^= operand
                default: return nil
                }
            case 0x05: // JMP
                let operand = code & 0x08 != 0 ? x : k
                let taken: Bool
                switch code & 0xf0 {
                case 0x00: pc += Int(k); continue                     // JA
                case 0x10: taken = a == operand                       // JEQ
                case 0x20: taken = a > operand                        // JGT
                case 0x30: taken = a >= operand                       // JGE
                case 0x40: taken = a & operand != 0                   // JSET
                default: return nil
                }
                pc += taken ? jt : jf
            case 0x06: // RET
                return SeccompCompiler.action(fromRaw: code & 0x18 == 0x10 ? a : k)
            case 0x07: // MISC
                if code & 0xf8 == 0x00 { x = a } else { a = x }       // TAX / TXA
            default:
                return nil
            }
        }
        return nil
    }
}

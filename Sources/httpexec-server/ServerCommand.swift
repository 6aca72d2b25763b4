import FrontEnd

#if canImport(Glibc)
import Glibc
#endif

// Say plainly that this is not a server yet, and fail so no script mistakes it for one.
let message = "httpexec-server: not yet — \(FrontEnd.status)\n"
message.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
exit(2)

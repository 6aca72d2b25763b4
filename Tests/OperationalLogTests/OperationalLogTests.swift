import OperationalLog
import Testing

@Suite struct OperationalLogPlaceholderTests {
    @Test func moduleLinks() { _ = OperationalLog.self }
}

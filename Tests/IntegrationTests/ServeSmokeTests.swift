import Foundation
import Testing

/// The all-in-one `httpexec serve` starts, answers, and stops cleanly.
@Suite(.serialized) struct ServeSmokeTests {
    @Test func servesAScriptAndStopsOnSIGTERM() throws {
        let server = try ServeFixture()
        let response = try server.request("POST", "/echo.sh", body: #"{"args":["hi"],"stdout":{"capture":true}}"#)
        #expect(response.status == 200, "\(response)\n\(server.log)")
        #expect(response.text == #"{"return":0,"stderr":null,"stdout":{"content":"script hi\n","encode":null}}"#)
        #expect(response.headers["x-request-id"]?.count == 32)
        #expect(server.stop() == 0, "\(server.log)")
    }
}

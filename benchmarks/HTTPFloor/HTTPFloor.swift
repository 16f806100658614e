import Foundation
import Hummingbird
import Logging

/// The benchmark's second reference: the least any webhook receiver built
/// on Hummingbird does for a request (route it, read its body, answer a
/// fixed `202`), with no signature, no store and no middleware.
///
/// nginx shows what HTTP costs on the machine; this shows what the
/// framework the server is built on costs, measured in the same run under
/// the same load. The distance from nginx to this floor is the framework's;
/// the distance from this floor to the server's ingest figure is ours.
/// Not part of the service: `benchmarks/run` builds and starts it.
///
/// Usage: voxworks-http-floor PORT (listens on 127.0.0.1; stops on SIGTERM).
@main
struct HTTPFloor {
    static func main() async throws {
        guard CommandLine.arguments.count == 2, let port = Int(CommandLine.arguments[1]) else {
            FileHandle.standardError.write(Data("usage: voxworks-http-floor PORT\n".utf8))
            exit(2)
        }
        var logger = Logger(label: "voxworks-http-floor")
        logger.logLevel = .error
        let answer = ByteBuffer(string: #"{"success":true,"execution_id":"0192d3c4-7e6a-7c4b-9a51-3f0e2b8c4d71"}"#)
        let router = Router()
        router.post("/api/v1/hooks/{token}") { request, _ -> Response in
            // Read the body, as a receiver must before it can answer for it.
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}

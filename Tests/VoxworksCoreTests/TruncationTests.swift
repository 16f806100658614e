import Testing
import VoxworksCore

@Suite struct TruncationTests {
    @Test func shortTextIsUnchanged() {
        #expect(Truncation.text("hello", maxBytes: 5) == "hello")
    }

    @Test func longTextIsCutWithTheCountOfWhatWasLeftOut() {
        #expect(Truncation.text("hello world", maxBytes: 5) == "hello… 6 more bytes")
    }

    @Test func aCutNeverSplitsAScalar() {
        // "é" is two bytes: a cut after one byte backs up to before it.
        #expect(Truncation.text("aé", maxBytes: 2) == "a… 2 more bytes")
        #expect(Truncation.text("😀😀", maxBytes: 5) == "😀… 4 more bytes")
    }
}

@Suite struct OutboundHeadersTests {
    @Test func credentialHeadersAreSensitive() {
        for name in ["Authorization", "proxy-authorization", "COOKIE", "X-Api-Key", "x-auth-token", "Client-Secret", "X-Hub-Signature"] {
            #expect(OutboundHeaders.isSensitive(name), "\(name)")
        }
        for name in ["Content-Type", "X-Trace", "Accept", "X-Keys", "Tokenizer"] {
            #expect(!OutboundHeaders.isSensitive(name), "\(name)")
        }
    }

    @Test func aBadHeaderIsNamedButItsValueIsNeverQuoted() {
        #expect(OutboundHeaders.problem(name: "Authorization", value: "Bearer ok\tfine") == nil)
        for bad in ["Bearer s3cret\r\nX: 1", "s3cret\n", "s3cret\u{0}", "s3cret\u{7F}"] {
            let problem = OutboundHeaders.problem(name: "Authorization", value: bad)
            #expect(problem?.contains("Authorization") == true)
            #expect(problem?.contains("s3cret") == false)
        }
        #expect(OutboundHeaders.problem(name: "Bad Name", value: "v")?.contains("not a valid HTTP token") == true)
        #expect(OutboundHeaders.problem(name: "", value: "v") != nil)
    }

    @Test func aStepFailureIsBounded() {
        let failure = StepFailure(String(repeating: "x", count: 900_000))
        #expect(failure.message.utf8.count <= StepFailure.maxMessageBytes + 32)
        #expect(failure.message.hasSuffix("more bytes"))
    }
}

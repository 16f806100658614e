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

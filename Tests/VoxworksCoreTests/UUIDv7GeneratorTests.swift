import Foundation
import Testing
@testable import VoxworksCore

@Suite("UUIDv7Generator")
struct UUIDv7GeneratorTests {
    let millis: UInt64 = 1_780_000_000_123  // 0x019E_7044_887B

    private func bytes(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    private func timestamp(_ id: UUID) -> UInt64 {
        bytes(id).prefix(6).reduce(0) { $0 << 8 | UInt64($1) }
    }

    @Test func versionIsSeven() {
        let id = UUIDv7Generator().next(nowMillis: millis)
        #expect(id.version == 7)
        #expect(bytes(id)[6] >> 4 == 7)
        // The 13th hex digit of the canonical form is the version.
        #expect(Array(id.lowercased)[14] == "7")
    }

    @Test func variantBitsAreOneZero() {
        let generator = UUIDv7Generator()
        for _ in 0..<200 {
            let id = generator.next(nowMillis: millis)
            #expect(bytes(id)[8] & 0xC0 == 0x80)
            #expect("89ab".contains(Array(id.lowercased)[19]))
        }
    }

    @Test func first48BitsAreTheMillis() {
        let id = UUIDv7Generator().next(nowMillis: millis)
        #expect(timestamp(id) == millis)
        #expect(id.lowercased.hasPrefix("019e7044-887b-7"))
        #expect(UUIDv7Generator().next(nowMillis: 0).lowercased.hasPrefix("00000000-0000-7"))
        #expect(timestamp(UUIDv7Generator().next(nowMillis: 0xFFFF_FFFF_FFFF)) == 0xFFFF_FFFF_FFFF)
    }

    @Test func lowercasedIsTheLowercaseCanonicalForm() {
        let id = UUIDv7Generator().next(nowMillis: millis)
        #expect(id.lowercased == id.uuidString.lowercased())
        #expect(id.lowercased.count == 36)
        #expect(id.lowercased == id.lowercased.lowercased())
        #expect(UUID(uuidString: id.lowercased) == id)
    }

    @Test func canonicalParsingAgreesWithFoundation() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(UUID(canonical: id.lowercased) == id)
            #expect(UUID(canonical: id.uuidString) == id)
        }
        let text = "019e7044-887b-7abc-8def-0123456789ab"
        #expect(UUID(canonical: text) == UUID(uuidString: text))
        for bad in [
            "", "019e7044-887b-7abc-8def-0123456789a", "019e7044-887b-7abc-8def-0123456789abc",
            "019e7044x887b-7abc-8def-0123456789ab", "019e7044-887b-7abc-8def-0123456789ag",
            "019e7044887b-7abc-8def-0123456789ab-", "019e7044-887b-7abc-8déf-0123456789a",
        ] {
            #expect(UUID(canonical: bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "\(bad)")
        }
    }

    @Test func tenThousandAtTheSameMillisAreStrictlyIncreasingAndUnique() {
        let generator = UUIDv7Generator()
        let ids = (0..<10_000).map { _ in generator.next(nowMillis: millis).uuidString.lowercased() }
        #expect(Set(ids).count == 10_000)
        var ordered = true
        for (previous, next) in zip(ids, ids.dropFirst()) where !(previous < next) {
            ordered = false
            Issue.record("\(next) does not sort after \(previous)")
            break
        }
        #expect(ordered)
        // Every id keeps the version and variant even after the counter overflows.
        #expect(ids.allSatisfy { Array($0)[14] == "7" && "89ab".contains(Array($0)[19]) })
    }

    @Test func counterOverflowBorrowsTheNextMillisecondNotAnEarlierOne() {
        let generator = UUIDv7Generator()
        let ids = (0..<10_000).map { _ in generator.next(nowMillis: millis) }
        let stamps = ids.map(timestamp)
        #expect(stamps.first == millis)
        #expect(stamps.allSatisfy { $0 >= millis })
        // At most 4096 ids fit in one millisecond's 12-bit counter.
        #expect(stamps.filter { $0 == millis }.count <= 4096)
    }

    @Test func laterMillisecondSortsAfter() {
        let generator = UUIDv7Generator()
        let earlier = (0..<50).map { _ in generator.next(nowMillis: millis).lowercased }
        let later = generator.next(nowMillis: millis + 1)
        #expect(timestamp(later) == millis + 1)
        #expect(earlier.allSatisfy { $0 < later.lowercased })
        // Also from a fresh generator: the time prefix alone orders them.
        let other = UUIDv7Generator().next(nowMillis: millis + 1).lowercased
        #expect(earlier.allSatisfy { $0 < other })
    }

    @Test func clockGoingBackwardsStillIncreases() {
        let generator = UUIDv7Generator()
        let first = generator.next(nowMillis: millis)
        let second = generator.next(nowMillis: millis - 5)
        #expect(first.lowercased < second.lowercased)
        #expect(timestamp(second) == millis)
    }

    @Test func concurrentCallsNeverCollide() async {
        let generator = UUIDv7Generator()
        let ids = await withTaskGroup(of: [UUID].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).map { _ in generator.next(nowMillis: 1_780_000_000_000) } }
            }
            var all: [UUID] = []
            for await chunk in group { all += chunk }
            return all
        }
        #expect(ids.count == 4_000)
        #expect(Set(ids).count == 4_000)
    }
}

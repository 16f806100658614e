import Testing
@testable import VoxworksCore

@Suite("PhoneNumber")
struct PhoneNumberTests {
    private func normalized(_ raw: String, _ region: String = "AU") -> Result<String, StepFailure> {
        do { return .success(try PhoneNumber.normalize(raw, defaultRegion: region)) } catch { return .failure(error) }
    }

    private func refusal(_ raw: String, _ reason: String) -> Result<String, StepFailure> {
        .failure(StepFailure("\(JSONValue.string(raw).serialized) cannot be a phone number: \(reason)"))
    }

    @Test func supportedRegions() {
        #expect(PhoneNumber.supportedRegions == ["AU", "CA", "DE", "FR", "GB", "IE", "IN", "NZ", "SG", "US"])
        #expect(PhoneNumber.countryCode(for: "AU") == "61")
        #expect(PhoneNumber.countryCode(for: "ie") == "353")
        #expect(PhoneNumber.countryCode(for: "XX") == nil)
    }

    // MARK: - Australia (the documented examples)

    @Test func australianMobileAndLandline() {
        #expect(normalized("0429069971") == .success("+61429069971"))
        #expect(normalized("(02) 9123 4567") == .success("+61291234567"))
        #expect(normalized("0429 069 971") == .success("+61429069971"))
        #expect(normalized("0429-069-971") == .success("+61429069971"))
        #expect(normalized("0429.069.971") == .success("+61429069971"))
        #expect(normalized("  0429069971\n") == .success("+61429069971"))
        #expect(normalized("429069971") == .success("+61429069971"))
    }

    @Test func australianNumbersAlreadyInternational() {
        #expect(normalized("+61429069971") == .success("+61429069971"))
        #expect(normalized("+61 429 069 971") == .success("+61429069971"))
        #expect(normalized("0061 429 069 971") == .success("+61429069971"))
        #expect(normalized("+61 (0)2 9123 4567") == .success("+61291234567"))
        #expect(normalized("0061 (0)429 069 971") == .success("+61429069971"))
        #expect(normalized("61429069971") == .success("+61429069971"))
        #expect(normalized("61 2 9123 4567") == .success("+61291234567"))
    }

    @Test func internationalNumbersIgnoreTheRegion() {
        #expect(normalized("+64 21 123 4567", "AU") == .success("+64211234567"))
        #expect(normalized("+1 (415) 555-2671", "GB") == .success("+14155552671"))
        #expect(normalized("0044 20 7946 0958", "US") == .success("+442079460958"))
        #expect(normalized("+123456789012345", "SG") == .success("+123456789012345"))
    }

    @Test func regionIsCaseInsensitive() {
        #expect(normalized("0429069971", "au") == .success("+61429069971"))
        #expect(normalized("020 7946 0958", "gb") == .success("+442079460958"))
    }

    // MARK: - Every other region

    @Test func newZealand() {
        #expect(normalized("021 123 4567", "NZ") == .success("+64211234567"))
        #expect(normalized("(09) 123 4567", "NZ") == .success("+6491234567"))
        #expect(normalized("64211234567", "NZ") == .success("+64211234567"))
    }

    @Test func unitedKingdom() {
        #expect(normalized("07911 123456", "GB") == .success("+447911123456"))
        #expect(normalized("020 7946 0958", "GB") == .success("+442079460958"))
        #expect(normalized("447911123456", "GB") == .success("+447911123456"))
    }

    @Test func unitedStatesAndCanada() {
        #expect(normalized("(415) 555-2671", "US") == .success("+14155552671"))
        #expect(normalized("415.555.2671", "US") == .success("+14155552671"))
        #expect(normalized("1 415 555 2671", "US") == .success("+14155552671"))
        #expect(normalized("1-800-555-0199", "US") == .success("+18005550199"))
        #expect(normalized("604-555-0147", "CA") == .success("+16045550147"))
        #expect(normalized("1 (604) 555-0147", "CA") == .success("+16045550147"))
    }

    @Test func unitedStatesRefusesOtherLengths() {
        let reason = "a US number has 10 digits, or 11 starting with 1"
        #expect(normalized("555-2671", "US") == refusal("555-2671", reason))
        #expect(normalized("2 415 555 2671", "US") == refusal("2 415 555 2671", reason))
        #expect(normalized("415 555 26711", "US") == refusal("415 555 26711", reason))
        #expect(normalized("604 555 014", "CA") == refusal("604 555 014", "a CA number has 10 digits, or 11 starting with 1"))
    }

    @Test func ireland() {
        #expect(normalized("087 123 4567", "IE") == .success("+353871234567"))
        #expect(normalized("(01) 234 5678", "IE") == .success("+35312345678"))
        #expect(normalized("353871234567", "IE") == .success("+353871234567"))
    }

    @Test func germany() {
        #expect(normalized("030 1234567", "DE") == .success("+49301234567"))
        #expect(normalized("0151 23456789", "DE") == .success("+4915123456789"))
    }

    @Test func france() {
        #expect(normalized("06 12 34 56 78", "FR") == .success("+33612345678"))
        #expect(normalized("01.23.45.67.89", "FR") == .success("+33123456789"))
        #expect(normalized("33612345678", "FR") == .success("+33612345678"))
    }

    @Test func india() {
        #expect(normalized("098765 43210", "IN") == .success("+919876543210"))
        #expect(normalized("98765-43210", "IN") == .success("+919876543210"))
        #expect(normalized("919876543210", "IN") == .success("+919876543210"))
    }

    @Test func singaporeHasNoTrunkZero() {
        #expect(normalized("9123 4567", "SG") == .success("+6591234567"))
        #expect(normalized("6123-4567", "SG") == .success("+6561234567"))
        #expect(normalized("6591234567", "SG") == .success("+6591234567"))
        #expect(normalized("0123 4567", "SG") == .success("+6501234567"))
    }

    // MARK: - Refusals

    @Test func refusesLetters() {
        let reason = #"it may only hold digits, spaces, dashes, dots, parentheses and a leading "+""#
        #expect(normalized("abc") == refusal("abc", reason))
        #expect(normalized("0429 069 97I") == refusal("0429 069 97I", reason))
        #expect(normalized("0429069971 ext 12") == refusal("0429069971 ext 12", reason))
        #expect(normalized("0429/069/971") == refusal("0429/069/971", reason))
        #expect(normalized("*21#") == refusal("*21#", reason))
    }

    @Test func refusesAMisplacedPlus() {
        #expect(normalized("++61429069971") == refusal("++61429069971", #"a "+" may only come first"#))
        #expect(normalized("61+429069971") == refusal("61+429069971", #"a "+" may only come first"#))
    }

    @Test func refusesTooShort() {
        #expect(normalized("123") == refusal("123", "too short (5 digits with the country code; E.164 needs 8 to 15)"))
        #expect(normalized("+1234567") == refusal("+1234567", "too short (7 digits with the country code; E.164 needs 8 to 15)"))
        #expect(normalized("0123", "NZ") == refusal("0123", "too short (5 digits with the country code; E.164 needs 8 to 15)"))
    }

    @Test func refusesTooLong() {
        #expect(
            normalized("+1234567890123456")
                == refusal("+1234567890123456", "too long (16 digits with the country code; E.164 allows at most 15)"))
        #expect(
            normalized("0429 069 971 123 456")
                == refusal("0429 069 971 123 456", "too long (17 digits with the country code; E.164 allows at most 15)"))
    }

    @Test func refusesEmptyAndDigitless() {
        #expect(normalized("") == refusal("", "it has no digits"))
        #expect(normalized("   ") == refusal("   ", "it has no digits"))
        #expect(normalized("+") == refusal("+", "it has no digits"))
        #expect(normalized("(--)") == refusal("(--)", "it has no digits"))
    }

    @Test func refusesCountryCodeZero() {
        #expect(normalized("+0429069971") == refusal("+0429069971", "a country code cannot start with 0"))
        #expect(normalized("000429069971") == refusal("000429069971", "a country code cannot start with 0"))
    }

    @Test func refusalsAreNotRetryable() {
        guard case .failure(let failure) = normalized("abc") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.retryable == false)
        #expect(failure.message.contains("cannot be a phone number"))
        #expect(failure.message.contains("abc"))
    }

    @Test func unknownRegionIsNamed() {
        let expected = StepFailure(#"unknown phone region "XX" (supported: AU, CA, DE, FR, GB, IE, IN, NZ, SG, US)"#)
        #expect(normalized("0429069971", "XX") == .failure(expected))
        #expect(normalized("+61429069971", "XX") == .failure(expected))
        #expect(
            normalized("020 7946 0958", "UK")
                == .failure(StepFailure(#"unknown phone region "UK" (supported: AU, CA, DE, FR, GB, IE, IN, NZ, SG, US)"#)))
        #expect(
            normalized("0429069971", "")
                == .failure(StepFailure(#"unknown phone region "" (supported: AU, CA, DE, FR, GB, IE, IN, NZ, SG, US)"#)))
    }
}

/// The last webhook payload an automation received, kept for its field
/// picker. Only a payload of at most `maxBytes` becomes the sample: a larger
/// one still runs its execution, but is not stored a second time as the
/// sample, so no page or API answer built from the sample can grow with
/// what a stranger sends.
public enum AutomationSample {
    public static let maxBytes = 65_536

    /// Whether a payload of `size` bytes may become the sample.
    public static func keeps(size: Int) -> Bool { size <= maxBytes }
}

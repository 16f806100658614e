import VoxworksCore

/// Places calls. A real telephony provider would implement this; the one
/// shipped is `SimulatedCallProvider`, for self-hosting without telephony.
public protocol CallProvider: Sendable {
    /// Hands over a stored, scheduled call. The provider reports the end
    /// through `CallCompletion.finish`.
    func place(_ call: Call) async throws
}

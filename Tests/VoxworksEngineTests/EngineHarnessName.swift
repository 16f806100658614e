import VoxworksTestSupport

/// Engine tests drive the engine alone: the shared driver, under the name
/// the server tests' harness also answers to.
typealias EngineHarness = EngineDriver

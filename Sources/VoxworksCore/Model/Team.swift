import Foundation

public struct Team: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var createdAt: Timestamp

    public init(id: UUID, name: String, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

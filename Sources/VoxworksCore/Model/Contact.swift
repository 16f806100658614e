import Foundation

/// A person the team may call; unique per team by E.164 phone number.
public struct Contact: Sendable, Equatable {
    public var id: UUID
    public var teamID: UUID
    public var phoneNumber: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var title: String?
    public var address: String?
    public var location: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: UUID, teamID: UUID, phoneNumber: String?, firstName: String?, lastName: String?, email: String?, title: String?,
        address: String?, location: String?, createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.teamID = teamID
        self.phoneNumber = phoneNumber
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.title = title
        self.address = address
        self.location = location
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The contact after an upsert writes `fields`: a nil field keeps the
    /// stored value (the stores' `COALESCE`), so the stores need not read the
    /// row back.
    public func updated(with fields: ContactFields, at now: Timestamp) -> Contact {
        var contact = self
        contact.phoneNumber = fields.phoneNumber ?? phoneNumber
        contact.firstName = fields.firstName ?? firstName
        contact.lastName = fields.lastName ?? lastName
        contact.email = fields.email ?? email
        contact.title = fields.title ?? title
        contact.address = fields.address ?? address
        contact.location = fields.location ?? location
        contact.updatedAt = now
        return contact
    }

    /// Whether an upsert of `fields` would change nothing but `updatedAt`:
    /// the stores then write nothing (no row lock held to a commit, no
    /// `updated_at` moved), as a sender that repeats the same data expects.
    public func isUnchanged(by fields: ContactFields) -> Bool {
        updated(with: fields, at: updatedAt) == self
    }

    public var fullName: String? {
        let parts = [firstName, lastName].compactMap { $0?.isEmpty == false ? $0 : nil }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// The shape of `contact.*` in the context and of the API.
    public var json: JSONValue {
        .object([
            "id": .string(id.lowercased),
            "phone_number": phoneNumber.json,
            "first_name": firstName.json,
            "last_name": lastName.json,
            "full_name": fullName.json,
            "email": email.json,
            "title": title.json,
            "address": address.json,
            "location": location.json,
            "created_at": .string(createdAt.rfc3339),
            "updated_at": .string(updatedAt.rfc3339),
        ])
    }
}

/// The fields an upsert may set; nil leaves a stored value alone.
public struct ContactFields: Sendable, Equatable {
    public var phoneNumber: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var title: String?
    public var address: String?
    public var location: String?

    public init(
        phoneNumber: String? = nil, firstName: String? = nil, lastName: String? = nil, email: String? = nil, title: String? = nil,
        address: String? = nil, location: String? = nil
    ) {
        self.phoneNumber = phoneNumber
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.title = title
        self.address = address
        self.location = location
    }
}

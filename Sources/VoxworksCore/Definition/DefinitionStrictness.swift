/// Whether fields a definition does not know are refused.
///
/// Definitions sent to the API are read strictly: a typo such as `metod`
/// would otherwise be accepted and silently do something else (send `POST`).
/// Definitions already stored are read leniently, so that an automation
/// saved before the rule existed keeps running; the node reports such
/// definitions when it starts (`DefinitionAudit`) instead of breaking them.
public enum DefinitionStrictness: Sendable {
    case strict
    case lenient
}

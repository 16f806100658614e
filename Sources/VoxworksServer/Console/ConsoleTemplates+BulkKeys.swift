/// The keys page and bulk replay's pieces (the offer on the execution log,
/// the progress page), apart from the other templates.
extension ConsoleTemplates {
    static let bulkKeys: [(String, String)] = [
        ("keys", keys), ("bulk_replay_offer", bulkReplayOffer), ("bulk_replay", bulkReplay), ("bulk_replay_live", bulkReplayLive),
    ]

    static let keys = #"""
        {{> header}}
        <h1>API keys</h1>
        <p>This team's keys, for the API and for signing in here. A key is shown once, when it is made; the list shows only its first characters. Revoking a key answers <code>401</code> to every program that uses it and signs out the console sessions opened with it.</p>
        {{#newKey}}<section class="card" aria-labelledby="new-key-heading"><h2 id="new-key-heading">New key “{{newKeyName}}”</h2><p><strong>Copy it now: it is not shown again.</strong></p><pre class="mono" id="new-key">{{newKey}}</pre><button type="button" data-copy-target="new-key" hidden>Copy</button></section>{{/newKey}}
        <form method="post" action="/app/keys" class="filters"><input type="hidden" name="csrf" value="{{csrf}}">
        <div class="field"><label for="key-name">Name</label><input id="key-name" name="name" required maxlength="100"{{#nameError}} aria-invalid="true" aria-describedby="key-name-error"{{/nameError}}>{{#nameError}}<p class="field-error" id="key-name-error">✗ {{nameError}}</p>{{/nameError}}</div>
        <button type="submit" class="primary" id="create-key">Create key</button>
        </form>
        <table class="stack">
        <thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
        <tbody>
        {{#keys}}
        <tr>
        <td data-label="Name">{{name}}{{#current}} <span class="muted">(this session's key)</span>{{/current}}</td>
        <td data-label="Starts with" class="mono">{{prefix}}…</td>
        <td data-label="Created"><time datetime="{{createdAt}}">{{createdAt}}</time></td>
        <td data-label="Last used">{{#lastUsedAt}}<time datetime="{{lastUsedAt}}">{{lastUsedAt}}</time>{{/lastUsedAt}}{{^lastUsedAt}}never{{/lastUsedAt}}</td>
        <td data-label="State">{{#revokedAt}}Revoked <time datetime="{{revokedAt}}">{{revokedAt}}</time>{{/revokedAt}}{{^revokedAt}}Live{{/revokedAt}}</td>
        <td data-label="Action">{{^revokedAt}}<form method="post" action="/app/keys/{{id}}/revoke" data-confirm="Revoke the key “{{name}}”? Programs using it get 401 from now on, and console sessions opened with it end."><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="revoke-{{id}}">Revoke</button></form>{{/revokedAt}}</td>
        </tr>
        {{/keys}}
        </tbody>
        </table>
        {{> footer}}
        """#

    /// On the execution log: replay every execution the current filter matches.
    static let bulkReplayOffer = #"""
        {{#bulkOffer}}
        <form method="post" action="/app/executions/bulk-replay" class="bulk-offer" data-confirm="Replay all {{count}} matching executions ({{fromLabel}})?">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="bulk_key" value="{{idempotencyKey}}">
        <input type="hidden" name="statuses" value="{{statuses}}">
        <input type="hidden" name="automation_id" value="{{automationID}}">
        <input type="hidden" name="created_after" value="{{createdAfter}}">
        <input type="hidden" name="created_before" value="{{createdBefore}}">
        <input type="hidden" name="from" value="{{from}}">
        <button type="submit" id="bulk-replay">Replay all {{count}} matching</button> <span class="muted small">{{fromLabel}}; {{statusLabel}} not yet resolved by a replay.</span>
        </form>
        {{/bulkOffer}}
        {{#bulkTooMany}}<p class="muted small">More than {{bulkTooMany}} executions match: narrow the filter to replay them in bulk.</p>{{/bulkTooMany}}
        """#

    static let bulkReplay = #"""
        {{> header}}
        <h1>Bulk replay <span class="mono">{{shortID}}</span></h1>
        <p><a href="/app/executions">← Executions</a></p>
        <div id="live"{{#running}} data-refresh="2000" data-refresh-url="/app/bulk/{{id}}" data-reload-when-final="1"{{/running}}>{{> bulk_replay_live}}</div>
        {{#running}}<form method="post" action="/app/bulk/{{id}}/cancel" data-confirm="Cancel this bulk replay? Replays already made go on."><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="bulk-cancel">Cancel</button></form>{{/running}}
        {{> footer}}
        """#

    static let bulkReplayLive = #"""
        <dl class="facts">
        <dt>Status</dt><dd id="bulk-status">{{status}}</dd>
        <dt>Progress</dt><dd><progress max="{{total}}" value="{{processed}}">{{processed}} of {{total}}</progress> <span id="bulk-progress">{{processed}} of {{total}}</span></dd>
        <dt>Replayed</dt><dd id="bulk-done">{{done}}</dd>
        <dt>Could not be replayed</dt><dd id="bulk-failed">{{failed}}</dd>
        <dt>From</dt><dd>{{fromLabel}}</dd>
        <dt>Started</dt><dd><time datetime="{{createdAt}}">{{createdAt}}</time></dd>
        {{#finishedAt}}<dt>Ended</dt><dd><time datetime="{{finishedAt}}">{{finishedAt}}</time></dd>{{/finishedAt}}
        </dl>
        """#
}

import Mustache

/// The console's pages, compiled into the binary. Every `{{value}}` is
/// escaped for HTML by `ConsoleHTMLContentType`; no template uses the
/// unescaped `{{{value}}}` or `{{&value}}` forms (a test checks both).
enum ConsoleTemplates {
    /// Parsed once. A template that does not parse is a programming error that
    /// the console tests catch; at run time it turns into a plain 500, not a trap.
    static let library: Result<MustacheLibrary, any Error> = Result {
        // The parser looks the content type up by name, so it must be known first.
        MustacheContentTypes.register(ConsoleHTMLContentType(), named: ConsoleHTMLContentType.name)
        var library = MustacheLibrary()
        for (name, text) in registered {
            try library.register(text, named: name)
        }
        return library
    }

    /// What the library parses: each template behind the pragma that selects
    /// the console's escaping. Added here rather than written in each
    /// template so that no template (a partial above all, which the engine
    /// starts with its own escaping again) can be without it. On a line of
    /// its own the pragma renders as nothing, not even its line break.
    static let registered: [(String, String)] = all.map { ($0.0, ConsoleHTMLContentType.pragma + "\n" + $0.1) }

    static let all: [(String, String)] =
        [
            ("header", header), ("footer", footer), ("badge", badge), ("error", error), ("sign_in", signIn),
            ("automations", automations), ("automation_form", automationForm), ("automation", automation),
            ("executions", executions), ("executions_table", executionsTable), ("execution", execution),
            ("execution_live", executionLive), ("destinations", destinations), ("requests", requests), ("request", request),
        ] + overviewTemplates + bulkKeys

    static let destinations = #"""
        {{> header}}
        <h1>Destinations</h1>
        <p>Receivers your <code>http_request</code> steps send to, as this node sees them. A destination that fails {{failureThreshold}} times in a row is paused (its circuit opens): executions that reach it wait in the queue until the pause ends, holding no worker and spending no attempt. At most {{maxInFlight}} requests go to one destination at once.</p>
        <p class="muted small">This node only · updated {{updatedAt}}.</p>
        {{#hasDestinations}}
        <table class="stack">
        <thead><tr><th scope="col">Destination</th><th scope="col">Circuit</th><th scope="col">Failures in a row</th><th scope="col">Paused until</th><th scope="col">In flight</th></tr></thead>
        <tbody>
        {{#destinations}}
        <tr>
        <td data-label="Destination" class="mono">{{origin}}</td>
        <td data-label="Circuit">{{state}}</td>
        <td data-label="Failures in a row">{{failures}}</td>
        <td data-label="Paused until">{{#openUntil}}<time datetime="{{openUntil}}">{{openUntil}}</time>{{/openUntil}}{{^openUntil}}—{{/openUntil}}</td>
        <td data-label="In flight">{{inFlight}}</td>
        </tr>
        {{/destinations}}
        </tbody>
        </table>
        {{/hasDestinations}}
        {{^hasDestinations}}<p class="empty">No destination has failed or is busy right now.</p>{{/hasDestinations}}
        {{> footer}}
        """#

    static let header = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Voxworks</title>
        <link rel="stylesheet" href="/app/assets/console.css?v={{assetVersion}}">
        <script src="/app/assets/console.js?v={{assetVersion}}" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <a class="brand" href="/app">Voxworks</a>
        {{#signedIn}}
        <nav aria-label="Main">
        <a href="/app/overview"{{#navOverview}} aria-current="page"{{/navOverview}}>Overview</a>
        <a href="/app/automations"{{#navAutomations}} aria-current="page"{{/navAutomations}}>Automations</a>
        <a href="/app/executions"{{#navExecutions}} aria-current="page"{{/navExecutions}}>Executions</a>
        <a href="/app/destinations"{{#navDestinations}} aria-current="page"{{/navDestinations}}>Destinations</a>
        <a href="/app/requests"{{#navRequests}} aria-current="page"{{/navRequests}}>Requests</a>
        <a href="/app/keys"{{#navKeys}} aria-current="page"{{/navKeys}}>API keys</a>
        </nav>
        <form class="sign-out" method="post" action="/app/sign-out"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>
        {{/signedIn}}
        </header>
        <main id="main">
        {{#notice}}<p class="notice" role="status">✓ {{notice}}</p>{{/notice}}

        """#

    static let footer = #"""
        </main>
        </body>
        </html>

        """#

    static let badge = #"<span class="badge badge-{{css}}"><span aria-hidden="true">{{symbol}}</span> {{label}}</span>"#

    static let error = #"""
        {{> header}}
        <h1>{{heading}}</h1>
        <p class="error-box" role="alert">{{message}}</p>
        <p><a href="/app/automations">Back to automations</a></p>
        {{> footer}}
        """#

    static let signIn = #"""
        {{> header}}
        <h1>Sign in</h1>
        <p>Paste an API key of your team (it starts with <code>vx_</code>). <code>voxworks serve</code> prints one at its first start; <code>voxworks keys create</code> issues another.</p>
        <form method="post" action="/app/sign-in" class="card narrow">
        <input type="hidden" name="csrf" value="{{signInToken}}">
        <div class="field">
        <label for="api_key">API key</label>
        <input id="api_key" name="api_key" type="password" autocomplete="current-password" required{{#keyError}} aria-invalid="true" aria-describedby="api_key_error"{{/keyError}}>
        {{#keyError}}<p class="field-error" id="api_key_error">✗ {{keyError}}</p>{{/keyError}}
        </div>
        <button type="submit" class="primary">Sign in</button>
        </form>
        {{> footer}}
        """#

    static let automations = #"""
        {{> header}}
        <div class="page-head"><h1>Automations</h1><a class="button primary" href="/app/automations/new">New automation</a></div>
        {{#hasAutomations}}
        <table class="stack">
        <thead><tr><th scope="col">Name</th><th scope="col">Enabled</th><th scope="col">Webhook URL</th><th scope="col">Last 24 h</th><th scope="col">Last status</th></tr></thead>
        <tbody>
        {{#automations}}
        <tr>
        <td data-label="Name"><a href="/app/automations/{{id}}">{{name}}</a></td>
        <td data-label="Enabled">{{#enabled}}<span class="on">● Enabled</span>{{/enabled}}{{^enabled}}<span class="off">○ Disabled</span>{{/enabled}}</td>
        <td data-label="Webhook URL"><span class="url"><code id="url-{{id}}">{{url}}</code> <button type="button" class="copy" data-copy-target="url-{{id}}" hidden>Copy</button></span></td>
        <td data-label="Last 24 h"><a href="/app/executions?automation_id={{id}}">{{recentCount}} executions</a></td>
        <td data-label="Last status">{{#lastBadge}}{{> badge}}{{/lastBadge}}{{^lastBadge}}<span class="muted">none yet</span>{{/lastBadge}}</td>
        </tr>
        {{/automations}}
        </tbody>
        </table>
        {{/hasAutomations}}
        {{^hasAutomations}}<p class="empty">No automations yet. <a href="/app/automations/new">Create the first one</a>.</p>{{/hasAutomations}}
        {{#nextURL}}<nav class="pager" aria-label="Pages"><a href="{{nextURL}}">More automations →</a></nav>{{/nextURL}}
        {{> footer}}
        """#

    static let automationForm = #"""
        {{> header}}
        <h1>{{heading}}</h1>
        <form method="post" action="{{action}}" class="card" novalidate>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <div class="field">
        <label for="name">Name</label>
        <input id="name" name="name" value="{{name}}" maxlength="200" required{{#nameError}} aria-invalid="true" aria-describedby="name_error"{{/nameError}}>
        {{#nameError}}<p class="field-error" id="name_error" role="alert">✗ {{nameError}}</p>{{/nameError}}
        </div>
        <div class="field">
        <label for="definition">Definition (JSON)</label>
        <p class="hint" id="definition_hint">A trigger and its steps: transform, condition, upsert_contact, upsert_object, http_request, create_call, delay. Paths such as <code>trigger.email</code> come from the sample payload listed on the automation's page.</p>
        {{#definitionError}}<p class="field-error" id="definition_error" role="alert">✗ {{definitionError}}</p>{{/definitionError}}
        <textarea id="definition" name="definition" rows="18" spellcheck="false" aria-describedby="definition_hint{{#definitionError}} definition_error{{/definitionError}}"{{#definitionError}} aria-invalid="true"{{/definitionError}}>{{definition}}</textarea>
        </div>
        {{#isNew}}
        <div class="field check"><input type="checkbox" id="enabled" name="enabled" value="on"{{#enabledChecked}} checked{{/enabledChecked}}> <label for="enabled">Enabled</label></div>
        <div class="field check"><input type="checkbox" id="signing" name="signing" value="on"{{#signingChecked}} checked{{/signingChecked}}> <label for="signing">Require signed webhooks (the secret is shown once, after saving)</label></div>
        {{/isNew}}
        <fieldset class="field sender" aria-describedby="sender_hint">
        <legend>Sender</legend>
        <p class="hint" id="sender_hint">Who sends to this webhook. The service checks each request the way that provider signs it, and answers its setup handshake. Paste the provider's secret or key exactly as its dashboard shows it: it is sealed when saved and never shown again{{#hookURL}} (leave the box empty to keep the current one; a new one keeps the previous working for a grace period){{/hookURL}}.</p>
        {{#senderError}}<p class="field-error" id="sender_error" role="alert">✗ {{senderError}}</p>{{/senderError}}
        <label for="scheme">Sender</label>
        <select id="scheme" name="scheme"{{#senderError}} aria-invalid="true" aria-describedby="sender_error"{{/senderError}}><option value=""{{#noSender}} selected{{/noSender}}>Anyone (no signature checked)</option>{{#senders}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/senders}}</select>
        <label for="credential">Secret or key</label>
        <input id="credential" name="credential" type="password" autocomplete="off" spellcheck="false">
        <label for="verification_settings">Other settings (JSON, optional)</label>
        <input id="verification_settings" name="verification_settings" value="{{verificationSettings}}" spellcheck="false" class="mono">
        <p class="hint">Give the provider this URL: {{#hookURL}}<code>{{hookURL}}</code>{{/hookURL}}{{^hookURL}}the webhook URL shown after saving{{/hookURL}}.</p>
        <details><summary>Where each provider shows its secret</summary>
        <dl class="facts small">{{#senderGuides}}<dt>{{label}}</dt><dd>{{where}}{{#settingsHint}} Settings: <code>{{settingsHint}}</code>{{/settingsHint}}</dd>{{/senderGuides}}</dl>
        </details>
        </fieldset>
        <div class="actions"><button type="submit" class="primary">Save</button> <a href="{{cancelURL}}">Cancel</a></div>
        </form>
        {{> footer}}
        """#

    static let automation = #"""
        {{> header}}
        <div class="page-head"><h1>{{name}}</h1><a class="button" href="/app/automations/{{id}}/edit">Edit</a></div>
        {{#secret}}
        <div class="secret" role="alert">
        <h2>Signing secret</h2>
        <p>Copy it now: it is shown only this once. Senders sign the exact body with HMAC-SHA256 keyed with it and send <code>X-Webhook-Signature: sha256=&lt;hex&gt;</code>.</p>
        <p class="url"><code id="secret-value">{{secret}}</code> <button type="button" class="copy" data-copy-target="secret-value" hidden>Copy</button></p>
        </div>
        {{/secret}}
        <section class="card" aria-labelledby="webhook-heading">
        <h2 id="webhook-heading">Webhook</h2>
        <dl class="facts">
        <dt>Status</dt><dd>{{#enabled}}<span class="on">● Enabled</span>{{/enabled}}{{^enabled}}<span class="off">○ Disabled</span> (its webhook answers 404){{/enabled}}</dd>
        <dt>URL</dt><dd class="url"><code id="webhook-url">{{url}}</code> <button type="button" class="copy" data-copy-target="webhook-url" hidden>Copy</button></dd>
        <dt>Signing</dt><dd>{{#signing}}Required{{#ownSecrets}} (HMAC-SHA256){{/ownSecrets}}{{/signing}}{{^signing}}Off{{/signing}}</dd>
        <dt>Sender</dt><dd>{{#senderName}}{{senderName}}{{^signing}} (no secret yet){{/signing}}{{/senderName}}{{^senderName}}Anyone: signatures are not checked{{/senderName}}</dd>
        {{#senderWhere}}<dt>Its secret</dt><dd>{{senderWhere}}</dd>{{/senderWhere}}
        {{#senderName}}<dt>URL to give it</dt><dd class="url"><code>{{senderURL}}</code></dd>{{/senderName}}
        <dt>Accepts</dt><dd>{{accept}}</dd>
        <dt>Rate limit</dt><dd>{{rate}}</dd>
        <dt>Executions</dt><dd><a href="/app/executions?automation_id={{id}}">Execution log of this automation</a></dd>
        </dl>
        <details class="wire"><summary>Send to it from your system</summary>
        <p>POST a JSON object to the URL. Give each event its own <code>Idempotency-Key</code>: a retry with the same key never starts a second execution.{{#signing}} Sign the exact body: <code>X-Webhook-Signature: sha256=</code> followed by the hex HMAC-SHA256 of the body, keyed with the secret's bytes (the base64 after <code>whsec_</code>).{{/signing}}</p>
        <pre class="json" id="curl-example">{{curlExample}}</pre>
        <button type="button" class="copy" data-copy-target="curl-example" hidden>Copy</button>
        </details>
        <div class="actions">
        <form method="post" action="/app/automations/{{id}}/enabled"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="enabled" value="{{#enabled}}false{{/enabled}}{{^enabled}}true{{/enabled}}"><button type="submit">{{#enabled}}Disable{{/enabled}}{{^enabled}}Enable{{/enabled}}</button></form>
        <form method="post" action="/app/automations/{{id}}/rotate-token" data-confirm="The current webhook URL stops working at once. Rotate the token?"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Rotate token</button></form>
        {{#ownSecrets}}<form method="post" action="/app/automations/{{id}}/rotate-secret"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{#signing}}Rotate secret{{/signing}}{{^signing}}Turn signing on{{/signing}}</button></form>{{/ownSecrets}}
        {{#signing}}<form method="post" action="/app/automations/{{id}}/signing-off" data-confirm="Unsigned webhooks will be accepted. Turn signing off?"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Turn signing off</button></form>{{/signing}}
        <a class="button" href="/app/automations/{{id}}/delete" id="delete-automation">Delete…</a>
        </div>
        </section>
        <section class="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent executions</h2>
        <div id="recent" data-refresh="5000" data-refresh-url="/app/automations/{{id}}">{{> executions_table}}</div>
        </section>
        <section class="card" aria-labelledby="test-heading">
        <h2 id="test-heading">Test webhook</h2>
        <p>Sends this JSON to the webhook URL exactly as a sender would{{#signing}}, signed with the automation's secret the way {{#senderName}}{{senderName}}{{/senderName}} signs{{/signing}}, then opens the execution it started.</p>
        {{#cannotSign}}<p class="hint" id="cannot_sign">Test webhook cannot sign as {{senderName}} does (the service holds only what verifies its signature), so a test from here is refused with 401: send one from the provider's dashboard instead.</p>{{/cannotSign}}
        <form method="post" action="/app/automations/{{id}}/test">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <div class="field">
        <label for="payload">Sample payload (a JSON object)</label>
        {{#sampleCut}}<p class="hint" id="sample_cut">The kept sample is too large to edit here, so this starts from an example. <a href="/app/automations/{{id}}/sample.json" download id="sample-raw">Download the whole sample (JSON)</a></p>{{/sampleCut}}
        {{#payloadError}}<p class="field-error" id="payload_error" role="alert">✗ {{payloadError}}</p>{{/payloadError}}
        <textarea id="payload" name="payload" rows="10" spellcheck="false"{{#payloadError}} aria-invalid="true" aria-describedby="payload_error"{{/payloadError}}>{{payload}}</textarea>
        </div>
        <div class="actions">
        <button type="submit" class="primary" id="send-test">Send test webhook</button>
        <button type="submit" formaction="/app/automations/{{id}}/sample" id="use-sample">Use as sample</button>
        </div>
        </form>
        <h3 id="fields">Fields of the sample</h3>
        {{#hasFields}}
        <p>{{sampleNote}} Copy a path into a step: as a <code>source</code> or <code>field</code> as it is, in any other string as a template such as <code>{{templateExample}}</code>.</p>
        {{#showFieldFilter}}<form method="get" action="/app/automations/{{id}}#fields" class="filters" role="search"><div class="field"><label for="fields-filter">Find a field path</label><input id="fields-filter" name="fields" value="{{fieldFilter}}" maxlength="256"></div><button type="submit">Filter</button>{{#fieldFilter}} <a href="/app/automations/{{id}}#fields">Show the first ones</a>{{/fieldFilter}}</form>{{/showFieldFilter}}
        <p class="muted small" id="fields-summary">{{fieldsSummary}}</p>
        <ul class="paths">{{#fields}}<li><code id="path-{{index}}">{{path}}</code> <button type="button" class="copy" data-copy-target="path-{{index}}" hidden>Copy</button></li>{{/fields}}</ul>
        {{#noFieldMatches}}<p class="muted">No field path contains that text.</p>{{/noFieldMatches}}
        {{/hasFields}}
        {{^hasFields}}<p class="muted">No sample yet: send a test webhook, or press “Use as sample”.</p>{{/hasFields}}
        {{#sampleCut}}<details><summary>The kept sample (its start)</summary><pre class="json" id="sample-preview">{{samplePreview}}</pre></details>{{/sampleCut}}
        </section>
        <section class="card" aria-labelledby="definition-heading"><h2 id="definition-heading">Definition</h2>{{#definitionCut}}<p class="muted small">Only the start is shown; the edit form has all of it.</p>{{/definitionCut}}<pre class="json">{{definition}}</pre></section>
        {{> footer}}
        """#

    static let executions = #"""
        {{> header}}
        <h1>{{heading}}</h1>
        <form method="get" action="/app/executions" class="filters">
        <div class="field"><label for="status">Status</label><select id="status" name="status"><option value="">Any status</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></div>
        <div class="field"><label for="automation_id">Automation</label><select id="automation_id" name="automation_id"><option value="">All automations</option>{{#automationOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/automationOptions}}</select></div>
        <div class="field"><label for="from">Received from (UTC)</label><input id="from" name="from" type="date" value="{{filterFrom}}"></div>
        <div class="field"><label for="to">Received to (UTC, inclusive)</label><input id="to" name="to" type="date" value="{{filterTo}}"></div>
        <div class="field"><label for="idempotency_key">Idempotency key</label><input id="idempotency_key" name="idempotency_key" value="{{filterIdempotencyKey}}" maxlength="255"></div>
        <button type="submit">Filter</button>
        </form>
        {{> bulk_replay_offer}}
        <div id="log" data-refresh="5000">{{> executions_table}}</div>
        {{> footer}}
        """#

    static let executionsTable = #"""
        <p class="muted small">Newest first · updated {{updatedAt}} · refreshes every 5 s while this tab is open.</p>
        {{#hasExecutions}}
        <table class="stack">
        <thead><tr><th scope="col">Status</th><th scope="col">Automation</th><th scope="col">Received</th><th scope="col">Duration</th><th scope="col">Steps done</th><th scope="col">Error</th><th scope="col">Execution</th></tr></thead>
        <tbody>
        {{#executions}}
        <tr>
        <td data-label="Status">{{#badge}}{{> badge}}{{/badge}}</td>
        <td data-label="Automation">{{automationName}}</td>
        <td data-label="Received"><time datetime="{{receivedAt}}" title="{{absolute}}">{{relative}}</time><span class="abs">{{absolute}}</span></td>
        <td data-label="Duration">{{duration}}</td>
        <td data-label="Steps done">{{stepsCompleted}}/{{stepsTotal}}</td>
        <td data-label="Error">{{#listedError}}<span class="error-cell">✗ {{listedError}}</span>{{/listedError}}{{^listedError}}<span class="muted">—</span>{{/listedError}}</td>
        <td data-label="Execution"><a class="open-execution" href="/app/executions/{{id}}">Open <span class="mono">{{shortID}}</span></a></td>
        </tr>
        {{/executions}}
        </tbody>
        </table>
        {{/hasExecutions}}
        {{^hasExecutions}}<p class="empty">No executions match. Send a test webhook from an automation's page.</p>{{/hasExecutions}}
        <nav class="pager" aria-label="Pages">{{#newestURL}}<a href="{{newestURL}}">← Newest</a> {{/newestURL}}{{#olderURL}}<a href="{{olderURL}}">Older →</a>{{/olderURL}}</nav>

        """#

    static let execution = #"""
        {{> header}}
        <div class="page-head"><h1>Execution <span class="mono">{{shortID}}</span></h1></div>
        <p><a href="/app/executions?automation_id={{automationID}}">← Executions of {{automationName}}</a></p>
        <div class="actions">
        <form method="post" action="/app/executions/{{id}}/replay"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="from" value="start"><button type="submit" id="replay-start">Replay from start</button></form>
        {{#canReplayFailed}}<form method="post" action="/app/executions/{{id}}/replay"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="from" value="failed_step"><button type="submit" class="primary" id="replay-failed">Replay from failed step</button></form>{{/canReplayFailed}}
        {{#canCancel}}<form method="post" action="/app/executions/{{id}}/cancel" data-confirm="Cancel this execution?"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="cancel">Cancel</button></form>{{/canCancel}}
        {{#hasAutomation}}<form method="post" action="/app/automations/{{automationID}}/sample"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="execution_id" value="{{id}}"><button type="submit">Use payload as sample</button></form>{{/hasAutomation}}
        </div>
        <div id="live"{{#live}} data-refresh="3000" data-refresh-url="/app/executions/{{id}}" data-reload-when-final="1"{{/live}}>{{> execution_live}}</div>
        <section class="card" aria-labelledby="payload-heading"><h2 id="payload-heading">Trigger payload</h2>{{#payloadCut}}<p class="muted small">Only the start of the payload is shown. <a href="{{payloadRawURL}}" download id="payload-raw">Download the whole payload (JSON)</a></p>{{/payloadCut}}<pre class="json">{{payload}}</pre></section>
        {{> footer}}
        """#

    static let executionLive = #"""
        <dl class="facts">
        <dt>Status</dt><dd>{{#badge}}{{> badge}}{{/badge}}</dd>
        <dt>Automation</dt><dd>{{#hasAutomation}}<a href="/app/automations/{{automationID}}">{{automationName}}</a>{{/hasAutomation}}{{^hasAutomation}}{{automationName}}{{/hasAutomation}}</dd>
        <dt>Received</dt><dd><time datetime="{{receivedAt}}" title="{{absolute}}">{{absolute}}</time> ({{relative}})</dd>
        <dt>Duration</dt><dd>{{duration}}</dd>
        <dt>Steps done</dt><dd>{{stepsCompleted}}/{{stepsTotal}}</dd>
        <dt>Attempt</dt><dd>{{attempt}}</dd>
        {{#requestID}}<dt>Request</dt><dd><a id="execution-request" href="/app/requests/{{requestID}}">The request that started it</a></dd>{{/requestID}}
        {{#replayOf}}<dt>Replay of</dt><dd><a href="/app/executions/{{replayOf}}">{{replayOfShort}}</a></dd>{{/replayOf}}
        {{#resolvedBy}}<dt>Resolved by</dt><dd><a href="/app/executions/{{resolvedBy}}">{{resolvedByShort}}</a> (a replay that completed: this execution no longer counts as open)</dd>{{/resolvedBy}}
        </dl>
        {{#error}}<div class="error-box" role="alert"><strong>✗ Error:</strong> {{error}}</div>{{/error}}
        <h2>Steps</h2>
        {{#hasSteps}}
        <ol class="steps">
        {{#steps}}
        <li class="step step-{{css}}">
        <div class="step-head"><strong class="mono">{{stepID}}</strong> <span class="muted">{{type}}</span> {{#badge}}{{> badge}}{{/badge}} <span>{{duration}}</span> <span class="muted">attempts: {{attempts}}</span></div>
        {{#stepError}}<div class="error-box"><strong>✗ Error:</strong> {{stepError}}</div>{{/stepError}}
        {{#hasAttempts}}<details class="attempts"{{#open}} open{{/open}}><summary>HTTP attempts ({{attemptTotal}})</summary><ol class="timeline">{{#attemptRows}}{{#gap}}<li class="attempt-gap muted">… {{gap}}</li>{{/gap}}{{^gap}}<li class="attempt attempt-{{attemptCSS}}"><div class="attempt-head"><span class="mono">#{{number}}</span> <time datetime="{{startedAt}}">{{startedAt}}</time> <span>{{attemptDuration}}</span> <strong>{{outcome}}</strong></div>{{#attemptError}}<div class="muted small">{{attemptError}}</div>{{/attemptError}}{{#hasHeaders}}<dl class="facts small">{{#headers}}<dt>{{name}}</dt><dd class="mono">{{value}}</dd>{{/headers}}</dl>{{/hasHeaders}}{{#body}}<pre class="json">{{body}}</pre>{{/body}}{{#bodyTruncated}}<p class="muted small">Only the first 4 KB of the body was kept.</p>{{/bodyTruncated}}</li>{{/gap}}{{/attemptRows}}</ol></details>{{/hasAttempts}}
        <details{{#open}} open{{/open}}><summary>Resolved input</summary>{{#inputCut}}<p class="muted small">Only the start is shown. <a href="{{rawURL}}" download>Download the whole execution (JSON)</a></p>{{/inputCut}}<pre class="json">{{input}}</pre></details>
        <details{{#open}} open{{/open}}><summary>Output</summary>{{#outputCut}}<p class="muted small">Only the start is shown. <a href="{{rawURL}}" download>Download the whole execution (JSON)</a></p>{{/outputCut}}<pre class="json">{{output}}</pre></details>
        </li>
        {{/steps}}
        </ol>
        {{/hasSteps}}
        {{^hasSteps}}<p class="muted">No step has run yet.</p>{{/hasSteps}}

        """#
}

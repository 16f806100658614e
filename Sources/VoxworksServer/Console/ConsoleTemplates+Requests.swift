/// The request log's pages (ConsoleController+Requests). Every value is
/// escaped like any other template's; headers and bodies are sender data.
extension ConsoleTemplates {
    static let requests = #"""
        {{> header}}
        <h1>Requests</h1>
        <p>Every request to your automations' webhook URLs, accepted or refused, with the answer it got. Kept for a limited time; under a flood of refused requests only some are kept (see the documentation).</p>
        <form method="get" action="/app/requests" class="filters">
        <div class="field"><label for="automation_id">Automation</label><select id="automation_id" name="automation_id"><option value="">All automations</option>{{#automationOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/automationOptions}}</select></div>
        <div class="field"><label for="status">HTTP status</label><input id="status" name="status" inputmode="numeric" size="4" maxlength="3" value="{{statusFilter}}" placeholder="e.g. 401"></div>
        <div class="field"><label for="from">From (UTC)</label><input id="from" name="from" type="date" value="{{from}}"></div>
        <div class="field"><label for="to">To (UTC)</label><input id="to" name="to" type="date" value="{{to}}"></div>
        <button type="submit">Filter</button>
        </form>
        {{#hasRequests}}
        <table class="stack">
        <thead><tr><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Automation</th><th scope="col">Received</th><th scope="col">Duration</th><th scope="col">Request</th></tr></thead>
        <tbody>
        {{#requests}}
        <tr>
        <td data-label="Status">{{#accepted}}<span class="badge badge-completed"><span aria-hidden="true">✓</span> {{status}}</span>{{/accepted}}{{^accepted}}<span class="badge badge-failed"><span aria-hidden="true">✗</span> {{status}}</span>{{/accepted}}</td>
        <td data-label="Reason">{{message}}</td>
        <td data-label="Automation">{{automationName}}</td>
        <td data-label="Received"><time datetime="{{receivedAt}}" title="{{receivedAt}}">{{receivedAt}}</time> <span class="muted small">({{relative}})</span></td>
        <td data-label="Duration">{{duration}}</td>
        <td data-label="Request"><a class="open-request" href="/app/requests/{{id}}">Open <span class="mono">{{shortID}}</span></a></td>
        </tr>
        {{/requests}}
        </tbody>
        </table>
        {{/hasRequests}}
        {{^hasRequests}}<p class="empty">No requests match.</p>{{/hasRequests}}
        <nav class="pager" aria-label="Pages">{{#newestURL}}<a href="{{newestURL}}">← Newest</a> {{/newestURL}}{{#olderURL}}<a href="{{olderURL}}">Older →</a>{{/olderURL}}</nav>
        {{> footer}}
        """#

    static let request = #"""
        {{> header}}
        <div class="page-head"><h1>Request <span class="mono">{{shortID}}</span></h1></div>
        <p><a href="/app/requests?automation_id={{automationID}}">← Requests of {{automationName}}</a></p>
        <dl class="facts">
        <dt>Answer</dt><dd>{{#accepted}}<span class="badge badge-completed"><span aria-hidden="true">✓</span> {{status}}</span>{{/accepted}}{{^accepted}}<span class="badge badge-failed"><span aria-hidden="true">✗</span> {{status}}</span>{{/accepted}}</dd>
        {{#message}}<dt>Reason</dt><dd id="request-message">{{message}}</dd>{{/message}}
        <dt>Automation</dt><dd>{{#hasAutomation}}<a href="/app/automations/{{automationID}}">{{automationName}}</a>{{/hasAutomation}}{{^hasAutomation}}{{automationName}}{{/hasAutomation}}</dd>
        <dt>Received</dt><dd><time datetime="{{receivedAt}}">{{receivedAt}}</time> ({{relative}})</dd>
        <dt>Duration</dt><dd>{{duration}}</dd>
        <dt>Method</dt><dd class="mono">{{method}}</dd>
        <dt>Content type</dt><dd class="mono">{{contentType}}</dd>
        <dt>Source IP</dt><dd class="mono">{{sourceIP}}</dd>
        {{#idempotencyKey}}<dt>Idempotency key</dt><dd class="mono">{{idempotencyKey}}</dd>{{/idempotencyKey}}
        {{#executionID}}<dt>Execution</dt><dd><a id="request-execution" href="/app/executions/{{executionID}}" class="mono">{{executionID}}</a></dd>{{/executionID}}
        </dl>
        <section class="card" aria-labelledby="headers-heading"><h2 id="headers-heading">Headers</h2>
        <p class="muted small">Only headers that explain a delivery are kept; credentials and signatures show their first characters only.</p>
        {{#hasHeaders}}<dl class="facts small">{{#headers}}<dt class="mono">{{name}}</dt><dd class="mono">{{value}}</dd>{{/headers}}</dl>{{/hasHeaders}}
        {{^hasHeaders}}<p class="muted">None kept.</p>{{/hasHeaders}}
        </section>
        <section class="card" aria-labelledby="body-heading"><h2 id="body-heading">Body</h2>
        {{#bodyTruncated}}<p class="muted small">The body had {{bodyBytes}} bytes; the log keeps the first {{keptBytes}}.</p>{{/bodyTruncated}}
        {{#bodyCut}}<p class="muted small">Only the start is shown.</p>{{/bodyCut}}
        {{#hasBody}}<pre class="json" id="request-body">{{body}}</pre>{{/hasBody}}
        {{^hasBody}}<p class="muted">No body was read (the request was refused before it).</p>{{/hasBody}}
        </section>
        {{> footer}}
        """#
}

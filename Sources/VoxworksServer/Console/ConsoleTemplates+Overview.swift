/// The overview page, its SVG chart, and the automation delete confirmation.
extension ConsoleTemplates {
    static let overviewTemplates: [(String, String)] = [
        ("overview", overview), ("chart", chart), ("automation_delete", automationDelete),
    ]

    static let overview = #"""
        {{> header}}
        <h1>Overview</h1>
        <p class="muted">The last 24 hours, by hour in UTC: from <time datetime="{{since}}">{{sinceText}}</time> to <time datetime="{{until}}">{{untilText}}</time>.</p>
        <section class="card" aria-labelledby="requests-heading">
        <h2 id="requests-heading">Webhook requests</h2>
        <dl class="stats">
        <div><dt>Received</dt><dd id="requests-received">{{requestsReceived}}</dd></div>
        <div><dt>Refused</dt><dd id="requests-refused">{{requestsRefused}}</dd></div>
        <div><dt>Accepted</dt><dd id="requests-accepted">{{requestsAccepted}}</dd></div>
        </dl>
        <p class="muted small" id="requests-coverage">{{requestCoverage}}</p>
        {{#requestChart}}{{> chart}}{{/requestChart}}
        </section>
        <section class="card" aria-labelledby="executions-heading">
        <h2 id="executions-heading">Executions</h2>
        <dl class="stats">
        <div><dt>Received</dt><dd id="executions-received">{{executionsReceived}}</dd></div>
        <div><dt>Completed</dt><dd id="executions-completed">{{completed}}</dd></div>
        <div><dt>Failed</dt><dd id="executions-failed"><a href="{{failedURL}}">{{failed}}</a></dd></div>
        <div><dt>Dead-lettered</dt><dd id="executions-dead-lettered"><a href="{{deadLetterURL}}">{{deadLettered}}</a></dd></div>
        <div><dt>p50 duration</dt><dd id="duration-p50">{{p50}}</dd></div>
        <div><dt>p99 duration</dt><dd id="duration-p99">{{p99}}</dd></div>
        </dl>
        <p class="muted small">Received counts webhooks, replays and call triggers in the hour they arrived; completed, failed and dead-lettered count executions in the hour they finished. Durations run from receipt to finish, over the executions that finished in these 24 hours.</p>
        {{#finishedChart}}{{> chart}}{{/finishedChart}}
        </section>
        <details class="card"><summary>The numbers by hour</summary>
        <table class="stack">
        <thead><tr><th scope="col">Hour (UTC)</th><th scope="col">Executions received</th><th scope="col">Completed</th><th scope="col">Failed</th><th scope="col">Dead-lettered</th></tr></thead>
        <tbody>
        {{#hours}}<tr><td data-label="Hour (UTC)"><time datetime="{{start}}">{{hour}}</time></td><td data-label="Executions received">{{received}}</td><td data-label="Completed">{{completed}}</td><td data-label="Failed">{{failed}}</td><td data-label="Dead-lettered">{{deadLettered}}</td></tr>{{/hours}}
        </tbody>
        </table>
        </details>
        {{> footer}}
        """#

    static let chart = #"""
        <figure class="chart">
        <figcaption>{{chartTitle}} <span class="muted small">(highest bar: {{top}})</span></figcaption>
        <svg class="chart-svg" viewBox="0 0 {{width}} {{height}}" width="100%" role="img" aria-label="{{chartTitle}}">
        <line class="chart-axis" x1="0" y1="{{plotHeight}}" x2="{{width}}" y2="{{plotHeight}}"></line>
        {{#segments}}<rect class="bar-{{css}}" x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{label}}</title></rect>{{/segments}}
        {{#ticks}}<text class="chart-tick" x="{{x}}" y="{{labelY}}">{{label}}</text>{{/ticks}}
        </svg>
        <ul class="legend">{{#legend}}<li><span class="swatch swatch-{{css}}" aria-hidden="true"></span> {{label}}: {{total}}</li>{{/legend}}</ul>
        </figure>
        """#

    static let automationDelete = #"""
        {{> header}}
        <h1>Delete {{name}}?</h1>
        <div class="card">
        <p>Its webhook URL stops working at once (senders get <code>404</code>), and it no longer runs. Its executions stay in the log, under “(deleted automation)”, and cannot be replayed. This cannot be undone.</p>
        <form method="post" action="/app/automations/{{id}}/delete" class="actions">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="danger" id="confirm-delete">Delete this automation</button>
        <a href="/app/automations/{{id}}">Keep it</a>
        </form>
        </div>
        {{> footer}}
        """#
}

"""Writes the n8n workflow templates in workflows/ (run: python3 scripts/n8n-templates.py)."""
import json, os
PKG = '@crm-bridge/n8n-nodes-mailtarget'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'workflows')

def table(name): return {"__rl": True, "mode": "name", "value": name}
def cond(key, c, val): return {"keyName": key, "condition": c, "keyValue": val}
def mapping(values, types):
    return {"mappingMode": "defineBelow", "value": values, "matchingColumns": [],
            "schema": [{"id": k, "displayName": k, "required": False, "defaultMatch": False, "display": True, "type": types[k], "readOnly": False, "removed": False} for k in values],
            "attemptToConvertTypes": False, "convertFieldsToString": False}
def sticky(id_, text, pos, w=460, h=420):
    return {"id": id_, "name": "Read me", "type": "n8n-nodes-base.stickyNote", "typeVersion": 1, "position": pos, "parameters": {"content": text, "height": h, "width": w}}
def to(*names): return [{"node": n, "type": "main", "index": 0} for n in names]

OUTBOX_TYPES = {"recordId": "string", "record": "string", "status": "string", "dueAt": "number", "acceptedAt": "number", "attempts": "number", "claim": "string", "claimedAt": "number", "lastAnswer": "string"}
DEAD_TYPES = {"recordId": "string", "lane": "string", "reason": "string", "answer": "string", "attempts": "number", "deadAt": "number"}

class Crm:
    def __init__(self, key, label, file_label, target, lanes, cred, settings, settings_note, rate_note, tick_s, prefix, webhook_id):
        self.__dict__.update(locals())
        self.dead = f"mailtarget_{key}_deadletters"

# lane: (name, table, body kind, method, path expression, filter expression or None, records per tick, description)
def lane(name, body, method, path, has=None, per_tick=50, what=""):
    return {"name": name, "body": body, "method": method, "path": path, "has": has, "perTick": per_tick, "what": what}

def setup(c):
    cols = lambda types: {"column": [{"name": k, "type": v} for k, v in types.items()]}
    tables = [f"mailtarget_{c.key}_{l['name']}_outbox" if len(c.lanes) > 1 else f"mailtarget_{c.key}_outbox" for l in c.lanes]
    text = (f"## Mailtarget to {c.label}: setup (run once)\nCreates the data tables the ingest and drain workflows use:\n"
            + "".join(f"- **{t}**: each record for {l['what']}, keyed by `recordId`, with its delivery state (due, claimed, delivered, dead)\n" for t, l in zip(tables, c.lanes))
            + f"- **{c.dead}**: what the CRM refused, with its answer\n\nClick **Execute workflow** once (running it again changes nothing). Do not rename the tables: the other workflows find them by name.")
    nodes = [sticky(c.prefix + "01", text, [-520, -260], 460, 360),
             {"id": c.prefix + "02", "name": "When clicking Execute workflow", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
             {"id": c.prefix + "03", "name": "Or open this URL once", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 200], "webhookId": f"mailtarget-{c.key}-setup", "parameters": {"path": f"mailtarget-{c.key}-setup", "httpMethod": "GET", "responseMode": "lastNode", "options": {}}}]
    conns = {"When clicking Execute workflow": {"main": [to("Create " + tables[0])]}, "Or open this URL once": {"main": [to("Create " + tables[0])]}}
    chain = tables + [c.dead]
    for i, t in enumerate(chain):
        nodes.append({"id": f"{c.prefix}1{i}", "name": "Create " + t, "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [240 + 220 * i, 100], "executeOnce": True,
                      "parameters": {"resource": "table", "operation": "create", "tableName": t, "columns": cols(DEAD_TYPES if t == c.dead else OUTBOX_TYPES), "options": {"createIfNotExists": True}}})
        if i + 1 < len(chain): conns["Create " + t] = {"main": [to("Create " + chain[i + 1])]}
    return {"name": f"Mailtarget to {c.file_label} - 1 setup", "nodes": nodes, "connections": conns, "settings": {"executionOrder": "v1"}}, tables

def ingest(c, tables):
    now = "={{ $now.toMillis() }}"
    values = {"recordId": "={{ $json.id }}", "record": "={{ JSON.stringify($json) }}", "status": "due", "dueAt": now, "acceptedAt": now, "attempts": 0, "claim": "", "claimedAt": 0, "lastAnswer": ""}
    text = (f"## Mailtarget to {c.label}: ingest\nReceives Mailtarget's webhooks and stores each event once in the outbox table(s); the drain workflow(s) send them.\n\n"
            "1. Run the **setup** workflow once.\n2. Open **Mailtarget Trigger** and create a *Mailtarget Webhook* credential with the signing secret you set in the Mailtarget dashboard.\n"
            "3. Activate this workflow and copy the trigger's **Production URL** into the Mailtarget dashboard.\n\n"
            "**Duplicates:** *Only new …* checks the outbox, which remembers every record (delivered ones too) for as long as it is kept, so a batch Mailtarget sends again hours later is still dropped. Nothing here sets a record back to due.\n\n"
            "**Crash:** the trigger answers (an empty 200) only when this workflow has finished, so every record is stored first. If it fails or n8n stops before, Mailtarget gets a 500 or no answer and sends the batch again.")
    nodes = [sticky(c.prefix + "01", text, [-560, -420], 500, 480),
             {"id": c.prefix + "02", "name": "Mailtarget Trigger", "type": f"{PKG}.mailtargetTrigger", "typeVersion": 3, "position": [0, 0], "webhookId": c.webhook_id, "parameters": {"authentication": "signature", "events": [], "responseMode": "lastNode", "registerWebhook": False, "options": {}}, "credentials": {"mailtargetWebhookApi": {"id": "", "name": "Mailtarget Webhook"}}},
             {"id": c.prefix + "04", "name": "Mailtarget Event Mapper", "type": f"{PKG}.mailtargetEventMapper", "typeVersion": 1, "position": [440, 0], "parameters": {"target": c.target, "routing": "perAction", "options": {}}},
             {"id": c.prefix + "05", "name": "Other events (not sent)", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [720, 400], "parameters": {}},
             {"id": c.prefix + "06", "name": "Invalid events", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [720, 560], "parameters": {}}]
    firsts = []
    # No Mailtarget Dedupe here: it records an event as seen before the store, so a batch re-sent after a crash would be dropped.
    conns = {"Mailtarget Trigger": {"main": [to("Mailtarget Event Mapper")]}}
    for i, (l, t) in enumerate(zip(c.lanes, tables)):
        y = i * 200
        suffix = f" ({l['name']})" if len(c.lanes) > 1 else ""
        only, store = "Only new records" + suffix, "Store as due" + suffix
        if l["has"]:
            filt = f"Has {l['name']}"
            nodes.append({"id": f"{c.prefix}2{i}", "name": filt, "type": "n8n-nodes-base.filter", "typeVersion": 2.2, "position": [720, y], "parameters": {
                "conditions": {"options": {"caseSensitive": True, "leftValue": "", "typeValidation": "loose", "version": 2},
                               "conditions": [{"id": f"has-{l['name']}", "leftValue": "={{ " + l["has"] + " != null }}", "rightValue": "", "operator": {"type": "boolean", "operation": "true", "singleValue": True}}],
                               "combinator": "and"}, "options": {}}})
            firsts.append(filt)
            conns[filt] = {"main": [to(only)]}
        else:
            firsts.append(only)
        nodes.append({"id": f"{c.prefix}3{i}", "name": only, "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [940, y], "parameters": {"resource": "row", "operation": "rowNotExists", "dataTableId": table(t), "matchType": "allConditions", "filters": {"conditions": [cond("recordId", "eq", "={{ $json.id }}")]}}})
        nodes.append({"id": f"{c.prefix}4{i}", "name": store, "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [1160, y], "parameters": {"resource": "row", "operation": "insert", "dataTableId": table(t), "columns": mapping(values, OUTBOX_TYPES), "options": {}}})
        conns[only] = {"main": [to(store)]}
    conns["Mailtarget Event Mapper"] = {"main": [to(*firsts)] * 6 + [to("Other events (not sent)"), to("Invalid events")]}
    return {"name": f"Mailtarget to {c.file_label} - 2 ingest", "nodes": nodes, "connections": conns, "settings": {"executionOrder": "v1", "saveDataSuccessExecution": "none", "saveExecutionProgress": False}}

def ingest_fast(c, tables):
    """The same ingest with n8n's own Webhook node in front and Mailtarget Verify checking the raw body in the execution."""
    wf = json.loads(json.dumps(ingest(c, tables)))
    path = f"mailtarget-{c.key}-events"
    text = (f"## Mailtarget to {c.label}: ingest (Webhook node fast path)\nThe same as *2 ingest*, with n8n's own **Webhook** node receiving and **Mailtarget Verify** checking the signature on the raw body inside the execution. n8n answers the Webhook node faster. It answers when the workflow has finished: an empty 200 once the records are stored, a **500** when the execution failed, and so also to a forged or damaged request (it ends at *Mailtarget Verify*, nothing stored, its execution listed as failed).\n\n"
            "1. Run the **setup** workflow once.\n2. Open **Mailtarget Verify** and create a *Mailtarget Webhook* credential with the signing secret you set in the Mailtarget dashboard.\n"
            "3. Activate this workflow and copy the Webhook node's **Production URL** into the Mailtarget dashboard. Keep the Webhook node's option **Raw Body** on.\n\n"
            "Use only one of the two ingest workflows. Duplicates and crashes: as in *2 ingest*.")
    nodes = []
    for node in wf["nodes"]:
        if node["name"] == "Read me":
            node["parameters"]["content"] = text
        if node["name"] == "Mailtarget Trigger":
            nodes.append({"id": node["id"], "name": "Mailtarget webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [-220, 0], "webhookId": c.webhook_id[:-2] + "fb",
                          "parameters": {"httpMethod": "POST", "path": path, "responseMode": "lastNode", "responseData": "noData", "options": {"rawBody": True}}})
            nodes.append({"id": node["id"] + "v", "name": "Mailtarget Verify", "type": f"{PKG}.mailtargetVerify", "typeVersion": 1, "position": [0, 0],
                          "parameters": {"authentication": "signature", "events": [], "options": {}}, "credentials": node["credentials"]})
            continue
        nodes.append(node)
    conns = wf["connections"]
    conns["Mailtarget Verify"] = conns.pop("Mailtarget Trigger")
    conns["Mailtarget webhook"] = {"main": [to("Mailtarget Verify")]}
    wf["nodes"], wf["name"] = nodes, f"Mailtarget to {c.file_label} - 2 ingest (Webhook node)"
    return wf

def drain(c, l, t, number):
    S = "$('Settings').first().json"
    settle_values = {"status": "={{ $json.status }}", "dueAt": "={{ $json.dueAt ?? $now.toMillis() }}", "attempts": "={{ $json.attempts ?? 0 }}", "claim": "", "lastAnswer": "={{ $json.answer ?? $json.reason }}"}
    dead_values = {"recordId": "={{ $json.recordId }}", "lane": l["name"], "reason": "={{ $json.reason }}", "answer": "={{ $json.answer ?? '' }}", "attempts": "={{ $json.attempts ?? 0 }}", "deadAt": "={{ $now.toMillis() }}"}
    http_name = f"{l['method']} {l['what']}"
    note = (f"## Mailtarget to {c.label}: drain ({l['what']})\nSends the records stored in **{t}** to `{l['method']} {l['pathText']}` at the CRM's rate, and settles each one.\n\n"
            f"**Set up:** {c.cred['howto']} In **Settings** set {c.settings_note} Activate.\n\n"
            f"**The rate:** each tick (every {c.tick_s} s, see **Every tick**) makes at most one CRM call with at most `recordsPerTick` records. {c.rate_note}\n\n"
            f"**On a 429 / 503{' / 403 REQUEST_LIMIT_EXCEEDED' if c.key == 'salesforce' else ''}:** those records wait for the longer of `Retry-After` and a growing backoff, then go again; 5xx, timeouts and resets retry the same way. Other 4xx go to **{c.dead}** with the CRM's answer; so does anything still failing after 24 h.\n\n"
            "**Overlapping ticks** (a slow CRM) never send a record twice: a tick claims each row only while it is still due, then sends only the rows carrying its own claim.\n\n"
            "**Crash:** a row claimed by a tick that died goes back to due after `leaseSeconds` (300 s) and is sent again."
            + ("\n\n" + l["extraNote"] if l.get("extraNote") else ""))
    http_node = {"id": c.prefix + "09", "name": http_name, "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [1420, 0], "onError": "continueRegularOutput",
                 "parameters": dict({"method": l["method"], "url": "={{ " + S + ".crmBaseUrl }}" + l["path"],
                                     "sendHeaders": True, "headerParameters": {"parameters": [{"name": "Idempotency-Key", "value": "={{ $json.idempotencyKey }}"}]},
                                     "sendBody": True, "specifyBody": "json", "jsonBody": l.get("jsonBody", "={{ JSON.stringify($json.body) }}"),
                                     "options": {"response": {"response": {"fullResponse": True, "neverError": True}}, "timeout": 30000}}, **c.cred["params"]),
                 "credentials": {c.cred["type"]: {"id": "", "name": c.cred["name"]}}}
    nodes = [
        sticky(c.prefix + "01", note, [-600, -480], 560, 640),
        {"id": c.prefix + "02", "name": "Every tick", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2, "position": [0, 0], "parameters": {"rule": {"interval": [{"field": "seconds", "secondsInterval": c.tick_s}]}}},
        {"id": c.prefix + "03", "name": "Settings", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0], "parameters": {"mode": "manual", "includeOtherFields": False, "options": {}, "assignments": {"assignments": [
            {"id": "a1", "name": "recordsPerTick", "type": "number", "value": l["perTick"]},
            {"id": "a2", "name": "leaseSeconds", "type": "number", "value": 300},
            {"id": "a3", "name": "crmBaseUrl", "type": "string", "value": c.settings["baseUrl"]},
            {"id": "a4", "name": "now", "type": "number", "value": "={{ $now.toMillis() }}"},
            {"id": "a5", "name": "claim", "type": "string", "value": "={{ 'drain-' + $execution.id }}"}] + l.get("extraSettings", [])}}},
        {"id": c.prefix + "04", "name": "Free stale claims", "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [400, 0], "alwaysOutputData": True, "parameters": {"resource": "row", "operation": "update", "dataTableId": table(t), "matchType": "allConditions", "filters": {"conditions": [cond("status", "eq", "claimed"), cond("claimedAt", "lt", f"={{{{ {S}.now - {S}.leaseSeconds * 1000 }}}}")]}, "columns": mapping({"status": "due", "claim": ""}, OUTBOX_TYPES), "options": {}}},
        {"id": c.prefix + "05", "name": "Due records, oldest first", "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [600, 0], "executeOnce": True, "parameters": {"resource": "row", "operation": "get", "dataTableId": table(t), "matchType": "allConditions", "filters": {"conditions": [cond("status", "eq", "due"), cond("dueAt", "lte", f"={{{{ {S}.now }}}}")]}, "limit": f"={{{{ {S}.recordsPerTick }}}}", "orderBy": True, "orderByColumn": "id", "orderByDirection": "ASC"}},
        {"id": c.prefix + "06", "name": "Claim each (only if still due)", "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [800, 0], "parameters": {"resource": "row", "operation": "update", "dataTableId": table(t), "matchType": "allConditions", "filters": {"conditions": [cond("id", "eq", "={{ $json.id }}"), cond("status", "eq", "due")]}, "columns": mapping({"status": "claimed", "claim": f"={{{{ {S}.claim }}}}", "claimedAt": f"={{{{ {S}.now }}}}"}, OUTBOX_TYPES), "options": {}}},
        {"id": c.prefix + "07", "name": "Re-read my claims", "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [1000, 0], "executeOnce": True, "parameters": {"resource": "row", "operation": "get", "dataTableId": table(t), "matchType": "allConditions", "filters": {"conditions": [cond("claim", "eq", f"={{{{ {S}.claim }}}}"), cond("status", "eq", "claimed")]}, "limit": f"={{{{ {S}.recordsPerTick }}}}", "orderBy": True, "orderByColumn": "id", "orderByDirection": "ASC"}},
        {"id": c.prefix + "08", "name": "Mailtarget CRM Batch", "type": f"{PKG}.mailtargetCrmBatch", "typeVersion": 1, "position": [1200, 0], "parameters": {"body": l["body"], "batchSize": f"={{{{ {S}.recordsPerTick }}}}"}},
        http_node,
        {"id": c.prefix + "10", "name": "Mailtarget Delivery Outcome", "type": f"{PKG}.mailtargetDeliveryOutcome", "typeVersion": 1, "position": [1640, 0], "parameters": {"rows": "={{ $('Mailtarget CRM Batch').item.json.rows }}", "options": {}}},
        {"id": c.prefix + "11", "name": "Settle in outbox", "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [1900, 0], "parameters": {"resource": "row", "operation": "update", "dataTableId": table(t), "matchType": "allConditions", "filters": {"conditions": [cond("id", "eq", "={{ $json.rowId }}"), cond("claim", "eq", f"={{{{ {S}.claim }}}}")]}, "columns": mapping(settle_values, OUTBOX_TYPES), "options": {}}},
        {"id": c.prefix + "12", "name": "Add to dead letters", "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [1900, 240], "parameters": {"resource": "row", "operation": "insert", "dataTableId": table(c.dead), "columns": mapping(dead_values, DEAD_TYPES), "options": {}}},
    ]
    conns = {
        "Every tick": {"main": [to("Settings")]}, "Settings": {"main": [to("Free stale claims")]},
        "Free stale claims": {"main": [to("Due records, oldest first")]}, "Due records, oldest first": {"main": [to("Claim each (only if still due)")]},
        "Claim each (only if still due)": {"main": [to("Re-read my claims")]}, "Re-read my claims": {"main": [to("Mailtarget CRM Batch")]},
        "Mailtarget CRM Batch": {"main": [to(http_name), to("Settle in outbox", "Add to dead letters")]},
        http_name: {"main": [to("Mailtarget Delivery Outcome")]},
        "Mailtarget Delivery Outcome": {"main": [to("Settle in outbox"), to("Settle in outbox"), to("Settle in outbox", "Add to dead letters")]},
    }
    suffix = f" ({l['name']})" if len(c.lanes) > 1 else ""
    return {"name": f"Mailtarget to {c.file_label} - {number} drain{suffix}", "nodes": nodes, "connections": conns,
            "settings": {"executionOrder": "v1", "executionTimeout": 120, "saveDataSuccessExecution": "none", "saveExecutionProgress": False, "saveManualExecutions": True}}

def resend(c, tables, number):
    text = (f"## Mailtarget to {c.label}: re-send dead letters\nPuts dead letters back in the queue after you fixed the cause (a missing custom field, a wrong token...).\n\n"
            f"1. Look up the `recordId`s in the data table **{c.dead}**.\n2. Open **Which records** and replace `all` with them, one per line (or keep `all`).\n3. Click **Execute workflow**. The drain sends them on its next ticks.")
    nodes = [sticky(c.prefix + "01", text, [-520, -300], 460, 300),
             {"id": c.prefix + "02", "name": "When clicking Execute workflow", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
             {"id": c.prefix + "03", "name": "Or POST record ids here", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 200], "webhookId": f"mailtarget-{c.key}-resend", "parameters": {"path": f"mailtarget-{c.key}-resend", "httpMethod": "POST", "responseMode": "lastNode", "options": {}}},
             {"id": c.prefix + "04", "name": "Which records", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [220, 100], "parameters": {"mode": "manual", "includeOtherFields": False, "options": {}, "assignments": {"assignments": [
                 {"id": "r1", "name": "recordIds", "type": "string", "value": "={{ $json.body?.recordIds ?? 'all' }}"}]}}},
             {"id": c.prefix + "05", "name": "One item per record id", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [440, 100], "parameters": {"jsCode": "const text = String($input.first().json.recordIds ?? '').trim();\nif (text === 'all') return [{ json: { condition: 'like', recordId: '%' } }];\nreturn text.split(/[\\s,]+/).filter(Boolean).map((recordId) => ({ json: { condition: 'eq', recordId } }));"}}]
    conns = {"When clicking Execute workflow": {"main": [to("Which records")]}, "Or POST record ids here": {"main": [to("Which records")]}, "Which records": {"main": [to("One item per record id")]}}
    updates = []
    for i, t in enumerate(tables):
        name = f"Set dead letters due in {t}"
        updates.append(name)
        nodes.append({"id": f"{c.prefix}6{i}", "name": name, "type": "n8n-nodes-base.dataTable", "typeVersion": 1.1, "position": [660, 100 + 200 * i], "parameters": {"resource": "row", "operation": "update", "dataTableId": table(t), "matchType": "allConditions", "filters": {"conditions": [cond("status", "eq", "dead"), {"keyName": "recordId", "condition": "={{ $json.condition }}", "keyValue": "={{ $json.recordId }}"}]}, "columns": mapping({"status": "due", "dueAt": "={{ $now.toMillis() }}", "attempts": 0, "acceptedAt": "={{ $now.toMillis() }}", "claim": ""}, OUTBOX_TYPES), "options": {}}})
    conns["One item per record id"] = {"main": [to(*updates)]}
    return {"name": f"Mailtarget to {c.file_label} - {number} re-send dead letters", "nodes": nodes, "connections": conns, "settings": {"executionOrder": "v1"}}

HEADER_AUTH = {"type": "httpHeaderAuth", "name": "Custom CRM token", "params": {"authentication": "genericCredentialType", "genericAuthType": "httpHeaderAuth"},
               "howto": "Open the HTTP Request node and create a *Header Auth* credential (name `Authorization`, value `Bearer <token>`)."}
def predefined(type_, name, howto):
    return {"type": type_, "name": name, "params": {"authentication": "predefinedCredentialType", "nodeCredentialType": type_}, "howto": howto}

CRMS = [
    Crm("custom", "your CRM", "custom CRM", "neutral",
        [lane("activities", "records", "POST", "/activities", None, 50, "activity records")],
        HEADER_AUTH, {"baseUrl": "https://crm.example.com/api"}, "`crmBaseUrl` (e.g. https://crm.example.com/api) and `recordsPerTick`.",
        "Calls per minute = 60 / tick seconds: keep that under the limit your CRM documents, with room to spare; raise `recordsPerTick` for more records per call.", 2, "c9", "4d1c8f5e-9a4b-4b7e-8d33-6a1f0c2e7a01"),
    Crm("hubspot", "HubSpot", "HubSpot", "hubspot",
        [lane("notes", "hubspotNotes", "POST", "/crm/v3/objects/notes/batch/create", None, 100, "notes"),
         lane("contacts", "hubspotContacts", "POST", "/crm/v3/objects/contacts/batch/upsert", "$json.hubspot?.api?.contactUpsert", 100, "contacts"),
         dict(lane("optouts", "hubspotUnsubscribe", "POST", "/communication-preferences/v3/unsubscribe", "($json.event === 'unsubscribe' || null)", 1, "opt-outs"),
              extraSettings=[{"id": "a6", "name": "subscriptionId", "type": "string", "value": "your-marketing-subscription-id"}],
              jsonBody="={{ JSON.stringify({ ...$json.body, subscriptionId: $('Settings').first().json.subscriptionId }) }}",
              extraNote="Set `subscriptionId` in **Settings** to the id of the marketing subscription type an unsubscribe ends (HubSpot: Settings > Marketing > Email > Subscription types). One email per call, as the API takes.")],
        predefined("hubspotAppToken", "HubSpot private app", "Open the HTTP Request node and create a *HubSpot App Token* credential (the access token of a private app with the contacts and notes write scopes)."),
        {"baseUrl": "https://api.hubapi.com"}, "`recordsPerTick` (HubSpot batch endpoints take up to 100); keep `crmBaseUrl` as https://api.hubapi.com.",
        "HubSpot allows 100 calls per 10 s (Free/Starter) or 190 (Pro/Enterprise) for all your integrations together; the two drains (notes, contacts) at one call per 2 s each make 10 calls per 10 s, up to 1,000 records.", 2, "h9", "7a3e2c10-5b8f-4f7d-9c21-2b6d4e8f1a02"),
    Crm("salesforce", "Salesforce", "Salesforce", "salesforce",
        [lane("tasks", "salesforceTasks", "PATCH", "/services/data/v60.0/composite/sobjects/Task/Mailtarget_Event_Id__c", None, 200, "tasks"),
         lane("contacts", "salesforceContacts", "PATCH", "/services/data/v60.0/composite/sobjects", "$json.salesforce?.api?.whoUpdate", 200, "contacts and leads")],
        predefined("salesforceOAuth2Api", "Salesforce", "Open the HTTP Request node and create a *Salesforce OAuth2* credential (connect it to your org)."),
        {"baseUrl": "https://yourInstance.my.salesforce.com"}, "`crmBaseUrl` to your instance URL (e.g. https://acme.my.salesforce.com) and `recordsPerTick` (collections take up to 200). Create the Task field `Mailtarget_Event_Id__c` (External ID, unique) first.",
        "Salesforce counts calls against a daily allocation (100,000 + per licence): one call per 2 s per drain is 43,200 per day each, carrying up to 200 records; lengthen the tick if you share the allocation.", 2, "s9", "0c5b7d2e-3f6a-4e1b-8a94-5d7c2e9f3b03"),
    Crm("zendesk", "Zendesk", "Zendesk", "zendesk",
        [lane("users", "zendeskUsers", "POST", "/api/v2/users/create_or_update_many.json", "$json.zendesk?.user", 100, "users"),
         lane("tickets", "zendeskTickets", "POST", "/api/v2/tickets/create_many.json", "$json.zendesk?.ticket", 100, "tickets")],
        predefined("zendeskApi", "Zendesk", "Open the HTTP Request node and create a *Zendesk API* credential (subdomain, agent email, API token)."),
        {"baseUrl": "https://yourSubdomain.zendesk.com"}, "`crmBaseUrl` to https://<your subdomain>.zendesk.com and `recordsPerTick` (up to 100). Create the user fields the mapper's help lists first.",
        "Zendesk allows 200-2,500 calls per minute by plan; the two drains at one call per 2 s each make 60 per minute.", 2, "z9", "9e1f4a6b-2c8d-4b3e-a175-6f0d3c8b2e04"),
]

def main():
    os.makedirs(OUT, exist_ok=True)
    for c in CRMS:
        for l in c.lanes: l["pathText"] = "<crmBaseUrl>" + l["path"]
        wfs = []
        base = c.prefix
        c.prefix = base + "00"; s, tables = setup(c); wfs.append(("1 setup", s))
        c.prefix = base + "10"; wfs.append(("2 ingest", ingest(c, tables)))
        c.prefix = base + "10"; wfs.append(("2 ingest (Webhook node)", ingest_fast(c, tables)))
        n = 3
        for i, (l, t) in enumerate(zip(c.lanes, tables)):
            c.prefix = f"{base}2{i}"
            wfs.append((f"{n} drain" + (f" ({l['name']})" if len(c.lanes) > 1 else ""), drain(c, l, t, n)))
            n += 1
        c.prefix = base + "90"; wfs.append((f"{n} resend", resend(c, tables, n)))
        c.prefix = base
        for fname, wf in wfs:
            with open(os.path.join(OUT, f"Mailtarget to {c.file_label} - {fname}.json"), "w") as f:
                json.dump(wf, f, indent=2); f.write("\n")

main()

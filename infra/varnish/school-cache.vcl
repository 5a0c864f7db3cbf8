# Edge cache logic for the school data service (REST under /api/, GraphQL at /graphql).
#
# Shared by the real configuration (default.vcl) and the varnishtest cases (tests/*.vtc), so it has
# no `vcl 4.1;` line and defines no backend. The including file must provide:
#   - a default backend (the first one declared),
#   - `acl edge_purge_allow { ... }`: the clients allowed to send PURGE,
#   - `sub edge_set_grace { set beresp.grace = <duration>; }`: how long stale copies are kept.
# default.vcl gets them from the generated edge-settings.vcl (see render-vcl.mjs).
#
# Contract with the app:
#   - Cache-Control decides: cached only with an explicit `s-maxage=`/`max-age=` and none of
#     no-store / no-cache / private; the TTL is Varnish's own reading of it (s-maxage first).
#   - A request with `Authorization` is cached for that exact credential only: the header is part of
#     the key, the answer must say `Vary: Authorization` to be stored, and it gets no grace (a copy
#     must not outlive the token, whose end the app's s-maxage respects). Cookies are never cached.
#   - `X-GraphQL-Cacheable: false` and `X-Data-Source: fallback | stale` are never cached.
#   - `xkey: school:<id> schools ...` tags objects; `PURGE` + `xkey-purge: <keys>` hard-purges them
#     and answers 200 with `X-Purged: <count>` and `{"purged":<count>}`.
#   - Clients see `X-Cache: HIT | MISS | PASS | STALE` and `X-Cache-Hits: <n>`:
#     HIT = fresh from cache, STALE = from cache past its TTL (grace; a refresh runs behind it),
#     MISS = fetched and stored, PASS = fetched and not stored (pass, hit-for-miss, uncacheable
#     answer, synthetic answer).

import std;
import bodyaccess;
import xkey;

sub vcl_recv {
    # Headers only this VCL may set: a client must not smuggle them in (X-Edge-Method would
    # otherwise choose the method of a cached fetch).
    unset req.http.X-Edge-Method;
    unset req.http.X-Edge-Body;
    unset req.http.X-Edge-Cache;
    unset req.http.X-Edge-Purged;

    if (req.method == "PURGE") {
        call edge_recv_purge;
    }

    # WebSockets (GraphQL subscriptions over /graphql): a byte pipe to the app; vcl_pipe forwards
    # the Upgrade/Connection headers that Varnish would otherwise drop.
    if (req.http.Upgrade ~ "(?i)\bwebsocket\b") {
        return (pipe);
    }

    # The checks of the builtin vcl_recv that still apply: every path below returns, so the
    # builtin one never runs.
    if (req.method == "PRI") {
        return (synth(405));
    }
    if (!req.http.host && req.esi_level == 0 && req.proto ~ "(?i)^HTTP/1\.1") {
        return (synth(400));
    }

    # Cookies: this API does not use them, so an answer to one is not known to be shareable.
    # `return (hash)` skips the builtin vcl_recv, which would have passed these (and Authorization,
    # which vcl_hash keys on instead).
    if (req.http.Cookie) {
        return (pass);
    }

    if (req.url ~ "^/graphql(\?|$)") {
        call edge_recv_graphql;
    }
    if (req.url ~ "^/api/" && (req.method == "GET" || req.method == "HEAD")) {
        return (hash);
    }
    # Everything else (writes, /health, /metrics, docs, IDE assets, ...) goes straight through.
    return (pass);
}

sub edge_recv_purge {
    if (client.ip !~ edge_purge_allow) {
        return (synth(403, "PURGE is not allowed from this address"));
    }
    if (req.http.xkey-purge !~ "[^\s,]") {
        return (synth(400, "PURGE needs an xkey-purge header with the surrogate keys to purge"));
    }
    # Several xkey-purge header lines count as one list (xkey splits on spaces and commas).
    std.collect(req.http.xkey-purge, " ");
    # Hard purge: the objects go, stale copies included (the data changed; serving them in grace
    # would show the old data).
    set req.http.X-Edge-Purged = xkey.purge(req.http.xkey-purge);
    return (synth(200, "Purged"));
}

sub edge_recv_graphql {
    # A mutation or subscription named anywhere in the URL (GET parameters, or parameters on a
    # POST) is never served from cache; the app answers 405 to a GET mutation anyway.
    # Matched loosely on purpose (case-insensitive, any non-name character or %XX escape before
    # it), and a URL spelling letters as %XX escapes is not inspected further but passed: passing a
    # query costs one backend request, caching a mutation would skip it.
    if (req.url ~ "(?i)((^|[^a-z0-9_]|%[0-9a-f]{2})(mutation|subscription)([^a-z0-9_]|$))|%(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])") {
        return (pass);
    }

    if (req.method == "GET" || req.method == "HEAD") {
        # A browser asking for the page (the GraphQL IDE), not for data.
        if (req.http.Accept ~ "(?i)text/html") {
            return (pass);
        }
        return (hash);
    }
    if (req.method != "POST") {
        return (pass);
    }

    # POST: cached for JSON and GraphQL documents in UTF-8 only; the kind is part of the key.
    if (req.http.Content-Type ~ {"(?i)^\s*application/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$"}) {
        set req.http.X-Edge-Body = "json";
    } elsif (req.http.Content-Type ~ {"(?i)^\s*application/graphql\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$"}) {
        set req.http.X-Edge-Body = "graphql";
    } else {
        return (pass);
    }
    # A compressed body cannot be inspected.
    if (req.http.Content-Encoding) {
        return (pass);
    }
    # The body becomes part of the key, so it must be buffered completely: without that every body
    # would hash the same. std.cache_req_body() failing on a body over its limit also fails the
    # request (the connection is closed), so only a body announced by a Content-Length of at most
    # 64 KB is buffered; chunked and bigger bodies are passed through untouched.
    if (std.integer(req.http.Content-Length, -1) < 1 || std.integer(req.http.Content-Length, -1) > 65536) {
        return (pass);
    }
    # Failing anyway (client gone, short body): never hash a body that is not fully buffered.
    if (!std.cache_req_body(64KB)) {
        return (pass);
    }
    # Mutations and subscriptions by body, however spelled: case-insensitive, anywhere in the body
    # (so after comments, in any of several operations picked by operationName, in a JSON batch,
    # inside the JSON "query" string). Before the keyword: start, a non-name character, a JSON
    # escape (`\n` after a `# comment`) or a \uXXXX escape. A body with a letter written as a JSON
    # \u00XX escape (which could spell the keyword; no common client writes letters that way) is
    # not decoded but passed. 1 = found, -1 = the body could not be read: both pass. Loose on purpose: a false alarm only costs a backend request, and
    # the app's `X-GraphQL-Cacheable: false` is the safety net behind it.
    if (bodyaccess.rematch_req_body({"(?i)((^|[^a-z0-9_]|\\[nrtbf]|\\u[0-9a-f]{4})(mutation|subscription)([^a-z0-9_]|$))|\\u00(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])"}) != 0) {
        return (pass);
    }
    # A cached fetch is always sent as GET; vcl_backend_fetch restores POST from this.
    set req.http.X-Edge-Method = "POST";
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(std.tolower(req.http.host));
    } else {
        hash_data(server.ip);
    }
    if (req.url ~ "^/graphql(\?|$)") {
        # Apollo picks the response Content-Type from Accept without sending Vary: Accept.
        hash_data("accept:" + req.http.Accept);
    }
    if (req.http.Authorization) {
        # One credential is never answered from another's entry.
        hash_data("authorization:" + req.http.Authorization);
    }
    if (req.http.X-Edge-Method == "POST") {
        # Set only after std.cache_req_body() succeeded: the body is complete here.
        hash_data("POST " + req.http.X-Edge-Body);
        bodyaccess.hash_req_body();
    } else {
        hash_data("GET");
    }
    return (lookup);
}

sub vcl_hit {
    # obj.ttl is what remains of the TTL: at or below zero the object is served from grace, and
    # Varnish refreshes it in the background.
    if (obj.ttl <= 0s) {
        set req.http.X-Edge-Cache = "STALE";
    } else {
        set req.http.X-Edge-Cache = "HIT";
    }
}

sub vcl_miss {
    set req.http.X-Edge-Cache = "MISS";
}

sub vcl_pass {
    set req.http.X-Edge-Cache = "PASS";
}

sub vcl_pipe {
    if (req.http.Upgrade) {
        set bereq.http.Upgrade = req.http.Upgrade;
        set bereq.http.Connection = req.http.Connection;
    }
}

sub vcl_backend_fetch {
    if (bereq.http.X-Edge-Method == "POST") {
        set bereq.method = "POST";
    }
    unset bereq.http.X-Edge-Method;
    unset bereq.http.X-Edge-Body;
    unset bereq.http.X-Edge-Cache;
    unset bereq.http.X-Edge-Purged;
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        # A pass: the answer goes to this one client only.
        return (deliver);
    }

    # A refresh in grace (background fetch) that brought backup data, the service's last-known-good
    # data or an error: keep serving the edge's own copy instead of replacing it.
    if (bereq.is_bgfetch && (beresp.status >= 500 || beresp.http.X-Data-Source ~ "(?i)(fallback|stale)")) {
        return (abandon);
    }

    if (beresp.status >= 400
        || beresp.http.X-Data-Source ~ "(?i)(fallback|stale)"
        || beresp.http.X-GraphQL-Cacheable ~ "(?i)^\s*false"
        || beresp.http.Cache-Control ~ "(?i)(no-store|no-cache|private)"
        || beresp.http.Cache-Control !~ "(?i)(s-maxage|max-age)\s*="
        || beresp.http.Set-Cookie
        || beresp.http.Vary == "*"
        || (bereq.http.Authorization && beresp.http.Vary !~ "(?i)(^|,)\s*authorization\s*(,|$)")
        || beresp.ttl <= 0s) {
        # Not cached. A short hit-for-miss object rather than nothing: requests for this key skip
        # the waiting list (no serialising behind an uncacheable answer), and the next cacheable
        # answer replaces it.
        set beresp.ttl = 1s;
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }

    # The TTL stays as Varnish computed it from the app's Cache-Control (s-maxage before max-age).
    # Past it the object is kept for the grace window and served stale while refreshed, or while
    # the app is down; an answer to a credential is not (the credential may have expired by then).
    if (bereq.http.Authorization) {
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        return (deliver);
    }
    call edge_set_grace;
    return (deliver);
}

sub vcl_backend_error {
    # A refresh in grace that failed (app down, timeout): keep the stale copy.
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    # No copy to fall back on: a JSON 503 for this request only (short hit-for-miss, like any
    # uncacheable answer).
    set beresp.ttl = 1s;
    set beresp.grace = 0s;
    set beresp.keep = 0s;
    set beresp.uncacheable = true;
    set beresp.http.Content-Type = "application/json; charset=utf-8";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "5";
    synthetic("""{"statusCode":503,"message":"The service is unavailable"}""");
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (req.http.X-Edge-Cache) {
        set resp.http.X-Cache = req.http.X-Edge-Cache;
    } else {
        set resp.http.X-Cache = "PASS";
    }
    set resp.http.X-Cache-Hits = obj.hits;
    # Edge-internal headers.
    unset resp.http.xkey;
    unset resp.http.X-GraphQL-Cacheable;
}

sub vcl_synth {
    set resp.http.X-Cache = "PASS";
    set resp.http.X-Cache-Hits = "0";
    set resp.http.Content-Type = "application/json; charset=utf-8";
    set resp.http.Cache-Control = "no-store";
    if (req.method == "PURGE" && resp.status == 200) {
        set resp.http.X-Purged = req.http.X-Edge-Purged;
        synthetic("""{"purged":""" + req.http.X-Edge-Purged + "}");
    } else {
        synthetic("""{"statusCode":""" + resp.status + {","message":""} + resp.reason + {"""} + "}");
    }
    return (deliver);
}

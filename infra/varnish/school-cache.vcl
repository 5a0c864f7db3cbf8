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
#   - Cache scopes: the app says whom each cacheable answer is the same for, `X-Cache-Scope: public |
#     scope | user` (removed here). A request with `Authorization` first learns its token's scope from
#     the app (`GET /edge/scope`, remembered per token for at most 60 s and never past the token's
#     end; the token's claims are never read here): a token the app refuses is never answered from
#     cache. Then `scope` answers are shared by the callers of one scope (Vary: X-Edge-Scope), `user`
#     answers by that exact credential (Vary: Authorization; the answer must say so to be stored),
#     `public` ones by everyone. Answers to a credential get no grace (a copy must not outlive the
#     token, whose end the app's s-maxage respects). Cookies are never cached.
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
    # [cache scopes] Kept across the restart after the scope lookup (see edge_recv_scope), so removed
    # from what the client sent only on the first pass.
    if (req.restarts == 0) {
        unset req.http.X-Edge-Scope;
        unset req.http.X-Edge-Scope-Url;
        unset req.http.X-Edge-Scope-Failed;
    }

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
        call edge_recv_scope;
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
        call edge_recv_scope;
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
    call edge_recv_scope;
    return (hash);
}

# [cache scopes] Called just before a cacheable request is looked up (`return (hash)`).
# A request with a bearer token is first turned into the scope lookup of its token: the URL becomes
# /edge/scope (the original is kept in X-Edge-Scope-Url), its own entry is keyed by the token alone
# (vcl_hash), and vcl_deliver takes the scope from the answer, restores the URL and restarts: the
# second pass arrives here with X-Edge-Scope set (or X-Edge-Scope-Failed) and is looked up as
# itself. The method is never changed, and a POST body stays buffered across the restart (Varnish
# allows no buffering after a restart, so it is buffered before the lookup), so it is still part of
# the key.
sub edge_recv_scope {
    if (req.http.Authorization && !req.http.X-Edge-Scope) {
        if (req.http.X-Edge-Scope-Failed) {
            # The app gave the token no scope (invalid, expired) or could not be asked: never from
            # cache; the app answers it (401 for a bad token).
            return (pass);
        }
        set req.http.X-Edge-Scope-Url = req.url;
        set req.url = "/edge/scope";
    }
}

sub vcl_hash {
    if (req.http.X-Edge-Scope-Url) {
        # [cache scopes] The scope lookup: one entry per token, whatever the request it is for.
        hash_data("edge-scope-lookup");
        hash_data(req.http.Authorization);
        return (lookup);
    }
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
    # [cache scopes] The credential is no longer part of the hash: answers for several callers of the
    # same request live under one hash and each says by its Vary whom it serves (vcl_backend_response,
    # edge_vary_by_scope): `Vary: Authorization` one credential, `Vary: X-Edge-Scope` one scope.
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
    if (bereq.http.X-Edge-Scope-Url) {
        # [cache scopes] The scope lookup: a GET with the client's credential. Varnish 7.1 sends a
        # buffered POST body along with any fetch (`unset bereq.body` does not stop it), so it goes
        # with its Content-Length, and the app ignores the body of a GET.
        set bereq.method = "GET";
        unset bereq.http.X-Edge-Scope-Url;
    } elsif (bereq.http.X-Edge-Method == "POST") {
        set bereq.method = "POST";
    }
    # [cache scopes] X-Edge-Scope stays on the backend request (the app ignores it): Varnish builds a
    # stored object's Vary match from the backend request's headers as they leave this sub, so
    # without it a scope answer would be stored as the answer for "no scope" (anonymous callers).
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

    # [cache scopes] Only the VCL's own lookups reach here for /edge/scope: clients' are passed.
    if (bereq.url == "/edge/scope" && bereq.http.Authorization) {
        call edge_scope_lookup_response;
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
        # [cache scopes] An answer to a credential without a scope the app declared is kept only
        # when it says Vary: Authorization.
        || (bereq.http.Authorization
            && beresp.http.X-Cache-Scope !~ "(?i)^\s*(public|scope)\s*$"
            && beresp.http.Vary !~ "(?i)(^|,)\s*authorization\s*(,|$)")
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

    # [cache scopes]
    call edge_vary_by_scope;

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

# [cache scopes] The answer to a scope lookup (GET /edge/scope with a client's credential): kept
# while the app says (its max-age ends no later than the token), at most 60 s, never in grace. Any
# other answer (401 for a bad or expired token, an error) is not kept: the token is asked about
# again next time.
sub edge_scope_lookup_response {
    if (beresp.status == 200 && beresp.http.X-Edge-Scope && beresp.ttl > 0s) {
        if (beresp.ttl > 60s) {
            set beresp.ttl = 60s;
        }
    } else {
        set beresp.ttl = 1s;
        set beresp.uncacheable = true;
    }
    set beresp.grace = 0s;
    set beresp.keep = 0s;
    # A few bytes: fetched whole before the restart goes on, so that the backend connection is free
    # again for the request itself.
    set beresp.do_stream = false;
    return (deliver);
}

# [cache scopes] Whom a stored answer serves, from the app's X-Cache-Scope (all answers of one request
# share one hash, see vcl_hash):
#   public: everyone (the app's Vary as it is);
#   scope:  the callers of one scope: Vary on X-Edge-Scope (set only from the scope lookup) instead
#           of Authorization; anonymous callers have none, so they share one entry of their own;
#   user, or no or another value: the credential: Vary on Authorization (an anonymous answer too, so
#           that it never serves a signed-in caller).
sub edge_vary_by_scope {
    if (beresp.http.X-Cache-Scope ~ "(?i)^\s*public\s*$") {
        # Nothing to add.
    } elsif (beresp.http.X-Cache-Scope ~ "(?i)^\s*scope\s*$" && (bereq.http.X-Edge-Scope || !bereq.http.Authorization)) {
        set beresp.http.Vary = regsub(regsuball(beresp.http.Vary, "(?i)(^|,)\s*authorization\s*(?=,|$)", ""), "^[\s,]+", "");
        if (beresp.http.Vary ~ "[^\s,]") {
            set beresp.http.Vary = beresp.http.Vary + ", X-Edge-Scope";
        } else {
            set beresp.http.Vary = "X-Edge-Scope";
        }
    } elsif (beresp.http.Vary !~ "(?i)(^|,)\s*authorization\s*(,|$)") {
        if (beresp.http.Vary ~ "[^\s,]") {
            set beresp.http.Vary = beresp.http.Vary + ", Authorization";
        } else {
            set beresp.http.Vary = "Authorization";
        }
    }
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
    if (req.http.X-Edge-Scope-Url) {
        # [cache scopes] The scope lookup answered: take the scope (or the failure), then look up the
        # request itself (edge_recv_scope).
        if (resp.status == 200 && resp.http.X-Edge-Scope ~ "^[A-Za-z0-9_-]{16,128}$") {
            set req.http.X-Edge-Scope = resp.http.X-Edge-Scope;
        } else {
            set req.http.X-Edge-Scope-Failed = "1";
        }
        set req.url = req.http.X-Edge-Scope-Url;
        unset req.http.X-Edge-Scope-Url;
        return (restart);
    }
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
    # [cache scopes] Edge-internal too; to other caches a scope answer varies by the credential.
    unset resp.http.X-Cache-Scope;
    if (resp.http.Vary ~ "(?i)x-edge-scope") {
        set resp.http.Vary = regsub(resp.http.Vary, "(?i)x-edge-scope", "Authorization");
    }
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
